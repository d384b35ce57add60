#pragma once
// A bounded in-memory cache of recent dossier records, so that reading a dossier (the API's most
// frequent request, and the processor's read before each command) usually costs neither a
// RocksDB lookup nor a decode.
//
// Correct by construction rather than by invalidation:
//  * Only durable states enter: the committer adds each written state after its synced write
//    returned OK; a reader adds what it read from RocksDB.
//  * Versions only grow: an entry is replaced only by a higher version of the same dossier.
//  * A reader's state may be older than a commit running at the same time (read before the
//    write, inserted after it and after an eviction). So the reader passes the commit count it
//    saw before reading, and its state enters only if no commit began since.

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/common/mutex.h"
#include "engine/common/status.h"
#include "engine/dossier/dossier.h"
#include "engine/store/store.h"

namespace motcua {

class RecordCache {
 public:
  explicit RecordCache(size_t capacity);

  std::shared_ptr<const Dossier> Find(const std::string& id) const;
  // The cached state of `id`, else what `read` reads from the store (null when there is no such
  // dossier), kept when no commit began while it read: a store's GetShared.
  Result<std::shared_ptr<const Dossier>> Get(
      const std::string& id, const std::function<Result<std::optional<Dossier>>()>& read);
  // Before a write: readers that started before this call will not insert what they read.
  void BeginCommit() { commits_.fetch_add(1, std::memory_order_acq_rel); }
  uint64_t commits() const { return commits_.load(std::memory_order_acquire); }
  // A state that is durable (written by a commit that returned OK).
  void PutCommitted(std::shared_ptr<const Dossier> d);
  // Every state a commit of `sets` left (after the commit returned OK).
  void PutCommitted(const std::vector<const WriteSet*>& sets);
  // A state read from the store; kept only if no commit began since `commits_before_read`.
  void PutRead(std::shared_ptr<const Dossier> d, uint64_t commits_before_read);

  // Forgets every entry: the store may hold states it did not see committed (a write whose
  // outcome was unknown, then a recovery).
  void Clear();

  size_t size() const;
  size_t capacity() const { return capacity_; }

 private:
  static constexpr size_t kShards = 16;
  struct Shard {
    mutable Mutex mu;
    std::unordered_map<std::string, std::shared_ptr<const Dossier>> map GUARDED_BY(mu);
    std::deque<std::string> order GUARDED_BY(mu);  // insertion order, for eviction (oldest first)
  };
  Shard& ShardOf(const std::string& id) const;
  // Under the shard's lock: inserts or replaces with a higher version; evicts the oldest.
  void PutLocked(Shard& s, std::shared_ptr<const Dossier> d) REQUIRES(s.mu);

  size_t capacity_;
  size_t per_shard_;
  mutable Shard shards_[kShards];
  std::atomic<uint64_t> commits_{0};
};

}  // namespace motcua
