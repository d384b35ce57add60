// Due instants recomputed from a history (due_recompute.h), with the processors' own functions:
// ComputeDue at reception and at a restart, ExtendByPause at each pause's end, the extension's
// length added to the due instant it was granted on.

#include "engine/dossier/due_recompute.h"

#include <algorithm>

#include "engine/calendar/deadline.h"

namespace motcua {

Result<RecomputedDue> RecomputeDue(const std::vector<Event>& history, const Procedure& p,
                                   const WorkCalendar& cal) {
  RecomputedDue out;
  std::optional<Instant> pause_from;
  for (const Event& e : history) {
    // A restart counts afresh from the supplement: the pause it closes adds nothing.
    const bool restart = e.type == EventType::kSupplementReceived && e.counting_start;
    // A withdrawal closes the pause without moving the dates: nothing is due any more.
    const bool moves = !restart && e.type != EventType::kWithdrawn;
    if (e.pause_ends && pause_from && moves) {
      if (out.due_at) {
        ASSIGN_OR_RETURN(out.due_at, ExtendByPause(cal, *out.due_at, *pause_from, e.at));
      }
      if (out.extended_due_at) {
        ASSIGN_OR_RETURN(out.extended_due_at,
                         ExtendByPause(cal, *out.extended_due_at, *pause_from, e.at));
      }
    }
    if (e.pause_ends) pause_from.reset();
    if (e.type == EventType::kReceived || restart) {
      ASSIGN_OR_RETURN(DueDate due, ComputeDue(cal, e.at, p.time_limit, p.cutoff, p.due_rule));
      if (restart && out.due_at && out.extended_due_at) {
        // The extension granted keeps its length on top of the restarted statutory time.
        ASSIGN_OR_RETURN(int64_t granted,
                         cal.WorkingSecondsBetween(*out.due_at, *out.extended_due_at));
        ASSIGN_OR_RETURN(out.extended_due_at,
                         cal.AddWorkingSeconds(due.due, std::max<int64_t>(granted, 0)));
      }
      out.due_at = due.due;
    } else if (e.type == EventType::kExtended) {
      if (!e.extend_by || !out.due_at) {
        return Status(StatusCode::kFailedPrecondition,
                      "dossier '" + e.dossier_id + "' was extended (event version " +
                          std::to_string(e.version) +
                          ") before extensions recorded their length: its dates cannot be "
                          "recomputed");
      }
      ASSIGN_OR_RETURN(out.extended_due_at, cal.Add(*out.due_at, *e.extend_by));
    }
    if (e.pause_starts) pause_from = e.at;
  }
  return out;
}

}  // namespace motcua
