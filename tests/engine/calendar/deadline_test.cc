// Due dates as the M01 slip states them: cut-offs, receptions outside sessions, pauses.
// Calendar: the shipped national one (Mon–Fri 07:30–11:30, 13:00–17:00).

#include "engine/calendar/deadline.h"

#include <gtest/gtest.h>

#include "tests/engine/calendar/shipped_calendar.h"

namespace motcua {
namespace {

using testing::At;
using testing::Local;
using testing::ShippedCalendar;

const TimeLimit kSameDay{true, {}};
const Cutoff kResultNextDay{CutoffPolicy::kResultNextDay, 15 * 60};
const Cutoff kCountNextDay{CutoffPolicy::kCountingStartsNextDay, 15 * 60};
const Cutoff kNoCutoff{};
const Cutoff kResultNextDay11{CutoffPolicy::kResultNextDay, 11 * 60};
const Cutoff kCountNextDay11{CutoffPolicy::kCountingStartsNextDay, 11 * 60};
const Cutoff kResultNextDay12{CutoffPolicy::kResultNextDay, 12 * 60};

TimeLimit Days(double d) { return {false, WorkDuration::Days(d)}; }
TimeLimit Hours(double h) { return {false, WorkDuration::Hours(h)}; }

struct DueCase {
  const char* received;
  TimeLimit limit;
  Cutoff cutoff;
  const char* counting_start;
  const char* due;
  bool after_cutoff;
  const char* why;
};

class DueTest : public ::testing::TestWithParam<DueCase> {};

TEST_P(DueTest, MatchesTheSlip) {
  const DueCase& c = GetParam();
  Result<DueDate> d =
      ComputeDue(ShippedCalendar(), At(c.received), c.limit, c.cutoff, DueRule::kSameClockTime);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(Local(d->counting_start), c.counting_start) << c.why;
  EXPECT_EQ(Local(d->due), c.due) << c.why;
  EXPECT_EQ(d->after_cutoff, c.after_cutoff) << c.why;
}

INSTANTIATE_TEST_SUITE_P(
    Shipped, DueTest,
    ::testing::Values(
        // Same day, cut-off 15:00 "result next day" (birth registration, Mon 2/3/2026).
        // 14:59 and 15:00 are not after 15:00: due at the end of the day.
        DueCase{"2026-03-02T14:59", kSameDay, kResultNextDay, "2026-03-02T14:59:00",
                "2026-03-02T17:00:00", false, "14:59"},
        DueCase{"2026-03-02T15:00", kSameDay, kResultNextDay, "2026-03-02T15:00:00",
                "2026-03-02T17:00:00", false, "15:00"},
        // 15:01 is after the cut-off: the result moves to the end of Tue 3/3.
        DueCase{"2026-03-02T15:01", kSameDay, kResultNextDay, "2026-03-02T15:01:00",
                "2026-03-03T17:00:00", true, "15:01"},
        // Friday before Tết 2026, 15:01: next working day is Mon 23/2.
        DueCase{"2026-02-13T15:01", kSameDay, kResultNextDay, "2026-02-13T15:01:00",
                "2026-02-23T17:00:00", true, "15:01 before Tết"},
        // "Counting starts next day": 15:30 Mon → counting Tue 07:30, 4 WH → Tue 11:30.
        DueCase{"2026-03-02T15:30", Hours(4), kCountNextDay, "2026-03-03T07:30:00",
                "2026-03-03T11:30:00", true, "count next day"},
        // Without a cut-off the same reception: 1.5 WH Mon, 2.5 WH Tue → 10:00.
        DueCase{"2026-03-02T15:30", Hours(4), kNoCutoff, "2026-03-02T15:30:00",
                "2026-03-03T10:00:00", false, "no cut-off"},
        // Online at night: counting starts Tue 07:30; 1 WD is used up Tue 17:00.
        DueCase{"2026-03-02T20:00", Days(1), kNoCutoff, "2026-03-03T07:30:00",
                "2026-03-03T17:00:00", false, "night"},
        // Night submission with a same-day cut-off: counting at 07:30 is before 15:00.
        // Night submission with a same-day cut-off: after 15:00 of a working day, so after the
        // cut-off; counted as received on Monday, the result moves to Tuesday's end.
        DueCase{"2026-03-02T20:00", kSameDay, kResultNextDay, "2026-03-03T07:30:00",
                "2026-03-03T17:00:00", true, "night, same day"},
        // Before the first session the cut-off has not passed: Monday's end.
        DueCase{"2026-03-02T06:00", kSameDay, kResultNextDay, "2026-03-02T07:30:00",
                "2026-03-02T17:00:00", false, "early morning, same day"},
        // Cut-off 11:00, received in the lunch break at 11:51: after the cut-off, as 11:29 is.
        DueCase{"2026-03-02T11:51", kSameDay, kResultNextDay11, "2026-03-02T13:00:00",
                "2026-03-03T17:00:00", true, "lunch after an 11:00 cut-off"},
        DueCase{"2026-03-02T11:29", kSameDay, kResultNextDay11, "2026-03-02T11:29:00",
                "2026-03-03T17:00:00", true, "morning after an 11:00 cut-off"},
        DueCase{"2026-03-02T11:51", Hours(4), kCountNextDay11, "2026-03-03T07:30:00",
                "2026-03-03T11:30:00", true, "lunch, counting next day"},
        // Cut-off 12:00, inside the lunch break: 11:45 is before it, 12:30 after it.
        DueCase{"2026-03-02T11:45", kSameDay, kResultNextDay12, "2026-03-02T13:00:00",
                "2026-03-02T17:00:00", false, "lunch before a 12:00 cut-off"},
        DueCase{"2026-03-02T12:30", kSameDay, kResultNextDay12, "2026-03-02T13:00:00",
                "2026-03-03T17:00:00", true, "lunch after a 12:00 cut-off"},
        // After hours with "counting starts next day": Tuesday's start, not Wednesday's.
        DueCase{"2026-03-02T18:00", Hours(4), kCountNextDay, "2026-03-03T07:30:00",
                "2026-03-03T11:30:00", true, "evening, counting next day"},
        // A Saturday (not worked) is no working day: no cut-off; Monday counts.
        DueCase{"2026-03-07T16:00", kSameDay, kResultNextDay, "2026-03-09T07:30:00",
                "2026-03-09T17:00:00", false, "Saturday afternoon"},
        // Lunch: 12:00 → counting 13:00, 2 WH → 15:00.
        DueCase{"2026-03-02T12:00", Hours(2), kNoCutoff, "2026-03-02T13:00:00",
                "2026-03-02T15:00:00", false, "lunch"},
        // Saturday 7/3: counting Mon 9/3 07:30, 0.5 WD = 4 WH → 11:30.
        DueCase{"2026-03-07T10:00", Days(0.5), kNoCutoff, "2026-03-09T07:30:00",
                "2026-03-09T11:30:00", false, "weekend"},
        // Holiday 30/4/2026: counting Mon 4/5 07:30; 1 WD → Mon 17:00.
        DueCase{"2026-04-30T09:00", Days(1), kNoCutoff, "2026-05-04T07:30:00",
                "2026-05-04T17:00:00", false, "holiday"},
        // 10 WD from Fri 21/8/2026 09:00: Sat 22/8 (1, worked), Mon 24/8 (2), 25 (3), 26 (4),
        // 27 (5), 28 (6); 29/8–2/9 off; Thu 3/9 (7), Fri 4/9 (8), Mon 7/9 (9), Tue 8/9 (10).
        DueCase{"2026-08-21T09:00", Days(10), kNoCutoff, "2026-08-21T09:00:00",
                "2026-09-08T09:00:00", false, "10 WD over National Day"},
        // Same day received on a worked Saturday, 16:00 with a 15:00 cut-off → Mon 24/8 17:00.
        DueCase{"2026-08-22T16:00", kSameDay, kResultNextDay, "2026-08-22T16:00:00",
                "2026-08-24T17:00:00", true, "worked Saturday after cut-off"}),
    testing::CaseName<DueCase>);

// A later reception never gets an earlier start of counting or an earlier result: every minute
// from a Friday to a Monday, for cut-offs before, inside and after the lunch break and after
// hours, with both policies and the limits each is for.
TEST(DeadlineTest, ALaterReceptionNeverGetsAnEarlierResult) {
  const WorkCalendar& cal = ShippedCalendar();
  const Instant from = At("2026-03-06T00:00");  // Fri, Sat, Sun, Mon
  for (CutoffPolicy policy : {CutoffPolicy::kResultNextDay, CutoffPolicy::kCountingStartsNextDay}) {
    for (int cutoff : {10 * 60 + 59, 11 * 60, 11 * 60 + 45, 12 * 60 + 30, 15 * 60, 17 * 60 + 30}) {
      for (const TimeLimit& limit : {kSameDay, Hours(4), Days(1), Days(10)}) {
        // "Result next day" is for same-day limits only (the definition loader refuses others).
        if (policy == CutoffPolicy::kResultNextDay && !limit.same_day) continue;
        std::optional<DueDate> last;
        for (int64_t m = 0; m < 4 * 24 * 60; ++m) {
          const Instant t{from.seconds + m * 60};
          Result<DueDate> d = ComputeDue(cal, t, limit, Cutoff{policy, cutoff}, DueRule::kSameClockTime);
          ASSERT_TRUE(d.ok()) << Local(t) << ": " << d.status().ToString();
          if (last) {
            ASSERT_FALSE(d->due < last->due)
                << "received " << Local(t) << " (cut-off " << cutoff / 60 << ":" << cutoff % 60
                << ", policy " << static_cast<int>(policy) << ") is due " << Local(d->due)
                << ", before the minute earlier's " << Local(last->due);
            ASSERT_FALSE(d->counting_start < last->counting_start) << Local(t);
          }
          last = *d;
        }
      }
    }
  }
}

TEST(DeadlineTest, PauseSpanningHolidaysExtendsByItsWorkingTime) {
  const WorkCalendar& cal = ShippedCalendar();
  // Pause Tue 28/4/2026 14:00 → Tue 5/5 09:00: 3 WH (28/4) + 8 (29/4) + 0 (30/4, 1/5, weekend)
  // + 8 (4/5) + 1.5 (5/5) = 20.5 WH. Due Wed 29/4 10:00 + 20.5 WH: 29/4 1.5 + 4 = 5.5;
  // Mon 4/5 8 → 13.5; Tue 5/5 4 → 17.5, then 13:00 + 3 → 16:00.
  Result<Instant> due =
      ExtendByPause(cal, At("2026-04-29T10:00"), At("2026-04-28T14:00"), At("2026-05-05T09:00"));
  ASSERT_TRUE(due.ok());
  EXPECT_EQ(Local(*due), "2026-05-05T16:00:00");
  // A pause entirely on a holiday adds nothing.
  EXPECT_EQ(Local(*ExtendByPause(cal, At("2026-04-29T10:00"), At("2026-04-30T08:00"),
                                 At("2026-05-01T16:00"))),
            "2026-04-29T10:00:00");
  // A reversed pause is refused.
  EXPECT_EQ(
      ExtendByPause(cal, At("2026-04-29T10:00"), At("2026-05-01T16:00"), At("2026-04-30T08:00"))
          .status()
          .code(),
      StatusCode::kInvalidArgument);
}

TEST(DeadlineTest, DueInAnUnannouncedYearIsFlaggedProvisional) {
  Result<DueDate> d = ComputeDue(ShippedCalendar(), At("2026-12-28T09:00"), Days(10), kNoCutoff,
                                 DueRule::kSameClockTime);
  ASSERT_TRUE(d.ok());
  // Mon 28/12 +10 WD: 29, 30, 31/12 (3); 1/1/2027 off; Mon 4/1 (4) ... Fri 8/1 (8), Mon 11/1 (9),
  // Tue 12/1 (10).
  EXPECT_EQ(Local(d->due), "2027-01-12T09:00:00");
  EXPECT_TRUE(d->provisional);
}

// The calendar's data is needed only up to the due instant: a due on the last covered day
// (Fri 31/12/2027, the shipped calendar's last) is computed, whatever the rule or limit.
TEST(DeadlineTest, ADueOnTheLastCoveredDayIsComputed) {
  const WorkCalendar& cal = ShippedCalendar();
  struct Case {
    const char* received;
    TimeLimit limit;
    DueRule rule;
    const char* due;
  };
  for (const Case& c : {Case{"2027-12-31T07:30", Days(1), DueRule::kSameClockTime,
                             "2027-12-31T17:00:00"},
                        Case{"2027-12-31T07:30", Days(1), DueRule::kEndOfDay, "2027-12-31T17:00:00"},
                        Case{"2027-12-31T07:30", Hours(8), DueRule::kSameClockTime,
                             "2027-12-31T17:00:00"},
                        Case{"2027-12-31T09:00", kSameDay, DueRule::kSameClockTime,
                             "2027-12-31T17:00:00"},
                        Case{"2027-12-30T07:30", Days(2), DueRule::kSameClockTime,
                             "2027-12-31T17:00:00"},
                        Case{"2027-12-30T17:00", Days(1), DueRule::kSameClockTime,
                             "2027-12-31T17:00:00"},
                        Case{"2027-12-31T13:00", Hours(4), DueRule::kSameClockTime,
                             "2027-12-31T17:00:00"}}) {
    Result<DueDate> d = ComputeDue(cal, At(c.received), c.limit, kNoCutoff, c.rule);
    ASSERT_TRUE(d.ok()) << c.received << ": " << d.status().ToString();
    EXPECT_EQ(Local(d->due), c.due) << c.received;
  }
  // A step due (Add) ending there too.
  Result<Instant> step = cal.Add(At("2027-12-31T07:30"), WorkDuration::Days(1));
  ASSERT_TRUE(step.ok()) << step.status().ToString();
  EXPECT_EQ(Local(*step), "2027-12-31T17:00:00");
  // One minute more is past the data: an error, not a guess.
  EXPECT_EQ(cal.Add(At("2027-12-31T07:31"), WorkDuration::Days(1)).status().code(),
            StatusCode::kOutOfRange);
}

TEST(DeadlineTest, DueBeyondTheCalendarIsAnErrorNotAGuess) {
  Result<DueDate> d = ComputeDue(ShippedCalendar(), At("2027-12-20T09:00"), Days(15), kNoCutoff,
                                 DueRule::kSameClockTime);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), StatusCode::kOutOfRange);
}

}  // namespace
}  // namespace motcua
