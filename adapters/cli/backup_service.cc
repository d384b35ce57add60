// The server's backups, asked for and scheduled (backup_service.h).

#include "adapters/cli/backup_service.h"

#include <chrono>
#include <cstdio>

namespace motcua {

namespace {

int64_t UnixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

BackupService::BackupService(rocksdb::DB& db, const FileStore& files, Settings settings)
    : db_(db), files_(files), settings_(std::move(settings)) {
  if (!settings_.dir.empty() && settings_.every_minutes > 0) {
    scheduler_ = std::thread([this] { Schedule(); });
  }
}

BackupService::~BackupService() {
  Stop();
  if (scheduler_.joinable()) scheduler_.join();
}

void BackupService::Stop() {
  MutexLock lock(&mu_);
  stopping_ = true;
  wake_.SignalAll();
}

bool BackupService::stopping() const {
  MutexLock lock(&mu_);
  return stopping_;
}

Result<BackupMade> BackupService::Run(const std::string& dir, int keep) {
  MutexLock one(&run_mu_);
  if (stopping()) return Unavailable("the server is stopping");
  BackupOptions options;
  options.keep = keep;
  options.also_copy = settings_.also_copy;
  Result<BackupMade> made = MakeBackup(db_, files_, dir, options, [this] { return stopping(); });
  MutexLock lock(&mu_);
  if (made.ok()) {
    last_success_ = UnixNow();
    last_seconds_ = static_cast<double>(made->took_ms) / 1000;
    ++made_;
    std::fprintf(stderr, "motcua: %s\n", Describe(dir, *made).c_str());
  } else {
    ++failed_;
    std::fprintf(stderr, "motcua: backup into %s failed: %s\n", dir.c_str(),
                 made.status().message().c_str());
  }
  return made;
}

std::string BackupService::Describe(const std::string& dir, const BackupMade& made) {
  char line[512];
  std::snprintf(line, sizeof line,
                "backup %u in %s: store %.1f MB (%.1f MB new), %zu stored files (%zu new), "
                "%zu older deleted, %.1f s",
                made.id, dir.c_str(), static_cast<double>(made.store_bytes) / 1e6,
                static_cast<double>(made.store_bytes_new) / 1e6, made.files, made.files_new,
                made.deleted, static_cast<double>(made.took_ms) / 1000);
  return made.warning.empty() ? std::string(line)
                              : std::string(line) + "; WARNING: " + made.warning;
}

void BackupService::Schedule() {
  // The next backup is due `every` after the last whole one in the directory (now when there is
  // none): a restart does not put it off.
  const int64_t every = int64_t{settings_.every_minutes} * 60;
  int64_t last = 0;
  if (Result<std::vector<BackupListing>> listed = ListBackups(settings_.dir); listed.ok()) {
    for (const BackupListing& l : *listed) {
      if (l.whole) last = std::max(last, l.timestamp);
    }
  }
  int64_t due = last == 0 ? UnixNow() : last + every;
  for (;;) {
    {
      MutexLock lock(&mu_);
      if (stopping_) return;
      const int64_t wait = due - UnixNow();
      if (wait > 0) {
        wake_.WaitFor(&mu_, std::chrono::milliseconds(std::min<int64_t>(wait, 60) * 1000));
        continue;
      }
    }
    Result<BackupMade> made = Run(settings_.dir, settings_.keep);
    // After a failure, try again in a tenth of the period (at least a minute).
    due = UnixNow() + (made.ok() ? every : std::max<int64_t>(60, every / 10));
  }
}

std::string BackupService::Metrics() const {
  MutexLock lock(&mu_);
  std::string out;
  out +=
      "# HELP motcua_backup_last_success_timestamp_seconds When the last backup succeeded "
      "(0: none since start).\n"
      "# TYPE motcua_backup_last_success_timestamp_seconds gauge\n"
      "motcua_backup_last_success_timestamp_seconds " +
      std::to_string(last_success_) + "\n";
  char seconds[64];
  std::snprintf(seconds, sizeof seconds, "%.3f", last_seconds_);
  out +=
      "# HELP motcua_backup_last_duration_seconds How long the last successful backup took.\n"
      "# TYPE motcua_backup_last_duration_seconds gauge\n"
      "motcua_backup_last_duration_seconds " +
      std::string(seconds) + "\n";
  out +=
      "# HELP motcua_backups_total Backups made since start.\n"
      "# TYPE motcua_backups_total counter\n"
      "motcua_backups_total " +
      std::to_string(made_) + "\n";
  out +=
      "# HELP motcua_backup_failures_total Backups that failed since start.\n"
      "# TYPE motcua_backup_failures_total counter\n"
      "motcua_backup_failures_total " +
      std::to_string(failed_) + "\n";
  return out;
}

}  // namespace motcua
