#include "adapters/runtime/dossier_service.h"

#include <chrono>
#include <cstdio>
#include <random>

#include "engine/store/indexes.h"

namespace motcua {

DossierService::DossierService(Store* store, std::shared_ptr<const ProcedureCatalog> catalog,
                               Clock* clock, IdSource* ids, ServiceOptions options)
    : store_(store), clock_(clock), ids_(ids), options_(options), catalog_(std::move(catalog)) {}

DossierService::~DossierService() { Stop(); }

Status DossierService::Start() {
  ASSIGN_OR_RETURN(uint64_t last, store_->LastOutboxPosition());
  last_position_.store(last);
  writer_ = std::thread([this] { WriterLoop(); });
  if (options_.run_timers) timer_ = std::thread([this] { TimerLoop(); });
  return Status::Ok();
}

void DossierService::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && !writer_.joinable()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  timer_cv_.notify_all();
  if (timer_.joinable()) timer_.join();
  if (writer_.joinable()) writer_.join();
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
  std::lock_guard lock(const_cast<std::mutex&>(mu_));
  return failure_;
}

std::future<CommandResult> DossierService::Submit(CommandRequest request) {
  Pending p{std::move(request), {}};
  std::future<CommandResult> f = p.promise.get_future();
  {
    std::lock_guard lock(mu_);
    CommandResult refused;
    if (failed_.load()) {
      refused.status = Unavailable("writes are stopped: " + failure_);
    } else if (stopping_) {
      refused.status = Unavailable("the service is shutting down");
    } else if (queue_.size() >= options_.max_queue) {
      refused.status = Unavailable("overloaded: " + std::to_string(queue_.size()) +
                                   " commands are queued");
    }
    if (!refused.status.ok()) {
      p.promise.set_value(std::move(refused));
      return f;
    }
    queue_.push_back(std::move(p));
  }
  cv_.notify_one();
  return f;
}

void DossierService::WriterLoop() {
  std::vector<Pending> batch;
  while (true) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty() && stopping_) return;
      while (!queue_.empty() && batch.size() < options_.max_batch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    ProcessBatch(batch);
    batch.clear();
  }
}

void DossierService::ProcessBatch(std::vector<Pending>& batch) {
  std::shared_ptr<const ProcedureCatalog> catalog = this->catalog();
  const Instant now = clock_->Now();
  std::vector<CommandResult> results(batch.size());
  std::map<std::string, Dossier> overlay;              // state after staged changes
  std::map<std::string, size_t> change_of;             // dossier id → index in ws.changes
  std::map<std::string, IdempotencyRecord> staged_idem;
  std::map<std::string, int64_t> staged_counters;
  WriteSet ws;
  ws.first_outbox_position = last_position_.load() + 1;
  Status sequence_error;

  for (size_t i = 0; i < batch.size(); ++i) {
    const CommandRequest& req = batch[i].request;
    CommandResult& result = results[i];
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
        Result<std::optional<IdempotencyRecord>> stored = store_->Idempotency(req.idempotency_key);
        if (!stored.ok()) {
          result.status = stored.status();
          continue;
        }
        rec = *stored;
      }
      if (rec) {
        if (rec->payload_hash != req.payload_hash) {
          result.status = Conflict("idempotency key '" + req.idempotency_key +
                                   "' was used before with a different request");
          continue;
        }
        result.replayed = true;
        if (auto it = overlay.find(rec->dossier_id); it != overlay.end()) {
          result.dossier = it->second;
        } else {
          Result<std::optional<Dossier>> d = store_->Get(rec->dossier_id);
          if (!d.ok()) {
            result.status = d.status();
            continue;
          }
          result.dossier = *d;
        }
        continue;
      }
    }
    // The dossier as the batch has left it so far.
    const Dossier* current = nullptr;
    std::optional<Dossier> loaded;
    const std::string& id = req.command.dossier_id;
    if (!id.empty()) {
      if (auto it = overlay.find(id); it != overlay.end()) {
        current = &it->second;
      } else {
        Result<std::optional<Dossier>> d = store_->Get(id);
        if (!d.ok()) {
          result.status = d.status();
          continue;
        }
        loaded = std::move(*d);
        if (loaded) current = &*loaded;
      }
    }
    ProcessContext ctx;
    ctx.catalog = catalog.get();
    ctx.settings = options_.engine;
    ctx.now = now;
    if (current == nullptr) ctx.new_id = ids_->NewId();
    ctx.next_sequence = [&](const std::string& agency, CivilDate day) -> int64_t {
      char yymmdd[8];
      std::snprintf(yymmdd, sizeof yymmdd, "%02d%02d%02d", day.year % 100, day.month, day.day);
      const std::string name = IndexPrefix({"dn", agency}) + yymmdd;
      int64_t value;
      if (auto it = staged_counters.find(name); it != staged_counters.end()) {
        value = it->second;
      } else if (auto c = counters_.find(name); c != counters_.end()) {
        value = c->second;
      } else {
        Result<int64_t> stored = store_->Counter(name);
        if (!stored.ok()) {
          sequence_error = stored.status();
          value = 0;
        } else {
          value = *stored;
        }
      }
      staged_counters[name] = value + 1;
      return value + 1;
    };
    Decision decision = Process(req.command, current, ctx);
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
    Dossier after = current ? *current : Dossier{};
    for (const Event& e : decision.events) Apply(after, e);
    if (auto it = change_of.find(after.id); it != change_of.end()) {
      DossierChange& c = ws.changes[it->second];
      c.after = after;
      c.events.insert(c.events.end(), decision.events.begin(), decision.events.end());
    } else {
      change_of[after.id] = ws.changes.size();
      ws.changes.push_back(DossierChange{loaded, after, decision.events});
    }
    overlay[after.id] = after;
    if (!req.idempotency_key.empty()) {
      IdempotencyRecord rec{req.idempotency_key, req.payload_hash, after.id, after.version};
      staged_idem[rec.key] = rec;
      ws.idempotency.push_back(rec);
    }
    result.dossier = std::move(after);
    result.events = std::move(decision.events);
  }

  if (!ws.changes.empty() || !ws.idempotency.empty()) {
    for (const auto& [name, value] : staged_counters) ws.counters.emplace_back(name, value);
    const auto t0 = std::chrono::steady_clock::now();
    Status s = store_->Commit(ws);
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::steady_clock::now() - t0)
                            .count();
    stats_.sync_micros.fetch_add(static_cast<uint64_t>(micros));
    stats_.batches.fetch_add(1);
    if (!s.ok()) {
      {
        std::lock_guard lock(mu_);
        failure_ = s.message();
      }
      failed_.store(true);
      for (CommandResult& r : results) {
        if (r.status.ok() && !r.rejection) {
          r = CommandResult{};
          r.status = Unavailable("not written: " + s.message());
        }
      }
    } else {
      for (const auto& [name, value] : staged_counters) counters_[name] = value;
      last_position_.fetch_add(ws.event_count());
      std::vector<std::function<void(uint64_t)>> listeners;
      {
        std::lock_guard lock(mu_);
        listeners = listeners_;
      }
      for (auto& l : listeners) l(last_position_.load());
    }
  }
  stats_.commands.fetch_add(batch.size());
  for (size_t i = 0; i < batch.size(); ++i) batch[i].promise.set_value(std::move(results[i]));
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
  const uint64_t ms = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count());
  uint64_t r;
  {
    // A random start plus a counter: unique within the process, unguessable across processes.
    std::lock_guard lock(mu_);
    r = state_++;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%012llx%08llx", static_cast<unsigned long long>(ms & 0xffffffffffffULL),
                static_cast<unsigned long long>(r & 0xffffffffULL));
  return buf;
}

Instant SystemClock::Now() {
  return Instant{std::chrono::duration_cast<std::chrono::seconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count()};
}

}  // namespace motcua
