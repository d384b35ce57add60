#pragma once
// The in-memory twin of the RocksDB store: same contract (store.h), same index entries, no
// durability. For tests and for running the engine without a disk. Thread-safe.

#include <map>
#include <set>

#include "engine/common/mutex.h"
#include "engine/store/store.h"

namespace motcua {

class MemoryStore : public Store {
 public:
  Result<std::optional<Dossier>> Get(const std::string& id) override;
  Result<std::optional<std::string>> IdByNumber(const std::string& number) override;
  Result<std::vector<Event>> History(const std::string& id) override;
  Result<std::optional<IdempotencyRecord>> Idempotency(const std::string& key) override;
  Result<int64_t> Counter(const std::string& name) override;
  Result<uint64_t> LastOutboxPosition() override;
  using Store::Commit;
  Status Commit(const std::vector<const WriteSet*>& sets) override;
  Result<std::vector<OutboxEntry>> ReadOutbox(uint64_t after, size_t limit) override;
  Result<std::vector<std::string>> Ids(const std::string& after_id, size_t limit) override;
  Result<std::vector<std::string>> ScanIndexRange(const std::string& prefix,
                                                  const std::string& start_after,
                                                  const std::string& end_before,
                                                  size_t limit) override;
  Result<bool> HasIndexEntry(const std::string& entry) override;
  Result<std::vector<std::string>> AllIndexEntries(const std::string& start_after,
                                                   size_t limit) override;
  Status ScanReportCounters(
      const std::string& begin, const std::string& end,
      const std::function<void(std::string_view name, int64_t value)>& fn) override;

  Result<std::optional<std::string>> GetState(const std::string& key) override;
  Status WriteStates(const std::vector<StateWrite>& writes) override;
  Result<std::vector<std::pair<std::string, std::string>>> ScanStates(
      const std::string& prefix, const std::string& start_after, size_t limit) override;

  // Test hook: make every later Commit fail, as a failed sync would.
  void FailCommits(bool fail);

 private:
  void Apply(const WriteSet& w) REQUIRES(mu_);

  Mutex mu_;
  bool failing_ GUARDED_BY(mu_) = false;
  bool broken_ GUARDED_BY(mu_) = false;  // a Commit failed: refuse writes from now on
  std::map<std::string, Dossier> dossiers_ GUARDED_BY(mu_);
  std::map<std::string, std::vector<Event>> history_ GUARDED_BY(mu_);
  std::set<std::string> index_ GUARDED_BY(mu_);
  std::map<std::string, IdempotencyRecord> idempotency_ GUARDED_BY(mu_);
  std::map<std::string, int64_t> counters_ GUARDED_BY(mu_);
  std::map<std::string, int64_t> report_ GUARDED_BY(mu_);
  std::map<uint64_t, Event> outbox_ GUARDED_BY(mu_);
  std::map<std::string, std::string> states_ GUARDED_BY(mu_);
};

}  // namespace motcua
