#include "engine/dossier/processor.h"

#include <algorithm>

#include "engine/calendar/deadline.h"

namespace motcua {

namespace {

constexpr int64_t kSecondsPerWorkingHour = 3600;

int64_t Seconds(const WorkDuration& d) { return d.InMilliHours() * kSecondsPerWorkingHour / 1000; }

Decision Reject(RejectionCode code, std::string message) {
  Decision d;
  d.rejection = Rejection{code, std::move(message)};
  return d;
}

std::string Join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

// Everything one command needs about its dossier's definition.
struct Rules {
  std::shared_ptr<const Procedure> procedure;
  const WorkCalendar* calendar = nullptr;
  const std::string& counter_role() const { return procedure->steps.front().role; }
};

class Processor {
 public:
  Processor(const Command& c, const Dossier* d, const ProcessContext& ctx)
      : c_(c), d_(d), ctx_(ctx) {}

  Decision Run();

 private:
  Decision Submit();
  Decision Receive();
  Decision RefuseAtCounter();
  Decision Assign();
  Decision Act();
  Decision SupplySupplement();
  Decision Resume(EventType type, DossierStatus waiting, const char* what);
  Decision Withdraw();
  Decision ReturnResult();
  Decision FireTimer();

  // Loads the pinned definition of the current dossier.
  std::optional<Decision> LoadRules();
  // Rejects unless the actor holds `role`.
  std::optional<Decision> RequireRole(const std::string& role, const std::string& doing);
  std::optional<Decision> RequireAnyRole(const std::vector<std::string>& roles,
                                         const std::string& doing);
  Event Make(EventType type) const;
  // Closes the open pause at now: moves every due instant by the paused working time.
  Status EndPause(Event& e) const;
  // Timers after `e`, then the single-event decision.
  Decision Finish(Event e) const;
  Decision Unavailable(const Status& s) const {
    return Reject(RejectionCode::kUnavailable, s.message());
  }
  std::string Id() const { return d_ ? d_->id : ctx_.new_id; }
  std::string State() const { return d_ ? NameOf(d_->status) : "new"; }

  const Command& c_;
  const Dossier* d_;
  const ProcessContext& ctx_;
  Rules rules_;
  std::string role_used_;
};

Decision Processor::Run() {
  if (c_.type != CommandType::kSubmit && c_.type != CommandType::kReceive &&
      c_.type != CommandType::kRefuseAtCounter && d_ == nullptr) {
    return Reject(RejectionCode::kNotFound, "dossier '" + c_.dossier_id + "' does not exist");
  }
  if (d_ != nullptr && c_.expected_version && *c_.expected_version != d_->version) {
    return Reject(RejectionCode::kStale,
                  "Expected version " + std::to_string(*c_.expected_version) + " of dossier '" +
                      d_->id + "', but it is at version " + std::to_string(d_->version));
  }
  switch (c_.type) {
    case CommandType::kSubmit:
      return Submit();
    case CommandType::kReceive:
      return Receive();
    case CommandType::kRefuseAtCounter:
      return RefuseAtCounter();
    case CommandType::kAssign:
      return Assign();
    case CommandType::kAct:
      return Act();
    case CommandType::kSupplySupplement:
      return SupplySupplement();
    case CommandType::kConfirmPayment:
      return Resume(EventType::kPaymentConfirmed, DossierStatus::kPaymentRequested,
                    "confirm payment for");
    case CommandType::kAnswerConsultation:
      return Resume(EventType::kConsultationAnswered, DossierStatus::kConsulting,
                    "record the consultation answer for");
    case CommandType::kWithdraw:
      return Withdraw();
    case CommandType::kReturnResult:
      return ReturnResult();
    case CommandType::kFireTimer:
      return FireTimer();
  }
  return Reject(RejectionCode::kInvalid, "unknown command");
}

std::optional<Decision> Processor::LoadRules() {
  rules_.procedure = ctx_.catalog->Version(d_->procedure_code, d_->procedure_version);
  if (!rules_.procedure) {
    return Reject(RejectionCode::kUnavailable, "procedure " + d_->procedure_code + " version " +
                                                   std::to_string(d_->procedure_version) +
                                                   " (pinned by dossier '" + d_->id +
                                                   "') is not loaded");
  }
  rules_.calendar = ctx_.catalog->CalendarFor(d_->competent_agency, rules_.procedure->calendar);
  if (!rules_.calendar) {
    return Reject(RejectionCode::kUnavailable,
                  "calendar '" + rules_.procedure->calendar + "' is not loaded");
  }
  return std::nullopt;
}

std::optional<Decision> Processor::RequireRole(const std::string& role, const std::string& doing) {
  if (c_.actor.Has(role)) {
    role_used_ = role;
    return std::nullopt;
  }
  return Reject(RejectionCode::kForbidden, "Expected role '" + role + "' to " + doing +
                                               " dossier '" + Id() + "', but '" + c_.actor.id +
                                               "' has roles: " + Join(c_.actor.roles));
}

std::optional<Decision> Processor::RequireAnyRole(const std::vector<std::string>& roles,
                                                  const std::string& doing) {
  for (const auto& r : roles) {
    if (c_.actor.Has(r)) {
      role_used_ = r;
      return std::nullopt;
    }
  }
  return Reject(RejectionCode::kForbidden,
                "Expected one of the roles " + Join(roles) + " to " + doing + " dossier '" + Id() +
                    "', but '" + c_.actor.id + "' has roles: " + Join(c_.actor.roles));
}

Event Processor::Make(EventType type) const {
  Event e;
  e.type = type;
  e.dossier_id = Id();
  e.version = d_ ? d_->version + 1 : 1;
  e.status = d_ ? d_->status : DossierStatus::kSubmitted;
  e.at = ctx_.now;
  e.actor = c_.actor.id;
  e.role = role_used_;
  e.comment = c_.comment;
  return e;
}

Status Processor::EndPause(Event& e) const {
  if (!d_->paused()) return Status::Ok();
  ASSIGN_OR_RETURN(int64_t paused,
                   rules_.calendar->WorkingSecondsBetween(d_->pauses.back().from, ctx_.now));
  e.pause_ends = true;
  if (d_->due_at) {
    ASSIGN_OR_RETURN(e.due_at, rules_.calendar->AddWorkingSeconds(*d_->due_at, paused));
  }
  if (d_->extended_due_at) {
    ASSIGN_OR_RETURN(e.extended_due_at,
                     rules_.calendar->AddWorkingSeconds(*d_->extended_due_at, paused));
  }
  if (d_->step_due_at && !e.step_due_at) {
    ASSIGN_OR_RETURN(e.step_due_at, rules_.calendar->AddWorkingSeconds(*d_->step_due_at, paused));
  }
  return Status::Ok();
}

// The pending timers a dossier should have: derived from its state, minus those that fired.
Result<std::vector<Timer>> DesiredTimers(const Dossier& d, const WorkCalendar& cal,
                                         const EngineSettings& s) {
  std::vector<Timer> out;
  auto add = [&](TimerKind k, Instant at) {
    Timer t{k, at};
    if (std::find(d.fired.begin(), d.fired.end(), t) == d.fired.end()) out.push_back(t);
  };
  if (!IsOpen(d.status)) return out;
  if (!d.paused()) {
    if (std::optional<Instant> due = d.effective_due()) {
      add(TimerKind::kDossierDue, *due);
      ASSIGN_OR_RETURN(Instant warn, cal.SubtractWorkingSeconds(*due, Seconds(s.nearly_due)));
      // A warning that would come before counting started (same-day procedures) is noise.
      if (d.counting_start && *d.counting_start < warn) add(TimerKind::kNearlyDue, warn);
    }
  }
  // A step's own budget keeps running in a step whose time is not counted; a wait for someone
  // else (supplement, payment, consultation) stops it.
  if (d.step_due_at && (!d.paused() || d.pauses.back().reason == "step")) {
    add(TimerKind::kStepDue, *d.step_due_at);
  }
  if (d.waiting_until) {
    add(d.status == DossierStatus::kConsulting ? TimerKind::kConsultationDue
                                               : TimerKind::kSupplementWait,
        *d.waiting_until);
  }
  return out;
}

Decision Processor::Finish(Event e) const {
  Dossier after = d_ ? *d_ : Dossier{};
  Apply(after, e);
  if (rules_.calendar != nullptr) {
    Result<std::vector<Timer>> timers = DesiredTimers(after, *rules_.calendar, ctx_.settings);
    if (!timers.ok()) return Unavailable(timers.status());
    e.timers = std::move(timers).value();
    e.timers_set = true;
  }
  Decision out;
  out.events.push_back(std::move(e));
  return out;
}

Decision Processor::Submit() {
  if (d_ != nullptr) {
    return Reject(RejectionCode::kRule,
                  "Expected to submit a new dossier, but dossier '" + d_->id + "' already exists");
  }
  if (c_.channel != Channel::kOnlineFull && c_.channel != Channel::kOnlinePartial) {
    return Reject(RejectionCode::kInvalid,
                  "Expected an online channel (online_full or online_partial) for an online "
                  "submission, but it is " +
                      std::string(NameOf(c_.channel)));
  }
  const CivilDate today = LocalDateAt(ctx_.now, ctx_.settings.utc_offset_seconds);
  rules_.procedure = ctx_.catalog->InForce(c_.procedure_code, today);
  if (!rules_.procedure) {
    return Reject(RejectionCode::kInvalid, "no version of procedure '" + c_.procedure_code +
                                               "' is in force on " + FormatDate(today));
  }
  const auto& ch = rules_.procedure->channels;
  if (std::find(ch.begin(), ch.end(), c_.channel) == ch.end()) {
    return Reject(RejectionCode::kInvalid, "procedure " + c_.procedure_code + " does not accept " +
                                               NameOf(c_.channel) + " submissions");
  }
  if (c_.receiving_agency.empty()) {
    return Reject(RejectionCode::kInvalid, "receiving_agency is required");
  }
  for (const auto& doc : c_.documents) {
    if (!rules_.procedure->FindDocument(doc.document_id)) {
      return Reject(RejectionCode::kInvalid, "unknown document '" + doc.document_id +
                                                 "' for procedure " + c_.procedure_code);
    }
  }
  role_used_ = c_.actor.roles.empty() ? "" : c_.actor.roles.front();
  Event e = Make(EventType::kSubmitted);
  e.status = DossierStatus::kSubmitted;
  e.procedure_code = rules_.procedure->code;
  e.procedure_version = rules_.procedure->version;
  e.receiving_agency = c_.receiving_agency;
  e.competent_agency = c_.competent_agency.empty() ? c_.receiving_agency : c_.competent_agency;
  e.applicant = c_.applicant;
  e.channel = c_.channel;
  e.documents = c_.documents;
  e.timers_set = true;
  Decision out;
  out.events.push_back(std::move(e));
  return out;
}

Decision Processor::Receive() {
  if (d_ != nullptr && d_->status != DossierStatus::kSubmitted &&
      d_->status != DossierStatus::kNotReceived) {
    return Reject(RejectionCode::kRule, "Expected to receive dossier '" + d_->id +
                                            "' while submitted or awaiting completion, but it is " +
                                            NameOf(d_->status));
  }
  // The version in force on the reception day, pinned for the dossier's life.
  const CivilDate today = LocalDateAt(ctx_.now, ctx_.settings.utc_offset_seconds);
  const std::string code = d_ ? d_->procedure_code : c_.procedure_code;
  rules_.procedure = ctx_.catalog->InForce(code, today);
  if (!rules_.procedure) {
    return Reject(RejectionCode::kInvalid,
                  "no version of procedure '" + code + "' is in force on " + FormatDate(today));
  }
  // Time is counted by the competent agency's working sessions.
  const std::string competent =
      d_ ? d_->competent_agency
         : (c_.competent_agency.empty() ? c_.receiving_agency : c_.competent_agency);
  rules_.calendar = ctx_.catalog->CalendarFor(competent, rules_.procedure->calendar);
  if (!rules_.calendar) return Reject(RejectionCode::kUnavailable, "calendar not loaded");
  if (auto r = RequireRole(rules_.counter_role(), "receive")) return *r;
  const Procedure& p = *rules_.procedure;
  const std::string agency = d_ ? d_->receiving_agency : c_.receiving_agency;
  if (agency.empty()) return Reject(RejectionCode::kInvalid, "receiving_agency is required");
  if (!d_) {
    const auto& ch = p.channels;
    if (std::find(ch.begin(), ch.end(), c_.channel) == ch.end()) {
      return Reject(RejectionCode::kInvalid, "procedure " + p.code + " does not accept " +
                                                 NameOf(c_.channel) + " dossiers");
    }
  }
  // The documents as checked at the counter: the command's list, else what was submitted.
  const std::vector<SubmittedDocument>& docs =
      !c_.documents.empty() || !d_ ? c_.documents : d_->documents;
  for (const auto& doc : docs) {
    if (!p.FindDocument(doc.document_id)) {
      std::vector<std::string> ids;
      for (const auto& x : p.documents) ids.push_back(x.id);
      return Reject(RejectionCode::kInvalid,
                    "unknown document '" + doc.document_id + "'; procedure " + p.code + " v" +
                        std::to_string(p.version) + " lists: " + Join(ids));
    }
    if (doc.count < 1) {
      return Reject(RejectionCode::kInvalid,
                    "document '" + doc.document_id + "' count must be at least 1");
    }
  }
  auto count_of = [&docs](const std::string& id) {
    int n = 0;
    for (const auto& x : docs) n += x.document_id == id ? x.count : 0;
    return n;
  };
  std::vector<std::string> missing;
  for (const Document& req : p.documents) {
    if (!req.required) continue;
    bool ok = count_of(req.id) >= req.count;
    for (const Document& sub : p.documents) {
      ok = ok || (sub.substitutes_for == req.id && count_of(sub.id) >= 1);
    }
    if (!ok) missing.push_back(req.id);
  }
  Event e = Make(missing.empty() ? EventType::kReceived : EventType::kCompletionRequested);
  e.procedure_code = p.code;
  e.procedure_version = p.version;
  e.receiving_agency = agency;
  e.competent_agency =
      d_ ? d_->competent_agency : (c_.competent_agency.empty() ? agency : c_.competent_agency);
  e.applicant = d_ ? d_->applicant : c_.applicant;
  e.channel = d_ ? d_->channel : c_.channel;
  e.documents = docs;
  if (!missing.empty()) {
    e.status = DossierStatus::kNotReceived;
    e.missing = std::move(missing);
    e.timers_set = true;
    Decision out;
    out.events.push_back(std::move(e));
    return out;
  }
  Result<DueDate> due = ComputeDue(*rules_.calendar, ctx_.now, p.time_limit, p.cutoff, p.due_rule);
  if (!due.ok()) return Unavailable(due.status());
  const Step& first = p.steps.front();
  if (first.clock_runs) {
    Result<Instant> step_due =
        rules_.calendar->Add(due->counting_start, first.budget, DueRule::kSameClockTime);
    if (!step_due.ok()) return Unavailable(step_due.status());
    e.step_due_at = *step_due;
  }
  e.status = DossierStatus::kReceived;
  e.counting_start = due->counting_start;
  e.due_at = due->due;
  e.to_step = first.id;
  e.number = FormatDossierNumber(agency, rules_.calendar->LocalDate(ctx_.now),
                                 ctx_.next_sequence(agency, rules_.calendar->LocalDate(ctx_.now)));
  return Finish(std::move(e));
}

Decision Processor::RefuseAtCounter() {
  if (d_ != nullptr && d_->status != DossierStatus::kSubmitted &&
      d_->status != DossierStatus::kNotReceived) {
    return Reject(RejectionCode::kRule, "Expected to refuse dossier '" + d_->id +
                                            "' at the counter before reception, but it is " +
                                            NameOf(d_->status));
  }
  const CivilDate today = LocalDateAt(ctx_.now, ctx_.settings.utc_offset_seconds);
  const std::string code = d_ ? d_->procedure_code : c_.procedure_code;
  rules_.procedure =
      d_ ? ctx_.catalog->Version(code, d_->procedure_version) : ctx_.catalog->InForce(code, today);
  if (!rules_.procedure) {
    return Reject(RejectionCode::kInvalid,
                  "no version of procedure '" + code + "' is in force on " + FormatDate(today));
  }
  if (auto r = RequireRole(rules_.counter_role(), "refuse")) return *r;
  if (c_.reason.empty()) {
    return Reject(RejectionCode::kInvalid, "a refusal at the counter needs a reason (M03)");
  }
  if (!d_ && c_.receiving_agency.empty()) {
    return Reject(RejectionCode::kInvalid, "receiving_agency is required");
  }
  Event e = Make(EventType::kRefusedAtCounter);
  e.status = DossierStatus::kRefusedAtCounter;
  e.procedure_code = rules_.procedure->code;
  e.procedure_version = rules_.procedure->version;
  e.receiving_agency = d_ ? d_->receiving_agency : c_.receiving_agency;
  e.competent_agency =
      d_ ? d_->competent_agency
         : (c_.competent_agency.empty() ? c_.receiving_agency : c_.competent_agency);
  e.applicant = d_ ? d_->applicant : c_.applicant;
  e.channel = d_ ? d_->channel : c_.channel;
  e.documents = d_ ? d_->documents : c_.documents;
  e.reason = c_.reason;
  e.timers_set = true;
  Decision out;
  out.events.push_back(std::move(e));
  return out;
}

Decision Processor::Assign() {
  if (auto r = LoadRules()) return *r;
  if (!IsOpen(d_->status)) {
    return Reject(RejectionCode::kRule, "Expected to assign dossier '" + d_->id +
                                            "' while it is open, but it is " +
                                            NameOf(d_->status));
  }
  const Step* step = rules_.procedure->FindStep(d_->current_step);
  if (!step) return Reject(RejectionCode::kUnavailable, "current step is not in the definition");
  if (auto r = RequireRole(step->role, "assign")) return *r;
  Event e = Make(EventType::kAssigned);
  e.assignee = c_.assignee.empty() ? c_.actor.id : c_.assignee;
  return Finish(std::move(e));
}

Decision Processor::Act() {
  if (auto r = LoadRules()) return *r;
  const Procedure& p = *rules_.procedure;
  const WorkCalendar& cal = *rules_.calendar;
  const Step* at_step = p.FindStep(d_->current_step);
  const bool waiting_at_payment_step = d_->status == DossierStatus::kPaymentRequested && at_step &&
                                       at_step->kind == StepKind::kPayment;
  if (d_->status != DossierStatus::kReceived && d_->status != DossierStatus::kInProcessing &&
      !waiting_at_payment_step) {
    return Reject(RejectionCode::kRule, "Expected to take action '" + c_.action_id +
                                            "' on dossier '" + d_->id +
                                            "' while it is received or in processing, but it is " +
                                            NameOf(d_->status));
  }
  const Step* step = p.FindStep(d_->current_step);
  if (!step) return Reject(RejectionCode::kUnavailable, "current step is not in the definition");
  const Action* a = step->FindAction(c_.action_id);
  if (!a) {
    std::vector<std::string> ids;
    for (const auto& x : step->actions) ids.push_back(x.id);
    return Reject(RejectionCode::kInvalid,
                  "Expected an action of step '" + step->id + "' for dossier '" + d_->id +
                      "', but '" + c_.action_id + "' is not one; the step allows: " + Join(ids));
  }
  if (auto r = RequireAnyRole(a->roles, "take action '" + a->id + "' on")) return *r;
  const Instant now = ctx_.now;
  auto hand_over = [&](const std::string& receiver) {
    HandOver h;
    h.step_id = step->id;
    h.giver = c_.actor.id;
    h.receiver = receiver;
    h.timeliness = d_->step_due_at ? cal.Judge(*d_->step_due_at, now) : Timeliness::kOnTime;
    h.note = c_.comment;
    return h;
  };

  switch (a->kind) {
    case ActionKind::kForward:
    case ActionKind::kSendBack: {
      const Step& target = p.steps[a->target_index];
      Event e = Make(EventType::kForwarded);
      e.action_id = a->id;
      e.status = DossierStatus::kInProcessing;
      e.to_step = target.id;
      e.hand_over = hand_over(target.role);
      // Every step has its own budget, judged at hand-over (DOMAIN.md §5.9), also a step whose
      // time does not count towards the dossier's (verification, payment).
      Result<Instant> sd = cal.Add(now, target.budget);
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
      Event e = Make(EventType::kSupplementRequested);
      e.action_id = a->id;
      e.status = DossierStatus::kSupplementRequested;
      e.missing = c_.missing;
      if (p.supplement.max_wait) {
        Result<Instant> until = cal.Add(now, *p.supplement.max_wait);
        if (!until.ok()) return Unavailable(until.status());
        e.waiting_until = *until;
      }
      if (a->pauses_clock && !d_->paused()) {
        e.pause_starts = true;
        e.reason = "supplement";
      }
      return Finish(std::move(e));
    }
    case ActionKind::kRequestPayment: {
      Event e = Make(EventType::kPaymentRequested);
      e.action_id = a->id;
      e.status = DossierStatus::kPaymentRequested;
      if (a->pauses_clock && !d_->paused()) {
        e.pause_starts = true;
        e.reason = "payment";
      }
      return Finish(std::move(e));
    }
    case ActionKind::kConsult: {
      Event e = Make(EventType::kConsultationRequested);
      e.action_id = a->id;
      e.status = DossierStatus::kConsulting;
      if (a->answer_within) {
        Result<Instant> until = cal.Add(now, *a->answer_within);
        if (!until.ok()) return Unavailable(until.status());
        e.waiting_until = *until;
      }
      if (a->pauses_clock && !d_->paused()) {
        e.pause_starts = true;
        e.reason = "consult";
      }
      return Finish(std::move(e));
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
      if (*left < Seconds(p.extension.min_notice)) {
        return Reject(RejectionCode::kRule,
                      "Expected to extend dossier '" + d_->id + "' at least " +
                          FormatWorkDuration(p.extension.min_notice) + " before its due date " +
                          FormatLocal(*d_->due_at, cal.utc_offset_seconds()) + ", but only " +
                          FormatMilliHours(std::max<int64_t>(*left, 0) * 1000 / 3600) + " remain");
      }
      Result<Instant> extended = cal.Add(*d_->due_at, by);
      if (!extended.ok()) return Unavailable(extended.status());
      Event e = Make(EventType::kExtended);
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
      if (Status s = EndPause(e); !s.ok()) return Unavailable(s);
      const Instant due = e.due_at ? *e.due_at : *d_->due_at;
      e.timeliness = cal.Judge(due, now);
      return Finish(std::move(e));
    }
  }
  return Reject(RejectionCode::kInvalid, "unknown action kind");
}

Decision Processor::SupplySupplement() {
  if (auto r = LoadRules()) return *r;
  const Procedure& p = *rules_.procedure;
  if (d_->status != DossierStatus::kSupplementRequested) {
    return Reject(RejectionCode::kRule, "Expected to receive a supplement for dossier '" + d_->id +
                                            "' while a supplement is requested, but it is " +
                                            NameOf(d_->status));
  }
  if (auto r = RequireRole(rules_.counter_role(), "receive a supplement for")) return *r;
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
      Result<Instant> sd = cal.Add(due->counting_start, step->budget);
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
                                            "' while it is " + NameOf(waiting) +
                                            ", but it is " + NameOf(d_->status));
  }
  const Step* step = rules_.procedure->FindStep(d_->current_step);
  if (type == EventType::kPaymentConfirmed && step && step->kind == StepKind::kPayment) {
    std::string ids;
    for (const auto& a : step->actions) ids += (ids.empty() ? "" : ", ") + a.id;
    return Reject(RejectionCode::kRule, "Expected to confirm payment for dossier '" + d_->id +
                                            "' after a payment request, but it is waiting at "
                                            "payment step '" +
                                            step->id + "'; take its action: " + ids);
  }
  std::vector<std::string> roles = {rules_.counter_role()};
  if (step) roles.push_back(step->role);
  if (auto r = RequireAnyRole(roles, std::string(what))) return *r;
  Event e = Make(type);
  e.status = DossierStatus::kInProcessing;
  // A pause opened by the waiting action closes; a step whose time is not counted keeps its own.
  if (d_->paused() && d_->pauses.back().reason != "step") {
    if (Status s = EndPause(e); !s.ok()) return Unavailable(s);
  }
  return Finish(std::move(e));
}

Decision Processor::Withdraw() {
  if (auto r = LoadRules()) return *r;
  if (!IsOpen(d_->status) && d_->status != DossierStatus::kSubmitted &&
      d_->status != DossierStatus::kNotReceived) {
    return Reject(RejectionCode::kRule, "Expected to withdraw dossier '" + d_->id +
                                            "' before a decision, but it is " +
                                            NameOf(d_->status));
  }
  if (auto r = RequireRole(rules_.counter_role(), "withdraw")) return *r;
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
                                            "' once decided, but it is " +
                                            NameOf(d_->status));
  }
  if (auto r = RequireRole(rules_.counter_role(), "return the result of")) return *r;
  Event e = Make(EventType::kResultReturned);
  e.status = DossierStatus::kReturned;
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

}  // namespace

bool Actor::Has(const std::string& role) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

Decision Process(const Command& c, const Dossier* current, const ProcessContext& ctx) {
  return Processor(c, current, ctx).Run();
}

}  // namespace motcua
