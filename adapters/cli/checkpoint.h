#pragma once
// A checkpoint of a running server's data directory (POST /v1/admin/checkpoint): a directory
// laid out like the data directory, that `motcua verify` (and a later `motcua serve`) opens as
// one. It holds the store as of the call (RocksDB's checkpoint: every acknowledged write), the
// stored files (hard links: files never change once stored, and each was synced before any
// dossier referred to it), and the accounts and tokens files.

#include <string>
#include <vector>

#include "adapters/files/file_store.h"
#include "adapters/rocksdb/rocks_store.h"

namespace motcua {

struct CheckpointMade {
  std::string path;  // <data>/checkpoints/<local time, YYYYMMDD-HHMMSS>
  size_t files = 0;
  int64_t took_ms = 0;
};

// Made under a temporary name and renamed when complete: a checkpoint directory that exists is
// whole. `stamp` names it (two in the same second get -2, -3, ...). The files of `also_copy`
// that exist are copied into it by name (the accounts and tokens files).
Result<CheckpointMade> MakeCheckpoint(RocksStore& store, const FileStore& files,
                                      const std::string& data_dir, const std::string& stamp,
                                      const std::vector<std::string>& also_copy);

// Removes what checkpoints a crash interrupted left (at start-up: none is being made).
void RemovePartialCheckpoints(const std::string& data_dir);

}  // namespace motcua
