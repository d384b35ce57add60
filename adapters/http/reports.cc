// Handler: report form 06 (docs/reports.md) as JSON, CSV, printable HTML or XLSX (handlers.h).

#include "adapters/http/handlers.h"
#include "adapters/proto/view_codec.h"
#include "adapters/report/form06_formats.h"

namespace motcua::http::handlers {

void GetForm06(Api& api, Call& call) {
  const Principal& p = *call.principal;
  const std::shared_ptr<const DefinitionCatalog> catalog = api.deps().catalog();
  const AgencyRegistry& registry = catalog->Agencies();
  Form06Request q;
  // Whose: an agency in the caller's scope; every agency only for a caller who sees them all.
  q.agency = call.query["agency"];
  if (q.agency.empty() && !p.AllAgencies()) {
    if (p.agencies.size() != 1) {
      return call.Problem(400, "invalid-field", "agency required",
                          "name the agency to report on (one of yours)", "agency");
    }
    q.agency = p.agencies.front();
  }
  if (!q.agency.empty() && (registry.Find(q.agency) == nullptr || !p.InScope(q.agency, registry))) {
    return call.Problem(404, "not-found", "Unknown agency",
                        "agency '" + q.agency + "' is not in the registry or outside your scope",
                        "agency");
  }
  // When: a preset period, or from and to.
  if (auto it = call.query.find("period"); it != call.query.end()) {
    if (call.query.count("from") || call.query.count("to")) {
      return call.Problem(400, "invalid-field", "Invalid period",
                          "give either period or from and to, not both", "period");
    }
    std::optional<std::pair<CivilDate, CivilDate>> period = ParseReportPeriod(it->second);
    if (!period) {
      return call.Problem(
          400, "invalid-field", "Invalid period",
          "expected YYYY, YYYY-H1/H2, YYYY-Q1..Q4 or YYYY-MM, got '" + it->second + "'", "period");
    }
    std::tie(q.from, q.to) = *period;
  } else {
    CivilDate* bounds[2] = {&q.from, &q.to};
    const char* names[2] = {"from", "to"};
    for (int i = 0; i < 2; ++i) {
      auto b = call.query.find(names[i]);
      if (b == call.query.end()) {
        return call.Problem(400, "invalid-field", std::string(names[i]) + " required",
                            "the report's window: from and to (YYYY-MM-DD, both included), or "
                            "period",
                            names[i]);
      }
      std::optional<CivilDate> d = ParseDate(b->second);
      if (!d) {
        return call.Problem(400, "invalid-field", std::string("Invalid ") + names[i],
                            "expected a date YYYY-MM-DD, got '" + b->second + "'", names[i]);
      }
      *bounds[i] = *d;
    }
    if (q.to < q.from) {
      return call.Problem(400, "invalid-field", "Invalid to",
                          "the window ends (" + FormatDate(q.to) + ") before it starts (" +
                              FormatDate(q.from) + ")",
                          "to");
    }
  }
  // A window that reaches past today is reported up to today: its end has not come yet.
  const CivilDate today = LocalDateAt(api.deps().clock->Now(), kApiUtcOffsetSeconds);
  if (today < q.from) {
    return call.Problem(
        400, "invalid-field", "Invalid from",
        "the window starts after today (" + FormatDate(today) + "): nothing has happened in it yet",
        call.query.count("period") ? "period" : "from");
  }
  if (today < q.to) q.to = today;
  if (auto it = call.query.find("group_by"); it != call.query.end()) {
    std::optional<ReportGrouping> g = ParseName<ReportGrouping>(it->second);
    if (!g) {
      return call.Problem(
          400, "invalid-field", "Invalid group_by",
          "expected " + kReportGroupingNames.List(" or ") + ", got '" + it->second + "'",
          "group_by");
    }
    q.group_by = *g;
  }
  ReportFormat format = ReportFormat::kJson;
  if (auto it = call.query.find("format"); it != call.query.end()) {
    std::optional<ReportFormat> f = ParseName<ReportFormat>(it->second);
    if (!f) {
      return call.Problem(
          400, "invalid-field", "Invalid format",
          "expected " + kReportFormatNames.List(" or ") + ", got '" + it->second + "'", "format");
    }
    format = *f;
  }
  Result<Form06> report = Form06FromStore(*api.deps().store, *catalog, q, api.deps().clock->Now());
  if (!report.ok()) {
    return call.Problem(500, "internal", "Internal error", report.status().message());
  }
  const Form06Heading heading = HeadingFor(registry, q.agency);
  if (format == ReportFormat::kJson) {
    v1::Form06Report out;
    ToProto(*report, heading, &out);
    return call.Json(200, out);
  }
  HttpResponse r;
  r.content_type = ContentTypeOf(format);
  const std::string file = "form06-" + (q.agency.empty() ? std::string("all") : q.agency) + "-" +
                           FormatDate(q.from) + "-" + FormatDate(q.to) + "." + NameOf(format);
  switch (format) {
    case ReportFormat::kCsv:
      r.body = Form06Csv(*report, heading);
      r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + file + "\"");
      break;
    case ReportFormat::kHtml:
      r.body = Form06Html(*report, heading);
      break;
    case ReportFormat::kXlsx: {
      Result<std::string> bytes = Form06Xlsx(*report, heading);
      if (!bytes.ok())
        return call.Problem(500, "internal", "Internal error", bytes.status().message());
      r.body = std::move(*bytes);
      r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + file + "\"");
      break;
    }
    case ReportFormat::kJson:
      break;
  }
  call.Reply(std::move(r));
}

}  // namespace motcua::http::handlers
