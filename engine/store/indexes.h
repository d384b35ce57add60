#pragma once
// Every key the stores keep besides records: secondary index entries, derived from a dossier
// record, and counters. Both stores keep exactly these entries, so verification can recompute
// them from the record and compare. docs/storage.md documents them; their text is persisted and
// never changes.
//
// Entry layout (text, '\x1f'-separated fields so that ids never collide with separators; the
// dossier id is always the last field), by IndexKind:
//   kAgencyStatus "as" agency status id          agency + status (receiving and competent agency)
//   kWorkQueue    "wq" agency step assignee id   work queue (open dossiers, and decided ones at a
//                                                step after the decision; both agencies)
//   kDue          "du" <16 hex due seconds> id   dossiers that are or will become overdue, by the
//                                                instant they do (Dossier::OverdueFrom; format 4
//                                                adds those paused after their due instant)
//   kProcedure    "pr" procedure_code id
//   kApplicant    "ap" applicant_id id
//   kReceived     "rc" <16 hex received seconds> id
//   kNumber       "nb" number id                 dossier number (unique)
//   kTimer        "tm" <16 hex at> kind id       pending timers
//   kStatus       "ss" status id                 status across agencies (storage format 2)
//   kApplicantName "an" folded name id           applicant name, lower case without diacritics
//                                                (engine/common/fold.h), searched by prefix (3)
//   kPhone        "ph" phone digits id           applicant phone, digits only (format 3)
// Counters: "dn" agency YYMMDD (the last dossier-number sequence of an agency's reception day)
// and "st" status (how many dossiers have that status).

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/common/enum_names.h"
#include "engine/dossier/dossier.h"

namespace motcua {

constexpr char kIndexSep = '\x1f';

enum class IndexKind {
  kAgencyStatus,
  kWorkQueue,
  kDue,
  kProcedure,
  kApplicant,
  kReceived,
  kNumber,
  kTimer,
  kStatus,
  kApplicantName,  // storage format 3
  kPhone,          // storage format 3
};
// Persisted: the first field of every index entry.
inline constexpr auto kIndexKindNames = MakeNames<IndexKind>({
    {IndexKind::kAgencyStatus, "as"},
    {IndexKind::kWorkQueue, "wq"},
    {IndexKind::kDue, "du"},
    {IndexKind::kProcedure, "pr"},
    {IndexKind::kApplicant, "ap"},
    {IndexKind::kReceived, "rc"},
    {IndexKind::kNumber, "nb"},
    {IndexKind::kTimer, "tm"},
    {IndexKind::kStatus, "ss"},
    {IndexKind::kApplicantName, "an"},
    {IndexKind::kPhone, "ph"},
});
static_assert(kIndexKindNames.Complete());
constexpr const auto& NamesOf(IndexKind) { return kIndexKindNames; }

// The leading fields (the kind included) that group an index's entries: those before the part
// that grows with time (ids, instants). A store may use it to place inserts (RocksDB's hints).
int IndexGroupFields(IndexKind kind);
// The kind an entry belongs to, from its first field.
std::optional<IndexKind> IndexKindOf(std::string_view entry);

// The prefix of entries of `kind` whose next fields are `fields` (each followed by the separator).
// A phone number as the phone index keeps it: its digits.
std::string PhoneDigits(std::string_view phone);
std::string IndexPrefix(IndexKind kind, std::initializer_list<std::string_view> fields = {});
std::vector<std::string> IndexEntries(const Dossier& d);  // sorted, unique
// The entries to delete and to add when a dossier changes from `before` (null: new) to `after`:
// entries both states imply are left alone.
void DiffIndexEntries(const Dossier* before, const Dossier& after,
                      std::vector<std::string>* removed, std::vector<std::string>* added);
// Where a scan of the keys starting with `prefix` ends (exclusive): the lesser of the first key
// past the prefix and `end_before` (when not empty); empty: the end of the keys.
std::string ScanEnd(const std::string& prefix, const std::string& end_before);
// Fixed-width hex so lexicographic order is numeric order (instants after 1970).
std::string SortableInstant(Instant t);
Instant ParseSortableInstant(const std::string& hex16);
// The dossier id: the last field of an entry.
std::string IndexEntryId(const std::string& entry);

enum class CounterKind { kDossierNumber, kStatus };
// Persisted: the first field of every counter's name.
inline constexpr auto kCounterKindNames = MakeNames<CounterKind>({
    {CounterKind::kDossierNumber, "dn"},
    {CounterKind::kStatus, "st"},
});
static_assert(kCounterKindNames.Complete());
constexpr const auto& NamesOf(CounterKind) { return kCounterKindNames; }

// The last dossier-number sequence an agency gave on a local reception day.
std::string DossierNumberCounter(std::string_view agency, CivilDate day);
// How many dossiers have status `s` (metrics read it without a scan).
std::string StatusCounter(DossierStatus s);

}  // namespace motcua
