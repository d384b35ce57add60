// The on-disk scratch set (scratch_set.h).

#include "adapters/rocksdb/scratch_set.h"

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include <filesystem>

namespace motcua {

namespace {

// Keys are buffered in a batch of about this many bytes before each write.
constexpr size_t kBatchBytes = 4 << 20;

Status FromRocks(const rocksdb::Status& s, const std::string& what) {
  return Status(StatusCode::kUnavailable, what + ": " + s.ToString());
}

}  // namespace

Result<std::unique_ptr<RocksScratchSet>> RocksScratchSet::Create(const std::string& dir) {
  std::error_code ec;
  if (std::filesystem::exists(dir, ec)) {
    return Status(StatusCode::kFailedPrecondition,
                  "scratch directory " + dir + " exists already; remove it or choose another");
  }
  rocksdb::Options o;
  o.create_if_missing = true;
  o.error_if_exists = true;
  o.write_buffer_size = 32 << 20;  // two of these, and the default block cache: ~80 MB at most
  o.max_write_buffer_number = 2;
  o.compression = rocksdb::kNoCompression;  // written once, read once: speed over space
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(o, dir, &raw);
  if (!s.ok()) return FromRocks(s, "cannot create the scratch store " + dir);
  return std::unique_ptr<RocksScratchSet>(
      new RocksScratchSet(dir, std::unique_ptr<rocksdb::DB>(raw)));
}

RocksScratchSet::RocksScratchSet(std::string dir, std::unique_ptr<rocksdb::DB> db)
    : dir_(std::move(dir)), db_(std::move(db)), batch_(std::make_unique<rocksdb::WriteBatch>()) {}

RocksScratchSet::~RocksScratchSet() {
  if (db_) (void)db_->Close();
  db_.reset();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

Status RocksScratchSet::Flush() {
  if (batch_->Count() == 0) return Status::Ok();
  rocksdb::WriteOptions w;
  w.disableWAL = true;  // thrown away at the end: nothing to recover
  rocksdb::Status s = db_->Write(w, batch_.get());
  batch_->Clear();
  return s.ok() ? Status::Ok() : FromRocks(s, "cannot write the scratch store " + dir_);
}

Status RocksScratchSet::Add(std::string_view key) {
  rocksdb::Status s = batch_->Put(rocksdb::Slice(key.data(), key.size()), rocksdb::Slice());
  if (!s.ok()) return FromRocks(s, "cannot add to the scratch store");
  return batch_->GetDataSize() >= kBatchBytes ? Flush() : Status::Ok();
}

Status RocksScratchSet::Scan(const std::function<Status(std::string_view key)>& each) {
  RETURN_IF_ERROR(Flush());
  rocksdb::ReadOptions r;
  r.fill_cache = false;  // one pass
  r.readahead_size = 2 << 20;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(r));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    RETURN_IF_ERROR(each(std::string_view(it->key().data(), it->key().size())));
  }
  return it->status().ok() ? Status::Ok()
                           : FromRocks(it->status(), "cannot read the scratch store");
}

}  // namespace motcua
