// Store verification (verify.h): replay, index, number and outbox checks.

#include "engine/store/verify.h"

#include <algorithm>
#include <map>
#include <set>

#include "engine/dossier/appliers.h"
#include "engine/report/counters.h"
#include "engine/store/indexes.h"

namespace motcua {

namespace {
constexpr size_t kPage = 1000;
}  // namespace

Result<VerifyReport> VerifyStore(Store& store, size_t max_problems) {
  VerifyReport r;
  auto problem = [&r, max_problems](std::string p) {
    if (r.problems.size() < max_problems) r.problems.push_back(std::move(p));
  };
  std::set<std::string> expected_entries;
  CounterDeltas counted;                       // the report counters, counted from the histories
  std::map<std::string, std::string> numbers;  // number → id
  std::string after;
  while (true) {
    ASSIGN_OR_RETURN(std::vector<std::string> ids, store.Ids(after, kPage));
    for (const std::string& id : ids) {
      ++r.dossiers;
      ASSIGN_OR_RETURN(std::optional<Dossier> stored, store.Get(id));
      ASSIGN_OR_RETURN(std::vector<Event> history, store.History(id));
      r.events += history.size();
      if (!stored) {
        problem("dossier '" + id + "' is listed but cannot be read");
        continue;
      }
      Dossier replay;
      bool ordered = true;
      for (const Event& e : history) {
        if (e.dossier_id != id || e.version != replay.version + 1) {
          problem("dossier '" + id + "': history event " + std::to_string(e.version) +
                  " is out of order");
          ordered = false;
          break;
        }
        Apply(replay, e);
      }
      if (ordered) AddHistoryDeltas(history, &counted);
      if (ordered && !(replay == *stored)) {
        problem("dossier '" + id + "': replaying " + std::to_string(history.size()) +
                " events gives version " + std::to_string(replay.version) + " status " +
                NameOf(replay.status) + ", but the stored record is version " +
                std::to_string(stored->version) + " status " + NameOf(stored->status));
      }
      for (const std::string& e : IndexEntries(*stored)) {
        expected_entries.insert(e);
        ASSIGN_OR_RETURN(bool has, store.HasIndexEntry(e));
        if (!has) problem("dossier '" + id + "': index entry missing: " + e);
      }
      if (!stored->number.empty()) {
        auto [it, fresh] = numbers.emplace(stored->number, id);
        if (!fresh) {
          problem("dossier number " + stored->number + " is used by '" + it->second + "' and '" +
                  id + "'");
        }
      }
    }
    if (ids.size() < kPage) break;
    after = ids.back();
  }
  // No stray entries: every stored index entry is implied by some record.
  std::string start;
  while (true) {
    ASSIGN_OR_RETURN(std::vector<std::string> entries, store.AllIndexEntries(start, kPage));
    for (const std::string& e : entries) {
      ++r.index_entries;
      if (!expected_entries.count(e)) problem("stray index entry (no record implies it): " + e);
    }
    if (entries.size() < kPage) break;
    start = entries.back();
  }
  // The report counters are what the histories count (a sum of zero may be stored or not).
  const auto readable = [](std::string name) {
    std::replace(name.begin(), name.end(), kIndexSep, '/');
    return name;
  };
  auto next = counted.begin();
  RETURN_IF_ERROR(store.ScanReportCounters(
      "", std::string(1, '\xff'), [&](std::string_view name, int64_t value) {
        ++r.report_counters;
        for (; next != counted.end() && next->first < name; ++next) {
          problem("report counter " + readable(next->first) + " is missing; the histories say " +
                  std::to_string(next->second));
        }
        int64_t expected = 0;
        if (next != counted.end() && next->first == name) expected = (next++)->second;
        if (value != expected) {
          problem("report counter " + readable(std::string(name)) + " is " + std::to_string(value) +
                  "; the histories say " + std::to_string(expected));
        }
      }));
  for (; next != counted.end(); ++next) {
    problem("report counter " + readable(next->first) + " is missing; the histories say " +
            std::to_string(next->second));
  }
  // The outbox is gap-free from 1.
  ASSIGN_OR_RETURN(r.outbox_last, store.LastOutboxPosition());
  uint64_t expect = 1;
  while (expect <= r.outbox_last) {
    ASSIGN_OR_RETURN(std::vector<OutboxEntry> page, store.ReadOutbox(expect - 1, kPage));
    if (page.empty()) break;
    for (const OutboxEntry& o : page) {
      if (o.position != expect) {
        problem("outbox gap: expected position " + std::to_string(expect) + ", found " +
                std::to_string(o.position));
        expect = o.position;
      }
      ++expect;
    }
  }
  if (expect != r.outbox_last + 1) {
    problem("outbox ends at " + std::to_string(expect - 1) + " but its last key is " +
            std::to_string(r.outbox_last));
  }
  return r;
}

}  // namespace motcua
