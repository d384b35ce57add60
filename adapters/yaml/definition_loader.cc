#include "adapters/yaml/definition_loader.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "adapters/yaml/yaml_reader.h"

namespace motcua {

using yaml::Context;
using yaml::MapReader;

namespace {


// Parses text into a root node; a syntax error becomes a diagnostic at its position.
std::optional<YAML::Node> ParseText(Context& ctx, const std::string& text) {
  try {
    return YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    ctx.ErrorAt(ctx.AtMark(e.mark), "", "YAML syntax error: " + e.msg);
  } catch (const YAML::Exception& e) {
    ctx.ErrorAt(ctx.AtMark(e.mark), "", std::string("YAML error: ") + e.msg);
  }
  return std::nullopt;
}

void ReadRole(Context& ctx, const YAML::Node& n, const std::string& path, Procedure& p) {
  MapReader m(ctx, n, path, {"id", "name"});
  Role r;
  r.src = ctx.At(n);
  r.id = m.String("id", true).value_or("");
  r.name = m.String("name", true).value_or("");
  p.roles.push_back(std::move(r));
}

void ReadDocument(Context& ctx, const YAML::Node& n, const std::string& path, Procedure& p) {
  MapReader m(
      ctx, n, path,
      {"id", "name", "form", "count", "required", "condition", "file_types", "substitutes_for"});
  Document d;
  d.src = ctx.At(n);
  d.id = m.String("id", true).value_or("");
  d.name = m.String("name", true).value_or("");
  if (auto f = m.Enum("form", true, kDocumentFormNames)) d.form = *f;
  d.count = static_cast<int>(m.Int("count", false, 1, 100).value_or(1));
  d.required = m.Bool("required", false).value_or(true);
  d.condition = m.String("condition", false).value_or("");
  if (!d.required && d.condition.empty() && m.valid()) {
    ctx.Error(n, m.Sub("condition"),
              "a document with required: false needs a condition saying when it is needed");
  }
  m.List("file_types", false, [&](const YAML::Node& e, const std::string& ep) {
    if (auto s = yaml::ReadString(ctx, e, ep)) d.file_types.push_back(*s);
  });
  d.substitutes_for = m.String("substitutes_for", false).value_or("");
  p.documents.push_back(std::move(d));
}

void ReadFee(Context& ctx, const YAML::Node& n, const std::string& path, Procedure& p) {
  MapReader m(ctx, n, path, {"amount_vnd", "channel", "area", "note"});
  Fee f;
  f.amount_vnd = m.Int("amount_vnd", true, 0, 1'000'000'000'000).value_or(0);
  f.channel = m.Enum("channel", false, kChannelNames);
  f.area = m.String("area", false).value_or("");
  f.note = m.String("note", false).value_or("");
  p.fees.push_back(std::move(f));
}

void ReadAction(Context& ctx, const YAML::Node& n, const std::string& path, Step& s,
                const Procedure& p) {
  MapReader m(ctx, n, path,
              {"id", "label", "kind", "to", "outcome", "roles", "pauses_clock", "answer_within"});
  Action a;
  a.src = ctx.At(n);
  a.id = m.String("id", true).value_or("");
  a.label = m.String("label", true).value_or("");
  std::optional<ActionKind> kind = m.Enum("kind", false, kActionKindNames);
  a.to = m.String("to", false).value_or("");
  if (auto o = m.Enum("outcome", false, kOutcomeNames, {Outcome::kNone})) a.outcome = *o;
  if (kind) {
    a.kind = *kind;
  } else if (m.Has("to")) {
    a.kind = ActionKind::kForward;
  } else if (m.Has("outcome")) {
    a.kind = ActionKind::kDecide;
  } else if (m.valid()) {
    ctx.Error(n, m.Sub("kind"),
              "missing required field 'kind' (or 'to' for a forward action, 'outcome' for a "
              "decision)");
  }
  const bool moves = a.kind == ActionKind::kForward || a.kind == ActionKind::kSendBack;
  if (kind || m.Has("to") || m.Has("outcome")) {
    if (moves && !m.Has("to")) {
      ctx.Error(
          n, m.Sub("to"),
          std::string("missing required field 'to' for a ") + NameOf(a.kind) + " action");
    }
    if (!moves && m.Has("to")) {
      ctx.Error(m.Get("to"), m.Sub("to"),
                std::string("'to' is only for forward and send_back actions, not ") +
                    NameOf(a.kind));
    }
    if (a.kind == ActionKind::kDecide && !m.Has("outcome")) {
      ctx.Error(n, m.Sub("outcome"), "missing required field 'outcome' for a decide action");
    }
    if (a.kind != ActionKind::kDecide && m.Has("outcome")) {
      ctx.Error(m.Get("outcome"), m.Sub("outcome"), "'outcome' is only for decide actions");
    }
  }
  m.List("roles", false, [&](const YAML::Node& e, const std::string& ep) {
    if (auto r = yaml::ReadString(ctx, e, ep)) a.roles.push_back(*r);
  });
  if (a.roles.empty() && !s.role.empty()) a.roles.push_back(s.role);
  const bool waits = a.kind == ActionKind::kRequestSupplement ||
                     a.kind == ActionKind::kRequestPayment || a.kind == ActionKind::kConsult;
  if (auto pc = m.Bool("pauses_clock", false)) {
    if (!waits) {
      ctx.Error(m.Get("pauses_clock"), m.Sub("pauses_clock"),
                "pauses_clock is only for request_supplement, request_payment and consult");
    }
    a.pauses_clock = *pc;
  } else {
    a.pauses_clock =
        a.kind == ActionKind::kRequestPayment || (a.kind == ActionKind::kRequestSupplement &&
                                                  p.supplement.clock != SupplementClock::kContinue);
  }
  a.answer_within = m.Duration("answer_within", false);
  if (a.answer_within && a.kind != ActionKind::kConsult) {
    ctx.Error(m.Get("answer_within"), m.Sub("answer_within"),
              "answer_within is only for consult actions");
  }
  s.actions.push_back(std::move(a));
}

void ReadStep(Context& ctx, const YAML::Node& n, const std::string& path, Procedure& p) {
  MapReader m(ctx, n, path, {"id", "name", "kind", "unit", "role", "budget", "clock", "actions"});
  Step s;
  s.src = ctx.At(n);
  s.id = m.String("id", true).value_or("");
  s.name = m.String("name", true).value_or("");
  if (auto k = m.Enum("kind", true, kStepKindNames)) s.kind = *k;
  s.unit = m.String("unit", true).value_or("");
  s.role = m.String("role", true).value_or("");
  s.budget = m.Duration("budget", true).value_or(WorkDuration{});
  if (auto c = m.Choice("clock", false, {"runs", "paused"})) s.clock_runs = *c == 0;
  bool listed = m.List("actions", true, [&](const YAML::Node& e, const std::string& ep) {
    ReadAction(ctx, e, ep, s, p);
  });
  if (listed && s.actions.empty())
    ctx.Error(m.Get("actions"), m.Sub("actions"), "must not be empty");
  p.steps.push_back(std::move(s));
}

}  // namespace

std::shared_ptr<Procedure> ParseProcedureYaml(const std::string& text, const std::string& file,
                                              std::vector<Diagnostic>* errors) {
  Context ctx(file, errors);
  const size_t before = ctx.error_count();
  std::optional<YAML::Node> root = ParseText(ctx, text);
  if (!root) return nullptr;
  MapReader m(ctx, *root, "",
              {"code", "name", "field", "level", "agency_kind", "version", "effective", "channels",
               "calendar", "time_limit", "time_limit_note", "due_rule", "cutoff", "supplement",
               "extension", "roles", "documents", "fees", "steps"});
  if (!m.valid()) return nullptr;
  auto p = std::make_shared<Procedure>();
  p->src = SourceRef{file, 1, 1};
  p->code = m.String("code", true).value_or("");
  p->name = m.String("name", true).value_or("");
  p->field = m.String("field", true).value_or("");
  if (auto l = m.Enum("level", true, kLevelNames)) p->level = *l;
  p->agency_kind = m.String("agency_kind", true).value_or("");
  p->version = static_cast<int>(m.Int("version", true, 1, 1'000'000).value_or(1));
  if (!m.Has("effective")) {
    ctx.Error(*root, "effective", "missing required field 'effective'");
  } else {
    p->effective_src = ctx.At(m.Get("effective"));
    MapReader e(ctx, m.Get("effective"), "effective", {"from", "until", "decision"});
    if (e.valid()) {
      p->effective_from = e.Date("from", true).value_or(CivilDate{});
      p->effective_until = e.Date("until", false);
      p->decision = e.String("decision", true).value_or("");
      if (p->effective_until && *p->effective_until < p->effective_from) {
        ctx.Error(e.Get("until"), "effective.until",
                  "must not be before effective.from " + FormatDate(p->effective_from));
      }
    }
  }
  bool listed = m.List("channels", true, [&](const YAML::Node& e, const std::string& ep) {
    if (auto c = yaml::ReadEnum(ctx, e, ep, kChannelNames)) p->channels.push_back(*c);
  });
  if (listed && m.Get("channels").size() == 0) {
    ctx.Error(m.Get("channels"), "channels", "must list at least one channel");
  }
  p->calendar = m.String("calendar", false).value_or("vn");
  p->calendar_src = m.Has("calendar") ? ctx.At(m.Get("calendar")) : p->src;
  if (YAML::Node tl = m.Get("time_limit"); tl.IsDefined() && !tl.IsNull()) {
    if (tl.IsScalar() && tl.Scalar() == "same_day") {
      p->time_limit.same_day = true;
    } else if (auto d = tl.IsScalar() ? ParseWorkDuration(tl.Scalar()) : std::nullopt) {
      p->time_limit.duration = *d;
      if (d->thousandths == 0) ctx.Error(tl, "time_limit", "must be more than zero");
    } else {
      ctx.Error(tl, "time_limit",
                "expected same_day or a duration like \"10 WD\" or \"4 WH\", found '" +
                    (tl.IsScalar() ? tl.Scalar() : std::string("a non-text value")) + "'");
    }
  } else {
    ctx.Error(*root, "time_limit", "missing required field 'time_limit'");
  }
  p->time_limit_note = m.String("time_limit_note", false).value_or("");
  if (auto r = m.Enum("due_rule", false, kDueRuleNames)) p->due_rule = *r;
  if (m.Has("cutoff")) {
    MapReader c(ctx, m.Get("cutoff"), "cutoff", {"policy", "after"});
    if (auto pol = c.Enum("policy", true, kCutoffPolicyNames)) p->cutoff.policy = *pol;
    p->cutoff.minute_of_day = c.Clock("after", false).value_or(15 * 60);
  }
  if (m.Has("supplement")) {
    MapReader s(ctx, m.Get("supplement"), "supplement", {"clock", "once_only", "max_wait"});
    if (auto c = s.Enum("clock", false, kSupplementClockNames)) p->supplement.clock = *c;
    p->supplement.once_only = s.Bool("once_only", false).value_or(false);
    p->supplement.max_wait = s.Duration("max_wait", false);
  }
  if (m.Has("extension")) {
    MapReader x(ctx, m.Get("extension"), "extension", {"allowed", "max", "min_notice"});
    p->extension.allowed = x.Bool("allowed", true).value_or(false);
    p->extension.max = x.Duration("max", false);
    p->extension.min_notice = x.Duration("min_notice", false).value_or(WorkDuration::Days(1));
    if (p->extension.allowed && !p->extension.max && x.valid()) {
      ctx.Error(x.node(), "extension.max", "an allowed extension needs a maximum ('max')");
    }
  }
  m.List("roles", true,
         [&](const YAML::Node& e, const std::string& ep) { ReadRole(ctx, e, ep, *p); });
  m.List("documents", true,
         [&](const YAML::Node& e, const std::string& ep) { ReadDocument(ctx, e, ep, *p); });
  m.List("fees", false,
         [&](const YAML::Node& e, const std::string& ep) { ReadFee(ctx, e, ep, *p); });
  listed = m.List("steps", true,
                  [&](const YAML::Node& e, const std::string& ep) { ReadStep(ctx, e, ep, *p); });
  if (listed && p->steps.empty()) ctx.Error(m.Get("steps"), "steps", "must list at least one step");
  if (ctx.error_count() != before) return nullptr;
  for (Diagnostic& d : ValidateProcedure(*p)) errors->push_back(std::move(d));
  if (ctx.error_count() != before) return nullptr;
  return p;
}

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
  std::optional<YAML::Node> root = ParseText(ctx, text);
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
  if (m.Has("agencies")) out.agencies_src = ctx.At(m.Get("agencies"));
  m.List("agencies", false, [&](const YAML::Node& e, const std::string& ep) {
    if (auto a = yaml::ReadString(ctx, e, ep)) out.agencies.push_back(*a);
  });
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

namespace {

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

}  // namespace

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

std::shared_ptr<const Procedure> DefinitionSet::InForce(const std::string& code,
                                                        CivilDate d) const {
  for (const auto& p : procedures) {
    if (p->code == code && p->InForceOn(d)) return p;
  }
  return nullptr;
}

std::shared_ptr<const Procedure> DefinitionSet::Find(const std::string& code, int version) const {
  for (const auto& p : procedures) {
    if (p->code == code && p->version == version) return p;
  }
  return nullptr;
}

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
        {{dir, 0, 0}, "", "not a directory; expected <dir>/procedures/ and <dir>/calendars/"});
    return set;
  }
  for (const char* sub : {"calendars", "procedures"}) {
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
    for (const std::string& agency : f.agencies) {
      auto [it, fresh] = set.agency_calendars.emplace(agency, spec.id);
      if (!fresh && it->second != spec.id) {
        set.errors.push_back({f.agencies_src, "agencies",
                              "agency '" + agency + "' is listed in calendars '" + it->second +
                                  "' and '" + spec.id + "'"});
      }
    }
    if (auto c = BuildCalendar(std::move(spec), SourceRef{f.file, 1, 1}, &set.errors)) {
      set.calendars[c->id()] = std::move(c);
    }
  }
  std::vector<const Procedure*> all;
  for (const auto& path : YamlFiles(root / "procedures")) {
    std::string text;
    if (!ReadFile(path, &text, &set.errors)) continue;
    if (auto p = ParseProcedureYaml(text, path.string(), &set.errors)) {
      if (!set.calendars.count(p->calendar)) {
        set.errors.push_back({p->calendar_src, "calendar",
                              "unknown calendar '" + p->calendar + "'; defined: " + [&set] {
                                std::string ids;
                                for (const auto& [id, c] : set.calendars) {
                                  ids += (ids.empty() ? "" : ", ") + id;
                                }
                                return ids.empty() ? std::string("none") : ids;
                              }()});
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
