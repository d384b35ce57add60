#pragma once
// Loading definitions from YAML files into validated, immutable domain objects.
//
// Layout of a definitions directory:
//   <dir>/calendars/*.yaml   working-time calendars (definitions/README.md)
//   <dir>/procedures/*.yaml  one procedure version per file
// Every problem in every file is reported, each as "file:line:column: path: message"; a set
// with any problem is not usable (the caller keeps what it had: a failed reload changes
// nothing).

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/calendar/calendar.h"
#include "engine/definition/procedure.h"

namespace motcua {

struct DefinitionSet {
  std::vector<std::shared_ptr<const Procedure>> procedures;  // sorted by code, version
  std::map<std::string, std::shared_ptr<const WorkCalendar>> calendars;
  // Agencies with their own working sessions: agency code → calendar id (calendar files'
  // `agencies` lists). Other agencies use the procedure's calendar.
  std::map<std::string, std::string> agency_calendars;
  std::vector<Diagnostic> errors;  // empty = valid

  bool ok() const { return errors.empty(); }
  // The version of `code` in force on `d`, or nullptr.
  std::shared_ptr<const Procedure> InForce(const std::string& code, CivilDate d) const;
  std::shared_ptr<const Procedure> Find(const std::string& code, int version) const;
};

// Limits on what a definition file may be; a larger file is rejected unread.
constexpr size_t kMaxDefinitionFileBytes = 1 << 20;  // 1 MiB: real procedures are < 20 KiB

// Parses one procedure file's text (`file` names it in diagnostics). Appends problems to
// `errors`; returns nullptr when the text is not a usable procedure.
std::shared_ptr<Procedure> ParseProcedureYaml(const std::string& text, const std::string& file,
                                              std::vector<Diagnostic>* errors);
// One calendar file before its base (if any) is resolved.
struct CalendarFile {
  CalendarSpec spec;
  bool has_sessions = false;
  bool has_years = false;
  std::string base;  // a calendar whose years (and, unless given, sessions) this one inherits
  SourceRef base_src;
  std::vector<std::string> agencies;  // agencies that work by this calendar
  SourceRef agencies_src;
  std::string file;
};
std::optional<CalendarFile> ParseCalendarFile(const std::string& text, const std::string& file,
                                              std::vector<Diagnostic>* errors);
// Parses and builds one self-contained calendar file (no `base`).
std::shared_ptr<WorkCalendar> ParseCalendarYaml(const std::string& text, const std::string& file,
                                                std::vector<Diagnostic>* errors);

// Loads and validates a whole directory.
DefinitionSet LoadDefinitions(const std::string& dir);

}  // namespace motcua
