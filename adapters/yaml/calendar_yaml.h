#pragma once
// Reading calendar files (definitions/README.md) into working-time calendars.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/calendar/calendar.h"
#include "engine/definition/procedure.h"

namespace motcua {

// One calendar file before its base (if any) is resolved.
struct CalendarFile {
  CalendarSpec spec;
  bool has_sessions = false;
  bool has_years = false;
  std::string base;  // a calendar whose years (and, unless given, sessions) this one inherits
  SourceRef base_src;
  std::string file;
};
std::optional<CalendarFile> ParseCalendarFile(const std::string& text, const std::string& file,
                                              std::vector<Diagnostic>* errors);
// Builds a calendar from a resolved spec; a problem becomes a diagnostic at `at`.
std::shared_ptr<WorkCalendar> BuildCalendar(CalendarSpec spec, const SourceRef& at,
                                            std::vector<Diagnostic>* errors);
// Parses and builds one self-contained calendar file (no `base`).
std::shared_ptr<WorkCalendar> ParseCalendarYaml(const std::string& text, const std::string& file,
                                                std::vector<Diagnostic>* errors);

}  // namespace motcua
