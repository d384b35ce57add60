#pragma once
// Store verification: every dossier's history replays to its stored record, every index entry
// the record implies exists, no index entry exists that no record implies, dossier numbers are
// unique, the report counters are what the histories count, and the outbox is gap-free. Reads only;
// safe on a live store (it may then report writes that raced with it).

#include <string>
#include <vector>

#include "engine/store/store.h"

namespace motcua {

struct VerifyReport {
  size_t dossiers = 0;
  size_t events = 0;
  size_t index_entries = 0;
  size_t report_counters = 0;
  uint64_t outbox_last = 0;
  std::vector<std::string> problems;  // empty = consistent
  bool ok() const { return problems.empty(); }
};

// Stops collecting after `max_problems` (the count of dossiers checked stays exact).
Result<VerifyReport> VerifyStore(Store& store, size_t max_problems = 100);

}  // namespace motcua
