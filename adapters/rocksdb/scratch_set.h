#pragma once
// A ScratchSet (engine/store/verify.h) on disk: a throwaway RocksDB in a directory of its own,
// written without a log or syncs (it is rebuilt on the next run if anything goes wrong) and
// removed when the set is destroyed. Memory stays bounded by its write buffers and block
// cache, whatever the number of keys: `motcua verify` keeps a million dossiers' index entries
// in one.

#include <memory>
#include <string>

#include "engine/store/verify.h"

namespace rocksdb {
class DB;
class WriteBatch;
}  // namespace rocksdb

namespace motcua {

class RocksScratchSet : public ScratchSet {
 public:
  // `dir` must not exist (it is created, and removed at the end).
  static Result<std::unique_ptr<RocksScratchSet>> Create(const std::string& dir);
  ~RocksScratchSet() override;

  Status Add(std::string_view key) override;
  Status Scan(const std::function<Status(std::string_view key)>& each) override;

 private:
  RocksScratchSet(std::string dir, std::unique_ptr<rocksdb::DB> db);
  Status Flush();

  std::string dir_;
  std::unique_ptr<rocksdb::DB> db_;
  std::unique_ptr<rocksdb::WriteBatch> batch_;
};

}  // namespace motcua
