// Migration maps (adapters/yaml/migration_yaml.h): what a good one gives, and every mistake named
// with its line and field.

#include "adapters/yaml/migration_yaml.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "adapters/yaml/definition_loader.h"

namespace motcua {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class MigrationYamlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DefinitionSet set =
        LoadDefinitions(std::string(MOTCUA_SOURCE_DIR) + "/tests/scenarios/definitions-versions");
    ASSERT_TRUE(set.ok());
    for (const auto& p : set.procedures) (p->version == 1 ? from_ : to_) = p;
    ASSERT_TRUE(from_ && to_);
  }
  // Every error, one per line.
  std::string Errors(const std::string& text) {
    std::vector<Diagnostic> errors;
    std::optional<MigrationFile> f =
        ParseMigrationFile(text, "map.yaml", from_.get(), to_.get(), &errors);
    EXPECT_EQ(f.has_value(), errors.empty());
    std::string out;
    for (const Diagnostic& e : errors) out += e.ToString() + "\n";
    return out;
  }
  std::shared_ptr<const Procedure> from_, to_;
};

TEST_F(MigrationYamlTest, AGoodMapGivesTheStepsTheReasonAndTheSelection) {
  std::vector<Diagnostic> errors;
  std::optional<MigrationFile> f = ParseMigrationFile(
      "reason: \"Nghị định 12/2026/NĐ-CP, Điều 30\"\n"
      "steps:\n"
      "  receive: receive\n"
      "  appraise: review\n"
      "select:\n"
      "  received_from: 2026-01-01\n"
      "  received_until: 2026-06-30\n"
      "  statuses: [in_processing, consulting]\n"
      "  dossiers: [000.00.01.H56-260630-0001, D7]\n",
      "map.yaml", from_.get(), to_.get(), &errors);
  ASSERT_TRUE(f.has_value()) << errors.front().ToString();
  EXPECT_EQ(f->migration.reason, "Nghị định 12/2026/NĐ-CP, Điều 30");
  EXPECT_EQ(f->migration.steps.at("appraise"), "review");
  EXPECT_EQ(f->migration.steps.size(), 2u);
  EXPECT_EQ(FormatDate(*f->select.received_from), "2026-01-01");
  EXPECT_EQ(FormatDate(*f->select.received_until), "2026-06-30");
  EXPECT_THAT(f->select.statuses,
              ElementsAre(DossierStatus::kInProcessing, DossierStatus::kConsulting));
  EXPECT_THAT(f->select.dossiers, ElementsAre("000.00.01.H56-260630-0001", "D7"));
}

TEST_F(MigrationYamlTest, StepsThatAreNotStepsOfTheirVersionAreNamedWithTheirLines) {
  EXPECT_EQ(Errors("reason: r\n"
                   "steps:\n"
                   "  receive: receive\n"
                   "  apprise: appraise\n"
                   "  appraise: reveiw\n"),
            "map.yaml:4:3: steps.apprise: 'apprise' is not a step of 9.000001 v1 (its steps: "
            "receive, appraise)\n"
            "map.yaml:5:13: steps.appraise: 'reveiw' is not a step of 9.000001 v2 (its steps: "
            "receive, appraise, review)\n");
}

TEST_F(MigrationYamlTest, EveryOtherMistakeIsNamed) {
  const std::string errors = Errors(
      "steps:\n"
      "  receive: receive\n"
      "  receive: appraise\n"
      "select:\n"
      "  received_from: 2026-06-30\n"
      "  received_until: 2026-01-01\n"
      "  statuses: [returned]\n"
      "  dossiers: [D1, D1]\n"
      "  agency: X\n"
      "wrong: 1\n");
  EXPECT_THAT(errors, HasSubstr("map.yaml:1:1: reason: missing required field 'reason'"));
  EXPECT_THAT(errors, HasSubstr("map.yaml:3:3: steps.receive: step 'receive' is mapped twice"));
  EXPECT_THAT(errors, HasSubstr("map.yaml:6:19: select.received_until: ends before "
                                "received_from (2026-06-30)"));
  EXPECT_THAT(
      errors,
      HasSubstr("map.yaml:7:14: select.statuses[0]: expected one of received, in_processing, "
                "consulting, supplement_requested, payment_requested, found 'returned'"));
  EXPECT_THAT(errors, HasSubstr("map.yaml:8:18: select.dossiers[1]: dossier 'D1' is named twice"));
  EXPECT_THAT(errors, HasSubstr("map.yaml:9:3: select.agency: unknown field 'agency'"));
  EXPECT_THAT(errors, HasSubstr("map.yaml:10:1: wrong: unknown field 'wrong'"));
}

TEST_F(MigrationYamlTest, AMapWithoutStepsOrWithABrokenSyntaxIsRefused) {
  EXPECT_THAT(Errors("reason: r\n"), HasSubstr("steps: required"));
  EXPECT_THAT(Errors("reason: r\nsteps: []\n"), HasSubstr("expected a mapping of every step"));
  EXPECT_THAT(Errors("reason: r\nsteps: {receive: [\n"), HasSubstr("YAML syntax error"));
}

}  // namespace
}  // namespace motcua
