// The fan-out of committed events (adapters/http/stream_hub.h), without a socket: each event is
// read and rendered once and shared by every subscriber that wants it, in position order; a
// subscriber behind the hub is told to catch up first; the committer's call does no fan-out.

#include "adapters/http/stream_hub.h"

#include <gtest/gtest.h>

#include <chrono>

#include "adapters/runtime/cond_var.h"
#include "engine/store/memory_store.h"
#include "tests/engine/batch/fixtures.h"

namespace motcua::http {
namespace {

// Counts dossier reads: the hub reads each event's dossier once, whoever subscribes.
class CountingStore : public MemoryStore {
 public:
  Result<std::shared_ptr<const Dossier>> GetShared(const std::string& id) override {
    reads.fetch_add(1);
    return Store::GetShared(id);
  }
  Result<std::vector<OutboxEntry>> ReadOutbox(uint64_t after, size_t limit) override {
    outbox_reads.fetch_add(1);
    return MemoryStore::ReadOutbox(after, limit);
  }
  std::atomic<int> reads{0};
  std::atomic<int> outbox_reads{0};
};

// A subscriber that wants the dossiers named `only` (all when empty), and records deliveries.
class Sink : public StreamSink {
 public:
  explicit Sink(std::string only = "") : only_(std::move(only)) {}
  Route route() const override { return {only_, ""}; }
  bool Wants(const StreamEvent& e, const AgencyRegistry&) const override {
    return only_.empty() || e.dossier_id == only_;
  }
  void Deliver(std::vector<std::shared_ptr<const StreamEvent>> events) override {
    MutexLock lock(&mu_);
    for (auto& e : events) got_.push_back(std::move(e));
    cv_.SignalAll();
  }
  // Waits (at most 5 s) for `n` events; returns what arrived.
  std::vector<std::shared_ptr<const StreamEvent>> WaitFor(size_t n) {
    MutexLock lock(&mu_);
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (got_.size() < n && std::chrono::steady_clock::now() < until) {
      cv_.WaitFor(&mu_, std::chrono::milliseconds(50));
    }
    return got_;
  }

 private:
  std::string only_;
  Mutex mu_;
  CondVar cv_;
  std::vector<std::shared_ptr<const StreamEvent>> got_ GUARDED_BY(mu_);
};

Dossier At(const std::string& id) {
  Dossier d;
  d.id = id;
  d.version = 1;
  d.receiving_agency = kCommuneA;
  d.competent_agency = kCommuneA;
  d.status = DossierStatus::kInProcessing;
  d.current_step = "appraise";
  d.assignee = "sp1";
  return d;
}

Event For(const std::string& id) {
  Event e;
  e.type = EventType::kForwarded;
  e.dossier_id = id;
  e.version = 1;
  e.to_step = "appraise";
  return e;
}

class StreamHubTest : public ::testing::Test {
 protected:
  // Commits one event per id, at the next outbox positions.
  void Commit(const std::vector<std::string>& ids) {
    WriteSet w;
    w.first_outbox_position = next_;
    for (const std::string& id : ids) w.changes.push_back({std::nullopt, At(id), {For(id)}});
    ASSERT_TRUE(store_.Commit(w).ok());
    next_ += ids.size();
  }

  // Commits as Commit() does, and returns what the committer hands over in memory: the events
  // with their dossiers as the commit left them (here assigned to `assignee`).
  std::shared_ptr<const CommittedEvents> CommitInMemory(const std::vector<std::string>& ids,
                                                        const std::string& assignee) {
    auto feed = std::make_shared<CommittedEvents>();
    feed->first_position = next_;
    for (const std::string& id : ids) {
      Dossier d = At(id);
      d.assignee = assignee;
      feed->changes.push_back({std::make_shared<const Dossier>(d), {For(id)}});
      ++feed->event_count;
    }
    Commit(ids);
    return feed;
  }

  CountingStore store_;
  std::shared_ptr<const DefinitionCatalog> catalog_ = ShippedCatalog();
  uint64_t next_ = 1;
};

TEST_F(StreamHubTest, EachEventIsMadeOnceAndSharedInOrder) {
  StreamHub hub(
      &store_, [this] { return catalog_; }, 0);
  auto all = std::make_shared<Sink>();
  auto other = std::make_shared<Sink>();
  auto only_b = std::make_shared<Sink>("b");
  for (const auto& s : {all, other, only_b}) ASSERT_TRUE(hub.Join(s, 0));
  hub.Start();
  Commit({"a", "b", "c"});
  hub.Committed(3);
  std::vector<std::shared_ptr<const StreamEvent>> got = all->WaitFor(3);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0]->position, 1u);
  EXPECT_EQ(got[2]->position, 3u);
  EXPECT_EQ(got[1]->dossier_id, "b");
  // What filters need travels with the event.
  EXPECT_EQ(got[1]->competent_agency, kCommuneA);
  EXPECT_EQ(got[1]->current_step, "appraise");
  EXPECT_EQ(got[1]->assignee, "sp1");
  EXPECT_NE(got[1]->json.find(R"("position":"2")"), std::string::npos) << got[1]->json;
  // Shared, not copied: the same rendering reaches every subscriber.
  std::vector<std::shared_ptr<const StreamEvent>> same = other->WaitFor(3);
  ASSERT_EQ(same.size(), 3u);
  EXPECT_EQ(same[1].get(), got[1].get());
  std::vector<std::shared_ptr<const StreamEvent>> b = only_b->WaitFor(1);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].get(), got[1].get());
  // One dossier read per event, not per subscriber.
  EXPECT_EQ(store_.reads.load(), 3);
  hub.Stop();
}

TEST_F(StreamHubTest, ASubscriberBehindCatchesUpBeforeItJoins) {
  StreamHub hub(
      &store_, [this] { return catalog_; }, 0);
  hub.Start();
  Commit({"a", "b"});
  hub.Committed(2);
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (hub.fanned() < 2 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_EQ(hub.fanned(), 2u);
  auto late = std::make_shared<Sink>();
  EXPECT_FALSE(hub.Join(late, 1));  // event 2 went out without it: read it from the store first
  EXPECT_TRUE(hub.Join(late, 2));
  EXPECT_EQ(hub.live(), 1u);
  Commit({"c"});
  hub.Committed(3);
  std::vector<std::shared_ptr<const StreamEvent>> got = late->WaitFor(1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0]->position, 3u);
  hub.Leave(late.get());
  EXPECT_EQ(hub.live(), 0u);
  hub.Stop();
}

TEST_F(StreamHubTest, ASubscriberThatIsGoneIsForgotten) {
  StreamHub hub(
      &store_, [this] { return catalog_; }, 0);
  {
    auto gone = std::make_shared<Sink>();
    ASSERT_TRUE(hub.Join(gone, 0));
  }
  auto kept = std::make_shared<Sink>();
  ASSERT_TRUE(hub.Join(kept, 0));
  hub.Start();
  Commit({"a"});
  hub.Committed(1);
  EXPECT_EQ(kept->WaitFor(1).size(), 1u);
  EXPECT_EQ(hub.live(), 1u);
  hub.Stop();
}

TEST_F(StreamHubTest, EventsHandedOverInMemoryAreNotReadBack) {
  StreamHub hub(
      &store_, [this] { return catalog_; }, 0);
  auto all = std::make_shared<Sink>();
  ASSERT_TRUE(hub.Join(all, 0));
  hub.Start();
  hub.Committed(CommitInMemory({"a", "b"}, "sp2"));
  hub.Committed(CommitInMemory({"c"}, "sp3"));
  std::vector<std::shared_ptr<const StreamEvent>> got = all->WaitFor(3);
  ASSERT_EQ(got.size(), 3u);
  for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i]->position, i + 1);
  // The facts are those of the dossier the commit handed over, not a store read.
  EXPECT_EQ(got[1]->dossier_id, "b");
  EXPECT_EQ(got[1]->assignee, "sp2");
  EXPECT_EQ(got[2]->assignee, "sp3");
  EXPECT_NE(got[2]->json.find(R"("position":"3")"), std::string::npos) << got[2]->json;
  EXPECT_EQ(store_.reads.load(), 0);
  EXPECT_EQ(store_.outbox_reads.load(), 0);
  hub.Stop();
}

TEST_F(StreamHubTest, EventsNotHeldInMemoryAreReadFromTheOutboxInOrder) {
  StreamHub hub(
      &store_, [this] { return catalog_; }, 0);
  auto all = std::make_shared<Sink>();
  ASSERT_TRUE(hub.Join(all, 0));
  // Events 1 and 2 were committed without being handed over (told by position only, as the
  // committer of an older server does); event 3 comes in memory.
  Commit({"a", "b"});
  hub.Committed(CommitInMemory({"c"}, "sp3"));
  hub.Start();
  std::vector<std::shared_ptr<const StreamEvent>> got = all->WaitFor(3);
  ASSERT_EQ(got.size(), 3u);
  for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i]->position, i + 1);
  EXPECT_EQ(got[0]->assignee, "sp1");  // read through the store
  EXPECT_GE(store_.outbox_reads.load(), 1);
  EXPECT_EQ(hub.fanned(), 3u);
  hub.Stop();
}

}  // namespace
}  // namespace motcua::http
