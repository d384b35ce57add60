// The RocksDB store: the shared conformance suite, durability across reopen, and a failing
// fsync injected through RocksDB's public FileSystemWrapper.

#include "adapters/rocksdb/rocks_store.h"

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <atomic>
#include <filesystem>

#include "tests/adapters/rocksdb/failing_fs.h"
#include "tests/adapters/rocksdb/temp_dir.h"
#include "tests/engine/common/status_matchers.h"
#include "tests/engine/store/store_conformance.h"

namespace motcua::testing {
namespace {

using ::testing::HasSubstr;

struct RocksStoreFactory {
  std::string dir = FreshDir("conformance");
  std::unique_ptr<Store> Make() {
    auto s = RocksStore::Open(dir);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return std::move(s).value();
  }
  void Cleanup() { std::filesystem::remove_all(dir); }
};

INSTANTIATE_TYPED_TEST_SUITE_P(Rocks, StoreConformance, RocksStoreFactory);

TEST(RocksStoreTest, CommittedDataSurvivesReopen) {
  const std::string dir = FreshDir("reopen");
  Dossier d = SampleDossier("d1", DossierStatus::kReceived, "receive", 1);
  {
    auto s = RocksStore::Open(dir);
    ASSERT_TRUE(s.ok());
    WriteSet w;
    w.first_outbox_position = 1;
    w.changes.push_back({std::nullopt, d, {SampleEvent(d)}});
    ASSERT_TRUE((*s)->Commit(w).ok());
  }
  auto s = RocksStore::Open(dir);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(**(*s)->Get("d1"), d);
  EXPECT_EQ(*(*s)->LastOutboxPosition(), 1u);
  std::filesystem::remove_all(dir);
}

TEST(RocksStoreTest, AFailedSyncIsNeverAcknowledgedAndStopsWrites) {
  const std::string dir = FreshDir("failing-sync");
  std::atomic<bool> fail{false};
  auto fs = std::make_shared<FailingSyncFs>(&fail);
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
  RocksStoreOptions options;
  options.env = env.get();
  {
    auto opened = RocksStore::Open(dir, options);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    RocksStore& s = **opened;
    Dossier d1 = SampleDossier("d1", DossierStatus::kReceived, "receive", 1);
    WriteSet w1;
    w1.first_outbox_position = 1;
    w1.changes.push_back({std::nullopt, d1, {SampleEvent(d1)}});
    ASSERT_TRUE(s.Commit(w1).ok());

    fail = true;
    Dossier d2 = SampleDossier("d2", DossierStatus::kReceived, "receive", 1);
    WriteSet w2;
    w2.first_outbox_position = 2;
    w2.changes.push_back({std::nullopt, d2, {SampleEvent(d2)}});
    Status failed = s.Commit(w2);
    EXPECT_EQ(failed.code(), StatusCode::kUnavailable) << failed.ToString();
    EXPECT_TRUE(s.write_failed());

    // The disk recovers, but the store still refuses: what followed a failed sync cannot be
    // acknowledged in order until an operator restarts it.
    fail = false;
    EXPECT_THAT(s.Commit(w2), StatusIs(StatusCode::kUnavailable,
                                       HasSubstr("refuses writes after a failed write")));
    // Reads keep working; the record cache holds what was durable, never the refused write.
    EXPECT_TRUE((*s.Get("d1")).has_value());
    EXPECT_EQ((*s.GetShared("d1"))->version, 1);
    EXPECT_EQ(*s.GetShared("d2"), nullptr);
  }
  std::filesystem::remove_all(dir);
}

TEST(RocksStoreTest, RefusesAStoreOfAnotherFormat) {
  const std::string dir = FreshDir("format");
  {
    auto s = RocksStore::Open(dir);
    ASSERT_TRUE(s.ok());
    rocksdb::WriteOptions wo;
    ASSERT_TRUE((*s)->db()->Put(wo, "format", "99").ok());
  }
  EXPECT_THAT(RocksStore::Open(dir),
              StatusIs(StatusCode::kFailedPrecondition,
                       HasSubstr("has format 99; this build reads format 1")));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace motcua::testing
