// Working durations are read and written exactly, in one place (engine/calendar/work_duration.h).

#include "engine/calendar/work_duration.h"

#include <gtest/gtest.h>

namespace motcua {
namespace {

TEST(WorkDurationTest, ParsesExactly) {
  EXPECT_EQ(ParseWorkDuration("0.5 WD")->thousandths, 500);
  EXPECT_EQ(ParseWorkDuration("2.25 WH")->thousandths, 2250);
  EXPECT_EQ(ParseWorkDuration("10 WD")->unit, WorkDuration::Unit::kWorkingDays);
  EXPECT_EQ(ParseWorkDuration("3 WH")->unit, WorkDuration::Unit::kWorkingHours);
  EXPECT_EQ(ParseWorkDuration("0.125 WD")->thousandths, 125);
  EXPECT_FALSE(ParseWorkDuration("10 days").has_value());
  EXPECT_FALSE(ParseWorkDuration("1.2345 WD").has_value());
  EXPECT_FALSE(ParseWorkDuration("-1 WD").has_value());
  EXPECT_FALSE(ParseWorkDuration("1. WD").has_value());
  EXPECT_FALSE(ParseWorkDuration(".5 WD").has_value());
  EXPECT_FALSE(ParseWorkDuration("5WD").has_value());
  EXPECT_FALSE(ParseWorkDuration("1234567 WD").has_value());
}

TEST(WorkDurationTest, WritesWhatItReads) {
  for (const char* text : {"10 WD", "0.5 WD", "3 WH", "2.25 WH", "0.125 WD"}) {
    EXPECT_EQ(FormatWorkDuration(*ParseWorkDuration(text)), text);
  }
  EXPECT_EQ(FormatMilliHours(9000), "9 WH");
  EXPECT_EQ(FormatMilliHours(1500), "1.5 WH");
  EXPECT_EQ(WorkDuration::Days(0.5).InWorkingSeconds(), 4 * 3600);
}

}  // namespace
}  // namespace motcua
