#include "engine/dossier/dossier.h"

#include <cassert>
#include <cstdio>

namespace motcua {

int PortalStatusCode(DossierStatus s) {
  switch (s) {
    case DossierStatus::kSubmitted:
      return 1;
    case DossierStatus::kReceived:
      return 2;
    case DossierStatus::kNotReceived:
    case DossierStatus::kRefusedAtCounter:
      return 3;
    case DossierStatus::kInProcessing:
    case DossierStatus::kConsulting:
      return 4;
    case DossierStatus::kSupplementRequested:
      return 5;
    case DossierStatus::kPaymentRequested:
      return 6;
    case DossierStatus::kStopped:
      return 8;
    case DossierStatus::kDecided:
      return 9;
    case DossierStatus::kReturned:
      return 10;
  }
  return 0;
}

bool IsOpen(DossierStatus s) {
  switch (s) {
    case DossierStatus::kReceived:
    case DossierStatus::kInProcessing:
    case DossierStatus::kConsulting:
    case DossierStatus::kSupplementRequested:
    case DossierStatus::kPaymentRequested:
      return true;
    default:
      return false;
  }
}

std::string FormatDossierNumber(const std::string& agency, CivilDate day, int64_t sequence) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "-%02d%02d%02d-%04lld", day.year % 100, day.month, day.day,
                static_cast<long long>(sequence));
  return agency + buf;
}

void Apply(Dossier& d, const Event& e) {
  // Processors emit events for the version they read; anything else is our bug.
  assert(e.version == d.version + 1);
  d.version = e.version;
  d.status = e.status;
  if (e.timers_set) d.timers = e.timers;
  if (e.due_at) d.due_at = e.due_at;
  if (e.extended_due_at) d.extended_due_at = e.extended_due_at;
  if (e.counting_start) d.counting_start = e.counting_start;
  if (e.pause_ends && d.paused()) d.pauses.back().to = e.at;
  if (e.pause_starts) d.pauses.push_back(PausedInterval{e.at, std::nullopt, e.reason});

  switch (e.type) {
    case EventType::kSubmitted:
    case EventType::kReceived:
    case EventType::kCompletionRequested:
    case EventType::kRefusedAtCounter:
      d.id = e.dossier_id;
      d.procedure_code = e.procedure_code;
      d.procedure_version = e.procedure_version;
      d.receiving_agency = e.receiving_agency;
      d.competent_agency = e.competent_agency;
      d.applicant = e.applicant;
      d.channel = e.channel;
      d.documents = e.documents;
      if (e.type == EventType::kSubmitted) {
        d.submitted_at = e.at;
      } else if (e.type == EventType::kReceived) {
        d.number = e.number;
        d.received_at = e.at;
        d.missing.clear();
        d.current_step = e.to_step;
        d.step_entered_at = e.at;
        d.step_due_at = e.step_due_at;
      } else if (e.type == EventType::kCompletionRequested) {
        d.missing = e.missing;
      } else {
        d.stop_reason = e.reason;
      }
      break;
    case EventType::kAssigned:
      d.assignee = e.assignee;
      break;
    case EventType::kForwarded:
      d.current_step = e.to_step;
      d.assignee.clear();
      d.step_entered_at = e.at;
      d.step_due_at = e.step_due_at;
      break;
    case EventType::kSupplementRequested:
      d.supplement_requests += 1;
      d.supplement_requested_by = e.role;
      d.missing = e.missing;
      d.waiting_until = e.waiting_until;
      break;
    case EventType::kSupplementReceived:
      for (const SubmittedDocument& s : e.documents) d.documents.push_back(s);
      d.missing.clear();
      d.waiting_until.reset();
      if (e.step_due_at) d.step_due_at = e.step_due_at;
      break;
    case EventType::kPaymentRequested:
      break;
    case EventType::kConsultationRequested:
      d.waiting_until = e.waiting_until;
      break;
    case EventType::kPaymentConfirmed:
    case EventType::kConsultationAnswered:
      d.waiting_until.reset();
      if (e.step_due_at) d.step_due_at = e.step_due_at;
      break;
    case EventType::kExtended:
      break;  // extended_due_at applied above
    case EventType::kDecided:
      d.outcome = e.outcome;
      d.decided_at = e.at;
      d.timeliness = e.timeliness;
      d.step_due_at.reset();
      break;
    case EventType::kResultReturned:
      d.returned_at = e.at;
      break;
    case EventType::kWithdrawn:
      d.stop_reason = e.reason;
      d.step_due_at.reset();
      break;
    case EventType::kTimerFired:
      if (e.fired) d.fired.push_back(*e.fired);
      break;
  }
}

}  // namespace motcua
