// Store::Query and Store::DueTimers: index scans shared by every store implementation.

#include <algorithm>
#include <optional>
#include <string_view>

#include "engine/common/fold.h"
#include "engine/store/indexes.h"
#include "engine/store/store.h"

namespace motcua {

Result<std::vector<uint64_t>> Store::OutboxPositions(uint64_t after, size_t limit) {
  ASSIGN_OR_RETURN(std::vector<OutboxEntry> entries, ReadOutbox(after, limit));
  std::vector<uint64_t> positions;
  positions.reserve(entries.size());
  for (const OutboxEntry& e : entries) positions.push_back(e.position);
  return positions;
}

Result<std::optional<std::string>> Store::IdByNumber(const std::string& number) {
  ASSIGN_OR_RETURN(std::vector<std::string> entries,
                   ScanIndex(IndexPrefix(IndexKind::kNumber, {number}), "", 1));
  if (entries.empty()) return std::optional<std::string>();
  return std::optional<std::string>(IndexEntryId(entries.front()));
}

Result<std::shared_ptr<const Dossier>> Store::GetShared(const std::string& id) {
  ASSIGN_OR_RETURN(std::optional<Dossier> d, Get(id));
  if (!d) return std::shared_ptr<const Dossier>();
  return std::shared_ptr<const Dossier>(std::make_shared<const Dossier>(std::move(*d)));
}

namespace {

// Bounds the work of one page: a filter that matches little stops after this many index
// entries and returns a cursor to continue from.
constexpr size_t kMaxScannedPerPage = 5000;
constexpr size_t kScanChunk = 256;

bool Matches(const Dossier& d, const DossierQuery& q) {
  if (!q.agency.empty() && d.receiving_agency != q.agency && d.competent_agency != q.agency) {
    return false;
  }
  if (q.status && d.status != *q.status) return false;
  if (!q.step.empty() && (d.current_step != q.step || !d.AtWork())) return false;
  if (!q.assignee.empty() && (d.assignee != q.assignee || !d.AtWork())) return false;
  if (!q.procedure_code.empty() && d.procedure_code != q.procedure_code) return false;
  if (!q.applicant_id.empty() && d.applicant.id_number != q.applicant_id) return false;
  if (!q.name_prefix.empty() &&
      FoldVietnamese(d.applicant.name).compare(0, q.name_prefix.size(), q.name_prefix) != 0) {
    return false;
  }
  if (!q.phone.empty() && PhoneDigits(d.applicant.phone) != q.phone) return false;
  if (!q.number_prefix.empty() &&
      d.number.compare(0, q.number_prefix.size(), q.number_prefix) != 0) {
    return false;
  }
  if (q.due_before) {
    auto due = d.effective_due();
    if (!IsOpen(d.status) || d.paused() || !due || !(*due < *q.due_before)) return false;
  }
  if (q.received_from && (!d.received_at || *d.received_at < *q.received_from)) return false;
  if (q.received_until && (!d.received_at || !(*d.received_at < *q.received_until))) return false;
  return !q.visible || q.visible(d);
}

// Cursors are base64url (no padding) of the index entry a page stopped at: opaque to clients,
// which must not build or read them, and free of separator bytes in URLs.
std::string EncodeCursor(std::string_view entry) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  uint32_t bits = 0;
  int n = 0;
  for (unsigned char c : entry) {
    bits = (bits << 8) | c;
    n += 8;
    while (n >= 6) {
      n -= 6;
      out += kAlphabet[(bits >> n) & 0x3f];
    }
  }
  if (n > 0) out += kAlphabet[(bits << (6 - n)) & 0x3f];
  return out;
}

std::optional<std::string> DecodeCursor(std::string_view cursor) {
  std::string out;
  uint32_t bits = 0;
  int n = 0;
  for (char c : cursor) {
    int v;
    if (c >= 'A' && c <= 'Z') {
      v = c - 'A';
    } else if (c >= 'a' && c <= 'z') {
      v = c - 'a' + 26;
    } else if (c >= '0' && c <= '9') {
      v = c - '0' + 52;
    } else if (c == '-') {
      v = 62;
    } else if (c == '_') {
      v = 63;
    } else {
      return std::nullopt;
    }
    bits = (bits << 6) | static_cast<uint32_t>(v);
    n += 6;
    if (n >= 8) {
      n -= 8;
      out += static_cast<char>((bits >> n) & 0xff);
    }
  }
  // What is left over must be padding bits, all zero, of less than a byte.
  if (n >= 6 || (bits & ((1u << n) - 1)) != 0) return std::nullopt;
  return out;
}

}  // namespace

Status Store::ForEachOpen(
    const std::string& procedure_code,
    const std::function<Status(const std::shared_ptr<const Dossier>&)>& each) {
  for (const auto& s : kDossierStatusNames.entries()) {
    if (!IsOpen(s.value)) continue;
    DossierQuery q;
    q.status = s.value;
    q.procedure_code = procedure_code;
    q.limit = 500;
    do {
      ASSIGN_OR_RETURN(QueryPage page, Query(q));
      for (const auto& d : page.dossiers) RETURN_IF_ERROR(each(d));
      q.cursor = page.next_cursor;
    } while (!q.cursor.empty());
  }
  return Status::Ok();
}

Result<QueryPage> Store::Query(const DossierQuery& q) {
  // The most selective index the filters allow.
  std::string prefix, start;
  if (!q.agency.empty() && q.status) {
    prefix = IndexPrefix(IndexKind::kAgencyStatus, {q.agency, NameOf(*q.status)});
  } else if (!q.agency.empty() && !q.step.empty()) {
    prefix = q.assignee.empty()
                 ? IndexPrefix(IndexKind::kWorkQueue, {q.agency, q.step})
                 : IndexPrefix(IndexKind::kWorkQueue, {q.agency, q.step, q.assignee});
  } else if (!q.applicant_id.empty()) {
    prefix = IndexPrefix(IndexKind::kApplicant, {q.applicant_id});
  } else if (!q.phone.empty()) {
    prefix = IndexPrefix(IndexKind::kPhone, {q.phone});
  } else if (!q.number_prefix.empty()) {
    prefix = IndexPrefix(IndexKind::kNumber) + q.number_prefix;  // a prefix of the number
  } else if (!q.name_prefix.empty()) {
    prefix = IndexPrefix(IndexKind::kApplicantName) + q.name_prefix;  // a prefix of the name
  } else if (q.due_before) {
    prefix = IndexPrefix(IndexKind::kDue);
  } else if (!q.procedure_code.empty()) {
    prefix = IndexPrefix(IndexKind::kProcedure, {q.procedure_code});
  } else if (!q.agency.empty() && !q.received_from && !q.received_until) {
    prefix = IndexPrefix(IndexKind::kAgencyStatus, {q.agency});  // every status of the agency
  } else if (q.status) {
    prefix = IndexPrefix(IndexKind::kStatus, {NameOf(*q.status)});  // across agencies
  } else {
    prefix = IndexPrefix(IndexKind::kReceived);
    if (q.received_from) start = prefix + SortableInstant(Instant{q.received_from->seconds - 1});
  }
  if (!q.cursor.empty()) {
    std::optional<std::string> entry = DecodeCursor(q.cursor);
    if (!entry || entry->compare(0, prefix.size(), prefix) != 0) {
      return InvalidArgument("the cursor does not belong to this query");
    }
    start = std::move(*entry);
  }
  const size_t limit = std::clamp<size_t>(q.limit, 1, 1000);
  QueryPage page;
  size_t scanned = 0;
  const bool by_due = prefix == IndexPrefix(IndexKind::kDue);
  while (true) {
    ASSIGN_OR_RETURN(std::vector<std::string> entries, ScanIndex(prefix, start, kScanChunk));
    for (const std::string& entry : entries) {
      // The due index is ordered by instant: stop once past the wanted range.
      if (by_due && entry.substr(prefix.size(), 16) >= SortableInstant(*q.due_before)) {
        return page;
      }
      // Through the store's record cache when it has one: what the page shows is what was read.
      ASSIGN_OR_RETURN(std::shared_ptr<const Dossier> d, GetShared(IndexEntryId(entry)));
      if (d && Matches(*d, q)) page.dossiers.push_back(std::move(d));
      if (page.dossiers.size() == limit || ++scanned >= kMaxScannedPerPage) {
        page.next_cursor = EncodeCursor(entry);
        return page;
      }
    }
    if (entries.size() < kScanChunk) return page;  // the index is exhausted
    start = entries.back();
  }
}

Result<std::vector<DueTimer>> Store::DueTimers(Instant upto, size_t limit,
                                               const std::string& after) {
  const std::string prefix = IndexPrefix(IndexKind::kTimer);
  std::vector<DueTimer> out;
  // Up to `upto` only: the timers not due yet, and the many deleted since, are not read.
  const std::string end = prefix + SortableInstant(Instant{upto.seconds + 1});
  ASSIGN_OR_RETURN(std::vector<std::string> entries, ScanIndexRange(prefix, after, end, limit));
  for (const std::string& e : entries) {
    // "tm" sep <16 hex> sep kind sep id
    const std::string hex = e.substr(prefix.size(), 16);
    Instant at = ParseSortableInstant(hex);
    if (upto < at) break;
    size_t kind_start = prefix.size() + 17;
    size_t kind_end = e.find(kIndexSep, kind_start);
    std::optional<TimerKind> kind =
        ParseName<TimerKind>(e.substr(kind_start, kind_end - kind_start));
    if (!kind) return Internal("bad timer index entry");
    out.push_back(DueTimer{Timer{*kind, at}, IndexEntryId(e), e});
  }
  return out;
}

}  // namespace motcua
