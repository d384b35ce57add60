#pragma once
// Which dossiers a migration between procedure versions moves, and how (engine/dossier/
// migration.h): `motcua migrate plan` prints it, nothing written; `motcua migrate apply` makes the
// same selection and records each move with the admin's `migrate` command. Each move is what the
// command's processor would record on the dossier as stored, so the plan shows the step and due
// instants apply would write.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/common/status.h"
#include "engine/definition/catalog.h"
#include "engine/dossier/processor.h"
#include "engine/store/store.h"

namespace motcua {

// Which of the old version's dossiers in flight move; the others keep their version. Empty
// fields select everything.
struct MigrationSelection {
  std::optional<CivilDate> received_from;   // received on or after this local date
  std::optional<CivilDate> received_until;  // received on or before this local date
  std::vector<DossierStatus> statuses;      // at one of these statuses
  std::vector<std::string> dossiers;        // these dossiers (ids or numbers) only
};

struct PlannedMove {
  std::shared_ptr<const Dossier> dossier;  // as stored
  std::optional<Event> event;              // the `migrated` event the command would record
  std::string problem;                     // otherwise why it is refused
};

struct MigrationPlan {
  size_t in_flight = 0;     // dossiers of the old version in flight (InFlight)
  size_t not_selected = 0;  // of those, left out by the selection
  std::vector<PlannedMove> moves;
  // Dossiers the selection names that do not move, and why: "<name>: it is at 9.000001 v2".
  std::vector<std::string> left_out;
  size_t refused() const;
};

// Every problem that refuses the migration as a whole (CheckMigration, or a version not
// loaded), one sentence each; empty when it may be applied.
std::vector<std::string> MigrationProblems(const ProcedureCatalog& catalog, const Migration& m);

// The plan for `m` over `store` with `catalog`'s definitions, as `actor` would apply it at `now`.
// kInvalidArgument listing MigrationProblems when the migration is refused, or when a dossier the
// selection names does not exist; kUnavailable once `keep_going` says no (a plan cut short
// would leave dossiers out).
Result<MigrationPlan> PlanMigration(Store& store, const ProcedureCatalog& catalog,
                                    const Migration& m, const MigrationSelection& select,
                                    const Actor& actor, Instant now, const EngineSettings& settings,
                                    const std::function<bool()>& keep_going = nullptr);

// Which dossiers the migration selects, without deciding their moves (`moves` hold the dossiers
// only): what `migrate apply` submits, each command deciding on its dossier as it stands then.
// Errors as PlanMigration's.
Result<MigrationPlan> SelectForMigration(Store& store, const ProcedureCatalog& catalog,
                                         const Migration& m, const MigrationSelection& select,
                                         int utc_offset_seconds,
                                         const std::function<bool()>& keep_going = nullptr);

// One line for people: "<id> <number> <status> step A -> B (step due X -> Y); due C -> D
// [; extended E -> F]", or why it is refused. Instants in local time at `utc_offset_seconds`.
std::string DescribeMove(const PlannedMove& move, int utc_offset_seconds);

// The admin's command that records the move of dossier `id`.
Command MigrateCommand(std::shared_ptr<const Migration> m, const std::string& id,
                       const Actor& actor);

}  // namespace motcua
