#pragma once
// Runs a scenario file (tests/scenarios/*.scenario, format in tests/scenarios/README.md) with a
// manual clock, through a driver: the pure core (command batches committed one by one, no
// threads: tests/engine/dossier/scenario_test.cc) or the threaded dossier service over any store
// (tests/adapters/runtime/scenario_test.cc). Returns the failures, each as "file:line: message";
// empty = the scenario passed.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "engine/batch/command_batch.h"
#include "engine/common/clock.h"
#include "engine/definition/catalog.h"
#include "engine/store/store.h"

namespace motcua::testing {

// What carries a scenario's commands into the store.
class ScenarioDriver {
 public:
  virtual ~ScenarioDriver() = default;
  // Once the scenario's definitions are loaded; `clock` and `ids` outlive the driver's use.
  virtual Status Start(std::shared_ptr<const ProcedureCatalog> catalog, Clock* clock,
                       IdSource* ids) = 0;
  // Definitions reloaded (as SIGHUP does): commands from now on see `catalog`.
  virtual void SetCatalog(std::shared_ptr<const ProcedureCatalog> catalog) = 0;
  // Runs one command to its durable outcome.
  virtual CommandResult Execute(CommandRequest request) = 0;
  // Fires every timer due at the clock's time; how many fired.
  virtual Result<size_t> FireDueTimers() = 0;
  virtual void Stop() = 0;
};

// The pure core: each command a batch of its own, committed to `store` before the next.
class CoreDriver : public ScenarioDriver {
 public:
  explicit CoreDriver(Store* store) : store_(store), state_(store) {}
  Status Start(std::shared_ptr<const ProcedureCatalog> catalog, Clock* clock,
               IdSource* ids) override;
  void SetCatalog(std::shared_ptr<const ProcedureCatalog> catalog) override {
    catalog_ = std::move(catalog);
  }
  CommandResult Execute(CommandRequest request) override;
  Result<size_t> FireDueTimers() override;
  void Stop() override {}

 private:
  Store* store_;
  StoreState state_;
  std::shared_ptr<const ProcedureCatalog> catalog_;
  Clock* clock_ = nullptr;
  IdSource* ids_ = nullptr;
  uint64_t next_position_ = 1;
};

// `id_prefix` starts every dossier id the scenario creates (so that several scenarios can share
// one store, as the golden store's generator runs them). `store` is where `expect` reads.
std::vector<std::string> RunScenario(const std::string& path, Store* store, ScenarioDriver* driver,
                                     const std::string& id_prefix = "");

// The scenario files, sorted.
std::vector<std::string> ScenarioFiles();
// A test name from a scenario file's name ("1.013225-extension" → "1_013225_extension").
std::string ScenarioTestName(const ::testing::TestParamInfo<std::string>& info);

}  // namespace motcua::testing
