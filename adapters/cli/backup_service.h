#pragma once
// The server's backups (backup.h): asked for through the control socket (`motcua backup` while
// the server runs) and made on a schedule (`backup_dir`, `backup_every_minutes`, `backup_keep`),
// one at a time, on threads of their own. /metrics tells when the last one succeeded.

#include <string>
#include <thread>
#include <vector>

#include "adapters/cli/backup.h"
#include "adapters/runtime/cond_var.h"
#include "engine/common/mutex.h"

namespace motcua {

class BackupService {
 public:
  struct Settings {
    std::string dir;                     // scheduled backups go here; empty: none scheduled
    int every_minutes = 0;               // 0: none scheduled
    int keep = 7;                        // whole backups kept by the schedule (0: all)
    std::vector<std::string> also_copy;  // the accounts and tokens files
  };
  BackupService(rocksdb::DB& db, const FileStore& files, Settings settings);
  ~BackupService();  // Stop()

  // Makes a backup into `dir`, blocking (waits for one being made to finish first).
  Result<BackupMade> Run(const std::string& dir, int keep);
  // Abandons a backup being made and ends the schedule.
  void Stop();
  // Prometheus text: the last success, its duration, failures.
  std::string Metrics() const;
  // One line saying what a backup did.
  static std::string Describe(const std::string& dir, const BackupMade& made);

 private:
  void Schedule();
  rocksdb::DB& db_;
  const FileStore& files_;
  const Settings settings_;
  bool stopping() const;
  Mutex run_mu_;  // one backup at a time
  mutable Mutex mu_;
  CondVar wake_;
  bool stopping_ GUARDED_BY(mu_) = false;
  int64_t last_success_ GUARDED_BY(mu_) = 0;  // Unix seconds
  double last_seconds_ GUARDED_BY(mu_) = 0;
  uint64_t made_ GUARDED_BY(mu_) = 0;
  uint64_t failed_ GUARDED_BY(mu_) = 0;
  std::thread scheduler_;
};

}  // namespace motcua
