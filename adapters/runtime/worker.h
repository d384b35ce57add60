#pragma once
// Threads that run blocking jobs (a file's write and fsync) off the io threads, in order, from
// a bounded queue: a full queue refuses the job at once rather than queueing without end. And
// the engine's JobRunner on such threads (motcua verify checks dossiers on every core with it).

#include <pthread.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "adapters/runtime/cond_var.h"
#include "engine/common/job_runner.h"
#include "engine/common/mutex.h"

namespace motcua {

class Worker {
 public:
  // `threads` threads named `name` (at most 15 characters, as the kernel keeps them).
  Worker(std::string name, size_t threads, size_t max_queue) : max_queue_(max_queue) {
    for (size_t i = 0; i < threads; ++i) {
      threads_.emplace_back([this, name] {
        pthread_setname_np(pthread_self(), name.c_str());
        Run();
      });
    }
  }
  // Runs the jobs queued, then joins.
  ~Worker() {
    {
      MutexLock lock(&mu_);
      stopping_ = true;
    }
    cv_.SignalAll();
    for (std::thread& t : threads_) t.join();
  }
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // False when the queue is full or the worker stops: the job is not run.
  bool Post(std::function<void()> job) EXCLUDES(mu_) {
    {
      MutexLock lock(&mu_);
      if (stopping_ || queue_.size() >= max_queue_) return false;
      queue_.push_back(std::move(job));
    }
    cv_.Signal();
    return true;
  }

 private:
  void Run() EXCLUDES(mu_) {
    for (;;) {
      std::function<void()> job;
      {
        MutexLock lock(&mu_);
        while (queue_.empty() && !stopping_) cv_.Wait(&mu_);
        if (queue_.empty()) return;
        job = std::move(queue_.front());
        queue_.pop_front();
      }
      job();
    }
  }

  const size_t max_queue_;
  Mutex mu_;
  CondVar cv_;
  std::deque<std::function<void()>> queue_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

// Jobs on `threads` threads of their own; Wait waits for every job started.
class WorkerJobRunner : public JobRunner {
 public:
  explicit WorkerJobRunner(size_t threads, const std::string& name = "motcua-jobs")
      : threads_(threads == 0 ? 1 : threads), worker_(name, threads_, SIZE_MAX) {}
  size_t threads() const override { return threads_; }
  void Start(std::vector<std::function<void()>> jobs) EXCLUDES(mu_) override {
    for (std::function<void()>& job : jobs) {
      {
        MutexLock lock(&mu_);
        ++running_;
      }
      // Never refused: the queue is unbounded, and the worker stops only with this runner.
      worker_.Post([this, job = std::move(job)] {
        job();
        MutexLock lock(&mu_);
        if (--running_ == 0) done_.SignalAll();
      });
    }
  }
  void Wait() EXCLUDES(mu_) override {
    MutexLock lock(&mu_);
    while (running_ > 0) done_.Wait(&mu_);
  }

 private:
  const size_t threads_;
  Mutex mu_;
  CondVar done_;
  size_t running_ GUARDED_BY(mu_) = 0;
  Worker worker_;  // last: its threads stop (running what is queued) before the rest goes
};

}  // namespace motcua
