// The RocksDB store's own settings (the default column family: mode, clock) and the states
// (rocks_store.h, "states"): the adapters' bookkeeping by key (Store::GetState, WriteStates,
// ScanStates), written apart from commits and not synced.

#include <rocksdb/write_batch.h>

#include "adapters/rocksdb/rocks_store.h"

namespace motcua {

Result<std::optional<std::string>> RocksStore::Setting(const std::string& key) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf(ColumnFamily::kDefault), key, &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return Unavailable("cannot read the store setting '" + key + "': " + s.ToString());
  return std::optional<std::string>(std::move(value));
}

Status RocksStore::PutSetting(const std::string& key, const std::string& value) {
  RETURN_IF_ERROR(Writable());
  rocksdb::WriteOptions wo;
  wo.sync = true;
  rocksdb::Status s = db_->Put(wo, cf(ColumnFamily::kDefault), key, value);
  if (!s.ok()) return Unavailable("cannot write the store setting '" + key + "': " + s.ToString());
  return Status::Ok();
}

Result<std::optional<std::string>> RocksStore::GetState(const std::string& key) {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf(ColumnFamily::kStates), key, &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return Internal("read state: " + s.ToString());
  return std::optional<std::string>(std::move(value));
}

Status RocksStore::WriteStates(const std::vector<StateWrite>& writes) {
  RETURN_IF_ERROR(Writable());
  rocksdb::WriteBatch batch;
  for (const auto& [key, value] : writes) {
    if (value) {
      batch.Put(cf(ColumnFamily::kStates), key, *value);
    } else {
      batch.Delete(cf(ColumnFamily::kStates), key);
    }
  }
  rocksdb::Status s = db_->Write(rocksdb::WriteOptions(), &batch);
  if (!s.ok()) return Unavailable("write states: " + s.ToString());
  return Status::Ok();
}

Result<std::vector<std::pair<std::string, std::string>>> RocksStore::ScanStates(
    const std::string& prefix, const std::string& start_after, size_t limit) {
  std::vector<std::pair<std::string, std::string>> out;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), cf(ColumnFamily::kStates)));
  it->Seek(start_after.empty() ? prefix : start_after);
  if (!start_after.empty() && it->Valid() && it->key() == start_after) it->Next();
  for (; it->Valid() && out.size() < limit && it->key().starts_with(prefix); it->Next()) {
    out.emplace_back(it->key().ToString(), it->value().ToString());
  }
  if (!it->status().ok()) return Internal("scan states: " + it->status().ToString());
  return out;
}

}  // namespace motcua
