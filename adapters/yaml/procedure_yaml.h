#pragma once
// Reading one procedure file (definitions/README.md) into a validated Procedure.

#include <memory>
#include <string>
#include <vector>

#include "engine/definition/procedure.h"

namespace motcua {

// Parses one procedure file's text (`file` names it in diagnostics) and validates it
// (engine/definition/validate.h). Appends problems to `errors`; returns nullptr when the text is
// not a usable procedure.
std::shared_ptr<Procedure> ParseProcedureYaml(const std::string& text, const std::string& file,
                                              std::vector<Diagnostic>* errors);

}  // namespace motcua
