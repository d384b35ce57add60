#pragma once
// `motcua migrate plan|apply` (engine/dossier/migration.h): moving dossiers in flight to another
// version of their procedure. A plan reads the store (a running server's too) and writes nothing;
// apply records a `migrated` event per dossier through the dossier service, as any command is
// recorded: a running server applies it, asked through its control socket (control.h), and a
// stopped server's data directory is opened by the command itself.

#include <functional>
#include <string>
#include <vector>

#include "adapters/runtime/dossier_service.h"
#include "engine/common/clock.h"
#include "engine/store/migration_plan.h"

namespace motcua::cli {

struct MigrationRequest {
  Migration migration;
  MigrationSelection select;
  Actor actor;  // an admin
};

// The control socket's request lines ("migrate" first), and back. Decoding refuses anything
// malformed, naming the line.
std::vector<std::string> EncodeMigrationRequest(const MigrationRequest& r);
Result<MigrationRequest> DecodeMigrationRequest(const std::vector<std::string>& lines);

// Plans the migration on the service's store and catalog, then records each move with the
// admin's `migrate` command through `service` (a dossier being changed meanwhile is tried again).
// Returns the report for people: a line per named dossier left out and per dossier moved or
// refused (at most `max_lines`, then how many more), then a summary line that starts with "OK:"
// only when every selected dossier moved. An error when the migration is refused as a whole
// (nothing written), or when it stops part way (writes stopped, `keep_going` said no: the
// dossiers moved so far stay moved, and running it again moves the rest).
Result<std::string> ApplyMigration(DossierService& service, const MigrationRequest& r,
                                   const EngineSettings& settings, size_t max_lines,
                                   const std::function<bool()>& keep_going = nullptr);

// `motcua migrate plan|apply ...`.
int MigrateDossiers(int argc, char** argv);

}  // namespace motcua::cli
