// The API's front door (api.h): a request is parsed, looked up in the route table, authenticated
// where the route needs a principal, and handed to its handler; refusals before the handler
// (malformed query, unknown route, 401, 405) and every problem render here, as does the mapping
// of a command's outcome to an HTTP status.

#include "adapters/http/api.h"

#include <sodium.h>

#include <algorithm>
#include <chrono>

#include "adapters/http/console.h"
#include "adapters/http/handlers.h"
#include "adapters/http/routes.h"
#include "adapters/json/json_writer.h"
#include "adapters/json/utf8.h"
#include "adapters/proto/view_codec.h"
#include "motcua/v1/api.pb.h"

namespace motcua::http {

std::string HttpRequest::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}

uint64_t PayloadHash(const std::string& a, const std::string& b) {
  uint64_t h = 1469598103934665603ull;
  auto mix = [&h](const std::string& s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ull;
    }
    h ^= 0xff;
    h *= 1099511628211ull;
  };
  mix(a);
  mix(b);
  return h;
}

std::optional<std::string> UrlDecode(const std::string& s, bool form) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+' && form) {
      out += ' ';
    } else if (s[i] == '%') {
      if (i + 2 >= s.size() || !isxdigit(static_cast<unsigned char>(s[i + 1])) ||
          !isxdigit(static_cast<unsigned char>(s[i + 2]))) {
        return std::nullopt;
      }
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// ---- Answers

HttpResponse ProblemResponse(int status, const std::string& type, const std::string& title,
                             const std::string& detail, const std::string& field,
                             const std::string& instance, Headers headers) {
  // Details, fields and the instance may quote the request, which need not be UTF-8: what is
  // echoed always is (bytes that are not become U+FFFD).
  v1::Problem p;
  p.set_type("urn:problem:motcua:" + type);
  p.set_title(title);
  p.set_status(status);
  p.set_detail(ValidUtf8(detail));
  p.set_field(ValidUtf8(field));
  p.set_instance(ValidUtf8(instance));
  HttpResponse r;
  r.status = status;
  r.content_type = "application/problem+json";
  r.body = ToJson(p, false);
  r.headers = std::move(headers);
  r.log_note = type + ": " + detail;
  return r;
}

void Call::Reply(HttpResponse r) {
  if (answered_) return;
  answered_ = true;
  if (!cors_origin.empty()) {
    r.headers.emplace_back("Access-Control-Allow-Origin", cors_origin);
    r.headers.emplace_back("Access-Control-Expose-Headers",
                           "ETag, Location, Retry-After, Content-Range, Content-Disposition");
    r.headers.emplace_back("Vary", "Origin");
  }
  if (manual_clock != nullptr) {
    r.headers.emplace_back("Motcua-Clock",
                           "manual " + FormatLocal(manual_clock->Now(), kApiUtcOffsetSeconds));
  }
  r.route = route;
  if (principal) r.actor = principal->id;
  r.client = request.remote;
  done(std::move(r));
}

void Call::Json(int status, const google::protobuf::Message& m, Headers headers) {
  HttpResponse r;
  r.status = status;
  r.body = ToJson(m, false);
  r.headers = std::move(headers);
  Reply(std::move(r));
}

void Call::Problem(int status, const std::string& type, const std::string& title,
                   const std::string& detail, const std::string& field, Headers headers) {
  Reply(ProblemResponse(status, type, title, detail, field, path, std::move(headers)));
}

void AnswerRejection(Call& call, const Rejection& r, Metrics* metrics) {
  if (metrics) metrics->AddRejectedWrite(NameOf(r.code));
  switch (r.code) {
    case RejectionCode::kNotFound:
      return call.Problem(404, "not-found", "Unknown dossier", r.message);
    case RejectionCode::kStale:
      return call.Problem(412, "stale-version", "Version mismatch", r.message, "If-Match");
    case RejectionCode::kForbidden:
      return call.Problem(403, "forbidden", "Role not allowed", r.message);
    case RejectionCode::kInvalid:
      if (!r.field.empty()) {
        return call.Problem(400, "invalid-field", "Invalid " + r.field, r.message, r.field);
      }
      return call.Problem(400, "invalid-command", "Invalid for this dossier", r.message);
    case RejectionCode::kRule:
      return call.Problem(409, "rule-violation", "Rejected by the lifecycle rules", r.message);
    case RejectionCode::kUnavailable:
      return call.Problem(503, "unavailable", "Cannot apply the rules now", r.message, "",
                          {{"Retry-After", "60"}});
  }
}

void AnswerCommand(Call& call, const CommandResult& r, const ProcedureCatalog& catalog, Instant now,
                   Metrics* metrics, int success_status, const std::string& location,
                   bool dry_run) {
  if (!r.status.ok()) {
    if (metrics) metrics->AddRejectedWrite(StatusCodeName(r.status.code()));
    if (r.status.code() == StatusCode::kConflict) {
      return call.Problem(422, "idempotency-key-reused", "Idempotency key reused",
                          r.status.message(), "Idempotency-Key");
    }
    if (r.status.code() == StatusCode::kUnavailable) {
      return call.Problem(503, "unavailable", "Service unavailable", r.status.message(), "",
                          {{"Retry-After", "5"}});
    }
    return call.Problem(500, "internal", "Internal error", r.status.message());
  }
  if (r.rejection) return AnswerRejection(call, *r.rejection, metrics);
  // One response message per thread, cleared: its strings keep their memory.
  thread_local v1::CommandResponse out;
  out.Clear();
  const Dossier& d = *r.dossier;
  FillView(d, catalog, now, out.mutable_dossier(),
           call.principal ? &call.principal->roles : nullptr);
  for (const Event& e : r.events) FillEvent(e, 0, out.add_events());
  out.set_replayed(r.replayed);
  out.set_dry_run(dry_run);
  if (dry_run) return call.Json(200, out);
  Headers headers = {{"ETag", "\"" + std::to_string(d.version) + "\""}};
  if (success_status == 201) {
    headers.emplace_back("Location", location.empty() ? "/v1/dossiers/" + d.id : location);
  }
  call.Json(r.replayed ? 200 : success_status, out, std::move(headers));
}

// ---- The front door

Api::Api(Deps deps, ApiOptions options)
    : deps_(std::move(deps)), options_(std::move(options)), sessions_(options_.sessions) {}

int64_t SteadySeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void Api::Defer(std::function<void()> work) const {
  if (defer_) {
    defer_(std::move(work));
  } else {
    work();
  }
}

std::optional<Principal> Api::Authenticate(const HttpRequest& request) {
  const std::string auth = request.Header("authorization");
  const std::string prefix = "Bearer ";
  if (!auth.empty()) {
    // A bearer token, when one is sent, decides alone (a machine's request).
    if (auth.size() <= prefix.size() || auth.compare(0, prefix.size(), prefix) != 0) {
      return std::nullopt;
    }
    std::shared_ptr<const TokenStore> tokens = deps_.tokens();
    if (!tokens) return std::nullopt;
    return tokens->Authenticate(auth.substr(prefix.size()));
  }
  const std::string secret = SessionCookie(request.Header("cookie"));
  if (secret.empty() || !deps_.accounts) return std::nullopt;
  std::optional<Session> s = sessions_.Find(secret, SteadySeconds());
  if (!s) return std::nullopt;
  // The account as it is now: disabled or removed ends its sessions; roles and agencies changed
  // in the file apply at once.
  std::shared_ptr<const AccountStore> accounts = deps_.accounts();
  const Account* a = accounts ? accounts->Find(s->principal) : nullptr;
  if (a == nullptr || a->disabled || a->password_hash != s->password_stamp) {
    // Disabled, removed, or given a new password (a leaked one is changed): every session of
    // the account ends.
    sessions_.CloseAll(s->principal);
    return std::nullopt;
  }
  Principal p;
  p.id = a->principal;
  p.roles = a->roles;
  p.agencies = a->agencies;
  p.token = SessionToken(s->key);
  p.csrf = s->csrf;
  return p;
}

bool Api::CredentialActive(const Principal& p) {
  const std::string key = SessionKeyOf(p.token);
  if (key.empty()) {
    std::shared_ptr<const TokenStore> tokens = deps_.tokens();
    return tokens && tokens->Active(p.token);
  }
  std::optional<Session> s = sessions_.Peek(key, SteadySeconds());
  if (!s) return false;
  std::shared_ptr<const AccountStore> accounts = deps_.accounts ? deps_.accounts() : nullptr;
  const Account* a = accounts ? accounts->Find(p.id) : nullptr;
  // A stream keeps the scope it opened with: roles or agencies changed since end it too.
  return a != nullptr && !a->disabled && a->password_hash == s->password_stamp &&
         a->roles == p.roles && a->agencies == p.agencies;
}

namespace {

// Splits and decodes the query string into `query`; false when it is malformed.
bool ParseQuery(const std::string& qs, std::map<std::string, std::string>* query) {
  size_t start = 0;
  while (start <= qs.size()) {
    size_t amp = qs.find('&', start);
    std::string part = qs.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
    if (!part.empty()) {
      size_t eq = part.find('=');
      auto k = UrlDecode(part.substr(0, eq));
      auto v = UrlDecode(eq == std::string::npos ? "" : part.substr(eq + 1));
      if (!k || !v) return false;
      (*query)[*k] = *v;
    }
    if (amp == std::string::npos) break;
    start = amp + 1;
  }
  return true;
}

// Sets the call's principal; answers 401 (and returns false) without a valid token.
// A console session's state-changing requests must send its CSRF token back (a page of another
// site can make the browser send the cookie, but cannot read the token).
bool RequirePrincipal(Api& api, Call& call) {
  if (!(call.principal = api.Authenticate(call.request))) {
    call.Problem(401, "unauthenticated", "Authentication required",
                 "send Authorization: Bearer <token>, or sign in (POST /v1/session)", "",
                 {{"WWW-Authenticate", "Bearer"}});
    return false;
  }
  const std::string& method = call.request.method;
  if (call.principal->csrf.empty() || method == "GET" || method == "HEAD" || method == "OPTIONS") {
    return true;
  }
  const std::string sent = call.request.Header("x-csrf-token");
  if (sent.size() == call.principal->csrf.size() &&
      sodium_memcmp(sent.data(), call.principal->csrf.data(), sent.size()) == 0) {
    return true;
  }
  call.Problem(403, "csrf-token-invalid", "CSRF token missing or wrong",
               "a signed-in page sends the csrf_token of GET /v1/session as X-CSRF-Token on "
               "every request that changes something",
               "X-CSRF-Token");
  return false;
}

}  // namespace

void Api::Handle(HttpRequest incoming, std::function<void(HttpResponse)> done) {
  // Shared: a write's answer comes after Handle returns, and keeps the call alive until then.
  auto call = std::make_shared<Call>();
  call->request = std::move(incoming);
  call->request.remote =
      ClientAddress(call->request.remote,
                    call->request.Header(options_.forwarded_header == ForwardedHeader::kForwarded
                                             ? "forwarded"
                                             : "x-forwarded-for"),
                    options_.forwarded_header, options_.trusted_proxies);
  call->done = std::move(done);
  if (options_.manual_clock) call->manual_clock = deps_.clock;
  const std::string& target = call->request.target;
  const size_t q = target.find('?');
  call->path = target.substr(0, q);
  if (q != std::string::npos && !ParseQuery(target.substr(q + 1), &call->query)) {
    call->route = "malformed";
    return call->Problem(400, "malformed-query", "Malformed query string",
                         "the query string has a bad percent-encoding");
  }
  const std::string& method = call->request.method;
  const std::string origin = call->request.Header("origin");
  if (!origin.empty() && std::find(options_.cors_origins.begin(), options_.cors_origins.end(),
                                   origin) != options_.cors_origins.end()) {
    call->cors_origin = origin;
    // A preflight is answered for the route's methods, without authentication (browsers send
    // none): the request it announces is checked as usual.
    if (method == "OPTIONS" && !call->request.Header("access-control-request-method").empty()) {
      RouteMatch match = FindRoute("GET", call->path);
      call->route = match.first ? match.first->path : "unknown";
      if (match.first == nullptr) {
        return call->Problem(404, "not-found", "Not found", "no route for " + call->path);
      }
      HttpResponse r;
      r.status = 204;
      r.headers = {{"Access-Control-Allow-Methods", match.allow},
                   {"Access-Control-Allow-Headers",
                    "Authorization, Content-Type, Idempotency-Key, If-Match, If-None-Match, "
                    "If-Range, Range, X-CSRF-Token"},
                   {"Access-Control-Max-Age", "600"}};
      return call->Reply(std::move(r));
    }
  }
  // The web console's files, outside /v1 (console.h).
  if ((method == "GET" || method == "HEAD") && call->path.rfind("/v1", 0) != 0) {
    HttpResponse page;
    if (ConsoleResponse(call->path, call->request.Header("if-none-match"), &page)) {
      call->route = page.route;
      return call->Reply(std::move(page));
    }
  }
  // HEAD is GET without the body (the session leaves it out).
  RouteMatch match = FindRoute(method == "HEAD" ? "GET" : method, call->path);
  if (match.first == nullptr) {
    // Every path under /v1 but the public ones needs a principal, also to learn it is unknown.
    call->route = "unknown";
    const bool versioned = call->path == "/v1" || call->path.rfind("/v1/", 0) == 0;
    if (versioned && !RequirePrincipal(*this, *call)) return;
    return call->Problem(404, "not-found", "Not found", "no route for " + call->path);
  }
  call->route = (match.route ? match.route : match.first)->path;
  if (match.route == nullptr) {
    if (match.needs_principal && !RequirePrincipal(*this, *call)) return;
    return call->Problem(405, "method-not-allowed", "Method not allowed", method, "",
                         {{"Allow", match.allow}});
  }
  if (match.route->access == Access::kPrincipal && !RequirePrincipal(*this, *call)) return;
  for (const std::string& p : match.segments) {
    call->params.push_back(UrlDecode(p, /*form=*/false).value_or(""));
  }
  match.route->handler(*this, *call);
}

}  // namespace motcua::http
