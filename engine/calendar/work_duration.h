#pragma once
// Value types for statutory and step time limits, shared by definitions and the calendar.

#include <cstdint>
#include <string>

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
  int64_t InMilliHours() const {
    return unit == Unit::kWorkingDays ? thousandths * 8 : thousandths;
  }
  bool operator==(const WorkDuration&) const = default;
};

// "10 WD", "0.5 WD", "3 WH".
std::string FormatWorkDuration(WorkDuration d);
// Milli-hours as "9 WH" or "1.5 WH".
std::string FormatMilliHours(int64_t milli_hours);

// How a working-day limit lands (DOMAIN.md §5.5).
enum class DueRule {
  kSameClockTime,  // received Mon 09:00 + 2 WD → Wed 09:00 (default)
  kEndOfDay,       // received Mon 09:00 + 2 WD → Wed at the end of its last session
};

// What happens to a reception after the procedure's cut-off time (DOMAIN.md §5.4).
enum class CutoffPolicy {
  kNone,                   // no cut-off (default)
  kResultNextDay,          // the result moves to the next working day (Civil Status Law 5(3))
  kCountingStartsNextDay,  // counting starts at the next working day (Decree 63/2024 art. 7)
};

// Early / on time / late at completion (DOMAIN.md §5.8).
enum class Timeliness { kEarly, kOnTime, kLate };
const char* TimelinessName(Timeliness t);

enum class TimelinessRule {
  kBySession,  // default: early = before the session in which the due instant falls
  kByDate,     // compare local dates only
};

}  // namespace motcua

namespace motcua {

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
