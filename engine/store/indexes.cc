// Index entries and counter names (indexes.h): the one place their text is built.

#include "engine/store/indexes.h"

#include <algorithm>
#include <cstdio>
#include <iterator>

#include "engine/common/fold.h"
#include "engine/store/store.h"

namespace motcua {

size_t WriteSet::event_count() const {
  size_t n = 0;
  for (const auto& c : changes) n += c.events.size();
  return n;
}

int IndexGroupFields(IndexKind kind) {
  switch (kind) {
    case IndexKind::kAgencyStatus:
    case IndexKind::kWorkQueue:
      return 3;  // kind, agency, status | step
    case IndexKind::kProcedure:
    case IndexKind::kApplicant:
    case IndexKind::kNumber:
    case IndexKind::kStatus:
    case IndexKind::kApplicantName:
    case IndexKind::kPhone:
      return 2;
    case IndexKind::kDue:
    case IndexKind::kReceived:
    case IndexKind::kTimer:
      return 1;  // instant-ordered
  }
  return 1;
}

std::optional<IndexKind> IndexKindOf(std::string_view entry) {
  return ParseName<IndexKind>(entry.substr(0, entry.find(kIndexSep)));
}

std::string PhoneDigits(std::string_view phone) {
  std::string out;
  for (char c : phone) {
    if (c >= '0' && c <= '9') out.push_back(c);
  }
  return out;
}

std::string ScanEnd(const std::string& prefix, const std::string& end_before) {
  std::string end = prefix;
  while (!end.empty() && static_cast<unsigned char>(end.back()) == 0xff) end.pop_back();
  if (!end.empty()) end.back() = static_cast<char>(end.back() + 1);
  if (!end_before.empty() && (end.empty() || end_before < end)) end = end_before;
  return end;
}

std::string SortableInstant(Instant t) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s(16, '0');
  auto v = static_cast<uint64_t>(t.seconds);
  for (int i = 15; i >= 0; --i, v >>= 4) s[i] = kHex[v & 0xf];
  return s;
}

Instant ParseSortableInstant(const std::string& hex16) {
  return Instant{static_cast<int64_t>(std::stoull(hex16, nullptr, 16))};
}

namespace {

// Every entry of `d`, sorted and unique; without the applicant's (id number, folded name, phone)
// unless `with_applicant`.
std::vector<std::string> EntriesOf(const Dossier& d, bool with_applicant);

// `first`, then each field, each followed by the separator.
std::string Fields(std::string_view first, std::initializer_list<std::string_view> fields) {
  size_t n = first.size() + 1;
  for (std::string_view f : fields) n += f.size() + 1;
  std::string s;
  s.reserve(n);
  s += first;
  s += kIndexSep;
  for (std::string_view f : fields) {
    s += f;
    s += kIndexSep;
  }
  return s;
}

}  // namespace

std::string IndexPrefix(IndexKind kind, std::initializer_list<std::string_view> fields) {
  return Fields(NameOf(kind), fields);
}

std::string IndexEntryId(const std::string& entry) {
  size_t at = entry.rfind(kIndexSep);
  return at == std::string::npos ? entry : entry.substr(at + 1);
}

void DiffIndexEntries(const Dossier* before, const Dossier& after,
                      std::vector<std::string>* removed, std::vector<std::string>* added) {
  // The applicant's entries of both states are the same when the applicant is: leave them out
  // of both (folding a name is the dearest part of an entry set).
  const bool same_applicant = before != nullptr && before->applicant == after.applicant;
  const std::vector<std::string> old =
      before ? EntriesOf(*before, !same_applicant) : std::vector<std::string>{};
  const std::vector<std::string> now = EntriesOf(after, !same_applicant);
  std::set_difference(old.begin(), old.end(), now.begin(), now.end(), std::back_inserter(*removed));
  std::set_difference(now.begin(), now.end(), old.begin(), old.end(), std::back_inserter(*added));
}

std::vector<std::string> IndexEntries(const Dossier& d) { return EntriesOf(d, true); }

namespace {

std::vector<std::string> EntriesOf(const Dossier& d, bool with_applicant) {
  std::vector<std::string> out;
  out.reserve(13 + d.timers.size());
  // Each entry is built in place: the prefix of its fields, then the id.
  auto add = [&out, &d](IndexKind kind, std::initializer_list<std::string_view> fields) {
    out.push_back(IndexPrefix(kind, fields));
    out.back() += d.id;
  };
  const std::string_view status = NameOf(d.status);
  add(IndexKind::kStatus, {status});
  add(IndexKind::kAgencyStatus, {d.receiving_agency, status});
  if (d.competent_agency != d.receiving_agency) {
    add(IndexKind::kAgencyStatus, {d.competent_agency, status});
  }
  if (d.AtWork()) {
    add(IndexKind::kWorkQueue, {d.competent_agency, d.current_step, d.assignee});
    if (d.receiving_agency != d.competent_agency) {
      add(IndexKind::kWorkQueue, {d.receiving_agency, d.current_step, d.assignee});
    }
  }
  // Dossiers that are or will become overdue, by the instant they do (Dossier::OverdueFrom).
  if (auto from = d.OverdueFrom()) add(IndexKind::kDue, {SortableInstant(*from)});
  add(IndexKind::kProcedure, {d.procedure_code});
  if (with_applicant) {
    if (!d.applicant.id_number.empty()) add(IndexKind::kApplicant, {d.applicant.id_number});
    if (std::string name = FoldVietnamese(d.applicant.name); !name.empty()) {
      add(IndexKind::kApplicantName, {name});
    }
    if (std::string phone = PhoneDigits(d.applicant.phone); !phone.empty()) {
      add(IndexKind::kPhone, {phone});
    }
  }
  if (d.received_at) add(IndexKind::kReceived, {SortableInstant(*d.received_at)});
  if (!d.number.empty()) add(IndexKind::kNumber, {d.number});
  for (const Timer& t : d.timers) {
    add(IndexKind::kTimer, {SortableInstant(t.at), NameOf(t.kind)});
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace

std::string DossierNumberCounter(std::string_view agency, CivilDate day) {
  char yymmdd[8];
  std::snprintf(yymmdd, sizeof yymmdd, "%02d%02d%02d", day.year % 100, day.month, day.day);
  return Fields(NameOf(CounterKind::kDossierNumber), {agency}) + yymmdd;
}

std::string StatusCounter(DossierStatus s) {
  return Fields(NameOf(CounterKind::kStatus), {}) + NameOf(s);
}

}  // namespace motcua
