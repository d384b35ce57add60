// Parsing and writing working durations: the one place that knows their text.

#include "engine/calendar/work_duration.h"

#include <charconv>
#include <cstdio>

namespace motcua {

namespace {

// "9" or "1.5": thousandths written with as few decimals as they need.
std::string FormatThousandths(int64_t thousandths) {
  char buf[32];
  if (thousandths % 1000 == 0) {
    std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(thousandths / 1000));
  } else {
    std::snprintf(buf, sizeof buf, "%g", static_cast<double>(thousandths) / 1000.0);
  }
  return buf;
}

bool AllDigits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

std::optional<WorkDuration> ParseWorkDuration(std::string_view text) {
  const size_t space = text.find(' ');
  if (space == std::string_view::npos || space == 0) return std::nullopt;
  std::optional<WorkDuration::Unit> unit = ParseName<WorkDuration::Unit>(text.substr(space + 1));
  if (!unit) return std::nullopt;
  const std::string_view number = text.substr(0, space);
  const size_t dot = number.find('.');
  const std::string_view whole = number.substr(0, dot);
  const std::string_view frac =
      dot == std::string_view::npos ? std::string_view() : number.substr(dot + 1);
  if (whole.empty() || whole.size() > 6 || frac.size() > 3 ||
      (dot != std::string_view::npos && frac.empty()) || !AllDigits(whole) || !AllDigits(frac)) {
    return std::nullopt;
  }
  int64_t w = 0, f = 0;
  std::from_chars(whole.data(), whole.data() + whole.size(), w);
  for (size_t i = 0; i < 3; ++i) f = f * 10 + (i < frac.size() ? frac[i] - '0' : 0);
  return WorkDuration{*unit, w * 1000 + f};
}

std::string FormatWorkDuration(WorkDuration d) {
  return FormatThousandths(d.thousandths) + " " + NameOf(d.unit);
}

std::string FormatMilliHours(int64_t milli_hours) {
  return FormatThousandths(milli_hours) + " " + NameOf(WorkDuration::Unit::kWorkingHours);
}

}  // namespace motcua
