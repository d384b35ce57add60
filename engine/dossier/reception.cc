// T1–T4 at the counter (DOMAIN.md §3): online submission, reception (complete: received, with
// its number and due date; incomplete: completion requested, M02) and refusal at the counter (M03).

#include <algorithm>

#include "engine/calendar/deadline.h"
#include "engine/common/strings.h"
#include "engine/dossier/processor_internal.h"

namespace motcua::processor_internal {

std::optional<Decision> Processor::RequireNewDossierFields(bool check_competence) {
  if (c_.receiving_agency.empty()) {
    return RejectField({"receiving_agency", "required: the agency that receives the dossier"});
  }
  const CivilDate today = LocalDateAt(ctx_.now, ctx_.settings.utc_offset_seconds);
  if (std::optional<FieldProblem> problem = ctx_.catalog->Agencies().Resolve(
          c_.receiving_agency, c_.competent_agency, *rules_.procedure, today, check_competence,
          &agencies_)) {
    return RejectField(std::move(*problem));
  }
  if (std::optional<FieldProblem> problem = CheckApplicant(c_.applicant)) {
    return RejectField(std::move(*problem));
  }
  return std::nullopt;
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
  if (auto r = RequireNewDossierFields(true)) return *r;
  for (const auto& doc : c_.documents) {
    if (!rules_.procedure->FindDocument(doc.document_id)) {
      return Reject(RejectionCode::kInvalid, "unknown document '" + doc.document_id +
                                                 "' for procedure " + c_.procedure_code);
    }
  }
  if (c_.portal_code.size() > 100 ||
      std::any_of(c_.portal_code.begin(), c_.portal_code.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20; })) {
    return RejectField({"portal_code",
                        "expected the portal's dossier code: up to 100 "
                        "characters, no control characters"});
  }
  role_used_ = c_.actor.roles.empty() ? "" : c_.actor.roles.front();
  Event e = Make(EventType::kSubmitted);
  e.status = DossierStatus::kSubmitted;
  e.identity() = IdentityOf(*rules_.procedure, c_.documents);
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
  if (auto r = RequireRole(rules_.counter_role(), "receive")) return *r;
  const Procedure& p = *rules_.procedure;
  if (!d_) {
    if (auto r = RequireNewDossierFields(true)) return *r;
    const auto& ch = p.channels;
    if (std::find(ch.begin(), ch.end(), c_.channel) == ch.end()) {
      return Reject(RejectionCode::kInvalid,
                    "procedure " + p.code + " does not accept " + NameOf(c_.channel) + " dossiers");
    }
  }
  DossierIdentity identity = IdentityOf(p, {});
  const std::string agency = identity.receiving_agency;
  // Time is counted by the competent agency's working sessions.
  rules_.calendar = ctx_.catalog->CalendarFor(identity.competent_agency, p.calendar);
  if (!rules_.calendar) return Reject(RejectionCode::kUnavailable, "calendar not loaded");
  // The documents as checked at the counter: the command's list, else what was submitted.
  const std::vector<SubmittedDocument>& docs =
      !c_.documents.empty() || !d_ ? c_.documents : d_->documents;
  for (const auto& doc : docs) {
    if (!p.FindDocument(doc.document_id)) {
      return Reject(RejectionCode::kInvalid,
                    "unknown document '" + doc.document_id + "'; procedure " + p.code + " v" +
                        std::to_string(p.version) + " lists: " + Join(p.DocumentIds()));
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
  identity.documents = docs;
  e.identity() = std::move(identity);
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
    Result<std::optional<Instant>> step_due =
        StepDue(*rules_.calendar, due->counting_start, first.budget);
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
  if (!d_) {
    // A dossier may be refused as outside the agency's competence: only the receiving agency
    // must be one that works today.
    if (auto r = RequireNewDossierFields(false)) return *r;
  }
  Event e = Make(EventType::kRefusedAtCounter);
  e.status = DossierStatus::kRefusedAtCounter;
  e.identity() = IdentityOf(*rules_.procedure, d_ ? d_->documents : c_.documents);
  e.reason = c_.reason;
  e.timers_set = true;
  Decision out;
  out.events.push_back(std::move(e));
  return out;
}

}  // namespace motcua::processor_internal
