// Every scenario in tests/scenarios/ against both stores: the in-memory twin and RocksDB on
// disk. A new procedure gets scenario tests by adding a .scenario file, without C++.

#include <gtest/gtest.h>

#include <filesystem>

#include "adapters/rocksdb/rocks_store.h"
#include "engine/store/memory_store.h"
#include "tests/adapters/runtime/scenario_runner.h"

namespace motcua {
namespace {

std::vector<std::string> ScenarioFiles() {
  std::vector<std::string> out;
  for (const auto& e :
       std::filesystem::directory_iterator(std::string(MOTCUA_SOURCE_DIR) + "/tests/scenarios")) {
    if (e.path().extension() == ".scenario") out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string Name(const ::testing::TestParamInfo<std::string>& info) {
  std::string stem = std::filesystem::path(info.param).stem().string();
  for (char& c : stem) {
    if (!isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return stem;
}

class ScenarioTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ScenarioTest, InMemory) {
  MemoryStore store;
  for (const auto& f : testing::RunScenario(GetParam(), &store)) ADD_FAILURE() << f;
}

TEST_P(ScenarioTest, RocksDb) {
  const std::string dir = ::testing::TempDir() + "/scenario-" + Name({GetParam(), 0});
  std::filesystem::remove_all(dir);
  {
    auto store = RocksStore::Open(dir);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    for (const auto& f : testing::RunScenario(GetParam(), store->get())) ADD_FAILURE() << f;
  }
  std::filesystem::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Scenarios, ScenarioTest, ::testing::ValuesIn(ScenarioFiles()), Name);

}  // namespace
}  // namespace motcua
