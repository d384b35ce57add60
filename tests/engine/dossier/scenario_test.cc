// Every scenario in tests/scenarios/ through the pure core: processors, appliers and command
// batches committed one by one to the in-memory store, with no thread. The same files run through
// the threaded service in tests/adapters/runtime/scenario_test.cc.

#include <gtest/gtest.h>

#include <filesystem>

#include "engine/store/memory_store.h"
#include "tests/engine/dossier/scenario_runner.h"

namespace motcua::testing {
namespace {

std::string Name(const ::testing::TestParamInfo<std::string>& info) {
  std::string stem = std::filesystem::path(info.param).stem().string();
  for (char& c : stem) {
    if (!isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return stem;
}

class CoreScenarioTest : public ::testing::TestWithParam<std::string> {};

TEST_P(CoreScenarioTest, PureCore) {
  MemoryStore store;
  CoreDriver driver(&store);
  for (const auto& f : RunScenario(GetParam(), &store, &driver)) ADD_FAILURE() << f;
}

INSTANTIATE_TEST_SUITE_P(Scenarios, CoreScenarioTest, ::testing::ValuesIn(ScenarioFiles()), Name);

}  // namespace
}  // namespace motcua::testing
