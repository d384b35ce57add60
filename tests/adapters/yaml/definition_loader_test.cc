// The definition loader on real files: the shipped definitions load; broken ones are reported
// with every error's exact file:line:column, path and message.

#include "adapters/yaml/definition_loader.h"

#include <gtest/gtest.h>

#include <sstream>

#include "adapters/yaml/yaml_reader.h"
#include "tests/engine/calendar/shipped_calendar.h"

namespace motcua {
namespace {

std::vector<std::string> Messages(const std::vector<Diagnostic>& ds) {
  std::vector<std::string> out;
  for (const auto& d : ds) out.push_back(d.ToString());
  return out;
}

TEST(DefinitionLoaderTest, ShippedDefinitionsLoad) {
  DefinitionSet set = LoadDefinitions(std::string(MOTCUA_SOURCE_DIR) + "/definitions");
  EXPECT_EQ(Messages(set.errors), std::vector<std::string>{});
  EXPECT_GE(set.procedures.size(), 5u);
  ASSERT_EQ(set.calendars.count("vn"), 1u);
  auto birth = set.InForce("1.001193", {2026, 3, 2});
  ASSERT_NE(birth, nullptr);
  EXPECT_TRUE(birth->time_limit.same_day);
  EXPECT_EQ(birth->cutoff.policy, CutoffPolicy::kResultNextDay);
  EXPECT_EQ(birth->cutoff.minute_of_day, 15 * 60);
}

std::vector<std::string> ParseErrors(const std::string& text) {
  std::vector<Diagnostic> errors;
  auto p = ParseProcedureYaml(text, "p.yaml", &errors);
  EXPECT_EQ(p, nullptr);
  return Messages(errors);
}

TEST(DefinitionLoaderTest, SyntaxErrorHasAPosition) {
  auto e = ParseErrors("code: \"1.1\"\nname: [unclosed\n");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].rfind("p.yaml:3:1: YAML syntax error:", 0), 0u) << e[0];
}

}  // namespace
}  // namespace motcua

namespace motcua {
namespace {

// Every error in tests/adapters/yaml/testdata/broken/ is reported, exactly as
// testdata/broken.expected lists them (the output of `motcua check broken` run from testdata/).
TEST(DefinitionLoaderTest, BrokenDefinitionsReportEveryErrorExactly) {
  const std::string dir = std::string(MOTCUA_SOURCE_DIR) + "/tests/adapters/yaml/testdata";
  std::vector<std::string> expected;
  std::istringstream in(testing::ReadSourceFile("tests/adapters/yaml/testdata/broken.expected"));
  for (std::string line; std::getline(in, line);) {
    if (line.find(" errors in ") == std::string::npos) expected.push_back(line);
  }
  ASSERT_GE(expected.size(), 25u);

  DefinitionSet set = LoadDefinitions(dir + "/broken");
  std::vector<std::string> actual;
  for (const Diagnostic& d : set.errors) {
    std::string s = d.ToString();
    // Report paths relative to testdata/, as the expectation file was written.
    for (size_t at; (at = s.find(dir + "/")) != std::string::npos;) s.erase(at, dir.size() + 1);
    actual.push_back(s);
  }
  EXPECT_EQ(actual, expected);
  EXPECT_TRUE(set.procedures.size() == 2u);  // only overlap-v1/v2 parse; their clash is an error
}

TEST(DefinitionLoaderTest, MissingDirectoryIsReported) {
  DefinitionSet set =
      LoadDefinitions(std::string(MOTCUA_SOURCE_DIR) + "/tests/adapters/yaml/testdata/broken");
  EXPECT_FALSE(set.ok());
  DefinitionSet missing = LoadDefinitions("/nonexistent/definitions");
  ASSERT_EQ(missing.errors.size(), 1u);
  EXPECT_EQ(missing.errors[0].ToString(),
            "/nonexistent/definitions: not a directory; expected <dir>/calendars/, "
            "<dir>/agencies/ and <dir>/procedures/");
}

}  // namespace
}  // namespace motcua
