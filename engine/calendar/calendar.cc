// The working-time calendar (calendar.h): building it from its spec, and every query as a binary
// search over per-day prefix sums plus a walk over one day's sessions.

#include "engine/calendar/calendar.h"

#include <algorithm>
#include <cstdio>
#include <set>

namespace motcua {

namespace {

constexpr int64_t kSecondsPerDay = 86400;
constexpr int64_t kSecondsPerWorkingHour = 3600;
constexpr int64_t kSecondsPerWorkingDay = 8 * kSecondsPerWorkingHour;  // 1 WD = 8 WH

int64_t FloorDiv(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

const char* kWeekdayNames[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                               "Friday", "Saturday", "Sunday"};

Status CheckSessions(const std::vector<Session>& sessions, const std::string& what) {
  int prev_end = -1;
  for (const Session& s : sessions) {
    if (s.start_minute < 0 || s.end_minute > 24 * 60 || s.start_minute >= s.end_minute) {
      return InvalidArgument(what + ": session " + FormatClock(s.start_minute) + "-" +
                             FormatClock(s.end_minute) +
                             " must end after it starts, within the day");
    }
    if (s.start_minute < prev_end) {
      return InvalidArgument(what + ": sessions must be in order and must not overlap (" +
                             FormatClock(s.start_minute) + " starts before " +
                             FormatClock(prev_end) + ")");
    }
    prev_end = s.end_minute;
  }
  return Status::Ok();
}

}  // namespace

Result<WorkCalendar> WorkCalendar::Build(CalendarSpec spec) {
  const std::string cal = "calendar '" + spec.id + "'";
  for (int w = 0; w < 7; ++w) {
    RETURN_IF_ERROR(CheckSessions(spec.weekly[w], cal + " " + kWeekdayNames[w]));
  }
  if (spec.worked_day_sessions.empty()) spec.worked_day_sessions = spec.weekly[0];
  RETURN_IF_ERROR(CheckSessions(spec.worked_day_sessions, cal + " worked_day_sessions"));
  if (spec.worked_day_sessions.empty()) {
    return InvalidArgument(cal + ": worked days need sessions; Monday has none");
  }
  if (spec.years.empty()) return InvalidArgument(cal + ": no years; at least one is required");
  std::sort(spec.years.begin(), spec.years.end(),
            [](const CalendarYear& a, const CalendarYear& b) { return a.year < b.year; });
  for (size_t i = 1; i < spec.years.size(); ++i) {
    if (spec.years[i].year == spec.years[i - 1].year) {
      return InvalidArgument(cal + ": year " + std::to_string(spec.years[i].year) +
                             " is listed twice");
    }
    if (spec.years[i].year != spec.years[i - 1].year + 1) {
      return InvalidArgument(cal + ": years must be consecutive; " +
                             std::to_string(spec.years[i - 1].year + 1) + " is missing between " +
                             std::to_string(spec.years[i - 1].year) + " and " +
                             std::to_string(spec.years[i].year));
    }
  }

  WorkCalendar c(std::move(spec));
  const CalendarSpec& s = c.spec_;
  c.first_year_ = s.years.front().year;
  c.first_day_ = DaysFromCivil({c.first_year_, 1, 1});
  const int64_t end_day = DaysFromCivil({c.last_year() + 1, 1, 1});
  const int64_t n = end_day - c.first_day_;

  // Pattern 0 = no work; 1..7 = weekday patterns; 8 = worked-day sessions.
  c.patterns_.push_back({});
  auto add_pattern = [&c](const std::vector<Session>& ss) {
    Pattern p{ss, 0};
    for (const Session& x : ss) p.total_seconds += (x.end_minute - x.start_minute) * 60;
    c.patterns_.push_back(std::move(p));
  };
  for (int w = 0; w < 7; ++w) add_pattern(s.weekly[w]);
  add_pattern(s.worked_day_sessions);
  constexpr uint8_t kWorkedDayPattern = 8;

  c.day_pattern_.resize(n);
  for (int64_t i = 0; i < n; ++i) {
    int w = WeekdayFromDays(c.first_day_ + i);
    c.day_pattern_[i] = s.weekly[w].empty() ? 0 : static_cast<uint8_t>(w + 1);
  }
  for (const CalendarYear& y : s.years) {
    const std::string where = cal + " year " + std::to_string(y.year);
    std::set<CivilDate> seen;
    for (const CivilDate& d : y.days_off) {
      if (d.year != y.year) {
        return InvalidArgument(where + ": day off " + FormatDate(d) + " is not in " +
                               std::to_string(y.year));
      }
      if (!seen.insert(d).second) {
        return InvalidArgument(where + ": " + FormatDate(d) + " is listed twice");
      }
      int64_t i = DaysFromCivil(d) - c.first_day_;
      int w = WeekdayFromDays(DaysFromCivil(d));
      if (s.weekly[w].empty()) {
        return InvalidArgument(where + ": day off " + FormatDate(d) + " is a " + kWeekdayNames[w] +
                               ", not a working weekday; list the weekday it is made up on");
      }
      c.day_pattern_[i] = 0;
    }
    for (const CivilDate& d : y.worked_days) {
      if (d.year != y.year) {
        return InvalidArgument(where + ": worked day " + FormatDate(d) + " is not in " +
                               std::to_string(y.year));
      }
      if (!seen.insert(d).second) {
        return InvalidArgument(where + ": " + FormatDate(d) + " is listed twice");
      }
      int w = WeekdayFromDays(DaysFromCivil(d));
      if (!s.weekly[w].empty()) {
        return InvalidArgument(where + ": worked day " + FormatDate(d) + " is a " +
                               kWeekdayNames[w] + ", already a working weekday");
      }
      c.day_pattern_[DaysFromCivil(d) - c.first_day_] = kWorkedDayPattern;
    }
  }
  c.working_days_before_.assign(n + 1, 0);
  c.seconds_before_.assign(n + 1, 0);
  for (int64_t i = 0; i < n; ++i) {
    const Pattern& p = c.patterns_[c.day_pattern_[i]];
    c.working_days_before_[i + 1] = c.working_days_before_[i] + (p.total_seconds > 0 ? 1 : 0);
    c.seconds_before_[i + 1] = c.seconds_before_[i] + p.total_seconds;
  }
  return c;
}

Status WorkCalendar::OutOfRangeAt(int64_t day_index) const {
  return OutOfRange("no working-time calendar data for " +
                    FormatDate(CivilFromDays(first_day_ + day_index)) + ": calendar '" + spec_.id +
                    "' covers " + std::to_string(first_year()) + "-01-01.." +
                    std::to_string(last_year()) + "-12-31; add that year's schedule");
}

Status WorkCalendar::Locate(Instant t, int64_t* day, int64_t* sod) const {
  int64_t local = t.seconds + spec_.utc_offset_seconds;
  int64_t d = FloorDiv(local, kSecondsPerDay);
  *day = d - first_day_;
  *sod = local - d * kSecondsPerDay;
  if (*day < 0 || *day >= static_cast<int64_t>(day_pattern_.size())) return OutOfRangeAt(*day);
  return Status::Ok();
}

Instant WorkCalendar::InstantOf(int64_t day, int64_t sod) const {
  return Instant{(first_day_ + day) * kSecondsPerDay + sod - spec_.utc_offset_seconds};
}

CivilDate WorkCalendar::LocalDate(Instant t) const {
  return LocalDateAt(t, spec_.utc_offset_seconds);
}

int WorkCalendar::LocalSecondOfDay(Instant t) const {
  int64_t local = t.seconds + spec_.utc_offset_seconds;
  return static_cast<int>(local - FloorDiv(local, kSecondsPerDay) * kSecondsPerDay);
}

bool WorkCalendar::IsProvisional(Instant t) const {
  int y = LocalDate(t).year;
  if (y < first_year() || y > last_year()) return true;
  return !spec_.years[y - first_year()].announced;
}

Result<bool> WorkCalendar::IsWorkingDay(CivilDate d) const {
  int64_t i = DaysFromCivil(d) - first_day_;
  if (i < 0 || i >= static_cast<int64_t>(day_pattern_.size())) return OutOfRangeAt(i);
  return day_pattern_[i] != 0;
}

int64_t WorkCalendar::SecondsIntoDay(int64_t day, int64_t sod) const {
  int64_t total = 0;
  for (const Session& s : PatternOf(day).sessions) {
    int64_t a = s.start_minute * 60, b = s.end_minute * 60;
    if (sod <= a) break;
    total += std::min(sod, b) - a;
  }
  return total;
}

Result<int64_t> WorkCalendar::Cumulative(Instant t) const {
  int64_t day, sod;
  RETURN_IF_ERROR(Locate(t, &day, &sod));
  return seconds_before_[day] + SecondsIntoDay(day, sod);
}

Result<Instant> WorkCalendar::FromCumulative(int64_t target) const {
  // The day i with seconds_before_[i] < target <= seconds_before_[i + 1].
  auto it = std::lower_bound(seconds_before_.begin() + 1, seconds_before_.end(), target);
  if (it == seconds_before_.end()) return OutOfRangeAt(static_cast<int64_t>(day_pattern_.size()));
  int64_t day = (it - seconds_before_.begin()) - 1;
  int64_t remaining = target - seconds_before_[day];
  for (const Session& s : PatternOf(day).sessions) {
    int64_t len = (s.end_minute - s.start_minute) * 60;
    if (remaining <= len) return InstantOf(day, s.start_minute * 60 + remaining);
    remaining -= len;
  }
  return Internal("calendar prefix sums disagree with day sessions");  // our bug
}

int64_t WorkCalendar::NextWorkingDay(int64_t day) const {
  // Smallest j > day with working_days_before_[j + 1] > working_days_before_[day + 1].
  auto it = std::upper_bound(working_days_before_.begin() + day + 1, working_days_before_.end(),
                             working_days_before_[day + 1]);
  if (it == working_days_before_.end()) return -1;
  return (it - working_days_before_.begin()) - 1;
}

Result<Instant> WorkCalendar::NextWorkingInstant(Instant t) const {
  int64_t day, sod;
  RETURN_IF_ERROR(Locate(t, &day, &sod));
  for (const Session& s : PatternOf(day).sessions) {
    if (sod < s.start_minute * 60) return InstantOf(day, s.start_minute * 60);
    if (sod < s.end_minute * 60) return t;
  }
  int64_t next = NextWorkingDay(day);
  if (next < 0) return OutOfRangeAt(static_cast<int64_t>(day_pattern_.size()));
  return InstantOf(next, PatternOf(next).sessions.front().start_minute * 60);
}

Result<Instant> WorkCalendar::StartOfNextWorkingDay(Instant t) const {
  int64_t day, sod;
  RETURN_IF_ERROR(Locate(t, &day, &sod));
  int64_t next = NextWorkingDay(day);
  if (next < 0) return OutOfRangeAt(static_cast<int64_t>(day_pattern_.size()));
  return InstantOf(next, PatternOf(next).sessions.front().start_minute * 60);
}

Result<Instant> WorkCalendar::EndOfWorkingDay(Instant t) const {
  int64_t day, sod;
  RETURN_IF_ERROR(Locate(t, &day, &sod));
  const Pattern& p = PatternOf(day);
  if (p.sessions.empty()) {
    return FailedPrecondition(FormatDate(LocalDate(t)) + " is not a working day in calendar '" +
                              spec_.id + "'");
  }
  return InstantOf(day, p.sessions.back().end_minute * 60);
}

Result<int64_t> WorkCalendar::WorkingSecondsBetween(Instant a, Instant b) const {
  ASSIGN_OR_RETURN(int64_t ca, Cumulative(a));
  ASSIGN_OR_RETURN(int64_t cb, Cumulative(b));
  return cb - ca;
}

Result<Instant> WorkCalendar::AddWorkingSeconds(Instant start, int64_t seconds) const {
  if (seconds < 0) return InvalidArgument("cannot add a negative working time");
  ASSIGN_OR_RETURN(int64_t c, Cumulative(start));
  if (seconds == 0) return start;
  return FromCumulative(c + seconds);
}

Result<Instant> WorkCalendar::SubtractWorkingSeconds(Instant end, int64_t seconds) const {
  if (seconds < 0) return InvalidArgument("cannot subtract a negative working time");
  ASSIGN_OR_RETURN(int64_t c, Cumulative(end));
  if (seconds == 0) return end;
  if (c - seconds <= 0) return InstantOf(0, 0);
  return FromCumulative(c - seconds);
}

Result<Instant> WorkCalendar::Add(Instant start, WorkDuration d, DueRule rule) const {
  if (d.thousandths < 0) return InvalidArgument("cannot add a negative working time");
  if (d.unit == WorkDuration::Unit::kWorkingHours) {
    return AddWorkingSeconds(start, d.thousandths * kSecondsPerWorkingHour / 1000);
  }
  const int64_t whole = d.thousandths / 1000;
  const int64_t fraction_seconds = (d.thousandths % 1000) * kSecondsPerWorkingDay / 1000;
  Instant t = start;
  if (whole > 0) {
    // Counting starts at the next working instant: from a weekend, a day off or a night, the
    // first of the N days is the next working day (DOMAIN.md §5.3).
    ASSIGN_OR_RETURN(Instant from, NextWorkingInstant(start));
    int64_t day, sod;
    RETURN_IF_ERROR(Locate(from, &day, &sod));
    // The working position in the start day carries over to the day `whole` working days on.
    const int64_t into = SecondsIntoDay(day, sod);
    // From a day's start, N days on is the end of the Nth working day counting this one: the
    // same working position, found without the data of the day after it (a due on the last
    // day a calendar covers is computed).
    const int64_t wanted = working_days_before_[day + 1] + whole - (into == 0 ? 1 : 0);
    auto it = std::lower_bound(working_days_before_.begin() + day + 1, working_days_before_.end(),
                               wanted);
    if (it == working_days_before_.end()) {
      return OutOfRangeAt(static_cast<int64_t>(day_pattern_.size()));
    }
    const int64_t target_day = (it - working_days_before_.begin()) - 1;
    const int64_t target =
        into == 0 ? seconds_before_[target_day + 1] : seconds_before_[target_day] + into;
    if (target == 0) {
      t = InstantOf(target_day, 0);  // cannot happen after a working day; defensive
    } else {
      ASSIGN_OR_RETURN(t, FromCumulative(target));
    }
  }
  if (fraction_seconds > 0) {
    ASSIGN_OR_RETURN(t, AddWorkingSeconds(t, fraction_seconds));
  }
  if (rule == DueRule::kEndOfDay && d.thousandths > 0) {
    ASSIGN_OR_RETURN(Instant end, EndOfWorkingDay(t));
    // An instant at 00:00-07:30 of a later day cannot occur: results are earliest instants,
    // always inside or at the end of a session.
    t = end;
  }
  return t;
}

Timeliness WorkCalendar::Judge(Instant due, Instant done) const {
  if (spec_.timeliness_rule == TimelinessRule::kByDate) {
    CivilDate a = LocalDate(done), b = LocalDate(due);
    if (a < b) return Timeliness::kEarly;
    if (a == b) return Timeliness::kOnTime;
    return Timeliness::kLate;
  }
  if (done > due) return Timeliness::kLate;
  // The session in which the due instant falls: start < due <= end (due dates are earliest
  // instants, so a due at a session's end belongs to that session).
  Instant session_start = due;
  int64_t day, sod;
  if (Locate(due, &day, &sod).ok()) {
    for (const Session& s : PatternOf(day).sessions) {
      if (sod > s.start_minute * 60 && sod <= s.end_minute * 60) {
        session_start = InstantOf(day, s.start_minute * 60);
        break;
      }
    }
  }
  return done < session_start ? Timeliness::kEarly : Timeliness::kOnTime;
}

}  // namespace motcua
