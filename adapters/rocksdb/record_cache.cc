// The bounded cache of durable dossier records (record_cache.h).

#include "adapters/rocksdb/record_cache.h"

#include <functional>

namespace motcua {

RecordCache::RecordCache(size_t capacity)
    : capacity_(capacity), per_shard_(capacity == 0 ? 0 : (capacity + kShards - 1) / kShards) {}

RecordCache::Shard& RecordCache::ShardOf(const std::string& id) const {
  return shards_[std::hash<std::string>{}(id) % kShards];
}

std::shared_ptr<const Dossier> RecordCache::Find(const std::string& id) const {
  if (capacity_ == 0) return nullptr;
  Shard& s = ShardOf(id);
  MutexLock lock(&s.mu);
  auto it = s.map.find(id);
  return it == s.map.end() ? nullptr : it->second;
}

void RecordCache::PutLocked(Shard& s, std::shared_ptr<const Dossier> d) {
  auto [it, inserted] = s.map.try_emplace(d->id, nullptr);
  if (!inserted) {
    if (it->second->version < d->version) it->second = std::move(d);
    return;
  }
  s.order.push_back(it->first);
  it->second = std::move(d);
  while (s.map.size() > per_shard_ && !s.order.empty()) {
    s.map.erase(s.order.front());
    s.order.pop_front();
  }
}

Result<std::shared_ptr<const Dossier>> RecordCache::Get(
    const std::string& id, const std::function<Result<std::optional<Dossier>>()>& read) {
  if (auto hit = Find(id)) return hit;
  const uint64_t before = commits();
  ASSIGN_OR_RETURN(std::optional<Dossier> d, read());
  if (!d) return std::shared_ptr<const Dossier>();
  auto shared = std::make_shared<const Dossier>(std::move(*d));
  PutRead(shared, before);
  return shared;
}

void RecordCache::PutCommitted(std::shared_ptr<const Dossier> d) {
  if (capacity_ == 0 || !d) return;
  Shard& s = ShardOf(d->id);
  MutexLock lock(&s.mu);
  PutLocked(s, std::move(d));
}

void RecordCache::PutCommitted(const std::vector<const WriteSet*>& sets) {
  for (const WriteSet* w : sets) {
    for (const DossierChange& c : w->changes) PutCommitted(c.after);
  }
}

void RecordCache::PutRead(std::shared_ptr<const Dossier> d, uint64_t commits_before_read) {
  if (capacity_ == 0 || !d) return;
  Shard& s = ShardOf(d->id);
  MutexLock lock(&s.mu);
  // Checked under the shard lock: a commit that begins after this check writes after this
  // read, and its own PutCommitted (a higher version) replaces this entry.
  if (commits() != commits_before_read) return;
  PutLocked(s, std::move(d));
}

void RecordCache::Clear() {
  BeginCommit();  // a read under way keeps what it read to itself
  for (Shard& s : shards_) {
    MutexLock lock(&s.mu);
    s.map.clear();
    s.order.clear();
  }
}

size_t RecordCache::size() const {
  size_t n = 0;
  for (const Shard& s : shards_) {
    MutexLock lock(&s.mu);
    n += s.map.size();
  }
  return n;
}

}  // namespace motcua
