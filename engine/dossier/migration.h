#pragma once
// Migrating dossiers in flight to another version of their procedure. A dossier keeps the
// version in force when it was received (DOMAIN.md §4), unless a transitional provision of the
// new law moves the dossiers being processed to the new version. A migration names the two
// versions, where each step of the old version goes in the new one, and the provision that
// orders it; the admin's `migrate` command (processor.h) records it per dossier as a `migrated`
// event with the old and new version, step and due instants.
//
// What moves (docs/operations.md, "Migrating dossiers in flight"):
// - the dossier's procedure version, and its current step through the step map;
// - its due instants: recomputed from its history on the new version's time limit and calendar
//   (the reception, every pause, every extension's length: engine/dossier/due_recompute.h), as
//   if it had been received under the new version;
// - its step's due instant: moved by the difference between the new step's budget and the old
//   one's (the time the dossier has spent in the step, its pauses, still count);
// - its pending timers, from the new dates.
// Its status, pauses, history and M06 rows stay as they are; its assignee too, while the new step
// has the same role (otherwise the new step's role takes it up).

#include <map>
#include <string>
#include <vector>

#include "engine/definition/procedure.h"
#include "engine/dossier/dossier.h"

namespace motcua {

struct Migration {
  std::string procedure_code;
  int from_version = 0;
  int to_version = 0;
  // Every step of the old version → the step of the new version its dossiers move to.
  std::map<std::string, std::string> steps;
  // The provision that orders the move ("Nghị định 12/2026/NĐ-CP, Điều 30, khoản 2"): recorded
  // in each `migrated` event.
  std::string reason;
  // "9.000001 v1 -> v2", for messages.
  std::string Describe() const;
};

// Why the migration cannot be applied between `from` and `to` (the procedure versions it names):
// one sentence per problem, empty when it can. Refused: a different procedure; the same version;
// no reason; a step of `from` left unmapped, or a name that is not a step of its version; a step
// before the decision mapped to one from which no outcome can be reached (a step after the
// decision), or a step after the decision mapped to one before it (the dossier would be decided
// twice); a step whose time is not counted mapped to one whose time is, or the reverse (the
// dossier's open pause would be wrong); a payment step mapped to one that is not, or the reverse.
std::vector<std::string> CheckMigration(const Procedure& from, const Procedure& to,
                                        const Migration& m);

// Whether a migration may move the dossier: received and still being processed (open: not yet
// decided, withdrawn or refused). A dossier submitted online but not yet received takes the
// version in force on the day it is received anyway; a decided one (its result on its way back
// too) keeps the rules its timeliness was judged by.
bool InFlight(const Dossier& d);

// The procedure version each event of a dossier's history was recorded under: the version its
// first event names, then the one each `migrated` event moved to (for the events after it; a
// `migrated` event itself was recorded under the version it left). An M06 row names a step of
// the version its hand-over was recorded under.
std::vector<int> VersionsRecordedUnder(const std::vector<Event>& history);
// The procedure version the dossier is at after `history` (0 for none).
int ProcedureVersionAfter(const std::vector<Event>& history);

}  // namespace motcua
