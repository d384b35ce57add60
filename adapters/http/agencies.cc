// Handler: the agency registry, as a flat list that carries the tree (handlers.h).

#include "adapters/http/handlers.h"
#include "adapters/proto/view_codec.h"
#include "motcua/v1/api.pb.h"

namespace motcua::http::handlers {

void GetAgencies(Api& api, Call& call) {
  const std::shared_ptr<const DefinitionCatalog> catalog = api.deps().catalog();
  const AgencyRegistry& registry = catalog->Agencies();
  CivilDate on = LocalDateAt(api.deps().clock->Now(), kApiUtcOffsetSeconds);
  if (auto it = call.query.find("on"); it != call.query.end()) {
    std::optional<CivilDate> d = ParseDate(it->second);
    if (!d) {
      return call.Problem(400, "invalid-field", "Invalid on",
                          "expected a date YYYY-MM-DD, got '" + it->second + "'", "on");
    }
    on = *d;
  }
  const std::string& under = call.query["under"];
  if (!under.empty() && registry.Find(under) == nullptr) {
    FieldProblem unknown = AgencyRegistry::Unknown("under", under);
    return call.Problem(400, "invalid-field", "Invalid under", unknown.message, "under");
  }
  std::optional<bool> active;
  if (auto it = call.query.find("active"); it != call.query.end()) {
    if (it->second != "true" && it->second != "false") {
      return call.Problem(400, "invalid-field", "Invalid active",
                          "expected true or false, got '" + it->second + "'", "active");
    }
    active = it->second == "true";
  }
  const std::string& kind = call.query["kind"];
  v1::AgencyList out;
  for (const Agency* a : registry.All()) {
    if (!under.empty() && !registry.IsWithin(a->code, under)) continue;
    if (!kind.empty() && a->kind != kind) continue;
    const bool is_active = a->ActiveOn(on);
    if (active && *active != is_active) continue;
    v1::AgencyView* v = out.add_agencies();
    v->set_code(a->code);
    v->set_name(a->name);
    v->set_kind(a->kind);
    v->set_parent(a->parent);
    for (const std::string& s : a->serves) v->add_serves(s);
    v->set_calendar(a->calendar);
    if (a->effective_from) v->set_effective_from(FormatDate(*a->effective_from));
    if (a->effective_until) v->set_effective_until(FormatDate(*a->effective_until));
    v->set_successor(a->successor);
    v->set_active(is_active);
    if (!is_active) {
      if (const Agency* now = registry.DoingTheWorkOf(a->code, on)) v->set_work_done_by(now->code);
    }
  }
  call.Json(200, out);
}

}  // namespace motcua::http::handlers
