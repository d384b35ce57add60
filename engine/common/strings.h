#pragma once
// Joining words for messages: "a, b, c".

#include <string>
#include <string_view>

namespace motcua {

// The elements of `parts` (anything that converts to std::string_view) with `separator` between.
template <typename Range>
std::string Join(const Range& parts, std::string_view separator = ", ") {
  std::string out;
  bool first = true;
  for (const auto& p : parts) {
    if (!first) out += separator;
    first = false;
    out += std::string_view(p);
  }
  return out;
}

}  // namespace motcua
