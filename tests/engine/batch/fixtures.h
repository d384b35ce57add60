#pragma once
// What tests that run commands start from: the shipped definitions (loaded through the real
// loader) and the reception of a 2.000908 dossier.

#include <memory>
#include <string>

#include "adapters/yaml/definition_loader.h"
#include "engine/batch/command_batch.h"
#include "engine/definition/catalog.h"

namespace motcua {

inline std::shared_ptr<DefinitionCatalog> ShippedCatalog() {
  DefinitionSet set = LoadDefinitions(std::string(MOTCUA_SOURCE_DIR) + "/definitions");
  return std::make_shared<DefinitionCatalog>(std::move(set), nullptr);
}

// Communes of the shipped sample registry (definitions/agencies/): each receives and decides
// 2.000908 itself.
inline constexpr const char* kCommuneA = "000.17.22.H56";
inline constexpr const char* kCommuneB = "000.18.22.H56";
inline constexpr const char* kShippedCommunes[] = {"000.17.22.H56", "000.18.22.H56",
                                                   "000.19.22.H56", "000.17.22.H99"};

// A counter officer receives a 2.000908 dossier (copy from the original register) at `agency`.
inline CommandRequest ReceiveCopy(const std::string& agency) {
  CommandRequest r;
  r.command.type = CommandType::kReceive;
  r.command.actor = Actor{"cb1", {"counter"}};
  r.command.procedure_code = "2.000908";
  r.command.receiving_agency = agency;
  r.command.applicant.name = "Nguyễn Văn An";
  r.command.applicant.id_number = "001090012345";
  r.command.documents = {{"identity_paper", 1}};
  return r;
}

// The counter officer forwards dossier `id` from the reception step, at version `version`.
inline CommandRequest ForwardCommand(const std::string& id, int64_t version) {
  CommandRequest r;
  r.command.type = CommandType::kAct;
  r.command.dossier_id = id;
  r.command.expected_version = version;
  r.command.action_id = "forward";
  r.command.actor = Actor{"cb1", {"counter"}};
  return r;
}

}  // namespace motcua
