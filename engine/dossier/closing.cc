// Withdrawal (T12, M05), the result returned (T14), timers that came due, and due instants
// recomputed on the calendar data now loaded.

#include <algorithm>

#include "engine/dossier/due_recompute.h"
#include "engine/dossier/processor_internal.h"

namespace motcua::processor_internal {

Decision Processor::Withdraw() {
  if (auto r = LoadRules()) return *r;
  if (!IsOpen(d_->status) && d_->status != DossierStatus::kSubmitted &&
      d_->status != DossierStatus::kNotReceived) {
    return Reject(RejectionCode::kRule, "Expected to withdraw dossier '" + d_->id +
                                            "' before a decision, but it is " + NameOf(d_->status));
  }
  if (auto r = RequireRoleOrApplicantSide({rules_.counter_role()}, "withdraw")) return *r;
  if (c_.reason.empty())
    return Reject(RejectionCode::kInvalid, "a withdrawal needs a reason (M05)");
  Event e = Make(EventType::kWithdrawn);
  e.status = DossierStatus::kStopped;
  e.reason = c_.reason;
  e.pause_ends = d_->paused();
  return Finish(std::move(e));
}

Decision Processor::ReturnResult() {
  if (auto r = LoadRules()) return *r;
  if (d_->status != DossierStatus::kDecided) {
    return Reject(RejectionCode::kRule, "Expected to return the result of dossier '" + d_->id +
                                            "' once decided, but it is " + NameOf(d_->status));
  }
  if (!d_->after_decision) {
    if (auto r = RequireRole(rules_.counter_role(), "return the result of")) return *r;
    Event e = Make(EventType::kResultReturned);
    e.status = DossierStatus::kReturned;
    ReturnFacts(e);
    return Finish(std::move(e));
  }
  // The result went on after the decision: it is returned from the return step, by its role,
  // and the step's M06 row closes with the return.
  const Step* step = rules_.procedure->FindStep(d_->current_step);
  if (!step) return Reject(RejectionCode::kUnavailable, "current step is not in the definition");
  if (step->kind != StepKind::kReturn) {
    return Reject(RejectionCode::kRule, "Expected the result of dossier '" + d_->id +
                                            "' at its return step, but it is at step '" + step->id +
                                            "' (" + step->unit + ")");
  }
  if (auto r = RequireRole(step->role, "return the result of")) return *r;
  Event e = Make(EventType::kResultReturned);
  e.status = DossierStatus::kReturned;
  e.hand_over = HandOverFrom(*step, "applicant");
  ReturnFacts(e);
  return Finish(std::move(e));
}

void Processor::ReturnFacts(Event& e) const {
  e.returned_via = c_.returned_via.value_or(ReturnVia::kCounter);
  e.returned_to = c_.returned_to;
  e.receipt_signed = c_.receipt_signed;
}

Decision Processor::RateSatisfaction() {
  if (auto r = LoadRules()) return *r;
  if (d_->status != DossierStatus::kReturned) {
    return Reject(RejectionCode::kRule, "Expected to record the satisfaction of dossier '" +
                                            d_->id + "' once its result is returned, but it is " +
                                            NameOf(d_->status));
  }
  if (d_->satisfaction != Satisfaction::kNone) {
    return Reject(RejectionCode::kRule, "Expected to record the satisfaction of dossier '" +
                                            d_->id + "' once, but it is recorded already (" +
                                            NameOf(d_->satisfaction) + ")");
  }
  if (c_.satisfaction == Satisfaction::kNone) {
    return RejectField({"satisfaction", "required: not_satisfied, satisfied or very_satisfied"});
  }
  // The counter records it on paper or a kiosk; a portal (integrator) on the applicant's behalf.
  if (auto r = RequireRoleOrApplicantSide({rules_.counter_role()}, "record the satisfaction of")) {
    return *r;
  }
  Event e = Make(EventType::kSatisfactionRated);
  e.satisfaction = c_.satisfaction;
  return Finish(std::move(e));
}

Decision Processor::FireTimer() {
  if (auto r = LoadRules()) return *r;
  if (!c_.timer) return Reject(RejectionCode::kInvalid, "fire_timer needs a timer");
  const Timer& t = *c_.timer;
  if (std::find(d_->timers.begin(), d_->timers.end(), t) == d_->timers.end()) {
    return Reject(RejectionCode::kRule, "Expected timer " + std::string(NameOf(t.kind)) +
                                            " of dossier '" + d_->id +
                                            "' to be pending, but it is not (fired or cancelled)");
  }
  if (ctx_.now < t.at) {
    return Reject(RejectionCode::kRule, "Expected timer " + std::string(NameOf(t.kind)) +
                                            " of dossier '" + d_->id +
                                            "' to be due, but it is not yet");
  }
  role_used_ = "system";
  Event e = Make(EventType::kTimerFired);
  e.fired = t;
  return Finish(std::move(e));
}

Result<std::vector<Event>> Processor::CommittedHistory(const std::string& doing) const {
  if (!ctx_.history) return Status(StatusCode::kUnavailable, "no history reader");
  ASSIGN_OR_RETURN(std::vector<Event> history, ctx_.history(d_->id));
  if (history.empty() || history.back().version != d_->version) {
    return Status(StatusCode::kUnavailable,
                  "dossier '" + d_->id + "' is being changed; " + doing + " again in a moment");
  }
  return history;
}

Decision Processor::RecomputeDueDates() {
  if (auto r = LoadRules()) return *r;
  if (!IsOpen(d_->status)) {
    return Reject(RejectionCode::kRule, "Expected to recompute the due dates of dossier '" +
                                            d_->id + "' while it is open, but it is " +
                                            NameOf(d_->status) +
                                            ": its timeliness was judged against the dates it had");
  }
  if (auto r = RequireRole("admin", "recompute the due dates of")) return *r;
  Result<std::vector<Event>> history = CommittedHistory("recompute its due dates");
  if (!history.ok()) return Unavailable(history.status());
  Result<RecomputedDue> now = RecomputeDue(*history, *rules_.procedure, *rules_.calendar);
  if (!now.ok()) return Unavailable(now.status());
  const int offset = rules_.calendar->utc_offset_seconds();
  auto show = [offset](const std::optional<Instant>& t) {
    return t ? FormatLocal(*t, offset) : std::string("none");
  };
  if (now->due_at == d_->due_at && now->extended_due_at == d_->extended_due_at) {
    return Reject(RejectionCode::kRule,
                  "Expected the due dates of dossier '" + d_->id +
                      "' to change with the calendar now loaded, but they stay: due " +
                      show(d_->due_at) +
                      (d_->extended_due_at ? ", extended " + show(d_->extended_due_at) : ""));
  }
  Event e = Make(EventType::kDueRecomputed);
  e.previous_due_at = d_->due_at;
  e.due_at = now->due_at;
  e.previous_extended_due_at = d_->extended_due_at;
  e.extended_due_at = now->extended_due_at;
  return Finish(std::move(e));
}

}  // namespace motcua::processor_internal
