#pragma once
// Instants, civil dates and clock times. Pure arithmetic; nothing here reads a clock.
//
// An Instant is a count of seconds since 1970-01-01T00:00:00Z. Civil (local) dates and
// times are derived with a fixed UTC offset supplied by the caller (Vietnam: +07:00, no DST).

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace motcua {

struct Instant {
  int64_t seconds = 0;  // since the Unix epoch, UTC
  auto operator<=>(const Instant&) const = default;
};

struct CivilDate {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
  auto operator<=>(const CivilDate&) const = default;
};

// Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's algorithm).
int64_t DaysFromCivil(CivilDate d);
CivilDate CivilFromDays(int64_t days);
// The local calendar date of an instant at `offset_seconds` east of UTC.
CivilDate LocalDateAt(Instant t, int offset_seconds);
// 0 = Monday ... 6 = Sunday.
int WeekdayFromDays(int64_t days);
bool IsValidDate(int year, int month, int day);

// "YYYY-MM-DD"; nullopt unless the text is exactly a valid date.
std::optional<CivilDate> ParseDate(std::string_view text);
// "HH:MM" → minutes since midnight (0..1440; "24:00" allowed as the end of a day).
std::optional<int> ParseClock(std::string_view text);
// "YYYY-MM-DDTHH:MM[:SS]" as local time at `offset_seconds` east of UTC.
std::optional<Instant> ParseLocalDateTime(std::string_view text, int offset_seconds);
// "+07:00" → 25200.
std::optional<int> ParseUtcOffset(std::string_view text);

std::string FormatDate(CivilDate d);   // "2026-02-16"
std::string FormatClock(int minutes);  // "07:30"
// "2026-02-23T07:30:00+07:00"
std::string FormatLocal(Instant t, int offset_seconds);
// The same into an existing string (keeps its memory: the API renders many instants a request).
void FormatLocalInto(Instant t, int offset_seconds, std::string* out);

}  // namespace motcua
