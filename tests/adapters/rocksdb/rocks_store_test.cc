// The RocksDB store: the shared conformance suite, durability across reopen, and a failing
// fsync injected through RocksDB's public FileSystemWrapper.

#include "adapters/rocksdb/rocks_store.h"

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <atomic>
#include <filesystem>

#include "engine/store/indexes.h"
#include "engine/store/verify.h"
#include "tests/adapters/rocksdb/failing_fs.h"
#include "tests/adapters/rocksdb/temp_dir.h"
#include "tests/engine/common/status_matchers.h"
#include "tests/engine/store/store_conformance.h"

namespace motcua::testing {
namespace {

using ::testing::_;
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

// A disk that fills up stops writes cleanly (never an abort: issue 10 §0); a restart on the full
// disk serves reads and refuses writes, saying why; with space back, a restart writes again.
TEST(RocksStoreTest, AFullDiskStopsWritesAndAReopenStillServesReads) {
  const std::string dir = FreshDir("full-disk");
  std::atomic<bool> full{false};
  auto fs = std::make_shared<FullDiskFs>(&full);
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
  RocksStoreOptions options;
  options.env = env.get();
  {
    auto opened = RocksStore::Open(dir, options);
    ASSERT_THAT(opened, IsOk());
    RocksStore& s = **opened;
    ASSERT_THAT(s.Commit(NewDossierWrite("d1", 1)), IsOk());
    full = true;
    EXPECT_THAT(s.Commit(NewDossierWrite("d2", 2)),
                StatusIs(StatusCode::kUnavailable, HasSubstr("No space left on device")));
    EXPECT_THAT(s.Writable(), StatusIs(StatusCode::kUnavailable, HasSubstr("No space")));
    EXPECT_TRUE((*s.Get("d1")).has_value());
    EXPECT_FALSE((*s.Get("d2")).has_value());
  }
  {  // restarted, the disk still full
    auto opened = RocksStore::Open(dir, options);
    ASSERT_THAT(opened, IsOk());
    RocksStore& s = **opened;
    EXPECT_THAT(s.Writable(),
                StatusIs(StatusCode::kUnavailable,
                         HasSubstr("the disk is full; the store was opened read-only")));
    EXPECT_TRUE((*s.Get("d1")).has_value());
    EXPECT_EQ(*s.LastOutboxPosition(), 1u);
    EXPECT_THAT(s.Commit(NewDossierWrite("d2", 2)), StatusIs(StatusCode::kUnavailable, _));
  }
  full = false;
  {  // space is back
    auto opened = RocksStore::Open(dir, options);
    ASSERT_THAT(opened, IsOk());
    EXPECT_THAT((*opened)->Writable(), IsOk());
    EXPECT_THAT((*opened)->Commit(NewDossierWrite("d2", 2)), IsOk());
  }
  // RocksDB's messages went to stderr: no LOG file on the data disk.
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    EXPECT_NE(e.path().filename().string().rfind("LOG", 0), 0u) << e.path();
  }
  std::filesystem::remove_all(dir);
}

// Format 1 had no status index. Opening such a store for writing adds it (also when an earlier
// attempt stopped part-way) and moves it to format 2; opening it read-only refuses it, saying
// how to upgrade it.
TEST(RocksStoreTest, AFormat1StoreIsMigratedWhenOpenedForWriting) {
  const std::string dir = FreshDir("migrate");
  {
    auto s = RocksStore::Open(dir);
    ASSERT_TRUE(s.ok());
    for (int i = 1; i <= 3; ++i) {
      ASSERT_THAT((*s)->Commit(NewDossierWrite("d" + std::to_string(i), i)), IsOk());
    }
    // Back to format 1: no status, name or phone entries but d1's (a migration that stopped
    // part-way).
    rocksdb::WriteOptions wo;
    ASSERT_TRUE((*s)->db()->Put(wo, "format", "1").ok());
    for (IndexKind kind : {IndexKind::kStatus, IndexKind::kApplicantName, IndexKind::kPhone}) {
      Result<std::vector<std::string>> added = (*s)->ScanIndex(IndexPrefix(kind), "", 100);
      ASSERT_TRUE(added.ok());
      for (const std::string& e : *added) {
        if (IndexEntryId(e) == "d1") continue;
        ASSERT_TRUE((*s)->db()->Delete(wo, (*s)->handle(ColumnFamily::kIndexes), e).ok());
      }
    }
  }
  RocksStoreOptions read_only;
  read_only.read_only = true;
  EXPECT_THAT(RocksStore::Open(dir, read_only),
              StatusIs(StatusCode::kFailedPrecondition,
                       HasSubstr("has format 1; this build upgrades it to format 6 when it opens "
                                 "it for writing (motcua migrate <data>, or motcua serve)")));
  {
    auto s = RocksStore::Open(dir);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    EXPECT_EQ((*s)->migration(),
              "store format 1 → 5: wrote the index entries of 3 dossiers and counted 0 report "
              "counters from their histories; store format 5 → 6: hash chains over 3 events");
    // Every implied index entry is there (the sample events do not replay to the sample
    // records, so only index problems count here).
    Result<VerifyReport> report = VerifyStore(**s);
    ASSERT_TRUE(report.ok());
    for (const std::string& p : report->problems)
      EXPECT_EQ(p.find("index"), std::string::npos) << p;
    DossierQuery q;
    q.status = DossierStatus::kReceived;
    Result<QueryPage> page = (*s)->Query(q);
    ASSERT_TRUE(page.ok());
    EXPECT_EQ(page->dossiers.size(), 3u);
  }
  {
    auto s = RocksStore::Open(dir);
    ASSERT_TRUE(s.ok());
    EXPECT_EQ((*s)->migration(), "");
  }
  std::filesystem::remove_all(dir);
}

// Counts a column family's keys.
size_t Keys(RocksStore& s, ColumnFamily f) {
  std::unique_ptr<rocksdb::Iterator> it(s.db()->NewIterator(rocksdb::ReadOptions(), s.handle(f)));
  size_t n = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++n;
  return n;
}

TEST(RocksStoreTest, ReportChangesAreLoggedWithTheCommitAndFoldedLater) {
  const std::string dir = FreshDir("report-log");
  const std::string in = J({"f6", "d", "20260302", "A1", "P", "in_counter"});
  const std::string late = J({"f6", "d", "20260302", "A1", "P", "late"});
  const std::map<std::string, int64_t> expected = {{in, 3}, {late, 1}};
  RocksStoreOptions options;
  options.report_fold_interval_ms = 0;  // folds only when asked (and at close)
  auto opened = RocksStore::Open(dir, options);
  ASSERT_TRUE(opened.ok());
  RocksStore& s = **opened;
  for (const auto& deltas :
       std::vector<std::vector<std::pair<std::string, int64_t>>>{{{in, 2}, {late, 1}}, {{in, 1}}}) {
    WriteSet w;
    w.report_deltas = deltas;
    ASSERT_TRUE(s.Commit(w).ok());
  }
  // One log entry a commit, no counter written yet; a scan adds the log to the counters.
  EXPECT_EQ(Keys(s, ColumnFamily::kReportLog), 2u);
  EXPECT_EQ(Keys(s, ColumnFamily::kReports), 0u);
  EXPECT_EQ(ReportCounters(s, "f6", "f7"), expected);
  {
    // So does a read-only open beside it (motcua verify, motcua report), which cannot fold.
    RocksStoreOptions ro;
    ro.read_only = true;
    auto reader = RocksStore::Open(dir, ro);
    ASSERT_TRUE(reader.ok()) << reader.status().ToString();
    EXPECT_EQ(ReportCounters(**reader, "f6", "f7"), expected);
  }
  Result<size_t> folded = s.FoldReportLog();
  ASSERT_TRUE(folded.ok());
  EXPECT_EQ(*folded, 2u);
  EXPECT_EQ(Keys(s, ColumnFamily::kReportLog), 0u);
  EXPECT_EQ(ReportCounters(s, "f6", "f7"), expected);
  folded = s.FoldReportLog();
  ASSERT_TRUE(folded.ok());
  EXPECT_EQ(*folded, 0u);
  // Another commit after the fold: the counters plus the new entry.
  WriteSet w;
  w.report_deltas = {{late, -1}};
  ASSERT_TRUE(s.Commit(w).ok());
  EXPECT_EQ(ReportCounters(s, "f6", "f7"), (std::map<std::string, int64_t>{{in, 3}}));
  opened->reset();  // a clean close folds the rest
  RocksStoreOptions ro;
  ro.read_only = true;
  auto reader = RocksStore::Open(dir, ro);
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ(Keys(**reader, ColumnFamily::kReportLog), 0u);
  EXPECT_EQ(ReportCounters(**reader, "f6", "f7"), (std::map<std::string, int64_t>{{in, 3}}));
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
                       HasSubstr("has format 99; this build reads format 6")));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace motcua::testing
