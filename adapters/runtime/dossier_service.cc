// The dossier service (dossier_service.h): the command queue, the processor and committer threads
// of the group commit, and the timer loop.

#include "adapters/runtime/dossier_service.h"

#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>

namespace motcua {

namespace {
// Batches processed but not yet durable. The committer writes all of them in one synced write,
// so while one sync runs, the commands processed meanwhile gather for the next.
constexpr size_t kMaxInFlightBatches = 64;
// Other commands arrived this recently: timers go timer_batch at a time (ServiceOptions).
constexpr auto kOthersRecently = std::chrono::milliseconds(100);
}  // namespace

// What a batch reads of the state before it: batches in flight first, then the store. Counters
// come from the processor thread's own values (which include the batches in flight).
class DossierService::InFlightState : public CommittedState {
 public:
  explicit InFlightState(DossierService* s) : s_(s) {}

  Result<std::shared_ptr<const Dossier>> FindDossier(const std::string& id) override {
    {
      MutexLock lock(&s_->inflight_mu_);
      auto it = s_->inflight_dossiers_.find(id);
      if (it != s_->inflight_dossiers_.end()) return it->second.value;
    }
    return s_->store_->GetShared(id);
  }
  Result<std::optional<IdempotencyRecord>> FindIdempotency(const std::string& key) override {
    {
      MutexLock lock(&s_->inflight_mu_);
      auto it = s_->inflight_idempotency_.find(key);
      if (it != s_->inflight_idempotency_.end()) {
        return std::optional<IdempotencyRecord>(it->second.value);
      }
    }
    return s_->store_->Idempotency(key);
  }
  Result<int64_t> CounterValue(const std::string& name) override {
    if (auto it = s_->counters_.find(name); it != s_->counters_.end()) return it->second;
    return s_->store_->Counter(name);
  }
  // Read on the processor thread: only the admin's recompute of due dates needs it.
  Result<std::vector<Event>> History(const std::string& id) override {
    {
      MutexLock lock(&s_->inflight_mu_);
      if (s_->inflight_dossiers_.count(id)) {
        return Status(StatusCode::kUnavailable,
                      "dossier '" + id + "' is being changed; try again in a moment");
      }
    }
    return s_->store_->History(id);
  }

 private:
  DossierService* s_;
};

DossierService::DossierService(Store* store, std::shared_ptr<const ProcedureCatalog> catalog,
                               Clock* clock, IdSource* ids, ServiceOptions options)
    : store_(store), clock_(clock), ids_(ids), options_(options), catalog_(std::move(catalog)) {}

DossierService::~DossierService() { Stop(); }

Status DossierService::Start() {
  // A store that refuses writes from the start (opened read-only on a full disk) serves reads.
  if (Status w = store_->Writable(); !w.ok()) Fail(w.message());
  ASSIGN_OR_RETURN(uint64_t last, store_->LastOutboxPosition());
  last_position_.store(last);
  next_position_ = last + 1;
  processor_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "motcua-process");
    ProcessLoop();
  });
  committer_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "motcua-commit");
    CommitLoop();
  });
  if (options_.run_timers) {
    timer_ = std::thread([this] {
      pthread_setname_np(pthread_self(), "motcua-timers");
      TimerLoop();
    });
  }
  if (options_.recover_writes) {
    recoverer_ = std::thread([this] {
      pthread_setname_np(pthread_self(), "motcua-recover");
      RecoverLoop();
    });
  }
  return Status::Ok();
}

void DossierService::Stop() {
  {
    MutexLock lock(&mu_);
    stopping_ = true;
  }
  queue_cv_.SignalAll();
  timer_cv_.SignalAll();
  failed_cv_.SignalAll();
  if (recoverer_.joinable()) recoverer_.join();
  if (timer_.joinable()) timer_.join();
  if (processor_.joinable()) processor_.join();
  {
    MutexLock lock(&commit_mu_);
    processor_done_ = true;
  }
  commit_cv_.SignalAll();
  if (committer_.joinable()) committer_.join();
}

void DossierService::SetCatalog(std::shared_ptr<const ProcedureCatalog> catalog) {
  MutexLock lock(&catalog_mu_);
  catalog_ = std::move(catalog);
}

std::shared_ptr<const ProcedureCatalog> DossierService::catalog() const {
  MutexLock lock(&catalog_mu_);
  return catalog_;
}

void DossierService::OnCommit(std::function<void(uint64_t)> listener) {
  MutexLock lock(&mu_);
  listeners_.push_back(std::move(listener));
}

void DossierService::OnCommitEvents(
    std::function<void(std::shared_ptr<const CommittedEvents>)> listener) {
  MutexLock lock(&mu_);
  event_listeners_.push_back(std::move(listener));
}

std::string DossierService::failure() const {
  MutexLock lock(&mu_);
  return failure_;
}

void DossierService::Fail(const std::string& reason) {
  {
    // Under the lock: the recovery loop checks the flag under it before it waits.
    MutexLock lock(&mu_);
    if (!failure_.empty()) return;
    failure_ = reason;
    failed_.store(true);
  }
  failed_cv_.SignalAll();
  std::fprintf(stderr, "motcua: writes stopped: %s; reads are still served\n", reason.c_str());
}

Status DossierService::Recover() {
  auto waiter = std::make_shared<std::promise<Status>>();
  std::future<Status> result = waiter->get_future();
  {
    MutexLock lock(&mu_);
    if (!failed_.load()) return Status::Ok();
    if (stopping_) return Unavailable("the service is shutting down");
    recover_waiters_.push_back(waiter);
  }
  queue_cv_.SignalAll();
  return result.get();
}

Status DossierService::RecoverOnProcessor() {
  // Every batch processed before is answered first (refused: writes are stopped), so that
  // nothing written from here on was read or numbered before the re-reads below.
  {
    MutexLock lock(&commit_mu_);
    while (!commit_queue_.empty() || committing_) commit_cv_.Wait(&commit_mu_);
  }
  RETURN_IF_ERROR(store_->Recover());
  Result<uint64_t> last = store_->LastOutboxPosition();
  if (!last.ok()) return Unavailable("cannot read the outbox position: " + last.status().message());
  const uint64_t before = last_position_.load();
  counters_.clear();
  next_position_ = *last + 1;
  last_position_.store(*last);
  {
    MutexLock lock(&mu_);
    failure_.clear();
    failed_.store(false);
  }
  if (*last == before) {
    std::fprintf(stderr,
                 "motcua: writes resumed; the failed write did not take effect (the outbox ends "
                 "at position %llu)\n",
                 static_cast<unsigned long long>(*last));
  } else {
    std::fprintf(stderr,
                 "motcua: writes resumed; the failed write took effect after all (the outbox ends "
                 "at position %llu, not %llu; its commands were answered 503 and a retry with "
                 "their Idempotency-Key is answered from what was written)\n",
                 static_cast<unsigned long long>(*last), static_cast<unsigned long long>(before));
  }
  if (*last != before) {
    // The failed write's events are there after all: the listeners learn of them now (they read
    // what they miss from the outbox).
    std::vector<std::function<void(uint64_t)>> listeners;
    {
      MutexLock lock(&mu_);
      listeners = listeners_;
    }
    for (auto& l : listeners) l(*last);
  }
  return Status::Ok();
}

void DossierService::RecoverLoop() {
  std::mt19937_64 jitter(std::random_device{}());
  int backoff = std::max(1, options_.recover_backoff_ms);
  int attempts = 0;
  while (true) {
    {
      MutexLock lock(&mu_);
      while (!stopping_ && !failed_.load()) failed_cv_.Wait(&mu_);
      if (stopping_) return;
      // A moment before the first attempt too: what failed seldom comes back at once.
      const int wait = backoff / 2 + static_cast<int>(jitter() % static_cast<uint64_t>(backoff));
      failed_cv_.WaitFor(&mu_, std::chrono::milliseconds(wait));
      if (stopping_) return;
    }
    ++attempts;
    Status s = Recover();
    if (s.ok()) {
      if (attempts > 1)
        std::fprintf(stderr, "motcua: writes resumed after %d attempts\n", attempts);
      backoff = std::max(1, options_.recover_backoff_ms);
      attempts = 0;
      continue;
    }
    if (s.code() == StatusCode::kFailedPrecondition) {
      // This store never takes writes up again (RocksDB after a failed sync): until a restart.
      std::fprintf(stderr, "motcua: %s\n", s.message().c_str());
      MutexLock lock(&mu_);
      while (!stopping_) failed_cv_.Wait(&mu_);
      return;
    }
    backoff = std::min(backoff * 2, std::max(1, options_.recover_backoff_max_ms));
    if (attempts == 1 || attempts % 10 == 0) {
      std::fprintf(stderr, "motcua: cannot take writes up again yet (attempt %d): %s\n", attempts,
                   s.message().c_str());
    }
  }
}

std::future<CommandResult> DossierService::Submit(CommandRequest request) {
  auto promise = std::make_shared<std::promise<CommandResult>>();
  std::future<CommandResult> f = promise->get_future();
  SubmitAsync(std::move(request), [promise](CommandResult r) { promise->set_value(std::move(r)); });
  return f;
}

size_t DossierService::queued() const {
  MutexLock lock(&mu_);
  return queue_.size() + timer_queue_.size();
}

void DossierService::SubmitAsync(CommandRequest request, std::function<void(CommandResult)> done) {
  CommandResult refused;
  {
    MutexLock lock(&mu_);
    if (failed_.load()) {
      refused.status = Unavailable("writes are stopped: " + failure_);
    } else if (stopping_) {
      refused.status = Unavailable("the service is shutting down");
    } else if (const size_t queued = queue_.size() + timer_queue_.size();
               queued >= options_.max_queue) {
      refused.status =
          Unavailable("overloaded: " + std::to_string(queued) + " commands are queued");
    } else if (request.command.type == CommandType::kFireTimer) {
      timer_queue_.push_back(Pending{std::move(request), std::move(done)});
    } else {
      queue_.push_back(Pending{std::move(request), std::move(done)});
      last_other_ = std::chrono::steady_clock::now();
    }
  }
  if (!refused.status.ok()) {
    done(std::move(refused));
    return;
  }
  queue_cv_.Signal();
}

size_t DossierService::TimerCap() const {
  // Fewer timers at a time while other commands arrive.
  const bool others = std::chrono::steady_clock::now() - last_other_ < kOthersRecently;
  return std::max<size_t>(1, others ? options_.timer_batch : options_.timer_batch_alone);
}

void DossierService::ProcessLoop() {
  while (true) {
    std::vector<Pending> batch;
    size_t timer_count = 0;
    std::vector<std::shared_ptr<std::promise<Status>>> recover;  // Recover's callers
    bool stopping = false;
    {
      MutexLock lock(&mu_);
      // Waits for a command, or for a timer with room for it (the committer makes room).
      size_t timer_cap = TimerCap();
      while (queue_.empty() && (timer_queue_.empty() || timers_in_flight_ >= timer_cap) &&
             !(stopping_ && timer_queue_.empty()) && recover_waiters_.empty()) {
        queue_cv_.Wait(&mu_);
        timer_cap = TimerCap();
      }
      stopping = stopping_;
      recover.swap(recover_waiters_);
      if (recover.empty() && queue_.empty() && timer_queue_.empty()) return;  // stopping, all done
      if (recover.empty()) {
        const size_t max_batch = std::max<size_t>(1, options_.max_batch);
        const size_t timers =
            std::min(timer_queue_.size(), timer_cap - std::min(timer_cap, timers_in_flight_));
        batch.reserve(std::min(queue_.size() + timers, max_batch));
        while (!queue_.empty() && batch.size() < max_batch) {
          batch.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
        while (timer_count < timers && batch.size() < max_batch) {
          batch.push_back(std::move(timer_queue_.front()));
          timer_queue_.pop_front();
          ++timer_count;
        }
        timers_in_flight_ += timer_count;
      }
    }
    if (!recover.empty()) {
      // Between batches: nothing processed from here on read the store before it recovered.
      const Status s =
          stopping ? Unavailable("the service is shutting down") : RecoverOnProcessor();
      for (auto& w : recover) w->set_value(s);
      continue;
    }
    const auto t0 = std::chrono::steady_clock::now();
    Prepared prepared = ProcessBatch(std::move(batch));
    prepared.timers = timer_count;
    stats_.process_micros.fetch_add(static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0)
            .count()));
    std::vector<Prepared> done;
    {
      MutexLock lock(&commit_mu_);
      while (commit_queue_.size() >= kMaxInFlightBatches) commit_cv_.Wait(&commit_mu_);
      commit_queue_.push_back(std::move(prepared));
      done.swap(committed_);
    }
    commit_cv_.SignalAll();
    // `done` (write sets, encodings, states) is freed here, off the committer's path.
  }
}

void DossierService::CommitLoop() {
  while (true) {
    std::vector<Prepared> group;
    {
      MutexLock lock(&commit_mu_);
      while (!processor_done_ && commit_queue_.empty()) commit_cv_.Wait(&commit_mu_);
      if (commit_queue_.empty()) return;
      while (!commit_queue_.empty()) {
        group.push_back(std::move(commit_queue_.front()));
        commit_queue_.pop_front();
      }
      committing_ = true;
    }
    commit_cv_.SignalAll();
    CommitGroup(group);
    size_t timers = 0;
    for (const Prepared& p : group) timers += p.timers;
    if (timers > 0) {
      {
        MutexLock lock(&mu_);
        timers_in_flight_ -= timers;
      }
      queue_cv_.Signal();
    }
    {
      MutexLock lock(&commit_mu_);
      for (Prepared& p : group) committed_.push_back(std::move(p));
      committing_ = false;
    }
    commit_cv_.SignalAll();
  }
}

DossierService::Prepared DossierService::ProcessBatch(std::vector<Pending> pending) {
  std::shared_ptr<const ProcedureCatalog> catalog = this->catalog();
  Prepared out;
  out.seq = next_seq_++;
  out.results.resize(pending.size());
  InFlightState state(this);
  CommandBatch batch(catalog.get(), options_.engine, clock_->Now(), ids_, &state, next_position_);
  for (size_t i = 0; i < pending.size(); ++i) {
    if (failed_.load()) {
      out.results[i].status = Unavailable("writes are stopped: " + failure());
      continue;
    }
    out.results[i] = batch.Add(pending[i].request);
    if (out.results[i].rejection) stats_.rejections.fetch_add(1);
  }
  out.writes = std::move(batch.writes());
  for (const auto& [name, value] : batch.staged_counters()) counters_[name] = value;
  next_position_ += out.writes.event_count();
  // Encoded before the records are shown to anyone: encoding gives each its hash chain's head.
  store_->Encode(out.writes);
  // Later batches see this batch's state until it is durable.
  {
    MutexLock lock(&inflight_mu_);
    for (const auto& [id, d] : batch.staged_dossiers()) {
      inflight_dossiers_[id] = InFlight<std::shared_ptr<const Dossier>>{d, out.seq};
    }
    for (const auto& [key, r] : batch.staged_idempotency()) {
      inflight_idempotency_[key] = InFlight<IdempotencyRecord>{r, out.seq};
    }
  }
  out.pending = std::move(pending);
  return out;
}

void DossierService::CommitGroup(std::vector<Prepared>& group) {
  std::vector<const WriteSet*> sets;
  size_t commands = 0;
  for (const Prepared& p : group) {
    commands += p.pending.size();
    if (!p.writes.changes.empty() || !p.writes.idempotency.empty()) sets.push_back(&p.writes);
  }
  // Nothing is acknowledged past a failed write, also a group with nothing of its own to write:
  // its replays may answer for writes of an earlier group that never reached the disk.
  Status s;
  if (failed_.load()) {
    s = Unavailable("an earlier write failed: " + failure());
  } else if (!sets.empty()) {
    const auto t0 = std::chrono::steady_clock::now();
    s = store_->Commit(sets);
    const auto micros =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0)
            .count();
    stats_.sync_micros.fetch_add(static_cast<uint64_t>(micros));
    stats_.batches.fetch_add(1);
  }
  if (!s.ok()) {
    Fail(s.message());
    for (Prepared& p : group) {
      for (CommandResult& r : p.results) {
        if (r.status.ok() && !r.rejection) {
          r = CommandResult{};
          r.status = Unavailable("not written: " + s.message());
        }
      }
    }
  } else if (!sets.empty()) {
    const WriteSet& last = *sets.back();
    last_position_.store(last.first_outbox_position + last.event_count() - 1);
  }
  // What these batches wrote is now in the store (or nothing will be written any more).
  {
    MutexLock lock(&inflight_mu_);
    for (const Prepared& p : group) {
      for (const DossierChange& c : p.writes.changes) {
        auto it = inflight_dossiers_.find(c.after->id);
        if (it != inflight_dossiers_.end() && it->second.seq == p.seq) inflight_dossiers_.erase(it);
      }
      for (const IdempotencyRecord& r : p.writes.idempotency) {
        auto it = inflight_idempotency_.find(r.key);
        if (it != inflight_idempotency_.end() && it->second.seq == p.seq) {
          inflight_idempotency_.erase(it);
        }
      }
    }
  }
  stats_.commands.fetch_add(commands);
  for (Prepared& p : group) {
    for (size_t i = 0; i < p.pending.size(); ++i) {
      // The callback goes now: what it holds (a caller's connection, say) must not live on in
      // `committed_`, possibly past its owner (a server shut down before this service).
      auto done = std::move(p.pending[i].done);
      p.pending[i].done = nullptr;
      done(std::move(p.results[i]));
    }
  }
  // The answers are on their way; then the listeners (the streams) hear of the new events.
  if (s.ok() && !sets.empty()) {
    std::vector<std::function<void(uint64_t)>> listeners;
    std::vector<std::function<void(std::shared_ptr<const CommittedEvents>)>> event_listeners;
    {
      MutexLock lock(&mu_);
      listeners = listeners_;
      event_listeners = event_listeners_;
    }
    for (auto& l : listeners) l(last_position_.load());
    if (!event_listeners.empty()) {
      // The events move out of the write sets (written, and never read again: the processor
      // only frees them), with a reference to each dossier as it now stands.
      // Batches' positions follow one another; a batch without changes takes none.
      auto feed = std::make_shared<CommittedEvents>();
      for (Prepared& p : group) {
        if (!p.writes.changes.empty() && feed->event_count == 0) {
          feed->first_position = p.writes.first_outbox_position;
        }
        for (DossierChange& c : p.writes.changes) {
          feed->event_count += c.events.size();
          feed->changes.push_back({c.after, std::move(c.events)});
        }
      }
      if (feed->event_count > 0) {
        std::shared_ptr<const CommittedEvents> shared = std::move(feed);
        for (auto& l : event_listeners) l(shared);
      }
    }
  }
}

Result<size_t> DossierService::FireDueTimers() {
  // Rounds of at most timer_round, each submitted at once and awaited before the next is read.
  // The processor takes the round's commands after any others waiting, a few at a time while
  // others arrive (timer_batch), so a burst does not hold them up. Each round reads the due index
  // on from where the last one stopped. Timers the rules refuse stay due until their dossier
  // changes (a procedure version no longer loaded, say): the rounds go on past them, and the next
  // call reads them again.
  const size_t round = std::max<size_t>(1, options_.timer_round);
  std::string after;
  size_t total = 0;
  while (true) {
    const Instant now = clock_->Now();
    ASSIGN_OR_RETURN(std::vector<DueTimer> due, store_->DueTimers(now, round, after));
    std::vector<std::future<CommandResult>> results;
    results.reserve(due.size());
    for (const DueTimer& t : due) {
      stats_.timer_lag_seconds.store(now.seconds - t.timer.at.seconds);
      results.push_back(Submit(FireTimerCommand(t)));
    }
    size_t fired = 0;
    for (auto& f : results) {
      CommandResult r = f.get();
      if (!r.status.ok()) return r.status;
      if (r.accepted()) ++fired;
    }
    stats_.timers_fired.fetch_add(fired);
    total += fired;
    // A full round may leave more due: go straight on (a morning after a night's downtime has
    // hundreds of thousands), unless the service is stopping.
    if (due.size() < round) break;
    after = due.back().entry;
    MutexLock lock(&mu_);
    if (stopping_) break;
  }
  return total;
}

void DossierService::TimerLoop() {
  std::string timer_failure;  // the last failure logged
  while (true) {
    {
      MutexLock lock(&mu_);
      if (stopping_) return;
    }
    if (!failed_.load()) {
      // A failure is logged once, not at every poll while it lasts (a database away).
      Result<size_t> fired = FireDueTimers();
      if (!fired.ok() && !failed_.load()) {
        const std::string now = fired.status().ToString();
        if (now != timer_failure) std::fprintf(stderr, "timers: %s\n", now.c_str());
        timer_failure = now;
      } else if (fired.ok() && !timer_failure.empty()) {
        std::fprintf(stderr, "timers: fired again\n");
        timer_failure.clear();
      }
    }
    MutexLock lock(&mu_);
    if (!stopping_) timer_cv_.WaitFor(&mu_, std::chrono::milliseconds(options_.timer_poll_ms));
    if (stopping_) return;
  }
}

RandomIdSource::RandomIdSource(Clock* clock) : clock_(clock) {
  std::random_device rd;
  MutexLock lock(&mu_);
  state_ = (static_cast<uint64_t>(rd()) << 32) ^ rd();
}

std::string RandomIdSource::NewId() {
  (void)clock_;  // ids sort by real creation time, not by the (possibly simulated) engine clock
  const uint64_t ms = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                std::chrono::system_clock::now().time_since_epoch())
                                                .count());
  uint64_t r;
  {
    // A random start plus a counter: unique within the process, unguessable across processes.
    MutexLock lock(&mu_);
    r = state_++;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%012llx%08llx",
                static_cast<unsigned long long>(ms & 0xffffffffffffULL),
                static_cast<unsigned long long>(r & 0xffffffffULL));
  return buf;
}

Instant SystemClock::Now() {
  return Instant{std::chrono::duration_cast<std::chrono::seconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count()};
}

}  // namespace motcua
