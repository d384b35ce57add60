// Reading calendar files (definitions/README.md) into working-time calendars.

#include "adapters/yaml/calendar_yaml.h"

#include "adapters/yaml/yaml_reader.h"

namespace motcua {

using yaml::Context;
using yaml::MapReader;

namespace {

constexpr std::initializer_list<const char*> kWeekdayKeys = {"mon", "tue", "wed", "thu",
                                                             "fri", "sat", "sun"};

std::optional<std::vector<Session>> ReadSessions(Context& ctx, const YAML::Node& n,
                                                 const std::string& path) {
  if (!n.IsSequence()) {
    ctx.Error(n, path, "expected a list of sessions like \"07:30-11:30\"");
    return std::nullopt;
  }
  std::vector<Session> out;
  bool ok = true;
  for (size_t i = 0; i < n.size(); ++i) {
    const YAML::Node& e = n[i];
    const std::string ep = path + "[" + std::to_string(i) + "]";
    std::optional<int> a, b;
    if (e.IsScalar() && e.Scalar().size() == 11 && e.Scalar()[5] == '-') {
      a = ParseClock(e.Scalar().substr(0, 5));
      b = ParseClock(e.Scalar().substr(6));
    }
    if (!a || !b) {
      ctx.Error(e, ep,
                "expected a session \"HH:MM-HH:MM\", found '" +
                    (e.IsScalar() ? e.Scalar() : std::string("a non-text value")) + "'");
      ok = false;
    } else if (*a >= *b || (!out.empty() && *a < out.back().end_minute)) {
      ctx.Error(e, ep, "sessions must be in order, each ending after it starts, not overlapping");
      ok = false;
    } else {
      out.push_back({*a, *b});
    }
  }
  if (!ok) return std::nullopt;
  return out;
}

// A date or an inclusive range "YYYY-MM-DD..YYYY-MM-DD".
void ReadDates(Context& ctx, const YAML::Node& n, const std::string& path,
               std::vector<CivilDate>* out) {
  if (!n.IsScalar()) {
    ctx.Error(n, path, "expected a date YYYY-MM-DD or a range YYYY-MM-DD..YYYY-MM-DD");
    return;
  }
  const std::string& s = n.Scalar();
  size_t dots = s.find("..");
  std::optional<CivilDate> a = ParseDate(s.substr(0, dots));
  std::optional<CivilDate> b = dots == std::string::npos ? a : ParseDate(s.substr(dots + 2));
  if (!a || !b || *b < *a) {
    ctx.Error(n, path,
              "expected a date YYYY-MM-DD or a range YYYY-MM-DD..YYYY-MM-DD, found '" + s + "'");
    return;
  }
  for (int64_t d = DaysFromCivil(*a); d <= DaysFromCivil(*b); ++d) {
    // Weekends inside a range are skipped: ranges list the weekdays off around them.
    if (dots != std::string::npos && WeekdayFromDays(d) >= 5) continue;
    out->push_back(CivilFromDays(d));
  }
}

}  // namespace

std::optional<CalendarFile> ParseCalendarFile(const std::string& text, const std::string& file,
                                              std::vector<Diagnostic>* errors) {
  Context ctx(file, errors);
  const size_t before = ctx.error_count();
  std::optional<YAML::Node> root = yaml::ParseYaml(ctx, text);
  if (!root) return std::nullopt;
  MapReader m(ctx, *root, "",
              {"id", "name", "base", "agencies", "utc_offset", "sessions", "worked_day_sessions",
               "timeliness", "years"});
  if (!m.valid()) return std::nullopt;
  CalendarFile out;
  out.file = file;
  CalendarSpec& spec = out.spec;
  spec.id = m.String("id", true).value_or("");
  spec.name = m.String("name", false).value_or("");
  out.base = m.String("base", false).value_or("");
  if (m.Has("base")) out.base_src = ctx.At(m.Get("base"));
  if (m.Has("agencies")) {
    // Agencies name their calendar now (definitions/agencies/): one place says it.
    ctx.Error(m.Get("agencies"), "agencies",
              "calendars no longer list agencies: give each agency `calendar: " + spec.id +
                  "` in definitions/agencies/");
  }
  if (auto off = m.String("utc_offset", false)) {
    if (auto v = ParseUtcOffset(*off)) {
      spec.utc_offset_seconds = *v;
    } else {
      ctx.Error(m.Get("utc_offset"), "utc_offset", "expected an offset like \"+07:00\"");
    }
  }
  if (m.Has("sessions")) {
    out.has_sessions = true;
    MapReader sm(ctx, m.Get("sessions"), "sessions", kWeekdayKeys);
    int w = 0;
    for (const char* key : kWeekdayKeys) {
      if (sm.Has(key)) {
        if (auto v = ReadSessions(ctx, sm.Get(key), sm.Sub(key))) spec.weekly[w] = *v;
      }
      ++w;
    }
  } else if (out.base.empty()) {
    ctx.Error(*root, "sessions", "missing required field 'sessions'");
  }
  if (m.Has("worked_day_sessions")) {
    if (auto v = ReadSessions(ctx, m.Get("worked_day_sessions"), "worked_day_sessions")) {
      spec.worked_day_sessions = *v;
    }
  }
  if (auto t = m.Enum("timeliness", false, kTimelinessRuleNames)) spec.timeliness_rule = *t;
  out.has_years =
      m.List("years", out.base.empty(), [&](const YAML::Node& e, const std::string& ep) {
        MapReader y(ctx, e, ep, {"year", "status", "days_off", "worked_days", "note"});
        CalendarYear cy;
        cy.year = static_cast<int>(y.Int("year", true, 1900, 9999).value_or(0));
        if (auto st = y.Choice("status", true, {"official", "not_announced"}))
          cy.announced = *st == 0;
        y.List("days_off", false, [&](const YAML::Node& d, const std::string& dp) {
          ReadDates(ctx, d, dp, &cy.days_off);
        });
        y.List("worked_days", false, [&](const YAML::Node& d, const std::string& dp) {
          ReadDates(ctx, d, dp, &cy.worked_days);
        });
        y.String("note", false);
        spec.years.push_back(std::move(cy));
      });
  if (ctx.error_count() != before) return std::nullopt;
  return out;
}

std::shared_ptr<WorkCalendar> BuildCalendar(CalendarSpec spec, const SourceRef& at,
                                            std::vector<Diagnostic>* errors) {
  Result<WorkCalendar> built = WorkCalendar::Build(std::move(spec));
  if (!built.ok()) {
    // Build's message names the year and date; point at the calendar file.
    errors->push_back(Diagnostic{at, "years", built.status().message()});
    return nullptr;
  }
  return std::make_shared<WorkCalendar>(std::move(built).value());
}

std::shared_ptr<WorkCalendar> ParseCalendarYaml(const std::string& text, const std::string& file,
                                                std::vector<Diagnostic>* errors) {
  std::optional<CalendarFile> f = ParseCalendarFile(text, file, errors);
  if (!f) return nullptr;
  if (!f->base.empty()) {
    errors->push_back(
        Diagnostic{f->base_src, "base", "a calendar with a base is loaded with its directory"});
    return nullptr;
  }
  return BuildCalendar(std::move(f->spec), SourceRef{file, 1, 1}, errors);
}

}  // namespace motcua
