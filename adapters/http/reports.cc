// Handlers: report form 06 (docs/reports.md) as JSON, CSV, printable HTML or XLSX, and the
// per-step timeliness report as JSON or CSV (handlers.h).

#include <algorithm>

#include "adapters/http/handlers.h"
#include "adapters/proto/view_codec.h"
#include "adapters/report/form06_formats.h"

namespace motcua::http::handlers {

namespace {

// What every report asks: whose (an agency in the caller's scope; every agency only for a caller
// who sees them all), when (a preset period or from and to, clipped at today) and in what
// format. False when the request was answered (refused).
struct ReportQuery {
  std::string agency;
  CivilDate from;
  CivilDate to;
  ReportFormat format = ReportFormat::kJson;
};

bool ParseReportQuery(Api& api, Call& call, const AgencyRegistry& registry,
                      std::initializer_list<ReportFormat> formats, ReportQuery* q) {
  if (!AgencyInScope(call, registry, /*every_allowed=*/true, &q->agency)) return false;
  if (auto it = call.query.find("period"); it != call.query.end()) {
    if (call.query.count("from") || call.query.count("to")) {
      call.Problem(400, "invalid-field", "Invalid period",
                   "give either period or from and to, not both", "period");
      return false;
    }
    std::optional<std::pair<CivilDate, CivilDate>> period = ParseReportPeriod(it->second);
    if (!period) {
      call.Problem(400, "invalid-field", "Invalid period",
                   "expected YYYY, YYYY-H1/H2, YYYY-Q1..Q4 or YYYY-MM, got '" + it->second + "'",
                   "period");
      return false;
    }
    std::tie(q->from, q->to) = *period;
  } else {
    CivilDate* bounds[2] = {&q->from, &q->to};
    const char* names[2] = {"from", "to"};
    for (int i = 0; i < 2; ++i) {
      auto b = call.query.find(names[i]);
      if (b == call.query.end()) {
        call.Problem(400, "invalid-field", std::string(names[i]) + " required",
                     "the report's window: from and to (YYYY-MM-DD, both included), or period",
                     names[i]);
        return false;
      }
      std::optional<CivilDate> d = ParseDate(b->second);
      if (!d) {
        call.Problem(400, "invalid-field", std::string("Invalid ") + names[i],
                     "expected a date YYYY-MM-DD, got '" + b->second + "'", names[i]);
        return false;
      }
      *bounds[i] = *d;
    }
    if (q->to < q->from) {
      call.Problem(400, "invalid-field", "Invalid to",
                   "the window ends (" + FormatDate(q->to) + ") before it starts (" +
                       FormatDate(q->from) + ")",
                   "to");
      return false;
    }
  }
  // A window that reaches past today is reported up to today: its end has not come yet.
  const CivilDate today = LocalDateAt(api.deps().clock->Now(), kApiUtcOffsetSeconds);
  if (today < q->from) {
    call.Problem(
        400, "invalid-field", "Invalid from",
        "the window starts after today (" + FormatDate(today) + "): nothing has happened in it yet",
        call.query.count("period") ? "period" : "from");
    return false;
  }
  if (today < q->to) q->to = today;
  if (auto it = call.query.find("format"); it != call.query.end()) {
    std::optional<ReportFormat> f = ParseName<ReportFormat>(it->second);
    if (!f || std::find(formats.begin(), formats.end(), *f) == formats.end()) {
      std::string expected;
      for (ReportFormat a : formats) {
        expected += (expected.empty() ? "" : a == *(formats.end() - 1) ? " or " : ", ");
        expected += NameOf(a);
      }
      call.Problem(400, "invalid-field", "Invalid format",
                   "expected " + expected + ", got '" + it->second + "'", "format");
      return false;
    }
    q->format = *f;
  }
  return true;
}

}  // namespace

bool AgencyInScope(Call& call, const AgencyRegistry& registry, bool every_allowed,
                   std::string* agency) {
  const Principal& p = *call.principal;
  *agency = call.query["agency"];
  if (agency->empty() && !p.AllAgencies() && p.agencies.size() == 1) *agency = p.agencies.front();
  if (agency->empty() && !(every_allowed && p.AllAgencies())) {
    call.Problem(400, "invalid-field", "agency required", "name the agency (one of yours)",
                 "agency");
    return false;
  }
  if (!agency->empty() && (registry.Find(*agency) == nullptr || !p.InScope(*agency, registry))) {
    call.Problem(404, "not-found", "Unknown agency",
                 "agency '" + *agency + "' is not in the registry or outside your scope", "agency");
    return false;
  }
  return true;
}

void GetForm06(Api& api, Call& call) {
  const std::shared_ptr<const DefinitionCatalog> catalog = api.deps().catalog();
  const AgencyRegistry& registry = catalog->Agencies();
  ReportQuery rq;
  if (!ParseReportQuery(
          api, call, registry,
          {ReportFormat::kJson, ReportFormat::kCsv, ReportFormat::kHtml, ReportFormat::kXlsx},
          &rq)) {
    return;
  }
  Form06Request q;
  q.agency = rq.agency;
  q.from = rq.from;
  q.to = rq.to;
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
  const ReportFormat format = rq.format;
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
  Result<std::string> body = Form06File(*report, heading, format);
  if (!body.ok()) return call.Problem(500, "internal", "Internal error", body.status().message());
  r.body = std::move(*body);
  // Spreadsheets are saved; the printable page opens in the browser.
  if (format != ReportFormat::kHtml) {
    r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + file + "\"");
  }
  call.Reply(std::move(r));
}

void GetStepReport(Api& api, Call& call) {
  const std::shared_ptr<const DefinitionCatalog> catalog = api.deps().catalog();
  ReportQuery rq;
  if (!ParseReportQuery(api, call, catalog->Agencies(), {ReportFormat::kJson, ReportFormat::kCsv},
                        &rq)) {
    return;
  }
  Result<StepReport> report =
      StepReportFromStore(*api.deps().store, *catalog, {rq.from, rq.to, rq.agency});
  if (!report.ok()) {
    return call.Problem(500, "internal", "Internal error", report.status().message());
  }
  const Form06Heading heading = HeadingFor(catalog->Agencies(), rq.agency);
  if (rq.format == ReportFormat::kJson) {
    v1::StepReport out;
    ToProto(*report, heading, &out);
    return call.Json(200, out);
  }
  HttpResponse r;
  r.content_type = ContentTypeOf(rq.format);
  r.body = StepReportCsv(*report, heading);
  r.headers.emplace_back("Content-Disposition",
                         "attachment; filename=\"steps-" +
                             (rq.agency.empty() ? std::string("all") : rq.agency) + "-" +
                             FormatDate(rq.from) + "-" + FormatDate(rq.to) + ".csv\"");
  call.Reply(std::move(r));
}

}  // namespace motcua::http::handlers
