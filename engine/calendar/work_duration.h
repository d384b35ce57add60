#pragma once
// Value types for statutory and step time limits, shared by definitions and the calendar, and the
// one place where working durations are parsed and written ("10 WD", "0.5 WD", "3 WH").

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/common/enum_names.h"

namespace motcua {

// An amount of working time in working days (WD) or working hours (WH). 1 WD = 8 WH
// (DOMAIN.md §5.1). Fractions are kept exactly as thousandths (0.25 WD = 250).
struct WorkDuration {
  enum class Unit { kWorkingDays, kWorkingHours };
  Unit unit = Unit::kWorkingDays;
  int64_t thousandths = 0;

  static WorkDuration Days(double d) {
    return {Unit::kWorkingDays, static_cast<int64_t>(d * 1000 + (d >= 0 ? 0.5 : -0.5))};
  }
  static WorkDuration Hours(double h) {
    return {Unit::kWorkingHours, static_cast<int64_t>(h * 1000 + (h >= 0 ? 0.5 : -0.5))};
  }
  // The amount in thousandths of a working hour (1 WD = 8 WH), for comparing budgets.
  int64_t InMilliHours() const { return unit == Unit::kWorkingDays ? thousandths * 8 : thousandths; }
  // The amount in working seconds (1 WH = 3600 working seconds).
  int64_t InWorkingSeconds() const { return InMilliHours() * 3600 / 1000; }
  bool operator==(const WorkDuration&) const = default;
};
inline constexpr auto kWorkDurationUnitNames = MakeNames<WorkDuration::Unit>({
    {WorkDuration::Unit::kWorkingDays, "WD"},
    {WorkDuration::Unit::kWorkingHours, "WH"},
});
static_assert(kWorkDurationUnitNames.Complete());
constexpr const auto& NamesOf(WorkDuration::Unit) { return kWorkDurationUnitNames; }

// "10 WD", "0.5 WD", "3 WH": digits with at most three decimals, a space, the unit. Exact (the
// thousandths are read as digits, never through floating point); nullopt for anything else.
std::optional<WorkDuration> ParseWorkDuration(std::string_view text);
// The same text back: "10 WD", "0.5 WD", "3 WH".
std::string FormatWorkDuration(WorkDuration d);
// Milli-hours as "9 WH" or "1.5 WH".
std::string FormatMilliHours(int64_t milli_hours);

// How a working-day limit lands (DOMAIN.md §5.5).
enum class DueRule {
  kSameClockTime,  // received Mon 09:00 + 2 WD → Wed 09:00 (default)
  kEndOfDay,       // received Mon 09:00 + 2 WD → Wed at the end of its last session
};
inline constexpr auto kDueRuleNames = MakeNames<DueRule>({
    {DueRule::kSameClockTime, "same_clock_time"},
    {DueRule::kEndOfDay, "end_of_day"},
});
static_assert(kDueRuleNames.Complete());
constexpr const auto& NamesOf(DueRule) { return kDueRuleNames; }

// What happens to a reception after the procedure's cut-off time (DOMAIN.md §5.4).
enum class CutoffPolicy {
  kNone,                   // no cut-off (default)
  kResultNextDay,          // the result moves to the next working day (Civil Status Law 5(3))
  kCountingStartsNextDay,  // counting starts at the next working day (Decree 63/2024 art. 7)
};
inline constexpr auto kCutoffPolicyNames = MakeNames<CutoffPolicy>({
    {CutoffPolicy::kNone, "none"},
    {CutoffPolicy::kResultNextDay, "result_next_day"},
    {CutoffPolicy::kCountingStartsNextDay, "counting_starts_next_day"},
});
static_assert(kCutoffPolicyNames.Complete());
constexpr const auto& NamesOf(CutoffPolicy) { return kCutoffPolicyNames; }

// Early / on time / late at completion (DOMAIN.md §5.8).
enum class Timeliness { kEarly, kOnTime, kLate };
inline constexpr auto kTimelinessNames = MakeNames<Timeliness>({
    {Timeliness::kEarly, "early"},
    {Timeliness::kOnTime, "on_time"},
    {Timeliness::kLate, "late"},
});
static_assert(kTimelinessNames.Complete());
constexpr const auto& NamesOf(Timeliness) { return kTimelinessNames; }

enum class TimelinessRule {
  kBySession,  // default: early = before the session in which the due instant falls
  kByDate,     // compare local dates only
};
inline constexpr auto kTimelinessRuleNames = MakeNames<TimelinessRule>({
    {TimelinessRule::kBySession, "by_session"},
    {TimelinessRule::kByDate, "by_date"},
});
static_assert(kTimelinessRuleNames.Complete());
constexpr const auto& NamesOf(TimelinessRule) { return kTimelinessRuleNames; }

// A statutory time limit: "same day" or an amount of working time.
struct TimeLimit {
  bool same_day = false;  // due at the end of the reception (counting) day
  WorkDuration duration;  // used when !same_day
  bool operator==(const TimeLimit&) const = default;
};

struct Cutoff {
  CutoffPolicy policy = CutoffPolicy::kNone;
  int minute_of_day = 15 * 60;  // receptions strictly after this local time are "late in the day"
  bool operator==(const Cutoff&) const = default;
};

}  // namespace motcua
