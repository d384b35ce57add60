#pragma once
// Runs a scenario file (tests/scenarios/*.scenario, format in tests/scenarios/README.md)
// against a DossierService over any Store, with a manual clock. Returns the failures, each
// as "file:line: message"; empty = the scenario passed.

#include <memory>
#include <string>
#include <vector>

#include "engine/store/store.h"

namespace motcua::testing {

// `id_prefix` starts every dossier id the scenario creates (so that several scenarios can share
// one store, as the golden store's generator runs them).
std::vector<std::string> RunScenario(const std::string& path, Store* store,
                                     const std::string& id_prefix = "");

}  // namespace motcua::testing
