#pragma once
// Threads that run blocking jobs (a file's write and fsync) off the io threads, in order, from
// a bounded queue: a full queue refuses the job at once rather than queueing without end.

#include <pthread.h>

#include <deque>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "adapters/runtime/cond_var.h"
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

}  // namespace motcua
