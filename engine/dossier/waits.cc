// The ends of waits for someone else: a supplement supplied (T9, with the procedure's supplement
// clock: pause, restart or continue), a payment confirmed and a consultation answered.

#include <algorithm>

#include "engine/calendar/deadline.h"
#include "engine/common/strings.h"
#include "engine/dossier/processor_internal.h"

namespace motcua::processor_internal {

Decision Processor::SupplySupplement() {
  if (auto r = LoadRules()) return *r;
  const Procedure& p = *rules_.procedure;
  if (d_->status != DossierStatus::kSupplementRequested) {
    return Reject(RejectionCode::kRule, "Expected to receive a supplement for dossier '" + d_->id +
                                            "' while a supplement is requested, but it is " +
                                            NameOf(d_->status));
  }
  if (auto r = RequireRoleOrApplicantSide({rules_.counter_role()}, "receive a supplement for")) {
    return *r;
  }
  for (const auto& doc : c_.documents) {
    if (!p.FindDocument(doc.document_id)) {
      return Reject(RejectionCode::kInvalid, "unknown document '" + doc.document_id + "'");
    }
  }
  Event e = Make(EventType::kSupplementReceived);
  e.documents = c_.documents;
  e.to_step = d_->current_step;
  e.status = p.StepIndex(d_->current_step) == 0 && d_->step_entered_at == d_->received_at
                 ? DossierStatus::kReceived
                 : DossierStatus::kInProcessing;
  const WorkCalendar& cal = *rules_.calendar;
  if (p.supplement.clock == SupplementClock::kRestart) {
    // Counting restarts from the complete dossier: a new statutory due date and step budget.
    Result<DueDate> due = ComputeDue(cal, ctx_.now, p.time_limit, p.cutoff, p.due_rule);
    if (!due.ok()) return Unavailable(due.status());
    e.pause_ends = d_->paused();
    e.counting_start = due->counting_start;
    e.previous_due_at = d_->due_at;
    e.due_at = due->due;
    if (d_->extended_due_at && d_->due_at) {
      // The extension granted keeps its length on top of the restarted statutory time.
      Result<int64_t> granted = cal.WorkingSecondsBetween(*d_->due_at, *d_->extended_due_at);
      if (!granted.ok()) return Unavailable(granted.status());
      Result<Instant> extended = cal.AddWorkingSeconds(due->due, std::max<int64_t>(*granted, 0));
      if (!extended.ok()) return Unavailable(extended.status());
      e.extended_due_at = *extended;
    }
    const Step* step = p.FindStep(d_->current_step);
    if (step && step->clock_runs) {
      Result<std::optional<Instant>> sd = StepDue(cal, due->counting_start, step->budget);
      if (!sd.ok()) return Unavailable(sd.status());
      e.step_due_at = *sd;
    }
  } else if (Status s = EndPause(e); !s.ok()) {
    return Unavailable(s);
  }
  return Finish(std::move(e));
}

Decision Processor::Resume(EventType type, DossierStatus waiting, const char* what) {
  if (auto r = LoadRules()) return *r;
  if (d_->status != waiting) {
    return Reject(RejectionCode::kRule, std::string("Expected to ") + what + " dossier '" + d_->id +
                                            "' while it is " + NameOf(waiting) + ", but it is " +
                                            NameOf(d_->status));
  }
  const Step* step = rules_.procedure->FindStep(d_->current_step);
  if (type == EventType::kPaymentConfirmed && step && step->kind == StepKind::kPayment) {
    return Reject(RejectionCode::kRule, "Expected to confirm payment for dossier '" + d_->id +
                                            "' after a payment request, but it is waiting at "
                                            "payment step '" +
                                            step->id +
                                            "'; take its action: " + Join(step->ActionIds()));
  }
  std::vector<std::string> roles = {rules_.counter_role()};
  if (step) roles.push_back(step->role);
  // Confirming a payment is the applicant's side too (a portal's payment); answering a
  // consultation is the agency's.
  if (auto r = type == EventType::kPaymentConfirmed
                   ? RequireRoleOrApplicantSide(roles, std::string(what))
                   : RequireAnyRole(roles, std::string(what))) {
    return *r;
  }
  Event e = Make(type);
  e.status = DossierStatus::kInProcessing;
  // A pause opened by the waiting action closes; a step whose time is not counted keeps its own.
  if (d_->paused() && d_->pauses.back().reason != "step") {
    if (Status s = EndPause(e); !s.ok()) return Unavailable(s);
  }
  return Finish(std::move(e));
}

}  // namespace motcua::processor_internal
