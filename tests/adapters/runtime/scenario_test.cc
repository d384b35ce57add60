// Every scenario in tests/scenarios/ through the threaded dossier service, on both stores: the
// in-memory twin and RocksDB on disk. A new procedure gets scenario tests by adding a .scenario
// file, without C++. (tests/engine/dossier/scenario_test.cc runs them through the pure core.)

#include <gtest/gtest.h>

#include <filesystem>

#include "adapters/rocksdb/rocks_store.h"
#include "engine/store/memory_store.h"
#include "engine/store/verify.h"
#include "tests/adapters/rocksdb/temp_dir.h"
#include "tests/adapters/runtime/service_driver.h"

namespace motcua::testing {
namespace {

class ScenarioTest : public ::testing::TestWithParam<std::string> {};

// What a scenario left must verify as `motcua verify` does: histories replay to the records,
// every index entry is there and no other, numbers are unique, the outbox has no gap.
void ExpectVerified(Store& store) {
  Result<VerifyReport> report = VerifyStore(store);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->problems, std::vector<std::string>{});
}

TEST_P(ScenarioTest, InMemory) {
  MemoryStore store;
  {
    ServiceDriver driver(&store);
    for (const auto& f : RunScenario(GetParam(), &store, &driver)) ADD_FAILURE() << f;
  }
  ExpectVerified(store);
}

TEST_P(ScenarioTest, RocksDb) {
  const std::string dir = FreshDir("scenario");
  {
    auto store = RocksStore::Open(dir);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    {
      ServiceDriver driver(store->get());
      for (const auto& f : RunScenario(GetParam(), store->get(), &driver)) ADD_FAILURE() << f;
    }
    ExpectVerified(**store);
  }
  std::filesystem::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Scenarios, ScenarioTest, ::testing::ValuesIn(ScenarioFiles()),
                         ScenarioTestName);

}  // namespace
}  // namespace motcua::testing
