#pragma once
// Due dates as the M01 slip states them: the statutory limit applied to a reception instant
// through the working-time calendar, with the procedure's cut-off rule (DOMAIN.md §5.3–5.6).

#include "engine/calendar/calendar.h"

namespace motcua {

struct DueDate {
  Instant received;           // when the dossier was validly received
  Instant counting_start;     // when the clock starts (next session, or next day past a cut-off)
  Instant due;                // the appointment for the result
  bool after_cutoff = false;  // the reception fell after the procedure's cut-off time
  bool provisional = false;   // the due date lies in a year whose schedule is not announced
};

// Computes the due date for a reception at `received`.
//  * Outside working sessions, counting starts at the next session start.
//  * Cut-off: a reception on a working day strictly after `cutoff.minute_of_day` (in a
//    session, between sessions or after hours) either starts counting at the next working
//    day (kCountingStartsNextDay) or is counted as received on its day (from the day's end at
//    the latest) with the result moved to the end of the working day after the computed one
//    (kResultNextDay).
//  * Same-day limits are due at the end of the counting day.
// Returns kOutOfRange when the answer would need calendar data the calendar does not have.
Result<DueDate> ComputeDue(const WorkCalendar& calendar, Instant received, const TimeLimit& limit,
                           const Cutoff& cutoff, DueRule rule);

// The due date after a pause [from, to): the working time inside the pause is added.
Result<Instant> ExtendByPause(const WorkCalendar& calendar, Instant due, Instant from, Instant to);

}  // namespace motcua
