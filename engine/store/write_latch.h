#pragma once
// A store's failed-write latch. After a write fails, every later write is refused with the first
// failure as the reason: a write whose outcome is unknown may have reached the disk or not, and
// nothing after it may be acknowledged in order. The latch holds until the store is opened again
// or, where the store can, recovered (Store::Recover) and re-read by its writer.

#include <atomic>
#include <string>

#include "engine/common/mutex.h"
#include "engine/common/status.h"

namespace motcua {

class WriteLatch {
 public:
  // Latches `why`, unless a failure is latched already: the first one is the reason.
  void Fail(const std::string& why) EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    if (failed_.load(std::memory_order_relaxed)) return;
    reason_ = why;
    failed_.store(true, std::memory_order_release);
  }
  // Cheap: read before each write.
  bool failed() const { return failed_.load(std::memory_order_acquire); }
  // OK, or kUnavailable with `prefix` and the reason.
  Status Check(const std::string& prefix = "") const EXCLUDES(mu_) {
    if (!failed()) return Status::Ok();
    MutexLock lock(&mu_);
    return Unavailable(prefix + reason_);
  }
  // Writes may go on (the store recovered).
  void Reset() EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    reason_.clear();
    failed_.store(false, std::memory_order_release);
  }

 private:
  mutable Mutex mu_;
  std::atomic<bool> failed_{false};
  std::string reason_ GUARDED_BY(mu_);
};

}  // namespace motcua
