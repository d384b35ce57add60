#pragma once
// Secondary index entries derived from a dossier record. Both stores keep exactly these
// entries, so verification can recompute them from the record and compare.
//
// Entry layout (text, '\x1f'-separated fields so that ids never collide with separators; the
// dossier id is always the last field):
//   "as" agency status id          agency + status (receiving and competent agency); also
//                                  every dossier of an agency, by status
//   "wq" agency step assignee id   work queue (open dossiers; receiving and competent agency)
//   "pr" procedure_code id
//   "ap" applicant_id id
//   "du" <16 hex due seconds> id   open, not paused dossiers by effective due instant
//   "rc" <16 hex received seconds> id
//   "nb" number id                 dossier number (unique)
//   "tm" <16 hex at> kind id       pending timers

#include <string>
#include <vector>

#include "engine/dossier/dossier.h"

namespace motcua {

constexpr char kIndexSep = '\x1f';

std::vector<std::string> IndexEntries(const Dossier& d);  // sorted, unique
// The entries to delete and to add when a dossier changes from `before` (null: new) to `after`:
// entries both states imply are left alone.
void DiffIndexEntries(const Dossier* before, const Dossier& after,
                      std::vector<std::string>* removed, std::vector<std::string>* added);
// Fixed-width hex so lexicographic order is numeric order (instants after 1970).
std::string SortableInstant(Instant t);
Instant ParseSortableInstant(const std::string& hex16);
// The dossier id: the last field of an entry.
std::string IndexEntryId(const std::string& entry);
// The prefix of entries whose first fields are `fields` (each followed by the separator).
std::string IndexPrefix(const std::vector<std::string>& fields);

}  // namespace motcua
