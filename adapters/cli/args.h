#pragma once
// What the motcua commands share to read their arguments (argv[2] on): the words, and the flags
// they know. A flag that takes a value takes the next argument (repeated, every value is kept);
// any other argument that starts with '-' is not one the command knows.

#include <cstdint>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace motcua::cli {

struct CommandLine {
  std::vector<std::string> words;
  std::map<std::string, std::vector<std::string>> values;
  std::set<std::string> present;  // the flags given, with or without a value

  bool Has(const std::string& flag) const { return present.count(flag) > 0; }
  // The flag's last value, or `fallback` when it was not given.
  std::string Value(const std::string& flag, const std::string& fallback = "") const {
    auto it = values.find(flag);
    return it == values.end() ? fallback : it->second.back();
  }
  const std::vector<std::string>& All(const std::string& flag) const {
    static const std::vector<std::string> kNone;
    auto it = values.find(flag);
    return it == values.end() ? kNone : it->second;
  }
};

// Nothing when an argument is a flag the command does not know, or a valued flag comes last
// (the caller prints its usage).
inline std::optional<CommandLine> ParseCommandLine(int argc, char** argv,
                                                   const std::set<std::string>& valued,
                                                   const std::set<std::string>& plain = {}) {
  CommandLine out;
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    if (valued.count(a)) {
      if (i + 1 >= argc) return std::nullopt;
      out.values[a].push_back(argv[++i]);
      out.present.insert(a);
    } else if (plain.count(a)) {
      out.present.insert(a);
    } else if (!a.empty() && a[0] == '-') {
      return std::nullopt;
    } else {
      out.words.push_back(a);
    }
  }
  return out;
}

// A whole number at least `min`, written in decimal digits only; nothing otherwise.
inline std::optional<int64_t> WholeNumber(const std::string& text, int64_t min = 0) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  char* end = nullptr;
  const long long n = std::strtoll(text.c_str(), &end, 10);
  if (*end != '\0' || n < min) return std::nullopt;
  return n;
}

}  // namespace motcua::cli
