// Handler: the M07 register of results returned (DOMAIN.md §3), for an agency and its units over
// a window, in the order of return (handlers.h).

#include <algorithm>

#include "adapters/http/handlers.h"
#include "adapters/proto/view_codec.h"
#include "adapters/report/forms.h"
#include "motcua/v1/api.pb.h"

namespace motcua::http::handlers {

namespace {

// A register covers a period an office prints: more lines than this ask for a shorter window.
constexpr size_t kMaxRows = 10000;

}  // namespace

void GetM07Register(Api& api, Call& call) {
  const Principal& p = *call.principal;
  const std::shared_ptr<const DefinitionCatalog> catalog = api.deps().catalog();
  const AgencyRegistry& registry = catalog->Agencies();
  std::string agency;
  if (!AgencyInScope(call, registry, /*every_allowed=*/false, &agency)) return;
  std::optional<Instant> bounds[2];
  const char* names[2] = {"from", "to"};
  for (int i = 0; i < 2; ++i) {
    auto it = call.query.find(names[i]);
    if (it == call.query.end()) {
      return call.Problem(400, "invalid-field", std::string(names[i]) + " required",
                          "the register's window: from and to, local time YYYY-MM-DDTHH:MM",
                          names[i]);
    }
    bounds[i] = ParseLocalDateTime(it->second, kApiUtcOffsetSeconds);
    if (!bounds[i]) {
      return call.Problem(400, "invalid-field", std::string("Invalid ") + names[i],
                          "expected local time YYYY-MM-DDTHH:MM[:SS], got '" + it->second + "'",
                          names[i]);
    }
  }
  // Returned dossiers of the agency and its units that the caller may see, returned in the window.
  DossierQuery q;
  q.status = DossierStatus::kReturned;
  const bool tree = registry.HasUnits(agency);
  if (!tree) q.agency = agency;
  q.visible = [&](const Dossier& d) {
    if (tree && !registry.IsWithin(d.receiving_agency, agency) &&
        !registry.IsWithin(d.competent_agency, agency)) {
      return false;
    }
    return CanSee(p, d, registry) && d.returned_at && !(*d.returned_at < *bounds[0]) &&
           *d.returned_at < *bounds[1];
  };
  q.limit = 1000;
  std::vector<std::shared_ptr<const Dossier>> rows;
  do {
    Result<QueryPage> page = api.deps().store->Query(q);
    if (!page.ok()) return call.Problem(500, "internal", "Internal error", page.status().message());
    rows.insert(rows.end(), page->dossiers.begin(), page->dossiers.end());
    if (rows.size() > kMaxRows) {
      return call.Problem(400, "invalid-field", "Window too large",
                          "more than " + std::to_string(kMaxRows) +
                              " results returned in it; ask for a shorter window",
                          "to");
    }
    q.cursor = page->next_cursor;
  } while (!q.cursor.empty());
  std::stable_sort(rows.begin(), rows.end(),
                   [](const auto& a, const auto& b) { return *a->returned_at < *b->returned_at; });
  v1::M07Register out;
  out.set_agency(agency);
  if (const Agency* a = registry.Find(agency)) out.set_agency_name(a->name);
  out.set_from(FormatLocal(*bounds[0], kApiUtcOffsetSeconds));
  out.set_to(FormatLocal(*bounds[1], kApiUtcOffsetSeconds));
  int no = 0;
  for (const auto& d : rows) {
    v1::M07Row* r = out.add_rows();
    r->set_no(++no);
    r->set_dossier_id(d->id);
    r->set_number(d->number);
    r->set_procedure_code(d->procedure_code);
    if (auto proc = catalog->Version(d->procedure_code, d->procedure_version)) {
      r->set_procedure_name(proc->name);
    }
    r->set_applicant_name(d->applicant.name);
    r->set_applicant_address(d->applicant.address);
    r->set_applicant_phone(d->applicant.phone);
    r->set_competent_agency(d->competent_agency);
    if (const Agency* a = registry.Find(d->competent_agency)) {
      r->set_competent_agency_name(a->name);
    }
    if (d->received_at) r->set_received_at(FormatLocal(*d->received_at, kApiUtcOffsetSeconds));
    if (auto due = d->effective_due()) r->set_due_at(FormatLocal(*due, kApiUtcOffsetSeconds));
    r->set_returned_at(FormatLocal(*d->returned_at, kApiUtcOffsetSeconds));
    if (d->returned_via) r->set_returned_via(NameOf(*d->returned_via));
    r->set_returned_to(d->returned_to);
    r->set_receipt_signed(d->receipt_signed);
  }
  auto format = call.query.find("format");
  if (format == call.query.end() || format->second == "json") return call.Json(200, out);
  if (format->second != "html") {
    return call.Problem(400, "invalid-field", "Invalid format",
                        "expected json or html, got '" + format->second + "'", "format");
  }
  Result<std::string> page = RenderM07Register(out, registry);
  if (!page.ok()) {
    return call.Problem(500, "internal", "Form template error", page.status().message());
  }
  HttpResponse r;
  r.content_type = "text/html; charset=utf-8";
  r.body = std::move(*page);
  call.Reply(std::move(r));
}

}  // namespace motcua::http::handlers
