// Domain definitions → the API's protobuf messages (definition_codec.h).

#include "adapters/proto/definition_codec.h"

#include <cstdio>
#include <cstdlib>

namespace motcua {

namespace {

void ToProto(const WorkDuration& d, v1::WorkDuration* out) {
  out->set_unit(d.unit == WorkDuration::Unit::kWorkingDays ? v1::WorkDuration::WORKING_DAYS
                                                           : v1::WorkDuration::WORKING_HOURS);
  out->set_thousandths(d.thousandths);
}

}  // namespace

void ToProto(const Procedure& p, v1::Procedure* out) {
  out->set_code(p.code);
  out->set_name(p.name);
  out->set_field(p.field);
  out->set_level(NameOf(p.level));
  out->set_agency_kind(p.agency_kind);
  out->set_version(p.version);
  out->set_effective_from(FormatDate(p.effective_from));
  if (p.effective_until) out->set_effective_until(FormatDate(*p.effective_until));
  out->set_decision(p.decision);
  for (Channel c : p.channels) out->add_channels(NameOf(c));
  out->set_calendar(p.calendar);
  out->mutable_time_limit()->set_same_day(p.time_limit.same_day);
  if (!p.time_limit.same_day)
    ToProto(p.time_limit.duration, out->mutable_time_limit()->mutable_duration());
  out->mutable_time_limit()->set_note(p.time_limit_note);
  out->set_due_rule(NameOf(p.due_rule));
  out->mutable_cutoff()->set_policy(
      static_cast<v1::Cutoff::Policy>(static_cast<int>(p.cutoff.policy) + 1));
  if (p.cutoff.policy != CutoffPolicy::kNone)
    out->mutable_cutoff()->set_after(FormatClock(p.cutoff.minute_of_day));
  out->mutable_supplement()->set_clock(NameOf(p.supplement.clock));
  out->mutable_supplement()->set_once_only(p.supplement.once_only);
  if (p.supplement.max_wait)
    ToProto(*p.supplement.max_wait, out->mutable_supplement()->mutable_max_wait());
  out->mutable_extension()->set_allowed(p.extension.allowed);
  if (p.extension.max) ToProto(*p.extension.max, out->mutable_extension()->mutable_max());
  ToProto(p.extension.min_notice, out->mutable_extension()->mutable_min_notice());
  for (const Role& r : p.roles) {
    auto* x = out->add_roles();
    x->set_id(r.id);
    x->set_name(r.name);
  }
  for (const Document& d : p.documents) {
    auto* x = out->add_documents();
    x->set_id(d.id);
    x->set_name(d.name);
    x->set_form(NameOf(d.form));
    x->set_count(d.count);
    x->set_required(d.required);
    x->set_condition(d.condition);
    for (const auto& t : d.file_types) x->add_file_types(t);
    x->set_substitutes_for(d.substitutes_for);
  }
  for (const Fee& f : p.fees) {
    auto* x = out->add_fees();
    x->set_amount_vnd(f.amount_vnd);
    if (f.channel) x->set_channel(NameOf(*f.channel));
    x->set_area(f.area);
    x->set_note(f.note);
  }
  for (const Step& s : p.steps) {
    auto* x = out->add_steps();
    x->set_id(s.id);
    x->set_name(s.name);
    x->set_kind(NameOf(s.kind));
    x->set_unit(s.unit);
    x->set_role(s.role);
    ToProto(s.budget, x->mutable_budget());
    x->set_clock_runs(s.clock_runs);
    x->set_after_decision(s.after_decision);
    for (const Action& a : s.actions) {
      auto* y = x->add_actions();
      y->set_id(a.id);
      y->set_label(a.label);
      y->set_kind(NameOf(a.kind));
      y->set_to(a.to);
      if (a.outcome != Outcome::kNone) y->set_outcome(NameOf(a.outcome));
      for (const auto& r : a.roles) y->add_roles(r);
      y->set_pauses_clock(a.pauses_clock);
      if (a.answer_within) ToProto(*a.answer_within, y->mutable_answer_within());
    }
  }
}

void ToProto(const WorkCalendar& c, v1::Calendar* out) {
  const CalendarSpec& s = c.spec();
  out->set_id(s.id);
  out->set_name(s.name);
  int off = s.utc_offset_seconds;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%c%02d:%02d", off < 0 ? '-' : '+', std::abs(off) / 3600,
                std::abs(off) / 60 % 60);
  out->set_utc_offset(buf);
  auto add = [](const Session& x, v1::Session* y) {
    y->set_start(FormatClock(x.start_minute));
    y->set_end(FormatClock(x.end_minute));
  };
  for (const auto& day : s.weekly) {
    auto* w = out->add_weekly();
    for (const Session& x : day) add(x, w->add_sessions());
  }
  for (const Session& x : s.worked_day_sessions) add(x, out->add_worked_day_sessions());
  for (const CalendarYear& y : s.years) {
    auto* py = out->add_years();
    py->set_year(y.year);
    py->set_announced(y.announced);
    for (const auto& d : y.days_off) py->add_days_off(FormatDate(d));
    for (const auto& d : y.worked_days) py->add_worked_days(FormatDate(d));
  }
  out->set_timeliness(NameOf(s.timeliness_rule));
}

void ToProto(const Procedure& p, const WorkCalendar& c, const DueDate& d, v1::DuePreview* out) {
  const int off = c.utc_offset_seconds();
  out->set_procedure_code(p.code);
  out->set_procedure_version(p.version);
  out->set_received_at(FormatLocal(d.received, off));
  out->set_counting_start(FormatLocal(d.counting_start, off));
  out->set_due_at(FormatLocal(d.due, off));
  out->set_after_cutoff(d.after_cutoff);
  out->set_provisional(d.provisional);
}

}  // namespace motcua
