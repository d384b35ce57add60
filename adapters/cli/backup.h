#pragma once
// Backups of a data directory, made while the server serves (docs/operations.md, "Backups"):
// RocksDB's backup engine for the store (incremental: a table file already in the backup
// directory is not copied again), each stored file copied once, and the accounts and tokens
// files with every backup.
//
//   <backup-dir>/rocksdb/                 the backup engine's own directory
//   <backup-dir>/files/sha256/ab/<hash>   every stored file a kept backup holds, copied once
//   <backup-dir>/backups/<id>/            what backup <id> holds beside the store:
//       files                             the stored files, one line each: <sha256> <size>
//       accounts.yaml, tokens.yaml        copies, when the server had them
//   <backup-dir>/LOCK                     one backup (or prune) at a time, across processes
//
// A backup is whole once backups/<id>/ exists: it is written after the store's backup and the
// files, synced, under a temporary name, and renamed. A backup a crash interrupted has no such
// directory; the next backup deletes it, `verify` reports it, `restore` never picks it.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "adapters/files/file_store.h"
#include "engine/common/status.h"

namespace rocksdb {
class DB;
}  // namespace rocksdb

namespace motcua {

struct BackupOptions {
  // How many whole backups to keep: older ones are deleted after a new one is made, with the
  // table files and stored files only they held. 0 keeps every backup.
  int keep = 0;
  // Files copied with each backup by name, when they exist (the accounts and tokens files).
  std::vector<std::string> also_copy;
  // Unix seconds, recorded as the backup's time.
  int64_t now = 0;
};

struct BackupMade {
  uint32_t id = 0;
  uint64_t store_bytes = 0;      // the store's files in this backup
  uint64_t store_bytes_new = 0;  // of which copied by this backup (the rest were there)
  size_t files = 0;              // stored files this backup holds
  size_t files_new = 0;          // of which copied by this backup
  size_t deleted = 0;            // older backups deleted (keep)
  int64_t took_ms = 0;
  std::string warning;  // the backup is made, but something after it failed (pruning)
};

// Backs up the open store `db` and the files of `files` into `backup_dir` (created). Every write
// acknowledged before the call is in the backup (the memtables are flushed first); writes go on
// meanwhile. `stop`, when it turns true, abandons the backup (the server is stopping).
Result<BackupMade> MakeBackup(rocksdb::DB& db, const FileStore& files,
                              const std::string& backup_dir, const BackupOptions& options,
                              const std::function<bool()>& stop = nullptr);

struct BackupListing {
  uint32_t id = 0;
  int64_t timestamp = 0;  // Unix seconds
  uint64_t store_bytes = 0;
  uint32_t store_files = 0;
  size_t files = 0;    // stored files (attachments)
  bool whole = true;   // false: interrupted (no backups/<id>/), or damaged
  std::string damage;  // why it is not whole when it is damaged; empty when interrupted
};
// The backups in `backup_dir`, oldest first.
Result<std::vector<BackupListing>> ListBackups(const std::string& backup_dir);

// Reads back every backup: each table file against its checksum, each stored file against its
// hash (once, however many backups hold it). The problems found, one line each; empty when all is
// well. A backup interrupted is said in its progress line, not a problem. `progress` hears a line
// per backup.
Result<std::vector<std::string>> VerifyBackups(const std::string& backup_dir,
                                               const std::function<void(std::string)>& progress);

struct RestoreDone {
  uint32_t id = 0;
  int64_t timestamp = 0;
  size_t files = 0;
  int64_t took_ms = 0;
};
// Restores backup `id` (the latest whole one when absent) of `backup_dir` as the data directory
// `data_dir`, which must not exist or be empty. Built under a temporary name beside it, synced,
// and renamed: a data directory restored is whole.
Result<RestoreDone> RestoreBackup(const std::string& backup_dir, const std::string& data_dir,
                                  std::optional<uint32_t> id);

}  // namespace motcua
