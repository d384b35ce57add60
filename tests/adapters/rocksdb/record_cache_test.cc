// The record cache: only durable states, versions never go back, a read that raced a commit is
// not kept, bounded size; and through the RocksDB store, reads after commits and after a failed
// sync.

#include "adapters/rocksdb/record_cache.h"

#include <gtest/gtest.h>
#include <rocksdb/env.h>

#include <atomic>
#include <filesystem>

#include "adapters/rocksdb/rocks_store.h"
#include "tests/adapters/rocksdb/failing_fs.h"
#include "tests/engine/store/store_conformance.h"

namespace motcua::testing {
namespace {

std::shared_ptr<const Dossier> State(const std::string& id, int64_t version) {
  auto d = std::make_shared<Dossier>();
  d->id = id;
  d->version = version;
  return d;
}

TEST(RecordCache, KeepsTheHighestVersion) {
  RecordCache c(100);
  c.PutCommitted(State("a", 2));
  c.PutCommitted(State("a", 1));  // older: ignored
  EXPECT_EQ(c.Find("a")->version, 2);
  c.PutCommitted(State("a", 3));
  EXPECT_EQ(c.Find("a")->version, 3);
  EXPECT_EQ(c.Find("b"), nullptr);
}

TEST(RecordCache, AReadThatRacedACommitIsNotKept) {
  RecordCache c(100);
  const uint64_t before = c.commits();
  c.BeginCommit();  // a commit began while the reader was reading
  c.PutRead(State("a", 1), before);
  EXPECT_EQ(c.Find("a"), nullptr);
  c.PutRead(State("a", 1), c.commits());  // no commit since: kept
  EXPECT_EQ(c.Find("a")->version, 1);
  c.PutRead(State("a", 0), c.commits());  // never goes back
  EXPECT_EQ(c.Find("a")->version, 1);
}

TEST(RecordCache, StaysWithinItsCapacityOldestOut) {
  RecordCache c(64);
  for (int i = 0; i < 1000; ++i) c.PutCommitted(State("d" + std::to_string(i), 1));
  EXPECT_LE(c.size(), 64u);
  EXPECT_GT(c.size(), 32u);
  EXPECT_NE(c.Find("d999"), nullptr);
  EXPECT_EQ(c.Find("d0"), nullptr);
}

TEST(RecordCache, ZeroCapacityIsOff) {
  RecordCache c(0);
  c.PutCommitted(State("a", 1));
  EXPECT_EQ(c.Find("a"), nullptr);
  EXPECT_EQ(c.size(), 0u);
}

std::string FreshDir(const std::string& name) {
  std::string dir = ::testing::TempDir() + "/motcua-cache-" + name + "-" + std::to_string(getpid());
  std::filesystem::remove_all(dir);
  return dir;
}

TEST(RecordCacheInStore, ACommittedStateIsServedWithoutADecode) {
  const std::string dir = FreshDir("commit");
  auto s = RocksStore::Open(dir);
  ASSERT_TRUE(s.ok());
  Dossier d = SampleDossier("d1", DossierStatus::kReceived, "receive", 1);
  WriteSet w;
  w.first_outbox_position = 1;
  w.changes.push_back({std::nullopt, d, {SampleEvent(d)}});
  ASSERT_TRUE((*s)->Commit(w).ok());
  std::shared_ptr<const Dossier> got = *(*s)->GetShared("d1");
  EXPECT_EQ(got.get(), w.changes[0].after.get());  // the very state the commit wrote
  s->reset();
  // Reopened: an empty cache, the record comes from RocksDB and is then cached.
  auto again = RocksStore::Open(dir);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->record_cache().size(), 0u);
  EXPECT_EQ(**(*again)->GetShared("d1"), d);
  EXPECT_EQ((*again)->record_cache().size(), 1u);
  again->reset();
  std::filesystem::remove_all(dir);
}

TEST(RecordCacheInStore, AFailedSyncLeavesTheDurableStateInTheCache) {
  const std::string dir = FreshDir("failing");
  std::atomic<bool> fail{false};
  auto fs = std::make_shared<FailingSyncFs>(&fail);
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
  RocksStoreOptions o;
  o.env = env.get();
  auto s = RocksStore::Open(dir, o);
  ASSERT_TRUE(s.ok());
  Dossier v1 = SampleDossier("d1", DossierStatus::kReceived, "receive", 1);
  WriteSet w1;
  w1.first_outbox_position = 1;
  w1.changes.push_back({std::nullopt, v1, {SampleEvent(v1)}});
  ASSERT_TRUE((*s)->Commit(w1).ok());
  fail = true;
  Dossier v2 = SampleDossier("d1", DossierStatus::kInProcessing, "appraise", 2);
  WriteSet w2;
  w2.first_outbox_position = 2;
  w2.changes.push_back({v1, v2, {SampleEvent(v2)}});
  EXPECT_FALSE((*s)->Commit(w2).ok());
  EXPECT_EQ((*(*s)->GetShared("d1"))->version, 1);  // never the state that was not acknowledged
  s->reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace motcua::testing
