// Store verification (verify.h): replay, index, number and outbox checks.

#include "engine/store/verify.h"

#include <algorithm>
#include <atomic>
#include <functional>

#include "engine/dossier/appliers.h"
#include "engine/report/counters.h"
#include "engine/store/indexes.h"

namespace motcua {

namespace {

constexpr size_t kPage = 1000;
constexpr size_t kShare = 25;  // ids a thread takes at a time
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

// What one thread found in its share of a page of dossiers, for the calling thread to file.
struct Checked {
  Status status;
  size_t dossiers = 0;
  size_t events = 0;
  std::vector<std::string> problems;
  std::string keys;  // scratch keys, one after another, each ending at its key_ends
  std::vector<size_t> key_ends;
};

// Checks one dossier: its history replays to its record (counting what each event moves into
// `counted`), and the index entries and number it implies go to `out`'s keys.
Status CheckDossier(Store& store, const std::string& id, const VerifyOptions& options,
                    CounterDeltas* counted, Checked* out) {
  auto problem = [out, &options](std::string p) {
    if (out->problems.size() < options.max_problems) out->problems.push_back(std::move(p));
  };
  auto key = [out](char kind, std::string_view a, std::string_view b = {}) {
    out->keys.append(1, kind).append(a).append(b);
    out->key_ends.push_back(out->keys.size());
  };
  ++out->dossiers;
  ASSIGN_OR_RETURN(std::optional<Dossier> stored, store.Get(id));
  if (!stored) {
    ASSIGN_OR_RETURN(std::vector<Event> history, store.History(id));
    out->events += history.size();
    problem("dossier '" + id + "' is listed but cannot be read");
    return Status::Ok();
  }
  if (options.visit) RETURN_IF_ERROR(options.visit(*stored));
  ASSIGN_OR_RETURN(std::vector<Event> history,
                   options.history ? options.history(*stored) : store.History(id));
  out->events += history.size();
  for (size_t i = 0; i < history.size(); ++i) {
    const Event& e = history[i];
    if (e.dossier_id != id || e.version != static_cast<int64_t>(i) + 1) {
      problem("dossier '" + id + "': history event " + std::to_string(e.version) +
              " is out of order");
      return Status::Ok();
    }
  }
  // Replayed and counted in one pass.
  Dossier replay;
  for (const Event& e : history) ApplyCounting(replay, e, counted, CountLevels::kDays);
  if (!(replay == *stored)) {
    problem("dossier '" + id + "': replaying " + std::to_string(history.size()) +
            " events gives version " + std::to_string(replay.version) + " status " +
            NameOf(replay.status) + ", but the stored record is version " +
            std::to_string(stored->version) + " status " + NameOf(stored->status));
  }
  for (const std::string& e : IndexEntries(*stored)) key(kEntryKey, e);
  if (!stored->number.empty()) {
    key(kNumberKey, stored->number, std::string(1, kIndexSep).append(id));
  }
  return Status::Ok();
}

}  // namespace

Result<VerifyReport> VerifyStore(Store& store, const VerifyOptions& options) {
  VerifyReport r;
  auto problem = [&r, &options](std::string p) {
    if (r.problems.size() < options.max_problems) r.problems.push_back(std::move(p));
  };
  MemoryScratchSet in_memory;
  ScratchSet& sorted = options.scratch ? *options.scratch : in_memory;
  // The report counters counted from the histories: one map a thread, added together at the end.
  const size_t threads = options.runner ? std::max<size_t>(1, options.runner->threads()) : 1;
  std::vector<CounterDeltas> counted(threads);
  // A page of ids is checked (into `running`, a Checked a thread) while the page before (in
  // `done`) is filed. `current` and `following` swap, and so do `running` and `done`: their
  // buffers, which the jobs use, stay where they are, and a page's are cleared or refilled only
  // once its jobs have run. `wait` is declared after what the jobs use: leaving early waits for
  // them first.
  std::vector<std::string> current, following;
  std::vector<Checked> running(threads), done(threads);
  struct WaitForJobs {
    JobRunner* runner;
    ~WaitForJobs() {
      if (runner) runner->Wait();
    }
  } wait{options.runner};
  // The threads take the page's ids a few at a time, so that one that drew longer histories does
  // not keep the others waiting at the end of the page.
  std::atomic<size_t> taken{0};
  auto launch = [&](const std::vector<std::string>& ids) {
    std::vector<std::function<void()>> jobs;
    taken.store(0);
    for (size_t t = 0; t < threads; ++t) {
      const std::string* all = ids.data();
      const size_t size = ids.size();
      Checked* c = &running[t];
      *c = Checked();
      jobs.push_back([&store, &options, &counted, &taken, t, all, size, c] {
        while (c->status.ok()) {
          const size_t first = taken.fetch_add(kShare);
          if (first >= size) break;
          const size_t last = std::min(size, first + kShare);
          for (size_t i = first; i < last && c->status.ok(); ++i) {
            c->status = CheckDossier(store, all[i], options, &counted[t], c);
          }
        }
      });
    }
    if (options.runner) {
      options.runner->Start(std::move(jobs));
    } else {
      for (auto& job : jobs) job();
    }
  };
  ASSIGN_OR_RETURN(current, store.Ids("", kPage));
  launch(current);
  while (true) {
    following.clear();
    if (current.size() == kPage) {
      ASSIGN_OR_RETURN(following, store.Ids(current.back(), kPage));
    }
    if (options.runner) options.runner->Wait();
    running.swap(done);
    if (!following.empty()) launch(following);
    std::vector<std::string> page_problems;  // in the ids' order, however the threads took them
    for (Checked& c : done) {
      RETURN_IF_ERROR(c.status);
      r.dossiers += c.dossiers;
      r.events += c.events;
      for (std::string& p : c.problems) page_problems.push_back(std::move(p));
      size_t begin = 0;
      for (size_t end : c.key_ends) {
        RETURN_IF_ERROR(sorted.Add(std::string_view(c.keys).substr(begin, end - begin)));
        begin = end;
      }
    }
    std::sort(page_problems.begin(), page_problems.end());  // each begins "dossier '<id>'"
    for (std::string& p : page_problems) problem(std::move(p));
    if (following.empty()) break;
    current.swap(following);
  }
  if (options.pass_done) options.pass_done();
  for (size_t t = 1; t < threads; ++t) {
    for (const auto& [name, delta] : counted[t]) AddDelta(name, delta, &counted[0]);
    CounterDeltas().swap(counted[t]);
  }
  AddCoarserLevels(&counted[0]);  // counted by day: the months and years are their sums
  const std::vector<std::pair<std::string, int64_t>> sums = SortedChanges(counted[0]);
  CounterDeltas().swap(counted[0]);
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
  const Status merged = sorted.Scan([&](std::string_view k) -> Status {
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
  });
  RETURN_IF_ERROR(merged);
  if (!entries_done) RETURN_IF_ERROR(stray_before(nullptr));
  // The report counters are what the histories count (a sum of zero may be stored or not).
  const auto readable = [](std::string name) {
    std::replace(name.begin(), name.end(), kIndexSep, '/');
    return name;
  };
  auto next = sums.begin();
  RETURN_IF_ERROR(store.ScanReportCounters(
      "", std::string(1, '\xff'), [&](std::string_view name, int64_t value) {
        ++r.report_counters;
        for (; next != sums.end() && next->first < name; ++next) {
          problem("report counter " + readable(next->first) + " is missing; the histories say " +
                  std::to_string(next->second));
        }
        int64_t expected = 0;
        if (next != sums.end() && next->first == name) expected = (next++)->second;
        if (value != expected) {
          problem("report counter " + readable(std::string(name)) + " is " + std::to_string(value) +
                  "; the histories say " + std::to_string(expected));
        }
      }));
  for (; next != sums.end(); ++next) {
    problem("report counter " + readable(next->first) + " is missing; the histories say " +
            std::to_string(next->second));
  }
  // The outbox is gap-free from 1.
  ASSIGN_OR_RETURN(r.outbox_last, store.LastOutboxPosition());
  uint64_t expect = 1;
  while (expect <= r.outbox_last) {
    ASSIGN_OR_RETURN(std::vector<uint64_t> page, store.OutboxPositions(expect - 1, 100 * kPage));
    if (page.empty()) break;
    for (const uint64_t position : page) {
      if (position != expect) {
        problem("outbox gap: expected position " + std::to_string(expect) + ", found " +
                std::to_string(position));
        expect = position;
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
