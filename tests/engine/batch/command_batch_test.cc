// One batch of commands: later commands see what earlier ones staged (the dossier, its number
// counter, its idempotency record), and a command that fails stages nothing.

#include "engine/batch/command_batch.h"

#include <gtest/gtest.h>

#include "engine/store/indexes.h"
#include "engine/store/memory_store.h"
#include "tests/engine/batch/fixtures.h"
#include "tests/engine/common/status_matchers.h"

namespace motcua {
namespace {

using testing::StatusIs;

struct CountingIds : IdSource {
  int n = 0;
  std::string NewId() override { return "B" + std::to_string(++n); }
};

class CommandBatchTest : public ::testing::Test {
 protected:
  CommandBatch Batch(CommittedState* state) {
    return CommandBatch(catalog_.get(), EngineSettings{}, now_, &ids_, state, 1);
  }

  std::shared_ptr<DefinitionCatalog> catalog_ = ShippedCatalog();
  Instant now_ = *ParseLocalDateTime("2026-03-02T09:00", 7 * 3600);
  CountingIds ids_;
  MemoryStore store_;
};

TEST_F(CommandBatchTest, CountersAreStagedWithinTheBatch) {
  StoreState state(&store_);
  CommandBatch batch = Batch(&state);
  CommandResult first = batch.Add(ReceiveCopy(kCommuneA));
  CommandResult second = batch.Add(ReceiveCopy(kCommuneA));
  ASSERT_TRUE(first.accepted() && second.accepted());
  EXPECT_EQ(first.dossier->number, "000.17.22.H56-260302-0001");
  EXPECT_EQ(second.dossier->number, "000.17.22.H56-260302-0002");
  const WriteSet& w = batch.writes();
  const std::vector<std::pair<std::string, int64_t>> counters = {
      {DossierNumberCounter(kCommuneA, {2026, 3, 2}), 2},
      {StatusCounter(DossierStatus::kReceived), 2}};
  EXPECT_EQ(w.counters, counters);
  // Committed, the next batch continues from the store.
  ASSERT_TRUE(store_.Commit(w).ok());
  CommandBatch next = Batch(&state);
  EXPECT_EQ(next.Add(ReceiveCopy(kCommuneA)).dossier->number, "000.17.22.H56-260302-0003");
}

TEST_F(CommandBatchTest, ACommandSeesTheDossierAnEarlierOneStaged) {
  StoreState state(&store_);
  CommandBatch batch = Batch(&state);
  CommandResult received = batch.Add(ReceiveCopy(kCommuneA));
  ASSERT_TRUE(received.accepted());
  CommandResult forwarded = batch.Add(ForwardCommand(received.dossier->id, 1));
  ASSERT_TRUE(forwarded.accepted()) << forwarded.rejection->message;
  EXPECT_EQ(forwarded.dossier->version, 2);
  EXPECT_EQ(forwarded.dossier->current_step, "appraise");
  // One change for the dossier: new (no state before), both events, the last state.
  const WriteSet& w = batch.writes();
  ASSERT_EQ(w.changes.size(), 1u);
  EXPECT_EQ(w.changes[0].before, nullptr);
  EXPECT_EQ(w.changes[0].after->version, 2);
  EXPECT_EQ(w.changes[0].events.size(), 2u);
  // A stale version is rejected against the staged state, not the store's.
  CommandResult stale = batch.Add(ForwardCommand(received.dossier->id, 1));
  ASSERT_TRUE(stale.rejection.has_value());
  EXPECT_EQ(stale.rejection->code, RejectionCode::kStale);
}

// A new dossier is named only when it is accepted: a refused creation takes no id, so ids and
// the messages that quote them never refer to a dossier that does not exist.
TEST_F(CommandBatchTest, ARefusedCreationTakesNoId) {
  StoreState state(&store_);
  CommandBatch batch = Batch(&state);
  CommandRequest nameless = ReceiveCopy(kCommuneA);
  nameless.command.applicant.name.clear();
  CommandResult refused = batch.Add(nameless);
  ASSERT_TRUE(refused.rejection.has_value());
  EXPECT_EQ(refused.rejection->field, "applicant.name");
  EXPECT_EQ(ids_.n, 0);
  CommandResult received = batch.Add(ReceiveCopy(kCommuneA));
  ASSERT_TRUE(received.accepted());
  EXPECT_EQ(received.dossier->id, "B1");
  for (const Event& e : batch.writes().changes[0].events) EXPECT_EQ(e.dossier_id, "B1");
}

TEST_F(CommandBatchTest, AnIdempotencyKeyStagedEarlierReplaysOrConflicts) {
  StoreState state(&store_);
  CommandBatch batch = Batch(&state);
  CommandRequest r = ReceiveCopy(kCommuneA);
  r.idempotency_key = "cb1:k";
  r.payload_hash = 7;
  CommandResult first = batch.Add(r);
  CommandResult again = batch.Add(r);
  EXPECT_TRUE(again.replayed);
  EXPECT_EQ(again.dossier->id, first.dossier->id);
  EXPECT_TRUE(again.events.empty());
  r.payload_hash = 8;
  EXPECT_THAT(batch.Add(r).status,
              StatusIs(StatusCode::kConflict,
                       "idempotency key 'cb1:k' was used before with a different request"));
  EXPECT_EQ(batch.writes().changes.size(), 1u);
}

// The portal's dossier code is a business idempotency key: a second online submission with it,
// whatever its Idempotency-Key, answers with the dossier the first one made, staged or
// committed; another code makes another dossier.
TEST_F(CommandBatchTest, APortalCodeSubmittedAgainReturnsTheFirstDossier) {
  StoreState state(&store_);
  auto submit = [](const std::string& code, const std::string& key) {
    CommandRequest r = ReceiveCopy(kCommuneA);
    r.command.type = CommandType::kSubmit;
    r.command.actor = Actor{"portal", {"integrator"}};
    r.command.channel = Channel::kOnlineFull;
    r.command.portal_code = code;
    r.idempotency_key = key;
    r.payload_hash = std::hash<std::string>()(key);
    return r;
  };
  CommandBatch batch = Batch(&state);
  CommandResult first = batch.Add(submit("G22.99-260302-000123", "portal:a"));
  ASSERT_TRUE(first.accepted()) << first.rejection->message;
  EXPECT_EQ(first.dossier->portal_code, "G22.99-260302-000123");
  CommandResult again = batch.Add(submit("G22.99-260302-000123", "portal:b"));
  EXPECT_TRUE(again.replayed);
  EXPECT_EQ(again.dossier->id, first.dossier->id);
  CommandResult other = batch.Add(submit("G22.99-260302-000124", "portal:c"));
  ASSERT_TRUE(other.accepted());
  EXPECT_NE(other.dossier->id, first.dossier->id);
  ASSERT_TRUE(store_.Commit(batch.writes()).ok());
  CommandBatch next = Batch(&state);
  CommandResult later = next.Add(submit("G22.99-260302-000123", "portal:d"));
  EXPECT_TRUE(later.replayed);
  EXPECT_EQ(later.dossier->id, first.dossier->id);
  EXPECT_TRUE(later.events.empty());
  EXPECT_TRUE(next.writes().changes.empty());
  // A code is the portal's: up to 100 characters, no control characters.
  CommandResult bad = next.Add(submit("G22\n99", "portal:e"));
  ASSERT_TRUE(bad.rejection.has_value());
  EXPECT_EQ(bad.rejection->field, "portal_code");
}

// Committed state whose counters cannot be read.
class UnreadableCounters : public StoreState {
 public:
  using StoreState::StoreState;
  Result<int64_t> CounterValue(const std::string&) override { return Internal("disk on fire"); }
};

TEST_F(CommandBatchTest, AFailedCounterReadFailsTheCommandAndStagesNothing) {
  UnreadableCounters state(&store_);
  CommandBatch batch = Batch(&state);
  CommandResult r = batch.Add(ReceiveCopy(kCommuneA));
  EXPECT_THAT(r.status, StatusIs(StatusCode::kInternal, "disk on fire"));
  EXPECT_TRUE(batch.writes().changes.empty());
  EXPECT_TRUE(batch.writes().counters.empty());
  EXPECT_TRUE(batch.staged_dossiers().empty());
}

TEST_F(CommandBatchTest, ATimerCommandFiresThatTimer) {
  DueTimer due{Timer{TimerKind::kDossierDue, now_}, "B1", ""};
  CommandRequest r = FireTimerCommand(due);
  EXPECT_EQ(r.command.type, CommandType::kFireTimer);
  EXPECT_EQ(r.command.dossier_id, "B1");
  EXPECT_EQ(r.command.timer, due.timer);
  EXPECT_EQ(r.command.actor.id, "system");
}

}  // namespace
}  // namespace motcua
