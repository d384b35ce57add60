#pragma once
// The shipped national calendar (definitions/calendars/vn.yaml), loaded through the real
// loader so that calendar tests check the data users run with.

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "adapters/yaml/definition_loader.h"

namespace motcua::testing {

inline std::string ReadSourceFile(const std::string& rel) {
  std::ifstream in(std::string(MOTCUA_SOURCE_DIR) + "/" + rel);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline const WorkCalendar& ShippedCalendar() {
  static const std::shared_ptr<WorkCalendar> cal = [] {
    std::vector<Diagnostic> errors;
    auto c = ParseCalendarYaml(ReadSourceFile("definitions/calendars/vn.yaml"), "vn.yaml", &errors);
    for (const auto& e : errors) ADD_FAILURE() << e.ToString();
    return c;
  }();
  return *cal;
}

// Local Vietnam time "YYYY-MM-DDTHH:MM[:SS]" → Instant.
inline Instant At(const char* local) {
  auto t = ParseLocalDateTime(local, 7 * 3600);
  EXPECT_TRUE(t.has_value()) << local;
  return t.value_or(Instant{});
}

inline std::string Local(Instant t) { return FormatLocal(t, 7 * 3600).substr(0, 19); }

}  // namespace motcua::testing

namespace motcua::testing {

// gtest parameter names from a case's description: "Tết 2025" → "c0_T_t_2025".
template <typename Case>
std::string CaseName(const ::testing::TestParamInfo<Case>& info) {
  std::string s = "c" + std::to_string(info.index) + "_";
  for (char c : std::string(info.param.why)) {
    s += ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) ? c : '_';
  }
  return s;
}

}  // namespace motcua::testing
