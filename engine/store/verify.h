#pragma once
// Store verification: every dossier's history replays to its stored record, every index entry
// the record implies exists, no index entry exists that no record implies, dossier numbers are
// unique, the report counters are what the histories count, and the outbox is gap-free. Reads only;
// safe on a live store (it may then report writes that raced with it).

#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "engine/common/job_runner.h"
#include "engine/store/store.h"

namespace motcua {

// A set of strings that may outgrow memory: verification keeps in one the index entries every
// record implies and the dossier numbers, then reads it back in byte order beside the store's
// own index (a merge, not a lookup per entry). Add in any order; Scan gives each key once, in
// byte order. Adapters keep it on disk (adapters/rocksdb/scratch_set.h).
class ScratchSet {
 public:
  virtual ~ScratchSet() = default;
  virtual Status Add(std::string_view key) = 0;
  virtual Status Scan(const std::function<Status(std::string_view key)>& each) = 0;
};

// In memory: for tests and small stores.
class MemoryScratchSet : public ScratchSet {
 public:
  Status Add(std::string_view key) override {
    keys_.emplace(key);
    return Status::Ok();
  }
  Status Scan(const std::function<Status(std::string_view key)>& each) override {
    for (const std::string& k : keys_) RETURN_IF_ERROR(each(k));
    return Status::Ok();
  }

 private:
  std::set<std::string> keys_;
};

struct VerifyReport {
  size_t dossiers = 0;
  size_t events = 0;
  size_t index_entries = 0;
  size_t report_counters = 0;
  uint64_t outbox_last = 0;
  std::vector<std::string> problems;  // empty = consistent
  bool ok() const { return problems.empty(); }
};

struct VerifyOptions {
  // Stops collecting after this many problems (the count of dossiers checked stays exact).
  size_t max_problems = 100;
  // Empty, owned by the caller: holds what must be sorted. Null: a MemoryScratchSet. Memory is
  // then bounded by a page of dossiers and the report counters, whatever the store's size.
  ScratchSet* scratch = nullptr;
  // When given, each page of ids is split between its threads and checked there, while the
  // calling thread files the page before into `scratch`. Null: everything on the calling thread.
  JobRunner* runner = nullptr;
  // When given, shown each stored dossier as it is read (other checks ride on the same read of
  // the store; an error it returns ends the verification). With more than one thread it is
  // called from several at once, and must be safe to.
  std::function<Status(const Dossier&)> visit;
  // When given, reads a stored dossier's history in place of Store::History, so that an adapter
  // checks what else the stored history holds (the hash chains) on the same read of it. Called
  // after `visit`, from several threads at once with more than one thread.
  std::function<Result<std::vector<Event>>(const Dossier& stored)> history;
  // When given, called once every dossier is checked, before the rest (the index merge, the
  // counters, the outbox's gaps) goes on on the calling thread alone: the runner's threads are
  // idle from then on, and other checks may start on them.
  std::function<void()> pass_done;
};

Result<VerifyReport> VerifyStore(Store& store, const VerifyOptions& options);

inline Result<VerifyReport> VerifyStore(Store& store, size_t max_problems = 100,
                                        ScratchSet* scratch = nullptr,
                                        std::function<Status(const Dossier&)> visit = nullptr) {
  VerifyOptions options;
  options.max_problems = max_problems;
  options.scratch = scratch;
  options.visit = std::move(visit);
  return VerifyStore(store, options);
}

}  // namespace motcua
