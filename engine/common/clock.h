#pragma once
// Time and identity come into the engine through these interfaces (never read directly), so
// every rule can be tested to the second.

#include <atomic>
#include <string>

#include "engine/common/time.h"

namespace motcua {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Instant Now() = 0;
};

// A clock tests set by hand (safe to read from a writer thread while a test sets it).
class ManualClock : public Clock {
 public:
  explicit ManualClock(Instant t) : now_(t.seconds) {}
  Instant Now() override { return Instant{now_.load()}; }
  void Set(Instant t) { now_.store(t.seconds); }

 private:
  std::atomic<int64_t> now_;
};

class IdSource {
 public:
  virtual ~IdSource() = default;
  // A new unique dossier id. Ids sort roughly by creation time.
  virtual std::string NewId() = 0;
};

}  // namespace motcua
