// Format 5 → 6: the hash chains over a store written before them (rocks_store.h, chain.h).

#include <rocksdb/write_batch.h>

#include "adapters/proto/dossier_codec.h"
#include "adapters/rocksdb/chain.h"
#include "adapters/rocksdb/rocks_store.h"
#include "motcua/v1/dossier.pb.h"

namespace motcua {

namespace {

// The event's bytes without a chain hash an interrupted migration may have appended already.
Result<std::string> EventContent(std::string_view stored) {
  v1::Event e;
  if (!e.ParseFromArray(stored.data(), static_cast<int>(stored.size()))) {
    return Internal("a stored event does not parse");
  }
  std::string_view content, hash;
  if (!e.chain_hash().empty() && SplitChainHash(stored, &content, &hash)) {
    return std::string(content);
  }
  return std::string(stored);
}

}  // namespace

Status RocksStore::MigrateChains(size_t* events) {
  constexpr size_t kPerWrite = 10000;
  rocksdb::WriteBatch batch;
  size_t pending = 0;
  auto flush = [&](bool last) -> Status {
    rocksdb::WriteOptions wo;
    wo.sync = last;
    if (last) batch.Put(cf(ColumnFamily::kDefault), kFormatKey, "6");
    rocksdb::Status s = db_->Write(wo, &batch);
    batch.Clear();
    pending = 0;
    return s.ok() ? Status::Ok() : Unavailable("cannot migrate the store: " + s.ToString());
  };
  // Each dossier's chain, in key order of the history: a dossier's events are together, in
  // version order.
  rocksdb::ReadOptions ro;
  ro.total_order_seek = true;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf(ColumnFamily::kHistory)));
  std::string id;
  std::string head;
  auto close_dossier = [&]() -> Status {
    if (id.empty()) return Status::Ok();
    std::string value;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf(ColumnFamily::kDossiers), id, &value);
    if (s.IsNotFound()) return Status::Ok();  // verify reports a history without a record
    if (!s.ok()) return Unavailable("cannot migrate the store: " + s.ToString());
    v1::Dossier d;
    if (!d.ParseFromString(value)) return Internal("dossier '" + id + "' does not parse");
    d.set_history_hash(head);
    batch.Put(cf(ColumnFamily::kDossiers), id, d.SerializeAsString());
    ++pending;
    return Status::Ok();
  };
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const std::string_view key = it->key().ToStringView();
    const std::string_view key_id = key.substr(0, key.find('\0'));
    if (key_id != id) {
      RETURN_IF_ERROR(close_dossier());
      if (pending >= kPerWrite) RETURN_IF_ERROR(flush(false));
      id = key_id;
      head = ZeroHash();
    }
    ASSIGN_OR_RETURN(std::string content, EventContent(it->value().ToStringView()));
    head = ChainHash(head, content);
    batch.Put(cf(ColumnFamily::kHistory), it->key(), WithChainHash(std::move(content), head));
    ++pending;
    ++*events;
  }
  if (!it->status().ok())
    return Unavailable("cannot migrate the store: " + it->status().ToString());
  RETURN_IF_ERROR(close_dossier());
  RETURN_IF_ERROR(flush(false));  // the histories before the outbox reads their hashes
  it.reset();  // the old history's files are no longer pinned while the outbox is rewritten

  // The global chain over the outbox, in position order.
  std::string global = ZeroHash();
  std::unique_ptr<rocksdb::Iterator> out(db_->NewIterator(ro, cf(ColumnFamily::kOutbox)));
  for (out->SeekToFirst(); out->Valid(); out->Next()) {
    std::string_view key, event_hash, global_hash;
    if (out->key().size() != 8 ||
        !SplitOutboxValue(out->value().ToStringView(), &key, &event_hash, &global_hash)) {
      return Internal("an outbox entry holds no history key");
    }
    std::string stored;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf(ColumnFamily::kHistory),
                                 rocksdb::Slice(key.data(), key.size()), &stored);
    if (!s.ok()) {
      return Internal("outbox position " + std::to_string(DecodeBE64(out->key().data())) +
                      " points at a missing history record: " + s.ToString());
    }
    std::string_view content, hash;
    if (!SplitChainHash(stored, &content, &hash)) return Internal("a history value has no hash");
    global = GlobalHash(global, DecodeBE64(out->key().data()), hash);
    batch.Put(cf(ColumnFamily::kOutbox), out->key(), OutboxValue(key, hash, global));
    if (++pending >= kPerWrite) RETURN_IF_ERROR(flush(false));
  }
  if (!out->status().ok()) {
    return Unavailable("cannot migrate the store: " + out->status().ToString());
  }
  return flush(true);
}

}  // namespace motcua
