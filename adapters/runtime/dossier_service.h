#pragma once
// The dossier service: commands from a queue are processed in order by one processor thread and
// committed by one committer thread, everything a batch changed in one synced write (group
// commit). The two stages overlap: while batch N is being synced, batch N+1 is processed
// against the state batch N leaves (kept in flight until N is durable). Batches commit in
// order; after a failed commit every later batch is refused. Callers on any thread get a
// future that resolves only once their command's changes are durable, or with the reason
// nothing was written. What one batch does with its commands is engine/batch/command_batch.h.
//
// Also runs the timer loop: pending timers that have come due (the store's due-instant index)
// are fired as commands, so each fires exactly once, including those that came due while the
// process was down.
//
// Threads: the processor thread alone touches the fields marked "processor thread"; everything
// else shared is GUARDED_BY its mutex (checked by the Clang build, scripts/thread_safety.sh).

#include <atomic>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <thread>

#include "adapters/runtime/cond_var.h"
#include "engine/batch/command_batch.h"
#include "engine/common/clock.h"
#include "engine/common/mutex.h"
#include "engine/dossier/processor.h"
#include "engine/store/store.h"

namespace motcua {

struct ServiceOptions {
  // Commands committed together at most; a full queue means callers wait (back-pressure).
  size_t max_batch = 512;     // Default: 512
  size_t max_queue = 100000;  // Default: 100,000 queued commands, then kUnavailable
  // How often the timer loop looks for due timers: a poll is one seek of the due index. 200 ms
  // keeps the lag of timers coming due one after another at p99 ~250 ms, where 1 s made it ~1 s
  // (bench/README.md, "Timers that come due one after another").
  int timer_poll_ms = 200;  // Default: 200 ms
  // Due timers read and submitted per round of a burst (bench/README.md, "A burst of due
  // timers"); how many of them go into the writes at a time is timer_batch's.
  size_t timer_round = 250;  // Default: 250
  // Timer commands processed but not yet durable, at most, while other commands arrive (one did
  // in the last 100 ms), and when none do. A batch takes the other commands waiting first, then
  // timers up to this: a command arriving during a burst waits for a few timers in its
  // processing and in its sync, not for a round (bench/README.md, "The HTTP write mix during a
  // burst of due timers").
  size_t timer_batch = 4;          // Default: 4
  size_t timer_batch_alone = 256;  // Default: 256
  bool run_timers = true;          // Default: true
  // After a failed write, take writing up again where the store can (Store::Recover: a
  // PostgreSQL store whose server went away connects again): first after recover_backoff_ms,
  // then doubling (with jitter) up to recover_backoff_max_ms. Off, or on a store that cannot
  // (RocksDB: a failed sync is not retried), writes stay stopped until a restart.
  bool recover_writes = true;          // Default: true
  int recover_backoff_ms = 250;        // Default: 250 ms
  int recover_backoff_max_ms = 10000;  // Default: 10 s
  EngineSettings engine;
};

struct ServiceStats {
  std::atomic<uint64_t> batches{0};
  std::atomic<uint64_t> commands{0};
  std::atomic<uint64_t> rejections{0};
  std::atomic<uint64_t> sync_micros{0};     // time inside Store::Commit
  std::atomic<uint64_t> process_micros{0};  // time processing commands into write sets
  std::atomic<uint64_t> timers_fired{0};
  std::atomic<int64_t> timer_lag_seconds{0};  // how late the last fired timer was
};

class DossierService {
 public:
  DossierService(Store* store, std::shared_ptr<const ProcedureCatalog> catalog, Clock* clock,
                 IdSource* ids, ServiceOptions options = {});
  ~DossierService();

  // Reads the outbox position (one seek), starts the writer and the timer loop.
  Status Start();
  // Stops taking commands, finishes those queued, joins the threads.
  void Stop();

  std::future<CommandResult> Submit(CommandRequest request);
  // Calls `done` once the command is durable or refused: on the committer thread (or inline
  // when refused at once). `done` must not block.
  void SubmitAsync(CommandRequest request, std::function<void(CommandResult)> done);
  CommandResult Execute(CommandRequest request) { return Submit(std::move(request)).get(); }
  // Commands waiting to be processed (for overload decisions and metrics).
  size_t queued() const;

  // Swaps the definitions for commands processed from now on.
  void SetCatalog(std::shared_ptr<const ProcedureCatalog> catalog);
  std::shared_ptr<const ProcedureCatalog> catalog() const;
  // Called on the writer thread after each durable commit with the last outbox position.
  void OnCommit(std::function<void(uint64_t last_position)> listener);
  // Called on the writer thread after each durable commit with the events it wrote (moved out of
  // the commit's write sets: no copy). Must not block.
  void OnCommitEvents(std::function<void(std::shared_ptr<const CommittedEvents>)> listener);
  // Fires every timer due at the clock's current time, in rounds of timer_round one after another,
  // until fewer than a round are due; returns how many fired. (The timer loop calls this; tests
  // and the training clock call it directly.)
  Result<size_t> FireDueTimers();

  // After writes stopped, tries once to take them up again: the commands in flight are answered
  // first, then the store recovers (Store::Recover) and the service reads again what it holds
  // of it (the outbox position, the counters), since the failed write may have taken effect.
  // OK when writes go on; the store's reason otherwise (kFailedPrecondition: it never will).
  Status Recover();

  bool writable() const { return !failed_.load(); }
  std::string failure() const;
  uint64_t last_outbox_position() const { return last_position_.load(); }
  const ServiceStats& stats() const { return stats_; }
  Store* store() { return store_; }

 private:
  struct Pending {
    CommandRequest request;
    std::function<void(CommandResult)> done;
  };
  // A processed batch on its way to disk.
  struct Prepared {
    uint64_t seq = 0;
    WriteSet writes;
    std::vector<Pending> pending;
    std::vector<CommandResult> results;
    size_t timers = 0;  // timer commands among `pending`
  };
  template <typename T>
  struct InFlight {
    T value;
    uint64_t seq;  // the batch that wrote it
  };
  class InFlightState;  // CommittedState over the store and the batches in flight

  void ProcessLoop();
  // Timers that may be processed but not yet durable now (timer_batch or timer_batch_alone).
  size_t TimerCap() const REQUIRES(mu_);
  void CommitLoop();
  void TimerLoop();
  // Calls Recover with backoff while writes are stopped (recover_writes).
  void RecoverLoop();
  // On the processor thread, between batches: once the committer is idle, Store::Recover and
  // the re-reads.
  Status RecoverOnProcessor();
  Prepared ProcessBatch(std::vector<Pending> batch);
  void CommitGroup(std::vector<Prepared>& group);
  // Records the first failure; writes stay stopped until Recover.
  void Fail(const std::string& reason) EXCLUDES(mu_);

  Store* store_;
  Clock* clock_;
  IdSource* ids_;
  ServiceOptions options_;

  mutable Mutex catalog_mu_;
  std::shared_ptr<const ProcedureCatalog> catalog_ GUARDED_BY(catalog_mu_);

  // The command queue and the service's life.
  mutable Mutex mu_;
  CondVar queue_cv_;  // a command was queued, or stopping
  CondVar timer_cv_;  // stopping (the timer loop sleeps on it)
  std::deque<Pending> queue_ GUARDED_BY(mu_);
  // Timers fired: a batch takes them after every other command waiting, and only while fewer
  // than timer_batch (or timer_batch_alone) are processed but not yet durable.
  std::deque<Pending> timer_queue_ GUARDED_BY(mu_);
  size_t timers_in_flight_ GUARDED_BY(mu_) = 0;
  // When a command other than a timer was last queued (the timers' share of the writes).
  std::chrono::steady_clock::time_point last_other_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;
  std::string failure_ GUARDED_BY(mu_);
  std::vector<std::function<void(uint64_t)>> listeners_ GUARDED_BY(mu_);
  std::vector<std::function<void(std::shared_ptr<const CommittedEvents>)>> event_listeners_
      GUARDED_BY(mu_);
  std::thread processor_;
  std::thread committer_;
  std::thread timer_;
  std::thread recoverer_;
  CondVar failed_cv_;  // writes stopped, or stopping (the recovery loop sleeps on it)
  // Callers of Recover waiting for the processor to take it up.
  std::vector<std::shared_ptr<std::promise<Status>>> recover_waiters_ GUARDED_BY(mu_);

  // Processor → committer hand-off, at most kMaxInFlightBatches deep.
  Mutex commit_mu_;
  CondVar commit_cv_;
  std::deque<Prepared> commit_queue_ GUARDED_BY(commit_mu_);
  bool processor_done_ GUARDED_BY(commit_mu_) = false;
  bool committing_ GUARDED_BY(commit_mu_) = false;  // the committer is writing a group
  // Committed batches, freed by the processor so the committer spends no time on it.
  std::vector<Prepared> committed_ GUARDED_BY(commit_mu_);

  // State written by batches that are not yet durable, visible to later batches.
  Mutex inflight_mu_;
  std::map<std::string, InFlight<std::shared_ptr<const Dossier>>> inflight_dossiers_
      GUARDED_BY(inflight_mu_);
  std::map<std::string, InFlight<IdempotencyRecord>> inflight_idempotency_ GUARDED_BY(inflight_mu_);

  // Processor thread only.
  uint64_t next_seq_ = 1;
  uint64_t next_position_ = 1;  // next outbox position to assign
  // Counter values including batches in flight (a failed commit stops all writes, so they
  // never need rolling back; a recovery reads them again).
  std::map<std::string, int64_t> counters_;

  std::atomic<bool> failed_{false};
  std::atomic<uint64_t> last_position_{0};
  ServiceStats stats_;
};

// Time-ordered random ids: 12 hex digits of milliseconds + 8 random hex digits.
class RandomIdSource : public IdSource {
 public:
  explicit RandomIdSource(Clock* clock);
  std::string NewId() override;

 private:
  Clock* clock_;
  Mutex mu_;
  uint64_t state_ GUARDED_BY(mu_);
};

class SystemClock : public Clock {
 public:
  Instant Now() override;
};

}  // namespace motcua
