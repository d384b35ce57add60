#pragma once
// Reading a migration map (docs/operations.md, "Migrating dossiers in flight"): where each step
// of the old procedure version goes in the new one, the transitional provision that orders the
// move, and which dossiers it selects. Every problem with its file:line and field.
//
//   reason: "Nghị định 12/2026/NĐ-CP, Điều 30, khoản 2"
//   steps:            # every step of the old version: the step of the new one
//     receive: receive
//     appraise: appraise
//   select:           # optional; without it every dossier of the old version in flight moves
//     received_from: 2026-01-01
//     received_until: 2026-06-30
//     statuses: [in_processing, supplement_requested]
//     dossiers: ["000.00.01.H56-260630-0001"]

#include <optional>
#include <string>
#include <vector>

#include "engine/dossier/migration.h"
#include "engine/store/migration_plan.h"

namespace motcua {

struct MigrationFile {
  Migration migration;  // procedure_code and the versions come from the caller
  MigrationSelection select;
};

// The migration map `text` (of `file`) holds; nullopt when it has errors. When `from` and `to`
// are given, the step names are checked against them here (with their lines); the map as a whole
// is checked by CheckMigration.
std::optional<MigrationFile> ParseMigrationFile(const std::string& text, const std::string& file,
                                                const Procedure* from, const Procedure* to,
                                                std::vector<Diagnostic>* errors);

}  // namespace motcua
