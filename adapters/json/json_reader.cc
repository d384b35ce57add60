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

namespace {

// Finds what protobuf's parser would accept but leaves a request ambiguous: a field an object
// gives twice, by either of its names ("procedure_code" and "procedureCode" are one field; the
// parser keeps the last silently), a list field given a single value instead of a list (the
// parser takes it as a list of one), and a boolean given as text (the parser takes "no" as
// true). Follows well-formed JSON only; on anything else it stops,
// and the parser reports the body as malformed.
class AmbiguityFinder {
 public:
  explicit AmbiguityFinder(std::string_view in) : in_(in) {}

  // What is ambiguous about the first such field ("field 'applicant.name' is given twice"), or
  // empty.
  std::string Find(const google::protobuf::Descriptor* d) {
    Space();
    if (Peek() == '{') Object(d, "", 0);
    return found_;
  }

 private:
  static constexpr int kMaxDepth = 64;

  void Space() {
    while (at_ < in_.size() &&
           (in_[at_] == ' ' || in_[at_] == '\t' || in_[at_] == '\n' || in_[at_] == '\r')) {
      ++at_;
    }
  }
  char Peek() const { return at_ < in_.size() ? in_[at_] : '\0'; }
  bool Eat(char c) {
    Space();
    if (Peek() != c) return false;
    ++at_;
    return true;
  }

  // A string, escapes decoded (\uXXXX to UTF-8, surrogate pairs joined).
  bool String(std::string* out) {
    if (!Eat('"')) return false;
    out->clear();
    while (at_ < in_.size()) {
      const char c = in_[at_++];
      if (c == '"') return true;
      if (c != '\\') {
        out->push_back(c);
        continue;
      }
      if (at_ >= in_.size()) return false;
      const char e = in_[at_++];
      if (e != 'u') {
        out->push_back(e == 'n'   ? '\n'
                       : e == 't' ? '\t'
                       : e == 'r' ? '\r'
                       : e == 'b' ? '\b'
                       : e == 'f' ? '\f'
                                  : e);
        continue;
      }
      uint32_t cp;
      if (!Hex4(&cp)) return false;
      if (cp >= 0xd800 && cp < 0xdc00 && in_.substr(at_, 2) == "\\u") {
        at_ += 2;
        uint32_t low;
        if (!Hex4(&low)) return false;
        cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
      }
      AppendUtf8(cp, out);
    }
    return false;
  }
  bool Hex4(uint32_t* cp) {
    if (at_ + 4 > in_.size()) return false;
    *cp = 0;
    for (int i = 0; i < 4; ++i) {
      const char h = in_[at_++];
      const int v = h >= '0' && h <= '9'   ? h - '0'
                    : h >= 'a' && h <= 'f' ? h - 'a' + 10
                    : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                           : -1;
      if (v < 0) return false;
      *cp = *cp * 16 + static_cast<uint32_t>(v);
    }
    return true;
  }
  static void AppendUtf8(uint32_t cp, std::string* out) {
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out->push_back(static_cast<char>(0xc0 | (cp >> 6)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
      out->push_back(static_cast<char>(0xe0 | (cp >> 12)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else {
      out->push_back(static_cast<char>(0xf0 | (cp >> 18)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    }
  }

  // An object whose fields are those of `d` (null: an object we only walk through).
  bool Object(const google::protobuf::Descriptor* d, const std::string& path, int depth) {
    if (depth > kMaxDepth || !Eat('{')) return false;
    if (Eat('}')) return true;
    std::vector<const google::protobuf::FieldDescriptor*> seen;
    std::string name;
    do {
      Space();
      if (!String(&name) || !Eat(':')) return false;
      const google::protobuf::FieldDescriptor* f = nullptr;
      if (d != nullptr) {
        f = d->FindFieldByName(name);
        for (int i = 0; f == nullptr && i < d->field_count(); ++i) {
          if (d->field(i)->json_name() == name) f = d->field(i);
        }
      }
      const std::string here =
          path.empty() ? (f ? f->name() : name) : path + "." + (f ? f->name() : name);
      if (f != nullptr) {
        for (const auto* s : seen) {
          if (s == f && found_.empty()) found_ = "field '" + here + "' is given twice";
        }
        seen.push_back(f);
        Space();
        if (f->is_repeated() && !f->is_map() && Peek() != '[' && Peek() != 'n' && found_.empty()) {
          found_ = "field '" + here + "' is a list: give a JSON array";
        }
        // The parser takes any text for a boolean ("no" is true).
        if (!f->is_repeated() && f->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_BOOL &&
            Peek() == '"' && found_.empty()) {
          found_ = "field '" + here + "' is a boolean: give true or false";
        }
      }
      const google::protobuf::Descriptor* sub =
          f != nullptr && !f->is_map() &&
                  f->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE
              ? f->message_type()
              : nullptr;
      if (!Value(sub, here, depth)) return false;
    } while (Eat(','));
    return Eat('}');
  }

  // Any value; objects in it (and in arrays of it) are objects of `d`.
  bool Value(const google::protobuf::Descriptor* d, const std::string& path, int depth) {
    Space();
    const char c = Peek();
    if (c == '{') return Object(d, path, depth + 1);
    if (c == '[') {
      ++at_;
      if (Eat(']')) return true;
      do {
        if (!Value(d, path, depth + 1)) return false;
      } while (Eat(','));
      return Eat(']');
    }
    if (c == '"') {
      std::string ignored;
      return String(&ignored);
    }
    // A number, true, false or null.
    const size_t start = at_;
    while (at_ < in_.size() && in_[at_] != ',' && in_[at_] != '}' && in_[at_] != ']' &&
           in_[at_] != ' ' && in_[at_] != '\n' && in_[at_] != '\r' && in_[at_] != '\t') {
      ++at_;
    }
    return at_ > start;
  }

  std::string_view in_;
  size_t at_ = 0;
  std::string found_;
};

}  // namespace

bool ReadJsonBody(const std::string& body, size_t max_depth, google::protobuf::Message* out,
                  std::string* error) {
  if (!JsonDepthWithin(body, max_depth)) {
    *error = "JSON nested deeper than " + std::to_string(max_depth) + " levels";
    return false;
  }
  if (std::string ambiguous = AmbiguityFinder(body).Find(out->GetDescriptor());
      !ambiguous.empty()) {
    *error = ambiguous;
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
