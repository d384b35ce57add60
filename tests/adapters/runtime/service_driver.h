#pragma once
// Scenarios through the threaded dossier service (group commit, in-flight batches) over any store.

#include <memory>

#include "adapters/runtime/dossier_service.h"
#include "tests/engine/dossier/scenario_runner.h"

namespace motcua::testing {

class ServiceDriver : public ScenarioDriver {
 public:
  explicit ServiceDriver(Store* store) : store_(store) {}
  Status Start(std::shared_ptr<const ProcedureCatalog> catalog, Clock* clock,
               IdSource* ids) override {
    ServiceOptions options;
    options.run_timers = false;  // the scenario fires timers explicitly
    service_ = std::make_unique<DossierService>(store_, std::move(catalog), clock, ids, options);
    return service_->Start();
  }
  void SetCatalog(std::shared_ptr<const ProcedureCatalog> catalog) override {
    service_->SetCatalog(std::move(catalog));
  }
  CommandResult Execute(CommandRequest request) override {
    return service_->Execute(std::move(request));
  }
  Result<size_t> FireDueTimers() override { return service_->FireDueTimers(); }
  void Stop() override { service_->Stop(); }

 private:
  Store* store_;
  std::unique_ptr<DossierService> service_;
};

}  // namespace motcua::testing
