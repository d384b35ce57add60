#pragma once
// A checked reader over yaml-cpp nodes: every read either yields a typed value or records a
// Diagnostic at the node's file:line:column with the field path and what was expected.
// Readers never throw; a missing or wrong field leaves the default and the caller carries on,
// so one pass reports every problem in a file.

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/calendar/work_duration.h"
#include "engine/common/enum_names.h"
#include "engine/definition/procedure.h"

namespace motcua::yaml {

class Context {
 public:
  Context(std::string file, std::vector<Diagnostic>* errors)
      : file_(std::move(file)), errors_(errors) {}
  SourceRef At(const YAML::Node& n) const;
  SourceRef AtMark(const YAML::Mark& m) const;
  void Error(const YAML::Node& n, const std::string& path, std::string message);
  void ErrorAt(SourceRef at, const std::string& path, std::string message);
  const std::string& file() const { return file_; }
  size_t error_count() const { return errors_->size(); }

 private:
  std::string file_;
  std::vector<Diagnostic>* errors_;
};

// A YAML mapping with a fixed set of allowed keys. Unknown and duplicate keys are reported on
// construction; a node that is not a mapping is reported and reads as empty.
class MapReader {
 public:
  MapReader(Context& ctx, const YAML::Node& node, std::string path,
            std::initializer_list<const char*> allowed);

  bool valid() const { return valid_; }
  const YAML::Node& node() const { return node_; }
  const std::string& path() const { return path_; }
  std::string Sub(const char* key) const { return path_.empty() ? key : path_ + "." + key; }
  bool Has(const char* key) const;
  YAML::Node Get(const char* key) const;  // undefined when absent

  std::optional<std::string> String(const char* key, bool required);
  std::optional<int64_t> Int(const char* key, bool required, int64_t min, int64_t max);
  std::optional<bool> Bool(const char* key, bool required);
  std::optional<CivilDate> Date(const char* key, bool required);
  std::optional<int> Clock(const char* key, bool required);
  std::optional<WorkDuration> Duration(const char* key, bool required);
  // One of `choices` (its index), for settings that are not enums ("clock: runs | paused").
  std::optional<size_t> Choice(const char* key, bool required,
                               const std::vector<const char*>& choices);
  // An enum value by the name its table gives it; a file may not name the values in `except`.
  template <typename E, size_t N>
  std::optional<E> Enum(const char* key, bool required, const NameTable<E, N>& names,
                        std::initializer_list<E> except = {});
  // A sequence; calls `each(node, path)` per element. Reports a non-sequence.
  bool List(const char* key, bool required,
            const std::function<void(const YAML::Node&, const std::string&)>& each);

 private:
  YAML::Node Required(const char* key, bool required);
  Context& ctx_;
  YAML::Node node_;
  std::string path_;
  bool valid_ = false;
};

// Parses a file's text into its root node; a syntax error becomes a diagnostic at its position.
std::optional<YAML::Node> ParseYaml(Context& ctx, const std::string& text);

// Scalar conversions used by MapReader and by list elements.
std::optional<std::string> ReadString(Context& ctx, const YAML::Node& n, const std::string& path);
std::optional<size_t> ReadChoice(Context& ctx, const YAML::Node& n, const std::string& path,
                                 const std::vector<const char*>& choices);
template <typename E, size_t N>
std::optional<E> ReadEnum(Context& ctx, const YAML::Node& n, const std::string& path,
                          const NameTable<E, N>& names, std::initializer_list<E> except = {}) {
  std::vector<E> values;
  std::vector<const char*> choices;
  for (const EnumName<E>& e : names.entries()) {
    if (std::find(except.begin(), except.end(), e.value) != except.end()) continue;
    values.push_back(e.value);
    choices.push_back(e.name);
  }
  std::optional<size_t> i = ReadChoice(ctx, n, path, choices);
  if (!i) return std::nullopt;
  return values[*i];
}

template <typename E, size_t N>
std::optional<E> MapReader::Enum(const char* key, bool required, const NameTable<E, N>& names,
                                 std::initializer_list<E> except) {
  YAML::Node n = Required(key, required);
  if (!n.IsDefined() || n.IsNull()) return std::nullopt;
  return ReadEnum(ctx_, n, Sub(key), names, except);
}

}  // namespace motcua::yaml
