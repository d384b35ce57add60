// Every scenario in tests/scenarios/ through the threaded dossier service on the PostgreSQL
// store, as tests/adapters/runtime/scenario_test.cc runs them on the in-memory and RocksDB
// stores: the same outcomes, and what each left verifies.

#include <gtest/gtest.h>

#include "engine/store/verify.h"
#include "tests/adapters/postgres/pg_test_server.h"
#include "tests/adapters/runtime/service_driver.h"
#include "tests/engine/common/status_matchers.h"

namespace motcua::testing {
namespace {

class PgScenarioTest : public ::testing::TestWithParam<std::string> {};

TEST_P(PgScenarioTest, Postgres) {
  const std::string db = FreshDatabase();
  {
    auto store = PgStore::Open(On(db));
    ASSERT_THAT(store, IsOk());
    {
      ServiceDriver driver(store->get());
      for (const auto& f : RunScenario(GetParam(), store->get(), &driver)) ADD_FAILURE() << f;
    }
    Result<VerifyReport> report = VerifyStore(**store);
    ASSERT_THAT(report, IsOk());
    EXPECT_EQ(report->problems, std::vector<std::string>{});
  }
  DropDatabase(db);
}

INSTANTIATE_TEST_SUITE_P(Scenarios, PgScenarioTest, ::testing::ValuesIn(ScenarioFiles()),
                         ScenarioTestName);

}  // namespace
}  // namespace motcua::testing
