// Timers fire exactly once from the due-instant index, survive restarts, and what came due
// while the process was down fires on start.

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "adapters/rocksdb/rocks_store.h"
#include "adapters/runtime/dossier_service.h"
#include "adapters/yaml/definition_loader.h"
#include "engine/definition/catalog.h"
#include "tests/adapters/runtime/service_fixture.h"

namespace motcua {
namespace {

Instant At(const char* s) { return *ParseLocalDateTime(s, 7 * 3600); }

int TimerEvents(Store& store, const std::string& id) {
  int n = 0;
  for (const Event& e : *store.History(id)) n += e.type == EventType::kTimerFired ? 1 : 0;
  return n;
}

TEST(TimerRestartTest, DueTimersFireOnStartExactlyOnce) {
  const std::string dir = ::testing::TempDir() + "/motcua-timers-" + std::to_string(getpid());
  std::filesystem::remove_all(dir);
  std::string id;
  {
    auto store = RocksStore::Open(dir);
    ASSERT_TRUE(store.ok());
    ServiceHarness h(store->get(), {.start = At("2026-03-02T09:00")});
    ASSERT_TRUE(h.started.ok());
    CommandResult res = h.service.Execute(ReceiveCopy(kCommuneA));
    ASSERT_TRUE(res.accepted());
    id = res.dossier->id;
    // Due 17:00; the receive step (2 WH) due 11:00.
    ASSERT_EQ(res.dossier->timers.size(), 2u);
  }
  // Down from 09:00 to 18:00: both came due meanwhile and fire when the service starts.
  {
    auto store = RocksStore::Open(dir);
    ASSERT_TRUE(store.ok());
    ServiceOptions o;
    o.timer_poll_ms = 20;
    ServiceHarness h(store->get(), {.service = o, .start = At("2026-03-02T18:00")});
    ASSERT_TRUE(h.started.ok());
    for (int i = 0; i < 200 && TimerEvents(**store, id) < 2; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // a few more timer rounds
    h.service.Stop();
    EXPECT_EQ(TimerEvents(**store, id), 2);
    auto d = (*store)->Get(id);
    EXPECT_TRUE((*d)->timers.empty());
    ASSERT_EQ((*d)->fired.size(), 2u);
    EXPECT_EQ((*d)->fired[0].kind, TimerKind::kStepDue);  // 11:00 comes first
    EXPECT_EQ((*d)->fired[1].kind, TimerKind::kDossierDue);
  }
  // Another restart: nothing fires twice.
  {
    auto store = RocksStore::Open(dir);
    ASSERT_TRUE(store.ok());
    ServiceOptions o;
    o.timer_poll_ms = 20;
    ServiceHarness h(store->get(), {.service = o, .start = At("2026-03-03T09:00")});
    ASSERT_TRUE(h.started.ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    h.service.Stop();
    EXPECT_EQ(TimerEvents(**store, id), 2);
  }
  std::filesystem::remove_all(dir);
}

TEST(CatalogReloadTest, PinnedVersionsSurviveAReloadThatDropsTheirFile) {
  auto first = ShippedCatalog();
  ASSERT_NE(first->Version("2.000908", 1), nullptr);
  // A reload from a directory without 2.000908 keeps the version dossiers may have pinned.
  DefinitionSet other =
      LoadDefinitions(std::string(MOTCUA_SOURCE_DIR) + "/tests/scenarios/definitions-versions");
  ASSERT_TRUE(other.ok());
  DefinitionCatalog reloaded(std::move(other), first.get());
  EXPECT_NE(reloaded.Version("2.000908", 1), nullptr);
  EXPECT_EQ(reloaded.InForce("2.000908", {2026, 3, 2}), nullptr);  // not for new receptions
  EXPECT_NE(reloaded.Version("9.000001", 2), nullptr);
}

}  // namespace
}  // namespace motcua
