// Due dates as the M01 slip states them, and due dates moved by pauses (deadline.h).

#include "engine/calendar/deadline.h"

namespace motcua {

Result<DueDate> ComputeDue(const WorkCalendar& calendar, Instant received, const TimeLimit& limit,
                           const Cutoff& cutoff, DueRule rule) {
  DueDate out;
  out.received = received;
  ASSIGN_OR_RETURN(out.counting_start, calendar.NextWorkingInstant(received));
  // Only a reception inside a session can be "after the cut-off": one outside sessions
  // already counts from the next session start.
  out.after_cutoff = cutoff.policy != CutoffPolicy::kNone && out.counting_start == received &&
                     calendar.LocalSecondOfDay(received) > cutoff.minute_of_day * 60;
  if (out.after_cutoff && cutoff.policy == CutoffPolicy::kCountingStartsNextDay) {
    ASSIGN_OR_RETURN(out.counting_start, calendar.StartOfNextWorkingDay(out.counting_start));
  }
  if (limit.same_day) {
    ASSIGN_OR_RETURN(out.due, calendar.EndOfWorkingDay(out.counting_start));
  } else {
    ASSIGN_OR_RETURN(out.due, calendar.Add(out.counting_start, limit.duration, rule));
  }
  if (out.after_cutoff && cutoff.policy == CutoffPolicy::kResultNextDay) {
    ASSIGN_OR_RETURN(Instant next, calendar.StartOfNextWorkingDay(out.due));
    ASSIGN_OR_RETURN(out.due, calendar.EndOfWorkingDay(next));
  }
  out.provisional = calendar.IsProvisional(out.due);
  return out;
}

Result<Instant> ExtendByPause(const WorkCalendar& calendar, Instant due, Instant from, Instant to) {
  if (to < from) return InvalidArgument("a pause cannot end before it starts");
  ASSIGN_OR_RETURN(int64_t paused, calendar.WorkingSecondsBetween(from, to));
  return calendar.AddWorkingSeconds(due, paused);
}

}  // namespace motcua
