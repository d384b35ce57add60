// The domain as the API shows it (view_codec.h).

#include "adapters/proto/view_codec.h"

#include <algorithm>
#include <limits>

#include "adapters/proto/dossier_codec.h"
#include "engine/calendar/calendar.h"
#include "engine/dossier/migration.h"

namespace motcua {

namespace {

std::string Local(std::optional<Instant> t) {
  return t ? FormatLocal(*t, kApiUtcOffsetSeconds) : "";
}
// Into a message's string field, reusing its memory; unset instants leave it empty.
void SetLocal(std::string* field, std::optional<Instant> t) {
  if (t) {
    FormatLocalInto(*t, kApiUtcOffsetSeconds, field);
  } else {
    field->clear();
  }
}

void FillFile(const std::string& dossier_id, const AttachedFile& f, v1::FileView* v) {
  v->set_document_id(f.document_id);
  v->set_sha256(f.sha256);
  v->set_size(f.size);
  v->set_media_type(f.media_type);
  v->set_name(f.name);
  v->set_attached_at(FormatLocal(f.at, kApiUtcOffsetSeconds));
  v->set_attached_by(f.actor);
  v->set_href("/v1/dossiers/" + dossier_id + "/documents/" + f.document_id + "/files/" + f.sha256);
}

// Working time from `now` to the due instant of an open dossier whose time runs, on its own
// calendar; negative past the due. None otherwise (paused, closed, no calendar).
std::optional<int32_t> RemainingWorkingSeconds(const Dossier& d, const Procedure* p,
                                               const ProcedureCatalog& catalog, Instant now) {
  const std::optional<Instant> due = d.effective_due();
  if (!IsOpen(d.status) || d.paused() || !due) return std::nullopt;
  const WorkCalendar* cal =
      catalog.CalendarFor(d.competent_agency, p ? p->calendar : std::string("vn"));
  if (cal == nullptr) return std::nullopt;
  const bool ahead = now < *due;
  Result<int64_t> s =
      ahead ? cal->WorkingSecondsBetween(now, *due) : cal->WorkingSecondsBetween(*due, now);
  if (!s.ok()) return std::nullopt;
  const int64_t bounded = std::min<int64_t>(*s, std::numeric_limits<int32_t>::max());
  return static_cast<int32_t>(ahead ? bounded : -bounded);
}

}  // namespace

void FillView(const Dossier& d, const ProcedureCatalog& catalog, Instant now, v1::DossierView* v,
              const std::vector<std::string>* caller_roles) {
  const std::shared_ptr<const Procedure> pinned =
      catalog.Version(d.procedure_code, d.procedure_version);
  const Procedure* p = pinned.get();
  v->set_id(d.id);
  v->set_version(d.version);
  v->set_number(d.number);
  v->set_procedure_code(d.procedure_code);
  v->set_procedure_version(d.procedure_version);
  if (p) v->set_procedure_name(p->name);
  v->set_receiving_agency(d.receiving_agency);
  v->set_competent_agency(d.competent_agency);
  ToProto(d.applicant, v->mutable_applicant());
  DocsToProto(d.documents, v);
  v->set_channel(NameOf(d.channel));
  v->set_portal_code(d.portal_code);
  v->set_status(NameOf(d.status));
  v->set_portal_status(PortalStatusCode(d.status));
  v->set_current_step(d.current_step);
  v->set_assignee(d.assignee);
  SetLocal(v->mutable_submitted_at(), d.submitted_at);
  SetLocal(v->mutable_received_at(), d.received_at);
  SetLocal(v->mutable_counting_start(), d.counting_start);
  SetLocal(v->mutable_due_at(), d.due_at);
  SetLocal(v->mutable_extended_due_at(), d.extended_due_at);
  SetLocal(v->mutable_step_due_at(), d.step_due_at);
  v->set_paused(d.paused());
  for (const auto& m : d.missing) v->add_missing(m);
  v->set_supplement_requests(d.supplement_requests);
  if (d.outcome != Outcome::kNone) v->set_outcome(NameOf(d.outcome));
  SetLocal(v->mutable_decided_at(), d.decided_at);
  SetLocal(v->mutable_returned_at(), d.returned_at);
  if (d.timeliness) v->set_timeliness(NameOf(*d.timeliness));
  v->set_overdue(d.OverdueAt(now));
  if (std::optional<int32_t> left = RemainingWorkingSeconds(d, p, catalog, now)) {
    v->set_remaining_working_seconds(*left);
  }
  v->set_stop_reason(d.stop_reason);
  if (p && (d.status == DossierStatus::kReceived || d.status == DossierStatus::kInProcessing ||
            d.status == DossierStatus::kPaymentRequested ||
            (d.status == DossierStatus::kDecided && d.after_decision))) {
    if (const Step* s = p->FindStep(d.current_step)) {
      for (const auto& a : s->actions) {
        v->add_step_actions(a.id);
        const bool may = caller_roles == nullptr ||
                         std::any_of(a.roles.begin(), a.roles.end(), [&](const std::string& r) {
                           return std::find(caller_roles->begin(), caller_roles->end(), r) !=
                                  caller_roles->end();
                         });
        if (may) v->add_allowed_actions(a.id);
      }
    }
  }
  v->set_due_provisional(d.due_provisional);
  if (d.returned_via) v->set_returned_via(NameOf(*d.returned_via));
  v->set_returned_to(d.returned_to);
  v->set_receipt_signed(d.receipt_signed);
  if (d.satisfaction != Satisfaction::kNone) v->set_satisfaction(NameOf(d.satisfaction));
  v->set_satisfaction_comment(d.satisfaction_comment);
  for (const AttachedFile& f : d.files) FillFile(d.id, f, v->add_files());
  const AgencyRegistry& agencies = catalog.Agencies();
  if (const Agency* a = agencies.Find(d.receiving_agency)) v->set_receiving_agency_name(a->name);
  if (const Agency* a = agencies.Find(d.competent_agency)) v->set_competent_agency_name(a->name);
}

void FillEvent(const Event& e, uint64_t position, v1::EventView* v) {
  v->set_type(NameOf(e.type));
  v->set_dossier_id(e.dossier_id);
  v->set_version(e.version);
  v->set_status(NameOf(e.status));
  v->set_at(FormatLocal(e.at, kApiUtcOffsetSeconds));
  v->set_actor(e.actor);
  v->set_role(e.role);
  v->set_comment(e.comment);
  v->set_action_id(e.action_id);
  v->set_to_step(e.to_step);
  v->set_due_at(Local(e.due_at));
  v->set_step_due_at(Local(e.step_due_at));
  if (e.hand_over) ToProto(*e.hand_over, v->mutable_hand_over());
  for (const auto& m : e.missing) v->add_missing(m);
  // `reason` is the refusal's or the withdrawal's; a pause's internal reason is not shown.
  if (e.type == EventType::kRefusedAtCounter || e.type == EventType::kWithdrawn ||
      e.type == EventType::kDecided || e.type == EventType::kMigrated) {
    v->set_reason(e.reason);
  }
  if (e.type == EventType::kMigrated) {
    v->set_previous_procedure_version(e.previous_procedure_version);
    v->set_procedure_version(e.procedure_version);
    v->set_from_step(e.from_step);
    v->set_previous_step_due_at(Local(e.previous_step_due_at));
  }
  if (e.outcome != Outcome::kNone) v->set_outcome(NameOf(e.outcome));
  if (e.timeliness) v->set_timeliness(NameOf(*e.timeliness));
  v->set_position(position);
  v->set_previous_due_at(Local(e.previous_due_at));
  v->set_previous_extended_due_at(Local(e.previous_extended_due_at));
  if (e.returned_via) v->set_returned_via(NameOf(*e.returned_via));
  v->set_returned_to(e.returned_to);
  v->set_receipt_signed(e.receipt_signed);
  if (e.satisfaction != Satisfaction::kNone) v->set_satisfaction(NameOf(e.satisfaction));
  if (e.file) {
    AttachedFile f = *e.file;
    f.at = e.at;
    f.actor = e.actor;
    FillFile(e.dossier_id, f, v->mutable_file());
  }
  v->set_extended_due_at(Local(e.extended_due_at));
  if (e.extend_by) v->set_extend_by(FormatWorkDuration(*e.extend_by));
  v->set_waiting_until(Local(e.waiting_until));
  if (e.type == EventType::kReceived || e.type == EventType::kSupplementReceived ||
      e.type == EventType::kSubmitted || e.type == EventType::kCompletionRequested) {
    for (const SubmittedDocument& d : e.documents) {
      auto* x = v->add_documents();
      x->set_document_id(d.document_id);
      x->set_count(d.count);
    }
  }
  if (e.fired) v->set_timer(NameOf(e.fired->kind));
  v->set_counting_start(Local(e.counting_start));
  v->set_due_provisional(e.due_provisional);
}

void FillHistory(const std::string& dossier_id, const std::vector<Event>& history,
                 const ProcedureCatalog& catalog, const std::string& procedure_code,
                 v1::HistoryResponse* out) {
  out->set_dossier_id(dossier_id);
  const std::vector<int> versions = VersionsRecordedUnder(history);
  for (size_t i = 0; i < history.size(); ++i) {
    const Event& e = history[i];
    FillEvent(e, 0, out->add_events());
    if (e.hand_over) {
      auto* row = out->add_m06();
      row->set_step_id(e.hand_over->step_id);
      if (auto p = catalog.Version(procedure_code, versions[i])) {
        if (const Step* s = p->FindStep(e.hand_over->step_id)) {
          row->set_step_name(s->name);
          row->set_unit(s->unit);
        }
      }
      row->set_at(FormatLocal(e.at, kApiUtcOffsetSeconds));
      row->set_giver(e.hand_over->giver);
      row->set_receiver(e.hand_over->receiver);
      row->set_timeliness(NameOf(e.hand_over->timeliness));
      row->set_note(e.hand_over->note);
      row->set_working_seconds(static_cast<int32_t>(e.hand_over->working_seconds.value_or(0)));
    }
  }
}

void FillPublicProgress(const Dossier& d, const Procedure* p, v1::PublicProgress* out) {
  out->set_number(d.number);
  out->set_procedure_code(d.procedure_code);
  if (p) out->set_procedure_name(p->name);
  out->set_status(NameOf(d.status));
  out->set_portal_status(PortalStatusCode(d.status));
  out->set_received_at(Local(d.received_at));
  out->set_due_at(Local(d.effective_due()));
  out->set_returned_at(Local(d.returned_at));
}

}  // namespace motcua
