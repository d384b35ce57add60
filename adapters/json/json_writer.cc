// The protobuf JSON mapping, written directly for our plain API messages (json_writer.h).

#include "adapters/json/json_writer.h"

#include <google/protobuf/util/json_util.h>

#include <charconv>
#include <cstdio>
#include <unordered_map>
#include <vector>

#include "motcua/v1/api.pb.h"

namespace motcua {

namespace {

// Code points protobuf's JSON printer writes as \u escapes (invisible, bidi and format
// characters), beyond ASCII controls; tests/adapters/proto/json_test.cc checks the boundaries.
constexpr std::pair<uint32_t, uint32_t> kEscapedRanges[] = {
    {0x80, 0x9f},     {0xad, 0xad},     {0x600, 0x603},     {0x6dd, 0x6dd},     {0x70f, 0x70f},
    {0x17b4, 0x17b5}, {0x200b, 0x200f}, {0x2028, 0x202e},   {0x2060, 0x2064},   {0x206a, 0x206f},
    {0xfeff, 0xfeff}, {0xfff9, 0xfffb}, {0x1d173, 0x1d17a}, {0xe0001, 0xe0001}, {0xe0020, 0xe007f}};

void AppendEscape(uint32_t unit, std::string* out) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "\\u%04x", unit);
  out->append(buf);
}

// Printable ASCII that the protobuf printer writes as is.
inline bool PlainJsonChar(unsigned char c) {
  return c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '<' && c != '>';
}

}  // namespace

void AppendJsonString(const std::string& s, std::string* out) {
  out->push_back('"');
  for (size_t i = 0; i < s.size(); ++i) {
    // Runs of plain characters are copied at once.
    size_t run = i;
    while (run < s.size() && PlainJsonChar(static_cast<unsigned char>(s[run]))) ++run;
    if (run > i) {
      out->append(s, i, run - i);
      i = run;
      if (i == s.size()) break;
    }
    const unsigned char c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"':
        out->append("\\\"");
        continue;
      case '\\':
        out->append("\\\\");
        continue;
      case '\b':
        out->append("\\b");
        continue;
      case '\f':
        out->append("\\f");
        continue;
      case '\n':
        out->append("\\n");
        continue;
      case '\r':
        out->append("\\r");
        continue;
      case '\t':
        out->append("\\t");
        continue;
      case '<':
        out->append("\\u003c");
        continue;
      case '>':
        out->append("\\u003e");
        continue;
      default:
        break;
    }
    if (c < 0x20 || c == 0x7f) {
      AppendEscape(c, out);
      continue;
    }
    if (c < 0x80) {
      out->push_back(static_cast<char>(c));
      continue;
    }
    // A UTF-8 sequence (strings reaching here are valid UTF-8: protobuf checks on parse).
    const int len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
    if (i + len > s.size()) {
      out->append(s, i, std::string::npos);
      break;
    }
    uint32_t cp = c & (len == 4 ? 0x07 : len == 3 ? 0x0f : 0x1f);
    for (int k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3f);
    bool escaped = false;
    for (const auto& [lo, hi] : kEscapedRanges) escaped = escaped || (cp >= lo && cp <= hi);
    if (!escaped) {
      out->append(s, i, len);
    } else if (cp > 0xffff) {
      AppendEscape(0xd800 + ((cp - 0x10000) >> 10), out);
      AppendEscape(0xdc00 + ((cp - 0x10000) & 0x3ff), out);
    } else {
      AppendEscape(cp, out);
    }
    i += len - 1;
  }
  out->push_back('"');
}

namespace {

template <typename Int>
void AppendInt(Int v, bool quoted, std::string* out) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;
  if (quoted) out->push_back('"');
  out->append(buf, end);
  if (quoted) out->push_back('"');
}

void AppendScalar(const google::protobuf::Message& m, const google::protobuf::FieldDescriptor* f,
                  int index, std::string* out) {
  using FD = google::protobuf::FieldDescriptor;
  const google::protobuf::Reflection* r = m.GetReflection();
  const bool rep = f->is_repeated();
  switch (f->cpp_type()) {
    case FD::CPPTYPE_STRING: {
      std::string scratch;  // only used by fields not stored as std::string (none of ours)
      AppendJsonString(rep ? r->GetRepeatedStringReference(m, f, index, &scratch)
                           : r->GetStringReference(m, f, &scratch),
                       out);
      break;
    }
    case FD::CPPTYPE_INT32:
      AppendInt(rep ? r->GetRepeatedInt32(m, f, index) : r->GetInt32(m, f), false, out);
      break;
    case FD::CPPTYPE_UINT32:
      AppendInt(rep ? r->GetRepeatedUInt32(m, f, index) : r->GetUInt32(m, f), false, out);
      break;
    case FD::CPPTYPE_INT64:  // 64-bit integers are JSON strings in the protobuf mapping
      AppendInt(rep ? r->GetRepeatedInt64(m, f, index) : r->GetInt64(m, f), true, out);
      break;
    case FD::CPPTYPE_UINT64:
      AppendInt(rep ? r->GetRepeatedUInt64(m, f, index) : r->GetUInt64(m, f), true, out);
      break;
    case FD::CPPTYPE_BOOL:
      out->append((rep ? r->GetRepeatedBool(m, f, index) : r->GetBool(m, f)) ? "true" : "false");
      break;
    case FD::CPPTYPE_ENUM: {
      const auto* v = rep ? r->GetRepeatedEnum(m, f, index) : r->GetEnum(m, f);
      AppendJsonString(v->name(), out);
      break;
    }
    case FD::CPPTYPE_MESSAGE:
      break;  // handled by the caller
    default:  // floating point and bytes are not in our API messages
      out->append("null");
  }
}

// Appends `"name":` after a comma when something precedes it in the object.
class JsonObject {
 public:
  explicit JsonObject(std::string* out) : out_(out) { out_->push_back('{'); }
  void Close() { out_->push_back('}'); }
  void Key(std::string_view name) {
    if (!first_) out_->push_back(',');
    first_ = false;
    out_->push_back('"');
    out_->append(name);
    out_->append("\":");
  }
  void Str(std::string_view name, const std::string& v) {
    if (v.empty()) return;
    Key(name);
    AppendJsonString(v, out_);
  }
  void Int(std::string_view name, int32_t v) {
    if (v == 0) return;
    Key(name);
    AppendInt(v, false, out_);
  }
  void Int64(std::string_view name, int64_t v) {  // a JSON string, as the mapping renders int64
    if (v == 0) return;
    Key(name);
    AppendInt(v, true, out_);
  }
  void Bool(std::string_view name, bool v) {
    if (!v) return;
    Key(name);
    out_->append("true");
  }
  template <typename Strings>
  void StrList(std::string_view name, const Strings& list) {
    if (list.empty()) return;
    Key(name);
    out_->push_back('[');
    for (int i = 0; i < list.size(); ++i) {
      if (i) out_->push_back(',');
      AppendJsonString(list.Get(i), out_);
    }
    out_->push_back(']');
  }

 private:
  std::string* out_;
  bool first_ = true;
};

void AppendFileView(const v1::FileView& f, std::string* out) {
  JsonObject x(out);
  x.Str("document_id", f.document_id());
  x.Str("sha256", f.sha256());
  x.Int64("size", f.size());
  x.Str("media_type", f.media_type());
  x.Str("name", f.name());
  x.Str("attached_at", f.attached_at());
  x.Str("attached_by", f.attached_by());
  x.Str("href", f.href());
  x.Close();
}

void AppendDocuments(JsonObject& o,
                     const google::protobuf::RepeatedPtrField<v1::SubmittedDocument>& d,
                     std::string* out) {
  if (d.empty()) return;
  o.Key("documents");
  out->push_back('[');
  for (int i = 0; i < d.size(); ++i) {
    if (i) out->push_back(',');
    JsonObject x(out);
    x.Str("document_id", d[i].document_id());
    x.Int("count", d[i].count());
    x.Close();
  }
  out->push_back(']');
}

// An event as the API shows it (in command answers, histories, streams and webhooks), the same
// way as AppendDossierView.
void AppendEventView(const v1::EventView& v, std::string* out) {
  JsonObject o(out);
  o.Str("type", v.type());
  o.Int("version", v.version());
  o.Str("status", v.status());
  o.Str("at", v.at());
  o.Str("actor", v.actor());
  o.Str("role", v.role());
  o.Str("comment", v.comment());
  o.Str("action_id", v.action_id());
  o.Str("to_step", v.to_step());
  o.Str("due_at", v.due_at());
  o.Str("step_due_at", v.step_due_at());
  if (v.has_hand_over()) {
    const v1::HandOver& h = v.hand_over();
    o.Key("hand_over");
    JsonObject ho(out);
    ho.Str("step_id", h.step_id());
    ho.Str("giver", h.giver());
    ho.Str("receiver", h.receiver());
    ho.Str("timeliness", h.timeliness());
    ho.Str("note", h.note());
    if (h.has_working_seconds()) {  // a proto3 optional: written when set, zero too
      ho.Key("working_seconds");
      AppendInt(h.working_seconds(), false, out);
    }
    ho.Close();
  }
  o.StrList("missing", v.missing());
  o.Str("reason", v.reason());
  o.Str("outcome", v.outcome());
  o.Str("timeliness", v.timeliness());
  o.Int64("position", v.position());
  o.Str("dossier_id", v.dossier_id());
  o.Str("previous_due_at", v.previous_due_at());
  o.Str("extended_due_at", v.extended_due_at());
  o.Str("extend_by", v.extend_by());
  o.Str("waiting_until", v.waiting_until());
  AppendDocuments(o, v.documents(), out);
  o.Str("timer", v.timer());
  o.Str("counting_start", v.counting_start());
  o.Bool("due_provisional", v.due_provisional());
  o.Str("previous_extended_due_at", v.previous_extended_due_at());
  o.Str("returned_via", v.returned_via());
  o.Str("returned_to", v.returned_to());
  o.Bool("receipt_signed", v.receipt_signed());
  o.Str("satisfaction", v.satisfaction());
  if (v.has_file()) {
    o.Key("file");
    AppendFileView(v.file(), out);
  }
  o.Int("previous_procedure_version", v.previous_procedure_version());
  o.Int("procedure_version", v.procedure_version());
  o.Str("from_step", v.from_step());
  o.Str("previous_step_due_at", v.previous_step_due_at());
  o.Close();
}

// The dossier view, the most frequent response, with generated accessors instead of reflection:
// fields in field-number order, defaults omitted, as protobuf prints it (json_test.cc checks
// byte equality).
void AppendDossierView(const v1::DossierView& v, std::string* out) {
  JsonObject o(out);
  o.Str("id", v.id());
  o.Int("version", v.version());
  o.Str("number", v.number());
  o.Str("procedure_code", v.procedure_code());
  o.Int("procedure_version", v.procedure_version());
  o.Str("procedure_name", v.procedure_name());
  o.Str("receiving_agency", v.receiving_agency());
  o.Str("competent_agency", v.competent_agency());
  if (v.has_applicant()) {
    const v1::Applicant& a = v.applicant();
    o.Key("applicant");
    JsonObject ao(out);
    ao.Str("name", a.name());
    ao.Str("id_number", a.id_number());
    ao.Str("address", a.address());
    ao.Str("phone", a.phone());
    ao.Str("email", a.email());
    ao.Str("representative", a.representative());
    ao.Str("id_kind", a.id_kind());  // field 7: after representative, as protobuf writes it
    ao.Close();
  }
  o.Str("channel", v.channel());
  AppendDocuments(o, v.documents(), out);
  o.Str("status", v.status());
  o.Int("portal_status", v.portal_status());
  o.Str("current_step", v.current_step());
  o.Str("assignee", v.assignee());
  o.Str("submitted_at", v.submitted_at());
  o.Str("received_at", v.received_at());
  o.Str("counting_start", v.counting_start());
  o.Str("due_at", v.due_at());
  o.Str("extended_due_at", v.extended_due_at());
  o.Str("step_due_at", v.step_due_at());
  o.Bool("paused", v.paused());
  o.StrList("missing", v.missing());
  o.Int("supplement_requests", v.supplement_requests());
  o.Str("outcome", v.outcome());
  o.Str("decided_at", v.decided_at());
  o.Str("returned_at", v.returned_at());
  o.Str("timeliness", v.timeliness());
  o.Bool("overdue", v.overdue());
  o.Str("stop_reason", v.stop_reason());
  o.StrList("allowed_actions", v.allowed_actions());
  o.Str("receiving_agency_name", v.receiving_agency_name());
  o.Str("competent_agency_name", v.competent_agency_name());
  o.Bool("due_provisional", v.due_provisional());
  o.StrList("step_actions", v.step_actions());
  o.Str("returned_via", v.returned_via());
  o.Str("returned_to", v.returned_to());
  o.Bool("receipt_signed", v.receipt_signed());
  o.Str("satisfaction", v.satisfaction());
  o.Str("satisfaction_comment", v.satisfaction_comment());
  o.Str("portal_code", v.portal_code());
  if (v.files_size() > 0) {
    o.Key("files");
    out->push_back('[');
    for (int i = 0; i < v.files_size(); ++i) {
      if (i) out->push_back(',');
      AppendFileView(v.files(i), out);
    }
    out->push_back(']');
  }
  if (v.has_remaining_working_seconds()) {  // a proto3 optional: written when set, zero too
    o.Key("remaining_working_seconds");
    AppendInt(v.remaining_working_seconds(), false, out);
  }
  o.Close();
}

// The protobuf JSON mapping (original field names, defaults omitted) for the field types our
// API messages use, without the generic printer's round trip through the binary format: about
// ten times faster on the read path.
void AppendMessage(const google::protobuf::Message& m, std::string* out) {
  if (const auto* view = dynamic_cast<const v1::DossierView*>(&m)) {
    return AppendDossierView(*view, out);
  }
  if (const auto* event = dynamic_cast<const v1::EventView*>(&m)) {
    return AppendEventView(*event, out);
  }
  const google::protobuf::Reflection* r = m.GetReflection();
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  r->ListFields(m, &fields);
  out->push_back('{');
  bool first = true;
  for (const auto* f : fields) {
    if (!first) out->push_back(',');
    first = false;
    // Field names are identifiers ([A-Za-z0-9_]): nothing to escape.
    out->push_back('"');
    out->append(f->name());
    out->append("\":");
    const bool is_msg = f->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE;
    if (f->is_repeated()) {
      out->push_back('[');
      const int n = r->FieldSize(m, f);
      for (int i = 0; i < n; ++i) {
        if (i) out->push_back(',');
        if (is_msg) {
          AppendMessage(r->GetRepeatedMessage(m, f, i), out);
        } else {
          AppendScalar(m, f, i, out);
        }
      }
      out->push_back(']');
    } else if (is_msg) {
      AppendMessage(r->GetMessage(m, f), out);
    } else {
      AppendScalar(m, f, 0, out);
    }
  }
  out->push_back('}');
}

bool UsesOnlyPlainTypes(const google::protobuf::Descriptor* d, int depth = 0) {
  if (depth > 8) return false;
  for (int i = 0; i < d->field_count(); ++i) {
    const auto* f = d->field(i);
    using FD = google::protobuf::FieldDescriptor;
    if (f->cpp_type() == FD::CPPTYPE_DOUBLE || f->cpp_type() == FD::CPPTYPE_FLOAT ||
        f->type() == FD::TYPE_BYTES || f->is_map() || f->real_containing_oneof() != nullptr) {
      return false;
    }
    if (f->cpp_type() == FD::CPPTYPE_MESSAGE) {
      if (f->message_type()->file()->package() != "motcua.v1") return false;  // well-known types
      if (f->message_type() != d && !UsesOnlyPlainTypes(f->message_type(), depth + 1)) return false;
    }
  }
  return true;
}

}  // namespace

bool DirectWriterApplies(const google::protobuf::Descriptor* d) {
  thread_local std::unordered_map<const google::protobuf::Descriptor*, bool> known;
  auto it = known.find(d);
  if (it == known.end()) it = known.emplace(d, UsesOnlyPlainTypes(d)).first;
  return it->second;
}

std::string ToJson(const google::protobuf::Message& m, bool pretty) {
  if (!pretty && DirectWriterApplies(m.GetDescriptor())) {
    std::string out;
    out.reserve(512);
    AppendMessage(m, &out);
    return out;
  }
  return ToJsonReference(m, pretty);
}

std::string ToJsonReference(const google::protobuf::Message& m, bool pretty) {
  google::protobuf::util::JsonPrintOptions opts;
  opts.add_whitespace = pretty;
  opts.preserve_proto_field_names = true;
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(m, &out, opts);
  return out;
}

}  // namespace motcua
