// The golden store (testdata/golden-store, written once by make_golden_store.cc with the code of
// storage format 1) opens and verifies with today's code: every dossier's stored events replay,
// through today's appliers, to the record the old code stored. A change that alters how stored
// histories replay fails here.

#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "adapters/rocksdb/rocks_store.h"
#include "engine/store/verify.h"
#include "tests/adapters/rocksdb/temp_dir.h"

namespace motcua::testing {
namespace {

Instant At(const char* local) { return *ParseLocalDateTime(local, 7 * 3600); }

TEST(GoldenStoreTest, AStoreWrittenByFormat1OpensAndVerifies) {
  const std::string dir = FreshDir("golden");
  std::filesystem::copy(
      std::string(MOTCUA_SOURCE_DIR) + "/tests/adapters/rocksdb/testdata/golden-store", dir,
      std::filesystem::copy_options::recursive);
  {
    auto store = RocksStore::Open(dir);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    Result<VerifyReport> report = VerifyStore(**store);
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    EXPECT_EQ(report->problems, std::vector<std::string>{});
    EXPECT_EQ(report->dossiers, 111u);
    EXPECT_EQ(report->events, 564u);
    EXPECT_EQ(report->outbox_last, 564u);

    // Every kind of event is in it, so every applier meets stored data.
    std::set<EventType> types;
    Result<std::vector<OutboxEntry>> outbox = (*store)->ReadOutbox(0, 1000);
    ASSERT_TRUE(outbox.ok());
    for (const OutboxEntry& o : *outbox) types.insert(o.event.type);
    EXPECT_EQ(types.size(), static_cast<size_t>(EventType::kTimerFired) + 1);

    // One dossier read field by field: 1.013225 received Mon 1/6 08:00, extended by 10 WD on
    // Wed 24/6, approved Wed 1/7 10:00 after the original due (tests/scenarios/1.013225-extension).
    Result<std::optional<Dossier>> d = (*store)->Get("g19-D00001");
    ASSERT_TRUE(d.ok() && d->has_value());
    EXPECT_EQ((*d)->procedure_code, "1.013225");
    EXPECT_EQ((*d)->status, DossierStatus::kReturned);
    EXPECT_EQ((*d)->due_at, At("2026-06-29T08:00"));
    EXPECT_EQ((*d)->extended_due_at, At("2026-07-13T08:00"));
    EXPECT_EQ((*d)->decided_at, At("2026-07-01T10:00"));
    EXPECT_EQ((*d)->timeliness, Timeliness::kLate);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace motcua::testing
