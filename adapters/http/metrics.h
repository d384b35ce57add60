#pragma once
// What the server counts, rendered in Prometheus text format at /metrics: requests by route (the
// route table's templates) and status with latency histograms, rejected writes by reason, the
// dossier service's group commits, timers and queue, WebSocket subscribers, dossiers by status.

#include <atomic>
#include <cstdint>
#include <iterator>
#include <map>
#include <string>
#include <string_view>
#include <tuple>

#include "adapters/runtime/dossier_service.h"
#include "engine/common/mutex.h"
#include "engine/store/store.h"

namespace motcua::http {

// Request counters and latency histograms, rendered in Prometheus text format.
class Metrics {
 public:
  void Record(const std::string& method, const std::string& route, int status, double seconds);
  void SetWebSocketSubscribers(int64_t n) { ws_subscribers_.store(n); }
  void AddRejectedWrite(const std::string& kind);
  std::string Render(const DossierService& service, Store& store) const;

 private:
  static constexpr double kBuckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01,
                                        0.025,  0.05,  0.1,    0.25,  1.0};
  struct Series {
    uint64_t count = 0;
    double sum = 0;
    uint64_t buckets[std::size(kBuckets)] = {};
  };
  mutable Mutex mu_;
  // Ordered by (method, route, status), found with string views (no key built per request).
  struct SeriesKeyLess {
    using is_transparent = void;
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return View(a) < View(b);
    }
    template <typename K>
    static std::tuple<std::string_view, std::string_view, int> View(const K& k) {
      return {std::get<0>(k), std::get<1>(k), std::get<2>(k)};
    }
  };
  std::map<std::tuple<std::string, std::string, int>, Series, SeriesKeyLess> requests_
      GUARDED_BY(mu_);
  std::map<std::string, uint64_t> rejected_writes_ GUARDED_BY(mu_);
  std::atomic<int64_t> ws_subscribers_{0};
};

}  // namespace motcua::http
