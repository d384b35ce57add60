#pragma once
// A condition variable over motcua::Mutex (engine/common/mutex.h), in the style of Abseil's
// CondVar: the caller holds the mutex, checks its condition in a loop and waits; the analysis of
// thread_annotations.h sees the condition read under the mutex.
//
//   MutexLock lock(&mu_);
//   while (queue_.empty() && !stopping_) cv_.Wait(&mu_);

#include <chrono>
#include <condition_variable>

#include "engine/common/mutex.h"

namespace motcua {

class CondVar {
 public:
  // Releases `mu` while waiting; holds it again on return (also on a spurious wake-up).
  void Wait(Mutex* mu) REQUIRES(mu) {
    std::unique_lock<std::mutex> lock(mu->native(), std::adopt_lock);
    cv_.wait(lock);
    lock.release();
  }
  // As Wait, for at most `timeout`; false when it timed out.
  bool WaitFor(Mutex* mu, std::chrono::milliseconds timeout) REQUIRES(mu) {
    std::unique_lock<std::mutex> lock(mu->native(), std::adopt_lock);
    const bool woken = cv_.wait_for(lock, timeout) == std::cv_status::no_timeout;
    lock.release();
    return woken;
  }
  void Signal() { cv_.notify_one(); }
  void SignalAll() { cv_.notify_all(); }

 private:
  std::condition_variable cv_;
};

}  // namespace motcua
