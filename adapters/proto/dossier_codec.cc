// Dossier, event and idempotency records ↔ protobuf (dossier_codec.h): the storage format.

#include "adapters/proto/dossier_codec.h"

#include "engine/dossier/appliers.h"

namespace motcua {

namespace {

int64_t Sec(const std::optional<Instant>& t) { return t ? t->seconds : 0; }
std::optional<Instant> Opt(int64_t s) {
  return s == 0 ? std::nullopt : std::optional<Instant>(Instant{s});
}

const char* TimelinessText(const std::optional<Timeliness>& t) { return t ? NameOf(*t) : ""; }

// A stored enum name; false when it is not one of the table's.
template <typename E>
bool ParseStored(const std::string& s, E* out) {
  std::optional<E> v = ParseName<E>(s);
  if (v) *out = *v;
  return v.has_value();
}

// Empty = none (a return recorded before how it was returned was).
bool ParseReturnVia(const std::string& s, std::optional<ReturnVia>* out) {
  if (s.empty()) {
    out->reset();
    return true;
  }
  *out = ParseName<ReturnVia>(s);
  return out->has_value();
}

// Empty = not rated.
bool ParseSatisfaction(const std::string& s, Satisfaction* out) {
  if (s.empty()) {
    *out = Satisfaction::kNone;
    return true;
  }
  return ParseStored(s, out);
}

// Empty = not judged yet.
bool ParseTimeliness(const std::string& s, std::optional<Timeliness>* out) {
  if (s.empty()) {
    out->reset();
    return true;
  }
  *out = ParseName<Timeliness>(s);
  return out->has_value();
}

// Empty = none (records leave the field unset for no outcome).
bool ParseOutcome(const std::string& s, Outcome* out) {
  if (s.empty()) {
    *out = Outcome::kNone;
    return true;
  }
  return ParseStored(s, out);
}

}  // namespace

void ToProto(const Applicant& a, v1::Applicant* out) {
  out->set_name(a.name);
  out->set_id_number(a.id_number);
  // Absent for a citizen ID: records and views carry the kind only when it is another.
  if (a.id_kind != IdKind::kCitizenId) out->set_id_kind(NameOf(a.id_kind));
  out->set_address(a.address);
  out->set_phone(a.phone);
  out->set_email(a.email);
  out->set_representative(a.representative);
}

namespace {

// False for an id_kind that is not one of ours; "" (records before the field) is a citizen ID.
bool FromProto(const v1::Applicant& in, Applicant* out) {
  out->name = in.name();
  out->id_number = in.id_number();
  out->id_kind = IdKind::kCitizenId;
  if (!in.id_kind().empty() && !ParseStored(in.id_kind(), &out->id_kind)) return false;
  out->address = in.address();
  out->phone = in.phone();
  out->email = in.email();
  out->representative = in.representative();
  return true;
}

void ToProto(const AttachedFile& f, v1::AttachedFile* out) {
  out->set_document_id(f.document_id);
  out->set_sha256(f.sha256);
  out->set_size(f.size);
  out->set_media_type(f.media_type);
  out->set_name(f.name);
  out->set_at(f.at.seconds);
  out->set_actor(f.actor);
}

AttachedFile FromProto(const v1::AttachedFile& in) {
  AttachedFile f;
  f.document_id = in.document_id();
  f.sha256 = in.sha256();
  f.size = in.size();
  f.media_type = in.media_type();
  f.name = in.name();
  f.at = Instant{in.at()};
  f.actor = in.actor();
  return f;
}

void ToProto(const Timer& t, v1::Timer* out) {
  out->set_kind(NameOf(t.kind));
  out->set_at(t.at.seconds);
}

bool FromProto(const v1::Timer& in, Timer* out) {
  out->at = Instant{in.at()};
  return ParseStored(in.kind(), &out->kind);
}

template <typename Msg>
void DocsFromProto(const Msg& in, std::vector<SubmittedDocument>* out) {
  out->clear();
  for (const auto& d : in.documents()) out->push_back({d.document_id(), d.count()});
}

Status Bad(const std::string& what, const std::string& value) {
  return Internal("stored record has an unknown " + what + " '" + value + "'");
}

}  // namespace

void ToProto(const Dossier& d, v1::Dossier* out) {
  out->set_id(d.id);
  out->set_version(d.version);
  out->set_number(d.number);
  out->set_procedure_code(d.procedure_code);
  out->set_portal_code(d.portal_code);
  out->set_procedure_version(d.procedure_version);
  out->set_receiving_agency(d.receiving_agency);
  out->set_competent_agency(d.competent_agency);
  ToProto(d.applicant, out->mutable_applicant());
  out->set_channel(NameOf(d.channel));
  DocsToProto(d.documents, out);
  out->set_status(NameOf(d.status));
  out->set_portal_status(PortalStatusCode(d.status));
  out->set_current_step(d.current_step);
  out->set_assignee(d.assignee);
  out->set_submitted_at(Sec(d.submitted_at));
  out->set_received_at(Sec(d.received_at));
  out->set_counting_start(Sec(d.counting_start));
  out->set_due_at(Sec(d.due_at));
  out->set_extended_due_at(Sec(d.extended_due_at));
  out->set_waiting_until(Sec(d.waiting_until));
  for (const auto& p : d.pauses) {
    auto* x = out->add_pauses();
    x->set_from(p.from.seconds);
    x->set_to(Sec(p.to));
    x->set_reason(p.reason);
  }
  out->set_step_entered_at(Sec(d.step_entered_at));
  out->set_step_due_at(Sec(d.step_due_at));
  out->set_supplement_requests(d.supplement_requests);
  out->set_supplement_requested_by(d.supplement_requested_by);
  for (const auto& m : d.missing) out->add_missing(m);
  if (d.outcome != Outcome::kNone) out->set_outcome(NameOf(d.outcome));
  out->set_decided_at(Sec(d.decided_at));
  out->set_returned_at(Sec(d.returned_at));
  out->set_timeliness(TimelinessText(d.timeliness));
  out->set_stop_reason(d.stop_reason);
  for (const auto& t : d.timers) ToProto(t, out->add_timers());
  for (const auto& t : d.fired) ToProto(t, out->add_fired());
  for (int64_t v : d.mark_versions) out->add_mark_versions(v);
  out->set_due_provisional(d.due_provisional);
  out->set_after_decision(d.after_decision);
  if (d.returned_via) out->set_returned_via(NameOf(*d.returned_via));
  out->set_returned_to(d.returned_to);
  out->set_receipt_signed(d.receipt_signed);
  if (d.satisfaction != Satisfaction::kNone) out->set_satisfaction(NameOf(d.satisfaction));
  out->set_satisfaction_comment(d.satisfaction_comment);
  for (const AttachedFile& f : d.files) ToProto(f, out->add_files());
  out->set_history_hash(d.history_hash.bytes);
}

Status FromProto(const v1::Dossier& in, Dossier* out) {
  Dossier d;
  d.id = in.id();
  d.version = in.version();
  d.number = in.number();
  d.procedure_code = in.procedure_code();
  d.portal_code = in.portal_code();
  d.procedure_version = in.procedure_version();
  d.receiving_agency = in.receiving_agency();
  d.competent_agency = in.competent_agency();
  if (!FromProto(in.applicant(), &d.applicant)) {
    return Bad("applicant id_kind", in.applicant().id_kind());
  }
  if (!ParseStored(in.channel(), &d.channel)) return Bad("channel", in.channel());
  DocsFromProto(in, &d.documents);
  if (!ParseStored(in.status(), &d.status)) return Bad("status", in.status());
  d.current_step = in.current_step();
  d.assignee = in.assignee();
  d.submitted_at = Opt(in.submitted_at());
  d.received_at = Opt(in.received_at());
  d.counting_start = Opt(in.counting_start());
  d.due_at = Opt(in.due_at());
  d.extended_due_at = Opt(in.extended_due_at());
  d.waiting_until = Opt(in.waiting_until());
  for (const auto& p : in.pauses()) {
    d.pauses.push_back(PausedInterval{Instant{p.from()}, Opt(p.to()), p.reason()});
  }
  d.step_entered_at = Opt(in.step_entered_at());
  d.step_due_at = Opt(in.step_due_at());
  d.supplement_requests = in.supplement_requests();
  d.supplement_requested_by = in.supplement_requested_by();
  d.missing.assign(in.missing().begin(), in.missing().end());
  if (!ParseOutcome(in.outcome(), &d.outcome)) return Bad("outcome", in.outcome());
  d.decided_at = Opt(in.decided_at());
  d.returned_at = Opt(in.returned_at());
  if (!ParseTimeliness(in.timeliness(), &d.timeliness)) return Bad("timeliness", in.timeliness());
  d.stop_reason = in.stop_reason();
  for (const auto& t : in.timers()) {
    Timer x;
    if (!FromProto(t, &x)) return Bad("timer kind", t.kind());
    d.timers.push_back(x);
  }
  for (const auto& t : in.fired()) {
    Timer x;
    if (!FromProto(t, &x)) return Bad("timer kind", t.kind());
    d.fired.push_back(x);
  }
  d.mark_versions.assign(in.mark_versions().begin(), in.mark_versions().end());
  d.due_provisional = in.due_provisional();
  d.after_decision = in.after_decision();
  if (!ParseReturnVia(in.returned_via(), &d.returned_via)) {
    return Bad("returned_via", in.returned_via());
  }
  d.returned_to = in.returned_to();
  d.receipt_signed = in.receipt_signed();
  if (!ParseSatisfaction(in.satisfaction(), &d.satisfaction)) {
    return Bad("satisfaction", in.satisfaction());
  }
  d.satisfaction_comment = in.satisfaction_comment();
  for (const auto& f : in.files()) d.files.push_back(FromProto(f));
  d.history_hash.bytes = in.history_hash();
  *out = std::move(d);
  return Status::Ok();
}

void ToProto(const HandOver& h, v1::HandOver* out) {
  out->set_step_id(h.step_id);
  out->set_giver(h.giver);
  out->set_receiver(h.receiver);
  out->set_timeliness(NameOf(h.timeliness));
  out->set_note(h.note);
  if (h.working_seconds) out->set_working_seconds(static_cast<int32_t>(*h.working_seconds));
}

void ToProto(const Event& e, v1::Event* out) {
  out->set_type(NameOf(e.type));
  out->set_event_version(e.event_version);
  out->set_dossier_id(e.dossier_id);
  out->set_version(e.version);
  out->set_status(NameOf(e.status));
  out->set_at(e.at.seconds);
  out->set_actor(e.actor);
  out->set_role(e.role);
  out->set_comment(e.comment);
  out->set_action_id(e.action_id);
  out->set_procedure_code(e.procedure_code);
  out->set_portal_code(e.portal_code);
  out->set_procedure_version(e.procedure_version);
  out->set_receiving_agency(e.receiving_agency);
  out->set_competent_agency(e.competent_agency);
  ToProto(e.applicant, out->mutable_applicant());
  out->set_channel(NameOf(e.channel));
  DocsToProto(e.documents, out);
  out->set_number(e.number);
  out->set_counting_start(Sec(e.counting_start));
  out->set_due_at(Sec(e.due_at));
  out->set_extended_due_at(Sec(e.extended_due_at));
  out->set_waiting_until(Sec(e.waiting_until));
  out->set_to_step(e.to_step);
  out->set_step_due_at(Sec(e.step_due_at));
  if (e.hand_over) ToProto(*e.hand_over, out->mutable_hand_over());
  out->set_assignee(e.assignee);
  for (const auto& m : e.missing) out->add_missing(m);
  out->set_reason(e.reason);
  if (e.outcome != Outcome::kNone) out->set_outcome(NameOf(e.outcome));
  out->set_timeliness(TimelinessText(e.timeliness));
  out->set_pause_starts(e.pause_starts);
  out->set_pause_ends(e.pause_ends);
  for (const auto& t : e.timers) ToProto(t, out->add_timers());
  out->set_timers_set(e.timers_set);
  if (e.fired) ToProto(*e.fired, out->mutable_fired());
  out->set_due_provisional(e.due_provisional);
  out->set_previous_due_at(Sec(e.previous_due_at));
  out->set_previous_extended_due_at(Sec(e.previous_extended_due_at));
  if (e.extend_by) out->set_extend_by(FormatWorkDuration(*e.extend_by));
  if (e.returned_via) out->set_returned_via(NameOf(*e.returned_via));
  out->set_returned_to(e.returned_to);
  out->set_receipt_signed(e.receipt_signed);
  if (e.satisfaction != Satisfaction::kNone) out->set_satisfaction(NameOf(e.satisfaction));
  if (e.file) ToProto(*e.file, out->mutable_file());
  out->set_previous_procedure_version(e.previous_procedure_version);
  out->set_from_step(e.from_step);
  out->set_previous_step_due_at(Sec(e.previous_step_due_at));
}

Status FromProto(const v1::Event& in, Event* out) {
  Event e;
  if (!ParseStored(in.type(), &e.type)) return Bad("event type", in.type());
  e.event_version = in.event_version() == 0 ? 1 : in.event_version();
  if (!KnownEventVersion(e.type, e.event_version)) {
    return Internal("stored " + std::string(NameOf(e.type)) + " event has version " +
                    std::to_string(e.event_version) +
                    ", which this build cannot replay (it knows " + "up to version " +
                    std::to_string(CurrentEventVersion(e.type)) + ")");
  }
  e.dossier_id = in.dossier_id();
  e.version = in.version();
  if (!ParseStored(in.status(), &e.status)) return Bad("status", in.status());
  e.at = Instant{in.at()};
  e.actor = in.actor();
  e.role = in.role();
  e.comment = in.comment();
  e.action_id = in.action_id();
  e.procedure_code = in.procedure_code();
  e.portal_code = in.portal_code();
  e.procedure_version = in.procedure_version();
  e.receiving_agency = in.receiving_agency();
  e.competent_agency = in.competent_agency();
  if (!FromProto(in.applicant(), &e.applicant)) {
    return Bad("applicant id_kind", in.applicant().id_kind());
  }
  if (!ParseStored(in.channel(), &e.channel)) return Bad("channel", in.channel());
  DocsFromProto(in, &e.documents);
  e.number = in.number();
  e.counting_start = Opt(in.counting_start());
  e.due_at = Opt(in.due_at());
  e.extended_due_at = Opt(in.extended_due_at());
  e.waiting_until = Opt(in.waiting_until());
  e.to_step = in.to_step();
  e.step_due_at = Opt(in.step_due_at());
  if (in.has_hand_over()) {
    HandOver h;
    h.step_id = in.hand_over().step_id();
    h.giver = in.hand_over().giver();
    h.receiver = in.hand_over().receiver();
    std::optional<Timeliness> t;
    if (!ParseTimeliness(in.hand_over().timeliness(), &t) || !t) {
      return Bad("timeliness", in.hand_over().timeliness());
    }
    h.timeliness = *t;
    h.note = in.hand_over().note();
    if (in.hand_over().has_working_seconds()) h.working_seconds = in.hand_over().working_seconds();
    e.hand_over = h;
  }
  e.assignee = in.assignee();
  e.missing.assign(in.missing().begin(), in.missing().end());
  e.reason = in.reason();
  if (!ParseOutcome(in.outcome(), &e.outcome)) return Bad("outcome", in.outcome());
  if (!ParseTimeliness(in.timeliness(), &e.timeliness)) return Bad("timeliness", in.timeliness());
  e.pause_starts = in.pause_starts();
  e.pause_ends = in.pause_ends();
  e.timers.reserve(static_cast<size_t>(in.timers_size()));
  for (const auto& t : in.timers()) {
    Timer x;
    if (!FromProto(t, &x)) return Bad("timer kind", t.kind());
    e.timers.push_back(x);
  }
  e.timers_set = in.timers_set();
  if (in.has_fired()) {
    Timer x;
    if (!FromProto(in.fired(), &x)) return Bad("timer kind", in.fired().kind());
    e.fired = x;
  }
  e.due_provisional = in.due_provisional();
  e.previous_due_at = Opt(in.previous_due_at());
  e.previous_extended_due_at = Opt(in.previous_extended_due_at());
  if (!in.extend_by().empty()) {
    e.extend_by = ParseWorkDuration(in.extend_by());
    if (!e.extend_by) return Bad("extension length", in.extend_by());
  }
  if (!ParseReturnVia(in.returned_via(), &e.returned_via)) {
    return Bad("returned_via", in.returned_via());
  }
  e.returned_to = in.returned_to();
  e.receipt_signed = in.receipt_signed();
  if (!ParseSatisfaction(in.satisfaction(), &e.satisfaction)) {
    return Bad("satisfaction", in.satisfaction());
  }
  if (in.has_file()) e.file = FromProto(in.file());
  e.previous_procedure_version = in.previous_procedure_version();
  e.from_step = in.from_step();
  e.previous_step_due_at = Opt(in.previous_step_due_at());
  *out = std::move(e);
  return Status::Ok();
}

void ToProto(const IdempotencyRecord& r, v1::IdempotencyRecord* out) {
  out->set_key(r.key);
  out->set_payload_hash(r.payload_hash);
  out->set_dossier_id(r.dossier_id);
  out->set_version(r.version);
}

void FromProto(const v1::IdempotencyRecord& in, IdempotencyRecord* out) {
  out->key = in.key();
  out->payload_hash = in.payload_hash();
  out->dossier_id = in.dossier_id();
  out->version = in.version();
}

// The hot paths reuse one message per thread: Clear() keeps its strings' and repeated fields'
// memory, so encoding and decoding a record allocates little beyond the result.
std::string EncodeDossier(const Dossier& d) {
  thread_local v1::Dossier p;
  p.Clear();
  ToProto(d, &p);
  return p.SerializeAsString();
}

std::string EncodeEvent(const Event& e) {
  thread_local v1::Event p;
  p.Clear();
  ToProto(e, &p);
  return p.SerializeAsString();
}

Result<Dossier> DecodeDossier(const std::string& bytes) {
  thread_local v1::Dossier p;
  if (!p.ParseFromString(bytes)) return Internal("stored dossier record does not parse");
  Dossier d;
  RETURN_IF_ERROR(FromProto(p, &d));
  return d;
}

Status DecodeEvent(std::string_view bytes, Event* out) {
  thread_local v1::Event p;
  if (!p.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return Internal("stored event record does not parse");
  }
  return FromProto(p, out);
}

Result<Event> DecodeEvent(std::string_view bytes) {
  Event e;
  RETURN_IF_ERROR(DecodeEvent(bytes, &e));
  return e;
}

}  // namespace motcua
