// Handlers: console sign-in, the session, sign-out (handlers.h; sessions.h, accounts.h).

#include "adapters/http/handlers.h"
#include "adapters/json/json_reader.h"
#include "motcua/v1/api.pb.h"

namespace motcua::http::handlers {

namespace {

// Sign-in attempts per client address per minute (lock-out per principal comes on top).
constexpr int kSignInsPerMinute = 30;

// The cookie: HttpOnly, SameSite=Strict, Path=/, and Secure when the client reached us over TLS
// through a proxy that says so (X-Forwarded-Proto: https).
std::string Cookie(const Call& call, const std::string& value, int64_t max_age) {
  std::string c = "motcua_session=" + value +
                  "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age);
  if (call.request.Header("x-forwarded-proto").rfind("https", 0) == 0) c += "; Secure";
  return c;
}

void FillView(Api& api, const Account& a, const Session& s, int64_t now, v1::SessionView* out) {
  const SessionOptions& o = api.sessions().options();
  out->set_principal(a.principal);
  out->set_name(a.name);
  for (const std::string& r : a.roles) out->add_roles(r);
  for (const std::string& g : a.agencies) out->add_agencies(g);
  out->set_csrf_token(s.csrf);
  out->set_idle_timeout_seconds(o.idle_seconds);
  out->set_expires_in_seconds(std::max<int64_t>(0, s.created + o.max_seconds - now));
  out->set_nearly_due_working_seconds(
      static_cast<int32_t>(api.options().nearly_due.InWorkingSeconds()));
}

}  // namespace

void SignIn(Api& api, Call& call) {
  if (!api.deps().accounts) {
    return call.Problem(404, "not-found", "No sign-in", "this server has no staff accounts");
  }
  if (!api.sign_ins().Allow(call.request.remote, SteadySeconds() / 60, kSignInsPerMinute)) {
    return call.Problem(429, "rate-limited", "Too many sign-ins",
                        "at most " + std::to_string(kSignInsPerMinute) +
                            " sign-in attempts a minute from one address",
                        "", {{"Retry-After", "60"}});
  }
  // Only a page of this site signs in (login CSRF): a JSON body, which another site's form
  // cannot send without a preflight, and no browser-declared cross-site request.
  if (call.request.Header("content-type").rfind("application/json", 0) != 0) {
    return call.Problem(415, "unsupported-media-type", "JSON expected",
                        "send Content-Type: application/json", "",
                        {{"Accept", "application/json"}});
  }
  if (call.request.Header("sec-fetch-site") == "cross-site") {
    return call.Problem(403, "forbidden", "Cross-site sign-in",
                        "sign in from this server's own pages");
  }
  v1::SignInRequest body;
  std::string error;
  if (!ReadJsonBody(call.request.body, api.options().max_json_depth, &body, &error)) {
    return call.Problem(400, "malformed-body", "Malformed JSON body", error);
  }
  if (body.principal().empty() || body.principal().size() > 64) {
    return call.Problem(400, "invalid-field", "Invalid principal", "expected 1 to 64 bytes",
                        "principal");
  }
  if (body.password().empty() || body.password().size() > kMaxPasswordBytes) {
    return call.Problem(400, "invalid-field", "Invalid password",
                        "expected 1 to " + std::to_string(kMaxPasswordBytes) + " bytes",
                        "password");
  }
  const std::string principal = body.principal();
  const int64_t locked = api.sessions().LockedFor(principal, SteadySeconds());
  if (locked > 0) {
    return call.Problem(429, "locked-out", "Signed-in attempts locked",
                        "too many wrong passwords for this principal; try again in " +
                            std::to_string((locked + 59) / 60) + " minute(s)",
                        "", {{"Retry-After", std::to_string(locked)}});
  }
  // Counted before the check: attempts in flight together cannot pass the limit.
  api.sessions().Failed(principal, SteadySeconds());
  std::shared_ptr<const AccountStore> accounts = api.deps().accounts();
  const Account* found = accounts ? accounts->Find(principal) : nullptr;
  // A disabled or unknown account is checked against a decoy: the same time, the same answer.
  const std::string hash = found && !found->disabled ? found->password_hash : std::string();
  std::shared_ptr<Call> keep = call.shared_from_this();
  Api* front = &api;
  auto check = [front, keep, accounts, principal, hash, password = body.password()]() {
    const bool ok = VerifyPassword(hash, password);
    front->Defer([front, keep, accounts, principal, ok] {
      const int64_t now = SteadySeconds();
      if (!ok) {
        return keep->Problem(401, "invalid-credentials", "Wrong principal or password",
                             "the principal and password do not match an enabled account");
      }
      front->sessions().Succeeded(principal);
      const Account* account = accounts->Find(principal);
      Result<std::pair<std::string, Session>> opened =
          front->sessions().Open(principal, account->password_hash, now);
      if (!opened.ok()) {
        return keep->Problem(503, "unavailable", "Cannot sign in now", opened.status().message(),
                             "", {{"Retry-After", "60"}});
      }
      const SessionOptions& o = front->sessions().options();
      v1::SessionView view;
      FillView(*front, *account, opened->second, now, &view);
      keep->Json(201, view,
                 {{"Set-Cookie", Cookie(*keep, opened->first, o.max_seconds)},
                  {"Cache-Control", "no-store"}});
    });
  };
  // Argon2id takes a fraction of a second and 64 MiB: off the io threads.
  if (!api.deps().run_blocking) return check();
  if (!api.deps().run_blocking(check)) {
    return call.Problem(503, "overloaded", "Too many sign-ins at once", "try again shortly", "",
                        {{"Retry-After", "1"}});
  }
}

namespace {

// The session the request's cookie opened (Authenticate found it live a moment ago), or null
// after answering 404: a bearer token has none, and a session may end meanwhile.
std::optional<Session> RequireSession(Api& api, Call& call) {
  const std::string key = SessionKeyOf(call.principal->token);
  std::optional<Session> s = key.empty() ? std::nullopt : api.sessions().Peek(key, SteadySeconds());
  if (!s) {
    call.Problem(404, "no-session", "No session",
                 "this request authenticated with a bearer token, not a session");
  }
  return s;
}

}  // namespace

void GetSession(Api& api, Call& call) {
  std::optional<Session> s = RequireSession(api, call);
  if (!s) return;
  std::shared_ptr<const AccountStore> accounts = api.deps().accounts();
  const Account* a = accounts ? accounts->Find(call.principal->id) : nullptr;
  if (a == nullptr) return call.Problem(404, "no-session", "No session", "signed out");
  v1::SessionView view;
  FillView(api, *a, *s, SteadySeconds(), &view);
  call.Json(200, view, {{"Cache-Control", "no-store"}});
}

void SignOut(Api& api, Call& call) {
  std::optional<Session> s = RequireSession(api, call);
  if (!s) return;
  api.sessions().Close(s->key);
  HttpResponse r;
  r.status = 204;
  r.content_type.clear();
  r.headers = {{"Set-Cookie", Cookie(call, "", 0)}, {"Cache-Control", "no-store"}};
  call.Reply(std::move(r));
}

void GetAccounts(Api& api, Call& call) {
  const Principal& p = *call.principal;
  if (!p.HasRole("admin")) {
    return call.Problem(403, "forbidden", "Not allowed", "the accounts are an admin's to read");
  }
  std::shared_ptr<const AccountStore> accounts = api.deps().accounts();
  const AgencyRegistry& registry = api.deps().catalog()->Agencies();
  v1::AccountList out;
  for (const auto& [id, a] : accounts ? accounts->all() : std::map<std::string, Account>()) {
    // An admin sees the accounts of the agencies in its scope; "*" accounts only with "*".
    const bool every = std::find(a.agencies.begin(), a.agencies.end(), "*") != a.agencies.end();
    const bool visible =
        p.AllAgencies() ||
        (!every && std::any_of(a.agencies.begin(), a.agencies.end(),
                               [&](const std::string& g) { return p.InScope(g, registry); }));
    if (!visible) continue;
    v1::AccountView* v = out.add_accounts();
    v->set_principal(a.principal);
    v->set_name(a.name);
    for (const std::string& r : a.roles) v->add_roles(r);
    for (const std::string& g : a.agencies) v->add_agencies(g);
    v->set_disabled(a.disabled);
  }
  call.Json(200, out, {{"Cache-Control", "no-store"}});
}

}  // namespace motcua::http::handlers
