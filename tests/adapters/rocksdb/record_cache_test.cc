// The record cache: only durable states, versions never go back, a read that raced a commit is
// not kept, bounded size; and through the RocksDB store, reads after commits and after a
// reopen. (After a failed sync: rocks_store_test.cc.)

#include "adapters/rocksdb/record_cache.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "adapters/rocksdb/rocks_store.h"
#include "tests/adapters/rocksdb/temp_dir.h"
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

TEST(RecordCacheInStore, ACommittedStateIsServedWithoutADecode) {
  const std::string dir = FreshDir("cache-commit");
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

}  // namespace
}  // namespace motcua::testing
