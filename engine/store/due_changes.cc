// Open dossiers whose due instants differ on the calendar now loaded (due_changes.h).

#include "engine/store/due_changes.h"

#include "engine/dossier/due_recompute.h"

namespace motcua {

Result<std::optional<DueChange>> DueChangeOf(Store& store, const ProcedureCatalog& catalog,
                                             std::shared_ptr<const Dossier> d) {
  DueChange c;
  c.dossier = d;
  std::shared_ptr<const Procedure> p = catalog.Version(d->procedure_code, d->procedure_version);
  const WorkCalendar* cal = p ? catalog.CalendarFor(d->competent_agency, p->calendar) : nullptr;
  if (p == nullptr || cal == nullptr) {
    c.problem = "procedure " + d->procedure_code + " version " +
                std::to_string(d->procedure_version) + " or its calendar is not loaded";
    return std::optional<DueChange>(std::move(c));
  }
  ASSIGN_OR_RETURN(std::vector<Event> history, store.History(d->id));
  Result<RecomputedDue> now = RecomputeDue(history, *p, *cal);
  if (!now.ok()) {
    c.problem = now.status().message();
    return std::optional<DueChange>(std::move(c));
  }
  if (now->due_at == d->due_at && now->extended_due_at == d->extended_due_at) {
    return std::optional<DueChange>();
  }
  c.due_at = now->due_at;
  c.extended_due_at = now->extended_due_at;
  return std::optional<DueChange>(std::move(c));
}

std::string DescribeDueChange(const DueChange& c, int utc_offset_seconds) {
  const Dossier& d = *c.dossier;
  auto show = [utc_offset_seconds](const std::optional<Instant>& t) {
    return t ? FormatLocal(*t, utc_offset_seconds) : std::string("none");
  };
  std::string out = d.id + " " + (d.number.empty() ? "-" : d.number) + " " + d.procedure_code +
                    " v" + std::to_string(d.procedure_version) + ": ";
  if (!c.problem.empty()) return out + "cannot recompute: " + c.problem;
  out += "due " + show(d.due_at) + " -> " + show(c.due_at);
  if (d.extended_due_at || c.extended_due_at) {
    out += "; extended " + show(d.extended_due_at) + " -> " + show(c.extended_due_at);
  }
  return out;
}

Result<DueChanges> FindDueChanges(Store& store, const ProcedureCatalog& catalog,
                                  const std::function<bool()>& keep_going) {
  DueChanges out;
  bool stopped = false;  // what was found so far is the answer
  Status s = store.ForEachOpen("", [&](const std::shared_ptr<const Dossier>& d) -> Status {
    if (keep_going && !keep_going()) {
      stopped = true;
      return Status(StatusCode::kUnavailable, "stopped");
    }
    ++out.open;
    ASSIGN_OR_RETURN(std::optional<DueChange> c, DueChangeOf(store, catalog, d));
    if (c) out.changes.push_back(std::move(*c));
    return Status::Ok();
  });
  if (!s.ok() && !stopped) return s;
  return out;
}

}  // namespace motcua
