#pragma once
// Verification of the hash chains (chain.h), riding on `motcua verify`'s one read of the store:
// each dossier's history against its chain hashes and its record's head (History, which reads
// the history for VerifyStore's replay too: VerifyOptions::history), then the outbox's global
// chain, the outbox's event hashes against the histories' and the audit checkpoints against the
// chain recomputed (Finish). Memory: a few hashes and the checkpoints, whatever the store's size.
// History may be called from several threads at once (verify checks dossiers on every core);
// Finish after the last History.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "adapters/rocksdb/rocks_store.h"
#include "adapters/rocksdb/store_rows.h"
#include "engine/common/mutex.h"
#include "engine/store/audit_checkpoints.h"
#include "motcua/v1/api.pb.h"

namespace motcua {

// Writes a checkpoint of the global chain's head as committed, unless it is where the last one
// was; returns it (position 0: the outbox is empty, nothing written).
Result<AuditCheckpoint> WriteAuditCheckpoint(Store& store, RowStore& rows, int64_t now);

// A dossier's history with its hash chain and each event's link in the global chain, for a third
// party to check (docs/audit.md); kNotFound when there is no such dossier. `now` is when.
Result<v1::AuditExport> ExportAudit(Store& store, RowStore& rows, const std::string& id,
                                    Instant now);

class ChainCheck {
 public:
  // Over a store's rows (store_rows.h: both stores give them); `store` for its audit
  // checkpoints.
  ChainCheck(Store& store, RowStore& rows, size_t max_problems = 100);
  // A checkpoint an auditor kept (`motcua verify --checkpoint P:H`): the chain recomputed must
  // reach `hash` (hex) at `position`, whatever the store's own checkpoints say.
  void Expect(uint64_t position, const std::string& hash) { expected_[position] = hash; }
  // Reads the dossier's history once: checks its chain (what is wrong goes to problems()) and
  // returns its events decoded. An error only when the store cannot be read or an event does not
  // parse.
  Result<std::vector<Event>> History(const Dossier& d);
  // The outbox's global chain and the checkpoints, recomputed (the first part of Finish): may run
  // before the last History, on a thread of its own, but not at the same time as Finish.
  Status WalkOutbox();
  // What is left after the last History: the histories' event hashes against the outbox's.
  Status Finish();

  std::vector<std::string> problems() const {
    MutexLock lock(&mu_);
    return problems_;
  }
  size_t events() const {
    MutexLock lock(&mu_);
    return events_;
  }
  size_t checkpoints() const { return checkpoints_; }    // the store's, checked
  size_t expected() const { return expected_checked_; }  // the ones given, checked
  // The global chain's head as recomputed from the event hashes.
  uint64_t head_position() const { return head_position_; }
  const std::string& head_hash() const { return head_hash_; }

 private:
  // An order-independent digest of (history key, event hash) pairs: both sides must hold the same.
  // Each pair is hashed with a key drawn for this run (SipHash-2-4, 128 bits: a keyed hash made
  // for this, ~6 times cheaper than a salted SHA-256), so that no one can prepare edits whose
  // hashes add up to the same sums.
  struct Digest {
    uint64_t sum[2] = {0, 0};
    size_t count = 0;
    void Add(std::string_view key_of_run, std::string_view key, std::string_view hash);
    bool operator==(const Digest&) const = default;
  };
  // What one thread checking dossiers needs of its own: Add takes an idle one, or makes one.
  struct Lane {
    std::unique_ptr<RowStore::HistoryReader> history;
    Digest digest;
    size_t events = 0;
  };
  void Problem(std::string p);
  size_t ProblemCount() const {
    MutexLock lock(&mu_);
    return problems_.size();
  }
  Status NameOutboxMismatches();

  Store& store_;
  RowStore& rows_;
  const size_t max_problems_;
  std::string salt_;  // the digests' key
  mutable Mutex mu_;
  std::vector<std::string> problems_ GUARDED_BY(mu_);
  std::vector<std::unique_ptr<Lane>> lanes_ GUARDED_BY(mu_);  // idle
  size_t events_ GUARDED_BY(mu_) = 0;                         // summed from the lanes by Finish
  size_t checkpoints_ = 0;
  std::map<uint64_t, std::string> expected_;
  size_t expected_checked_ = 0;
  Digest histories_;
  Digest outbox_;
  bool outbox_walked_ = false;
  uint64_t head_position_ = 0;
  std::string head_hash_;
};

}  // namespace motcua
