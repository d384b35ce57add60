#pragma once
// Per-step timeliness, for improvement work (issue 12 §1; docs/reports.md): for a window, each
// step of each procedure and each officer who handed dossiers over from it, the hand-overs
// (the M06 rows) that were early, on time and late against the step's own budget, and the
// median and 90th percentile of the working time the step took. This is how a department finds
// which step makes dossiers late.
//
// Counted like form 06, in the same write as the hand-over (counters.h), per local day and month:
//   "sp" level period agency procedure step officer measure
// level m | d, period YYYYMM | YYYYMMDD, agency the competent one, officer the giver of the
// hand-over; measure early | on_time | late, or t<bucket>: one hand-over whose working time
// falls in that bucket of a geometric scale (each bucket 25% wider than the one before, from one
// minute), so percentiles come out within 25% without keeping every duration.

#include <cstdint>
#include <string>
#include <vector>

#include "engine/report/counters.h"
#include "engine/report/form06.h"

namespace motcua {

// The step counters' names begin with it (then the level, 'm' or 'd', and the period).
inline constexpr char kStepCounterPrefix[] = "sp";

// Adds the step counters an event moves: one for each hand-over (`after`: the dossier after it).
void AddStepDeltas(const Event& e, const Dossier& after, CounterDeltas* out,
                   CountLevels levels = CountLevels::kAll);

// The bucket of a working time, and the largest working time in a bucket.
int WorkingTimeBucket(int64_t working_seconds);
int64_t BucketUpperSeconds(int bucket);

struct StepReportRequest {
  CivilDate from;
  CivilDate to;        // inclusive
  std::string agency;  // with every unit below it; empty: every agency
};

struct StepRow {
  std::string procedure_code;
  std::string procedure_name;
  std::string step_id;
  std::string step_name;
  std::string unit;
  std::string officer;  // empty: the step's total over its officers
  int64_t handovers = 0;
  int64_t early = 0;
  int64_t on_time = 0;
  int64_t late = 0;
  // Working minutes the step took: at most this for half (nine tenths) of the hand-overs (the
  // upper edge of the bucket the percentile falls in, rounded up to a minute).
  int64_t median_minutes = 0;
  int64_t p90_minutes = 0;
};

struct StepReport {
  StepReportRequest request;
  // By procedure, then step in the procedure's order, the step's total first, then its officers.
  std::vector<StepRow> rows;
  size_t counters_read = 0;
};

Result<StepReport> BuildStepReport(const StepReportRequest& request, const AgencyRegistry& agencies,
                                   const ProcedureLookup& procedures, const CounterScan& scan);

}  // namespace motcua
