#pragma once
// Report counters (form 06, DOMAIN.md §6; the definitions are in docs/reports.md): sums per local
// day, month and year × competent agency × procedure × measure, kept in the same write as the
// transition that moves them, so a report over any window reads a few thousand counters and
// never a dossier.
//
// The definitions every report, queue and view holds to:
//  * a dossier counts for its competent agency from its reception (T2), on its reception day;
//  * it is finished at its decision (processed: early, on time or late, late "with an apology"
//    when it had an extension) or at its withdrawal (T12);
//  * it is overdue at an instant when it is open and its effective due instant has come, unless
//    it is in a pause begun before that instant (Dossier::OverdueFrom): a pause does not cure
//    lateness.
//
// Every measure is a flow: a period's counter holds what happened in it (received, processed,
// withdrawn) or, for the two stocks (overdue, waiting for a supplement), how much the stock
// changed in it; a stock at the end of a day is the sum of its changes up to that day. A change
// that a transition schedules (the dossier will become overdue at its due instant) is counted on
// the day it takes effect, which may be in the future.
//
// Counter name (persisted, docs/storage.md), '\x1f'-separated:
//   "f6" level period agency procedure measure
// level y | m | d; period YYYY | YYYYMM | YYYYMMDD (local dates at UTC+07:00); every change is
// added to the counter of its day, of its month and of its year.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/common/enum_names.h"
#include "engine/common/time.h"
#include "engine/dossier/dossier.h"

namespace motcua {

// Reports count local days in Vietnam time (UTC+07:00, no DST).
constexpr int kReportUtcOffsetSeconds = 7 * 3600;

enum class ReportMeasure {
  kReceivedCounter = 0,    // received in the period at the counter (direct)
  kReceivedPostal,         // received in the period by post
  kReceivedOnlineFull,     // received in the period online, fully online (toàn trình)
  kReceivedOnlinePartial,  // received in the period online, partly online (một phần)
  kEarly,                  // decided in the period, early
  kOnTime,                 // decided in the period, on time
  kLate,                   // decided in the period, late, without an extension
  kLateExtended,           // decided in the period, late, after an extension (with an apology)
  kRefused,                // of those decided in the period: refused on the merits
  kWithdrawn,              // withdrawn in the period (stopped, T12)
  kOverdue,                // change of the overdue stock
  kSupplement,             // change of the stock waiting for the applicant's supplement
};
// Persisted: the last field of every report counter's name.
inline constexpr auto kReportMeasureNames = MakeNames<ReportMeasure>({
    {ReportMeasure::kReceivedCounter, "in_counter"},
    {ReportMeasure::kReceivedPostal, "in_postal"},
    {ReportMeasure::kReceivedOnlineFull, "in_online_full"},
    {ReportMeasure::kReceivedOnlinePartial, "in_online_partial"},
    {ReportMeasure::kEarly, "early"},
    {ReportMeasure::kOnTime, "on_time"},
    {ReportMeasure::kLate, "late"},
    {ReportMeasure::kLateExtended, "late_extended"},
    {ReportMeasure::kRefused, "refused"},
    {ReportMeasure::kWithdrawn, "withdrawn"},
    {ReportMeasure::kOverdue, "overdue"},
    {ReportMeasure::kSupplement, "supplement"},
});
static_assert(kReportMeasureNames.Complete());
constexpr const auto& NamesOf(ReportMeasure) { return kReportMeasureNames; }
constexpr size_t kReportMeasureCount = kReportMeasureNames.size();

// Counter name → change, summed. Hashed, and looked up by string_view, so adding to a counter
// already there allocates nothing: verification adds a few for each of millions of events. A
// change that sums to zero stays (dropping and adding it again cost more than keeping it):
// SortedChanges leaves it out.
struct CounterNameHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using CounterDeltas = std::unordered_map<std::string, int64_t, CounterNameHash, std::equal_to<>>;
// Adds `delta` to `name`'s change.
void AddDelta(std::string_view name, int64_t delta, CounterDeltas* out);
// The changes that do not sum to zero, by name.
std::vector<std::pair<std::string, int64_t>> SortedChanges(const CounterDeltas& deltas);

// Which levels a change is added to: each counter's day, month and year (the write path), or its
// day alone, the months and years then summed from the days by AddCoarserLevels (verification:
// a third of the lookups; a month's or year's counter is always the sum of its days').
enum class CountLevels { kAll, kDays };

// Adds what the change of one dossier from `before` (null: a new dossier) to `after` at `at`
// moves. The write path calls it per command, verification per event; both sum to the same.
void AddReportDeltas(const Dossier* before, const Dossier& after, Instant at, CounterDeltas* out);
// The same for every event of a dossier's history, replayed from the start, with the per-step
// counters of its hand-overs (steps.h).
void AddHistoryDeltas(const std::vector<Event>& history, CounterDeltas* out);
// One step of that replay: applies `e` to `d` (the history's replay so far) and adds what it
// moves. Verification replays and counts in the same pass with it.
void ApplyCounting(Dossier& d, const Event& e, CounterDeltas* out,
                   CountLevels levels = CountLevels::kAll);
// After counting with CountLevels::kDays: adds each day's changes to its month's and year's
// counters (those of the report and of the steps, each at the levels it keeps).
void AddCoarserLevels(CounterDeltas* deltas);

enum class ReportLevel : char { kYear = 'y', kMonth = 'm', kDay = 'd' };

struct ReportCounterKey {
  ReportLevel level = ReportLevel::kDay;
  std::string_view period;
  std::string_view agency;
  std::string_view procedure;
  ReportMeasure measure = ReportMeasure::kReceivedCounter;
};
// Views into `name`; nullopt unless it is a report counter's name.
std::optional<ReportCounterKey> ParseReportCounter(std::string_view name);
// The first name of a level's counters whose period is `period` or later: "f6" level period.
std::string ReportLevelBound(ReportLevel level, std::string_view period);
// The period text of `d` at `level`: "2026", "202603", "20260315".
std::string ReportPeriod(ReportLevel level, CivilDate d);

}  // namespace motcua
