#pragma once
// The HTTP API's handlers: requests in, responses out, with no socket or Beast type in sight,
// so that routing, authentication, validation and error mapping are tested and fuzzed without
// a server. adapters/http/server.cc puts them on the network. Reference: docs/api.md and the
// OpenAPI document served at /v1/openapi.json.

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "adapters/http/auth.h"
#include "adapters/runtime/dossier_service.h"
#include "engine/definition/catalog.h"

namespace motcua::http {

struct HttpRequest {
  std::string method;                          // "GET"
  std::string target;                          // "/v1/dossiers?agency=X"
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string remote;  // client address, for rate limits and logs
  std::string Header(const std::string& lower_name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // For logs and metrics: the route template ("/v1/dossiers/{id}") and the acting principal.
  std::string route;
  std::string actor;
  std::string log_note;  // why a write was rejected
};

struct ApiOptions {
  size_t max_json_depth = 16;  // Default: 16 levels of nesting
  size_t max_page = 200;       // Default: at most 200 dossiers a page
  // Public progress lookups per client address per minute.
  int public_lookups_per_minute = 30;  // Default: 30
  // Writes are refused (503) while free disk space is below this.
  uint64_t min_free_disk_bytes = 256ull << 20;  // Default: 256 MiB
  std::string openapi_json;                     // served at /v1/openapi.json
};

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
  mutable std::mutex mu_;
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
  std::map<std::tuple<std::string, std::string, int>, Series, SeriesKeyLess> requests_;
  std::map<std::string, uint64_t> rejected_writes_;
  std::atomic<int64_t> ws_subscribers_{0};
};

class Api {
 public:
  struct Deps {
    DossierService* service = nullptr;
    Store* store = nullptr;
    Clock* clock = nullptr;
    std::function<std::shared_ptr<const DefinitionCatalog>()> catalog;
    std::function<std::shared_ptr<const TokenStore>()> tokens;
    // Free bytes on the data volume (empty: unknown, never refuse).
    std::function<Result<uint64_t>()> free_disk;
    Metrics* metrics = nullptr;
  };
  Api(Deps deps, ApiOptions options);

  // Where the answers to writes are rendered: the server passes its io threads, so that the
  // committer only hands results over. Without one (tests, fuzzing) they render inline.
  void SetDeferral(std::function<void(std::function<void()>)> defer) { defer_ = std::move(defer); }

  // Answers `request`; `done` is called exactly once: inline for reads and refusals; for
  // writes after their fsync, on a thread of the deferral (else the committer's). `done` must
  // not block.
  void Handle(HttpRequest request, std::function<void(HttpResponse)> done);

  // Every route: method and path template. The OpenAPI document must list exactly these.
  static const std::vector<std::pair<std::string, std::string>>& Routes();

  // WebSocket support (server.cc): authenticate a stream request; check a dossier's scope.
  std::optional<Principal> Authenticate(const HttpRequest& request) const;
  bool CanSee(const Principal& p, const Dossier& d) const;
  // An outbox event as the stream sends it.
  std::string EventJson(const OutboxEntry& entry) const;
  int utc_offset() const { return 7 * 3600; }
  Store* store() const { return deps_.store; }
  DossierService* service() const { return deps_.service; }
  Metrics* metrics() const { return deps_.metrics; }

 private:
  std::function<void(std::function<void()>)> defer_;
  struct Call;                                                       // one request being answered
  void Dispatch(Call& call, const std::vector<std::string>& parts);  // parts: the path's segments
  bool WritesRefused(Call& call);
  bool IdempotencyKey(Call& call, std::string* key);
  // Reads
  void GetProcedures(Call& call);
  void GetProcedure(Call& call, const std::string& code);
  void GetDuePreview(Call& call, const std::string& code);
  void GetDossier(Call& call, const std::string& id, bool by_number);
  void GetHistory(Call& call, const std::string& id);
  void ListDossiers(Call& call);
  void PublicProgressLookup(Call& call);
  // Writes
  void CreateDossier(std::shared_ptr<Call> call);
  void DossierCommand(std::shared_ptr<Call> call, const std::string& id);
  void Execute(std::shared_ptr<Call> call, CommandRequest request, int success_status);

  Deps deps_;
  ApiOptions options_;
  std::mutex rate_mu_;
  std::map<std::string, std::pair<int64_t, int>> rate_;  // address → (minute, count)
};

// FNV-1a 64: a stable hash of a request's payload for idempotency records.
uint64_t PayloadHash(const std::string& a, const std::string& b);
// Percent-decoding of a query or path component; nullopt when malformed.
std::optional<std::string> UrlDecode(const std::string& s);

}  // namespace motcua::http
