#pragma once
// Reports in the formats offices file them in. Report form 06 (engine/report/form06.h): the API's
// JSON (protobuf), CSV (UTF-8 with a byte-order mark, for spreadsheets that guess encodings), a
// printable HTML page (A4 landscape, the form's Vietnamese headings) and XLSX (libxlsxwriter).
// The HTTP handler and `motcua report` share them.

#include <string>

#include "engine/common/status.h"
#include "engine/definition/catalog.h"
#include "engine/report/form06.h"
#include "engine/report/steps.h"
#include "engine/store/store.h"
#include "motcua/v1/api.pb.h"

namespace motcua {

// What the page says about the report besides its numbers.
struct Form06Heading {
  std::string agency_name;  // the reporting agency; empty: every agency
  std::string parent_name;  // the agency above it (the form's governing body line); may be empty
};

// Form 06 from a store's report counters, agencies and procedures as `catalog` has them. A
// window that ends on the day of `now` says what is overdue at `now` (the dossiers due later
// that day are read from the due index).
Result<Form06> Form06FromStore(Store& store, const ProcedureCatalog& catalog,
                               const Form06Request& request, Instant now);
// The heading of a report on `agency` (empty: every agency).
Form06Heading HeadingFor(const AgencyRegistry& registry, const std::string& agency);

enum class ReportFormat { kJson = 0, kCsv, kHtml, kXlsx };
inline constexpr auto kReportFormatNames = MakeNames<ReportFormat>({
    {ReportFormat::kJson, "json"},
    {ReportFormat::kCsv, "csv"},
    {ReportFormat::kHtml, "html"},
    {ReportFormat::kXlsx, "xlsx"},
});
static_assert(kReportFormatNames.Complete());
constexpr const auto& NamesOf(ReportFormat) { return kReportFormatNames; }
// The media type and the file name extension of a format.
const char* ContentTypeOf(ReportFormat f);

void ToProto(const Form06& f, const Form06Heading& h, v1::Form06Report* out);
std::string Form06Csv(const Form06& f, const Form06Heading& h);
std::string Form06Html(const Form06& f, const Form06Heading& h);
// Written through a temporary file (libxlsxwriter writes files only), removed before returning.
Result<std::string> Form06Xlsx(const Form06& f, const Form06Heading& h);
// The report as a file of `format` (CSV, HTML or XLSX; JSON is the caller's, as protobuf).
Result<std::string> Form06File(const Form06& f, const Form06Heading& h, ReportFormat format);

// The per-step timeliness report (engine/report/steps.h) from a store, as the API's JSON and as
// CSV (UTF-8 with a byte-order mark).
Result<StepReport> StepReportFromStore(Store& store, const ProcedureCatalog& catalog,
                                       const StepReportRequest& request);
void ToProto(const StepReport& r, const Form06Heading& h, v1::StepReport* out);
std::string StepReportCsv(const StepReport& r, const Form06Heading& h);

}  // namespace motcua
