#pragma once
// The storage port: everything the engine persists, behind one narrow interface with an
// in-memory twin (memory_store.h) and a RocksDB implementation (adapters/rocksdb/).
//
// Contract:
//  * Commit() applies a whole WriteSet atomically and returns OK only once it is durable
//    (for RocksDB: fsynced). After a failed Commit the store refuses every later Commit with
//    kUnavailable (nothing may be acknowledged past a failed sync).
//  * Index entries are derived from dossier records by IndexEntries() (indexes.h); a store
//    keeps them consistent inside the same atomic write.
//  * Reads may run on any thread concurrently with one committing writer.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/common/status.h"
#include "engine/dossier/dossier.h"

namespace motcua {

struct IdempotencyRecord {
  std::string key;            // scoped by the caller (principal + client key)
  uint64_t payload_hash = 0;  // of the command as first sent
  std::string dossier_id;     // what the first attempt produced
  int64_t version = 0;
  bool operator==(const IdempotencyRecord&) const = default;
};

struct OutboxEntry {
  uint64_t position = 0;  // gap-free, starting at 1
  Event event;
};

// The events one group commit made durable, in outbox order from `first_position`, each change
// with its dossier as the commit left it: what the committer hands to readers of the outbox that
// would otherwise read and decode the same events back (outbound delivery).
struct CommittedEvents {
  struct Change {
    std::shared_ptr<const Dossier> dossier;
    std::vector<Event> events;
  };
  uint64_t first_position = 0;
  size_t event_count = 0;
  std::vector<Change> changes;
  uint64_t last_position() const { return first_position + event_count - 1; }
};

// Shared, immutable states: the engine hands the same state to the write, to later commands of
// the same group and to the caller without copying it.
struct DossierChange {
  std::shared_ptr<const Dossier> before;  // null for a new dossier
  std::shared_ptr<const Dossier> after;
  std::vector<Event> events;  // appended to history and to the outbox, in order

  DossierChange() = default;
  DossierChange(std::shared_ptr<const Dossier> b, std::shared_ptr<const Dossier> a,
                std::vector<Event> e)
      : before(std::move(b)), after(std::move(a)), events(std::move(e)) {}
  // From values (tests, tools).
  DossierChange(std::optional<Dossier> b, Dossier a, std::vector<Event> e)
      : before(b ? std::make_shared<const Dossier>(std::move(*b)) : nullptr),
        after(std::make_shared<const Dossier>(std::move(a))),
        events(std::move(e)) {}
};

struct WriteSet {
  std::vector<DossierChange> changes;
  std::vector<IdempotencyRecord> idempotency;
  std::vector<std::pair<std::string, int64_t>> counters;  // name → new value
  // Report counters (engine/report/counters.h): name → change, added to the stored sum.
  std::vector<std::pair<std::string, int64_t>> report_deltas;
  uint64_t first_outbox_position = 0;  // position of the first event of changes[0]
  size_t event_count() const;
  // The store's own encoding of this write, made by Store::Encode off the commit path.
  std::shared_ptr<const void> encoded;
};

// Filters for work queues and searches; empty fields do not filter. Results come in the order of
// the index the query uses (ids, due instants or reception instants); `cursor` continues after
// the last result of a previous page (keyset pagination, stable under concurrent writes).
struct DossierQuery {
  std::string agency;  // receiving or competent agency
  std::optional<DossierStatus> status;
  std::string step;
  std::string assignee;
  std::string procedure_code;
  std::string applicant_id;
  std::string name_prefix;            // applicant names starting so, folded (engine/common/fold.h)
  std::string phone;                  // applicant phone, digits only
  std::string number_prefix;          // dossier numbers starting so
  std::optional<Instant> due_before;  // open dossiers due strictly before
  std::optional<Instant> received_from;   // received at or after
  std::optional<Instant> received_until;  // received before
  std::string cursor;                     // opaque: QueryPage::next_cursor of the previous page
  size_t limit = 50;
  // A further condition (the caller's scope, an agency's units): a page holds up to `limit`
  // dossiers that pass it.
  std::function<bool(const Dossier&)> visible;
};

struct QueryPage {
  std::vector<std::shared_ptr<const Dossier>> dossiers;  // as the query read them
  std::string next_cursor;                               // opaque; empty when there is nothing more
};

struct DueTimer {
  Timer timer;
  std::string dossier_id;
  std::string entry;  // its index entry: DueTimers(upto, limit, entry) goes on after it
};

class Store {
 public:
  virtual ~Store() = default;
  // OK while Commit may succeed; otherwise why writes are refused (a store opened read-only, or
  // one whose write failed). The dossier service stops writes from the start on it.
  virtual Status Writable() const { return Status::Ok(); }
  // OK when the store answers now: a store on a database server asks it (one round trip), an
  // embedded one always does. Readiness asks it.
  virtual Status Ping() { return Status::Ok(); }
  // After a failed write, makes the store writable again where it can (a store whose database
  // server went away connects again); not OK, and writes still refused, when it cannot or cannot
  // yet. The caller's writer is quiet meanwhile (no Encode or Commit runs), and re-reads what it
  // holds of the store afterwards (the last outbox position, counters): the failed write may
  // have taken effect or not.
  virtual Status Recover() {
    return FailedPrecondition(
        "this store does not recover from a failed write: restart the server once the cause is "
        "fixed");
  }
  virtual Result<std::optional<Dossier>> Get(const std::string& id) = 0;
  // The dossier as a shared, immutable state (null when unknown). A store may answer from a
  // cache of recent durable states; Get always reads the stored record (verification uses it).
  virtual Result<std::shared_ptr<const Dossier>> GetShared(const std::string& id);
  // The dossier a number names: by default through the number index (ScanIndex).
  virtual Result<std::optional<std::string>> IdByNumber(const std::string& number);
  virtual Result<std::vector<Event>> History(const std::string& id) = 0;
  virtual Result<std::optional<IdempotencyRecord>> Idempotency(const std::string& key) = 0;
  virtual Result<int64_t> Counter(const std::string& name) = 0;  // 0 when never set
  virtual Result<uint64_t> LastOutboxPosition() = 0;             // 0 when empty
  // Commits several write sets, in order, atomically, in one durable write.
  virtual Status Commit(const std::vector<const WriteSet*>& sets) = 0;
  Status Commit(const WriteSet& w) { return Commit(std::vector<const WriteSet*>{&w}); }
  // Optionally prepares `w` for Commit (serialisation, index differences) so that the commit
  // itself does as little as possible. Pure CPU; safe to call while another Commit runs.
  virtual void Encode(WriteSet& w) { (void)w; }
  // Pending timers with at <= upto, earliest first; after `after` (a DueTimer's entry) when given.
  // A burst goes on from where its last round stopped: read from the start each time, the index
  // would have to be skipped over all the entries the rounds before deleted, until compaction
  // drops them (that took half a core during a burst of 340,000).
  Result<std::vector<DueTimer>> DueTimers(Instant upto, size_t limit,
                                          const std::string& after = "");
  // Outbox entries with position > after, in order.
  virtual Result<std::vector<OutboxEntry>> ReadOutbox(uint64_t after, size_t limit) = 0;
  // Only their positions (verification's gap check reads ten million of them: a store answers
  // without reading the events). By default through ReadOutbox.
  virtual Result<std::vector<uint64_t>> OutboxPositions(uint64_t after, size_t limit);
  // Reads the dossiers it finds through GetShared (a store's record cache, where it has one).
  Result<QueryPage> Query(const DossierQuery& q);
  // Calls `each` with every open dossier (of `procedure_code` when it is not empty), status by
  // status, a page of queries at a time; stops at the first error `each` returns, and returns it.
  Status ForEachOpen(const std::string& procedure_code,
                     const std::function<Status(const std::shared_ptr<const Dossier>&)>& each);
  // Every dossier id after `after_id`, ascending (for verification and rebuilds).
  virtual Result<std::vector<std::string>> Ids(const std::string& after_id, size_t limit) = 0;
  // Index entries starting with `prefix`, strictly after `start_after` (when not empty) and
  // before `end_before` (when not empty), in order, at most `limit`. A scan bounded so stops
  // there, not at the next live entry: deleted entries past the bound are never read (RocksDB
  // skips tombstones one by one, and a busy index has many).
  virtual Result<std::vector<std::string>> ScanIndexRange(const std::string& prefix,
                                                          const std::string& start_after,
                                                          const std::string& end_before,
                                                          size_t limit) = 0;
  Result<std::vector<std::string>> ScanIndex(const std::string& prefix,
                                             const std::string& start_after, size_t limit) {
    return ScanIndexRange(prefix, start_after, "", limit);
  }
  // Whether the index holds exactly this entry.
  virtual Result<bool> HasIndexEntry(const std::string& entry) = 0;
  // Every index entry in the store, in order, after `start_after` (verification).
  virtual Result<std::vector<std::string>> AllIndexEntries(const std::string& start_after,
                                                           size_t limit) = 0;
  // Calls `fn` with every report counter whose name lies in [begin, end), in order (sums that
  // came to zero may be reported or not).
  virtual Status ScanReportCounters(
      const std::string& begin, const std::string& end,
      const std::function<void(std::string_view name, int64_t value)>& fn) = 0;

  // Bookkeeping of the adapters around the engine (outbound delivery's cursors and dead letters,
  // docs/storage.md): small values by key, apart from dossiers and their commits.
  // WriteStates puts (a value) and deletes (nullopt) atomically; it is not synced, so a crash
  // may lose its last writes: what is kept here must be safe to redo (at-least-once delivery).
  using StateWrite = std::pair<std::string, std::optional<std::string>>;
  virtual Result<std::optional<std::string>> GetState(const std::string& key) = 0;
  virtual Status WriteStates(const std::vector<StateWrite>& writes) = 0;
  // Every state whose key starts with `prefix`, in key order, after `start_after` (when not
  // empty), at most `limit`.
  virtual Result<std::vector<std::pair<std::string, std::string>>> ScanStates(
      const std::string& prefix, const std::string& start_after, size_t limit) = 0;
};

}  // namespace motcua
