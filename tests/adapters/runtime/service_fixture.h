#pragma once
// Shared by the runtime tests that drive a DossierService directly: the shipped definitions and
// the command every such test starts from.

#include <memory>
#include <string>

#include "adapters/runtime/dossier_service.h"
#include "adapters/yaml/definition_loader.h"
#include "engine/definition/catalog.h"

namespace motcua {

inline std::shared_ptr<DefinitionCatalog> ShippedCatalog() {
  DefinitionSet set = LoadDefinitions(std::string(MOTCUA_SOURCE_DIR) + "/definitions");
  return std::make_shared<DefinitionCatalog>(std::move(set), nullptr);
}

// A counter officer receives a 2.000908 dossier (copy from the original register) at `agency`.
inline CommandRequest ReceiveCopy(const std::string& agency) {
  CommandRequest r;
  r.command.type = CommandType::kReceive;
  r.command.actor = Actor{"cb1", {"counter"}};
  r.command.procedure_code = "2.000908";
  r.command.receiving_agency = agency;
  r.command.documents = {{"identity_paper", 1}};
  return r;
}

}  // namespace motcua
