// Which migrations between procedure versions are refused, and why (engine/dossier/migration.h).
// The sample birth registration (1.001193: receive → record → sign, whose approval carries the
// result on to the return step after the decision) is migrated to copies of itself.

#include "engine/dossier/migration.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "adapters/yaml/definition_loader.h"

namespace motcua {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class CheckMigrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DefinitionSet set = LoadDefinitions(std::string(MOTCUA_SOURCE_DIR) + "/definitions");
    ASSERT_TRUE(set.ok());
    for (const auto& p : set.procedures) {
      if (p->code == "1.001193") from_ = *p;
    }
    ASSERT_EQ(from_.steps.size(), 4u);
    to_ = from_;
    to_.version = 2;
    m_.procedure_code = "1.001193";
    m_.from_version = 1;
    m_.to_version = 2;
    m_.reason = "Nghị định thử, Điều 30";
    for (const Step& s : from_.steps) m_.steps[s.id] = s.id;
  }
  std::vector<std::string> Problems() { return CheckMigration(from_, to_, m_); }

  Procedure from_;
  Procedure to_;
  Migration m_;
};

TEST_F(CheckMigrationTest, EveryStepToItsNamesakeMayBeApplied) {
  EXPECT_THAT(Problems(), IsEmpty());
  EXPECT_EQ(m_.Describe(), "1.001193 v1 -> v2");
}

TEST_F(CheckMigrationTest, AStepLeftUnmappedIsNamed) {
  m_.steps.erase("sign");
  EXPECT_THAT(Problems(), ElementsAre("step 'sign' of v1 is not mapped: name the step of v2 its "
                                      "dossiers move to"));
}

TEST_F(CheckMigrationTest, NamesThatAreNotStepsOfTheirVersion) {
  m_.steps["record"] = "nowhere";
  m_.steps["archive"] = "record";
  EXPECT_THAT(Problems(), ElementsAre("'archive' is not a step of 1.001193 v1 (its steps: "
                                      "receive, record, sign, return)",
                                      "step 'record' maps to 'nowhere', which is not a step of "
                                      "1.001193 v2 (its steps: receive, record, sign, return)"));
}

TEST_F(CheckMigrationTest, AStepBeforeTheDecisionToOneAfterItCannotReachAnOutcome) {
  m_.steps["record"] = "return";
  EXPECT_THAT(Problems(), ElementsAre("step 'record' maps to 'return', from which no outcome can "
                                      "be reached in v2 (it comes after the decision)"));
}

TEST_F(CheckMigrationTest, AStepWhoseOnlyWayOnIsRemovedCannotReachAnOutcome) {
  // v2's record step only sends back to itself: no decision is reachable from it any more.
  Step& record = to_.steps[1];
  record.actions = {record.actions.front()};
  record.actions.front().kind = ActionKind::kSendBack;
  record.actions.front().to = "record";
  record.actions.front().target_index = 1;
  EXPECT_THAT(Problems(),
              ElementsAre("step 'receive' maps to 'receive', from which no outcome can be "
                          "reached in v2",
                          "step 'record' maps to 'record', from which no outcome can be reached "
                          "in v2"));
}

TEST_F(CheckMigrationTest, AResultOnItsWayBackCannotBeDecidedAgain) {
  m_.steps["return"] = "record";
  EXPECT_THAT(Problems(), ElementsAre(HasSubstr("step 'return' maps to 'record': 'return' "
                                                "carries a decided dossier's result, but "
                                                "'record' comes before the decision (the "
                                                "dossier would be decided twice)")));
}

TEST_F(CheckMigrationTest, TimeCountedInOnlyOneOfTheStepsIsRefused) {
  to_.steps[1].clock_runs = false;
  EXPECT_THAT(Problems(), ElementsAre("step 'record' maps to 'record', but time is counted in "
                                      "only one of them ('record' stops the clock): map it to a "
                                      "step that counts time as it does"));
}

TEST_F(CheckMigrationTest, APaymentStepOnlyToAPaymentStep) {
  to_.steps[1].kind = StepKind::kPayment;
  EXPECT_THAT(Problems(), ElementsAre("step 'record' maps to 'record', but only one of them is a "
                                      "payment step: a dossier waiting for its payment would be "
                                      "at a step that does not take it, or the reverse"));
}

TEST_F(CheckMigrationTest, OneProcedureTwoVersionsAndAReason) {
  m_.reason.clear();
  EXPECT_THAT(Problems(),
              ElementsAre("expected the reason: the transitional provision that moves the "
                          "dossiers"));
  to_.version = 1;
  EXPECT_THAT(Problems(), ElementsAre("expected two different versions of 1.001193, got v1 twice"));
  to_.code = "1.001194";
  EXPECT_THAT(Problems(), ElementsAre("a dossier keeps its procedure: migrate between versions of "
                                      "1.001193, not to 1.001194"));
}

TEST(InFlightTest, ReceivedAndNotYetDecided) {
  Dossier d;
  d.status = DossierStatus::kSubmitted;
  EXPECT_FALSE(InFlight(d));  // takes the version in force when it is received
  d.received_at = Instant{1};
  for (DossierStatus s :
       {DossierStatus::kReceived, DossierStatus::kInProcessing, DossierStatus::kConsulting,
        DossierStatus::kSupplementRequested, DossierStatus::kPaymentRequested}) {
    d.status = s;
    EXPECT_TRUE(InFlight(d)) << NameOf(s);
  }
  d.status = DossierStatus::kDecided;
  EXPECT_FALSE(InFlight(d));
  d.after_decision = true;  // its result on its way back: judged already
  EXPECT_FALSE(InFlight(d));
  for (DossierStatus s : {DossierStatus::kReturned, DossierStatus::kStopped}) {
    d.status = s;
    EXPECT_FALSE(InFlight(d)) << NameOf(s);
  }
}

TEST(VersionsRecordedUnderTest, AMigrationChangesTheVersionOfWhatFollows) {
  // Submitted online under v1, received (and pinned) under v2, migrated to v3.
  std::vector<Event> h(6);
  h[0].type = EventType::kSubmitted;
  h[0].procedure_version = 1;
  h[1].type = EventType::kReceived;
  h[1].procedure_version = 2;
  h[2].type = EventType::kForwarded;
  h[3].type = EventType::kMigrated;
  h[3].previous_procedure_version = 2;
  h[3].procedure_version = 3;
  h[4].type = EventType::kForwarded;
  h[5].type = EventType::kDecided;
  EXPECT_THAT(VersionsRecordedUnder(h), ElementsAre(1, 2, 2, 2, 3, 3));
  EXPECT_EQ(ProcedureVersionAfter(h), 3);
  h.resize(3);
  EXPECT_EQ(ProcedureVersionAfter(h), 2);
  EXPECT_THAT(VersionsRecordedUnder({}), IsEmpty());
}

}  // namespace
}  // namespace motcua
