#include "adapters/runtime/dossier_service.h"

#include <pthread.h>

#include <chrono>
#include <cstdio>
#include <random>

#include "engine/dossier/appliers.h"
#include "engine/store/indexes.h"

namespace motcua {

DossierService::DossierService(Store* store, std::shared_ptr<const ProcedureCatalog> catalog,
                               Clock* clock, IdSource* ids, ServiceOptions options)
    : store_(store), clock_(clock), ids_(ids), options_(options), catalog_(std::move(catalog)) {}

DossierService::~DossierService() { Stop(); }

namespace {
// Batches processed but not yet durable. The committer writes all of them in one synced write,
// so while one sync runs, the commands processed meanwhile gather for the next.
constexpr size_t kMaxInFlightBatches = 64;
}  // namespace

Status DossierService::Start() {
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
  return Status::Ok();
}

void DossierService::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  timer_cv_.notify_all();
  if (timer_.joinable()) timer_.join();
  if (processor_.joinable()) processor_.join();
  {
    std::lock_guard lock(commit_mu_);
    processor_done_ = true;
  }
  commit_cv_.notify_all();
  if (committer_.joinable()) committer_.join();
}

void DossierService::SetCatalog(std::shared_ptr<const ProcedureCatalog> catalog) {
  std::lock_guard lock(catalog_mu_);
  catalog_ = std::move(catalog);
}

std::shared_ptr<const ProcedureCatalog> DossierService::catalog() const {
  std::lock_guard lock(catalog_mu_);
  return catalog_;
}

void DossierService::OnCommit(std::function<void(uint64_t)> listener) {
  std::lock_guard lock(mu_);
  listeners_.push_back(std::move(listener));
}

std::string DossierService::failure() const {
  std::lock_guard lock(mu_);
  return failure_;
}

std::future<CommandResult> DossierService::Submit(CommandRequest request) {
  auto promise = std::make_shared<std::promise<CommandResult>>();
  std::future<CommandResult> f = promise->get_future();
  SubmitAsync(std::move(request), [promise](CommandResult r) { promise->set_value(std::move(r)); });
  return f;
}

size_t DossierService::queued() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

void DossierService::SubmitAsync(CommandRequest request, std::function<void(CommandResult)> done) {
  CommandResult refused;
  {
    std::lock_guard lock(mu_);
    if (failed_.load()) {
      refused.status = Unavailable("writes are stopped: " + failure_);
    } else if (stopping_) {
      refused.status = Unavailable("the service is shutting down");
    } else if (queue_.size() >= options_.max_queue) {
      refused.status =
          Unavailable("overloaded: " + std::to_string(queue_.size()) + " commands are queued");
    } else {
      queue_.push_back(Pending{std::move(request), std::move(done)});
    }
  }
  if (!refused.status.ok()) {
    done(std::move(refused));
    return;
  }
  cv_.notify_one();
}

void DossierService::ProcessLoop() {
  while (true) {
    std::vector<Pending> batch;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty() && stopping_) return;
      batch.reserve(std::min(queue_.size(), options_.max_batch));
      while (!queue_.empty() && batch.size() < options_.max_batch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    const auto t0 = std::chrono::steady_clock::now();
    Prepared prepared = ProcessBatch(std::move(batch));
    stats_.process_micros.fetch_add(static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0)
            .count()));
    std::vector<Prepared> done;
    std::unique_lock lock(commit_mu_);
    commit_cv_.wait(lock, [this] { return commit_queue_.size() < kMaxInFlightBatches; });
    commit_queue_.push_back(std::move(prepared));
    done.swap(committed_);
    lock.unlock();
    commit_cv_.notify_all();
    // `done` (write sets, encodings, states) is freed here, off the committer's path.
  }
}

void DossierService::CommitLoop() {
  while (true) {
    std::vector<Prepared> group;
    {
      std::unique_lock lock(commit_mu_);
      commit_cv_.wait(lock, [this] { return processor_done_ || !commit_queue_.empty(); });
      if (commit_queue_.empty()) return;
      while (!commit_queue_.empty()) {
        group.push_back(std::move(commit_queue_.front()));
        commit_queue_.pop_front();
      }
    }
    commit_cv_.notify_all();
    CommitGroup(group);
    std::lock_guard lock(commit_mu_);
    for (Prepared& p : group) committed_.push_back(std::move(p));
  }
}

DossierService::Prepared DossierService::ProcessBatch(std::vector<Pending> batch) {
  std::shared_ptr<const ProcedureCatalog> catalog = this->catalog();
  const Instant now = clock_->Now();
  Prepared out;
  out.seq = next_seq_++;
  out.results.resize(batch.size());
  // State after this batch's changes; dossier id → index in writes.changes.
  std::map<std::string, std::shared_ptr<const Dossier>> overlay;
  std::map<std::string, size_t> change_of;
  std::map<std::string, IdempotencyRecord> staged_idem;
  std::map<std::string, int64_t> staged_counters;
  WriteSet& ws = out.writes;
  ws.first_outbox_position = next_position_;
  Status sequence_error;

  auto find_inflight_dossier = [this](const std::string& id) -> std::shared_ptr<const Dossier> {
    std::lock_guard lock(inflight_mu_);
    auto it = inflight_dossiers_.find(id);
    if (it == inflight_dossiers_.end()) return nullptr;
    return it->second.value;
  };

  // Moves a counter by `delta` on top of this batch, the batches in flight and the store;
  // returns the new value.
  auto bump = [&](const std::string& name, int64_t delta) -> int64_t {
    int64_t value;
    if (auto it = staged_counters.find(name); it != staged_counters.end()) {
      value = it->second;
    } else if (auto c = counters_.find(name); c != counters_.end()) {
      value = c->second;
    } else {
      Result<int64_t> stored = store_->Counter(name);
      if (!stored.ok()) sequence_error = stored.status();
      value = stored.ok() ? *stored : 0;
    }
    staged_counters[name] = value + delta;
    return value + delta;
  };

  for (size_t i = 0; i < batch.size(); ++i) {
    const CommandRequest& req = batch[i].request;
    CommandResult& result = out.results[i];
    if (failed_.load()) {
      result.status = Unavailable("writes are stopped: " + failure());
      continue;
    }
    // Idempotency: a key seen before answers with the original outcome.
    if (!req.idempotency_key.empty()) {
      std::optional<IdempotencyRecord> rec;
      if (auto it = staged_idem.find(req.idempotency_key); it != staged_idem.end()) {
        rec = it->second;
      } else {
        {
          std::lock_guard lock(inflight_mu_);
          auto f = inflight_idempotency_.find(req.idempotency_key);
          if (f != inflight_idempotency_.end()) rec = f->second.value;
        }
        if (!rec) {
          Result<std::optional<IdempotencyRecord>> stored =
              store_->Idempotency(req.idempotency_key);
          if (!stored.ok()) {
            result.status = stored.status();
            continue;
          }
          rec = *stored;
        }
      }
      if (rec) {
        if (rec->payload_hash != req.payload_hash) {
          result.status = Conflict("idempotency key '" + req.idempotency_key +
                                   "' was used before with a different request");
          continue;
        }
        result.replayed = true;
        if (auto it = overlay.find(rec->dossier_id); it != overlay.end()) {
          result.dossier = *it->second;
        } else if (auto f = find_inflight_dossier(rec->dossier_id)) {
          result.dossier = *f;
        } else {
          Result<std::shared_ptr<const Dossier>> d = store_->GetShared(rec->dossier_id);
          if (!d.ok()) {
            result.status = d.status();
            continue;
          }
          if (*d) result.dossier = **d;
        }
        continue;
      }
    }
    // The dossier as earlier commands left it: this batch, batches in flight, then the store.
    std::shared_ptr<const Dossier> current;
    const std::string& id = req.command.dossier_id;
    if (!id.empty()) {
      if (auto it = overlay.find(id); it != overlay.end()) {
        current = it->second;
      } else if (!(current = find_inflight_dossier(id))) {
        Result<std::shared_ptr<const Dossier>> d = store_->GetShared(id);
        if (!d.ok()) {
          result.status = d.status();
          continue;
        }
        current = std::move(*d);
      }
    }
    ProcessContext ctx;
    ctx.catalog = catalog.get();
    ctx.settings = options_.engine;
    ctx.now = now;
    if (current == nullptr) ctx.new_id = ids_->NewId();
    ctx.next_sequence = [&](const std::string& agency, CivilDate day) -> int64_t {
      return bump(DossierNumberCounter(agency, day), 1);
    };
    Decision decision = Process(req.command, current.get(), ctx);
    if (!sequence_error.ok()) {
      result.status = sequence_error;
      sequence_error = Status::Ok();
      continue;
    }
    if (!decision.accepted()) {
      result.rejection = decision.rejection;
      stats_.rejections.fetch_add(1);
      continue;
    }
    Dossier next = current ? *current : Dossier{};
    for (const Event& e : decision.events) Apply(next, e);
    auto after = std::make_shared<const Dossier>(std::move(next));
    // Dossiers per status, kept in the same write (metrics read them without a scan).
    if (!current || current->status != after->status) {
      if (current) bump(StatusCounter(current->status), -1);
      bump(StatusCounter(after->status), +1);
    }
    if (auto it = change_of.find(after->id); it != change_of.end()) {
      DossierChange& c = ws.changes[it->second];
      c.after = after;
      c.events.insert(c.events.end(), decision.events.begin(), decision.events.end());
    } else {
      change_of[after->id] = ws.changes.size();
      ws.changes.emplace_back(current, after, decision.events);
    }
    overlay[after->id] = after;
    if (!req.idempotency_key.empty()) {
      IdempotencyRecord rec{req.idempotency_key, req.payload_hash, after->id, after->version};
      staged_idem[rec.key] = rec;
      ws.idempotency.push_back(rec);
    }
    result.dossier = *after;
    result.events = std::move(decision.events);
  }
  for (const auto& [name, value] : staged_counters) {
    ws.counters.emplace_back(name, value);
    counters_[name] = value;
  }
  next_position_ += ws.event_count();
  // Later batches see this batch's state until it is durable.
  {
    std::lock_guard lock(inflight_mu_);
    for (auto& [id, d] : overlay) {
      inflight_dossiers_[id] = InFlight<std::shared_ptr<const Dossier>>{std::move(d), out.seq};
    }
    for (auto& [key, r] : staged_idem)
      inflight_idempotency_[key] = InFlight<IdempotencyRecord>{r, out.seq};
  }
  store_->Encode(ws);
  out.pending = std::move(batch);
  return out;
}

void DossierService::CommitGroup(std::vector<Prepared>& group) {
  std::vector<const WriteSet*> sets;
  size_t commands = 0;
  for (const Prepared& p : group) {
    commands += p.pending.size();
    if (!p.writes.changes.empty() || !p.writes.idempotency.empty()) sets.push_back(&p.writes);
  }
  if (!sets.empty()) {
    Status s;
    if (failed_.load()) {
      s = Unavailable("an earlier write failed: " + failure());
    } else {
      const auto t0 = std::chrono::steady_clock::now();
      s = store_->Commit(sets);
      const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                              std::chrono::steady_clock::now() - t0)
                              .count();
      stats_.sync_micros.fetch_add(static_cast<uint64_t>(micros));
      stats_.batches.fetch_add(1);
    }
    if (!s.ok()) {
      {
        std::lock_guard lock(mu_);
        if (failure_.empty()) failure_ = s.message();
      }
      failed_.store(true);
      for (Prepared& p : group) {
        for (CommandResult& r : p.results) {
          if (r.status.ok() && !r.rejection) {
            r = CommandResult{};
            r.status = Unavailable("not written: " + s.message());
          }
        }
      }
    } else {
      const WriteSet& last = *sets.back();
      last_position_.store(last.first_outbox_position + last.event_count() - 1);
      std::vector<std::function<void(uint64_t)>> listeners;
      {
        std::lock_guard lock(mu_);
        listeners = listeners_;
      }
      for (auto& l : listeners) l(last_position_.load());
    }
  }
  // What these batches wrote is now in the store (or nothing will be written any more).
  {
    std::lock_guard lock(inflight_mu_);
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
}

Result<size_t> DossierService::FireDueTimers() {
  // Bounded per round; the loop comes back for the rest.
  constexpr size_t kTimersPerRound = 1000;
  const Instant now = clock_->Now();
  ASSIGN_OR_RETURN(std::vector<DueTimer> due, store_->DueTimers(now, kTimersPerRound));
  std::vector<std::future<CommandResult>> results;
  for (const DueTimer& t : due) {
    CommandRequest r;
    r.command.type = CommandType::kFireTimer;
    r.command.dossier_id = t.dossier_id;
    r.command.actor = Actor{"system", {}};
    r.command.timer = t.timer;
    stats_.timer_lag_seconds.store(now.seconds - t.timer.at.seconds);
    results.push_back(Submit(std::move(r)));
  }
  size_t fired = 0;
  for (auto& f : results) {
    CommandResult r = f.get();
    if (!r.status.ok()) return r.status;
    if (r.accepted()) ++fired;
  }
  stats_.timers_fired.fetch_add(fired);
  return fired;
}

void DossierService::TimerLoop() {
  while (true) {
    {
      std::unique_lock lock(mu_);
      if (stopping_) return;
    }
    if (!failed_.load()) {
      Result<size_t> fired = FireDueTimers();
      if (!fired.ok() && !failed_.load()) {
        std::fprintf(stderr, "timers: %s\n", fired.status().ToString().c_str());
      }
    }
    std::unique_lock lock(mu_);
    timer_cv_.wait_for(lock, std::chrono::milliseconds(options_.timer_poll_ms),
                       [this] { return stopping_; });
    if (stopping_) return;
  }
}

RandomIdSource::RandomIdSource(Clock* clock) : clock_(clock) {
  std::random_device rd;
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
    std::lock_guard lock(mu_);
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
