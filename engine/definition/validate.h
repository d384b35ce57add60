#pragma once
// Validation of compiled procedure definitions, after parsing and before the engine sees them:
// every problem is reported as a Diagnostic pointing at the file, line and column it was written.

#include <cstdint>
#include <vector>

#include "engine/definition/procedure.h"

namespace motcua {

// Checks everything that needs the whole definition: unique ids, references, reachability,
// that an outcome can be reached from every step, and that the main path's budgets fit the
// statutory time. Resolves Action::target_index. Returns every problem found (empty = valid).
std::vector<Diagnostic> ValidateProcedure(Procedure& p);

// Checks a set of procedures together: two versions of one code must not overlap in time,
// and (code, version) is unique.
std::vector<Diagnostic> ValidateProcedureSet(const std::vector<const Procedure*>& all);

// The main path: from the start step, follow each step's first action that has a target step
// or an outcome. Returns step indices; `ends_in_outcome` false when it loops or dead-ends.
std::vector<int> MainPath(const Procedure& p, bool* ends_in_outcome);

// The budget that counts towards the statutory time along `path` (steps whose clock runs), in
// milli working hours.
int64_t CountedBudgetMilliHours(const Procedure& p, const std::vector<int>& path);

}  // namespace motcua
