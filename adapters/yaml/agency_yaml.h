#pragma once
// Reading agency files (definitions/agencies/*.yaml, definitions/README.md) into Agency entries;
// the registry checks them together (engine/definition/agency.h).

#include <optional>
#include <string>
#include <vector>

#include "engine/definition/agency.h"

namespace motcua {

// The agencies one file lists, each with where it was written; nullopt when the file has errors.
std::optional<std::vector<Agency>> ParseAgencyFile(const std::string& text, const std::string& file,
                                                   std::vector<Diagnostic>* errors);

}  // namespace motcua
