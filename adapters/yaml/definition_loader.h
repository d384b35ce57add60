#pragma once
// Loading a definitions directory from YAML files into a validated DefinitionSet
// (engine/definition/catalog.h).
//
// Layout of a definitions directory:
//   <dir>/calendars/*.yaml   working-time calendars (definitions/README.md)
//   <dir>/agencies/*.yaml    the agency registry
//   <dir>/procedures/*.yaml  one procedure version per file
// Every problem in every file is reported, each as "file:line:column: path: message"; a set
// with any problem is not usable (the caller keeps what it had: a failed reload changes
// nothing).

#include <cstddef>
#include <string>

#include "adapters/yaml/agency_yaml.h"
#include "adapters/yaml/calendar_yaml.h"
#include "adapters/yaml/procedure_yaml.h"
#include "engine/definition/catalog.h"

namespace motcua {

// Limits on what a definition file may be; a larger file is rejected unread.
constexpr size_t kMaxDefinitionFileBytes = 1 << 20;  // 1 MiB: real procedures are < 20 KiB

// Loads and validates a whole directory.
DefinitionSet LoadDefinitions(const std::string& dir);

}  // namespace motcua
