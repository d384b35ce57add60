#pragma once
// A field of a command or request that is not what the rules need: its path in the request
// ("applicant.id_number", "competent_agency") and what was expected. Adapters answer it as an
// invalid field (HTTP 400 invalid-field).

#include <string>

namespace motcua {

struct FieldProblem {
  std::string field;
  std::string message;
};

}  // namespace motcua
