#pragma once
// The PostgreSQL store: the storage port (engine/store/store.h) on PostgreSQL through libpq,
// beside the RocksDB store and held to the same conformance suite. Tables and their values are
// in adapters/postgres/schema/ and docs/storage.md ("PostgreSQL").
//
// Every group commit is one transaction, sent as one pipeline (BEGIN, a statement per table over
// arrays of rows, COMMIT: one round trip), and acknowledged only once COMMIT has returned. The
// values and hash chains are byte for byte those of the RocksDB store. After a failed commit
// the store refuses every later write (kUnavailable), as the RocksDB store does; reads go on,
// each on a pooled connection that is dropped and made again when its server went away. Recover
// connects the writer again (the dossier service calls it, with backoff, once it is quiet).
//
// One server writes a database: the writer holds a session advisory lock, and a second server
// pointed at the same database is refused at open.

#include <algorithm>
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "adapters/postgres/pg.h"
#include "adapters/rocksdb/chain.h"
#include "adapters/rocksdb/record_cache.h"
#include "adapters/rocksdb/store_rows.h"
#include "engine/common/mutex.h"
#include "engine/store/store.h"
#include "engine/store/write_latch.h"

namespace motcua {

struct PgStoreOptions {
  // libpq's connection string or URI ("host=… port=… dbname=…", "postgresql://…"); a
  // multi-host one with target_session_attrs=read-write finds the primary after a failover.
  std::string dsn;
  // Connections kept open for reads (more are made while many threads read at once).
  size_t read_connections = 4;  // Default: 4
  // Recent dossier records kept decoded in memory (record_cache.h); 0 turns the cache off.
  size_t record_cache_entries = 20000;  // Default: 20,000
  // Apply the schema's migrations at open. Off (verification): a database that lacks some is
  // refused, and nothing is written.
  bool migrate = true;  // Default: true
  // Open for reading only: no writer connection, no lock, every Commit refused.
  bool read_only = false;  // Default: false
};

class PgStore : public Store, public RowStore {
 public:
  static Result<std::unique_ptr<PgStore>> Open(const PgStoreOptions& options);
  ~PgStore() override;

  // The schema version this build writes: the number of the last file in schema/.
  static int SchemaVersion();

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
  Result<std::vector<uint64_t>> OutboxPositions(uint64_t after, size_t limit) override;
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
  Status Writable() const override;
  // SELECT 1 on a pooled connection.
  Status Ping() override;
  // Connects the writer again (with the checks and the lock of Open), and forgets the records
  // and the chain's head it held: what the failed commit did is read from the database.
  Status Recover() override;

  // The whole store as rows (store_rows.h, `motcua copy`): read in one REPEATABLE READ
  // transaction, written in one transaction a call.
  Status ScanRows(const std::function<Status(const StoreRow&)>& fn) override;
  Status WriteRows(const std::vector<StoreRow>& rows) override;
  std::unique_ptr<HistoryReader> NewHistoryReader() override;
  Status ScanOutbox(
      const std::function<Status(uint64_t position, std::string_view key,
                                 std::string_view event_hash, std::string_view global_hash)>& fn,
      const std::function<void(std::string)>& problem) override;
  Result<std::optional<std::string>> StoredEvent(std::string_view key) override;
  Result<ChainHead> GlobalHead() override;
  // With synchronous_commit on, whatever the database's default.
  Status PutStateSynced(const std::string& key, const std::string& value) override;
  // The dossier's stored events in version order, with their history keys (one query).
  Status StoredHistory(
      const std::string& id,
      const std::function<Status(std::string_view key, std::string_view stored)>& fn);

  // The global hash chain's hash at `position` (kNotFound when there is none).
  Result<std::string> GlobalHashAt(uint64_t position) override;
  // The store's own settings ("mode", "clock"), as the RocksDB store keeps them.
  Result<std::optional<std::string>> Setting(const std::string& key);
  Status PutSetting(const std::string& key, const std::string& value);
  // Whether this open created the schema; what the migrations did ("schema 0 → 1"), or empty.
  bool created() const { return created_; }
  const std::string& migration() const { return migration_; }

 private:
  PgStore() = default;
  // Runs `fn` on a pooled read connection; a connection that broke is not given back.
  template <typename T, typename Fn>
  Result<T> Read(Fn fn);
  Status Migrate(pg::Conn& c);
  // Each of `selects` read through a cursor, a page at a time, in one REPEATABLE READ READ ONLY
  // transaction (a snapshot): `page` gets the select's index and each page.
  Status ScanSnapshot(const std::vector<std::string_view>& selects,
                      const std::function<Status(size_t select, const pg::Rows&)>& page);
  // Readies `conn` to be the writer: checks the server's durability settings, takes the
  // writer's lock.
  Status CheckWriter(pg::Conn& conn);
  // A new writer connection in place of the one there (closed first).
  Status Reconnect() REQUIRES(writer_mu_);

  PgStoreOptions options_;
  std::unique_ptr<RecordCache> records_;
  Mutex writer_mu_;
  std::unique_ptr<pg::Conn> writer_ GUARDED_BY(writer_mu_);
  Mutex pool_mu_;
  std::vector<std::unique_ptr<pg::Conn>> idle_ GUARDED_BY(pool_mu_);
  WriteLatch writes_;
  bool created_ = false;
  std::string migration_;
  GlobalChain chain_;  // as Encode left it
};

template <typename T, typename Fn>
Result<T> PgStore::Read(Fn fn) {
  std::unique_ptr<pg::Conn> c;
  {
    MutexLock lock(&pool_mu_);
    while (!idle_.empty() && !c) {
      c = std::move(idle_.back());
      idle_.pop_back();
      // One the server closed while it was idle (a restart) is dropped, not failed on.
      if (c->ClosedWhileIdle()) c.reset();
    }
  }
  if (!c) {
    ASSIGN_OR_RETURN(c, pg::Conn::Open(options_.dsn));
  }
  Result<T> out = fn(*c);
  if (c->healthy()) {
    MutexLock lock(&pool_mu_);
    if (idle_.size() < std::max<size_t>(1, options_.read_connections)) {
      idle_.push_back(std::move(c));
    }
  }
  return out;
}

}  // namespace motcua
