// DossierService: batches in flight and what it keeps of a command once the command is answered.

#include "adapters/runtime/dossier_service.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <thread>

#include "engine/store/indexes.h"
#include "engine/store/memory_store.h"
#include "tests/adapters/runtime/service_fixture.h"
#include "tests/engine/common/status_matchers.h"

namespace motcua {
namespace {

using ::testing::HasSubstr;
using testing::IsOk;
using testing::StatusIs;

// A store whose commits wait at a gate the test opens (and can make fail), so that batches can be
// held in flight.
class GateStore : public MemoryStore {
 public:
  Status Commit(const std::vector<const WriteSet*>& sets) override {
    {
      std::unique_lock lock(mu_);
      ++entered_;
      cv_.notify_all();
      cv_.wait(lock, [this] { return open_; });
    }
    return MemoryStore::Commit(sets);
  }
  using Store::Commit;
  // The last step of processing a batch (the service encodes it right before queueing it).
  void Encode(WriteSet& w) override {
    MemoryStore::Encode(w);
    std::lock_guard lock(mu_);
    ++encoded_;
    changes_.push_back(w.changes.size());
    cv_.notify_all();
  }
  int encoded() {
    std::lock_guard lock(mu_);
    return encoded_;
  }
  // Dossiers changed by the last batch processed, and by all those after the first `batches`.
  size_t last_changes() {
    std::lock_guard lock(mu_);
    return changes_.empty() ? 0 : changes_.back();
  }
  size_t changes_since(int batches) {
    std::lock_guard lock(mu_);
    size_t n = 0;
    for (size_t i = static_cast<size_t>(batches); i < changes_.size(); ++i) n += changes_[i];
    return n;
  }
  void WaitUntilEncoded(int n) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return encoded_ >= n; });
  }
  // Until the batches after the first `batches` have changed at least n dossiers.
  void WaitUntilChanged(size_t n, int batches) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] {
      size_t changed = 0;
      for (size_t i = static_cast<size_t>(batches); i < changes_.size(); ++i) {
        changed += changes_[i];
      }
      return changed >= n;
    });
  }
  void WaitUntilEntered(int n) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return entered_ >= n; });
  }
  void Open() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  void Close() {
    std::lock_guard lock(mu_);
    open_ = false;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int entered_ = 0;
  int encoded_ = 0;
  std::vector<size_t> changes_;  // per batch encoded
  bool open_ = false;
};

struct CountingIds : IdSource {
  std::atomic<int> n{0};
  std::string NewId() override { return "S" + std::to_string(++n); }
};

class DossierServiceTest : public ::testing::Test {
 protected:
  void Start(Store* store) {
    harness_ = std::make_unique<ServiceHarness>(store, HarnessOptions{.ids = &ids_});
    ASSERT_TRUE(harness_->started.ok());
    service_ = &harness_->service;
  }

  CountingIds ids_;
  std::unique_ptr<ServiceHarness> harness_;
  DossierService* service_ = nullptr;
};

// While a batch waits for its sync, the next batch is processed against the state it leaves:
// its dossier (acted on before it is in the store) and its number counter.
TEST_F(DossierServiceTest, ABatchInFlightIsSeenByTheBatchesAfterIt) {
  GateStore store;
  Start(&store);
  std::future<CommandResult> received = service_->Submit(ReceiveCopy(kCommuneA));
  store.WaitUntilEntered(1);  // batch 1 is in its commit, not yet in the store
  ASSERT_FALSE(store.Get("S1")->has_value());
  std::future<CommandResult> forwarded = service_->Submit(ForwardCommand("S1", 1));
  std::future<CommandResult> second = service_->Submit(ReceiveCopy(kCommuneA));
  // Nothing is acknowledged before its write is durable.
  EXPECT_EQ(forwarded.wait_for(std::chrono::milliseconds(100)), std::future_status::timeout);
  store.Open();
  CommandResult r1 = received.get(), r2 = forwarded.get(), r3 = second.get();
  ASSERT_TRUE(r1.accepted() && r2.accepted() && r3.accepted());
  EXPECT_EQ(r2.dossier->version, 2);
  EXPECT_EQ(r2.dossier->current_step, "appraise");
  EXPECT_EQ(r3.dossier->number, "000.17.22.H56-260302-0002");
  EXPECT_EQ((**store.Get("S1")).version, 2);
  EXPECT_EQ(*store.Counter(DossierNumberCounter(kCommuneA, {2026, 3, 2})), 2);
}

// A failed commit fails its commands, the batches processed behind it, and every write after.
TEST_F(DossierServiceTest, AFailedCommitFailsTheCommandsBehindIt) {
  GateStore store;
  Start(&store);
  std::future<CommandResult> first = service_->Submit(ReceiveCopy(kCommuneA));
  store.WaitUntilEntered(1);
  std::future<CommandResult> behind = service_->Submit(ForwardCommand("S1", 1));
  store.WaitUntilEncoded(2);  // processed behind the first, before its commit fails
  store.FailCommits(true);
  store.Open();
  EXPECT_THAT(first.get().status,
              StatusIs(StatusCode::kUnavailable, "not written: injected commit failure"));
  EXPECT_THAT(behind.get().status,
              StatusIs(StatusCode::kUnavailable, HasSubstr("an earlier write failed")));
  EXPECT_FALSE(store.Get("S1")->has_value());
  EXPECT_FALSE(service_->writable());
  EXPECT_THAT(service_->Execute(ReceiveCopy(kCommuneA)).status,
              StatusIs(StatusCode::kUnavailable, "writes are stopped: injected commit failure"));
}

// A store whose commit can fail after it took effect (a lost COMMIT that the database carried
// out), and whose Recover succeeds only when the test lets it.
class InDoubtStore : public MemoryStore {
 public:
  Status Commit(const std::vector<const WriteSet*>& sets) override {
    Status s = MemoryStore::Commit(sets);
    if (s.ok() && lose_answer_.exchange(false)) return Unavailable("connection lost in COMMIT");
    return s;
  }
  using Store::Commit;
  Status Recover() override {
    ++recover_calls_;
    if (refuse_recoveries_.load() > 0) {
      --refuse_recoveries_;
      return Unavailable("the database is not back yet");
    }
    return Status::Ok();
  }
  std::atomic<bool> lose_answer_{false};
  std::atomic<int> refuse_recoveries_{0};
  std::atomic<int> recover_calls_{0};
};

// After a write whose outcome is unknown, writes stop until the store recovers; then the
// service reads again what the failed write may have changed: the outbox goes on after the
// events it wrote after all, the number counter after the number it took, and the dossier it
// made can be acted on.
TEST_F(DossierServiceTest, AfterRecoveryWritesGoOnFromWhatTheStoreHolds) {
  InDoubtStore store;
  HarnessOptions o{.ids = &ids_};
  o.service.recover_writes = false;  // the test calls Recover
  harness_ = std::make_unique<ServiceHarness>(&store, o);
  ASSERT_TRUE(harness_->started.ok());
  service_ = &harness_->service;
  ASSERT_TRUE(service_->Execute(ReceiveCopy(kCommuneA)).accepted());  // S1
  store.lose_answer_ = true;
  EXPECT_THAT(service_->Execute(ReceiveCopy(kCommuneA)).status,
              StatusIs(StatusCode::kUnavailable, "not written: connection lost in COMMIT"));
  ASSERT_TRUE(store.Get("S2")->has_value()) << "the lost COMMIT took effect";
  EXPECT_FALSE(service_->writable());
  const uint64_t before = service_->last_outbox_position();

  store.refuse_recoveries_ = 1;
  EXPECT_THAT(service_->Recover(),
              StatusIs(StatusCode::kUnavailable, "the database is not back yet"));
  EXPECT_FALSE(service_->writable());
  EXPECT_THAT(service_->Execute(ReceiveCopy(kCommuneA)).status,
              StatusIs(StatusCode::kUnavailable, HasSubstr("writes are stopped")));

  ASSERT_THAT(service_->Recover(), IsOk());
  EXPECT_TRUE(service_->writable());
  EXPECT_EQ(service_->failure(), "");
  EXPECT_EQ(service_->last_outbox_position(), *store.LastOutboxPosition());
  EXPECT_GT(service_->last_outbox_position(), before);

  CommandResult third = service_->Execute(ReceiveCopy(kCommuneA));  // S3
  ASSERT_TRUE(third.accepted()) << third.status.ToString();
  EXPECT_TRUE(service_->Execute(ForwardCommand("S2", 1)).accepted());
  // Numbers 1, 2, 3: the counter was read again, not taken from before the failure.
  EXPECT_EQ(*store.Counter(DossierNumberCounter(kCommuneA, {2026, 3, 2})), 3);
  EXPECT_NE((*store.Get("S2"))->number, (*store.Get("S3"))->number);
  // The outbox runs on without a gap or a repeated position.
  Result<std::vector<uint64_t>> positions = store.OutboxPositions(0, 1000);
  ASSERT_THAT(positions.status(), IsOk());
  for (size_t i = 0; i < positions->size(); ++i) EXPECT_EQ((*positions)[i], i + 1);
  EXPECT_EQ(positions->size(), service_->last_outbox_position());
}

// With recover_writes, the service tries again by itself, with backoff, until the store is back.
TEST_F(DossierServiceTest, WritesAreTakenUpAgainByThemselvesOnceTheStoreIsBack) {
  InDoubtStore store;
  HarnessOptions o{.ids = &ids_};
  o.service.recover_backoff_ms = 2;
  o.service.recover_backoff_max_ms = 8;
  harness_ = std::make_unique<ServiceHarness>(&store, o);
  ASSERT_TRUE(harness_->started.ok());
  service_ = &harness_->service;
  store.refuse_recoveries_ = 3;
  store.lose_answer_ = true;
  EXPECT_FALSE(service_->Execute(ReceiveCopy(kCommuneA)).accepted());
  for (int i = 0; i < 1000 && !service_->writable(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_TRUE(service_->writable());
  EXPECT_EQ(store.recover_calls_.load(), 4);
  EXPECT_TRUE(service_->Execute(ReceiveCopy(kCommuneA)).accepted());
}

// A store that cannot recover (the default: RocksDB after a failed sync) keeps writes stopped.
TEST_F(DossierServiceTest, AStoreThatCannotRecoverKeepsWritesStopped) {
  MemoryStore store;
  HarnessOptions o{.ids = &ids_};
  o.service.recover_backoff_ms = 1;
  harness_ = std::make_unique<ServiceHarness>(&store, o);
  ASSERT_TRUE(harness_->started.ok());
  service_ = &harness_->service;
  store.FailCommits(true);
  EXPECT_FALSE(service_->Execute(ReceiveCopy(kCommuneA)).accepted());
  store.FailCommits(false);
  EXPECT_THAT(service_->Recover(),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("restart the server")));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(service_->writable());
}

// A retry of the same idempotency key while the original is being committed is answered only
// from durable state: when the original's sync fails, the retry fails too (issue 10 §0). Here the
// retry's batch holds nothing but the replay, so it has nothing of its own to write.
TEST_F(DossierServiceTest, ARetryOfACommandWhoseSyncFailsIsNotAcknowledged) {
  GateStore store;
  Start(&store);
  CommandRequest original = ReceiveCopy(kCommuneA);
  original.idempotency_key = "cb1:k";
  original.payload_hash = 7;
  std::future<CommandResult> first = service_->Submit(original);
  store.WaitUntilEntered(1);  // the original is in its commit
  std::future<CommandResult> retry = service_->Submit(original);
  store.WaitUntilEncoded(2);  // the retry's batch is processed: a replay of the in-flight state
  store.FailCommits(true);
  store.Open();
  EXPECT_THAT(first.get().status, StatusIs(StatusCode::kUnavailable, HasSubstr("not written")));
  CommandResult r = retry.get();
  EXPECT_FALSE(r.accepted()) << "a replay of a write that never reached the disk was acknowledged";
  EXPECT_THAT(r.status, StatusIs(StatusCode::kUnavailable, HasSubstr("an earlier write failed")));
  EXPECT_FALSE(store.Get("S1")->has_value());
}

// A completion callback owns what its caller gave it (the HTTP server's connection, say). The
// service must let go of it once it has been called, not when its batch is freed later: the
// caller may be gone by then (a server shut down before the service).
TEST_F(DossierServiceTest, ACallbackIsReleasedOnceItHasBeenCalled) {
  MemoryStore store;
  Start(&store);
  auto owned = std::make_shared<int>(1);  // stands for what the callback keeps alive
  std::promise<bool> answered;
  service_->SubmitAsync(ReceiveCopy(kCommuneA), [owned, &answered](CommandResult res) {
    answered.set_value(res.accepted());
  });
  ASSERT_TRUE(answered.get_future().get());
  // No other command follows: nothing else would free the batch.
  for (int i = 0; i < 500 && owned.use_count() > 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  EXPECT_EQ(owned.use_count(), 1);
}

// A burst larger than a round fires in one call, round after round, not one round a poll: 1,500
// dossiers received at 09:00 have 3,000 timers due by 18:00 (their receive step at 11:00, the
// dossier at 17:00).
TEST_F(DossierServiceTest, ABurstOfDueTimersFiresRoundAfterRound) {
  MemoryStore store;
  Start(&store);
  harness_->clock.Set(*ParseLocalDateTime("2026-03-02T09:00", 7 * 3600));
  std::vector<std::future<CommandResult>> received;
  for (int i = 0; i < 1500; ++i) {
    CommandRequest r = ReceiveCopy(kCommuneA);
    r.idempotency_key = "burst-" + std::to_string(i);
    received.push_back(service_->Submit(std::move(r)));
  }
  for (auto& f : received) ASSERT_TRUE(f.get().accepted());
  harness_->clock.Set(*ParseLocalDateTime("2026-03-02T18:00", 7 * 3600));
  Result<size_t> fired = service_->FireDueTimers();
  ASSERT_TRUE(fired.ok()) << fired.status().ToString();
  EXPECT_EQ(*fired, 3000u);
  Result<std::vector<DueTimer>> left = store.DueTimers(harness_->clock.Now(), 10);
  ASSERT_TRUE(left.ok());
  EXPECT_TRUE(left->empty());
  // Nothing more is due: the next call fires none.
  EXPECT_EQ(*service_->FireDueTimers(), 0u);
}

// Each round reads the due index on from the last entry the round before read, not from its
// start (where a store would skip over every entry the rounds before deleted).
TEST_F(DossierServiceTest, EachRoundOfABurstReadsOnFromWhereTheLastStopped) {
  struct RecordingStore : MemoryStore {
    Result<std::vector<std::string>> ScanIndexRange(const std::string& prefix,
                                                    const std::string& start_after,
                                                    const std::string& end_before,
                                                    size_t limit) override {
      if (prefix == IndexPrefix(IndexKind::kTimer)) {
        std::lock_guard lock(mu);
        starts.push_back(start_after);
      }
      return MemoryStore::ScanIndexRange(prefix, start_after, end_before, limit);
    }
    std::mutex mu;
    std::vector<std::string> starts;
  } store;
  HarnessOptions options{.ids = &ids_};
  options.service.timer_round = 40;
  ServiceHarness h(&store, options);
  ASSERT_TRUE(h.started.ok());
  h.clock.Set(*ParseLocalDateTime("2026-03-02T09:00", 7 * 3600));
  std::vector<std::future<CommandResult>> received;
  for (int i = 0; i < 100; ++i) received.push_back(h.service.Submit(ReceiveCopy(kCommuneA)));
  for (auto& f : received) ASSERT_TRUE(f.get().accepted());
  h.clock.Set(*ParseLocalDateTime("2026-03-02T18:00", 7 * 3600));
  Result<size_t> fired = h.service.FireDueTimers();
  ASSERT_TRUE(fired.ok()) << fired.status().ToString();
  EXPECT_EQ(*fired, 200u);
  // 200 due: five full rounds of 40, then a sixth that finds none.
  ASSERT_EQ(store.starts.size(), 6u);
  EXPECT_EQ(store.starts[0], "");
  for (size_t i = 1; i < store.starts.size(); ++i) {
    EXPECT_LT(store.starts[i - 1], store.starts[i]) << "round " << i;
  }
}

// Timers fired wait behind other commands and go a few at a time into the writes: while the
// commits are held, no more than timer_batch_alone of a round are processed (timer_batch while
// other commands arrive); a command queued behind the round is processed before the rest of it.
TEST_F(DossierServiceTest, TimersTakeAFewPlacesInEachWriteAndOtherCommandsGoFirst) {
  GateStore store;
  HarnessOptions options{.ids = &ids_};
  options.service.timer_batch = 2;
  options.service.timer_batch_alone = 3;
  ServiceHarness h(&store, options);
  ASSERT_TRUE(h.started.ok());
  h.clock.Set(*ParseLocalDateTime("2026-03-02T09:00", 7 * 3600));
  store.Open();
  std::vector<std::future<CommandResult>> received;
  for (int i = 0; i < 20; ++i) received.push_back(h.service.Submit(ReceiveCopy(kCommuneA)));
  for (auto& f : received) ASSERT_TRUE(f.get().accepted());
  store.Close();
  const int encoded = store.encoded();
  h.clock.Set(*ParseLocalDateTime("2026-03-02T18:00", 7 * 3600));
  std::future<Result<size_t>> fired =
      std::async(std::launch::async, [&] { return h.service.FireDueTimers(); });
  // The first timers are processed up to the cap, in one batch or more, their writes held: 2
  // while the receptions above count as recent, 3 once they do not.
  store.WaitUntilChanged(2, encoded);
  const int timer_batches = store.encoded();
  // A reception queued now, behind the rest of the round, is processed next, and alone.
  std::future<CommandResult> reception = h.service.Submit(ReceiveCopy(kCommuneB));
  store.WaitUntilEncoded(timer_batches + 1);
  EXPECT_EQ(store.last_changes(), 1u) << "the reception's batch holds only the reception";
  EXPECT_LE(store.changes_since(encoded), 3u + 1u) << "timers processed while none was durable";
  store.Open();
  EXPECT_TRUE(reception.get().accepted());
  Result<size_t> n = fired.get();
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 40u);
}

}  // namespace
}  // namespace motcua
