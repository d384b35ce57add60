#pragma once
// Report form 06 (DOMAIN.md §6; Circular 01/2020/TT-VPCP): for a window of local days, the
// dossiers received, processed and in progress, grouped by agency (rolled up along the agency
// tree), by field or by procedure, from the report counters (counters.h) alone.
//
// Per row, for the window [from, to]:
//   received    = online + direct (counter and post) + carried over (open at the window's start)
//               = processed + withdrawn + in progress
//   processed   = early + on time + late          (late = with an apology + without)
//   in progress = not yet due + overdue           (at the end of `to`)
// Variants: refused on the merits (of processed), waiting for a supplement (of in progress),
// fully and partly online (of online).

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/common/enum_names.h"
#include "engine/common/status.h"
#include "engine/common/time.h"
#include "engine/definition/agency.h"
#include "engine/definition/procedure.h"

namespace motcua {

enum class ReportGrouping { kAgency = 0, kField, kProcedure };
inline constexpr auto kReportGroupingNames = MakeNames<ReportGrouping>({
    {ReportGrouping::kAgency, "agency"},
    {ReportGrouping::kField, "field"},
    {ReportGrouping::kProcedure, "procedure"},
});
static_assert(kReportGroupingNames.Complete());
constexpr const auto& NamesOf(ReportGrouping) { return kReportGroupingNames; }

struct Form06Request {
  CivilDate from;
  CivilDate to;  // inclusive
  // The agency reported on, with every unit below it; empty: every agency. Grouped by agency,
  // the rows are the agency itself (its own dossiers) and each unit directly below it (rolled
  // up); for every agency, each root of the tree.
  std::string agency;
  ReportGrouping group_by = ReportGrouping::kAgency;
};

struct Form06Row {
  std::string key;    // agency code, field, or procedure code
  std::string label;  // agency name, field, or procedure name
  int64_t received = 0;
  int64_t online = 0;
  int64_t online_full = 0;
  int64_t online_partial = 0;
  int64_t direct = 0;  // at the counter and by post
  int64_t counter = 0;
  int64_t postal = 0;
  int64_t carried_over = 0;
  int64_t processed = 0;
  int64_t early = 0;
  int64_t on_time = 0;
  int64_t late = 0;
  int64_t late_with_apology = 0;
  int64_t late_without_apology = 0;
  int64_t refused = 0;
  int64_t withdrawn = 0;
  int64_t in_progress = 0;
  int64_t not_yet_due = 0;
  int64_t overdue = 0;
  int64_t supplement = 0;
  bool operator==(const Form06Row&) const = default;
};

struct Form06 {
  Form06Request request;
  std::vector<Form06Row> rows;  // by key
  Form06Row total;
  // Counters read: what the report cost.
  size_t counters_read = 0;
};

// Calls `fn` for every report counter whose name lies in [begin, end), in order.
using CounterScan =
    std::function<Status(const std::string& begin, const std::string& end,
                         const std::function<void(std::string_view name, int64_t value)>& fn)>;

// Where a counter's dossiers belong: the procedure (for its field and name) by code.
using ProcedureLookup = std::function<const Procedure*(std::string_view code)>;

// `not_yet_overdue`: for a window that ends today, the (competent agency, procedure) of every
// dossier that becomes overdue later today. The counters hold such a change on its day, so the
// stock at the end of today counts it; the report says what holds now and leaves it out.
Result<Form06> BuildForm06(
    const Form06Request& request, const AgencyRegistry& agencies, const ProcedureLookup& procedures,
    const CounterScan& scan,
    const std::vector<std::pair<std::string, std::string>>& not_yet_overdue = {});

// Whether a row's numbers keep the identities above; the first one broken, named, otherwise.
std::optional<std::string> CheckForm06Identities(const Form06Row& row);

// A preset period: "2026" (year), "2026-H1" / "2026-H2" (six months), "2026-Q3" (quarter),
// "2026-03" (month). Nullopt unless `text` is one.
std::optional<std::pair<CivilDate, CivilDate>> ParseReportPeriod(std::string_view text);

}  // namespace motcua
