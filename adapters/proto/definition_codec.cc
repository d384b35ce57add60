#include "adapters/proto/definition_codec.h"

#include <google/protobuf/util/json_util.h>

#include <charconv>
#include <climits>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "motcua/v1/api.pb.h"

namespace motcua {

namespace {

void ToProto(const WorkDuration& d, v1::WorkDuration* out) {
  out->set_unit(d.unit == WorkDuration::Unit::kWorkingDays ? v1::WorkDuration::WORKING_DAYS
                                                           : v1::WorkDuration::WORKING_HOURS);
  out->set_thousandths(d.thousandths);
}


}  // namespace

void ToProto(const Procedure& p, v1::Procedure* out) {
  out->set_code(p.code);
  out->set_name(p.name);
  out->set_field(p.field);
  out->set_level(NameOf(p.level));
  out->set_agency_kind(p.agency_kind);
  out->set_version(p.version);
  out->set_effective_from(FormatDate(p.effective_from));
  if (p.effective_until) out->set_effective_until(FormatDate(*p.effective_until));
  out->set_decision(p.decision);
  for (Channel c : p.channels) out->add_channels(NameOf(c));
  out->set_calendar(p.calendar);
  out->mutable_time_limit()->set_same_day(p.time_limit.same_day);
  if (!p.time_limit.same_day)
    ToProto(p.time_limit.duration, out->mutable_time_limit()->mutable_duration());
  out->mutable_time_limit()->set_note(p.time_limit_note);
  out->set_due_rule(NameOf(p.due_rule));
  out->mutable_cutoff()->set_policy(
      static_cast<v1::Cutoff::Policy>(static_cast<int>(p.cutoff.policy) + 1));
  if (p.cutoff.policy != CutoffPolicy::kNone)
    out->mutable_cutoff()->set_after(FormatClock(p.cutoff.minute_of_day));
  out->mutable_supplement()->set_clock(NameOf(p.supplement.clock));
  out->mutable_supplement()->set_once_only(p.supplement.once_only);
  if (p.supplement.max_wait)
    ToProto(*p.supplement.max_wait, out->mutable_supplement()->mutable_max_wait());
  out->mutable_extension()->set_allowed(p.extension.allowed);
  if (p.extension.max) ToProto(*p.extension.max, out->mutable_extension()->mutable_max());
  ToProto(p.extension.min_notice, out->mutable_extension()->mutable_min_notice());
  for (const Role& r : p.roles) {
    auto* x = out->add_roles();
    x->set_id(r.id);
    x->set_name(r.name);
  }
  for (const Document& d : p.documents) {
    auto* x = out->add_documents();
    x->set_id(d.id);
    x->set_name(d.name);
    x->set_form(NameOf(d.form));
    x->set_count(d.count);
    x->set_required(d.required);
    x->set_condition(d.condition);
    for (const auto& t : d.file_types) x->add_file_types(t);
    x->set_substitutes_for(d.substitutes_for);
  }
  for (const Fee& f : p.fees) {
    auto* x = out->add_fees();
    x->set_amount_vnd(f.amount_vnd);
    if (f.channel) x->set_channel(NameOf(*f.channel));
    x->set_area(f.area);
    x->set_note(f.note);
  }
  for (const Step& s : p.steps) {
    auto* x = out->add_steps();
    x->set_id(s.id);
    x->set_name(s.name);
    x->set_kind(NameOf(s.kind));
    x->set_unit(s.unit);
    x->set_role(s.role);
    ToProto(s.budget, x->mutable_budget());
    x->set_clock_runs(s.clock_runs);
    for (const Action& a : s.actions) {
      auto* y = x->add_actions();
      y->set_id(a.id);
      y->set_label(a.label);
      y->set_kind(NameOf(a.kind));
      y->set_to(a.to);
      if (a.outcome != Outcome::kNone) y->set_outcome(NameOf(a.outcome));
      for (const auto& r : a.roles) y->add_roles(r);
      y->set_pauses_clock(a.pauses_clock);
      if (a.answer_within) ToProto(*a.answer_within, y->mutable_answer_within());
    }
  }
}

void ToProto(const WorkCalendar& c, v1::Calendar* out) {
  const CalendarSpec& s = c.spec();
  out->set_id(s.id);
  out->set_name(s.name);
  int off = s.utc_offset_seconds;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%c%02d:%02d", off < 0 ? '-' : '+', std::abs(off) / 3600,
                std::abs(off) / 60 % 60);
  out->set_utc_offset(buf);
  auto add = [](const Session& x, v1::Session* y) {
    y->set_start(FormatClock(x.start_minute));
    y->set_end(FormatClock(x.end_minute));
  };
  for (const auto& day : s.weekly) {
    auto* w = out->add_weekly();
    for (const Session& x : day) add(x, w->add_sessions());
  }
  for (const Session& x : s.worked_day_sessions) add(x, out->add_worked_day_sessions());
  for (const CalendarYear& y : s.years) {
    auto* py = out->add_years();
    py->set_year(y.year);
    py->set_announced(y.announced);
    for (const auto& d : y.days_off) py->add_days_off(FormatDate(d));
    for (const auto& d : y.worked_days) py->add_worked_days(FormatDate(d));
  }
  out->set_timeliness(NameOf(s.timeliness_rule));
}

void ToProto(const Procedure& p, const WorkCalendar& c, const DueDate& d, v1::DuePreview* out) {
  const int off = c.utc_offset_seconds();
  out->set_procedure_code(p.code);
  out->set_procedure_version(p.version);
  out->set_received_at(FormatLocal(d.received, off));
  out->set_counting_start(FormatLocal(d.counting_start, off));
  out->set_due_at(FormatLocal(d.due, off));
  out->set_after_cutoff(d.after_cutoff);
  out->set_provisional(d.provisional);
}

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

// Length of the well-formed UTF-8 sequence at s[i] (RFC 3629: no overlong forms, no
// surrogates, nothing past U+10FFFF); 0 when there is none.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const unsigned char c = b(0);
  size_t n;
  unsigned char lo = 0x80, hi = 0xbf;  // the range of the second byte
  if (c < 0x80) return 1;
  if (c >= 0xc2 && c <= 0xdf) {
    n = 2;
  } else if (c >= 0xe0 && c <= 0xef) {
    n = 3;
    if (c == 0xe0) lo = 0xa0;
    if (c == 0xed) hi = 0x9f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 4;
    if (c == 0xf0) lo = 0x90;
    if (c == 0xf4) hi = 0x8f;
  } else {
    return 0;
  }
  if (i + n > s.size() || b(1) < lo || b(1) > hi) return 0;
  for (size_t k = 2; k < n; ++k) {
    if (b(k) < 0x80 || b(k) > 0xbf) return 0;
  }
  return n;
}

}  // namespace

std::string ValidUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const size_t n = Utf8SequenceLength(s, i);
    if (n == 0) {
      out += "\xef\xbf\xbd";  // U+FFFD
      ++i;
    } else {
      out.append(s, i, n);
      i += n;
    }
  }
  return out;
}

// Escaped as protobuf's JSON printer escapes it.
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
    ao.Close();
  }
  o.Str("channel", v.channel());
  if (v.documents_size() > 0) {
    o.Key("documents");
    out->push_back('[');
    for (int i = 0; i < v.documents_size(); ++i) {
      if (i) out->push_back(',');
      JsonObject d(out);
      d.Str("document_id", v.documents(i).document_id());
      d.Int("count", v.documents(i).count());
      d.Close();
    }
    out->push_back(']');
  }
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
  o.Close();
}

// The protobuf JSON mapping (original field names, defaults omitted) for the field types our
// API messages use, without the generic printer's round trip through the binary format: about
// ten times faster on the read path.
void AppendMessage(const google::protobuf::Message& m, std::string* out) {
  if (const auto* view = dynamic_cast<const v1::DossierView*>(&m)) {
    return AppendDossierView(*view, out);
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
        f->type() == FD::TYPE_BYTES || f->is_map() || f->containing_oneof() != nullptr) {
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

// ------------------------------------------------------------------ direct JSON reader

namespace {

// A recursive-descent reader for the plain subset of the protobuf JSON mapping our request
// bodies use. Every "return false" means "not handled here": the caller then asks protobuf,
// which either parses it (escapes like \u, quoted numbers, null, enums...) or explains the error.
class DirectReader {
 public:
  explicit DirectReader(std::string_view in) : in_(in) {}

  bool Parse(google::protobuf::Message* m) {
    if (!Object(m, 0)) return false;
    Space();
    return at_ == in_.size();
  }

 private:
  void Space() {
    while (at_ < in_.size() &&
           (in_[at_] == ' ' || in_[at_] == '\t' || in_[at_] == '\n' || in_[at_] == '\r')) {
      ++at_;
    }
  }
  bool Eat(char c) {
    Space();
    if (at_ < in_.size() && in_[at_] == c) {
      ++at_;
      return true;
    }
    return false;
  }
  bool Peek(char c) {
    Space();
    return at_ < in_.size() && in_[at_] == c;
  }

  // A string with the simple escapes only, valid UTF-8, no control characters.
  bool String(std::string* out) {
    if (!Eat('"')) return false;
    out->clear();
    while (at_ < in_.size()) {
      const unsigned char c = static_cast<unsigned char>(in_[at_]);
      if (c == '"') {
        ++at_;
        return Utf8Valid(*out);
      }
      if (c < 0x20) return false;
      if (c == '\\') {
        if (at_ + 1 >= in_.size()) return false;
        const char e = in_[at_ + 1];
        switch (e) {
          case '"':
            out->push_back('"');
            break;
          case '\\':
            out->push_back('\\');
            break;
          case '/':
            out->push_back('/');
            break;
          case 'b':
            out->push_back('\b');
            break;
          case 'f':
            out->push_back('\f');
            break;
          case 'n':
            out->push_back('\n');
            break;
          case 'r':
            out->push_back('\r');
            break;
          case 't':
            out->push_back('\t');
            break;
          default:
            return false;  // \u and anything else: protobuf's parser
        }
        at_ += 2;
        continue;
      }
      out->push_back(static_cast<char>(c));
      ++at_;
    }
    return false;
  }

  static bool Utf8Valid(const std::string& s) {
    for (size_t i = 0; i < s.size();) {
      const size_t n = Utf8SequenceLength(s, i);
      if (n == 0) return false;
      i += n;
    }
    return true;
  }

  // An integer literal: optional minus, digits, no leading zeros, no fraction or exponent.
  bool Integer(int64_t lo, int64_t hi, int64_t* out) {
    Space();
    size_t i = at_;
    bool neg = false;
    if (i < in_.size() && in_[i] == '-') {
      neg = true;
      ++i;
    }
    const size_t digits = i;
    while (i < in_.size() && in_[i] >= '0' && in_[i] <= '9') ++i;
    const size_t n = i - digits;
    if (n == 0 || n > 18 || (n > 1 && in_[digits] == '0')) return false;
    if (i < in_.size() && (in_[i] == '.' || in_[i] == 'e' || in_[i] == 'E')) return false;
    int64_t v = 0;
    for (size_t k = digits; k < i; ++k) v = v * 10 + (in_[k] - '0');
    if (neg) {
      if (v == 0) return false;  // "-0": protobuf decides
      v = -v;
    }
    if (v < lo || v > hi) return false;
    at_ = i;
    *out = v;
    return true;
  }

  bool Literal(std::string_view word) {
    Space();
    if (in_.substr(at_, word.size()) != word) return false;
    at_ += word.size();
    return true;
  }

  // One value of field `f` (an element when `f` is repeated).
  bool Value(google::protobuf::Message* m, const google::protobuf::FieldDescriptor* f, int depth) {
    using FD = google::protobuf::FieldDescriptor;
    const google::protobuf::Reflection* r = m->GetReflection();
    const bool rep = f->is_repeated();
    switch (f->cpp_type()) {
      case FD::CPPTYPE_STRING: {
        if (f->type() == FD::TYPE_BYTES) return false;
        std::string v;
        if (!String(&v)) return false;
        rep ? r->AddString(m, f, std::move(v)) : r->SetString(m, f, std::move(v));
        return true;
      }
      case FD::CPPTYPE_INT32: {
        int64_t v;
        if (!Integer(INT32_MIN, INT32_MAX, &v)) return false;
        rep ? r->AddInt32(m, f, static_cast<int32_t>(v))
            : r->SetInt32(m, f, static_cast<int32_t>(v));
        return true;
      }
      case FD::CPPTYPE_UINT32: {
        int64_t v;
        if (!Integer(0, UINT32_MAX, &v)) return false;
        rep ? r->AddUInt32(m, f, static_cast<uint32_t>(v))
            : r->SetUInt32(m, f, static_cast<uint32_t>(v));
        return true;
      }
      case FD::CPPTYPE_INT64: {
        int64_t v;
        if (!Integer(-999999999999999999LL, 999999999999999999LL, &v)) return false;
        rep ? r->AddInt64(m, f, v) : r->SetInt64(m, f, v);
        return true;
      }
      case FD::CPPTYPE_BOOL: {
        bool v;
        if (Literal("true")) {
          v = true;
        } else if (Literal("false")) {
          v = false;
        } else {
          return false;
        }
        rep ? r->AddBool(m, f, v) : r->SetBool(m, f, v);
        return true;
      }
      case FD::CPPTYPE_MESSAGE: {
        if (f->message_type()->file()->package() != "motcua.v1") return false;  // well-known types
        google::protobuf::Message* sub = rep ? r->AddMessage(m, f) : r->MutableMessage(m, f);
        return Object(sub, depth + 1);
      }
      default:
        return false;  // enums, floating point, uint64: protobuf's parser
    }
  }

  bool Object(google::protobuf::Message* m, int depth) {
    if (depth > 32 || !Eat('{')) return false;
    const google::protobuf::Descriptor* d = m->GetDescriptor();
    if (Eat('}')) return true;
    std::vector<const google::protobuf::FieldDescriptor*> seen;
    std::string name;
    do {
      if (!String(&name) || !Eat(':')) return false;
      const google::protobuf::FieldDescriptor* f = d->FindFieldByName(name);
      for (int i = 0; f == nullptr && i < d->field_count(); ++i) {
        if (d->field(i)->json_name() == name) f = d->field(i);
      }
      if (f == nullptr || f->is_map() || f->containing_oneof() != nullptr) return false;
      for (const auto* s : seen) {
        if (s == f) return false;  // a field given twice: protobuf decides
      }
      seen.push_back(f);
      if (Peek('n')) return false;  // null
      if (f->is_repeated()) {
        if (!Eat('[')) return false;
        if (!Eat(']')) {
          do {
            if (Peek('n') || !Value(m, f, depth)) return false;
          } while (Eat(','));
          if (!Eat(']')) return false;
        }
      } else if (!Value(m, f, depth)) {
        return false;
      }
    } while (Eat(','));
    return Eat('}');
  }

  std::string_view in_;
  size_t at_ = 0;
};

}  // namespace

bool DirectJsonToMessage(std::string_view json, google::protobuf::Message* out) {
  out->Clear();
  return DirectReader(json).Parse(out);
}

google::protobuf::util::Status JsonToMessage(const std::string& json,
                                             google::protobuf::Message* out) {
  if (DirectJsonToMessage(json, out)) return google::protobuf::util::Status();
  out->Clear();
  google::protobuf::util::JsonParseOptions opts;
  opts.ignore_unknown_fields = false;
  return google::protobuf::util::JsonStringToMessage(json, out, opts);
}

}  // namespace motcua
