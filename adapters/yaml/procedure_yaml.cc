// Reading one procedure file (definitions/README.md) into a validated Procedure.

#include "adapters/yaml/procedure_yaml.h"

#include "adapters/yaml/yaml_reader.h"
#include "engine/definition/validate.h"

namespace motcua {

using yaml::Context;
using yaml::MapReader;

namespace {

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
  } else if (m.Has("outcome")) {
    a.kind = ActionKind::kDecide;  // with `to`: the result goes on to that step
  } else if (m.Has("to")) {
    a.kind = ActionKind::kForward;
  } else if (m.valid()) {
    ctx.Error(n, m.Sub("kind"),
              "missing required field 'kind' (or 'to' for a forward action, 'outcome' for a "
              "decision)");
  }
  const bool moves = a.kind == ActionKind::kForward || a.kind == ActionKind::kSendBack;
  if (kind || m.Has("to") || m.Has("outcome")) {
    if (moves && !m.Has("to")) {
      ctx.Error(n, m.Sub("to"),
                std::string("missing required field 'to' for a ") + NameOf(a.kind) + " action");
    }
    if (!moves && a.kind != ActionKind::kDecide && m.Has("to")) {
      ctx.Error(m.Get("to"), m.Sub("to"),
                std::string("'to' is only for forward, send_back and decide actions, not ") +
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
  // Only a return step after a decision has none (validation says so with its reason).
  bool listed = m.List("actions", false, [&](const YAML::Node& e, const std::string& ep) {
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
  std::optional<YAML::Node> root = yaml::ParseYaml(ctx, text);
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
    // "Result next day" moves a same-day result (Law on Civil Status art. 5(3)); moving a
    // computed duration's end by a day would give a Friday-evening reception a later result
    // than the Saturday's after it.
    if (p->cutoff.policy == CutoffPolicy::kResultNextDay && !p->time_limit.same_day &&
        p->time_limit.duration.thousandths > 0) {
      ctx.Error(c.Get("policy"), "cutoff.policy",
                "result_next_day is for same_day time limits; with a duration use "
                "counting_starts_next_day");
    }
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

}  // namespace motcua
