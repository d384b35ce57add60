// The in-memory store (memory_store.h): the storage port's contract without a disk.

#include "engine/store/memory_store.h"

#include "engine/store/indexes.h"

namespace motcua {

Result<std::optional<Dossier>> MemoryStore::Get(const std::string& id) {
  MutexLock lock(&mu_);
  auto it = dossiers_.find(id);
  if (it == dossiers_.end()) return std::optional<Dossier>();
  return std::optional<Dossier>(it->second);
}

Result<std::optional<std::string>> MemoryStore::IdByNumber(const std::string& number) {
  MutexLock lock(&mu_);
  const std::string prefix = IndexPrefix(IndexKind::kNumber, {number});
  auto it = index_.lower_bound(prefix);
  if (it == index_.end() || it->compare(0, prefix.size(), prefix) != 0) {
    return std::optional<std::string>();
  }
  return std::optional<std::string>(IndexEntryId(*it));
}

Result<std::vector<Event>> MemoryStore::History(const std::string& id) {
  MutexLock lock(&mu_);
  auto it = history_.find(id);
  if (it == history_.end()) return std::vector<Event>();
  return it->second;
}

Result<std::optional<IdempotencyRecord>> MemoryStore::Idempotency(const std::string& key) {
  MutexLock lock(&mu_);
  auto it = idempotency_.find(key);
  if (it == idempotency_.end()) return std::optional<IdempotencyRecord>();
  return std::optional<IdempotencyRecord>(it->second);
}

Result<int64_t> MemoryStore::Counter(const std::string& name) {
  MutexLock lock(&mu_);
  auto it = counters_.find(name);
  return it == counters_.end() ? 0 : it->second;
}

Result<uint64_t> MemoryStore::LastOutboxPosition() {
  MutexLock lock(&mu_);
  return outbox_.empty() ? 0 : outbox_.rbegin()->first;
}

Status MemoryStore::Commit(const std::vector<const WriteSet*>& sets) {
  MutexLock lock(&mu_);
  if (broken_) return Unavailable("the store refuses writes after a failed commit");
  if (failing_) {
    broken_ = true;
    return Unavailable("injected commit failure");
  }
  for (const WriteSet* w : sets) Apply(*w);
  return Status::Ok();
}

void MemoryStore::Apply(const WriteSet& w) {
  uint64_t pos = w.first_outbox_position;
  for (const DossierChange& c : w.changes) {
    std::vector<std::string> removed, added;
    DiffIndexEntries(c.before.get(), *c.after, &removed, &added);
    for (const auto& e : removed) index_.erase(e);
    for (const auto& e : added) index_.insert(e);
    dossiers_[c.after->id] = *c.after;
    auto& h = history_[c.after->id];
    for (const Event& e : c.events) {
      h.push_back(e);
      outbox_[pos++] = e;
    }
  }
  for (const auto& r : w.idempotency) idempotency_[r.key] = r;
  for (const auto& [name, value] : w.counters) counters_[name] = value;
  for (const auto& [name, delta] : w.report_deltas) {
    auto it = report_.try_emplace(name, 0).first;
    it->second += delta;
    if (it->second == 0) report_.erase(it);
  }
}

Status MemoryStore::ScanReportCounters(
    const std::string& begin, const std::string& end,
    const std::function<void(std::string_view name, int64_t value)>& fn) {
  std::vector<std::pair<std::string, int64_t>> found;
  {
    MutexLock lock(&mu_);
    for (auto it = report_.lower_bound(begin); it != report_.end() && it->first < end; ++it) {
      found.emplace_back(it->first, it->second);
    }
  }
  for (const auto& [name, value] : found) fn(name, value);
  return Status::Ok();
}

Result<std::optional<std::string>> MemoryStore::GetState(const std::string& key) {
  MutexLock lock(&mu_);
  auto it = states_.find(key);
  if (it == states_.end()) return std::optional<std::string>();
  return std::optional<std::string>(it->second);
}

Status MemoryStore::WriteStates(const std::vector<StateWrite>& writes) {
  MutexLock lock(&mu_);
  if (broken_ || failing_) return Unavailable("the store refuses writes after a failed write");
  for (const auto& [key, value] : writes) {
    if (value) {
      states_[key] = *value;
    } else {
      states_.erase(key);
    }
  }
  return Status::Ok();
}

Result<std::vector<std::pair<std::string, std::string>>> MemoryStore::ScanStates(
    const std::string& prefix, const std::string& start_after, size_t limit) {
  MutexLock lock(&mu_);
  std::vector<std::pair<std::string, std::string>> out;
  auto it = start_after.empty() ? states_.lower_bound(prefix) : states_.upper_bound(start_after);
  for (; it != states_.end() && out.size() < limit && it->first.starts_with(prefix); ++it) {
    out.emplace_back(it->first, it->second);
  }
  return out;
}

Result<std::vector<OutboxEntry>> MemoryStore::ReadOutbox(uint64_t after, size_t limit) {
  MutexLock lock(&mu_);
  std::vector<OutboxEntry> out;
  for (auto it = outbox_.upper_bound(after); it != outbox_.end() && out.size() < limit; ++it) {
    out.push_back(OutboxEntry{it->first, it->second});
  }
  return out;
}

Result<std::vector<std::string>> MemoryStore::Ids(const std::string& after_id, size_t limit) {
  MutexLock lock(&mu_);
  std::vector<std::string> out;
  auto it = after_id.empty() ? dossiers_.begin() : dossiers_.upper_bound(after_id);
  for (; it != dossiers_.end() && out.size() < limit; ++it) out.push_back(it->first);
  return out;
}

Result<std::vector<std::string>> MemoryStore::ScanIndexRange(const std::string& prefix,
                                                             const std::string& start_after,
                                                             const std::string& end_before,
                                                             size_t limit) {
  MutexLock lock(&mu_);
  std::vector<std::string> out;
  auto it = start_after.empty() ? index_.lower_bound(prefix) : index_.upper_bound(start_after);
  for (; it != index_.end() && out.size() < limit; ++it) {
    if (it->compare(0, prefix.size(), prefix) != 0) break;
    if (!end_before.empty() && *it >= end_before) break;
    out.push_back(*it);
  }
  return out;
}

Result<bool> MemoryStore::HasIndexEntry(const std::string& entry) {
  MutexLock lock(&mu_);
  return index_.count(entry) > 0;
}

Result<std::vector<std::string>> MemoryStore::AllIndexEntries(const std::string& start_after,
                                                              size_t limit) {
  return ScanIndex("", start_after, limit);
}

void MemoryStore::FailCommits(bool fail) {
  MutexLock lock(&mu_);
  failing_ = fail;
}

}  // namespace motcua
