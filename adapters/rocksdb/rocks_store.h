#pragma once
// The RocksDB store: the durable implementation of the storage port (engine/store/store.h).
// Column families, keys and values are documented in docs/storage.md; ColumnFamily lists them
// once, and their names are never changed or reused.
//
// Every Commit is one WriteBatch across column families, written with sync = true: when
// Commit returns OK the change is on disk. After any failed write the store refuses further
// writes (kUnavailable) until reopened; reads keep working. A store that cannot be opened for
// writing because its disk is full is opened read-only: reads are served, every write refused.

#include <rocksdb/db.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "adapters/rocksdb/chain.h"
#include "adapters/rocksdb/record_cache.h"
#include "adapters/rocksdb/store_rows.h"
#include "adapters/runtime/cond_var.h"
#include "engine/common/mutex.h"
#include "engine/store/store.h"
#include "engine/store/write_latch.h"

namespace rocksdb {
class Env;
class MergeOperator;
}  // namespace rocksdb

namespace motcua {

enum class ColumnFamily : int {
  kDefault = 0,  // "default": meta (format version)
  kDossiers,     // "dossiers": id → v1.Dossier (with its chain's head, format 6)
  kHistory,      // "history": id \0 version(be64) → v1.Event, its chain hash last (chain.h)
  kIndexes,      // "indexes": index entry (indexes.h) → ""
  kIdempotency,  // "idempotency": key → v1.IdempotencyRecord
  kOutbox,       // "outbox": position(be64) → history key, event hash, global hash (chain.h)
  kCounters,     // "counters": name → value(be64)
  kReports,      // "reports": report counter name → sum(le64, merged by addition) (format 4)
  kReportLog,    // "report_log": sequence(be64) → v1.ReportChanges not yet folded (format 5)
  kStates,       // "states": key → value, adapters' bookkeeping (Store::WriteStates) (format 5)
  kCount,
};

struct RocksStoreOptions {
  // Sync every commit (fsync). Only benchmarks of the baseline turn it off.
  bool sync = true;  // Default: true
  // Block cache for reads of dossiers and indexes.
  size_t block_cache_bytes = 64 << 20;  // Default: 64 MiB
  // All column families' memtables being written, together (RocksDB's WriteBufferManager): past
  // 7/8 of it the one holding the oldest data is flushed. Memtables waiting to be flushed are not
  // counted (no stall: commits never wait on it).
  size_t memtable_bytes = 128 << 20;  // Default: 128 MiB
  // Recent dossier records kept decoded in memory (record_cache.h); 0 turns the cache off.
  size_t record_cache_entries = 20000;  // Default: 20,000 dossiers (~4 KB each in memory)
  // An Env to use instead of the default (tests inject a failing file system).
  rocksdb::Env* env = nullptr;  // Default: rocksdb::Env::Default()
  // Open an existing store for reading only: nothing is created or written, every Commit is
  // refused (verification).
  bool read_only = false;  // Default: false
  // Upgrade a store of an older format when it opens for writing. Off: such a store is refused
  // (a backup of a stopped server must copy it as it is).
  bool migrate = true;  // Default: true
  // RocksDB's own messages at or above this level go to stderr (never to a LOG file).
  rocksdb::InfoLogLevel info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;  // Default: warnings
  // How often a background thread folds the report log into the report counters (see
  // FoldReportLog); 0: only at open, at close and when FoldReportLog is called.
  int report_fold_interval_ms = 1000;  // Default: every second
};

class RocksStore : public Store, public RowStore {
 public:
  // The storage format version kept under "format" in the default column family. A change of
  // keys or values bumps it and comes with a migration (docs/storage.md, "Formats").
  static constexpr const char* kFormatKey = "format";
  static constexpr const char* kFormatVersion = "6";

  static Result<std::unique_ptr<RocksStore>> Open(const std::string& path,
                                                  const RocksStoreOptions& options = {});
  ~RocksStore() override;

  Result<std::optional<Dossier>> Get(const std::string& id) override;
  Result<std::shared_ptr<const Dossier>> GetShared(const std::string& id) override;
  Result<std::vector<Event>> History(const std::string& id) override;
  Result<std::optional<IdempotencyRecord>> Idempotency(const std::string& key) override;
  Result<int64_t> Counter(const std::string& name) override;
  Result<uint64_t> LastOutboxPosition() override;
  using Store::Commit;
  Status Commit(const std::vector<const WriteSet*>& sets) override;
  void Encode(WriteSet& w) override;
  Result<std::vector<OutboxEntry>> ReadOutbox(uint64_t after, size_t limit) override;
  // The keys alone: no history read, no event decoded.
  Result<std::vector<uint64_t>> OutboxPositions(uint64_t after, size_t limit) override;
  Result<std::vector<std::string>> Ids(const std::string& after_id, size_t limit) override;
  Result<std::vector<std::string>> ScanIndexRange(const std::string& prefix,
                                                  const std::string& start_after,
                                                  const std::string& end_before,
                                                  size_t limit) override;
  Result<bool> HasIndexEntry(const std::string& entry) override;
  Result<std::vector<std::string>> AllIndexEntries(const std::string& start_after,
                                                   size_t limit) override;
  Result<std::optional<std::string>> GetState(const std::string& key) override;
  Status WriteStates(const std::vector<StateWrite>& writes) override;
  Result<std::vector<std::pair<std::string, std::string>>> ScanStates(
      const std::string& prefix, const std::string& start_after, size_t limit) override;
  // The counters of [begin, end) with the changes of the report log not yet folded into them,
  // read at one snapshot.
  Status ScanReportCounters(
      const std::string& begin, const std::string& end,
      const std::function<void(std::string_view name, int64_t value)>& fn) override;
  // Adds the report log's entries to the report counters and deletes them, in one write: a
  // commit writes one log entry instead of a merge operand per counter (the committer's cost),
  // and a fold sums many commits' changes into one operand per counter. The background thread
  // calls it every report_fold_interval_ms. How many entries it folded.
  Result<size_t> FoldReportLog();

  // Whether writes are refused after a failure (or the store was opened read-only), and why.
  bool write_failed() const { return writes_.failed(); }
  Status Writable() const override;
  // A consistent copy of the store as it stands, in `dir` (which must not exist): RocksDB's
  // checkpoint, hard links to the table files (same file system) and copies of the rest. Writes
  // go on meanwhile; the copy holds every write acknowledged before the call.
  Status CreateCheckpoint(const std::string& dir);
  rocksdb::DB* db() { return db_.get(); }
  rocksdb::ColumnFamilyHandle* handle(ColumnFamily f) const { return cf(f); }
  const RecordCache& record_cache() const { return *records_; }
  // The global hash chain's head (chain.h): the last outbox position and its global hash; position
  // 0 and the zero hash in an empty store. What is committed, not what is being encoded.
  Result<ChainHead> GlobalHead() override;
  // WriteStates, then the write-ahead log synced.
  Status PutStateSynced(const std::string& key, const std::string& value) override;
  // The outbox's global hash at `position` (an audit checkpoint's check); kNotFound when none.
  Result<std::string> GlobalHashAt(uint64_t position) override;
  // What opening did to an older store's format ("format 1 → 2: ..."); empty when nothing.
  const std::string& migration() const { return migration_; }
  // Whether this open created the store.
  bool created() const { return created_; }
  // Settings of the store itself (the default column family, docs/storage.md): "mode" is
  // "training" for a store created in training mode, "clock" the training clock's instant.
  Result<std::optional<std::string>> Setting(const std::string& key) const;
  Status PutSetting(const std::string& key, const std::string& value);  // synced
  // The whole store as rows (store_rows.h, `motcua copy`), read from one snapshot.
  Status ScanRows(const std::function<Status(const StoreRow&)>& fn) override;
  Status WriteRows(const std::vector<StoreRow>& rows) override;
  std::unique_ptr<HistoryReader> NewHistoryReader() override;
  Status ScanOutbox(
      const std::function<Status(uint64_t position, std::string_view key,
                                 std::string_view event_hash, std::string_view global_hash)>& fn,
      const std::function<void(std::string)>& problem) override;
  Result<std::optional<std::string>> StoredEvent(std::string_view key) override;

 private:
  RocksStore() = default;
  // Format 1, 2 or 3 → 5 (report_counters.cc): writes every index entry of every dossier, which
  // adds the status index (`ss`, format 2), the applicant name and phone indexes (`an`, `ph`,
  // format 3) and the overdue dossiers in a pause (`du`, format 4), and counts the report
  // counters (format 4) from every history. Format 4 → 5 only adds the report log's and the
  // states' column families, which the open created. Idempotent: a crash part-way leaves the old
  // format, and the next open does it again.
  Status Migrate(const std::string& from);
  // Format 5 → 6 (chain_migration.cc): the hash chains over every history and the outbox, written
  // in batches, the format last; a crash part-way leaves format 5 and the next open does it again.
  Status MigrateChains(size_t* events);
  void StartFolding();
  void StopFolding();
  rocksdb::ColumnFamilyHandle* cf(ColumnFamily f) const { return handles_[static_cast<int>(f)]; }

  std::string path_;
  RocksStoreOptions options_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::unique_ptr<RecordCache> records_;
  // Refuses every later write, for `why` (the first failure's reason is kept).
  void FailWrites(const std::string& why);
  WriteLatch writes_;
  std::string migration_;
  bool created_ = false;

  GlobalChain chain_;  // as Encode left it

  // The report log (report_counters.cc). Commit takes log_mu_ across choosing an entry's key and
  // the write, so keys become visible in increasing order; folded_upto_ is the last key folded
  // (read before a snapshot, stored after the fold's write), so neither the fold nor a reader
  // walks the tombstones of entries folded before.
  Mutex log_mu_;
  uint64_t next_log_key_ GUARDED_BY(log_mu_) = 1;
  Mutex fold_mu_;  // one fold at a time
  std::atomic<uint64_t> folded_upto_{0};
  Mutex fold_wait_mu_;
  CondVar fold_wake_;
  bool stop_folding_ GUARDED_BY(fold_wait_mu_) = false;
  bool folding_ = false;  // StartFolding ran: close folds what is left
  std::thread folder_;
};

// Big-endian fixed-width encodings so that byte order is numeric order.
std::string EncodeBE64(uint64_t v);
// The history key of a dossier's event: id, \0, version (be64).
std::string HistoryKey(std::string_view id, int64_t version);
// A history key's dossier id and version; false when it is not one.
bool SplitHistoryKey(std::string_view key, std::string* id, int64_t* version);
uint64_t DecodeBE64(const char* p);

// A report counter's value: little-endian two's complement, summed by the column family's merge
// operator (report_counters.cc).
std::string EncodeLE64(int64_t v);
int64_t DecodeLE64(const char* p);
std::shared_ptr<rocksdb::MergeOperator> NewInt64AddOperator();

}  // namespace motcua
