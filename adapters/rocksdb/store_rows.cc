// The RocksDB store as rows (store_rows.h): what `motcua copy` reads from it and writes into it.

#include <rocksdb/write_batch.h>

#include <memory>

#include "adapters/rocksdb/chain.h"
#include "adapters/rocksdb/rocks_store.h"

namespace motcua {

namespace {

constexpr const char* kSettingKeys[] = {"mode", "clock"};

}  // namespace

bool SplitHistoryKey(std::string_view key, std::string* id, int64_t* version) {
  if (key.size() < 9 || key[key.size() - 9] != '\0') return false;
  *id = std::string(key.substr(0, key.size() - 9));
  *version = static_cast<int64_t>(DecodeBE64(key.data() + key.size() - 8));
  return true;
}

Status RocksStore::ScanRows(const std::function<Status(const StoreRow&)>& fn) {
  const rocksdb::Snapshot* snapshot = db_->GetSnapshot();
  std::unique_ptr<const rocksdb::Snapshot, std::function<void(const rocksdb::Snapshot*)>> release(
      snapshot, [this](const rocksdb::Snapshot* s) { db_->ReleaseSnapshot(s); });
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  ro.total_order_seek = true;  // every key, whatever prefix extractor a family has
  for (const char* key : kSettingKeys) {
    std::string value;
    rocksdb::Status s = db_->Get(ro, cf(ColumnFamily::kDefault), key, &value);
    if (s.IsNotFound()) continue;
    if (!s.ok()) return Internal(std::string("read setting ") + key + ": " + s.ToString());
    RETURN_IF_ERROR(fn(StoreRow{.table = RowTable::kSetting, .key = key, .value = value}));
  }
  // Each column family in key order, each entry made a row by `row`.
  auto scan = [&](ColumnFamily family, const char* what,
                  const std::function<Status(const rocksdb::Slice&, const rocksdb::Slice&)>& row)
      -> Status {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf(family)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) RETURN_IF_ERROR(row(it->key(), it->value()));
    if (!it->status().ok())
      return Internal(std::string("read ") + what + ": " + it->status().ToString());
    return Status::Ok();
  };
  auto plain = [&](RowTable table) {
    return [&fn, table](const rocksdb::Slice& k, const rocksdb::Slice& v) {
      return fn(StoreRow{.table = table, .key = k.ToString(), .value = v.ToString()});
    };
  };
  RETURN_IF_ERROR(scan(ColumnFamily::kDossiers, "dossiers", plain(RowTable::kDossier)));
  RETURN_IF_ERROR(scan(
      ColumnFamily::kHistory, "history", [&](const rocksdb::Slice& k, const rocksdb::Slice& v) {
        StoreRow r{.table = RowTable::kHistory, .value = v.ToString()};
        if (!SplitHistoryKey(std::string_view(k.data(), k.size()), &r.key, &r.number)) {
          return Internal("a history key that is none: " +
                          Hex(std::string_view(k.data(), k.size())));
        }
        return fn(r);
      }));
  RETURN_IF_ERROR(
      scan(ColumnFamily::kOutbox, "outbox", [&](const rocksdb::Slice& k, const rocksdb::Slice& v) {
        StoreRow r{.table = RowTable::kOutbox};
        std::string_view history_key, event_hash, global_hash;
        if (k.size() != 8 ||
            !SplitOutboxValue(std::string_view(v.data(), v.size()), &history_key, &event_hash,
                              &global_hash) ||
            !SplitHistoryKey(history_key, &r.key, &r.number)) {
          return Internal("an outbox entry that is none at " +
                          Hex(std::string_view(k.data(), k.size())));
        }
        r.position = DecodeBE64(k.data());
        r.event_hash = std::string(event_hash);
        r.global_hash = std::string(global_hash);
        return fn(r);
      }));
  RETURN_IF_ERROR(scan(ColumnFamily::kIndexes, "indexes", plain(RowTable::kIndex)));
  RETURN_IF_ERROR(scan(ColumnFamily::kIdempotency, "idempotency", plain(RowTable::kIdempotency)));
  RETURN_IF_ERROR(scan(ColumnFamily::kCounters, "counters",
                       [&](const rocksdb::Slice& k, const rocksdb::Slice& v) {
                         if (v.size() != 8)
                           return Internal("counter " + k.ToString() + " is not 8 bytes");
                         return fn(StoreRow{.table = RowTable::kCounter,
                                            .key = k.ToString(),
                                            .number = static_cast<int64_t>(DecodeBE64(v.data()))});
                       }));
  // The report counters with the changes not yet folded into them.
  Status inner;
  RETURN_IF_ERROR(
      ScanReportCounters("", std::string(1, '\xff'), [&](std::string_view name, int64_t value) {
        if (!inner.ok()) return;
        inner = fn(
            StoreRow{.table = RowTable::kReportCounter, .key = std::string(name), .number = value});
      }));
  RETURN_IF_ERROR(inner);
  return scan(ColumnFamily::kStates, "states", plain(RowTable::kState));
}

Status RocksStore::WriteRows(const std::vector<StoreRow>& rows) {
  RETURN_IF_ERROR(writes_.Check("the store refuses writes: "));
  rocksdb::WriteBatch batch;
  for (const StoreRow& r : rows) {
    rocksdb::Status s;
    switch (r.table) {
      case RowTable::kSetting:
        s = batch.Put(cf(ColumnFamily::kDefault), r.key, r.value);
        break;
      case RowTable::kDossier:
        s = batch.Put(cf(ColumnFamily::kDossiers), r.key, r.value);
        break;
      case RowTable::kHistory:
        s = batch.Put(cf(ColumnFamily::kHistory), HistoryKey(r.key, r.number), r.value);
        break;
      case RowTable::kOutbox:
        s = batch.Put(cf(ColumnFamily::kOutbox), EncodeBE64(r.position),
                      OutboxValue(HistoryKey(r.key, r.number), r.event_hash, r.global_hash));
        break;
      case RowTable::kIndex:
        s = batch.Put(cf(ColumnFamily::kIndexes), r.key, "");
        break;
      case RowTable::kIdempotency:
        s = batch.Put(cf(ColumnFamily::kIdempotency), r.key, r.value);
        break;
      case RowTable::kCounter:
        s = batch.Put(cf(ColumnFamily::kCounters), r.key,
                      EncodeBE64(static_cast<uint64_t>(r.number)));
        break;
      case RowTable::kReportCounter:
        s = batch.Put(cf(ColumnFamily::kReports), r.key, EncodeLE64(r.number));
        break;
      case RowTable::kState:
        s = batch.Put(cf(ColumnFamily::kStates), r.key, r.value);
        break;
    }
    if (!s.ok()) return Internal("copy: " + s.ToString());
  }
  rocksdb::WriteOptions wo;
  wo.sync = true;
  rocksdb::Status s = db_->Write(wo, &batch);
  if (!s.ok()) {
    FailWrites(s.ToString());
    return Unavailable("write failed: " + s.ToString());
  }
  return Status::Ok();
}

namespace {

// A history read with one iterator, sought to each dossier's prefix in turn.
class RocksHistoryReader : public RowStore::HistoryReader {
 public:
  RocksHistoryReader(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* history) {
    rocksdb::ReadOptions ro;
    ro.total_order_seek = true;
    it_.reset(db->NewIterator(ro, history));
  }
  Status Read(
      const std::string& id,
      const std::function<Status(std::string_view key, std::string_view stored)>& fn) override {
    std::string prefix = id;
    prefix.push_back('\0');
    for (it_->Seek(prefix); it_->Valid() && it_->key().starts_with(prefix); it_->Next()) {
      RETURN_IF_ERROR(fn(it_->key().ToStringView(), it_->value().ToStringView()));
    }
    if (!it_->status().ok()) return Unavailable("read history: " + it_->status().ToString());
    return Status::Ok();
  }

 private:
  std::unique_ptr<rocksdb::Iterator> it_;
};

}  // namespace

std::unique_ptr<RowStore::HistoryReader> RocksStore::NewHistoryReader() {
  return std::make_unique<RocksHistoryReader>(db_.get(), cf(ColumnFamily::kHistory));
}

Status RocksStore::ScanOutbox(
    const std::function<Status(uint64_t position, std::string_view key, std::string_view event_hash,
                               std::string_view global_hash)>& fn,
    const std::function<void(std::string)>& problem) {
  rocksdb::ReadOptions ro;
  ro.total_order_seek = true;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf(ColumnFamily::kOutbox)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (it->key().size() != 8) {
      problem("an outbox key is not a position: " + Hex(it->key().ToStringView()));
      continue;
    }
    const uint64_t position = DecodeBE64(it->key().data());
    std::string_view key, event_hash, global_hash;
    if (!SplitOutboxValue(it->value().ToStringView(), &key, &event_hash, &global_hash)) {
      problem("outbox position " + std::to_string(position) + " holds no hashes");
      continue;
    }
    RETURN_IF_ERROR(fn(position, key, event_hash, global_hash));
  }
  if (!it->status().ok()) return Unavailable("read outbox: " + it->status().ToString());
  return Status::Ok();
}

Status RocksStore::PutStateSynced(const std::string& key, const std::string& value) {
  RETURN_IF_ERROR(WriteStates({Store::StateWrite{key, value}}));
  // States are not synced on their own.
  if (rocksdb::Status s = db_->SyncWAL(); !s.ok()) {
    return Unavailable("cannot sync the write-ahead log: " + s.ToString());
  }
  return Status::Ok();
}

Result<std::optional<std::string>> RocksStore::StoredEvent(std::string_view key) {
  std::string stored;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf(ColumnFamily::kHistory),
                               rocksdb::Slice(key.data(), key.size()), &stored);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return Unavailable("read history: " + s.ToString());
  return std::optional<std::string>(std::move(stored));
}

}  // namespace motcua
