// Loading a definitions directory: every calendar and procedure file, checked together.

#include "adapters/yaml/definition_loader.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/common/strings.h"
#include "engine/definition/validate.h"

namespace motcua {

namespace {

std::vector<std::filesystem::path> YamlFiles(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    const std::string ext = e.path().extension().string();
    if (e.is_regular_file() && (ext == ".yaml" || ext == ".yml")) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool ReadFile(const std::filesystem::path& path, std::string* text,
              std::vector<Diagnostic>* errors) {
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  if (!ec && size > kMaxDefinitionFileBytes) {
    errors->push_back({{path.string(), 0, 0},
                       "",
                       "file is " + std::to_string(size) + " bytes; the limit is " +
                           std::to_string(kMaxDefinitionFileBytes)});
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    errors->push_back({{path.string(), 0, 0}, "", "cannot read the file"});
    return false;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  *text = ss.str();
  return true;
}

}  // namespace

DefinitionSet LoadDefinitions(const std::string& dir) {
  DefinitionSet set;
  const std::filesystem::path root(dir);
  if (!std::filesystem::is_directory(root)) {
    set.errors.push_back(
        {{dir, 0, 0},
         "",
         "not a directory; expected <dir>/calendars/, <dir>/agencies/ and <dir>/procedures/"});
    return set;
  }
  for (const char* sub : {"calendars", "agencies", "procedures"}) {
    if (!std::filesystem::is_directory(root / sub)) {
      set.errors.push_back({{(root / sub).string(), 0, 0}, "", "missing directory"});
    }
  }
  if (!set.errors.empty()) return set;
  std::vector<CalendarFile> files;
  for (const auto& path : YamlFiles(root / "calendars")) {
    std::string text;
    if (!ReadFile(path, &text, &set.errors)) continue;
    if (auto f = ParseCalendarFile(text, path.string(), &set.errors))
      files.push_back(std::move(*f));
  }
  std::map<std::string, const CalendarFile*> by_id;
  for (const CalendarFile& f : files) {
    if (!by_id.emplace(f.spec.id, &f).second) {
      set.errors.push_back({{f.file, 1, 1}, "id", "calendar '" + f.spec.id + "' is defined twice"});
    }
  }
  for (const CalendarFile& f : files) {
    CalendarSpec spec = f.spec;
    if (!f.base.empty()) {
      auto base = by_id.find(f.base);
      if (base == by_id.end() || base->second == &f) {
        set.errors.push_back({f.base_src, "base", "unknown base calendar '" + f.base + "'"});
        continue;
      }
      if (!base->second->base.empty()) {
        set.errors.push_back({f.base_src, "base",
                              "base calendar '" + f.base + "' has a base itself; one level only"});
        continue;
      }
      // Inherit the days off and worked days (the national schedule) and, unless given, the
      // sessions: an agency calendar usually changes only its sessions.
      const CalendarSpec& b = base->second->spec;
      if (!f.has_years) spec.years = b.years;
      if (!f.has_sessions) {
        spec.weekly = b.weekly;
        if (spec.worked_day_sessions.empty()) spec.worked_day_sessions = b.worked_day_sessions;
      }
    }
    if (auto c = BuildCalendar(std::move(spec), SourceRef{f.file, 1, 1}, &set.errors)) {
      set.calendars[c->id()] = std::move(c);
    }
  }
  std::vector<Agency> agencies;
  for (const auto& path : YamlFiles(root / "agencies")) {
    std::string text;
    if (!ReadFile(path, &text, &set.errors)) continue;
    if (auto list = ParseAgencyFile(text, path.string(), &set.errors)) {
      for (Agency& a : *list) agencies.push_back(std::move(a));
    }
  }
  std::vector<std::string> calendar_ids;
  for (const auto& [id, c] : set.calendars) calendar_ids.push_back(id);
  set.agencies = AgencyRegistry::Build(std::move(agencies), calendar_ids, &set.errors);
  std::vector<const Procedure*> all;
  for (const auto& path : YamlFiles(root / "procedures")) {
    std::string text;
    if (!ReadFile(path, &text, &set.errors)) continue;
    if (auto p = ParseProcedureYaml(text, path.string(), &set.errors)) {
      if (!set.calendars.count(p->calendar)) {
        std::vector<std::string> ids;
        for (const auto& [id, c] : set.calendars) ids.push_back(id);
        set.errors.push_back({p->calendar_src, "calendar",
                              "unknown calendar '" + p->calendar +
                                  "'; defined: " + (ids.empty() ? "none" : Join(ids))});
      }
      all.push_back(p.get());
      set.procedures.push_back(std::move(p));
    }
  }
  for (Diagnostic& d : ValidateProcedureSet(all)) set.errors.push_back(std::move(d));
  std::sort(set.procedures.begin(), set.procedures.end(), [](const auto& a, const auto& b) {
    return a->code != b->code ? a->code < b->code : a->version < b->version;
  });
  return set;
}

}  // namespace motcua
