// The route table (routes.h).

#include "adapters/http/routes.h"

#include "adapters/http/handlers.h"

namespace motcua::http {

namespace {

// "/v1/dossiers/x" → {"v1", "dossiers", "x"} (still percent-encoded).
std::vector<std::string> PathSegments(std::string_view path) {
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

// The segments of `parts` that stand for the template's parameters; false when it does not match.
bool Match(const std::vector<std::string>& pattern, const std::vector<std::string>& parts,
           std::vector<std::string>* params) {
  if (pattern.size() != parts.size()) return false;
  params->clear();
  for (size_t i = 0; i < parts.size(); ++i) {
    if (!pattern[i].empty() && pattern[i].front() == '{') {
      params->push_back(parts[i]);
    } else if (pattern[i] != parts[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

const std::vector<Route>& RouteTable() {
  using namespace handlers;
  // Earlier rows win where templates overlap ("by-number" before "{id}").
  static const std::vector<Route> kRoutes = {
      {"GET", "/healthz", Access::kPublic, &Healthz},
      {"GET", "/readyz", Access::kPublic, &Readyz},
      {"GET", "/metrics", Access::kPublic, &MetricsText},
      {"GET", "/v1/openapi.json", Access::kPublic, &OpenApi},
      {"GET", "/v1/procedures", Access::kPrincipal, &GetProcedures},
      {"GET", "/v1/procedures/{code}", Access::kPrincipal, &GetProcedure},
      {"GET", "/v1/procedures/{code}/due-preview", Access::kPrincipal, &GetDuePreview},
      {"GET", "/v1/agencies", Access::kPrincipal, &GetAgencies},
      {"POST", "/v1/dossiers", Access::kPrincipal, &CreateDossier},
      {"GET", "/v1/dossiers", Access::kPrincipal, &ListDossiers},
      {"GET", "/v1/dossiers/by-number/{number}", Access::kPrincipal, &GetDossierByNumber},
      {"GET", "/v1/dossiers/{id}", Access::kPrincipal, &GetDossier},
      {"GET", "/v1/dossiers/{id}/history", Access::kPrincipal, &GetHistory},
      {"GET", "/v1/dossiers/{id}/forms/{form}", Access::kPrincipal, &GetForm},
      {"POST", "/v1/dossiers/{id}/commands", Access::kPrincipal, &DossierCommand},
      {"PUT", "/v1/dossiers/{id}/documents/{document_id}/files", Access::kPrincipal, &PutFile},
      {"GET", "/v1/dossiers/{id}/documents/{document_id}/files/{sha256}", Access::kPrincipal,
       &GetFile},
      {"GET", "/v1/registers/m07", Access::kPrincipal, &GetM07Register},
      {"GET", "/v1/reports/form06", Access::kPrincipal, &GetForm06},
      {"GET", "/v1/reports/steps", Access::kPrincipal, &GetStepReport},
      {"GET", "/v1/public/progress", Access::kPublic, &PublicProgress},
      {"GET", "/v1/public/procedures", Access::kPublic, &PublicProcedures},
      {"POST", "/v1/session", Access::kPublic, &SignIn},
      {"GET", "/v1/session", Access::kPrincipal, &GetSession},
      {"DELETE", "/v1/session", Access::kPrincipal, &SignOut},
      {"GET", "/v1/public/procedures/{code}", Access::kPublic, &PublicProcedure},
      {"GET", "/v1/stream", Access::kPrincipal, &StreamNeedsUpgrade},
      {"GET", "/v1/admin/clock", Access::kPrincipal, &GetClock},
      {"PUT", "/v1/admin/clock", Access::kPrincipal, &SetClock},
      {"POST", "/v1/admin/clock/advance", Access::kPrincipal, &AdvanceClock},
      {"GET", "/v1/admin/accounts", Access::kPrincipal, &GetAccounts},
      {"POST", "/v1/admin/checkpoint", Access::kPrincipal, &CreateCheckpoint},
      {"GET", "/v1/audit/checkpoints", Access::kPrincipal, &GetAuditCheckpoints},
      {"GET", "/v1/admin/subscriptions", Access::kPrincipal, &GetSubscriptions},
      {"GET", "/v1/admin/subscriptions/{id}/dead-letters", Access::kPrincipal, &GetDeadLetters},
      {"POST", "/v1/admin/subscriptions/{id}/dead-letters/{position}/redrive", Access::kPrincipal,
       &RedriveDeadLetter},
  };
  return kRoutes;
}

bool IsFileUpload(std::string_view method, std::string_view path) {
  if (method != "PUT") return false;
  const std::vector<std::string> parts = PathSegments(path);
  return parts.size() == 6 && parts[0] == "v1" && parts[1] == "dossiers" &&
         parts[3] == "documents" && parts[5] == "files";
}

RouteMatch FindRoute(std::string_view method, const std::string& path) {
  // The templates' segments, split once.
  static const std::vector<std::vector<std::string>> kPatterns = [] {
    std::vector<std::vector<std::string>> out;
    for (const Route& r : RouteTable()) out.push_back(PathSegments(r.path));
    return out;
  }();
  const std::vector<std::string> parts = PathSegments(path);
  const std::vector<Route>& routes = RouteTable();
  RouteMatch m;
  std::vector<std::string> params;
  for (size_t i = 0; i < routes.size(); ++i) {
    if (!Match(kPatterns[i], parts, &params)) continue;
    const Route& r = routes[i];
    if (m.first == nullptr) m.first = &r;
    // GET brings HEAD with it.
    const std::string methods =
        std::string_view(r.method) == "GET" ? "GET, HEAD" : std::string(r.method);
    if (m.allow.find(r.method) == std::string::npos) {
      m.allow += (m.allow.empty() ? "" : ", ") + methods;
    }
    m.needs_principal = m.needs_principal || r.access == Access::kPrincipal;
    if (m.route == nullptr && method == r.method) {
      m.route = &r;
      m.segments = params;
    }
  }
  return m;
}

}  // namespace motcua::http
