// Local-time rendering: the API and the M01 slip show every instant this way.
#include "engine/common/time.h"

#include <gtest/gtest.h>

namespace motcua {
namespace {

TEST(FormatLocal, RendersInTheGivenOffset) {
  // 2026-03-02T09:00+07:00 is 02:00 UTC, 1772416800 seconds after the epoch.
  EXPECT_EQ(FormatLocal(Instant{1772416800}, 7 * 3600), "2026-03-02T09:00:00+07:00");
  EXPECT_EQ(FormatLocal(Instant{1772416800}, 0), "2026-03-02T02:00:00+00:00");
  EXPECT_EQ(FormatLocal(Instant{1772416800 + 59}, -(3 * 3600 + 30 * 60)),
            "2026-03-01T22:30:59-03:30");
}

TEST(FormatLocal, DayAndYearBoundaries) {
  // 2025-12-31T16:59:59Z is 23:59:59 local; one second later is the new year.
  EXPECT_EQ(FormatLocal(Instant{1767200399}, 7 * 3600), "2025-12-31T23:59:59+07:00");
  EXPECT_EQ(FormatLocal(Instant{1767200400}, 7 * 3600), "2026-01-01T00:00:00+07:00");
  EXPECT_EQ(FormatLocal(Instant{0}, 0), "1970-01-01T00:00:00+00:00");
  // Before the epoch (floor division of days).
  EXPECT_EQ(FormatLocal(Instant{-1}, 0), "1969-12-31T23:59:59+00:00");
  // 2028-02-29, a leap day.
  EXPECT_EQ(FormatLocal(Instant{1835395200}, 7 * 3600), "2028-02-29T07:00:00+07:00");
}

TEST(FormatLocal, RoundTripsThroughTheParser) {
  for (int64_t t = 1735689600; t < 1735689600 + 400LL * 86400; t += 86400 * 7 + 3607) {
    const std::string s = FormatLocal(Instant{t}, 7 * 3600);
    std::optional<Instant> back = ParseLocalDateTime(s.substr(0, 16), 7 * 3600);
    ASSERT_TRUE(back.has_value()) << s;
    EXPECT_EQ(back->seconds, t - t % 60) << s;
  }
}

}  // namespace
}  // namespace motcua
