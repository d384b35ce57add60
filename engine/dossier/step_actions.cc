// Assignment at the current step and the step actions a definition declares: forward and send
// back (M06 hand-overs), supplement and payment requests, consultation, extension (M04) and the
// decision (DOMAIN.md §3, T5–T8, T10, T11, T13).

#include <algorithm>

#include "engine/common/strings.h"
#include "engine/dossier/processor_internal.h"

namespace motcua::processor_internal {

Decision Processor::Assign() {
  if (auto r = LoadRules()) return *r;
  if (!d_->AtWork()) {
    return Reject(RejectionCode::kRule, "Expected to assign dossier '" + d_->id +
                                            "' while it is open, but it is " + NameOf(d_->status));
  }
  const Step* step = rules_.procedure->FindStep(d_->current_step);
  if (!step) return Reject(RejectionCode::kUnavailable, "current step is not in the definition");
  if (auto r = RequireRole(step->role, "assign")) return *r;
  Event e = Make(EventType::kAssigned);
  e.assignee = c_.assignee.empty() ? c_.actor.id : c_.assignee;
  return Finish(std::move(e));
}

HandOver Processor::HandOverFrom(const Step& step, const std::string& receiver) const {
  HandOver h;
  h.step_id = step.id;
  h.giver = c_.actor.id;
  h.receiver = receiver;
  // A step without a deadline of its own (a zero budget) is judged against the dossier's.
  const std::optional<Instant> due = d_->step_due_at ? d_->step_due_at : d_->effective_due();
  h.timeliness = due ? rules_.calendar->Judge(*due, ctx_.now) : Timeliness::kOnTime;
  h.note = c_.comment;
  // Working time from entering the step to now, less the working time it was paused.
  h.working_seconds = 0;
  if (d_->step_entered_at && *d_->step_entered_at < ctx_.now) {
    Result<int64_t> spent = rules_.calendar->WorkingSecondsBetween(*d_->step_entered_at, ctx_.now);
    if (spent.ok()) h.working_seconds = *spent;
    for (const PausedInterval& p : d_->pauses) {
      const Instant from = std::max(p.from, *d_->step_entered_at);
      const Instant to = std::min(p.to.value_or(ctx_.now), ctx_.now);
      if (!(from < to)) continue;
      Result<int64_t> paused = rules_.calendar->WorkingSecondsBetween(from, to);
      if (paused.ok()) *h.working_seconds -= *paused;
    }
    h.working_seconds = std::max<int64_t>(*h.working_seconds, 0);
  }
  return h;
}

Result<Event> Processor::Wait(const Action& a, EventType type, DossierStatus status,
                              const std::optional<WorkDuration>& limit,
                              const char* pause_reason) const {
  Event e = Make(type);
  e.action_id = a.id;
  e.status = status;
  if (limit) {
    ASSIGN_OR_RETURN(e.waiting_until, rules_.calendar->Add(ctx_.now, *limit));
  }
  if (a.pauses_clock && !d_->paused()) {
    e.pause_starts = true;
    e.reason = pause_reason;
  }
  return e;
}

Decision Processor::Act() {
  if (auto r = LoadRules()) return *r;
  const Procedure& p = *rules_.procedure;
  const WorkCalendar& cal = *rules_.calendar;
  const Step* at_step = p.FindStep(d_->current_step);
  const bool waiting_at_payment_step = d_->status == DossierStatus::kPaymentRequested && at_step &&
                                       at_step->kind == StepKind::kPayment;
  // After a decision, the steps that carry the result on forward it.
  const bool carrying_result = d_->status == DossierStatus::kDecided && d_->after_decision;
  if (d_->status != DossierStatus::kReceived && d_->status != DossierStatus::kInProcessing &&
      !waiting_at_payment_step && !carrying_result) {
    return Reject(RejectionCode::kRule,
                  "Expected to take action '" + c_.action_id + "' on dossier '" + d_->id +
                      "' while it is received or in processing, but it is " + NameOf(d_->status));
  }
  const Step* step = p.FindStep(d_->current_step);
  if (!step) return Reject(RejectionCode::kUnavailable, "current step is not in the definition");
  if (step->actions.empty()) {
    return Reject(RejectionCode::kRule,
                  "Expected to take action '" + c_.action_id + "' on dossier '" + d_->id +
                      "', but its step '" + step->id +
                      "' takes none after the decision: the result is returned with the return "
                      "command (T14)");
  }
  const Action* a = step->FindAction(c_.action_id);
  if (!a) {
    return Reject(RejectionCode::kInvalid,
                  "Expected an action of step '" + step->id + "' for dossier '" + d_->id +
                      "', but '" + c_.action_id +
                      "' is not one; the step allows: " + Join(step->ActionIds()));
  }
  if (auto r = RequireAnyRole(a->roles, "take action '" + a->id + "' on")) return *r;
  const Instant now = ctx_.now;
  auto hand_over = [&](const std::string& receiver) { return HandOverFrom(*step, receiver); };

  switch (a->kind) {
    case ActionKind::kForward:
    case ActionKind::kSendBack: {
      const Step& target = p.steps[a->target_index];
      Event e = Make(EventType::kForwarded);
      e.action_id = a->id;
      e.status = carrying_result ? DossierStatus::kDecided : DossierStatus::kInProcessing;
      e.to_step = target.id;
      e.hand_over = hand_over(target.role);
      // Every step has its own budget, judged at hand-over (DOMAIN.md §5.9), also a step whose
      // time does not count towards the dossier's (verification, payment).
      Result<std::optional<Instant>> sd = StepDue(cal, now, target.budget);
      if (!sd.ok()) return Unavailable(sd.status());
      e.step_due_at = *sd;
      // Waiting at a payment step is waiting for the financial obligation (portal code 6).
      if (target.kind == StepKind::kPayment) e.status = DossierStatus::kPaymentRequested;
      // Leaving a step whose time is not counted closes its pause; entering one opens it.
      if (Status s = EndPause(e); !s.ok()) return Unavailable(s);
      if (!target.clock_runs) {
        e.pause_starts = true;
        e.reason = "step";
      }
      return Finish(std::move(e));
    }
    case ActionKind::kRequestSupplement: {
      if (p.supplement.once_only && d_->supplement_requests > 0) {
        return Reject(RejectionCode::kRule, "Expected to request a supplement for dossier '" +
                                                d_->id +
                                                "', but one was already requested and procedure " +
                                                p.code + " allows it only once");
      }
      if (c_.missing.empty()) {
        return Reject(RejectionCode::kInvalid,
                      "a supplement request must list the documents asked for (missing)");
      }
      for (const std::string& id : c_.missing) {
        if (!p.FindDocument(id)) {
          return Reject(RejectionCode::kInvalid,
                        "unknown document '" + id + "' in missing; procedure " + p.code + " v" +
                            std::to_string(p.version) + " lists: " + Join(p.DocumentIds()));
        }
      }
      Result<Event> e =
          Wait(*a, EventType::kSupplementRequested, DossierStatus::kSupplementRequested,
               p.supplement.max_wait, "supplement");
      if (!e.ok()) return Unavailable(e.status());
      e->missing = c_.missing;
      return Finish(std::move(*e));
    }
    case ActionKind::kRequestPayment: {
      Result<Event> e = Wait(*a, EventType::kPaymentRequested, DossierStatus::kPaymentRequested,
                             std::nullopt, "payment");
      if (!e.ok()) return Unavailable(e.status());
      return Finish(std::move(*e));
    }
    case ActionKind::kConsult: {
      Result<Event> e = Wait(*a, EventType::kConsultationRequested, DossierStatus::kConsulting,
                             a->answer_within, "consult");
      if (!e.ok()) return Unavailable(e.status());
      return Finish(std::move(*e));
    }
    case ActionKind::kExtend: {
      if (!p.extension.allowed) {
        return Reject(RejectionCode::kRule, "procedure " + p.code + " allows no extension");
      }
      if (d_->extended_due_at) {
        return Reject(RejectionCode::kRule, "Expected to extend dossier '" + d_->id +
                                                "', but it was already extended once (M04)");
      }
      const WorkDuration by = c_.extend_by.value_or(*p.extension.max);
      if (by.thousandths <= 0 ||
          (p.extension.max && by.InMilliHours() > p.extension.max->InMilliHours())) {
        return Reject(RejectionCode::kInvalid, "an extension must be more than zero and at most " +
                                                   FormatWorkDuration(*p.extension.max));
      }
      Result<int64_t> left = cal.WorkingSecondsBetween(now, *d_->due_at);
      if (!left.ok()) return Unavailable(left.status());
      if (*left < p.extension.min_notice.InWorkingSeconds()) {
        return Reject(RejectionCode::kRule,
                      "Expected to extend dossier '" + d_->id + "' at least " +
                          FormatWorkDuration(p.extension.min_notice) + " before its due date " +
                          FormatLocal(*d_->due_at, cal.utc_offset_seconds()) + ", but only " +
                          FormatMilliHours(std::max<int64_t>(*left, 0) * 1000 / 3600) + " remain");
      }
      Result<Instant> extended = cal.Add(*d_->due_at, by);
      if (!extended.ok()) return Unavailable(extended.status());
      Event e = Make(EventType::kExtended);
      e.extend_by = by;
      e.action_id = a->id;
      e.extended_due_at = *extended;
      return Finish(std::move(e));
    }
    case ActionKind::kDecide: {
      Event e = Make(EventType::kDecided);
      e.action_id = a->id;
      e.status = DossierStatus::kDecided;
      e.outcome = a->outcome;
      e.hand_over = hand_over(rules_.counter_role());
      if (a->target_index >= 0) {
        // The result goes on to the steps after the decision (registered, returned).
        const Step& target = p.steps[a->target_index];
        e.to_step = target.id;
        e.hand_over = hand_over(target.role);
        Result<std::optional<Instant>> sd = StepDue(cal, now, target.budget);
        if (!sd.ok()) return Unavailable(sd.status());
        e.step_due_at = *sd;
      }
      if (Status s = EndPause(e); !s.ok()) return Unavailable(s);
      const Instant due = e.due_at ? *e.due_at : *d_->due_at;
      e.timeliness = cal.Judge(due, now);
      return Finish(std::move(e));
    }
  }
  return Reject(RejectionCode::kInvalid, "unknown action kind");
}

}  // namespace motcua::processor_internal
