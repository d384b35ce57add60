#pragma once
// The wiring every program that drives a dossier service shares (runtime and HTTP tests, the
// request fuzzer, the crash child, the engine benchmark): the shipped definitions, a manual clock,
// ids, a service over a given store. Also the commands those tests start from
// (tests/engine/batch/fixtures.h).

#include <memory>
#include <string>

#include "adapters/runtime/dossier_service.h"
#include "tests/engine/batch/fixtures.h"

namespace motcua {

// The service options of tests: no timer loop (tests fire timers when they mean to).
inline ServiceOptions WithoutTimers() {
  ServiceOptions o;
  o.run_timers = false;
  return o;
}

// When test clocks start: Monday 2 March 2026, 09:00 in Vietnam.
inline Instant TestStart() { return *ParseLocalDateTime("2026-03-02T09:00", 7 * 3600); }

struct HarnessOptions {
  ServiceOptions service = WithoutTimers();
  Instant start = TestStart();  // the clock when the service starts
  IdSource* ids = nullptr;      // null: random ids
  std::string definitions = {};  // a definitions directory; empty: the shipped ones
};

// A started dossier service over `store`.
class ServiceHarness {
 public:
  explicit ServiceHarness(Store* store, const HarnessOptions& options = {})
      : catalog(options.definitions.empty() ? ShippedCatalog()
                                            : std::make_shared<DefinitionCatalog>(
                                                  LoadDefinitions(options.definitions), nullptr)),
        clock(options.start),
        service(store, catalog, &clock, options.ids ? options.ids : &random_ids, options.service),
        started(service.Start()) {}
  ~ServiceHarness() { service.Stop(); }

  std::shared_ptr<DefinitionCatalog> catalog;
  ManualClock clock;
  RandomIdSource random_ids{&clock};
  DossierService service;
  Status started;  // of service.Start()
};

}  // namespace motcua
