// The RocksDB store's report counters (rocks_store.h, "reports" and "report_log"): a commit
// writes its changes as one report log entry; a fold adds the log's entries to the counters
// (values summed by a merge operator, so nothing reads a counter to add to it) and deletes them
// in one write; a scan reads the counters with the log's rest at one snapshot; and the migration
// that counts the counters from every history.

#include <pthread.h>
#include <rocksdb/merge_operator.h>
#include <rocksdb/write_batch.h>

#include <cstdio>
#include <map>

#include "adapters/proto/dossier_codec.h"
#include "adapters/rocksdb/rocks_store.h"
#include "engine/report/counters.h"
#include "engine/store/indexes.h"

namespace motcua {

namespace {

// Sums little-endian int64 operands; a missing value is 0.
class Int64AddOperator : public rocksdb::AssociativeMergeOperator {
 public:
  const char* Name() const override { return "motcua.Int64Add"; }
  bool Merge(const rocksdb::Slice& key, const rocksdb::Slice* existing, const rocksdb::Slice& value,
             std::string* new_value, rocksdb::Logger* logger) const override {
    (void)key;
    (void)logger;
    if (value.size() != 8 || (existing != nullptr && existing->size() != 8)) return false;
    const int64_t sum =
        (existing != nullptr ? DecodeLE64(existing->data()) : 0) + DecodeLE64(value.data());
    *new_value = EncodeLE64(sum);
    return true;
  }
};

}  // namespace

std::string EncodeLE64(int64_t v) {
  std::string s(8, '\0');
  auto u = static_cast<uint64_t>(v);
  for (int i = 0; i < 8; ++i) {
    s[i] = static_cast<char>(u & 0xff);
    u >>= 8;
  }
  return s;
}

int64_t DecodeLE64(const char* p) {
  uint64_t u = 0;
  for (int i = 7; i >= 0; --i) u = (u << 8) | static_cast<unsigned char>(p[i]);
  return static_cast<int64_t>(u);
}

std::shared_ptr<rocksdb::MergeOperator> NewInt64AddOperator() {
  return std::make_shared<Int64AddOperator>();
}

namespace {

// Releases a snapshot when it goes out of scope.
struct SnapshotRelease {
  rocksdb::DB* db;
  void operator()(const rocksdb::Snapshot* s) const { db->ReleaseSnapshot(s); }
};

Status DecodeChanges(const rocksdb::Slice& key, const rocksdb::Slice& value,
                     v1::ReportChanges* out) {
  if (key.size() != 8 || !out->ParseFromArray(value.data(), static_cast<int>(value.size())) ||
      out->names_size() != out->deltas_size()) {
    return Internal("report log entry " + key.ToString(true) + " is not a v1.ReportChanges");
  }
  return Status::Ok();
}

}  // namespace

Status RocksStore::ScanReportCounters(
    const std::string& begin, const std::string& end,
    const std::function<void(std::string_view name, int64_t value)>& fn) {
  // folded_upto_ before the snapshot: an entry past it is either in the snapshot's log or was
  // folded into the snapshot's counters, never both and never neither.
  const uint64_t folded = folded_upto_.load(std::memory_order_acquire);
  std::unique_ptr<const rocksdb::Snapshot, SnapshotRelease> snapshot(db_->GetSnapshot(),
                                                                     SnapshotRelease{db_.get()});
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot.get();
  // The changes not yet folded, in [begin, end).
  std::map<std::string, int64_t, std::less<>> pending;
  {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf(ColumnFamily::kReportLog)));
    v1::ReportChanges changes;
    for (it->Seek(EncodeBE64(folded + 1)); it->Valid(); it->Next()) {
      RETURN_IF_ERROR(DecodeChanges(it->key(), it->value(), &changes));
      for (int i = 0; i < changes.names_size(); ++i) {
        const std::string& name = changes.names(i);
        if (name >= begin && name < end) pending[name] += changes.deltas(i);
      }
    }
    if (!it->status().ok()) return Internal("read the report log: " + it->status().ToString());
  }
  const rocksdb::Slice upper(end);
  ro.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf(ColumnFamily::kReports)));
  auto p = pending.begin();
  for (it->Seek(begin); it->Valid(); it->Next()) {
    if (it->value().size() != 8) {
      return Internal("report counter '" + it->key().ToString() + "' is not 8 bytes");
    }
    const std::string_view name(it->key().data(), it->key().size());
    for (; p != pending.end() && p->first < name; ++p) fn(p->first, p->second);
    int64_t value = DecodeLE64(it->value().data());
    if (p != pending.end() && p->first == name) value += (p++)->second;
    fn(name, value);
  }
  if (!it->status().ok()) return Internal("scan report counters: " + it->status().ToString());
  for (; p != pending.end(); ++p) fn(p->first, p->second);
  return Status::Ok();
}

Result<size_t> RocksStore::FoldReportLog() {
  MutexLock lock(&fold_mu_);
  RETURN_IF_ERROR(Writable());
  // Many commits' changes summed into one merge operand per counter; a bounded number of log
  // entries per write.
  constexpr size_t kPerWrite = 20000;
  size_t folded = 0;
  for (;;) {
    const uint64_t from = folded_upto_.load(std::memory_order_relaxed);
    rocksdb::ReadOptions ro;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf(ColumnFamily::kReportLog)));
    rocksdb::WriteBatch batch;
    CounterDeltas sums;
    v1::ReportChanges changes;
    uint64_t last = from;
    size_t n = 0;
    for (it->Seek(EncodeBE64(from + 1)); it->Valid() && n < kPerWrite; it->Next(), ++n) {
      RETURN_IF_ERROR(DecodeChanges(it->key(), it->value(), &changes));
      for (int i = 0; i < changes.names_size(); ++i) sums[changes.names(i)] += changes.deltas(i);
      batch.Delete(cf(ColumnFamily::kReportLog), it->key());
      last = DecodeBE64(it->key().data());
    }
    if (!it->status().ok()) return Internal("read the report log: " + it->status().ToString());
    if (n == 0) return folded;
    for (const auto& [name, delta] : sums) {
      if (delta != 0) batch.Merge(cf(ColumnFamily::kReports), name, EncodeLE64(delta));
    }
    // Not synced: the fold is one atomic write, and if a crash loses it the entries are still
    // in the log and the next open folds them again. The next synced commit makes it durable.
    rocksdb::Status s = db_->Write(rocksdb::WriteOptions(), &batch);
    if (!s.ok()) {
      // As after a failed commit: RocksDB refuses writes after it, and so does the store, with
      // the reason (and the folding thread stops retrying).
      const std::string why = "fold the report log: " + s.ToString();
      std::fprintf(stderr,
                   "motcua: writes stopped: %s; reads are still served; restart the server once "
                   "the cause is fixed\n",
                   why.c_str());
      FailWrites(why);
      return Unavailable(why);
    }
    folded_upto_.store(last, std::memory_order_release);
    folded += n;
  }
}

void RocksStore::StartFolding() {
  {
    // Keys go on after the last entry left in the log (none after a clean close).
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(rocksdb::ReadOptions(), cf(ColumnFamily::kReportLog)));
    it->SeekToLast();
    MutexLock lock(&log_mu_);
    next_log_key_ = it->Valid() && it->key().size() == 8 ? DecodeBE64(it->key().data()) + 1 : 1;
  }
  folding_ = true;
  if (Result<size_t> r = FoldReportLog(); !r.ok()) {
    std::fprintf(stderr, "motcua: %s\n", r.status().ToString().c_str());
  }
  if (options_.report_fold_interval_ms <= 0) return;
  folder_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "motcua-fold");
    const auto interval = std::chrono::milliseconds(options_.report_fold_interval_ms);
    std::string said;  // a failure repeats every round: say it once
    for (;;) {
      {
        MutexLock lock(&fold_wait_mu_);
        if (!stop_folding_) fold_wake_.WaitFor(&fold_wait_mu_, interval);
        if (stop_folding_) return;
      }
      // Writes refused: the failure said why (a failed fold below, or a failed commit).
      if (writes_.failed()) continue;
      Result<size_t> r = FoldReportLog();
      const std::string now = r.ok() || writes_.failed() ? "" : r.status().ToString();
      if (!now.empty() && now != said) std::fprintf(stderr, "motcua: %s\n", now.c_str());
      said = now;
    }
  });
}

void RocksStore::StopFolding() {
  {
    MutexLock lock(&fold_wait_mu_);
    stop_folding_ = true;
  }
  fold_wake_.SignalAll();
  if (folder_.joinable()) folder_.join();
  // A clean close leaves the log empty.
  if (folding_ && !writes_.failed()) (void)FoldReportLog();
}

// Format 4 lacks only the report log and the states, which the open created. Every format before 4
// lacks index entries only (formats 2, 3 and 4 add some; none removes one) and the report counters:
// write every index entry of every dossier (those it has are written again, unchanged), the report
// counters counted from every history, then the new format.
Status RocksStore::Migrate(const std::string& from) {
  // Formats 1 to 4 are brought to 5 (below), then 5 to 6: the hash chains.
  auto chains = [&](std::string did) -> Status {
    size_t events = 0;
    RETURN_IF_ERROR(MigrateChains(&events));
    migration_ = did + (did.empty() ? "" : "; ") + "store format 5 → 6: hash chains over " +
                 std::to_string(events) + " events";
    return Status::Ok();
  };
  if (from == "5") return chains("");
  if (from == "4") {
    rocksdb::WriteOptions wo;
    wo.sync = true;
    rocksdb::Status s = db_->Put(wo, cf(ColumnFamily::kDefault), kFormatKey, "5");
    if (!s.ok()) return Unavailable("cannot migrate the store: " + s.ToString());
    return chains("store format 4 → 5: added the report log and the states");
  }
  constexpr size_t kPerWrite = 10000;
  size_t dossiers = 0;
  rocksdb::WriteBatch batch;
  auto flush = [&](bool last) -> Status {
    rocksdb::WriteOptions wo;
    wo.sync = last;
    if (last) batch.Put(cf(ColumnFamily::kDefault), kFormatKey, "5");
    rocksdb::Status s = db_->Write(wo, &batch);
    batch.Clear();
    return s.ok() ? Status::Ok() : Unavailable("cannot migrate the store: " + s.ToString());
  };
  CounterDeltas counters;
  rocksdb::ReadOptions ro;
  ro.total_order_seek = true;  // every dossier, across the hashed memtable's prefixes
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf(ColumnFamily::kDossiers)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    ASSIGN_OR_RETURN(Dossier d, DecodeDossier(it->value().ToString()));
    for (const std::string& entry : IndexEntries(d)) {
      batch.Put(cf(ColumnFamily::kIndexes), entry, rocksdb::Slice());
    }
    ASSIGN_OR_RETURN(std::vector<Event> history, History(d.id));
    AddHistoryDeltas(history, &counters);
    if (++dossiers % kPerWrite == 0) RETURN_IF_ERROR(flush(false));
  }
  if (!it->status().ok()) {
    return Unavailable("cannot migrate the store: " + it->status().ToString());
  }
  // Counted whole, written with Put: a migration run again after a crash writes the same sums.
  size_t written = 0;
  const std::vector<std::pair<std::string, int64_t>> sums = SortedChanges(counters);
  for (const auto& [name, value] : sums) {
    batch.Put(cf(ColumnFamily::kReports), name, EncodeLE64(value));
    if (++written % kPerWrite == 0) RETURN_IF_ERROR(flush(false));
  }
  RETURN_IF_ERROR(flush(true));
  return chains("store format " + from + " → 5: wrote the index entries of " +
                std::to_string(dossiers) + " dossiers and counted " + std::to_string(sums.size()) +
                " report counters from their histories");
}

}  // namespace motcua
