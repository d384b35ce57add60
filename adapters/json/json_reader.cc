// Request bodies into protobuf messages (json_reader.h).

#include "adapters/json/json_reader.h"

#include <climits>
#include <cstdint>
#include <vector>

#include "adapters/json/utf8.h"

namespace motcua {

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
        return IsValidUtf8(*out);
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

// Whether `body` nests objects and arrays no deeper than `max` (checked before a parser sees it).
bool JsonDepthWithin(const std::string& body, size_t max) {
  size_t depth = 0;
  bool in_string = false, escaped = false;
  for (char c : body) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > max) return false;
    } else if (c == '}' || c == ']') {
      if (depth > 0) --depth;
    }
  }
  return true;
}

}  // namespace

bool ReadJsonBody(const std::string& body, size_t max_depth, google::protobuf::Message* out,
                  std::string* error) {
  if (!JsonDepthWithin(body, max_depth)) {
    *error = "JSON nested deeper than " + std::to_string(max_depth) + " levels";
    return false;
  }
  auto st = JsonToMessage(body, out);
  if (!st.ok()) {
    *error = std::string(st.message());
    return false;
  }
  return true;
}

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
