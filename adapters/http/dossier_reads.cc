// Handlers: one dossier, by id or by number, and its history with the M06 rows (handlers.h).
// A dossier outside the caller's agencies is answered as unknown (404), never as forbidden.

#include "adapters/http/handlers.h"
#include "adapters/proto/view_codec.h"
#include "adapters/report/forms.h"
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

std::shared_ptr<const Dossier> VisibleDossier(Api& api, Call& call, const std::string& id) {
  Result<std::shared_ptr<const Dossier>> d = api.deps().store->GetShared(id);
  if (!d.ok()) {
    call.Problem(500, "internal", "Store error", d.status().message());
    return nullptr;
  }
  if (!*d || !CanSee(*call.principal, **d, api.deps().catalog()->Agencies())) {
    call.Problem(404, "not-found", "Unknown dossier", "no dossier '" + id + "'");
    return nullptr;
  }
  return *d;
}

namespace {

// The dossier `id` and its history, when the caller may see it; otherwise answered (404, 500).
bool WithHistory(Api& api, Call& call, const std::string& id, std::shared_ptr<const Dossier>* d,
                 std::vector<Event>* history) {
  std::shared_ptr<const Dossier> found = VisibleDossier(api, call, id);
  if (!found) return false;
  Result<std::vector<Event>> h = api.deps().store->History(id);
  if (!h.ok()) {
    call.Problem(500, "internal", "Store error", h.status().message());
    return false;
  }
  *d = std::move(found);
  *history = std::move(*h);
  return true;
}

}  // namespace

void GetHistory(Api& api, Call& call) {
  const std::string& id = call.params[0];
  std::shared_ptr<const Dossier> d;
  std::vector<Event> history;
  if (!WithHistory(api, call, id, &d, &history)) return;
  v1::HistoryResponse out;
  FillHistory(id, history, *api.deps().catalog(), d->procedure_code, &out);
  call.Json(200, out);
}

void GetForm(Api& api, Call& call) {
  const std::string& id = call.params[0];
  std::optional<FormKind> form = ParseName<FormKind>(call.params[1]);
  if (!form) {
    return call.Problem(
        404, "not-found", "Unknown form",
        "no form '" + call.params[1] + "'; the forms are " + kFormKindNames.List(" and "));
  }
  const auto f = call.query.find("format");
  const bool pdf = f != call.query.end() && f->second == "pdf";
  if (f != call.query.end() && f->second != "html" && !pdf) {
    return call.Problem(400, "invalid-field", "Invalid format",
                        "expected html or pdf, got '" + f->second + "'", "format");
  }
  if (pdf && !api.deps().print_pdf) {
    return call.Problem(400, "invalid-field", "Invalid format",
                        "no PDF renderer is configured on this server (pdf_renderer); ask for "
                        "html and print it from a browser: every form is sized for its paper",
                        "format");
  }
  std::shared_ptr<const Dossier> d;
  std::vector<Event> history;
  if (!WithHistory(api, call, id, &d, &history)) return;
  Result<std::string> page = RenderDossierForm(*form, *d, history, *api.deps().catalog());
  if (!page.ok()) {
    if (page.status().code() == StatusCode::kNotFound) {
      return call.Problem(404, "not-found", "No such form", page.status().message());
    }
    return call.Problem(500, "internal", "Form template error", page.status().message());
  }
  if (pdf) {
    const std::string name = "form-" + call.params[1] + "-" + (d->number.empty() ? id : d->number);
    std::shared_ptr<Call> later = call.shared_from_this();
    Api* a = &api;
    const bool queued =
        api.deps().print_pdf(std::move(*page), [later, a, name](Result<std::string> printed) {
          a->Defer([later, name, printed = std::move(printed)]() mutable {
            if (!printed.ok()) {
              return later->Problem(503, "unavailable", "PDF renderer failed",
                                    printed.status().message());
            }
            HttpResponse r;
            r.content_type = "application/pdf";
            r.headers.emplace_back("Content-Disposition", "inline; filename=\"" + name + ".pdf\"");
            r.body = std::move(*printed);
            later->Reply(std::move(r));
          });
        });
    if (!queued) {
      return call.Problem(503, "unavailable", "PDF renderer busy",
                          "too many pages are waiting to be printed; try again in a moment, or "
                          "ask for html",
                          "", {{"Retry-After", "5"}});
    }
    return;
  }
  HttpResponse r;
  r.content_type = "text/html; charset=utf-8";
  r.body = std::move(*page);
  call.Reply(std::move(r));
}

}  // namespace motcua::http::handlers
