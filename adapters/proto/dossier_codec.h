#pragma once
// Dossier and event records ↔ protobuf (storage format and API view). Decoding validates
// enum names; a record that does not decode is reported, never half-read.

#include <string>
#include <string_view>

#include "engine/common/status.h"
#include "engine/dossier/dossier.h"
#include "engine/store/store.h"
#include "motcua/v1/dossier.pb.h"

namespace motcua {

void ToProto(const Dossier& d, v1::Dossier* out);
void ToProto(const Applicant& a, v1::Applicant* out);
// Into the `documents` field of any message that has one (records, events, API views).
template <typename Msg>
void DocsToProto(const std::vector<SubmittedDocument>& docs, Msg* out) {
  for (const auto& d : docs) {
    auto* x = out->add_documents();
    x->set_document_id(d.document_id);
    x->set_count(d.count);
  }
}
void ToProto(const Event& e, v1::Event* out);
// One M06 row, as stored in events and shown in the API's event views.
void ToProto(const HandOver& h, v1::HandOver* out);
Status FromProto(const v1::Dossier& in, Dossier* out);
Status FromProto(const v1::Event& in, Event* out);
void ToProto(const IdempotencyRecord& r, v1::IdempotencyRecord* out);
void FromProto(const v1::IdempotencyRecord& in, IdempotencyRecord* out);

std::string EncodeDossier(const Dossier& d);
std::string EncodeEvent(const Event& e);
Result<Dossier> DecodeDossier(const std::string& bytes);
Result<Event> DecodeEvent(std::string_view bytes);
// The same into `out` (a fresh Event): no copy of a large struct when filling a vector.
Status DecodeEvent(std::string_view bytes, Event* out);

}  // namespace motcua
