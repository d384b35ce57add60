// Every scenario in tests/scenarios/ through the threaded dossier service on the PostgreSQL
// store, as tests/adapters/runtime/scenario_test.cc runs them on the in-memory and RocksDB
// stores: the same outcomes, and what each left verifies. Then `motcua copy`'s CopyStore moves
// what it left to RocksDB and back to a new PostgreSQL database: every row the same, the hash
// chains the same, each copy verified.

#include <gtest/gtest.h>

#include <filesystem>

#include "adapters/postgres/store_copy.h"
#include "adapters/rocksdb/rocks_store.h"
#include "engine/store/verify.h"
#include "tests/adapters/postgres/pg_test_server.h"
#include "tests/adapters/rocksdb/temp_dir.h"
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

    // PostgreSQL → RocksDB → PostgreSQL.
    const std::string dir = FreshDir("pg-copy");
    const std::string back = FreshDatabase();
    {
      auto rocks = RocksStore::Open(dir);
      ASSERT_THAT(rocks, IsOk());
      Result<CopyReport> there = CopyStore(**store, **rocks, **rocks);
      ASSERT_THAT(there, IsOk());
      EXPECT_EQ(there->verified.problems, std::vector<std::string>{});
      EXPECT_EQ(there->verified.dossiers, report->dossiers);
      EXPECT_EQ(there->verified.events, report->events);
      EXPECT_EQ(there->verified.index_entries, report->index_entries);
      const uint64_t last = report->outbox_last;
      if (last > 0) EXPECT_EQ(*(*rocks)->GlobalHashAt(last), *(*store)->GlobalHashAt(last));

      auto again = PgStore::Open(On(back));
      ASSERT_THAT(again, IsOk());
      Result<CopyReport> home = CopyStore(**rocks, **again, **again);
      ASSERT_THAT(home, IsOk());
      EXPECT_EQ(home->digest, there->digest);
      EXPECT_EQ(home->verified.problems, std::vector<std::string>{});
      // Into a store that is not empty: refused.
      EXPECT_THAT(CopyStore(**rocks, **again, **again),
                  StatusIs(StatusCode::kFailedPrecondition, ::testing::HasSubstr("not empty")));
    }
    DropDatabase(back);
    std::filesystem::remove_all(dir);
  }
  DropDatabase(db);
}

INSTANTIATE_TEST_SUITE_P(Scenarios, PgScenarioTest, ::testing::ValuesIn(ScenarioFiles()),
                         ScenarioTestName);

}  // namespace
}  // namespace motcua::testing
