// Civil dates, clock times and instants: conversions, parsing and formatting (time.h).

#include "engine/common/time.h"

#include <charconv>
#include <cstdio>

namespace motcua {

int64_t DaysFromCivil(CivilDate d) {
  int64_t y = d.year - (d.month <= 2 ? 1 : 0);
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t mp = (d.month + 9) % 12;
  const int64_t doy = (153 * mp + 2) / 5 + d.day - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

CivilDate CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = yoe + era * 400;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return CivilDate{static_cast<int>(y + (m <= 2 ? 1 : 0)), m, d};
}

CivilDate LocalDateAt(Instant t, int offset_seconds) {
  const int64_t local = t.seconds + offset_seconds;
  return CivilFromDays(local >= 0 ? local / 86400 : (local - 86399) / 86400);
}

int WeekdayFromDays(int64_t days) {
  // 1970-01-01 was a Thursday (3 when Monday = 0).
  int64_t w = (days + 3) % 7;
  return static_cast<int>(w < 0 ? w + 7 : w);
}

bool IsValidDate(int year, int month, int day) {
  if (year < 1900 || year > 9999 || month < 1 || month > 12 || day < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int max = kDays[month - 1];
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (month == 2 && leap) max = 29;
  return day <= max;
}

namespace {

bool ParseFixed(std::string_view s, size_t pos, size_t len, int* out) {
  if (pos + len > s.size()) return false;
  for (size_t i = pos; i < pos + len; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  std::from_chars(s.data() + pos, s.data() + pos + len, *out);
  return true;
}

}  // namespace

std::optional<CivilDate> ParseDate(std::string_view s) {
  int y, m, d;
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  if (!ParseFixed(s, 0, 4, &y) || !ParseFixed(s, 5, 2, &m) || !ParseFixed(s, 8, 2, &d)) {
    return std::nullopt;
  }
  if (!IsValidDate(y, m, d)) return std::nullopt;
  return CivilDate{y, m, d};
}

std::optional<int> ParseClock(std::string_view s) {
  int h, m;
  if (s.size() != 5 || s[2] != ':') return std::nullopt;
  if (!ParseFixed(s, 0, 2, &h) || !ParseFixed(s, 3, 2, &m)) return std::nullopt;
  if (m > 59 || h > 24 || (h == 24 && m != 0)) return std::nullopt;
  return h * 60 + m;
}

std::optional<Instant> ParseLocalDateTime(std::string_view s, int offset_seconds) {
  if (s.size() != 16 && s.size() != 19) return std::nullopt;
  if (s[10] != 'T' && s[10] != ' ') return std::nullopt;
  auto date = ParseDate(s.substr(0, 10));
  if (!date) return std::nullopt;
  int h, m, sec = 0;
  if (s[13] != ':' || !ParseFixed(s, 11, 2, &h) || !ParseFixed(s, 14, 2, &m)) return std::nullopt;
  if (s.size() == 19 && (s[16] != ':' || !ParseFixed(s, 17, 2, &sec))) return std::nullopt;
  if (h > 23 || m > 59 || sec > 59) return std::nullopt;
  return Instant{DaysFromCivil(*date) * 86400 + h * 3600 + m * 60 + sec - offset_seconds};
}

std::optional<int> ParseUtcOffset(std::string_view s) {
  int h, m;
  if (s.size() != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':') return std::nullopt;
  if (!ParseFixed(s, 1, 2, &h) || !ParseFixed(s, 4, 2, &m) || h > 14 || m > 59) {
    return std::nullopt;
  }
  int v = h * 3600 + m * 60;
  return s[0] == '-' ? -v : v;
}

std::string FormatDate(CivilDate d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
  return buf;
}

std::string FormatClock(int minutes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02d:%02d", minutes / 60, minutes % 60);
  return buf;
}

void FormatLocalInto(Instant t, int offset_seconds, std::string* out) {
  int64_t local = t.seconds + offset_seconds;
  int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
  int64_t sod = local - days * 86400;
  CivilDate d = CivilFromDays(days);
  const int off = offset_seconds < 0 ? -offset_seconds : offset_seconds;
  if (d.year < 0 || d.year > 9999) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", d.year, d.month,
                  d.day, static_cast<int>(sod / 3600), static_cast<int>(sod / 60 % 60),
                  static_cast<int>(sod % 60), offset_seconds < 0 ? '-' : '+', off / 3600,
                  off / 60 % 60);
    out->assign(buf);
    return;
  }
  // "YYYY-MM-DDThh:mm:ss+hh:mm", written by hand.
  out->assign("0000-00-00T00:00:00+00:00");
  std::string& s = *out;
  auto put2 = [&s](size_t at, int v) {
    s[at] = static_cast<char>('0' + v / 10 % 10);
    s[at + 1] = static_cast<char>('0' + v % 10);
  };
  put2(0, d.year / 100);
  put2(2, d.year % 100);
  put2(5, d.month);
  put2(8, d.day);
  put2(11, static_cast<int>(sod / 3600));
  put2(14, static_cast<int>(sod / 60 % 60));
  put2(17, static_cast<int>(sod % 60));
  s[19] = offset_seconds < 0 ? '-' : '+';
  put2(20, off / 3600);
  put2(23, off / 60 % 60);
}

std::string FormatLocal(Instant t, int offset_seconds) {
  std::string s;
  FormatLocalInto(t, offset_seconds, &s);
  return s;
}

}  // namespace motcua
