#pragma once
// The working-time calendar: when an agency works, as data (DOMAIN.md §5).
//
// A WorkCalendar is built once from a CalendarSpec (weekly sessions plus per-year days off and
// worked days) and is immutable afterwards, so it can be shared between threads; a corrected or
// added year means building a new WorkCalendar and swapping the pointer.
//
// Every operation is O(log days) or better: per-day prefix sums of working days and working
// seconds are precomputed over the covered years, so adding 200 working days or measuring five
// years never walks day by day.
//
// Instants are UTC seconds; sessions and dates are local at the calendar's fixed UTC offset.
// An operation whose answer would fall outside the covered years returns kOutOfRange naming the
// date: never a silent guess.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/calendar/work_duration.h"
#include "engine/common/status.h"
#include "engine/common/time.h"

namespace motcua {

// One working session, in local minutes since midnight: [start, end).
struct Session {
  int start_minute = 0;
  int end_minute = 0;
  bool operator==(const Session&) const = default;
};

struct CalendarYear {
  int year = 0;
  // false: the government has not announced this year's schedule; computations are allowed but
  // flagged provisional (IsProvisional).
  bool announced = true;
  std::vector<CivilDate> days_off;     // weekdays off (holidays, swapped days)
  std::vector<CivilDate> worked_days;  // weekend days worked (swaps), with worked_day_sessions
};

struct CalendarSpec {
  std::string id;  // e.g. "vn"
  std::string name;
  int utc_offset_seconds = 7 * 3600;  // Default: +07:00 (Vietnam, no DST)
  // Sessions per weekday, index 0 = Monday ... 6 = Sunday. Empty = not a working weekday.
  std::array<std::vector<Session>, 7> weekly;
  // Sessions of a weekend day worked by swap. Default (empty): Monday's sessions.
  std::vector<Session> worked_day_sessions;
  // Must be consecutive years once sorted.
  std::vector<CalendarYear> years;
  TimelinessRule timeliness_rule = TimelinessRule::kBySession;  // Default: kBySession
};

class WorkCalendar {
 public:
  // Validates the spec (sessions ordered and disjoint, years consecutive and unique, days off
  // on working weekdays, worked days on weekend days, every date inside its year) and
  // precomputes the prefix sums. Errors name the offending year and date.
  static Result<WorkCalendar> Build(CalendarSpec spec);

  const std::string& id() const { return spec_.id; }
  const CalendarSpec& spec() const { return spec_; }
  int utc_offset_seconds() const { return spec_.utc_offset_seconds; }
  int first_year() const { return first_year_; }
  int last_year() const { return first_year_ + static_cast<int>(spec_.years.size()) - 1; }

  // Whether the instant's local date is in a covered year whose schedule is not announced.
  bool IsProvisional(Instant t) const;
  Result<bool> IsWorkingDay(CivilDate d) const;
  CivilDate LocalDate(Instant t) const;
  int LocalSecondOfDay(Instant t) const;

  // The start of counting for something received at `t`: `t` itself when inside a session,
  // otherwise the start of the next session (DOMAIN.md §5.3).
  Result<Instant> NextWorkingInstant(Instant t) const;
  // Start of the first session of the first working day after t's local day.
  Result<Instant> StartOfNextWorkingDay(Instant t) const;
  // End of the last session of t's local day, which must be a working day.
  Result<Instant> EndOfWorkingDay(Instant t) const;

  // Working seconds in [a, b); negative when b < a.
  Result<int64_t> WorkingSecondsBetween(Instant a, Instant b) const;
  // The earliest instant t >= start with WorkingSecondsBetween(start, t) >= seconds.
  // A limit that ends exactly at a session's end lands on that end (11:30, not 13:30).
  Result<Instant> AddWorkingSeconds(Instant start, int64_t seconds) const;
  // The earliest instant t with WorkingSecondsBetween(t, end) <= seconds: `seconds` of working
  // time before `end` (for "nearly due" warnings). Clamped to the start of the covered range.
  Result<Instant> SubtractWorkingSeconds(Instant end, int64_t seconds) const;
  // Adds a working duration. Whole working days move to the same working position N working
  // days later (kSameClockTime) or to the end of that day (kEndOfDay); fractions of a day and
  // working hours walk session time (0.5 WD = 4 WH).
  Result<Instant> Add(Instant start, WorkDuration d, DueRule rule = DueRule::kSameClockTime) const;

  // Early / on time / late for work finished at `done` against `due` (DOMAIN.md §5.8).
  Timeliness Judge(Instant due, Instant done) const;
  // A dossier still open at `t` is overdue when due <= t.
  static bool IsOverdue(Instant due, Instant t) { return due <= t; }

 private:
  struct Pattern {
    std::vector<Session> sessions;
    int64_t total_seconds = 0;
  };
  explicit WorkCalendar(CalendarSpec spec) : spec_(std::move(spec)) {}

  // Day index (0 = Jan 1 of first_year) and second of the local day; OutOfRange outside.
  Status Locate(Instant t, int64_t* day, int64_t* second_of_day) const;
  Status OutOfRangeAt(int64_t day_index) const;
  const Pattern& PatternOf(int64_t day) const { return patterns_[day_pattern_[day]]; }
  int64_t SecondsIntoDay(int64_t day, int64_t second_of_day) const;
  // Cumulative working seconds from the start of the covered range to t.
  Result<int64_t> Cumulative(Instant t) const;
  // The earliest instant whose cumulative working seconds reach `target` (> 0).
  Result<Instant> FromCumulative(int64_t target) const;
  Instant InstantOf(int64_t day, int64_t second_of_day) const;
  // The first working day with index > day, or -1.
  int64_t NextWorkingDay(int64_t day) const;

  CalendarSpec spec_;
  int first_year_ = 0;
  int64_t first_day_ = 0;                     // days since epoch of Jan 1 of first_year_
  std::vector<Pattern> patterns_;             // [0] = not a working day
  std::vector<uint8_t> day_pattern_;          // per covered day
  std::vector<int32_t> working_days_before_;  // size days+1
  std::vector<int64_t> seconds_before_;       // size days+1
};

}  // namespace motcua
