// Commands turned into one write (command_batch.h).

#include "engine/batch/command_batch.h"

#include "engine/dossier/appliers.h"
#include "engine/report/steps.h"
#include "engine/store/indexes.h"

namespace motcua {

Result<std::shared_ptr<const Dossier>> StoreState::FindDossier(const std::string& id) {
  return store_->GetShared(id);
}

Result<std::optional<IdempotencyRecord>> StoreState::FindIdempotency(const std::string& key) {
  return store_->Idempotency(key);
}

Result<int64_t> StoreState::CounterValue(const std::string& name) { return store_->Counter(name); }
Result<std::vector<Event>> StoreState::History(const std::string& id) {
  return store_->History(id);
}

CommandBatch::CommandBatch(const ProcedureCatalog* catalog, const EngineSettings& settings,
                           Instant now, IdSource* ids, CommittedState* state,
                           uint64_t first_outbox_position)
    : catalog_(catalog), settings_(settings), now_(now), ids_(ids), state_(state) {
  writes_.first_outbox_position = first_outbox_position;
}

Result<int64_t> CommandBatch::Counter(const std::string& name) {
  if (auto it = counters_.find(name); it != counters_.end()) return it->second;
  return state_->CounterValue(name);
}

Result<std::shared_ptr<const Dossier>> CommandBatch::Current(const std::string& id) {
  if (auto it = overlay_.find(id); it != overlay_.end()) return it->second;
  return state_->FindDossier(id);
}

Result<std::optional<IdempotencyRecord>> CommandBatch::Record(const std::string& key) {
  if (auto it = idem_.find(key); it != idem_.end()) return std::optional(it->second);
  return state_->FindIdempotency(key);
}

void CommandBatch::Replay(const IdempotencyRecord& rec, CommandResult* result) {
  result->replayed = true;
  Result<std::shared_ptr<const Dossier>> d = Current(rec.dossier_id);
  if (!d.ok()) {
    result->status = d.status();
  } else if (*d) {
    result->dossier = **d;
  }
}

CommandResult CommandBatch::Add(const CommandRequest& req) {
  CommandResult result;
  // Idempotency: a key seen before answers with the original outcome.
  if (!req.idempotency_key.empty()) {
    Result<std::optional<IdempotencyRecord>> rec = Record(req.idempotency_key);
    if (!rec.ok()) {
      result.status = rec.status();
      return result;
    }
    if (*rec) {
      if ((*rec)->payload_hash != req.payload_hash) {
        result.status = Conflict("idempotency key '" + req.idempotency_key +
                                 "' was used before with a different request");
        return result;
      }
      Replay(**rec, &result);
      return result;
    }
  }
  // The portal's code of an online submission is a business idempotency key: a second
  // submission with it answers with the dossier the first one made, whatever its request.
  const std::string portal_key =
      req.command.type == CommandType::kSubmit && !req.command.portal_code.empty()
          ? PortalCodeKey(req.command.portal_code)
          : std::string();
  if (!portal_key.empty()) {
    Result<std::optional<IdempotencyRecord>> rec = Record(portal_key);
    if (!rec.ok()) {
      result.status = rec.status();
      return result;
    }
    if (*rec) {
      Replay(**rec, &result);
      return result;
    }
  }
  // The dossier as earlier commands left it.
  std::shared_ptr<const Dossier> current;
  const std::string& id = req.command.dossier_id;
  if (!id.empty()) {
    Result<std::shared_ptr<const Dossier>> d = Current(id);
    if (!d.ok()) {
      result.status = d.status();
      return result;
    }
    current = std::move(*d);
  }
  ProcessContext ctx;
  ctx.catalog = catalog_;
  ctx.settings = settings_;
  ctx.now = now_;
  // Called only for an accepted reception; a failed counter read fails the command.
  Status counter_error;
  std::optional<std::pair<std::string, int64_t>> sequence;
  ctx.next_sequence = [&](const std::string& agency, CivilDate day) -> int64_t {
    const std::string name = DossierNumberCounter(agency, day);
    Result<int64_t> last = Counter(name);
    if (!last.ok()) {
      counter_error = last.status();
      return 0;
    }
    sequence.emplace(name, *last + 1);
    return *last + 1;
  };
  // The committed history: a dossier changed earlier in this batch has more than it shows.
  ctx.history = [&](const std::string& dossier_id) -> Result<std::vector<Event>> {
    if (overlay_.count(dossier_id)) {
      return Status(StatusCode::kUnavailable,
                    "dossier '" + dossier_id + "' is being changed; try again in a moment");
    }
    return state_->History(dossier_id);
  };
  Decision decision = Process(req.command, current.get(), ctx);
  if (!counter_error.ok()) {
    result.status = counter_error;
    return result;
  }
  if (!decision.accepted()) {
    result.rejection = decision.rejection;
    return result;
  }
  // A new dossier is named only once it is accepted: a refused creation takes no id.
  if (current == nullptr) {
    const std::string new_id = ids_->NewId();
    for (Event& e : decision.events) e.dossier_id = new_id;
  }
  Dossier next = current ? *current : Dossier{};
  for (const Event& e : decision.events) Apply(next, e);
  auto after = std::make_shared<const Dossier>(std::move(next));
  // Dossiers per status, kept in the same write (metrics read them without a scan). Both values
  // are read before anything is staged, so a failed read leaves the batch as it was.
  std::vector<std::pair<std::string, int64_t>> moved;
  if (sequence) moved.push_back(*sequence);
  if (!current || current->status != after->status) {
    if (current) {
      const std::string name = StatusCounter(current->status);
      Result<int64_t> n = Counter(name);
      if (!n.ok()) {
        result.status = n.status();
        return result;
      }
      moved.emplace_back(name, *n - 1);
    }
    const std::string name = StatusCounter(after->status);
    Result<int64_t> n = Counter(name);
    if (!n.ok()) {
      result.status = n.status();
      return result;
    }
    moved.emplace_back(name, *n + 1);
  }
  for (auto& [name, value] : moved) counters_[name] = value;
  // The report counters it moves (engine/report/counters.h), in the same write.
  AddReportDeltas(current.get(), *after, now_, &report_deltas_);
  for (const Event& e : decision.events) AddStepDeltas(e, *after, &report_deltas_);
  if (auto it = change_of_.find(after->id); it != change_of_.end()) {
    DossierChange& c = writes_.changes[it->second];
    c.after = after;
    c.events.insert(c.events.end(), decision.events.begin(), decision.events.end());
  } else {
    change_of_[after->id] = writes_.changes.size();
    writes_.changes.emplace_back(current, after, decision.events);
  }
  overlay_[after->id] = after;
  if (!req.idempotency_key.empty()) {
    IdempotencyRecord rec{req.idempotency_key, req.payload_hash, after->id, after->version};
    idem_[rec.key] = rec;
    writes_.idempotency.push_back(rec);
  }
  if (!portal_key.empty()) {
    IdempotencyRecord rec{portal_key, 0, after->id, after->version};
    idem_[rec.key] = rec;
    writes_.idempotency.push_back(rec);
  }
  result.dossier = *after;
  result.events = std::move(decision.events);
  return result;
}

std::string PortalCodeKey(const std::string& portal_code) {
  return std::string("portal") + kIndexSep + portal_code;
}

CommandRequest FireTimerCommand(const DueTimer& due) {
  CommandRequest r;
  r.command.type = CommandType::kFireTimer;
  r.command.dossier_id = due.dossier_id;
  r.command.actor = Actor{"system", {}};
  r.command.timer = due.timer;
  return r;
}

}  // namespace motcua
