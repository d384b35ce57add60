// Request counters, latency histograms and the Prometheus text (metrics.h).

#include "adapters/http/metrics.h"

#include <sstream>

#include "engine/store/indexes.h"

namespace motcua::http {

namespace {

// The method label: one of the methods HTTP defines, "-" for a request never read, else "other"
// (anyone can send made-up methods; labels must not grow without bound).
std::string_view MethodLabel(std::string_view method) {
  static constexpr std::string_view kKnown[] = {"GET",     "HEAD",    "POST",  "PUT",   "DELETE",
                                                "CONNECT", "OPTIONS", "TRACE", "PATCH", "-"};
  for (std::string_view m : kKnown) {
    if (method == m) return m;
  }
  return "other";
}

}  // namespace

void Metrics::Record(const std::string& raw_method, const std::string& route, int status,
                     double seconds) {
  const std::string_view method = MethodLabel(raw_method);
  MutexLock lock(&mu_);
  // Found without building a key (two strings) on every request.
  auto it =
      requests_.find(std::tuple<std::string_view, std::string_view, int>(method, route, status));
  if (it == requests_.end())
    it = requests_.emplace(std::make_tuple(std::string(method), route, status), Series{}).first;
  Series& s = it->second;
  s.count++;
  s.sum += seconds;
  for (size_t i = 0; i < std::size(kBuckets); ++i) {
    if (seconds <= kBuckets[i]) s.buckets[i]++;
  }
}

void Metrics::AddRejectedWrite(const std::string& kind) {
  MutexLock lock(&mu_);
  rejected_writes_[kind]++;
}

std::string Metrics::Render(const DossierService& service, Store& store) const {
  std::ostringstream o;
  {
    MutexLock lock(&mu_);
    o << "# HELP motcua_http_requests_total HTTP requests by route and status.\n"
         "# TYPE motcua_http_requests_total counter\n";
    for (const auto& [k, s] : requests_) {
      o << "motcua_http_requests_total{method=\"" << std::get<0>(k) << "\",route=\""
        << std::get<1>(k) << "\",status=\"" << std::get<2>(k) << "\"} " << s.count << "\n";
    }
    o << "# HELP motcua_http_request_seconds HTTP request latency.\n"
         "# TYPE motcua_http_request_seconds histogram\n";
    for (const auto& [k, s] : requests_) {
      const std::string labels = "method=\"" + std::get<0>(k) + "\",route=\"" + std::get<1>(k) +
                                 "\",status=\"" + std::to_string(std::get<2>(k)) + "\"";
      for (size_t i = 0; i < std::size(kBuckets); ++i) {
        o << "motcua_http_request_seconds_bucket{" << labels << ",le=\"" << kBuckets[i] << "\"} "
          << s.buckets[i] << "\n";
      }
      o << "motcua_http_request_seconds_bucket{" << labels << ",le=\"+Inf\"} " << s.count << "\n";
      o << "motcua_http_request_seconds_sum{" << labels << "} " << s.sum << "\n";
      o << "motcua_http_request_seconds_count{" << labels << "} " << s.count << "\n";
    }
    o << "# HELP motcua_rejected_writes_total Writes rejected, by reason kind.\n"
         "# TYPE motcua_rejected_writes_total counter\n";
    for (const auto& [kind, n] : rejected_writes_) {
      o << "motcua_rejected_writes_total{kind=\"" << kind << "\"} " << n << "\n";
    }
  }
  const ServiceStats& st = service.stats();
  o << "# TYPE motcua_commands_total counter\nmotcua_commands_total " << st.commands.load() << "\n"
    << "# TYPE motcua_command_rejections_total counter\nmotcua_command_rejections_total "
    << st.rejections.load() << "\n"
    << "# TYPE motcua_group_commits_total counter\nmotcua_group_commits_total " << st.batches.load()
    << "\n"
    << "# HELP motcua_group_commit_commands_avg Commands per synced write.\n"
       "# TYPE motcua_group_commit_commands_avg gauge\nmotcua_group_commit_commands_avg "
    << (st.batches ? double(st.commands) / double(st.batches) : 0.0) << "\n"
    << "# TYPE motcua_sync_seconds_total counter\nmotcua_sync_seconds_total "
    << double(st.sync_micros.load()) / 1e6 << "\n"
    << "# TYPE motcua_timers_fired_total counter\nmotcua_timers_fired_total "
    << st.timers_fired.load() << "\n"
    << "# TYPE motcua_timer_lag_seconds gauge\nmotcua_timer_lag_seconds "
    << st.timer_lag_seconds.load() << "\n"
    << "# TYPE motcua_command_queue gauge\nmotcua_command_queue " << service.queued() << "\n"
    << "# TYPE motcua_writable gauge\nmotcua_writable " << (service.writable() ? 1 : 0) << "\n"
    << "# TYPE motcua_websocket_subscribers gauge\nmotcua_websocket_subscribers "
    << ws_subscribers_.load() << "\n"
    << "# HELP motcua_dossiers Dossiers by status.\n# TYPE motcua_dossiers gauge\n";
  for (int s = 0; s <= static_cast<int>(DossierStatus::kReturned); ++s) {
    const auto status = static_cast<DossierStatus>(s);
    Result<int64_t> n = store.Counter(StatusCounter(status));
    o << "motcua_dossiers{status=\"" << NameOf(status) << "\"} " << (n.ok() ? *n : 0) << "\n";
  }
  return o.str();
}

}  // namespace motcua::http
