// The dossiers a migration moves, and how (migration_plan.h).

#include "engine/store/migration_plan.h"

#include <algorithm>
#include <set>

#include "engine/common/strings.h"

namespace motcua {

namespace {

// `ids`: the dossiers the selection names, by id (empty: it names none).
bool Selected(const Dossier& d, const MigrationSelection& s, const std::set<std::string>& ids,
              int utc_offset_seconds) {
  if (!ids.empty() && !ids.count(d.id)) return false;
  if (!s.statuses.empty() &&
      std::find(s.statuses.begin(), s.statuses.end(), d.status) == s.statuses.end()) {
    return false;
  }
  const CivilDate received = LocalDateAt(*d.received_at, utc_offset_seconds);
  if (s.received_from && received < *s.received_from) return false;
  if (s.received_until && *s.received_until < received) return false;
  return true;
}

}  // namespace

size_t MigrationPlan::refused() const {
  return static_cast<size_t>(
      std::count_if(moves.begin(), moves.end(), [](const PlannedMove& m) { return !m.event; }));
}

std::vector<std::string> MigrationProblems(const ProcedureCatalog& catalog, const Migration& m) {
  std::vector<std::string> out;
  std::shared_ptr<const Procedure> from = catalog.Version(m.procedure_code, m.from_version);
  std::shared_ptr<const Procedure> to = catalog.Version(m.procedure_code, m.to_version);
  for (const auto& [p, v] : {std::pair{from, m.from_version}, std::pair{to, m.to_version}}) {
    if (!p) {
      out.push_back("procedure " + m.procedure_code + " version " + std::to_string(v) +
                    " is not in the definitions loaded");
    }
  }
  if (from && to) out = CheckMigration(*from, *to, m);
  return out;
}

Command MigrateCommand(std::shared_ptr<const Migration> m, const std::string& id,
                       const Actor& actor) {
  Command c;
  c.type = CommandType::kMigrate;
  c.dossier_id = id;
  c.actor = actor;
  c.migration = std::move(m);
  return c;
}

Result<MigrationPlan> SelectForMigration(Store& store, const ProcedureCatalog& catalog,
                                         const Migration& m, const MigrationSelection& select,
                                         int utc_offset_seconds,
                                         const std::function<bool()>& keep_going) {
  if (std::vector<std::string> problems = MigrationProblems(catalog, m); !problems.empty()) {
    return Status(StatusCode::kInvalidArgument,
                  "the migration " + m.Describe() + " is refused:\n  " + Join(problems, "\n  "));
  }
  // The dossiers the selection names must exist; every dossier in flight is still counted, so
  // that the plan says how many keep their version.
  MigrationPlan plan;
  std::set<std::string> ids;
  for (const std::string& named : select.dossiers) {
    ASSIGN_OR_RETURN(std::optional<std::string> by_number, store.IdByNumber(named));
    const std::string id = by_number ? *by_number : named;
    ASSIGN_OR_RETURN(std::shared_ptr<const Dossier> d, store.GetShared(id));
    if (!d) {
      return Status(StatusCode::kInvalidArgument,
                    "the selection names dossier '" + named + "', which does not exist");
    }
    ids.insert(id);
    if (d->procedure_code != m.procedure_code || d->procedure_version != m.from_version) {
      plan.left_out.push_back(named + ": it is at " + d->procedure_code + " v" +
                              std::to_string(d->procedure_version));
    } else if (!InFlight(*d)) {
      plan.left_out.push_back(named + ": it is " + std::string(NameOf(d->status)) +
                              ", not in flight");
    }
  }
  const Status stopped(StatusCode::kUnavailable, "stopped before the plan was complete");
  std::set<std::string> seen;  // a dossier whose status changes during the scan is met twice
  RETURN_IF_ERROR(
      store.ForEachOpen(m.procedure_code, [&](const std::shared_ptr<const Dossier>& d) -> Status {
        if (keep_going && !keep_going()) return stopped;
        if (d->procedure_code != m.procedure_code || d->procedure_version != m.from_version ||
            !InFlight(*d) || !seen.insert(d->id).second) {
          return Status::Ok();
        }
        ++plan.in_flight;
        if (Selected(*d, select, ids, utc_offset_seconds)) {
          plan.moves.push_back(PlannedMove{d, std::nullopt, ""});
        } else {
          ++plan.not_selected;
        }
        return Status::Ok();
      }));
  return plan;
}

Result<MigrationPlan> PlanMigration(Store& store, const ProcedureCatalog& catalog,
                                    const Migration& m, const MigrationSelection& select,
                                    const Actor& actor, Instant now, const EngineSettings& settings,
                                    const std::function<bool()>& keep_going) {
  ASSIGN_OR_RETURN(MigrationPlan plan, SelectForMigration(store, catalog, m, select,
                                                          settings.utc_offset_seconds, keep_going));
  auto shared = std::make_shared<const Migration>(m);
  ProcessContext ctx;
  ctx.catalog = &catalog;
  ctx.settings = settings;
  ctx.now = now;
  ctx.next_sequence = [](const std::string&, CivilDate) -> int64_t { return 0; };
  ctx.history = [&store](const std::string& id) { return store.History(id); };
  for (PlannedMove& move : plan.moves) {
    Decision decision =
        Process(MigrateCommand(shared, move.dossier->id, actor), move.dossier.get(), ctx);
    if (decision.accepted()) {
      move.event = std::move(decision.events.front());
    } else {
      move.problem = decision.rejection->message;
    }
  }
  return plan;
}

std::string DescribeMove(const PlannedMove& move, int utc_offset_seconds) {
  const Dossier& d = *move.dossier;
  auto show = [utc_offset_seconds](const std::optional<Instant>& t) {
    return t ? FormatLocal(*t, utc_offset_seconds) : std::string("none");
  };
  std::string out =
      d.id + " " + (d.number.empty() ? "-" : d.number) + " " + NameOf(d.status) + ": ";
  if (!move.event) return out + "refused: " + move.problem;
  const Event& e = *move.event;
  if (!e.from_step.empty()) {
    out += "step " + e.from_step + " -> " + e.to_step + " (step due " +
           show(e.previous_step_due_at) + " -> " + show(e.step_due_at) + "); ";
  }
  out += "due " + show(e.previous_due_at) + " -> " + show(e.due_at);
  if (e.previous_extended_due_at || e.extended_due_at) {
    out += "; extended " + show(e.previous_extended_due_at) + " -> " + show(e.extended_due_at);
  }
  return out;
}

}  // namespace motcua
