// The RocksDB store's report counters (rocks_store.h, "reports"): values summed by a merge
// operator so that a write adds to a counter without reading it, their scan, and the migration
// that counts them from every history.

#include <rocksdb/merge_operator.h>
#include <rocksdb/write_batch.h>

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

Status RocksStore::ScanReportCounters(
    const std::string& begin, const std::string& end,
    const std::function<void(std::string_view name, int64_t value)>& fn) {
  rocksdb::ReadOptions ro;
  const rocksdb::Slice upper(end);
  ro.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf(ColumnFamily::kReports)));
  for (it->Seek(begin); it->Valid(); it->Next()) {
    if (it->value().size() != 8) {
      return Internal("report counter '" + it->key().ToString() + "' is not 8 bytes");
    }
    fn(std::string_view(it->key().data(), it->key().size()), DecodeLE64(it->value().data()));
  }
  if (!it->status().ok()) return Internal("scan report counters: " + it->status().ToString());
  return Status::Ok();
}

// Every format before 4 lacks index entries only (formats 2, 3 and 4 add some; none removes one)
// and the report counters: write every index entry of every dossier (those it has are written
// again, unchanged), the report counters counted from every history, then the new format.
Status RocksStore::Migrate(const std::string& from) {
  constexpr size_t kPerWrite = 10000;
  size_t dossiers = 0;
  rocksdb::WriteBatch batch;
  auto flush = [&](bool last) -> Status {
    rocksdb::WriteOptions wo;
    wo.sync = last;
    if (last) batch.Put(cf(ColumnFamily::kDefault), kFormatKey, kFormatVersion);
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
  for (const auto& [name, value] : counters) {
    batch.Put(cf(ColumnFamily::kReports), name, EncodeLE64(value));
    if (++written % kPerWrite == 0) RETURN_IF_ERROR(flush(false));
  }
  RETURN_IF_ERROR(flush(true));
  migration_ = "store format " + from + " → " + std::string(kFormatVersion) +
               ": wrote the index entries of " + std::to_string(dossiers) +
               " dossiers and counted " + std::to_string(counters.size()) +
               " report counters from their histories";
  return Status::Ok();
}

}  // namespace motcua
