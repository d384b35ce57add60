// Every scenario in tests/scenarios/ through the pure core: processors, appliers and command
// batches committed one by one to the in-memory store, with no thread. The same files run through
// the threaded service in tests/adapters/runtime/scenario_test.cc.

#include <gtest/gtest.h>

#include <filesystem>

#include "engine/store/memory_store.h"
#include "tests/engine/dossier/scenario_runner.h"

namespace motcua::testing {
namespace {

class CoreScenarioTest : public ::testing::TestWithParam<std::string> {};

TEST_P(CoreScenarioTest, PureCore) {
  MemoryStore store;
  CoreDriver driver(&store);
  for (const auto& f : RunScenario(GetParam(), &store, &driver)) ADD_FAILURE() << f;
}

INSTANTIATE_TEST_SUITE_P(Scenarios, CoreScenarioTest, ::testing::ValuesIn(ScenarioFiles()),
                         ScenarioTestName);

}  // namespace
}  // namespace motcua::testing
