#pragma once
// A fixed-window limit per key (the public progress lookup's, per client address).

#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "engine/common/mutex.h"

namespace motcua::http {

class RateLimiter {
 public:
  // Counts a request of `key` in the minute `minute`; false when it is over `per_minute`.
  bool Allow(const std::string& key, int64_t minute, int per_minute) {
    MutexLock lock(&mu_);
    auto& [m, n] = counts_[key];
    if (m != minute) {
      m = minute;
      n = 0;
    }
    const bool allowed = ++n <= per_minute;
    if (counts_.size() > kMaxKeys) counts_.clear();  // bound memory under address churn
    return allowed;
  }

 private:
  // Keys remembered at most; beyond, the window starts again for everyone.
  static constexpr size_t kMaxKeys = 100000;
  Mutex mu_;
  std::map<std::string, std::pair<int64_t, int>> counts_ GUARDED_BY(mu_);  // minute, count
};

}  // namespace motcua::http
