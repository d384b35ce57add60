#include "adapters/http/api.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "adapters/proto/definition_codec.h"
#include "adapters/proto/dossier_codec.h"
#include "engine/calendar/deadline.h"
#include "engine/store/indexes.h"
#include "motcua/v1/api.pb.h"

namespace motcua::http {

namespace {

constexpr int kOffset = 7 * 3600;  // API renders instants in Vietnam time

std::string Local(std::optional<Instant> t) { return t ? FormatLocal(*t, kOffset) : ""; }
// Into a message's string field, reusing its memory; unset instants leave it empty.
void SetLocal(std::string* field, std::optional<Instant> t) {
  if (t) {
    FormatLocalInto(*t, kOffset, field);
  } else {
    field->clear();
  }
}

// Roles of the API itself (definitions add their own, e.g. "counter", "leader").
constexpr char kIntegrator[] = "integrator";
constexpr char kAdmin[] = "admin";

}  // namespace

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

std::optional<std::string> UrlDecode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
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

// ---- Metrics ----

void Metrics::Record(const std::string& method, const std::string& route, int status,
                     double seconds) {
  std::lock_guard lock(mu_);
  // Found without building a key (two strings) on every request.
  auto it =
      requests_.find(std::tuple<std::string_view, std::string_view, int>(method, route, status));
  if (it == requests_.end())
    it = requests_.emplace(std::make_tuple(method, route, status), Series{}).first;
  Series& s = it->second;
  s.count++;
  s.sum += seconds;
  for (size_t i = 0; i < std::size(kBuckets); ++i) {
    if (seconds <= kBuckets[i]) s.buckets[i]++;
  }
}

void Metrics::AddRejectedWrite(const std::string& kind) {
  std::lock_guard lock(mu_);
  rejected_writes_[kind]++;
}

std::string Metrics::Render(const DossierService& service, Store& store) const {
  std::ostringstream o;
  {
    std::lock_guard lock(mu_);
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
    o << "motcua_dossiers{status=\"" << NameOf(status) << "\"} " << (n.ok() ? *n : 0)
      << "\n";
  }
  return o.str();
}

// ---- Routing ----

namespace {

// "/v1/dossiers/x" → {"v1", "dossiers", "x"} (still percent-encoded).
std::vector<std::string> PathSegments(const std::string& path) {
  std::vector<std::string> parts;
  std::string seg;
  for (size_t i = 1; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '/') {
      parts.push_back(seg);
      seg.clear();
    } else {
      seg += path[i];
    }
  }
  return parts;
}

}  // namespace

const std::vector<std::pair<std::string, std::string>>& Api::Routes() {
  static const std::vector<std::pair<std::string, std::string>> kRoutes = {
      {"GET", "/healthz"},
      {"GET", "/readyz"},
      {"GET", "/metrics"},
      {"GET", "/v1/openapi.json"},
      {"GET", "/v1/procedures"},
      {"GET", "/v1/procedures/{code}"},
      {"GET", "/v1/procedures/{code}/due-preview"},
      {"POST", "/v1/dossiers"},
      {"GET", "/v1/dossiers"},
      {"GET", "/v1/dossiers/{id}"},
      {"GET", "/v1/dossiers/by-number/{number}"},
      {"GET", "/v1/dossiers/{id}/history"},
      {"POST", "/v1/dossiers/{id}/commands"},
      {"GET", "/v1/public/progress"},
      {"GET", "/v1/stream"},
  };
  return kRoutes;
}

struct Api::Call {
  HttpRequest request;
  std::function<void(HttpResponse)> done;
  std::string path;
  std::map<std::string, std::string> query;
  std::optional<Principal> principal;
  std::string route;
  bool answered = false;

  void Reply(HttpResponse r) {
    if (answered) return;
    answered = true;
    r.route = route;
    if (principal) r.actor = principal->id;
    done(std::move(r));
  }
  void Json(int status, const google::protobuf::Message& m,
            std::vector<std::pair<std::string, std::string>> headers = {}) {
    HttpResponse r;
    r.status = status;
    r.body = ToJson(m, false);
    r.headers = std::move(headers);
    Reply(std::move(r));
  }
  // RFC 9457 problem details.
  void Problem(int status, const std::string& type, const std::string& title,
               const std::string& detail, const std::string& field = "",
               std::vector<std::pair<std::string, std::string>> headers = {}) {
    v1::Problem p;
    p.set_type("urn:problem:motcua:" + type);
    p.set_title(title);
    p.set_status(status);
    p.set_detail(detail);
    p.set_field(field);
    p.set_instance(path);
    HttpResponse r;
    r.status = status;
    r.content_type = "application/problem+json";
    r.body = ToJson(p, false);
    r.headers = std::move(headers);
    r.log_note = type + ": " + detail;
    Reply(std::move(r));
  }
};

Api::Api(Deps deps, ApiOptions options) : deps_(std::move(deps)), options_(std::move(options)) {}

std::optional<Principal> Api::Authenticate(const HttpRequest& request) const {
  const std::string auth = request.Header("authorization");
  const std::string prefix = "Bearer ";
  std::string secret;
  if (auth.size() > prefix.size() && auth.compare(0, prefix.size(), prefix) == 0) {
    secret = auth.substr(prefix.size());
  } else {
    // Browsers cannot set headers on WebSocket upgrades: allow ?access_token= there only.
    return std::nullopt;
  }
  std::shared_ptr<const TokenStore> tokens = deps_.tokens();
  if (!tokens) return std::nullopt;
  return tokens->Authenticate(secret);
}

bool Api::CanSee(const Principal& p, const Dossier& d) const {
  return p.InScope(d.receiving_agency) || p.InScope(d.competent_agency);
}

void Api::Handle(HttpRequest incoming, std::function<void(HttpResponse)> done) {
  auto call = std::make_shared<Call>();
  call->request = std::move(incoming);
  call->done = std::move(done);
  const HttpRequest& request = call->request;
  const std::string& target = request.target;
  const size_t q = target.find('?');
  call->path = target.substr(0, q);
  if (q != std::string::npos) {
    std::string qs = target.substr(q + 1);
    size_t start = 0;
    while (start <= qs.size()) {
      size_t amp = qs.find('&', start);
      std::string part =
          qs.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
      if (!part.empty()) {
        size_t eq = part.find('=');
        auto k = UrlDecode(part.substr(0, eq));
        auto v = UrlDecode(eq == std::string::npos ? "" : part.substr(eq + 1));
        if (!k || !v) {
          call->route = "malformed";
          return call->Problem(400, "malformed-query", "Malformed query string",
                               "the query string has a bad percent-encoding");
        }
        call->query[*k] = *v;
      }
      if (amp == std::string::npos) break;
      start = amp + 1;
    }
  }
  // Writes run asynchronously: keep the call alive in the completion.
  const std::string& m = request.method;
  const std::vector<std::string> parts = PathSegments(call->path);
  if (m == "POST" && parts.size() == 2 && parts[0] == "v1" && parts[1] == "dossiers") {
    call->route = "/v1/dossiers";
    if (!(call->principal = Authenticate(request))) {
      return call->Problem(401, "unauthenticated", "Authentication required",
                           "send Authorization: Bearer <token>", "",
                           {{"WWW-Authenticate", "Bearer"}});
    }
    return CreateDossier(call);
  }
  if (m == "POST" && parts.size() == 4 && parts[0] == "v1" && parts[1] == "dossiers" &&
      parts[3] == "commands") {
    call->route = "/v1/dossiers/{id}/commands";
    if (!(call->principal = Authenticate(request))) {
      return call->Problem(401, "unauthenticated", "Authentication required",
                           "send Authorization: Bearer <token>", "",
                           {{"WWW-Authenticate", "Bearer"}});
    }
    auto id = UrlDecode(parts[2]);
    return DossierCommand(call, id.value_or(""));
  }
  Dispatch(*call, parts);
}

void Api::Dispatch(Call& call, const std::vector<std::string>& parts) {
  const std::string& m = call.request.method;
  const std::string& path = call.path;
  // Unauthenticated routes (GET only).
  if (path == "/healthz" || path == "/readyz" || path == "/metrics" || path == "/v1/openapi.json" ||
      path == "/v1/public/progress") {
    call.route = path;
    if (m != "GET") return call.Problem(405, "method-not-allowed", "Method not allowed", m);
  }
  if (path == "/healthz") {
    HttpResponse r;
    r.body = "{\"status\":\"ok\"}";
    return call.Reply(r);
  }
  if (path == "/readyz") {
    call.route = path;
    HttpResponse r;
    if (!deps_.service->writable()) {
      r.status = 503;
      r.body =
          "{\"status\":\"not ready\",\"reason\":\"writes stopped: " + deps_.service->failure() +
          "\"}";
    } else if (deps_.free_disk) {
      Result<uint64_t> free = deps_.free_disk();
      if (free.ok() && *free < options_.min_free_disk_bytes) {
        r.status = 503;
        r.body = "{\"status\":\"not ready\",\"reason\":\"free disk space below the guard\"}";
      } else {
        r.body = "{\"status\":\"ready\"}";
      }
    } else {
      r.body = "{\"status\":\"ready\"}";
    }
    return call.Reply(r);
  }
  if (path == "/metrics") {
    call.route = path;
    HttpResponse r;
    r.content_type = "text/plain; version=0.0.4";
    r.body = deps_.metrics ? deps_.metrics->Render(*deps_.service, *deps_.store) : "";
    return call.Reply(r);
  }
  if (path == "/v1/openapi.json") {
    call.route = path;
    HttpResponse r;
    r.body = options_.openapi_json;
    return call.Reply(r);
  }
  if (path == "/v1/public/progress") return PublicProgressLookup(call);
  if (parts.empty() || parts[0] != "v1") {
    call.route = "unknown";
    return call.Problem(404, "not-found", "Not found", "no route for " + path);
  }
  // Everything else needs a principal.
  call.route = "authenticated";
  if (!(call.principal = Authenticate(call.request))) {
    return call.Problem(401, "unauthenticated", "Authentication required",
                        "send Authorization: Bearer <token>", "", {{"WWW-Authenticate", "Bearer"}});
  }
  // The authenticated read routes, matched against their templates; params are decoded.
  using Handler = void (*)(Api*, Call&, const std::vector<std::string>&);
  static const std::pair<const char*, Handler> kReads[] = {
      {"/v1/procedures", [](Api* a, Call& c, const auto&) { a->GetProcedures(c); }},
      {"/v1/procedures/{code}", [](Api* a, Call& c, const auto& p) { a->GetProcedure(c, p[0]); }},
      {"/v1/procedures/{code}/due-preview",
       [](Api* a, Call& c, const auto& p) { a->GetDuePreview(c, p[0]); }},
      {"/v1/dossiers", [](Api* a, Call& c, const auto&) { a->ListDossiers(c); }},
      {"/v1/dossiers/by-number/{number}",
       [](Api* a, Call& c, const auto& p) { a->GetDossier(c, p[0], true); }},
      {"/v1/dossiers/{id}", [](Api* a, Call& c, const auto& p) { a->GetDossier(c, p[0], false); }},
      {"/v1/dossiers/{id}/history", [](Api* a, Call& c, const auto& p) { a->GetHistory(c, p[0]); }},
  };
  static const std::vector<std::vector<std::string>> kPatterns = [] {
    std::vector<std::vector<std::string>> out;
    for (const auto& [route, handler] : kReads) out.push_back(PathSegments(route));
    return out;
  }();
  for (size_t r = 0; r < std::size(kReads); ++r) {
    const auto& [route, handler] = kReads[r];
    const std::vector<std::string>& pattern = kPatterns[r];
    if (pattern.size() != parts.size()) continue;
    std::vector<std::string> params;
    bool match = true;
    for (size_t i = 0; i < parts.size() && match; ++i) {
      if (pattern[i].front() == '{') {
        params.push_back(UrlDecode(parts[i]).value_or(""));
      } else {
        match = pattern[i] == parts[i];
      }
    }
    if (!match) continue;
    call.route = route;
    if (m != "GET") return call.Problem(405, "method-not-allowed", "Method not allowed", m);
    return handler(this, call, params);
  }
  if (parts.size() == 2 && parts[1] == "stream") {
    call.route = "/v1/stream";
    return call.Problem(426, "upgrade-required", "Upgrade required",
                        "/v1/stream is a WebSocket: send Connection: Upgrade, Upgrade: websocket",
                        "", {{"Upgrade", "websocket"}});
  }
  call.route = "unknown";
  call.Problem(404, "not-found", "Not found", "no route for " + path);
}

// ---- Views ----

namespace {

void FillView(const Dossier& d, const Procedure* p, Instant now, v1::DossierView* v) {
  v->set_id(d.id);
  v->set_version(d.version);
  v->set_number(d.number);
  v->set_procedure_code(d.procedure_code);
  v->set_procedure_version(d.procedure_version);
  if (p) v->set_procedure_name(p->name);
  v->set_receiving_agency(d.receiving_agency);
  v->set_competent_agency(d.competent_agency);
  ToProto(d.applicant, v->mutable_applicant());
  DocsToProto(d.documents, v);
  v->set_channel(NameOf(d.channel));
  v->set_status(NameOf(d.status));
  v->set_portal_status(PortalStatusCode(d.status));
  v->set_current_step(d.current_step);
  v->set_assignee(d.assignee);
  SetLocal(v->mutable_submitted_at(), d.submitted_at);
  SetLocal(v->mutable_received_at(), d.received_at);
  SetLocal(v->mutable_counting_start(), d.counting_start);
  SetLocal(v->mutable_due_at(), d.due_at);
  SetLocal(v->mutable_extended_due_at(), d.extended_due_at);
  SetLocal(v->mutable_step_due_at(), d.step_due_at);
  v->set_paused(d.paused());
  for (const auto& m : d.missing) v->add_missing(m);
  v->set_supplement_requests(d.supplement_requests);
  if (d.outcome != Outcome::kNone) v->set_outcome(NameOf(d.outcome));
  SetLocal(v->mutable_decided_at(), d.decided_at);
  SetLocal(v->mutable_returned_at(), d.returned_at);
  if (d.timeliness) v->set_timeliness(NameOf(*d.timeliness));
  auto due = d.effective_due();
  v->set_overdue(IsOpen(d.status) && !d.paused() && due && WorkCalendar::IsOverdue(*due, now));
  v->set_stop_reason(d.stop_reason);
  if (p && (d.status == DossierStatus::kReceived || d.status == DossierStatus::kInProcessing ||
            d.status == DossierStatus::kPaymentRequested)) {
    if (const Step* s = p->FindStep(d.current_step)) {
      for (const auto& a : s->actions) v->add_allowed_actions(a.id);
    }
  }
}

void FillEvent(const Event& e, uint64_t position, v1::EventView* v) {
  v->set_type(NameOf(e.type));
  v->set_dossier_id(e.dossier_id);
  v->set_version(e.version);
  v->set_status(NameOf(e.status));
  v->set_at(FormatLocal(e.at, kOffset));
  v->set_actor(e.actor);
  v->set_role(e.role);
  v->set_comment(e.comment);
  v->set_action_id(e.action_id);
  v->set_to_step(e.to_step);
  v->set_due_at(Local(e.due_at));
  v->set_step_due_at(Local(e.step_due_at));
  if (e.hand_over) {
    auto* h = v->mutable_hand_over();
    h->set_step_id(e.hand_over->step_id);
    h->set_giver(e.hand_over->giver);
    h->set_receiver(e.hand_over->receiver);
    h->set_timeliness(NameOf(e.hand_over->timeliness));
    h->set_note(e.hand_over->note);
  }
  for (const auto& m : e.missing) v->add_missing(m);
  v->set_reason(e.reason);
  if (e.outcome != Outcome::kNone) v->set_outcome(NameOf(e.outcome));
  if (e.timeliness) v->set_timeliness(NameOf(*e.timeliness));
  v->set_position(position);
}

// Rejects JSON nested deeper than `max` before the parser sees it.
bool JsonDepthWithin(const std::string& body, size_t max) {
  size_t depth = 0;
  bool in_string = false, escaped = false;
  for (char c : body) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > max) return false;
    } else if (c == '}' || c == ']') {
      if (depth > 0) --depth;
    }
  }
  return true;
}

}  // namespace

std::string Api::EventJson(const OutboxEntry& entry) const {
  v1::EventView v;
  FillEvent(entry.event, entry.position, &v);
  return ToJson(v, false);
}

// ---- Reads ----

void Api::GetProcedures(Call& call) {
  auto catalog = deps_.catalog();
  const CivilDate today = LocalDateAt(deps_.clock->Now(), kOffset);
  v1::ProcedureList out;
  const std::string& field = call.query["field"];
  const std::string& level = call.query["level"];
  const std::string& kind = call.query["agency_kind"];
  const std::string& text = call.query["q"];
  std::string last;
  for (const auto& p : catalog->set().procedures) {
    if (p->code == last) continue;
    auto current = catalog->InForce(p->code, today);
    if (!current) continue;
    last = p->code;
    if (!field.empty() && current->field != field) continue;
    if (!level.empty() && NameOf(current->level) != level) continue;
    if (!kind.empty() && current->agency_kind != kind) continue;
    if (!text.empty() && current->name.find(text) == std::string::npos &&
        current->code.find(text) == std::string::npos) {
      continue;
    }
    ToProto(*current, out.add_procedures());
  }
  call.Json(200, out);
}

void Api::GetProcedure(Call& call, const std::string& code) {
  auto catalog = deps_.catalog();
  const CivilDate today = LocalDateAt(deps_.clock->Now(), kOffset);
  v1::ProcedureVersions out;
  for (const auto& p : catalog->set().procedures) {
    if (p->code == code) ToProto(*p, out.add_versions());
  }
  if (out.versions_size() == 0) {
    return call.Problem(404, "not-found", "Unknown procedure", "no procedure '" + code + "'");
  }
  if (auto current = catalog->InForce(code, today)) ToProto(*current, out.mutable_current());
  call.Json(200, out);
}

void Api::GetDuePreview(Call& call, const std::string& code) {
  auto catalog = deps_.catalog();
  const std::string at_text = call.query["received_at"];
  std::optional<Instant> at = at_text.empty() ? std::optional<Instant>(deps_.clock->Now())
                                              : ParseLocalDateTime(at_text, kOffset);
  if (!at) {
    return call.Problem(400, "invalid-field", "Invalid received_at",
                        "expected local time YYYY-MM-DDTHH:MM[:SS], got '" + at_text + "'",
                        "received_at");
  }
  const CivilDate day = LocalDateAt(*at, kOffset);
  auto p = catalog->InForce(code, day);
  if (!p) {
    return call.Problem(404, "not-found", "Unknown procedure",
                        "no version of '" + code + "' is in force on " + FormatDate(day));
  }
  const WorkCalendar* cal = catalog->CalendarFor(call.query["agency"], p->calendar);
  Result<DueDate> due = ComputeDue(*cal, *at, p->time_limit, p->cutoff, p->due_rule);
  if (!due.ok()) {
    return call.Problem(422, "no-calendar-data", "Cannot compute the due date",
                        due.status().message(), "received_at");
  }
  v1::DuePreview out;
  ToProto(*p, *cal, *due, &out);
  call.Json(200, out);
}

void Api::GetDossier(Call& call, const std::string& key, bool by_number) {
  std::string id = key;
  if (by_number) {
    Result<std::optional<std::string>> found = deps_.store->IdByNumber(key);
    if (!found.ok()) return call.Problem(500, "internal", "Store error", found.status().message());
    if (!*found)
      return call.Problem(404, "not-found", "Unknown dossier", "no dossier '" + key + "'");
    id = **found;
  }
  Result<std::shared_ptr<const Dossier>> d = deps_.store->GetShared(id);
  if (!d.ok()) return call.Problem(500, "internal", "Store error", d.status().message());
  if (!*d || !CanSee(*call.principal, **d)) {
    return call.Problem(404, "not-found", "Unknown dossier", "no dossier '" + key + "'");
  }
  auto proc = deps_.catalog()->Version((*d)->procedure_code, (*d)->procedure_version);
  // One view per thread, cleared: its strings keep their memory from one request to the next.
  thread_local v1::DossierView v;
  v.Clear();
  FillView(**d, proc.get(), deps_.clock->Now(), &v);
  call.Json(200, v, {{"ETag", "\"" + std::to_string((*d)->version) + "\""}});
}

void Api::GetHistory(Call& call, const std::string& id) {
  Result<std::shared_ptr<const Dossier>> d = deps_.store->GetShared(id);
  if (!d.ok()) return call.Problem(500, "internal", "Store error", d.status().message());
  if (!*d || !CanSee(*call.principal, **d)) {
    return call.Problem(404, "not-found", "Unknown dossier", "no dossier '" + id + "'");
  }
  Result<std::vector<Event>> h = deps_.store->History(id);
  if (!h.ok()) return call.Problem(500, "internal", "Store error", h.status().message());
  auto proc = deps_.catalog()->Version((*d)->procedure_code, (*d)->procedure_version);
  v1::HistoryResponse out;
  out.set_dossier_id(id);
  for (const Event& e : *h) {
    FillEvent(e, 0, out.add_events());
    if (e.hand_over) {
      auto* row = out.add_m06();
      row->set_step_id(e.hand_over->step_id);
      if (proc) {
        if (const Step* s = proc->FindStep(e.hand_over->step_id)) {
          row->set_step_name(s->name);
          row->set_unit(s->unit);
        }
      }
      row->set_at(FormatLocal(e.at, kOffset));
      row->set_giver(e.hand_over->giver);
      row->set_receiver(e.hand_over->receiver);
      row->set_timeliness(NameOf(e.hand_over->timeliness));
      row->set_note(e.hand_over->note);
    }
  }
  call.Json(200, out);
}

void Api::ListDossiers(Call& call) {
  const Principal& p = *call.principal;
  DossierQuery q;
  q.agency = call.query["agency"];
  if (q.agency.empty() && !p.AllAgencies()) {
    if (p.agencies.size() != 1) {
      return call.Problem(400, "invalid-field", "Agency required",
                          "you work for several agencies: name one with ?agency=", "agency");
    }
    q.agency = p.agencies.front();
  }
  if (!q.agency.empty() && !p.InScope(q.agency)) {
    return call.Problem(404, "not-found", "Unknown agency",
                        "agency '" + q.agency + "' is outside your scope", "agency");
  }
  if (auto s = call.query.find("status"); s != call.query.end()) {
    q.status = ParseName<DossierStatus>(s->second);
    if (!q.status) {
      return call.Problem(400, "invalid-field", "Invalid status",
                          "unknown status '" + s->second + "'", "status");
    }
  }
  q.step = call.query["step"];
  q.assignee = call.query["assignee"];
  q.procedure_code = call.query["procedure"];
  q.applicant_id = call.query["applicant_id"];
  q.cursor = call.query["cursor"];
  const Instant now = deps_.clock->Now();
  auto instant = [&](const char* name, std::optional<Instant>* out) -> bool {
    auto it = call.query.find(name);
    if (it == call.query.end()) return true;
    *out = ParseLocalDateTime(it->second, kOffset);
    if (!*out) {
      call.Problem(400, "invalid-field", std::string("Invalid ") + name,
                   "expected local time YYYY-MM-DDTHH:MM[:SS], got '" + it->second + "'", name);
      return false;
    }
    return true;
  };
  if (!instant("due_before", &q.due_before) || !instant("received_from", &q.received_from) ||
      !instant("received_until", &q.received_until)) {
    return;
  }
  if (call.query["overdue"] == "true") q.due_before = Instant{now.seconds + 1};
  if (call.query["nearly_due"] == "true") {
    // Due within the warning threshold of working time (default calendar).
    auto catalog = deps_.catalog();
    const WorkCalendar* cal = catalog->Calendar("vn");
    Result<Instant> limit = cal ? cal->AddWorkingSeconds(now, 8 * 3600) : Result<Instant>(now);
    if (limit.ok()) q.due_before = *limit;
  }
  if (auto l = call.query.find("limit"); l != call.query.end()) {
    char* end = nullptr;
    long v = std::strtol(l->second.c_str(), &end, 10);
    if (*end != '\0' || v < 1 || static_cast<size_t>(v) > options_.max_page) {
      return call.Problem(400, "invalid-field", "Invalid limit",
                          "expected 1.." + std::to_string(options_.max_page), "limit");
    }
    q.limit = static_cast<size_t>(v);
  }
  Result<QueryPage> page = deps_.store->Query(q);
  if (!page.ok()) {
    return call.Problem(400, "invalid-field", "Invalid query", page.status().message(), "cursor");
  }
  auto catalog = deps_.catalog();
  v1::DossierList out;
  for (const std::shared_ptr<const Dossier>& d : page->dossiers) {
    if (!CanSee(p, *d)) continue;
    auto proc = catalog->Version(d->procedure_code, d->procedure_version);
    FillView(*d, proc.get(), now, out.add_dossiers());
  }
  out.set_next_cursor(page->next_cursor);
  call.Json(200, out);
}

void Api::PublicProgressLookup(Call& call) {
  {
    const int64_t minute = deps_.clock->Now().seconds / 60;
    std::lock_guard lock(rate_mu_);
    auto& [m, n] = rate_[call.request.remote];
    if (m != minute) {
      m = minute;
      n = 0;
    }
    if (++n > options_.public_lookups_per_minute) {
      return call.Problem(
          429, "rate-limited", "Too many lookups",
          "at most " + std::to_string(options_.public_lookups_per_minute) + " lookups a minute", "",
          {{"Retry-After", "60"}});
    }
    if (rate_.size() > 100000) rate_.clear();  // bound memory under address churn
  }
  const std::string number = call.query["number"];
  const std::string last = call.query["id_last4"];
  if (number.empty() || last.size() != 4) {
    return call.Problem(400, "invalid-field", "Number and ID digits required",
                        "send ?number=<dossier number>&id_last4=<last 4 digits of your ID>",
                        number.empty() ? "number" : "id_last4");
  }
  Result<std::optional<std::string>> id = deps_.store->IdByNumber(number);
  std::shared_ptr<const Dossier> d;
  if (id.ok() && *id) {
    Result<std::shared_ptr<const Dossier>> got = deps_.store->GetShared(**id);
    if (got.ok()) d = *got;
  }
  const std::string& idn = d ? d->applicant.id_number : std::string();
  if (!d || idn.size() < 4 || idn.compare(idn.size() - 4, 4, last) != 0) {
    // The same answer for an unknown number and a wrong second factor.
    return call.Problem(404, "not-found", "Not found",
                        "no dossier matches this number and these digits");
  }
  v1::PublicProgress out;
  out.set_number(d->number);
  out.set_procedure_code(d->procedure_code);
  if (auto proc = deps_.catalog()->Version(d->procedure_code, d->procedure_version)) {
    out.set_procedure_name(proc->name);
  }
  out.set_status(NameOf(d->status));
  out.set_portal_status(PortalStatusCode(d->status));
  out.set_received_at(Local(d->received_at));
  out.set_due_at(Local(d->effective_due()));
  out.set_returned_at(Local(d->returned_at));
  call.Json(200, out);
}

// ---- Writes ----

bool Api::WritesRefused(Call& call) {
  if (!deps_.service->writable()) {
    call.Problem(503, "writes-stopped", "Writes are stopped",
                 "the store refused a write (" + deps_.service->failure() +
                     "); reads still work; an operator must restart the service",
                 "", {{"Retry-After", "60"}});
    return true;
  }
  if (deps_.free_disk) {
    Result<uint64_t> free = deps_.free_disk();
    if (free.ok() && *free < options_.min_free_disk_bytes) {
      call.Problem(503, "disk-full", "Disk nearly full",
                   "free space " + std::to_string(*free >> 20) + " MiB is below the guard of " +
                       std::to_string(options_.min_free_disk_bytes >> 20) + " MiB",
                   "", {{"Retry-After", "60"}});
      return true;
    }
  }
  return false;
}

namespace {

template <typename M>
bool ParseBody(const std::string& body, size_t max_depth, M* out, std::string* error) {
  if (!JsonDepthWithin(body, max_depth)) {
    *error = "JSON nested deeper than " + std::to_string(max_depth) + " levels";
    return false;
  }
  auto st = JsonToMessage(body, out);
  if (!st.ok()) {
    *error = std::string(st.message());
    return false;
  }
  return true;
}

}  // namespace

// The Idempotency-Key every write carries; answers 400 (and returns false) without one.
bool Api::IdempotencyKey(Call& call, std::string* key) {
  *key = call.request.Header("idempotency-key");
  if (!key->empty() && key->size() <= 200) return true;
  call.Problem(400, "idempotency-key-required", "Idempotency-Key required",
               "every write needs an Idempotency-Key header of 1..200 characters",
               "Idempotency-Key");
  return false;
}

void Api::CreateDossier(std::shared_ptr<Call> call) {
  if (WritesRefused(*call)) return;
  std::string key;
  if (!IdempotencyKey(*call, &key)) return;
  v1::CreateDossierRequest body;
  std::string error;
  if (!ParseBody(call->request.body, options_.max_json_depth, &body, &error)) {
    return call->Problem(400, "malformed-body", "Malformed JSON body", error);
  }
  const Principal& p = *call->principal;
  CommandRequest req;
  Command& c = req.command;
  const std::string mode = body.mode().empty() ? "receive" : body.mode();
  if (mode == "receive") {
    c.type = CommandType::kReceive;
  } else if (mode == "submit") {
    c.type = CommandType::kSubmit;
    if (!p.HasRole(kIntegrator) && !p.HasRole(kAdmin)) {
      return call->Problem(403, "forbidden", "Not allowed",
                           "online submission needs the integrator role", "mode");
    }
  } else if (mode == "refuse") {
    c.type = CommandType::kRefuseAtCounter;
  } else {
    return call->Problem(400, "invalid-field", "Invalid mode",
                         "expected receive, submit or refuse, got '" + mode + "'", "mode");
  }
  if (body.procedure_code().empty()) {
    return call->Problem(400, "invalid-field", "procedure_code required", "", "procedure_code");
  }
  if (body.receiving_agency().empty()) {
    return call->Problem(400, "invalid-field", "receiving_agency required", "", "receiving_agency");
  }
  if (!p.InScope(body.receiving_agency())) {
    return call->Problem(403, "forbidden", "Outside your agency scope",
                         "you cannot receive for agency '" + body.receiving_agency() + "'",
                         "receiving_agency");
  }
  c.procedure_code = body.procedure_code();
  c.receiving_agency = body.receiving_agency();
  c.competent_agency = body.competent_agency();
  c.channel = mode == "submit" ? Channel::kOnlineFull : Channel::kCounter;
  if (!body.channel().empty()) {
    std::optional<Channel> channel = ParseName<Channel>(body.channel());
    if (!channel) {
      return call->Problem(400, "invalid-field", "Invalid channel",
                           "expected " + kChannelNames.List(" or "), "channel");
    }
    c.channel = *channel;
  }
  const auto& a = body.applicant();
  c.applicant =
      Applicant{a.name(), a.id_number(), a.address(), a.phone(), a.email(), a.representative()};
  for (const auto& d : body.documents())
    c.documents.push_back({d.document_id(), d.count() ? d.count() : 1});
  c.comment = body.comment();
  c.reason = body.reason();
  c.actor = Actor{p.id, p.roles};
  req.idempotency_key = p.id + ":" + key;
  req.payload_hash = PayloadHash(call->request.method + " " + call->path, call->request.body);
  Execute(call, std::move(req), 201);
}

void Api::DossierCommand(std::shared_ptr<Call> call, const std::string& id) {
  const Principal& p = *call->principal;
  // The dossier must exist and be visible before anything else is said about it.
  Result<std::shared_ptr<const Dossier>> d = deps_.store->GetShared(id);
  if (!d.ok()) return call->Problem(500, "internal", "Store error", d.status().message());
  if (!*d || !CanSee(p, **d)) {
    return call->Problem(404, "not-found", "Unknown dossier", "no dossier '" + id + "'");
  }
  if (WritesRefused(*call)) return;
  std::string key;
  if (!IdempotencyKey(*call, &key)) return;
  std::string if_match = call->request.Header("if-match");
  if (if_match.empty()) {
    return call->Problem(428, "precondition-required", "If-Match required",
                         "send If-Match with the dossier's ETag (its version) to act on it",
                         "If-Match");
  }
  if (if_match.rfind("W/", 0) == 0) if_match = if_match.substr(2);
  if (if_match.size() >= 2 && if_match.front() == '"' && if_match.back() == '"') {
    if_match = if_match.substr(1, if_match.size() - 2);
  }
  char* end = nullptr;
  const long long expected = std::strtoll(if_match.c_str(), &end, 10);
  if (if_match.empty() || *end != '\0' || expected < 1) {
    return call->Problem(400, "invalid-field", "Invalid If-Match",
                         "expected the ETag of GET /v1/dossiers/{id}, e.g. \"3\"", "If-Match");
  }
  v1::DossierCommandRequest body;
  std::string error;
  if (!ParseBody(call->request.body, options_.max_json_depth, &body, &error)) {
    return call->Problem(400, "malformed-body", "Malformed JSON body", error);
  }
  CommandRequest req;
  Command& c = req.command;
  static const std::map<std::string, CommandType> kCommands = {
      {"act", CommandType::kAct},
      {"receive", CommandType::kReceive},
      {"refuse", CommandType::kRefuseAtCounter},
      {"assign", CommandType::kAssign},
      {"supply_supplement", CommandType::kSupplySupplement},
      {"confirm_payment", CommandType::kConfirmPayment},
      {"answer_consultation", CommandType::kAnswerConsultation},
      {"withdraw", CommandType::kWithdraw},
      {"return_result", CommandType::kReturnResult}};
  auto it = kCommands.find(body.command());
  if (it == kCommands.end()) {
    return call->Problem(400, "invalid-field", "Invalid command",
                         "expected one of act, receive, refuse, assign, supply_supplement, "
                         "confirm_payment, answer_consultation, withdraw, return_result; got '" +
                             body.command() + "'",
                         "command");
  }
  c.type = it->second;
  c.dossier_id = id;
  c.expected_version = expected;
  c.action_id = body.action();
  if (c.type == CommandType::kAct && c.action_id.empty()) {
    return call->Problem(400, "invalid-field", "action required", "name the step action to take",
                         "action");
  }
  c.comment = body.comment();
  c.missing.assign(body.missing().begin(), body.missing().end());
  if (!body.extend_by().empty()) {
    auto dur = ParseWorkDuration(body.extend_by());
    if (!dur) {
      return call->Problem(400, "invalid-field", "Invalid extend_by",
                           "expected a duration like \"5 WD\"", "extend_by");
    }
    c.extend_by = *dur;
  }
  c.assignee = body.assignee();
  c.reason = body.reason();
  for (const auto& doc : body.documents())
    c.documents.push_back({doc.document_id(), doc.count() ? doc.count() : 1});
  c.actor = Actor{p.id, p.roles};
  req.idempotency_key = p.id + ":" + key;
  req.payload_hash = PayloadHash(call->request.method + " " + call->path, call->request.body);
  Execute(call, std::move(req), 200);
}

void Api::Execute(std::shared_ptr<Call> call, CommandRequest request, int success_status) {
  auto catalog = deps_.catalog();
  Clock* clock = deps_.clock;
  Metrics* metrics = deps_.metrics;
  // Rendering the answer (views, JSON) is work for an io thread, not for the committer that
  // reports the result: it is deferred when the server provides a way.
  auto answer = [call, catalog, clock, metrics, success_status](CommandResult& r) {
    if (!r.status.ok()) {
      if (metrics) metrics->AddRejectedWrite(StatusCodeName(r.status.code()));
      if (r.status.code() == StatusCode::kConflict) {
        return call->Problem(422, "idempotency-key-reused", "Idempotency key reused",
                             r.status.message(), "Idempotency-Key");
      }
      if (r.status.code() == StatusCode::kUnavailable) {
        return call->Problem(503, "unavailable", "Service unavailable", r.status.message(), "",
                             {{"Retry-After", "5"}});
      }
      return call->Problem(500, "internal", "Internal error", r.status.message());
    }
    if (r.rejection) {
      if (metrics) metrics->AddRejectedWrite(NameOf(r.rejection->code));
      switch (r.rejection->code) {
        case RejectionCode::kNotFound:
          return call->Problem(404, "not-found", "Unknown dossier", r.rejection->message);
        case RejectionCode::kStale:
          return call->Problem(412, "stale-version", "Version mismatch", r.rejection->message,
                               "If-Match");
        case RejectionCode::kForbidden:
          return call->Problem(403, "forbidden", "Role not allowed", r.rejection->message);
        case RejectionCode::kInvalid:
          return call->Problem(400, "invalid-command", "Invalid for this dossier",
                               r.rejection->message);
        case RejectionCode::kRule:
          return call->Problem(409, "rule-violation", "Rejected by the lifecycle rules",
                               r.rejection->message);
        case RejectionCode::kUnavailable:
          return call->Problem(503, "unavailable", "Cannot apply the rules now",
                               r.rejection->message, "", {{"Retry-After", "60"}});
      }
    }
    // One response message per thread, cleared: its strings keep their memory.
    thread_local v1::CommandResponse out;
    out.Clear();
    const Dossier& d = *r.dossier;
    auto proc = catalog->Version(d.procedure_code, d.procedure_version);
    FillView(d, proc.get(), clock->Now(), out.mutable_dossier());
    for (const Event& e : r.events) FillEvent(e, 0, out.add_events());
    out.set_replayed(r.replayed);
    std::vector<std::pair<std::string, std::string>> headers = {
        {"ETag", "\"" + std::to_string(d.version) + "\""}};
    if (success_status == 201) headers.emplace_back("Location", "/v1/dossiers/" + d.id);
    call->Json(r.replayed ? 200 : success_status, out, std::move(headers));
  };
  deps_.service->SubmitAsync(std::move(request), [this, answer](CommandResult r) {
    if (!defer_) return answer(r);
    auto result = std::make_shared<CommandResult>(std::move(r));
    defer_([answer, result] { answer(*result); });
  });
}

}  // namespace motcua::http
