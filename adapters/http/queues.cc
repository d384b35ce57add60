// Handler: work queues and search over the store's indexes, in keyset pages (handlers.h).

#include "adapters/http/handlers.h"
#include "adapters/proto/view_codec.h"
#include "engine/common/fold.h"
#include "engine/store/indexes.h"
#include "motcua/v1/api.pb.h"

namespace motcua::http::handlers {

void ListDossiers(Api& api, Call& call) {
  const Principal& p = *call.principal;
  const std::shared_ptr<const DefinitionCatalog> catalog = api.deps().catalog();
  const AgencyRegistry& registry = catalog->Agencies();
  DossierQuery q;
  // The agency asked for (or the caller's only one) and the units below it; without one, every
  // agency in the caller's scope. An agency without units is searched through its own index
  // entries; a tree, or a scope of several, through the filters' index and the scope.
  std::string within = call.query["agency"];
  if (within.empty() && !p.AllAgencies() && p.agencies.size() == 1) within = p.agencies.front();
  if (!within.empty() && !p.InScope(within, registry)) {
    return call.Problem(404, "not-found", "Unknown agency",
                        "agency '" + within + "' is outside your scope", "agency");
  }
  const bool tree = !within.empty() && registry.HasUnits(within);
  if (!within.empty() && !tree) q.agency = within;
  std::function<bool(const Dossier&)> nearly;  // set below for nearly_due=true
  q.visible = [&p, &registry, tree, &within, &nearly](const Dossier& d) {
    if (tree && !registry.IsWithin(d.receiving_agency, within) &&
        !registry.IsWithin(d.competent_agency, within)) {
      return false;
    }
    return CanSee(p, d, registry) && (!nearly || nearly(d));
  };
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
  // Search: the applicant's name by prefix, folded (no case, no diacritics: "nguyen van an"
  // finds "Nguyễn Văn An"), the phone by its digits, the dossier number by prefix.
  for (const char* field : {"name", "phone", "number"}) {
    auto it = call.query.find(field);
    if (it == call.query.end()) continue;
    if (it->second.size() > 200) {
      return call.Problem(400, "invalid-field", std::string("Invalid ") + field,
                          "at most 200 bytes", field);
    }
  }
  if (auto it = call.query.find("name"); it != call.query.end()) {
    q.name_prefix = FoldVietnamese(it->second);
    if (q.name_prefix.empty()) {
      return call.Problem(400, "invalid-field", "Invalid name",
                          "give the beginning of the applicant's name", "name");
    }
  }
  if (auto it = call.query.find("phone"); it != call.query.end()) {
    q.phone = PhoneDigits(it->second);
    if (q.phone.empty()) {
      return call.Problem(400, "invalid-field", "Invalid phone", "expected digits", "phone");
    }
  }
  q.number_prefix = call.query["number"];
  q.cursor = call.query["cursor"];
  const Instant now = api.deps().clock->Now();
  auto instant = [&](const char* name, std::optional<Instant>* out) -> bool {
    auto it = call.query.find(name);
    if (it == call.query.end()) return true;
    *out = ParseLocalDateTime(it->second, kApiUtcOffsetSeconds);
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
  for (const char* flag : {"overdue", "nearly_due"}) {
    auto it = call.query.find(flag);
    if (it != call.query.end() && it->second != "true" && it->second != "false") {
      return call.Problem(400, "invalid-field", std::string("Invalid ") + flag,
                          "expected true or false, got '" + it->second + "'", flag);
    }
  }
  if (call.query["overdue"] == "true") q.due_before = Instant{now.seconds + 1};
  // Nearly due: due within the threshold of working time, counted by each dossier's own calendar
  // (its competent agency's), boundary included: the instant its nearly-due timer fires has
  // come. The due index is read up to the furthest any calendar reaches.
  if (call.query["nearly_due"] == "true") {
    const int64_t threshold = api.options().nearly_due.InWorkingSeconds();
    Instant furthest = now;
    for (const auto& [id, cal] : catalog->set().calendars) {
      Result<Instant> reach = cal->AddWorkingSeconds(now, threshold);
      if (reach.ok() && furthest < *reach) furthest = *reach;
    }
    q.due_before = Instant{furthest.seconds + 1};
    nearly = [&catalog, threshold, now](const Dossier& d) {
      const std::optional<Instant> due = d.effective_due();
      if (!due) return false;
      auto proc = catalog->Version(d.procedure_code, d.procedure_version);
      const WorkCalendar* cal =
          catalog->CalendarFor(d.competent_agency, proc ? proc->calendar : std::string("vn"));
      if (cal == nullptr) return true;
      Result<Instant> warn = cal->SubtractWorkingSeconds(*due, threshold);
      return !warn.ok() || !(now < *warn);
    };
  }
  if (auto l = call.query.find("limit"); l != call.query.end()) {
    char* end = nullptr;
    long v = std::strtol(l->second.c_str(), &end, 10);
    if (*end != '\0' || v < 1 || static_cast<size_t>(v) > api.options().max_page) {
      return call.Problem(400, "invalid-field", "Invalid limit",
                          "expected 1.." + std::to_string(api.options().max_page), "limit");
    }
    q.limit = static_cast<size_t>(v);
  }
  Result<QueryPage> page = api.deps().store->Query(q);
  if (!page.ok()) {
    return call.Problem(400, "invalid-field", "Invalid query", page.status().message(), "cursor");
  }
  v1::DossierList out;
  for (const std::shared_ptr<const Dossier>& d : page->dossiers) {
    FillView(*d, *catalog, now, out.add_dossiers(), &p.roles);
  }
  out.set_next_cursor(page->next_cursor);
  call.Json(200, out);
}

}  // namespace motcua::http::handlers
