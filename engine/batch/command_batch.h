#pragma once
// One batch of commands turned into one write: each command is checked against the state the
// commands before it left (earlier in this batch, in batches not yet durable, in the store),
// processed (engine/dossier/processor.h), and its changes staged: the dossier record, its events,
// the idempotency record and the counters it moved. Pure: no threads, no clock reads, no I/O of
// its own. The dossier service (adapters/runtime/dossier_service.h) runs a batch per group
// commit on its processor thread; tests run it directly over the in-memory store.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/common/clock.h"
#include "engine/common/status.h"
#include "engine/dossier/processor.h"
#include "engine/report/counters.h"
#include "engine/store/store.h"

namespace motcua {

struct CommandRequest {
  Command command;
  // Scoped by the caller (e.g. principal id + client key); empty = not idempotent.
  std::string idempotency_key;
  uint64_t payload_hash = 0;  // of the command as the client sent it
};

struct CommandResult {
  Status status;                       // non-OK: nothing was written (unavailable, conflict, ...)
  std::optional<Rejection> rejection;  // the rules rejected it; nothing was written
  std::optional<Dossier> dossier;      // the dossier after the command
  std::vector<Event> events;           // what the command did (empty on a replay)
  bool replayed = false;               // an idempotent retry: the original command's outcome
  bool accepted() const { return status.ok() && !rejection; }
};

// The state committed before a batch: the store, and what batches not yet durable wrote.
class CommittedState {
 public:
  virtual ~CommittedState() = default;
  // Null when there is no such dossier.
  virtual Result<std::shared_ptr<const Dossier>> FindDossier(const std::string& id) = 0;
  virtual Result<std::optional<IdempotencyRecord>> FindIdempotency(const std::string& key) = 0;
  // 0 when never set.
  virtual Result<int64_t> CounterValue(const std::string& name) = 0;
  // A dossier's durable history; kUnavailable while it has changes not yet durable.
  virtual Result<std::vector<Event>> History(const std::string& id) = 0;
};

// The state of a store, as it is (for callers that commit each batch before the next).
class StoreState : public CommittedState {
 public:
  explicit StoreState(Store* store) : store_(store) {}
  Result<std::shared_ptr<const Dossier>> FindDossier(const std::string& id) override;
  Result<std::optional<IdempotencyRecord>> FindIdempotency(const std::string& key) override;
  Result<int64_t> CounterValue(const std::string& name) override;
  Result<std::vector<Event>> History(const std::string& id) override;

 private:
  Store* store_;
};

class CommandBatch {
 public:
  // Every command of the batch sees `catalog` and `now`; new dossiers take ids from `ids`; the
  // batch's first event goes to outbox position `first_outbox_position`.
  CommandBatch(const ProcedureCatalog* catalog, const EngineSettings& settings, Instant now,
               IdSource* ids, CommittedState* state, uint64_t first_outbox_position);

  // Processes one command on top of everything added before. Its changes are staged, not
  // written: an accepted result is acknowledged only once the batch's write is durable.
  CommandResult Add(const CommandRequest& request);

  // The write holding everything staged (Store::Commit takes it).
  WriteSet& writes() {
    writes_.counters.assign(counters_.begin(), counters_.end());
    writes_.report_deltas = SortedChanges(report_deltas_);
    return writes_;
  }
  // What the batch staged, for the batches that follow while it is in flight.
  const std::map<std::string, std::shared_ptr<const Dossier>>& staged_dossiers() const {
    return overlay_;
  }
  const std::map<std::string, IdempotencyRecord>& staged_idempotency() const { return idem_; }
  const std::map<std::string, int64_t>& staged_counters() const { return counters_; }

 private:
  // An idempotency record staged in this batch, else the committed one.
  Result<std::optional<IdempotencyRecord>> Record(const std::string& key);
  // Answers with the dossier the record names, as it is now.
  void Replay(const IdempotencyRecord& rec, CommandResult* result);
  // The counter's value on top of this batch and the committed state.
  Result<int64_t> Counter(const std::string& name);
  Result<std::shared_ptr<const Dossier>> Current(const std::string& id);

  const ProcedureCatalog* catalog_;
  EngineSettings settings_;
  Instant now_;
  IdSource* ids_;
  CommittedState* state_;
  WriteSet writes_;
  std::map<std::string, std::shared_ptr<const Dossier>> overlay_;  // states after this batch
  std::map<std::string, size_t> change_of_;  // dossier id → index in writes_.changes
  std::map<std::string, IdempotencyRecord> idem_;
  std::map<std::string, int64_t> counters_;
  CounterDeltas report_deltas_;  // summed over the batch: one change per counter
};

// The idempotency record's key for a portal's dossier code ("portal␟<code>"; docs/storage.md):
// principals' keys ("<principal>:<key>") never hold the separator.
std::string PortalCodeKey(const std::string& portal_code);
// The command that fires a timer that has come due (the timer loop's, and tests').
CommandRequest FireTimerCommand(const DueTimer& due);

}  // namespace motcua
