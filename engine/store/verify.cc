// Store verification (verify.h): replay, index, number and outbox checks.

#include "engine/store/verify.h"

#include <algorithm>

#include "engine/dossier/appliers.h"
#include "engine/report/counters.h"
#include "engine/store/indexes.h"

namespace motcua {

namespace {

constexpr size_t kPage = 1000;
// Scratch keys: an index entry a record implies, and a dossier's number ("n" sorts after "i":
// the entries are read first). A number key ends with the dossier's id after a separator.
constexpr char kEntryKey = 'i';
constexpr char kNumberKey = 'n';

// The store's index entries, in order, a page at a time.
class StoredEntries {
 public:
  explicit StoredEntries(Store& store) : store_(store) {}
  // The next entry, or null at the end.
  Result<const std::string*> Peek() {
    if (at_ == page_.size() && !done_) {
      ASSIGN_OR_RETURN(page_, store_.AllIndexEntries(start_, kPage));
      at_ = 0;
      done_ = page_.size() < kPage;
      if (!page_.empty()) start_ = page_.back();
    }
    return at_ < page_.size() ? &page_[at_] : nullptr;
  }
  void Next() { ++at_; }

 private:
  Store& store_;
  std::vector<std::string> page_;
  size_t at_ = 0;
  std::string start_;
  bool done_ = false;
};

}  // namespace

Result<VerifyReport> VerifyStore(Store& store, size_t max_problems, ScratchSet* scratch,
                                 const std::function<Status(const Dossier&)>& visit) {
  VerifyReport r;
  auto problem = [&r, max_problems](std::string p) {
    if (r.problems.size() < max_problems) r.problems.push_back(std::move(p));
  };
  MemoryScratchSet in_memory;
  ScratchSet& sorted = scratch ? *scratch : in_memory;
  CounterDeltas counted;  // the report counters, counted from the histories
  std::string key;
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
      if (visit) RETURN_IF_ERROR(visit(*stored));
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
        key.assign(1, kEntryKey).append(e);
        RETURN_IF_ERROR(sorted.Add(key));
      }
      if (!stored->number.empty()) {
        key.assign(1, kNumberKey).append(stored->number).append(1, kIndexSep).append(id);
        RETURN_IF_ERROR(sorted.Add(key));
      }
    }
    if (ids.size() < kPage) break;
    after = ids.back();
  }
  // The implied entries beside the stored ones, both in order: one only the records imply is
  // missing, one only the store has is stray. Then the numbers, each used by one dossier.
  StoredEntries stored(store);
  auto stray_before = [&](const std::string_view* implied) -> Status {
    while (true) {
      ASSIGN_OR_RETURN(const std::string* e, stored.Peek());
      if (e == nullptr || (implied != nullptr && !(*e < *implied))) return Status::Ok();
      ++r.index_entries;
      problem("stray index entry (no record implies it): " + *e);
      stored.Next();
    }
  };
  bool entries_done = false;
  std::string last_number, last_number_id;
  RETURN_IF_ERROR(sorted.Scan([&](std::string_view k) -> Status {
    const std::string_view rest = k.substr(1);
    if (k.front() == kEntryKey) {
      RETURN_IF_ERROR(stray_before(&rest));
      ASSIGN_OR_RETURN(const std::string* e, stored.Peek());
      if (e != nullptr && *e == rest) {
        ++r.index_entries;
        stored.Next();
      } else {
        problem("dossier '" + IndexEntryId(std::string(rest)) +
                "': index entry missing: " + std::string(rest));
      }
      return Status::Ok();
    }
    if (!entries_done) {
      RETURN_IF_ERROR(stray_before(nullptr));
      entries_done = true;
    }
    const size_t sep = rest.rfind(kIndexSep);
    const std::string_view number = rest.substr(0, sep), id = rest.substr(sep + 1);
    if (number == last_number) {
      problem("dossier number " + std::string(number) + " is used by '" + last_number_id +
              "' and '" + std::string(id) + "'");
    }
    last_number.assign(number);
    last_number_id.assign(id);
    return Status::Ok();
  }));
  if (!entries_done) RETURN_IF_ERROR(stray_before(nullptr));
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
