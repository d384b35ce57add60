// The checked YAML reader (yaml_reader.h): typed values or diagnostics at file:line:column.

#include "adapters/yaml/yaml_reader.h"

#include <charconv>
#include <set>

#include "engine/common/strings.h"

namespace motcua::yaml {

namespace {

std::string Describe(const YAML::Node& n) {
  if (!n.IsDefined() || n.IsNull()) return "nothing";
  if (n.IsMap()) return "a mapping";
  if (n.IsSequence()) return "a list";
  return "'" + n.Scalar() + "'";
}

}  // namespace

SourceRef Context::AtMark(const YAML::Mark& m) const {
  if (m.is_null()) return SourceRef{file_, 0, 0};
  return SourceRef{file_, m.line + 1, m.column + 1};
}

SourceRef Context::At(const YAML::Node& n) const {
  if (!n.IsDefined()) return SourceRef{file_, 0, 0};
  return AtMark(n.Mark());
}

void Context::Error(const YAML::Node& n, const std::string& path, std::string message) {
  ErrorAt(At(n), path, std::move(message));
}

void Context::ErrorAt(SourceRef at, const std::string& path, std::string message) {
  errors_->push_back(Diagnostic{std::move(at), path, std::move(message)});
}

std::optional<YAML::Node> ParseYaml(Context& ctx, const std::string& text) {
  try {
    return YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    ctx.ErrorAt(ctx.AtMark(e.mark), "", "YAML syntax error: " + e.msg);
  } catch (const YAML::Exception& e) {
    ctx.ErrorAt(ctx.AtMark(e.mark), "", std::string("YAML error: ") + e.msg);
  }
  return std::nullopt;
}

std::optional<std::string> ReadString(Context& ctx, const YAML::Node& n, const std::string& path) {
  if (!n.IsScalar()) {
    ctx.Error(n, path, "expected a text value, found " + Describe(n));
    return std::nullopt;
  }
  if (n.Scalar().empty()) {
    ctx.Error(n, path, "must not be empty");
    return std::nullopt;
  }
  return n.Scalar();
}

std::optional<size_t> ReadChoice(Context& ctx, const YAML::Node& n, const std::string& path,
                                 const std::vector<const char*>& choices) {
  if (n.IsScalar()) {
    for (size_t i = 0; i < choices.size(); ++i) {
      if (n.Scalar() == choices[i]) return i;
    }
  }
  ctx.Error(n, path, "expected one of " + Join(choices) + ", found " + Describe(n));
  return std::nullopt;
}

MapReader::MapReader(Context& ctx, const YAML::Node& node, std::string path,
                     std::initializer_list<const char*> allowed)
    : ctx_(ctx), node_(node), path_(std::move(path)) {
  if (!node.IsMap()) {
    ctx.Error(node, path_.empty() ? "(document)" : path_,
              "expected a mapping of fields, found " + Describe(node));
    node_ = YAML::Node(YAML::NodeType::Map);
    return;
  }
  valid_ = true;
  std::set<std::string> seen;
  for (const auto& kv : node) {
    const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "?";
    bool known = false;
    for (const char* a : allowed) known = known || key == a;
    if (!known) {
      ctx.Error(kv.first, Sub(key.c_str()),
                "unknown field '" + key + "'; expected one of: " + Join(allowed));
    } else if (!seen.insert(key).second) {
      ctx.Error(kv.first, Sub(key.c_str()), "field '" + key + "' is given twice");
    }
  }
}

bool MapReader::Has(const char* key) const {
  YAML::Node n = node_[key];
  return n.IsDefined() && !n.IsNull();
}

YAML::Node MapReader::Get(const char* key) const { return node_[key]; }

YAML::Node MapReader::Required(const char* key, bool required) {
  YAML::Node n = node_[key];
  if ((!n.IsDefined() || n.IsNull()) && required && valid_) {
    ctx_.Error(node_, Sub(key), std::string("missing required field '") + key + "'");
  }
  return n;
}

std::optional<std::string> MapReader::String(const char* key, bool required) {
  YAML::Node n = Required(key, required);
  if (!n.IsDefined() || n.IsNull()) return std::nullopt;
  return ReadString(ctx_, n, Sub(key));
}

std::optional<int64_t> MapReader::Int(const char* key, bool required, int64_t min, int64_t max) {
  YAML::Node n = Required(key, required);
  if (!n.IsDefined() || n.IsNull()) return std::nullopt;
  int64_t v = 0;
  if (!n.IsScalar() || !YAML::convert<int64_t>::decode(n, v)) {
    ctx_.Error(n, Sub(key), "expected a whole number, found " + Describe(n));
    return std::nullopt;
  }
  if (v < min || v > max) {
    ctx_.Error(n, Sub(key),
               "expected a number from " + std::to_string(min) + " to " + std::to_string(max) +
                   ", found " + std::to_string(v));
    return std::nullopt;
  }
  return v;
}

std::optional<bool> MapReader::Bool(const char* key, bool required) {
  YAML::Node n = Required(key, required);
  if (!n.IsDefined() || n.IsNull()) return std::nullopt;
  if (n.IsScalar() && (n.Scalar() == "true" || n.Scalar() == "false")) {
    return n.Scalar() == "true";
  }
  ctx_.Error(n, Sub(key), "expected true or false, found " + Describe(n));
  return std::nullopt;
}

std::optional<CivilDate> MapReader::Date(const char* key, bool required) {
  YAML::Node n = Required(key, required);
  if (!n.IsDefined() || n.IsNull()) return std::nullopt;
  std::optional<CivilDate> d;
  if (n.IsScalar()) d = ParseDate(n.Scalar());
  if (!d) ctx_.Error(n, Sub(key), "expected a date YYYY-MM-DD, found " + Describe(n));
  return d;
}

std::optional<int> MapReader::Clock(const char* key, bool required) {
  YAML::Node n = Required(key, required);
  if (!n.IsDefined() || n.IsNull()) return std::nullopt;
  std::optional<int> c;
  if (n.IsScalar()) c = ParseClock(n.Scalar());
  if (!c) ctx_.Error(n, Sub(key), "expected a time of day HH:MM, found " + Describe(n));
  return c;
}

std::optional<WorkDuration> MapReader::Duration(const char* key, bool required) {
  YAML::Node n = Required(key, required);
  if (!n.IsDefined() || n.IsNull()) return std::nullopt;
  std::optional<WorkDuration> d;
  if (n.IsScalar()) d = ParseWorkDuration(n.Scalar());
  if (!d) {
    ctx_.Error(n, Sub(key),
               "expected a duration like \"10 WD\", \"0.5 WD\" or \"4 WH\", found " + Describe(n));
  }
  return d;
}

std::optional<size_t> MapReader::Choice(const char* key, bool required,
                                        const std::vector<const char*>& choices) {
  YAML::Node n = Required(key, required);
  if (!n.IsDefined() || n.IsNull()) return std::nullopt;
  return ReadChoice(ctx_, n, Sub(key), choices);
}

bool MapReader::List(const char* key, bool required,
                     const std::function<void(const YAML::Node&, const std::string&)>& each) {
  YAML::Node n = Required(key, required);
  if (!n.IsDefined() || n.IsNull()) return false;
  if (!n.IsSequence()) {
    ctx_.Error(n, Sub(key), "expected a list, found " + Describe(n));
    return false;
  }
  for (size_t i = 0; i < n.size(); ++i) {
    each(n[i], Sub(key) + "[" + std::to_string(i) + "]");
  }
  return true;
}

}  // namespace motcua::yaml
