// A dossier moved in flight to another version of its procedure (migration.h): its step through
// the step map, its due instants recomputed on the new version, its step's due moved by the
// difference of the budgets.

#include "engine/dossier/due_recompute.h"
#include "engine/dossier/processor_internal.h"

namespace motcua::processor_internal {

namespace {

// The old step's due instant moved by the difference of the budgets: the time the dossier spent
// in the step, and its pauses, still count.
Result<std::optional<Instant>> ShiftedStepDue(Instant old_due, const Step& old_step,
                                              const Step& new_step, const WorkCalendar& cal) {
  const int64_t delta = new_step.budget.InWorkingSeconds() - old_step.budget.InWorkingSeconds();
  if (delta == 0) return std::optional<Instant>(old_due);
  ASSIGN_OR_RETURN(Instant moved, delta > 0 ? cal.AddWorkingSeconds(old_due, delta)
                                            : cal.SubtractWorkingSeconds(old_due, -delta));
  return std::optional<Instant>(moved);
}

}  // namespace

Decision Processor::Migrate() {
  if (!c_.migration) return Reject(RejectionCode::kInvalid, "migrate needs a migration");
  const Migration& m = *c_.migration;
  if (auto r = RequireRole("admin", "migrate")) return *r;
  if (d_->procedure_code != m.procedure_code || d_->procedure_version != m.from_version) {
    return Reject(RejectionCode::kRule, "Expected dossier '" + d_->id + "' at " + m.procedure_code +
                                            " v" + std::to_string(m.from_version) +
                                            " to migrate it (" + m.Describe() + "), but it is at " +
                                            d_->procedure_code + " v" +
                                            std::to_string(d_->procedure_version));
  }
  if (!InFlight(*d_)) {
    return Reject(RejectionCode::kRule,
                  "Expected dossier '" + d_->id +
                      "' in flight (received, and not yet decided) to "
                      "migrate it, but it is " +
                      NameOf(d_->status) + ": it keeps the version it was " +
                      (d_->received_at ? "judged by" : "submitted under until it is received"));
  }
  if (auto r = LoadRules()) return *r;
  std::shared_ptr<const Procedure> to = ctx_.catalog->Version(m.procedure_code, m.to_version);
  if (!to) {
    return Reject(RejectionCode::kUnavailable, "procedure " + m.procedure_code + " version " +
                                                   std::to_string(m.to_version) + " is not loaded");
  }
  const std::vector<std::string> problems = CheckMigration(*rules_.procedure, *to, m);
  if (!problems.empty()) {
    return Reject(
        RejectionCode::kInvalid,
        "the migration " + m.Describe() + " cannot be applied: " + problems.front() +
            (problems.size() > 1 ? " (and " + std::to_string(problems.size() - 1) + " more)" : ""));
  }
  const WorkCalendar* cal = ctx_.catalog->CalendarFor(d_->competent_agency, to->calendar);
  if (!cal) {
    return Reject(RejectionCode::kUnavailable, "calendar '" + to->calendar + "' is not loaded");
  }
  Result<std::vector<Event>> history = CommittedHistory("migrate it");
  if (!history.ok()) return Unavailable(history.status());
  Result<RecomputedDue> due = RecomputeDue(*history, *to, *cal);
  if (!due.ok()) {
    return Reject(due.status().code() == StatusCode::kFailedPrecondition
                      ? RejectionCode::kRule
                      : RejectionCode::kUnavailable,
                  due.status().message());
  }
  Event e = Make(EventType::kMigrated);
  e.procedure_code = m.procedure_code;
  e.procedure_version = m.to_version;
  e.previous_procedure_version = d_->procedure_version;
  e.reason = m.reason;
  e.previous_due_at = d_->due_at;
  e.due_at = due->due_at;
  e.previous_extended_due_at = d_->extended_due_at;
  e.extended_due_at = due->extended_due_at;
  if (!d_->current_step.empty()) {
    const Step* old_step = rules_.procedure->FindStep(d_->current_step);
    const Step* new_step = to->FindStep(m.steps.at(d_->current_step));
    if (!old_step || !new_step) {
      return Reject(RejectionCode::kUnavailable, "current step is not in the definition");
    }
    e.from_step = old_step->id;
    e.to_step = new_step->id;
    e.previous_step_due_at = d_->step_due_at;
    // None when the new step has no deadline of its own; counted afresh from when the dossier
    // entered the step when the old one had none.
    Result<std::optional<Instant>> step_due = std::optional<Instant>();
    if (new_step->budget.thousandths != 0 && d_->step_due_at) {
      step_due = ShiftedStepDue(*d_->step_due_at, *old_step, *new_step, *cal);
    } else if (new_step->budget.thousandths != 0 && d_->step_entered_at) {
      step_due = StepDue(*cal, *d_->step_entered_at, new_step->budget);
    }
    if (!step_due.ok()) return Unavailable(step_due.status());
    e.step_due_at = *step_due;
    // Whoever took the dossier up keeps it while the step's role stays the same.
    if (old_step->role == new_step->role) e.assignee = d_->assignee;
  }
  rules_.procedure = to;
  rules_.calendar = cal;
  return Finish(std::move(e));
}

}  // namespace motcua::processor_internal
