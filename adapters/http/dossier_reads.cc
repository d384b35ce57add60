// Handlers: one dossier, by id or by number, and its history with the M06 rows (handlers.h).
// A dossier outside the caller's agencies is answered as unknown (404), never as forbidden.

#include "adapters/http/handlers.h"
#include "adapters/proto/view_codec.h"
#include "motcua/v1/api.pb.h"

namespace motcua::http::handlers {

namespace {

void Show(Api& api, Call& call, const std::string& key, bool by_number) {
  std::string id = key;
  if (by_number) {
    Result<std::optional<std::string>> found = api.deps().store->IdByNumber(key);
    if (!found.ok()) return call.Problem(500, "internal", "Store error", found.status().message());
    if (!*found)
      return call.Problem(404, "not-found", "Unknown dossier", "no dossier '" + key + "'");
    id = **found;
  }
  Result<std::shared_ptr<const Dossier>> d = api.deps().store->GetShared(id);
  if (!d.ok()) return call.Problem(500, "internal", "Store error", d.status().message());
  const std::shared_ptr<const DefinitionCatalog> catalog = api.deps().catalog();
  if (!*d || !CanSee(*call.principal, **d, catalog->Agencies())) {
    return call.Problem(404, "not-found", "Unknown dossier", "no dossier '" + key + "'");
  }
  // One view per thread, cleared: its strings keep their memory from one request to the next.
  thread_local v1::DossierView v;
  v.Clear();
  FillView(**d, *catalog, api.deps().clock->Now(), &v, &call.principal->roles);
  call.Json(200, v, {{"ETag", "\"" + std::to_string((*d)->version) + "\""}});
}

}  // namespace

void GetDossier(Api& api, Call& call) { Show(api, call, call.params[0], false); }

void GetDossierByNumber(Api& api, Call& call) { Show(api, call, call.params[0], true); }

void GetHistory(Api& api, Call& call) {
  const std::string& id = call.params[0];
  Result<std::shared_ptr<const Dossier>> d = api.deps().store->GetShared(id);
  if (!d.ok()) return call.Problem(500, "internal", "Store error", d.status().message());
  const std::shared_ptr<const DefinitionCatalog> catalog = api.deps().catalog();
  if (!*d || !CanSee(*call.principal, **d, catalog->Agencies())) {
    return call.Problem(404, "not-found", "Unknown dossier", "no dossier '" + id + "'");
  }
  Result<std::vector<Event>> h = api.deps().store->History(id);
  if (!h.ok()) return call.Problem(500, "internal", "Store error", h.status().message());
  auto proc = catalog->Version((*d)->procedure_code, (*d)->procedure_version);
  v1::HistoryResponse out;
  FillHistory(id, *h, proc.get(), &out);
  call.Json(200, out);
}

}  // namespace motcua::http::handlers
