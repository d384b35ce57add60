#pragma once
// Due instants recomputed from a dossier's history on the calendar data loaded now. A due instant
// computed on a year whose schedule was not announced (provisional, DOMAIN.md §5) may move when
// the official year is loaded; so may any due when an official year is corrected. The history
// holds every input the processors used: the reception (or restart) instant, each pause, each
// extension's length. Walking it with the same functions on the new calendar gives the dates the
// processors would have written.

#include <optional>
#include <vector>

#include "engine/calendar/calendar.h"
#include "engine/common/status.h"
#include "engine/definition/procedure.h"
#include "engine/dossier/dossier.h"

namespace motcua {

struct RecomputedDue {
  std::optional<Instant> due_at;
  std::optional<Instant> extended_due_at;
  bool operator==(const RecomputedDue&) const = default;
};

// The due instants `history` (one dossier's events, in order) leads to under procedure `p` and
// calendar `cal`. kFailedPrecondition for an extension stored before its length was recorded;
// kOutOfRange when the calendar lacks the data.
Result<RecomputedDue> RecomputeDue(const std::vector<Event>& history, const Procedure& p,
                                   const WorkCalendar& cal);

}  // namespace motcua
