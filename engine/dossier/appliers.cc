// The appliers, registered per (event type, event version): appliers.h says why old versions stay.

#include "engine/dossier/appliers.h"

#include <cassert>

namespace motcua {

namespace {

// ---- Fields several event types carry, applied by the appliers of those types.

// A dossier's first event records what it is and whose.
void Identity(Dossier& d, const Event& e) {
  d.id = e.dossier_id;
  d.identity() = e.identity();
}

// Due instants recomputed by the event (after a pause, a restart, an extension).
void DueInstants(Dossier& d, const Event& e) {
  if (e.due_at) d.due_at = e.due_at;
  if (e.extended_due_at) d.extended_due_at = e.extended_due_at;
  // Events stored before the flag existed carry none, as their records do.
  if (e.due_at || e.extended_due_at) d.due_provisional = e.due_provisional;
}

// The open pause closes at the event, then (when the event says so) a new one opens.
void Pauses(Dossier& d, const Event& e) {
  if (e.pause_ends && d.paused()) d.pauses.back().to = e.at;
  if (e.pause_starts) d.pauses.push_back(PausedInterval{e.at, std::nullopt, e.reason});
}

// Enters the event's step.
void EnterStep(Dossier& d, const Event& e) {
  d.current_step = e.to_step;
  d.step_entered_at = e.at;
  d.step_due_at = e.step_due_at;
}

// ---- Version 1 of every event type.

void SubmittedV1(Dossier& d, const Event& e) {
  Identity(d, e);
  d.submitted_at = e.at;
}

void ReceivedV1(Dossier& d, const Event& e) {
  Identity(d, e);
  DueInstants(d, e);
  if (e.counting_start) d.counting_start = e.counting_start;
  d.number = e.number;
  d.received_at = e.at;
  d.missing.clear();
  EnterStep(d, e);
}

void CompletionRequestedV1(Dossier& d, const Event& e) {
  Identity(d, e);
  d.missing = e.missing;
}

void RefusedAtCounterV1(Dossier& d, const Event& e) {
  Identity(d, e);
  d.stop_reason = e.reason;
}

void AssignedV1(Dossier& d, const Event& e) { d.assignee = e.assignee; }

void ForwardedV1(Dossier& d, const Event& e) {
  DueInstants(d, e);
  Pauses(d, e);
  EnterStep(d, e);
  d.assignee.clear();
}

void SupplementRequestedV1(Dossier& d, const Event& e) {
  Pauses(d, e);
  d.supplement_requests += 1;
  d.supplement_requested_by = e.role;
  d.missing = e.missing;
  d.waiting_until = e.waiting_until;
}

void SupplementReceivedV1(Dossier& d, const Event& e) {
  DueInstants(d, e);
  if (e.counting_start) d.counting_start = e.counting_start;
  Pauses(d, e);
  for (const SubmittedDocument& s : e.documents) d.documents.push_back(s);
  d.missing.clear();
  d.waiting_until.reset();
  if (e.step_due_at) d.step_due_at = e.step_due_at;
}

void PaymentRequestedV1(Dossier& d, const Event& e) { Pauses(d, e); }

// The end of a wait for someone else (payment, a consulted agency's answer).
void WaitEndedV1(Dossier& d, const Event& e) {
  DueInstants(d, e);
  Pauses(d, e);
  d.waiting_until.reset();
  if (e.step_due_at) d.step_due_at = e.step_due_at;
}

void ConsultationRequestedV1(Dossier& d, const Event& e) {
  Pauses(d, e);
  d.waiting_until = e.waiting_until;
}

void ExtendedV1(Dossier& d, const Event& e) { DueInstants(d, e); }

void DecidedV1(Dossier& d, const Event& e) {
  DueInstants(d, e);
  Pauses(d, e);
  d.outcome = e.outcome;
  d.decided_at = e.at;
  d.timeliness = e.timeliness;
  d.step_due_at.reset();
}

// Version 2: a decision may hand the result on to a step after it (registered, transferred,
// returned at the counter), which the dossier then enters.
void DecidedV2(Dossier& d, const Event& e) {
  DecidedV1(d, e);
  if (!e.to_step.empty()) {
    EnterStep(d, e);
    d.assignee.clear();
    d.after_decision = true;
  }
}

void ResultReturnedV1(Dossier& d, const Event& e) { d.returned_at = e.at; }

void DueRecomputedV1(Dossier& d, const Event& e) { DueInstants(d, e); }

// Version 2: the return records how, to whom, and the M07 signature.
void ResultReturnedV2(Dossier& d, const Event& e) {
  ResultReturnedV1(d, e);
  d.returned_via = e.returned_via;
  d.returned_to = e.returned_to;
  d.receipt_signed = e.receipt_signed;
}

void SatisfactionRatedV1(Dossier& d, const Event& e) {
  d.satisfaction = e.satisfaction;
  d.satisfaction_comment = e.comment;
}

void WithdrawnV1(Dossier& d, const Event& e) {
  Pauses(d, e);
  d.stop_reason = e.reason;
  d.step_due_at.reset();
}

void TimerFiredV1(Dossier& d, const Event& e) {
  if (e.fired) d.fired.push_back(*e.fired);
}

// Version 2: the firing is a mark, and the dossier remembers its version, so that a command
// stale only by marks is accepted.
void TimerFiredV2(Dossier& d, const Event& e) {
  TimerFiredV1(d, e);
  d.mark_versions.push_back(e.version);
}

// A mark: the dossier keeps the file and remembers the version, so that a command stale only by
// files attached meanwhile is accepted.
void FileAttachedV1(Dossier& d, const Event& e) {
  if (e.file) {
    d.files.push_back(*e.file);
    d.files.back().at = e.at;
    d.files.back().actor = e.actor;
  }
  d.mark_versions.push_back(e.version);
}

// Moved to another version of its procedure: the step it is at through the step map (the time it
// entered it stays), the step's due, and the due instants recomputed on the new version.
void MigratedV1(Dossier& d, const Event& e) {
  d.procedure_version = e.procedure_version;
  DueInstants(d, e);
  if (!e.to_step.empty()) {
    d.current_step = e.to_step;
    d.step_due_at = e.step_due_at;
    d.assignee = e.assignee;
  }
}

// ---- The registry.

using Applier = void (*)(Dossier&, const Event&);

struct Registration {
  EventType type;
  int version;
  Applier apply;
};

// Every (type, version) a stored event may have. Append new versions; never change or remove one.
constexpr Registration kAppliers[] = {
    {EventType::kSubmitted, 1, &SubmittedV1},
    {EventType::kReceived, 1, &ReceivedV1},
    {EventType::kCompletionRequested, 1, &CompletionRequestedV1},
    {EventType::kRefusedAtCounter, 1, &RefusedAtCounterV1},
    {EventType::kAssigned, 1, &AssignedV1},
    {EventType::kForwarded, 1, &ForwardedV1},
    {EventType::kSupplementRequested, 1, &SupplementRequestedV1},
    {EventType::kSupplementReceived, 1, &SupplementReceivedV1},
    {EventType::kPaymentRequested, 1, &PaymentRequestedV1},
    {EventType::kPaymentConfirmed, 1, &WaitEndedV1},
    {EventType::kConsultationRequested, 1, &ConsultationRequestedV1},
    {EventType::kConsultationAnswered, 1, &WaitEndedV1},
    {EventType::kExtended, 1, &ExtendedV1},
    {EventType::kDecided, 1, &DecidedV1},
    {EventType::kDecided, 2, &DecidedV2},
    {EventType::kResultReturned, 1, &ResultReturnedV1},
    {EventType::kResultReturned, 2, &ResultReturnedV2},
    {EventType::kWithdrawn, 1, &WithdrawnV1},
    {EventType::kTimerFired, 1, &TimerFiredV1},
    {EventType::kTimerFired, 2, &TimerFiredV2},
    {EventType::kDueRecomputed, 1, &DueRecomputedV1},
    {EventType::kSatisfactionRated, 1, &SatisfactionRatedV1},
    {EventType::kFileAttached, 1, &FileAttachedV1},
    {EventType::kMigrated, 1, &MigratedV1},
};

constexpr bool EveryTypeHasItsFirstVersion() {
  for (const auto& e : kEventTypeNames.entries()) {
    bool found = false;
    for (const Registration& r : kAppliers) found = found || (r.type == e.value && r.version == 1);
    if (!found) return false;
  }
  return true;
}
static_assert(EveryTypeHasItsFirstVersion(), "every event type needs an applier of version 1");

Applier Find(EventType type, int version) {
  for (const Registration& r : kAppliers) {
    if (r.type == type && r.version == version) return r.apply;
  }
  return nullptr;
}

}  // namespace

int CurrentEventVersion(EventType type) {
  int newest = 0;
  for (const Registration& r : kAppliers) {
    if (r.type == type && r.version > newest) newest = r.version;
  }
  return newest;
}

bool KnownEventVersion(EventType type, int version) { return Find(type, version) != nullptr; }

void Apply(Dossier& d, const Event& e) {
  // Processors emit events for the version they read; anything else is our bug.
  assert(e.version == d.version + 1);
  const Applier apply = Find(e.type, e.event_version);
  // Decoders refuse events of versions this build does not know.
  assert(apply != nullptr);
  d.version = e.version;
  d.status = e.status;
  if (e.timers_set) d.timers = e.timers;
  apply(d, e);
}

}  // namespace motcua
