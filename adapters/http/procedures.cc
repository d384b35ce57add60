// Handlers: procedures in force, one procedure's versions, and the due date an M01 slip would
// state for a reception (handlers.h).

#include "adapters/http/handlers.h"
#include "adapters/proto/definition_codec.h"
#include "adapters/proto/view_codec.h"
#include "engine/calendar/deadline.h"
#include "engine/common/fold.h"
#include "motcua/v1/api.pb.h"

namespace motcua::http::handlers {

void GetProcedures(Api& api, Call& call) {
  auto catalog = api.deps().catalog();
  const CivilDate today = LocalDateAt(api.deps().clock->Now(), kApiUtcOffsetSeconds);
  v1::ProcedureList out;
  const std::string& field = call.query["field"];
  const std::string& level = call.query["level"];
  if (!level.empty() && !ParseName<Level>(level)) {
    return call.Problem(400, "invalid-field", "Invalid level",
                        "expected " + kLevelNames.List(" or ") + ", got '" + level + "'", "level");
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
    ToProto(*current, out.add_procedures());
  }
  call.Json(200, out);
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
