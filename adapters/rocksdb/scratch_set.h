#pragma once
// A ScratchSet (engine/store/verify.h) on disk, an external sort: keys are gathered in memory up
// to a bound (64 MB), sorted, and written as a sorted run (a RocksDB table file, SstFileWriter)
// into a throwaway RocksDB in a directory of its own; a scan reads them back merged, each key
// once. No log, no syncs, no memtable: it is rebuilt on the next run if anything goes wrong, and
// removed when the set is destroyed. Memory stays bounded whatever the number of keys:
// `motcua verify` keeps a million dossiers' index entries in one.

#include <memory>
#include <string>
#include <vector>

#include "engine/store/verify.h"

namespace rocksdb {
class DB;
struct Options;
}  // namespace rocksdb

namespace motcua {

class RocksScratchSet : public ScratchSet {
 public:
  // `dir` must not exist (it is created, and removed at the end). A run is written each time the
  // keys gathered take about `run_bytes` of memory.
  static Result<std::unique_ptr<RocksScratchSet>> Create(const std::string& dir,
                                                         size_t run_bytes = 64 << 20);
  ~RocksScratchSet() override;

  Status Add(std::string_view key) override;
  Status Scan(const std::function<Status(std::string_view key)>& each) override;
  size_t runs() const { return runs_; }

 private:
  RocksScratchSet(std::string dir, size_t run_bytes, std::unique_ptr<rocksdb::Options> options,
                  std::unique_ptr<rocksdb::DB> db);
  Status WriteRun();

  std::string dir_;
  size_t run_bytes_;
  std::unique_ptr<rocksdb::Options> options_;
  std::unique_ptr<rocksdb::DB> db_;
  // Gathered for the next run: the keys' bytes one after another (reserved once: never moved),
  // and each key's place in them.
  std::string arena_;
  std::vector<std::string_view> keys_;
  size_t runs_ = 0;
};

}  // namespace motcua
