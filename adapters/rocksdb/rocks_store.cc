// The RocksDB store (rocks_store.h): opening with the column families of docs/storage.md, reads,
// one synced WriteBatch per group commit, and the memtable options of the write path.

#include "adapters/rocksdb/rocks_store.h"

#include <rocksdb/filter_policy.h>
#include <rocksdb/memtablerep.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/utilities/options_util.h>
#include <rocksdb/write_batch.h>
#include <rocksdb/write_buffer_manager.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <mutex>

#include "adapters/proto/dossier_codec.h"
#include "adapters/rocksdb/chain.h"
#include "adapters/rocksdb/info_log.h"
#include "adapters/rocksdb/transforms.h"
#include "engine/store/indexes.h"

namespace motcua {

namespace {

const char* const kColumnFamilyNames[] = {"default",     "dossiers", "history",  "indexes",
                                          "idempotency", "outbox",   "counters", "reports",
                                          "report_log",  "states"};
static_assert(std::size(kColumnFamilyNames) == static_cast<size_t>(ColumnFamily::kCount));

Status FromRocks(const rocksdb::Status& s, const std::string& what) {
  if (s.ok()) return Status::Ok();
  if (s.IsNotFound()) return NotFound(what + ": " + s.ToString());
  return Internal(what + ": " + s.ToString());
}

// A failure for want of space (ENOSPC), whichever way RocksDB reports it.
bool IsNoSpace(const rocksdb::Status& s) {
  return s.IsNoSpace() || s.ToString().find("No space left on device") != std::string::npos;
}

}  // namespace

std::string HistoryKey(std::string_view id, int64_t version) {
  std::string k(id);
  k.push_back('\0');
  k += EncodeBE64(static_cast<uint64_t>(version));
  return k;
}

std::string EncodeBE64(uint64_t v) {
  std::string s(8, '\0');
  for (int i = 7; i >= 0; --i) {
    s[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  return s;
}

uint64_t DecodeBE64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

Result<std::unique_ptr<RocksStore>> RocksStore::Open(const std::string& path,
                                                     const RocksStoreOptions& options) {
  std::unique_ptr<RocksStore> store(new RocksStore());
  store->path_ = path;
  store->options_ = options;
  store->records_ = std::make_unique<RecordCache>(options.record_cache_entries);

  rocksdb::Options db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.paranoid_checks = true;
  if (options.env != nullptr) db_options.env = options.env;
  // No LOG file on the data disk: RocksDB's messages go to our stderr.
  db_options.info_log = NewStderrInfoLog(options.info_log_level);
  // Keep the WAL and memtables modest; dossiers are small.
  db_options.max_total_wal_size = 256 << 20;
  if (options.memtable_bytes > 0) {
    db_options.write_buffer_manager =
        std::make_shared<rocksdb::WriteBufferManager>(options.memtable_bytes);
  }
  db_options.IncreaseParallelism(2);

  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10, false));
  rocksdb::ColumnFamilyOptions cf_options;
  cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  // Point lookups that miss (a new idempotency key, a counter of a new day) are the common case
  // on the write path: a whole-key bloom filter in the memtable answers them without a search.
  cf_options.memtable_whole_key_filtering = true;
  cf_options.memtable_prefix_bloom_size_ratio = 0.05;
  // Small memtables keep skiplist inserts (the writer's main cost) shallow and cache-resident;
  // flushes run on the background thread.
  cf_options.write_buffer_size = 8 << 20;
  cf_options.max_write_buffer_number = 4;

  // Hash-bucketed memtables for the families read and written by key (see UpToNulTransform);
  // the others keep ordered skiplists for their scans.
  rocksdb::ColumnFamilyOptions hashed = cf_options;
  hashed.prefix_extractor = std::make_shared<UpToNulTransform>();
  hashed.memtable_factory.reset(rocksdb::NewHashSkipListRepFactory(100000));
  db_options.allow_concurrent_memtable_write = false;  // one writer; hashed memtables need it

  rocksdb::ColumnFamilyOptions indexes = cf_options;
  indexes.memtable_insert_with_hint_prefix_extractor = std::make_shared<IndexGroupTransform>();
  rocksdb::ColumnFamilyOptions outbox = cf_options;
  outbox.memtable_insert_with_hint_prefix_extractor = std::make_shared<SingleGroupTransform>();
  // Report counters take additions (merge operands): a write never reads a counter.
  rocksdb::ColumnFamilyOptions reports = cf_options;
  reports.merge_operator = NewInt64AddOperator();
  // A write set's report changes come sorted (engine/report/counters.h sums them in an ordered
  // map): each lands right after the one before it.
  reports.memtable_insert_with_hint_prefix_extractor = std::make_shared<SingleGroupTransform>();
  // The report log's keys grow like the outbox's.
  rocksdb::ColumnFamilyOptions report_log = outbox;

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (int i = 0; i < static_cast<int>(ColumnFamily::kCount); ++i) {
    const auto f = static_cast<ColumnFamily>(i);
    const bool by_key = f == ColumnFamily::kDossiers || f == ColumnFamily::kHistory ||
                        f == ColumnFamily::kIdempotency;
    descriptors.emplace_back(kColumnFamilyNames[i], by_key                          ? hashed
                                                    : f == ColumnFamily::kIndexes   ? indexes
                                                    : f == ColumnFamily::kOutbox    ? outbox
                                                    : f == ColumnFamily::kReports   ? reports
                                                    : f == ColumnFamily::kReportLog ? report_log
                                                                                    : cf_options);
  }
  // A read-only open of a store of an older format, which lacks the newer column families, opens
  // the ones it has and lets the format check below say what to do.
  auto only_present = [&] {
    std::vector<std::string> present;
    if (rocksdb::DB::ListColumnFamilies(db_options, path, &present).ok()) {
      while (!descriptors.empty() &&
             std::find(present.begin(), present.end(), descriptors.back().name) == present.end()) {
        descriptors.pop_back();
      }
    }
  };
  if (options.read_only) only_present();
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s;
  if (options.read_only) {
    db_options.create_if_missing = false;
    s = rocksdb::DB::OpenForReadOnly(db_options, path, descriptors, &store->handles_, &raw);
    if (!s.ok()) return Unavailable("cannot open the store at " + path + ": " + s.ToString());
    store->writes_.Fail("the store was opened read-only");
  } else {
    // A new store's directory first: RocksDB would otherwise report it missing before making it.
    std::error_code ec;
    std::filesystem::create_directories(path, ec);
    s = rocksdb::DB::Open(db_options, path, descriptors, &store->handles_, &raw);
  }
  if (!s.ok() && IsNoSpace(s)) {
    // Opening for writing writes (a new manifest, options, a log). On a full disk the data is
    // still readable: serve reads, refuse every write, and say why.
    store->handles_.clear();
    only_present();
    rocksdb::Status ro =
        rocksdb::DB::OpenForReadOnly(db_options, path, descriptors, &store->handles_, &raw);
    if (ro.ok()) {
      store->writes_.Fail("the disk is full; the store was opened read-only (" + s.ToString() +
                          "); restart once there is space");
      s = ro;
    }
  }
  if (!s.ok()) return Unavailable("cannot open the store at " + path + ": " + s.ToString());
  store->db_.reset(raw);

  std::string format;
  s = store->db_->Get(rocksdb::ReadOptions(), store->cf(ColumnFamily::kDefault), kFormatKey,
                      &format);
  if (s.IsNotFound() && !store->writes_.failed()) {
    rocksdb::WriteOptions wo;
    wo.sync = true;
    s = store->db_->Put(wo, store->cf(ColumnFamily::kDefault), kFormatKey, kFormatVersion);
    if (!s.ok()) return Unavailable("cannot initialise the store: " + s.ToString());
    store->created_ = true;
  } else if (!s.ok()) {
    return Unavailable("cannot read the store format: " + s.ToString());
  } else if (format == "1" || format == "2" || format == "3" || format == "4" || format == "5") {
    if (!options.migrate) {
      return FailedPrecondition("the store at " + path + " has format " + format +
                                "; this build would upgrade it to format " + kFormatVersion +
                                ", which it was asked not to do here (back it up with the "
                                "build that wrote it, or upgrade it first: motcua migrate)");
    }
    if (store->writes_.failed()) {
      return FailedPrecondition("the store at " + path + " has format " + format +
                                "; this build upgrades it to format " + kFormatVersion +
                                " when it opens it for writing (motcua migrate "
                                "<data>, or motcua serve), which it cannot now: " +
                                store->writes_.Check().message());
    }
    RETURN_IF_ERROR(store->Migrate(format));
  } else if (format != kFormatVersion) {
    return FailedPrecondition("the store at " + path + " has format " + format +
                              "; this build reads format " + kFormatVersion);
  }
  if (store->handles_.size() != static_cast<size_t>(ColumnFamily::kCount)) {
    return FailedPrecondition("the store at " + path + " lacks column families of format " +
                              kFormatVersion);
  }
  if (!store->writes_.failed()) store->StartFolding();
  return store;
}

void RocksStore::FailWrites(const std::string& why) { writes_.Fail(why); }

RocksStore::~RocksStore() {
  StopFolding();
  // Column-family handles go before the DB.
  if (db_) {
    for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h);
    handles_.clear();
    db_->Close();
  }
}

Result<std::optional<Dossier>> RocksStore::Get(const std::string& id) {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf(ColumnFamily::kDossiers), id, &value);
  if (s.IsNotFound()) return std::optional<Dossier>();
  RETURN_IF_ERROR(FromRocks(s, "read dossier"));
  ASSIGN_OR_RETURN(Dossier d, DecodeDossier(value));
  return std::optional<Dossier>(std::move(d));
}

Result<std::shared_ptr<const Dossier>> RocksStore::GetShared(const std::string& id) {
  return records_->Get(id, [&] { return Get(id); });
}

Result<std::vector<Event>> RocksStore::History(const std::string& id) {
  std::vector<Event> out;
  std::string prefix = id;
  prefix.push_back('\0');
  rocksdb::ReadOptions ro;
  ro.prefix_same_as_start = true;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf(ColumnFamily::kHistory)));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    ASSIGN_OR_RETURN(Event e, DecodeEvent(it->value().ToStringView()));
    out.push_back(std::move(e));
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "read history"));
  return out;
}

Result<std::optional<IdempotencyRecord>> RocksStore::Idempotency(const std::string& key) {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf(ColumnFamily::kIdempotency), key, &value);
  if (s.IsNotFound()) return std::optional<IdempotencyRecord>();
  RETURN_IF_ERROR(FromRocks(s, "read idempotency record"));
  v1::IdempotencyRecord p;
  if (!p.ParseFromString(value)) return Internal("stored idempotency record does not parse");
  IdempotencyRecord r;
  FromProto(p, &r);
  return std::optional<IdempotencyRecord>(r);
}

Result<int64_t> RocksStore::Counter(const std::string& name) {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf(ColumnFamily::kCounters), name, &value);
  if (s.IsNotFound()) return int64_t{0};
  RETURN_IF_ERROR(FromRocks(s, "read counter"));
  if (value.size() != 8) return Internal("stored counter '" + name + "' is not 8 bytes");
  return static_cast<int64_t>(DecodeBE64(value.data()));
}

Result<uint64_t> RocksStore::LastOutboxPosition() {
  // One seek to the last key: start-up never scans the outbox.
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), cf(ColumnFamily::kOutbox)));
  it->SeekToLast();
  RETURN_IF_ERROR(FromRocks(it->status(), "read outbox"));
  if (!it->Valid()) return uint64_t{0};
  if (it->key().size() != 8) return Internal("bad outbox key");
  return DecodeBE64(it->key().data());
}

namespace {

// A write set as column-family operations, ready to copy into a WriteBatch.
struct EncodedOps {
  struct Op {
    enum Kind { kPut, kDelete, kMerge, kLog };  // kLog: a report log entry, keyed by Commit
    ColumnFamily cf;
    Kind kind;
    std::string key;
    std::string value;
  };
  std::vector<Op> ops;
  // Set when the write set could not be encoded (the global chain's head unread): Commit refuses
  // it and every later write, rather than write a chain that does not follow.
  Status failure;
};

}  // namespace

void RocksStore::Encode(WriteSet& w) {
  using Op = EncodedOps::Op;
  auto enc = std::make_shared<EncodedOps>();
  auto& ops = enc->ops;
  ops.reserve(w.changes.size() * 12 + w.idempotency.size() + w.counters.size() +
              w.report_deltas.size());
  const Status chained = chain_.Chain(
      w, [this](uint64_t p) { return GlobalHashAt(p); },
      [&](const DossierChange& c, std::vector<ChainedEvent>& events) {
        std::vector<std::string> removed, added;
        DiffIndexEntries(c.before.get(), *c.after, &removed, &added);
        for (auto& e : removed) {
          ops.push_back({ColumnFamily::kIndexes, Op::kDelete, std::move(e), {}});
        }
        for (auto& e : added) ops.push_back({ColumnFamily::kIndexes, Op::kPut, std::move(e), {}});
        for (size_t i = 0; i < events.size(); ++i) {
          std::string key = HistoryKey(c.events[i].dossier_id, c.events[i].version);
          ops.push_back({ColumnFamily::kHistory, Op::kPut, key, std::move(events[i].stored)});
          // The outbox points at the history record: the event is stored once.
          ops.push_back({ColumnFamily::kOutbox, Op::kPut, EncodeBE64(events[i].position),
                         OutboxValue(key, events[i].event_hash, events[i].global_hash)});
        }
        ops.push_back({ColumnFamily::kDossiers, Op::kPut, c.after->id, EncodeDossier(*c.after)});
      });
  if (!chained.ok()) {
    // Nothing chained: the next write set tries again, and is refused too.
    enc->failure = chained;
    w.encoded = std::move(enc);
    return;
  }
  for (const auto& r : w.idempotency) {
    v1::IdempotencyRecord p;
    ToProto(r, &p);
    ops.push_back({ColumnFamily::kIdempotency, Op::kPut, r.key, p.SerializeAsString()});
  }
  for (const auto& [name, value] : w.counters) {
    ops.push_back(
        {ColumnFamily::kCounters, Op::kPut, name, EncodeBE64(static_cast<uint64_t>(value))});
  }
  if (!w.report_deltas.empty()) {
    v1::ReportChanges changes;
    for (const auto& [name, delta] : w.report_deltas) {
      changes.add_names(name);
      changes.add_deltas(delta);
    }
    ops.push_back({ColumnFamily::kReportLog, Op::kLog, {}, changes.SerializeAsString()});
  }
  w.encoded = std::move(enc);
}

Status RocksStore::Commit(const std::vector<const WriteSet*>& sets) {
  RETURN_IF_ERROR(writes_.Check("the store refuses writes after a failed write: "));
  rocksdb::WriteBatch batch;
  std::vector<const std::string*> log_entries;
  std::vector<std::shared_ptr<const void>> encodings;  // keeps log_entries' strings alive
  for (const WriteSet* w : sets) {
    std::shared_ptr<const void> encoded = EncodingOf(*this, *w);
    encodings.push_back(encoded);
    if (const Status& f = static_cast<const EncodedOps*>(encoded.get())->failure; !f.ok()) {
      FailWrites(f.message());
      return f;
    }
    for (const auto& op : static_cast<const EncodedOps*>(encoded.get())->ops) {
      switch (op.kind) {
        case EncodedOps::Op::kPut:
          batch.Put(cf(op.cf), op.key, op.value);
          break;
        case EncodedOps::Op::kDelete:
          batch.Delete(cf(op.cf), op.key);
          break;
        case EncodedOps::Op::kMerge:
          batch.Merge(cf(op.cf), op.key, op.value);
          break;
        case EncodedOps::Op::kLog:
          log_entries.push_back(&op.value);
          break;
      }
    }
  }
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync;
  wo.memtable_insert_hint_per_batch = true;
  records_->BeginCommit();
  // The report log's keys are chosen with the write they go in, so they become visible in order.
  rocksdb::Status s;
  {
    MutexLock lock(&log_mu_);
    for (const std::string* entry : log_entries) {
      batch.Put(cf(ColumnFamily::kReportLog), EncodeBE64(next_log_key_++), *entry);
    }
    s = db_->Write(wo, &batch);
  }
  if (!s.ok()) {
    // A failed (synced) write may or may not be on disk; nothing after it can be trusted to be
    // acknowledged in order, so refuse every later write until an operator restarts.
    FailWrites(s.ToString());
    return Unavailable("write failed: " + s.ToString());
  }
  // Durable now: later reads of these dossiers need neither RocksDB nor a decode.
  records_->PutCommitted(sets);
  return Status::Ok();
}

Result<std::vector<OutboxEntry>> RocksStore::ReadOutbox(uint64_t after, size_t limit) {
  std::vector<OutboxEntry> out;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), cf(ColumnFamily::kOutbox)));
  for (it->Seek(EncodeBE64(after + 1)); it->Valid() && out.size() < limit; it->Next()) {
    std::string_view key, event_hash, global_hash;
    if (!SplitOutboxValue(it->value().ToStringView(), &key, &event_hash, &global_hash)) {
      return Internal("outbox position " + std::to_string(DecodeBE64(it->key().data())) +
                      " holds no history key");
    }
    std::string bytes;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf(ColumnFamily::kHistory),
                                 rocksdb::Slice(key.data(), key.size()), &bytes);
    if (!s.ok()) {
      return Internal("outbox position " + std::to_string(DecodeBE64(it->key().data())) +
                      " points at a missing history record: " + s.ToString());
    }
    ASSIGN_OR_RETURN(Event e, DecodeEvent(bytes));
    out.push_back(OutboxEntry{DecodeBE64(it->key().data()), std::move(e)});
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "read outbox"));
  return out;
}

Result<std::vector<uint64_t>> RocksStore::OutboxPositions(uint64_t after, size_t limit) {
  std::vector<uint64_t> out;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), cf(ColumnFamily::kOutbox)));
  for (it->Seek(EncodeBE64(after + 1)); it->Valid() && out.size() < limit; it->Next()) {
    if (it->key().size() != 8) {
      return Internal("an outbox key is not a position: " + Hex(it->key().ToStringView()));
    }
    out.push_back(DecodeBE64(it->key().data()));
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "read outbox"));
  return out;
}

Result<RocksStore::ChainHead> RocksStore::GlobalHead() {
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), cf(ColumnFamily::kOutbox)));
  it->SeekToLast();
  RETURN_IF_ERROR(FromRocks(it->status(), "read outbox"));
  if (!it->Valid()) return ChainHead{0, ZeroHash()};
  std::string_view key, event_hash, global_hash;
  if (it->key().size() != 8 ||
      !SplitOutboxValue(it->value().ToStringView(), &key, &event_hash, &global_hash) ||
      global_hash.empty()) {
    return Internal("the last outbox entry holds no global hash");
  }
  return ChainHead{DecodeBE64(it->key().data()), std::string(global_hash)};
}

Result<std::string> RocksStore::GlobalHashAt(uint64_t position) {
  std::string value;
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), cf(ColumnFamily::kOutbox), EncodeBE64(position), &value);
  if (s.IsNotFound()) return NotFound("no outbox position " + std::to_string(position));
  RETURN_IF_ERROR(FromRocks(s, "read outbox"));
  std::string_view key, event_hash, global_hash;
  if (!SplitOutboxValue(value, &key, &event_hash, &global_hash) || global_hash.empty()) {
    return Internal("outbox position " + std::to_string(position) + " holds no global hash");
  }
  return std::string(global_hash);
}

Result<std::vector<std::string>> RocksStore::Ids(const std::string& after_id, size_t limit) {
  std::vector<std::string> out;
  rocksdb::ReadOptions ro;
  ro.total_order_seek = true;  // across every prefix (slow with hashed memtables; verify only)
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf(ColumnFamily::kDossiers)));
  it->Seek(after_id);
  if (it->Valid() && !after_id.empty() && it->key() == after_id) it->Next();
  for (; it->Valid() && out.size() < limit; it->Next()) out.push_back(it->key().ToString());
  RETURN_IF_ERROR(FromRocks(it->status(), "list dossiers"));
  return out;
}

Result<std::vector<std::string>> RocksStore::ScanIndexRange(const std::string& prefix,
                                                            const std::string& start_after,
                                                            const std::string& end_before,
                                                            size_t limit) {
  std::vector<std::string> out;
  // The iterator stops at the bound: without one it skips every deleted entry up to the next
  // live one (the timer index of a busy day: hundreds of thousands).
  const std::string end = ScanEnd(prefix, end_before);
  const rocksdb::Slice upper(end);
  rocksdb::ReadOptions read;
  if (!end.empty()) read.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read, cf(ColumnFamily::kIndexes)));
  if (start_after.empty()) {
    it->Seek(prefix);
  } else {
    it->Seek(start_after);
    if (it->Valid() && it->key() == start_after) it->Next();
  }
  for (; it->Valid() && out.size() < limit && it->key().starts_with(prefix); it->Next()) {
    out.push_back(it->key().ToString());
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "scan index"));
  return out;
}

Result<bool> RocksStore::HasIndexEntry(const std::string& entry) {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf(ColumnFamily::kIndexes), entry, &value);
  if (s.IsNotFound()) return false;
  RETURN_IF_ERROR(FromRocks(s, "read index"));
  return true;
}

Result<std::vector<std::string>> RocksStore::AllIndexEntries(const std::string& start_after,
                                                             size_t limit) {
  return ScanIndex("", start_after, limit);
}

Status RocksStore::Writable() const { return writes_.Check(); }

Status RocksStore::CreateCheckpoint(const std::string& dir) {
  rocksdb::Checkpoint* raw = nullptr;
  rocksdb::Status s = rocksdb::Checkpoint::Create(db_.get(), &raw);
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  // log_size_for_flush 0: the memtables are flushed first, so the copy needs no log replay.
  if (s.ok()) s = checkpoint->CreateCheckpoint(dir, 0);
  if (!s.ok()) return Unavailable("cannot create a checkpoint in " + dir + ": " + s.ToString());
  return Status::Ok();
}

}  // namespace motcua
