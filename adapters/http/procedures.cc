// Handlers: procedures in force, one procedure's versions, the due date an M01 slip would state
// for a reception, and the public catalogue of procedures in force (handlers.h).

#include "adapters/http/handlers.h"
#include "adapters/proto/definition_codec.h"
#include "adapters/proto/view_codec.h"
#include "engine/calendar/deadline.h"
#include "engine/common/fold.h"
#include "motcua/v1/api.pb.h"

namespace motcua::http::handlers {

namespace {

// The procedures in force today that match the query's filters (field, level, agency_kind, q);
// false after answering a bad filter.
bool InForceMatching(Api& api, Call& call, v1::ProcedureList* out) {
  auto catalog = api.deps().catalog();
  const CivilDate today = LocalDateAt(api.deps().clock->Now(), kApiUtcOffsetSeconds);
  const std::string& field = call.query["field"];
  const std::string& level = call.query["level"];
  if (!level.empty() && !ParseName<Level>(level)) {
    call.Problem(400, "invalid-field", "Invalid level",
                 "expected " + kLevelNames.List(" or ") + ", got '" + level + "'", "level");
    return false;
  }
  const std::string& kind = call.query["agency_kind"];
  const std::string& text = call.query["q"];
  const std::string folded = FoldVietnamese(text);
  std::string last;
  for (const auto& p : catalog->set().procedures) {
    if (p->code == last) continue;
    auto current = catalog->InForce(p->code, today);
    if (!current) continue;
    last = p->code;
    if (!field.empty() && current->field != field) continue;
    if (!level.empty() && NameOf(current->level) != level) continue;
    if (!kind.empty() && current->agency_kind != kind) continue;
    // The name is searched folded, as people type it ("khai sinh" finds "Khai sinh").
    if (!text.empty() && FoldVietnamese(current->name).find(folded) == std::string::npos &&
        current->code.find(text) == std::string::npos) {
      continue;
    }
    ToProto(*current, out->add_procedures());
  }
  return true;
}

// The public routes' limit per client address; false after answering 429.
bool PublicReadAllowed(Api& api, Call& call) {
  const int per_minute = api.options().public_reads_per_minute;
  if (api.public_reads().Allow(call.request.remote, api.deps().clock->Now().seconds / 60,
                               per_minute)) {
    return true;
  }
  call.Problem(429, "rate-limited", "Too many requests",
               "at most " + std::to_string(per_minute) + " catalogue requests a minute", "",
               {{"Retry-After", "60"}});
  return false;
}

}  // namespace

void GetProcedures(Api& api, Call& call) {
  v1::ProcedureList out;
  if (InForceMatching(api, call, &out)) call.Json(200, out);
}

void GetProcedure(Api& api, Call& call) {
  const std::string& code = call.params[0];
  auto catalog = api.deps().catalog();
  const CivilDate today = LocalDateAt(api.deps().clock->Now(), kApiUtcOffsetSeconds);
  v1::ProcedureVersions out;
  for (const auto& p : catalog->set().procedures) {
    if (p->code == code) ToProto(*p, out.add_versions());
  }
  if (out.versions_size() == 0) {
    return call.Problem(404, "not-found", "Unknown procedure", "no procedure '" + code + "'");
  }
  if (auto current = catalog->InForce(code, today)) ToProto(*current, out.mutable_current());
  call.Json(200, out);
}

void PublicProcedures(Api& api, Call& call) {
  if (!PublicReadAllowed(api, call)) return;
  v1::ProcedureList out;
  if (InForceMatching(api, call, &out)) call.Json(200, out);
}

void PublicProcedure(Api& api, Call& call) {
  if (!PublicReadAllowed(api, call)) return;
  const std::string& code = call.params[0];
  const CivilDate today = LocalDateAt(api.deps().clock->Now(), kApiUtcOffsetSeconds);
  auto current = api.deps().catalog()->InForce(code, today);
  if (!current) {
    return call.Problem(404, "not-found", "Unknown procedure",
                        "no procedure '" + code + "' is in force today");
  }
  v1::Procedure out;
  ToProto(*current, &out);
  call.Json(200, out);
}

void GetDuePreview(Api& api, Call& call) {
  const std::string& code = call.params[0];
  auto catalog = api.deps().catalog();
  const std::string at_text = call.query["received_at"];
  std::optional<Instant> at = at_text.empty() ? std::optional<Instant>(api.deps().clock->Now())
                                              : ParseLocalDateTime(at_text, kApiUtcOffsetSeconds);
  if (!at) {
    return call.Problem(400, "invalid-field", "Invalid received_at",
                        "expected local time YYYY-MM-DDTHH:MM[:SS], got '" + at_text + "'",
                        "received_at");
  }
  const CivilDate day = LocalDateAt(*at, kApiUtcOffsetSeconds);
  auto p = catalog->InForce(code, day);
  if (!p) {
    return call.Problem(404, "not-found", "Unknown procedure",
                        "no version of '" + code + "' is in force on " + FormatDate(day));
  }
  const WorkCalendar* cal = catalog->CalendarFor(call.query["agency"], p->calendar);
  Result<DueDate> due = ComputeDue(*cal, *at, p->time_limit, p->cutoff, p->due_rule);
  if (!due.ok()) {
    return call.Problem(422, "no-calendar-data", "Cannot compute the due date",
                        due.status().message(), "received_at");
  }
  v1::DuePreview out;
  ToProto(*p, *cal, *due, &out);
  call.Json(200, out);
}

}  // namespace motcua::http::handlers
