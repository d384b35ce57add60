#pragma once
// Inside the command processor (processor.h): the Processor every command family's file
// implements a part of, and the guards they share. Not for use outside engine/dossier/.
//
//   processor.cc     dispatch, shared guards (rules, roles), events, pauses and timers
//   reception.cc     T1–T4 at the counter: submit, receive, refuse
//   step_actions.cc  assignment and the definition's step actions (T5–T8, T10, T11, T13)
//   waits.cc         the ends of waits: supplement supplied, payment confirmed, answer recorded
//   closing.cc       withdrawal, result returned, timers fired, due instants recomputed
//   attachments.cc   files attached to documents and to the result
//   migrate.cc       a dossier moved to another version of its procedure

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/dossier/processor.h"

namespace motcua::processor_internal {

Decision Reject(RejectionCode code, std::string message);
// Rejects a command whose field `problem.field` is invalid (kInvalid, naming the field).
Decision RejectField(FieldProblem problem);

// Everything one command needs about its dossier's definition.
struct Rules {
  std::shared_ptr<const Procedure> procedure;
  const WorkCalendar* calendar = nullptr;
  const std::string& counter_role() const { return procedure->steps.front().role; }
};

// One command against one dossier state: checks it, then rejects it or emits its events. Never
// changes the dossier (the appliers do, from the events).
class Processor {
 public:
  Processor(const Command& c, const Dossier* d, const ProcessContext& ctx)
      : c_(c), d_(d), ctx_(ctx) {}

  Decision Run();

 private:
  // reception.cc
  Decision Submit();
  Decision Receive();
  Decision RefuseAtCounter();
  // step_actions.cc
  Decision Assign();
  Decision Act();
  // The event of an action that waits for someone else (applicant, payer, consulted agency):
  // `limit` of working time from now bounds the wait, and the action may stop the clock.
  Result<Event> Wait(const Action& a, EventType type, DossierStatus status,
                     const std::optional<WorkDuration>& limit, const char* pause_reason) const;
  // waits.cc
  Decision SupplySupplement();
  Decision Resume(EventType type, DossierStatus waiting, const char* what);
  // closing.cc
  Decision Withdraw();
  Decision ReturnResult();
  Decision FireTimer();
  Decision RecomputeDueDates();
  Decision RateSatisfaction();
  // attachments.cc
  Decision AttachFile();
  // migrate.cc
  Decision Migrate();
  // The committed history of the current dossier, or the rejection when it cannot be read now.
  Result<std::vector<Event>> CommittedHistory(const std::string& doing) const;
  // The return's facts from the command: how (default at the counter), to whom, signed.
  void ReturnFacts(Event& e) const;

  // The M06 row of handing the dossier from `step` (its current one) to `receiver`, judged
  // against the step's due instant, or the dossier's when the step has none.
  HandOver HandOverFrom(const Step& step, const std::string& receiver) const;
  // Loads the pinned definition of the current dossier.
  std::optional<Decision> LoadRules();
  // Rejects unless the actor holds `role`.
  std::optional<Decision> RequireRole(const std::string& role, const std::string& doing);
  std::optional<Decision> RequireAnyRole(const std::vector<std::string>& roles,
                                         const std::string& doing);
  // The API's role of portals and other integrators (docs/api.md, "Roles").
  static constexpr const char* kIntegratorRole = "integrator";
  // Rejects unless the actor holds one of `roles`, or acts for the applicant: an integrator (a
  // portal) on a dossier submitted online. The applicant's side of a dossier (supplying a
  // supplement, withdrawing, confirming a payment, rating the service); never the agency's.
  std::optional<Decision> RequireRoleOrApplicantSide(std::vector<std::string> roles,
                                                     const std::string& doing);
  // Rejects a new dossier's command without the fields every dossier needs: an applicant, a
  // receiving agency in operation and (`check_competence`) a competent agency of the
  // procedure's kind that it receives for, resolved into agencies_ when not given. Needs
  // rules_.procedure.
  std::optional<Decision> RequireNewDossierFields(bool check_competence);
  // The identity a dossier's first event records (the current dossier's agencies, applicant and
  // channel when it exists, else the command's), under the procedure version `p`.
  DossierIdentity IdentityOf(const Procedure& p, std::vector<SubmittedDocument> documents) const;
  // A new event of the newest version of `type`, stamped with the command's actor and time.
  Event Make(EventType type) const;
  // The due instant of a step entered at `entered` with `budget`: counted from the step's
  // normalised start (the next working instant). None for a zero budget: such a step has no
  // deadline of its own, and its hand-over is judged against the dossier's due.
  static Result<std::optional<Instant>> StepDue(const WorkCalendar& cal, Instant entered,
                                                const WorkDuration& budget);
  // Closes the open pause at now: moves every due instant by the paused working time.
  Status EndPause(Event& e) const;
  // Timers after `e`, then the single-event decision.
  Decision Finish(Event e) const;
  Decision Unavailable(const Status& s) const {
    return Reject(RejectionCode::kUnavailable, s.message());
  }
  // Empty for a new dossier: it is named once accepted (Process).
  std::string Id() const { return d_ ? d_->id : std::string(); }
  // How messages name the dossier: never by the id a refused new dossier would have had.
  std::string Named() const { return d_ ? "dossier '" + d_->id + "'" : "a new dossier"; }

  const Command& c_;
  const Dossier* d_;
  const ProcessContext& ctx_;
  Rules rules_;
  std::string role_used_;
  AgencyChoice agencies_;  // a new dossier's agencies, once RequireNewDossierFields passed
};

}  // namespace motcua::processor_internal
