#pragma once
// The HTTP API: requests in, responses out, with no socket or Beast type in sight, so that
// routing, authentication, validation and error mapping are tested and fuzzed without a server.
// adapters/http/server.h puts it on the network. Reference: docs/api.md and the OpenAPI document
// served at /v1/openapi.json.
//
//   api.cc            Api::Handle (the route table's lookup, authentication, 404/405), Call and
//                     problem rendering, the mapping of command outcomes to statuses
//   routes.cc         the route table
//   handlers.h        the handlers, by family: procedures.cc, dossier_reads.cc, dossier_writes.cc,
//                     queues.cc, public_lookup.cc, operations.cc
//   metrics.cc        /metrics

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "adapters/delivery/delivery_control.h"
#include "adapters/files/file_store.h"
#include "adapters/http/accounts.h"
#include "adapters/http/auth.h"
#include "adapters/http/call.h"
#include "adapters/http/client_address.h"
#include "adapters/http/metrics.h"
#include "adapters/http/rate_limiter.h"
#include "adapters/http/sessions.h"
#include "adapters/runtime/dossier_service.h"
#include "engine/definition/catalog.h"

namespace motcua::http {

struct ApiOptions {
  // Reverse proxies whose forwarded client address (Forwarded, X-Forwarded-For) is believed: the
  // public rate limits then count each citizen, not the proxy. Empty: every connection's own
  // address, and those headers are ignored.
  TrustedProxies trusted_proxies;  // Default: none
  // The header those proxies write the client's address in; the other one is ignored.
  ForwardedHeader forwarded_header = ForwardedHeader::kXForwardedFor;  // Default: X-Forwarded-For
  size_t max_json_depth = 16;  // Default: 16 levels of nesting
  size_t max_page = 200;       // Default: at most 200 dossiers a page
  // Public progress lookups per client address per minute.
  int public_lookups_per_minute = 30;  // Default: 30
  // Public catalogue reads (/v1/public/procedures) per client address per minute.
  int public_reads_per_minute = 600;  // Default: 600
  // Writes are refused (503) while free disk space is below this.
  uint64_t min_free_disk_bytes = 256ull << 20;  // Default: 256 MiB
  std::string openapi_json;                     // served at /v1/openapi.json
  // Origins (e.g. "https://motcua.example.gov.vn") whose browser pages may call the API: their
  // requests get CORS headers and their preflights are answered. Default: none (CORS off).
  std::vector<std::string> cors_origins;
  // "Nearly due": due within this much working time of the dossier's calendar (the engine's
  // nearly-due timers use the same setting).
  WorkDuration nearly_due = WorkDuration::Days(1);  // Default: 1 WD
  // A training system's manual clock (`clock: manual`): every response says so (Motcua-Clock),
  // and admins move it with /v1/admin/clock. Default: the system clock.
  bool manual_clock = false;
  // /readyz is not ready while a delivery subscription's oldest unfinished event is older than
  // this (Decree 63/2024: a liên thông decision reaches the portal within 10 minutes).
  int delivery_lag_bound_seconds = 600;  // Default: 10 minutes
  // The largest file a document may get (PUT .../documents/{document_id}/files); larger is 413.
  uint64_t max_file_bytes = 20ull << 20;  // Default: 20 MiB
  // Console sessions (sessions.h): idle and absolute lifetimes, lock-out after wrong passwords.
  SessionOptions sessions;
};

class Api {
 public:
  struct Deps {
    DossierService* service = nullptr;
    Store* store = nullptr;
    Clock* clock = nullptr;
    std::function<std::shared_ptr<const DefinitionCatalog>()> catalog;
    std::function<std::shared_ptr<const TokenStore>()> tokens;
    // Staff accounts for console sign-in (accounts.h); empty: no sign-in (404).
    std::function<std::shared_ptr<const AccountStore>()> accounts;
    // Free bytes on the data volume (empty: unknown, never refuse).
    std::function<Result<uint64_t>()> free_disk;
    Metrics* metrics = nullptr;
    // Manual clock only: moves it to the instant (and keeps it across restarts).
    std::function<Status(Instant)> set_clock;
    // Prints an HTML page to PDF (adapters/report/pdf.h), calling `done` once from another
    // thread; false when too many pages wait. Empty: no PDF renderer is configured.
    std::function<bool(std::string html, std::function<void(Result<std::string>)> done)> print_pdf;
    // Outbound delivery (adapters/delivery/deliverer.h); null: no subscriptions configured.
    DeliveryControl* deliverer = nullptr;
    // The files of dossiers (adapters/files/file_store.h); null: uploads are answered 503.
    FileStore* files = nullptr;
    // Runs work that blocks on the disk (a file's write and fsync) off the io threads; false when
    // too much waits already (the upload is answered 503). Empty: inline (tests, fuzzing).
    std::function<bool(std::function<void()>)> run_blocking;
    // Makes a checkpoint of the data directory (adapters/cli/checkpoint.h), blocking: called on
    // run_blocking's worker. Empty: none (404).
    struct Checkpoint {
      std::string path;
      size_t files = 0;
      int64_t took_ms = 0;
    };
    std::function<Result<Checkpoint>()> checkpoint;
    // More Prometheus text for /metrics (the backups'); empty: none.
    std::function<std::string()> more_metrics;
  };
  Api(Deps deps, ApiOptions options);

  // Where the answers to writes are rendered: the server passes its io threads, so that the
  // committer only hands results over. Without one (tests, fuzzing) they render inline.
  void SetDeferral(std::function<void(std::function<void()>)> defer) { defer_ = std::move(defer); }

  // Answers `request`; `done` is called exactly once: inline for reads and refusals; for
  // writes after their fsync, on a thread of the deferral (else the committer's). `done` must
  // not block.
  void Handle(HttpRequest request, std::function<void(HttpResponse)> done);

  // The principal of a request's bearer token, or of its console session cookie (then with the
  // session's key and CSRF token), if any.
  std::optional<Principal> Authenticate(const HttpRequest& request);
  // Whether a principal's credential (Principal::token) is still good: a token in the tokens
  // file, a session still open for an account still enabled (open streams are checked so).
  bool CredentialActive(const Principal& p);
  SessionStore& sessions() { return sessions_; }
  RateLimiter& sign_ins() { return sign_ins_; }

  // For the handlers.
  const Deps& deps() const { return deps_; }
  const ApiOptions& options() const { return options_; }
  // Runs `work` where the deferral says (inline without one).
  void Defer(std::function<void()> work) const;
  RateLimiter& public_lookups() { return public_lookups_; }
  RateLimiter& public_reads() { return public_reads_; }
  Store* store() const { return deps_.store; }
  DossierService* service() const { return deps_.service; }
  Metrics* metrics() const { return deps_.metrics; }

 private:
  Deps deps_;
  ApiOptions options_;
  std::function<void(std::function<void()>)> defer_;
  RateLimiter public_lookups_;
  RateLimiter public_reads_;
  RateLimiter sign_ins_;
  SessionStore sessions_;
};

// Seconds on the steady clock: session lifetimes and lock-outs follow real time, never the
// training clock.
int64_t SteadySeconds();

// FNV-1a 64: a stable hash of a request's payload for idempotency records.
uint64_t PayloadHash(const std::string& a, const std::string& b);
// Percent-decoding of a query component (where '+' is a space) or, with `form` false, of a path
// segment (where '+' is itself); nullopt when malformed.
std::optional<std::string> UrlDecode(const std::string& s, bool form = true);

}  // namespace motcua::http
