// The working-time calendar against the shipped national calendar (Mon–Fri 07:30–11:30,
// 13:00–17:00; days off and worked Saturdays of DOMAIN.md §5). Every expected value is worked
// out by hand in the row's comment.

#include "engine/calendar/calendar.h"

#include <gtest/gtest.h>

#include "tests/engine/calendar/shipped_calendar.h"

namespace motcua {
namespace {

using testing::At;
using testing::Local;
using testing::ShippedCalendar;

struct AddCase {
  const char* start;
  WorkDuration amount;
  DueRule rule;
  const char* expected;
  const char* why;
};

class AddTest : public ::testing::TestWithParam<AddCase> {};

TEST_P(AddTest, LandsOnTheHandComputedInstant) {
  const AddCase& c = GetParam();
  Result<Instant> due = ShippedCalendar().Add(At(c.start), c.amount, c.rule);
  ASSERT_TRUE(due.ok()) << due.status().ToString();
  EXPECT_EQ(Local(*due), c.expected) << c.why;
}

constexpr auto kSame = DueRule::kSameClockTime;
constexpr auto kEnd = DueRule::kEndOfDay;

INSTANTIATE_TEST_SUITE_P(
    Shipped, AddTest,
    ::testing::Values(
        // Tết 2025 (27–31/1 off): Fri 24/1 +3 WD → Mon 3/2 (1), Tue 4/2 (2), Wed 5/2 (3).
        AddCase{"2025-01-24T10:00", WorkDuration::Days(3), kSame, "2025-02-05T10:00:00",
                "Tết 2025"},
        // Tết 2026 (16–20/2 off): Thu 12/2 +2 WD → Fri 13/2 (1), Mon 23/2 (2).
        AddCase{"2026-02-12T14:00", WorkDuration::Days(2), kSame, "2026-02-23T14:00:00",
                "Tết 2026"},
        // Saturday 10/1/2026 is worked (swap for 2/1): Fri 9/1 +1 WD → Sat 10/1.
        AddCase{"2026-01-09T09:00", WorkDuration::Days(1), kSame, "2026-01-10T09:00:00",
                "worked Sat 10/1"},
        // Saturday 22/8/2026 is worked: Fri 21/8 +2 WD → Sat 22/8 (1), Mon 24/8 (2).
        AddCase{"2026-08-21T16:00", WorkDuration::Days(2), kSame, "2026-08-24T16:00:00",
                "worked Sat 22/8"},
        // 30/4 and 1/5/2026 off, then the weekend: Wed 29/4 +1 WD → Mon 4/5.
        AddCase{"2026-04-29T08:00", WorkDuration::Days(1), kSame, "2026-05-04T08:00:00",
                "30/4–1/5"},
        // National Day break Sat 29/8 – Wed 2/9/2026: Fri 28/8 +1 WD → Thu 3/9.
        AddCase{"2026-08-28T15:00", WorkDuration::Days(1), kSame, "2026-09-03T15:00:00",
                "29/8–2/9"},
        // 24/11/2026 (Tue) off: Mon 23/11 +1 WD → Wed 25/11.
        AddCase{"2026-11-23T10:00", WorkDuration::Days(1), kSame, "2026-11-25T10:00:00", "24/11"},
        // Year boundary: Wed 31/12/2025 +2 WD; 1/1 and 2/1/2026 off, weekend → Mon 5/1 (1), Tue 6/1
        // (2).
        AddCase{"2025-12-31T16:00", WorkDuration::Days(2), kSame, "2026-01-06T16:00:00",
                "2025→2026"},
        // Year boundary into provisional 2027: Thu 31/12/2026 +1 WD; Fri 1/1/2027 off → Mon 4/1.
        AddCase{"2026-12-31T10:00", WorkDuration::Days(1), kSame, "2027-01-04T10:00:00",
                "2026→2027"},
        // From a Saturday, counting starts Monday 07:30: 1 WD → Mon 9/3 17:00.
        AddCase{"2026-03-07T10:00", WorkDuration::Days(1), kSame, "2026-03-09T17:00:00",
                "from Saturday"},
        // From the 24/11/2026 day off: 7 WD from Wed 25/11 07:30 → 25, 26, 27, 30/11, 1, 2, 3/12.
        AddCase{"2026-11-24T10:30", WorkDuration::Days(7), kSame, "2026-12-03T17:00:00",
                "from a day off"},
        // From 20:00 on a working day: 1 WD from Tue 07:30 → Tue 17:00.
        AddCase{"2026-03-02T20:00", WorkDuration::Days(1), kSame, "2026-03-03T17:00:00",
                "from the night"},
        // Start at the first session start: 1 WD is used up at the end of the same day, 17:00.
        AddCase{"2026-03-03T07:30", WorkDuration::Days(1), kSame, "2026-03-03T17:00:00",
                "whole day"},
        // 1.5 WD from Tue 10:00: +1 WD → Wed 10:00; +4 WH: 10:00–11:30 (1.5), 13:00+2.5 → 15:30.
        AddCase{"2026-03-03T10:00", WorkDuration::Days(1.5), kSame, "2026-03-04T15:30:00",
                "1.5 WD"},
        // 0.25 WD = 2 WH from Tue 16:00: 1 WH to 17:00, then Wed 07:30 + 1 WH → 08:30.
        AddCase{"2026-03-03T16:00", WorkDuration::Days(0.25), kSame, "2026-03-04T08:30:00",
                "0.25 WD"},
        // End-of-day rule: Tue 10:00 +2 WD → Thu 5/3 10:00 → end of that day 17:00.
        AddCase{"2026-03-03T10:00", WorkDuration::Days(2), kEnd, "2026-03-05T17:00:00",
                "end of day"},
        // 3 WH from 07:30 → 10:30.
        AddCase{"2026-03-03T07:30", WorkDuration::Hours(3), kSame, "2026-03-03T10:30:00", "3 WH"},
        // 4 WH from 07:30 ends exactly at the morning session's end: 11:30, not 13:00.
        AddCase{"2026-03-03T07:30", WorkDuration::Hours(4), kSame, "2026-03-03T11:30:00",
                "session end"},
        // 4 WH from Mon 15:30: 1.5 WH to 17:00, Tue 07:30 + 2.5 WH → 10:00.
        AddCase{"2026-03-02T15:30", WorkDuration::Hours(4), kSame, "2026-03-03T10:00:00",
                "overnight"},
        // 20 WH from Fri 13/2/2026 13:00: 4 WH that day; Tết; Mon 23/2 8, Tue 24/2 8 → 17:00 Tue.
        AddCase{"2026-02-13T13:00", WorkDuration::Hours(20), kSame, "2026-02-24T17:00:00",
                "hours over Tết"},
        // 200 WD from 2/1/2025 is far: counted with the prefix sums, checked against a
        // day-by-day walk in the test below.
        AddCase{"2025-01-02T09:00", WorkDuration::Days(0), kSame, "2025-01-02T09:00:00", "zero"}),
    testing::CaseName<AddCase>);

TEST(CalendarTest, TwoHundredWorkingDaysMatchesADayByDayCount) {
  const WorkCalendar& cal = ShippedCalendar();
  Result<Instant> due = cal.Add(At("2025-01-02T09:00"), WorkDuration::Days(200));
  ASSERT_TRUE(due.ok());
  // Count working days by walking dates one at a time: the slow, obviously-right way.
  int64_t day = DaysFromCivil({2025, 1, 2});
  int counted = 0;
  while (counted < 200) {
    ++day;
    if (*cal.IsWorkingDay(CivilFromDays(day))) ++counted;
  }
  EXPECT_EQ(Local(*due), FormatDate(CivilFromDays(day)) + "T09:00:00");
}

TEST(CalendarTest, NextWorkingInstantNormalisesReceptions) {
  const WorkCalendar& cal = ShippedCalendar();
  // Inside a session: itself.
  EXPECT_EQ(Local(*cal.NextWorkingInstant(At("2026-03-03T10:00"))), "2026-03-03T10:00:00");
  // Lunch → afternoon session.
  EXPECT_EQ(Local(*cal.NextWorkingInstant(At("2026-03-03T12:00"))), "2026-03-03T13:00:00");
  // Exactly at a session end → next session.
  EXPECT_EQ(Local(*cal.NextWorkingInstant(At("2026-03-03T11:30"))), "2026-03-03T13:00:00");
  // Night → next morning.
  EXPECT_EQ(Local(*cal.NextWorkingInstant(At("2026-03-03T20:00"))), "2026-03-04T07:30:00");
  // Before dawn → same morning.
  EXPECT_EQ(Local(*cal.NextWorkingInstant(At("2026-03-04T06:00"))), "2026-03-04T07:30:00");
  // Saturday 7/3/2026 → Monday 9/3.
  EXPECT_EQ(Local(*cal.NextWorkingInstant(At("2026-03-07T10:00"))), "2026-03-09T07:30:00");
  // Holiday 2/9/2026 (Wed) → Thu 3/9.
  EXPECT_EQ(Local(*cal.NextWorkingInstant(At("2026-09-02T09:00"))), "2026-09-03T07:30:00");
  // Worked Saturday 22/8/2026 is itself a working day.
  EXPECT_EQ(Local(*cal.NextWorkingInstant(At("2026-08-22T09:00"))), "2026-08-22T09:00:00");
}

TEST(CalendarTest, WorkingTimeBetweenInstants) {
  const WorkCalendar& cal = ShippedCalendar();
  // Mon 2/3 07:30 → Fri 6/3 17:00: 5 days × 8 WH.
  EXPECT_EQ(*cal.WorkingSecondsBetween(At("2026-03-02T07:30"), At("2026-03-06T17:00")), 40 * 3600);
  // Across Tết 2026: Fri 13/2 07:30 → Mon 23/2 07:30 is one day of 8 WH.
  EXPECT_EQ(*cal.WorkingSecondsBetween(At("2026-02-13T07:30"), At("2026-02-23T07:30")), 8 * 3600);
  // Lunch and night contribute nothing: Tue 11:00 → Tue 13:30 is 0.5 + 0.5 WH.
  EXPECT_EQ(*cal.WorkingSecondsBetween(At("2026-03-03T11:00"), At("2026-03-03T13:30")), 3600);
  // Reversed interval is negative.
  EXPECT_EQ(*cal.WorkingSecondsBetween(At("2026-03-03T13:30"), At("2026-03-03T11:00")), -3600);
  // Whole of 2026 (starts on a Thursday: 104 weekend days): 365 − 104 − 14 weekdays off
  // (1/1, 2/1, 16–20/2, 27/4, 30/4, 1/5, 31/8, 1/9, 2/9, 24/11) + 2 worked Saturdays = 249 WD.
  EXPECT_EQ(*cal.WorkingSecondsBetween(At("2026-01-01T00:00"), At("2027-01-01T00:00")),
            249LL * 8 * 3600);
  // Whole of 2025 (starts on a Wednesday: 104 weekend days): 365 − 104 − 12 weekdays off
  // (1/1, 27–31/1, 7/4, 30/4, 1/5, 2/5, 1/9, 2/9) + 1 worked Saturday = 250 WD.
  EXPECT_EQ(*cal.WorkingSecondsBetween(At("2025-01-01T00:00"), At("2026-01-01T00:00")),
            250LL * 8 * 3600);
}

TEST(CalendarTest, DueDatePastTheLastCalendarYearIsAnError) {
  const WorkCalendar& cal = ShippedCalendar();
  // Thu 30/12/2027 + 5 WD: Fri 31/12 is day 1, then 2028 has no data.
  Result<Instant> due = cal.Add(At("2027-12-30T10:00"), WorkDuration::Days(5));
  ASSERT_FALSE(due.ok());
  EXPECT_EQ(due.status().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(due.status().message(),
            "no working-time calendar data for 2028-01-01: calendar 'vn' covers "
            "2025-01-01..2027-12-31; add that year's schedule");
  // Before the first year, too.
  Result<Instant> early = cal.NextWorkingInstant(At("2024-12-31T10:00"));
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.status().code(), StatusCode::kOutOfRange);
}

TEST(CalendarTest, UnannouncedYearIsProvisional) {
  const WorkCalendar& cal = ShippedCalendar();
  EXPECT_FALSE(cal.IsProvisional(At("2026-12-31T10:00")));
  EXPECT_TRUE(cal.IsProvisional(At("2027-01-04T10:00")));
}

TEST(CalendarTest, TimelinessBySession) {
  const WorkCalendar& cal = ShippedCalendar();
  // Due Tue 3/3 15:30 falls in the 13:00–17:00 session.
  Instant due = At("2026-03-03T15:30");
  EXPECT_EQ(cal.Judge(due, At("2026-03-03T12:59")), Timeliness::kEarly);
  EXPECT_EQ(cal.Judge(due, At("2026-03-03T13:00")), Timeliness::kOnTime);
  EXPECT_EQ(cal.Judge(due, At("2026-03-03T15:30")), Timeliness::kOnTime);
  EXPECT_EQ(cal.Judge(due, At("2026-03-03T15:30:01")), Timeliness::kLate);
  // Due at the morning session's end, 11:30: that session is 07:30–11:30.
  Instant noon = At("2026-03-03T11:30");
  EXPECT_EQ(cal.Judge(noon, At("2026-03-03T07:29")), Timeliness::kEarly);
  EXPECT_EQ(cal.Judge(noon, At("2026-03-03T07:30")), Timeliness::kOnTime);
  EXPECT_EQ(cal.Judge(noon, At("2026-03-03T13:00")), Timeliness::kLate);
  EXPECT_TRUE(WorkCalendar::IsOverdue(due, due));
  EXPECT_FALSE(WorkCalendar::IsOverdue(due, At("2026-03-03T15:29")));
}

TEST(CalendarTest, TimelinessByDateIsASetting) {
  CalendarSpec spec = ShippedCalendar().spec();
  spec.timeliness_rule = TimelinessRule::kByDate;
  Result<WorkCalendar> cal = WorkCalendar::Build(spec);
  ASSERT_TRUE(cal.ok());
  Instant due = At("2026-03-03T15:30");
  EXPECT_EQ(cal->Judge(due, At("2026-03-02T16:00")), Timeliness::kEarly);
  EXPECT_EQ(cal->Judge(due, At("2026-03-03T16:00")), Timeliness::kOnTime);
  EXPECT_EQ(cal->Judge(due, At("2026-03-04T08:00")), Timeliness::kLate);
}

TEST(CalendarTest, BuildRejectsBadData) {
  CalendarSpec spec = ShippedCalendar().spec();
  spec.years[1].days_off.push_back({2026, 2, 21});  // a Saturday
  Result<WorkCalendar> sat = WorkCalendar::Build(spec);
  ASSERT_FALSE(sat.ok());
  EXPECT_EQ(sat.status().message(),
            "calendar 'vn' year 2026: day off 2026-02-21 is a Saturday, not a working weekday; "
            "list the weekday it is made up on");

  spec = ShippedCalendar().spec();
  spec.years.erase(spec.years.begin() + 1);  // 2025, 2027
  Result<WorkCalendar> gap = WorkCalendar::Build(spec);
  ASSERT_FALSE(gap.ok());
  EXPECT_EQ(gap.status().message(),
            "calendar 'vn': years must be consecutive; 2026 is missing between 2025 and 2027");
}

TEST(CalendarTest, AYearCanBeAddedByRebuilding) {
  CalendarSpec spec = ShippedCalendar().spec();
  CalendarYear y2028;
  y2028.year = 2028;
  y2028.announced = false;
  spec.years.push_back(y2028);
  Result<WorkCalendar> cal = WorkCalendar::Build(spec);
  ASSERT_TRUE(cal.ok());
  // The case that failed above now computes: Fri 31/12/2027 (1), Mon 3/1/2028 (2) ... Thu 6/1 (5).
  EXPECT_EQ(Local(*cal->Add(At("2027-12-30T10:00"), WorkDuration::Days(5))), "2028-01-06T10:00:00");
}

}  // namespace
}  // namespace motcua
