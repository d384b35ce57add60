// The on-disk scratch set (scratch_set.h).

#include "adapters/rocksdb/scratch_set.h"

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/sst_file_writer.h>

#include <algorithm>
#include <filesystem>

namespace motcua {

namespace {

Status FromRocks(const rocksdb::Status& s, const std::string& what) {
  return Status(StatusCode::kUnavailable, what + ": " + s.ToString());
}

}  // namespace

Result<std::unique_ptr<RocksScratchSet>> RocksScratchSet::Create(const std::string& dir,
                                                                 size_t run_bytes) {
  std::error_code ec;
  if (std::filesystem::exists(dir, ec)) {
    return Status(StatusCode::kFailedPrecondition,
                  "scratch directory " + dir + " exists already; remove it or choose another");
  }
  auto o = std::make_unique<rocksdb::Options>();
  o->create_if_missing = true;
  o->error_if_exists = true;
  o->compression = rocksdb::kNoCompression;  // written once, read once: speed over space
  // Runs are only ever read back merged: never compact them, and never stall on their number.
  o->disable_auto_compactions = true;
  o->level0_slowdown_writes_trigger = 1 << 30;
  o->level0_stop_writes_trigger = 1 << 30;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(*o, dir, &raw);
  if (!s.ok()) return FromRocks(s, "cannot create the scratch store " + dir);
  return std::unique_ptr<RocksScratchSet>(
      new RocksScratchSet(dir, run_bytes, std::move(o), std::unique_ptr<rocksdb::DB>(raw)));
}

RocksScratchSet::RocksScratchSet(std::string dir, size_t run_bytes,
                                 std::unique_ptr<rocksdb::Options> options,
                                 std::unique_ptr<rocksdb::DB> db)
    : dir_(std::move(dir)),
      run_bytes_(run_bytes),
      options_(std::move(options)),
      db_(std::move(db)) {}

RocksScratchSet::~RocksScratchSet() {
  if (db_) (void)db_->Close();
  db_.reset();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

Status RocksScratchSet::Add(std::string_view key) {
  // The arena never grows past what was reserved (its keys would move): a run is written first.
  if (arena_.capacity() < run_bytes_) arena_.reserve(run_bytes_);
  if (arena_.size() + key.size() > arena_.capacity() ||
      keys_.size() * sizeof(std::string_view) > run_bytes_ / 4) {
    RETURN_IF_ERROR(WriteRun());
    if (key.size() > arena_.capacity()) arena_.reserve(key.size());
  }
  const char* at = arena_.data() + arena_.size();
  arena_.append(key);
  keys_.emplace_back(at, key.size());
  return Status::Ok();
}

Status RocksScratchSet::WriteRun() {
  if (keys_.empty()) return Status::Ok();
  std::sort(keys_.begin(), keys_.end());
  keys_.erase(std::unique(keys_.begin(), keys_.end()), keys_.end());
  const std::string path = dir_ + "/run-" + std::to_string(runs_) + ".sst";
  rocksdb::SstFileWriter writer(rocksdb::EnvOptions(), *options_);
  rocksdb::Status s = writer.Open(path);
  for (size_t i = 0; s.ok() && i < keys_.size(); ++i) {
    s = writer.Put(rocksdb::Slice(keys_[i].data(), keys_[i].size()), rocksdb::Slice());
  }
  if (s.ok()) s = writer.Finish();
  if (s.ok()) {
    rocksdb::IngestExternalFileOptions ingest;
    ingest.move_files = true;
    s = db_->IngestExternalFile({path}, ingest);
  }
  if (!s.ok()) return FromRocks(s, "cannot write a sorted run to the scratch store " + dir_);
  ++runs_;
  keys_.clear();
  arena_.clear();  // keeps its capacity: the next run's keys go where these were
  return Status::Ok();
}

Status RocksScratchSet::Scan(const std::function<Status(std::string_view key)>& each) {
  RETURN_IF_ERROR(WriteRun());
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
