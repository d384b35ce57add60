#pragma once
// A mutex the thread-safety analysis understands (thread_annotations.h), and its scoped lock.
// A thin wrapper over std::mutex: same cost, same semantics. Condition variables that wait on it
// are in adapters/runtime/cond_var.h (the engine itself never waits).

#include <mutex>

#include "engine/common/thread_annotations.h"

namespace motcua {

class CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() ACQUIRE() { mu_.lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }
  // For condition variables (cond_var.h), which must hand the std::mutex to the standard library.
  std::mutex& native() { return mu_; }

 private:
  std::mutex mu_;
};

// Holds `mu` for its scope.
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex* mu) ACQUIRE(mu) : mu_(mu) { mu_->Lock(); }
  ~MutexLock() RELEASE() { mu_->Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex* mu_;
};

}  // namespace motcua
