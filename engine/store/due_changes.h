#pragma once
// Which open dossiers' due instants would change on the calendar data loaded now (an official
// year replacing a provisional one, a corrected year): each open dossier's history is walked
// again (engine/dossier/due_recompute.h) and compared with its record. Read-only; the recompute
// itself is the admin's `recompute_due` command, which records the old and new dates.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/common/status.h"
#include "engine/definition/catalog.h"
#include "engine/store/store.h"

namespace motcua {

struct DueChange {
  std::shared_ptr<const Dossier> dossier;  // as stored
  std::optional<Instant> due_at;           // recomputed
  std::optional<Instant> extended_due_at;  // recomputed
  std::string problem;                     // non-empty: the dates cannot be recomputed, and why
};

struct DueChanges {
  size_t open = 0;                 // open dossiers looked at
  std::vector<DueChange> changes;  // those whose dates differ or cannot be recomputed
};

// Every open dossier of `store`, with `catalog`'s definitions and calendars. Stops early (with
// what it found so far) once `keep_going` says no.
Result<DueChanges> FindDueChanges(Store& store, const ProcedureCatalog& catalog,
                                  const std::function<bool()>& keep_going = nullptr);

// One line for people: "<id> <number> <code> v<version>: due A -> B[; extended C -> D]", or why
// the dates cannot be recomputed. Instants in local time at `utc_offset_seconds`.
std::string DescribeDueChange(const DueChange& c, int utc_offset_seconds);

// The change for one dossier, or nullopt when its dates stay.
Result<std::optional<DueChange>> DueChangeOf(Store& store, const ProcedureCatalog& catalog,
                                             std::shared_ptr<const Dossier> dossier);

}  // namespace motcua
