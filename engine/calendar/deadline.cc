// Due dates as the M01 slip states them, and due dates moved by pauses (deadline.h).

#include "engine/calendar/deadline.h"

namespace motcua {

Result<DueDate> ComputeDue(const WorkCalendar& calendar, Instant received, const TimeLimit& limit,
                           const Cutoff& cutoff, DueRule rule) {
  DueDate out;
  out.received = received;
  ASSIGN_OR_RETURN(out.counting_start, calendar.NextWorkingInstant(received));
  // A reception on a working day after its cut-off time is after the cut-off wherever it falls:
  // in a session, in the break between sessions, or after hours. (A reception on a day off
  // counts from the next working day's start, which is before any cut-off.)
  if (cutoff.policy != CutoffPolicy::kNone &&
      calendar.LocalSecondOfDay(received) > cutoff.minute_of_day * 60) {
    ASSIGN_OR_RETURN(out.after_cutoff, calendar.IsWorkingDay(calendar.LocalDate(received)));
  }
  // Where the limit is counted from. Past the cut-off, "counting starts next day" counts from
  // the next working day's start; "result next day" counts as if received on the reception
  // day (from its end at the latest) and then moves the result one working day on, so a later
  // reception never gets an earlier result.
  Instant from = out.counting_start;
  if (out.after_cutoff && cutoff.policy == CutoffPolicy::kCountingStartsNextDay) {
    ASSIGN_OR_RETURN(out.counting_start, calendar.StartOfNextWorkingDay(received));
    from = out.counting_start;
  } else if (out.after_cutoff && cutoff.policy == CutoffPolicy::kResultNextDay) {
    ASSIGN_OR_RETURN(Instant end_of_day, calendar.EndOfWorkingDay(received));
    if (end_of_day < from) from = end_of_day;
  }
  if (limit.same_day) {
    ASSIGN_OR_RETURN(out.due, calendar.EndOfWorkingDay(from));
  } else {
    ASSIGN_OR_RETURN(out.due, calendar.Add(from, limit.duration, rule));
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
