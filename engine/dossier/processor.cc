// Command processing (processor.h): dispatch to each command family's processor, and the guards,
// events, pauses and timers they share.

#include "engine/dossier/processor.h"

#include <algorithm>

#include "engine/calendar/deadline.h"
#include "engine/common/strings.h"
#include "engine/dossier/appliers.h"
#include "engine/dossier/processor_internal.h"

namespace motcua {
namespace processor_internal {

Decision Reject(RejectionCode code, std::string message) {
  Decision d;
  d.rejection = Rejection{code, std::move(message)};
  return d;
}

Decision RejectField(FieldProblem problem) {
  Decision d;
  d.rejection =
      Rejection{RejectionCode::kInvalid, std::move(problem.message), std::move(problem.field)};
  return d;
}

Decision Processor::Run() {
  if (c_.type != CommandType::kSubmit && c_.type != CommandType::kReceive &&
      c_.type != CommandType::kRefuseAtCounter && d_ == nullptr) {
    return Reject(RejectionCode::kNotFound, "dossier '" + c_.dossier_id + "' does not exist");
  }
  // Stale: the dossier changed since the version the command names. Timers that only marked it
  // (nearly due, overdue, step late) do not make a command stale.
  if (d_ != nullptr && c_.expected_version && *c_.expected_version != d_->version &&
      !d_->OnlyMarkedSince(*c_.expected_version)) {
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
    case CommandType::kRecomputeDue:
      return RecomputeDueDates();
    case CommandType::kRateSatisfaction:
      return RateSatisfaction();
    case CommandType::kAttachFile:
      return AttachFile();
    case CommandType::kMigrate:
      return Migrate();
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
  return Reject(RejectionCode::kForbidden, "Expected role '" + role + "' to " + doing + " " +
                                               Named() + ", but '" + c_.actor.id +
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
  return Reject(RejectionCode::kForbidden, "Expected one of the roles " + Join(roles) + " to " +
                                               doing + " " + Named() + ", but '" + c_.actor.id +
                                               "' has roles: " + Join(c_.actor.roles));
}

std::optional<Decision> Processor::RequireRoleOrApplicantSide(std::vector<std::string> roles,
                                                              const std::string& doing) {
  const bool online = d_->channel == Channel::kOnlineFull || d_->channel == Channel::kOnlinePartial;
  if (c_.actor.Has(kIntegratorRole) && !online &&
      std::none_of(roles.begin(), roles.end(),
                   [&](const std::string& r) { return c_.actor.Has(r); })) {
    return Reject(RejectionCode::kForbidden,
                  "An integrator acts for the applicant only on dossiers submitted online; " +
                      Named() + " came by channel '" + NameOf(d_->channel) + "'");
  }
  if (!online && roles.size() == 1) return RequireRole(roles.front(), doing);
  if (online) roles.push_back(kIntegratorRole);
  return RequireAnyRole(roles, doing);
}

Event Processor::Make(EventType type) const {
  Event e;
  e.type = type;
  e.event_version = CurrentEventVersion(type);
  e.dossier_id = Id();
  e.version = d_ ? d_->version + 1 : 1;
  e.status = d_ ? d_->status : DossierStatus::kSubmitted;
  e.at = ctx_.now;
  e.actor = c_.actor.id;
  e.role = role_used_;
  e.comment = c_.comment;
  return e;
}

DossierIdentity Processor::IdentityOf(const Procedure& p,
                                      std::vector<SubmittedDocument> documents) const {
  DossierIdentity id;
  id.procedure_code = p.code;
  id.procedure_version = p.version;
  if (d_ != nullptr) {
    id.receiving_agency = d_->receiving_agency;
    id.competent_agency = d_->competent_agency;
    id.applicant = d_->applicant;
    id.channel = d_->channel;
    id.portal_code = d_->portal_code;
  } else {
    id.receiving_agency = agencies_.receiving;
    id.competent_agency = agencies_.competent;
    id.applicant = c_.applicant;
    id.channel = c_.channel;
    id.portal_code = c_.portal_code;
  }
  id.documents = std::move(documents);
  return id;
}

Result<std::optional<Instant>> Processor::StepDue(const WorkCalendar& cal, Instant entered,
                                                  const WorkDuration& budget) {
  if (budget.thousandths == 0) return std::optional<Instant>();
  ASSIGN_OR_RETURN(Instant start, cal.NextWorkingInstant(entered));
  ASSIGN_OR_RETURN(Instant due, cal.Add(start, budget, DueRule::kSameClockTime));
  return std::optional<Instant>(due);
}

Status Processor::EndPause(Event& e) const {
  if (!d_->paused()) return Status::Ok();
  const WorkCalendar& cal = *rules_.calendar;
  const Instant from = d_->pauses.back().from;
  e.pause_ends = true;
  if (d_->due_at) {
    ASSIGN_OR_RETURN(e.due_at, ExtendByPause(cal, *d_->due_at, from, ctx_.now));
    if (*e.due_at != *d_->due_at) e.previous_due_at = d_->due_at;
  }
  if (d_->extended_due_at) {
    ASSIGN_OR_RETURN(e.extended_due_at, ExtendByPause(cal, *d_->extended_due_at, from, ctx_.now));
  }
  if (d_->step_due_at && !e.step_due_at) {
    ASSIGN_OR_RETURN(e.step_due_at, ExtendByPause(cal, *d_->step_due_at, from, ctx_.now));
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
  if (!d.AtWork()) return out;
  if (IsOpen(d.status) && !d.paused()) {
    if (std::optional<Instant> due = d.effective_due()) {
      add(TimerKind::kDossierDue, *due);
      ASSIGN_OR_RETURN(Instant warn,
                       cal.SubtractWorkingSeconds(*due, s.nearly_due.InWorkingSeconds()));
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
  if (rules_.calendar != nullptr && (e.due_at || e.extended_due_at)) {
    // The due as it now stands: computed on a year whose schedule is not announced yet?
    const std::optional<Instant> due = after.effective_due();
    e.due_provisional = due && rules_.calendar->IsProvisional(*due);
  }
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

}  // namespace processor_internal

bool Actor::Has(const std::string& role) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

Decision Process(const Command& c, const Dossier* current, const ProcessContext& ctx) {
  return processor_internal::Processor(c, current, ctx).Run();
}

}  // namespace motcua
