#include "engine/store/indexes.h"

#include <algorithm>
#include <cstdio>
#include <iterator>

#include "engine/store/store.h"

namespace motcua {

size_t WriteSet::event_count() const {
  size_t n = 0;
  for (const auto& c : changes) n += c.events.size();
  return n;
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

std::string IndexPrefix(const std::vector<std::string>& fields) {
  std::string s;
  for (const auto& f : fields) {
    s += f;
    s += kIndexSep;
  }
  return s;
}

std::string IndexEntryId(const std::string& entry) {
  size_t at = entry.rfind(kIndexSep);
  return at == std::string::npos ? entry : entry.substr(at + 1);
}

void DiffIndexEntries(const Dossier* before, const Dossier& after,
                      std::vector<std::string>* removed, std::vector<std::string>* added) {
  const std::vector<std::string> old = before ? IndexEntries(*before) : std::vector<std::string>{};
  const std::vector<std::string> now = IndexEntries(after);
  std::set_difference(old.begin(), old.end(), now.begin(), now.end(), std::back_inserter(*removed));
  std::set_difference(now.begin(), now.end(), old.begin(), old.end(), std::back_inserter(*added));
}

std::vector<std::string> IndexEntries(const Dossier& d) {
  std::vector<std::string> out;
  out.reserve(10 + d.timers.size());
  // Each entry is built in place: fields, each followed by the separator, then the id.
  auto add = [&out, &d](std::initializer_list<std::string_view> fields) {
    size_t n = d.id.size();
    for (std::string_view f : fields) n += f.size() + 1;
    std::string& e = out.emplace_back();
    e.reserve(n);
    for (std::string_view f : fields) {
      e += f;
      e += kIndexSep;
    }
    e += d.id;
  };
  const std::string_view status = NameOf(d.status);
  add({"as", d.receiving_agency, status});
  if (d.competent_agency != d.receiving_agency) add({"as", d.competent_agency, status});
  if (IsOpen(d.status)) {
    add({"wq", d.competent_agency, d.current_step, d.assignee});
    if (d.receiving_agency != d.competent_agency) {
      add({"wq", d.receiving_agency, d.current_step, d.assignee});
    }
    if (!d.paused()) {
      if (auto due = d.effective_due()) add({"du", SortableInstant(*due)});
    }
  }
  add({"pr", d.procedure_code});
  if (!d.applicant.id_number.empty()) add({"ap", d.applicant.id_number});
  if (d.received_at) add({"rc", SortableInstant(*d.received_at)});
  if (!d.number.empty()) add({"nb", d.number});
  for (const Timer& t : d.timers) add({"tm", SortableInstant(t.at), NameOf(t.kind)});
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace motcua
