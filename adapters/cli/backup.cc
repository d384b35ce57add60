// Backups of a data directory and their restore (backup.h).

#include "adapters/cli/backup.h"

#include <fcntl.h>
#include <rocksdb/db.h>
#include <rocksdb/utilities/backup_engine.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "adapters/cli/fs_sync.h"

namespace motcua {

namespace fs = std::filesystem;

namespace {

int64_t MillisSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               t0)
      .count();
}

Status FromRocks(const rocksdb::Status& s, const std::string& what) {
  if (s.ok()) return Status::Ok();
  return Unavailable(what + ": " + s.ToString());
}

rocksdb::BackupEngineOptions EngineOptions(const std::string& backup_dir) {
  rocksdb::BackupEngineOptions o(backup_dir + "/rocksdb");
  o.share_table_files = true;
  o.share_files_with_checksum = true;
  o.sync = true;
  // Two copies at a time: on a small server the other cores serve.
  o.max_background_operations = 2;
  return o;
}

// The lock of a backup directory: exclusive while a backup (and its pruning) runs, shared while
// one is read (list, verify, restore), so that a reader never sees a backup half made or half
// deleted.
class DirLock {
 public:
  static Result<std::unique_ptr<DirLock>> Take(const std::string& backup_dir, bool exclusive) {
    const std::string path = backup_dir + "/LOCK";
    const int fd =
        ::open(path.c_str(), (exclusive ? O_RDWR | O_CREAT : O_RDONLY) | O_CLOEXEC, 0600);
    if (fd < 0 && !exclusive && errno == ENOENT) return std::unique_ptr<DirLock>();
    if (fd < 0) return Unavailable("cannot open " + path + ": " + std::strerror(errno));
    if (::flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0) {
      ::close(fd);
      return FailedPrecondition("a backup is being made into " + backup_dir +
                                "; try again when it is done");
    }
    return std::unique_ptr<DirLock>(new DirLock(fd));
  }
  ~DirLock() { ::close(fd_); }  // releases the lock

 private:
  explicit DirLock(int fd) : fd_(fd) {}
  int fd_;
};

fs::path WholeDir(const std::string& backup_dir, uint32_t id) {
  return fs::path(backup_dir) / "backups" / std::to_string(id);
}

// The stored files a whole backup lists: hash → size.
Result<std::map<std::string, int64_t>> ReadFileList(const fs::path& list) {
  std::ifstream in(list);
  if (!in) return NotFound("cannot read " + list.string());
  std::map<std::string, int64_t> out;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    std::istringstream words(line);
    std::string hash;
    int64_t size = -1;
    if (!(words >> hash >> size) || hash.size() != 64 || size < 0) {
      return Internal(list.string() + ":" + std::to_string(n) +
                      ": expected '<sha256> <size>', found '" + line + "'");
    }
    out[hash] = size;
  }
  return out;
}

fs::path BackupFilePath(const std::string& backup_dir, const std::string& sha256) {
  return fs::path(backup_dir) / "files" / "sha256" / sha256.substr(0, 2) / sha256;
}

// Deletes the backups a crash interrupted (no backups/<id>/) and leftovers of their lists.
Status DeleteInterrupted(rocksdb::BackupEngine& engine, const std::string& backup_dir) {
  std::vector<rocksdb::BackupInfo> infos;
  engine.GetBackupInfo(&infos);
  std::error_code ec;
  for (const rocksdb::BackupInfo& b : infos) {
    const bool whole = fs::exists(WholeDir(backup_dir, b.backup_id), ec);
    if (ec) return Unavailable("cannot read " + WholeDir(backup_dir, b.backup_id).string());
    if (!whole) {
      RETURN_IF_ERROR(FromRocks(engine.DeleteBackup(b.backup_id),
                                "cannot delete interrupted backup " + std::to_string(b.backup_id)));
    }
  }
  const fs::path lists = fs::path(backup_dir) / "backups";
  for (auto it = fs::directory_iterator(lists, ec); !ec && it != fs::end(it); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind(".partial-", 0) == 0 || name.rfind(".deleting-", 0) == 0) {
      std::error_code ignored;
      fs::remove_all(it->path(), ignored);
    }
  }
  return Status::Ok();
}

// Deletes the oldest whole backups beyond `keep`, then the stored files no kept backup lists.
Result<size_t> Prune(rocksdb::BackupEngine& engine, const std::string& backup_dir, int keep) {
  std::vector<rocksdb::BackupInfo> infos;
  engine.GetBackupInfo(&infos);
  std::sort(infos.begin(), infos.end(),
            [](const auto& a, const auto& b) { return a.backup_id < b.backup_id; });
  size_t deleted = 0;
  std::error_code ec;
  while (keep > 0 && infos.size() > static_cast<size_t>(keep)) {
    const uint32_t id = infos.front().backup_id;
    // No longer whole first, at once and durably (a rename, synced): a crash after it leaves an
    // interrupted backup, which the next backup deletes, never a whole one missing its list.
    const fs::path going =
        WholeDir(backup_dir, id).parent_path() / (".deleting-" + std::to_string(id));
    fs::rename(WholeDir(backup_dir, id), going, ec);
    if (ec) return Unavailable("cannot remove " + WholeDir(backup_dir, id).string());
    RETURN_IF_ERROR(SyncPath(going.parent_path()));
    RETURN_IF_ERROR(
        FromRocks(engine.DeleteBackup(id), "cannot delete backup " + std::to_string(id)));
    fs::remove_all(going, ec);
    infos.erase(infos.begin());
    ++deleted;
  }
  if (deleted == 0) return deleted;
  std::set<std::string> kept;
  for (const rocksdb::BackupInfo& b : infos) {
    ASSIGN_OR_RETURN(auto list, ReadFileList(WholeDir(backup_dir, b.backup_id) / "files"));
    for (const auto& [hash, size] : list) kept.insert(hash);
  }
  const fs::path root = fs::path(backup_dir) / "files" / "sha256";
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->is_regular_file(ec) && !kept.count(it->path().filename().string())) {
      std::error_code ignored;
      fs::remove(it->path(), ignored);
    }
  }
  return deleted;
}

// The table files every backup in the engine holds (their names in the backup directory).
std::set<std::string> BackedUpFiles(rocksdb::BackupEngine& engine) {
  std::vector<rocksdb::BackupInfo> infos;
  engine.GetBackupInfo(&infos, /*include_file_details=*/true);
  std::set<std::string> out;
  for (const rocksdb::BackupInfo& b : infos) {
    for (const rocksdb::BackupFileInfo& f : b.file_details) out.insert(f.relative_filename);
  }
  return out;
}

}  // namespace

Result<BackupMade> MakeBackup(rocksdb::DB& db, const FileStore& files,
                              const std::string& backup_dir, const BackupOptions& options,
                              const std::function<bool()>& stop) {
  const auto t0 = std::chrono::steady_clock::now();
  std::error_code ec;
  const bool existed = fs::exists(backup_dir, ec);
  fs::create_directories(fs::path(backup_dir) / "backups", ec);
  if (ec) return Unavailable("cannot create " + backup_dir + ": " + ec.message());
  if (!existed) {
    // Personal data: for the server's user only; durable where it was made.
    fs::permissions(backup_dir, fs::perms::owner_all, ec);
    RETURN_IF_ERROR(SyncPath(fs::absolute(backup_dir).parent_path()));
  }
  ASSIGN_OR_RETURN(std::unique_ptr<DirLock> lock, DirLock::Take(backup_dir, true));
  rocksdb::BackupEngine* raw = nullptr;
  RETURN_IF_ERROR(FromRocks(
      rocksdb::BackupEngine::Open(EngineOptions(backup_dir), rocksdb::Env::Default(), &raw),
      "cannot open the backup directory " + backup_dir));
  std::unique_ptr<rocksdb::BackupEngine> engine(raw);
  RETURN_IF_ERROR(DeleteInterrupted(*engine, backup_dir));
  const std::set<std::string> before = BackedUpFiles(*engine);

  // The store: flushed first, so that every acknowledged write is in its table files.
  rocksdb::CreateBackupOptions create;
  create.flush_before_backup = true;
  create.decrease_background_thread_cpu_priority = true;
  create.background_thread_cpu_priority = rocksdb::CpuPriority::kLow;
  if (stop) {
    create.progress_callback = [&engine, &stop] {
      if (stop()) engine->StopBackup();
    };
  }
  rocksdb::BackupID id = 0;
  RETURN_IF_ERROR(FromRocks(engine->CreateNewBackupWithMetadata(create, &db, "motcua", &id),
                            "cannot back up the store"));
  BackupMade made;
  made.id = id;
  rocksdb::BackupInfo info;
  RETURN_IF_ERROR(FromRocks(engine->GetBackupInfo(id, &info, /*include_file_details=*/true),
                            "cannot read backup " + std::to_string(id)));
  made.store_bytes = info.size;
  for (const rocksdb::BackupFileInfo& f : info.file_details) {
    if (!before.count(f.relative_filename)) made.store_bytes_new += f.size;
  }

  // The stored files, after the store: every file its dossiers refer to was stored before them.
  ASSIGN_OR_RETURN(std::vector<FileStore::Entry> stored, files.List());
  // Every shard directory a listed file is in is synced, also those an earlier backup that failed
  // part-way renamed files into without syncing.
  std::set<fs::path> shards;
  std::ostringstream list;
  for (const FileStore::Entry& e : stored) {
    if (stop && stop()) return Unavailable("the backup was stopped");
    const fs::path to = BackupFilePath(backup_dir, e.sha256);
    const bool there =
        fs::exists(to, ec) && static_cast<int64_t>(fs::file_size(to, ec)) == e.size && !ec;
    if (!there) {
      fs::create_directories(to.parent_path(), ec);
      if (ec)
        return Unavailable("cannot create " + to.parent_path().string() + ": " + ec.message());
      const fs::path part = to.string() + ".part";
      fs::remove(part, ec);  // a crash's leftover (read-only, as copies of stored files are)
      Status copied = CopySynced(files.PathOf(e.sha256), part);
      if (!copied.ok()) {
        fs::remove(part, ec);
        // Pruned from the store since it was listed: no dossier referred to it; not listed.
        if (!fs::exists(files.PathOf(e.sha256), ec) && !ec) continue;
        return copied;
      }
      fs::rename(part, to, ec);
      if (ec) return Unavailable("cannot rename " + part.string() + ": " + ec.message());
      ++made.files_new;
    }
    list << e.sha256 << ' ' << e.size << '\n';
    shards.insert(to.parent_path());
    ++made.files;
  }
  for (const fs::path& dir : shards) RETURN_IF_ERROR(SyncPath(dir));
  if (!shards.empty()) {
    RETURN_IF_ERROR(SyncPath(fs::path(backup_dir) / "files" / "sha256"));
    RETURN_IF_ERROR(SyncPath(fs::path(backup_dir) / "files"));
  }

  // What the backup holds beside the store, named once whole.
  const fs::path whole = WholeDir(backup_dir, id);
  const fs::path partial = whole.parent_path() / (".partial-" + std::to_string(id));
  fs::remove_all(partial, ec);
  fs::create_directories(partial, ec);
  if (ec) return Unavailable("cannot create " + partial.string() + ": " + ec.message());
  {
    std::ofstream out(partial / "files", std::ios::binary);
    out << list.str();
    out.close();
    if (!out) return Unavailable("cannot write " + (partial / "files").string());
  }
  for (const std::string& name : options.also_copy) {
    if (fs::exists(name, ec))
      RETURN_IF_ERROR(CopySynced(name, partial / fs::path(name).filename()));
  }
  RETURN_IF_ERROR(SyncTree(partial, true));
  fs::rename(partial, whole, ec);
  if (ec) return Unavailable("cannot rename " + partial.string() + ": " + ec.message());
  RETURN_IF_ERROR(SyncPath(whole.parent_path()));
  RETURN_IF_ERROR(SyncPath(backup_dir));

  // The backup is made: a failure to prune older ones is said, not a failed backup.
  if (Result<size_t> pruned = Prune(*engine, backup_dir, options.keep); pruned.ok()) {
    made.deleted = *pruned;
  } else {
    made.warning = "older backups not deleted: " + pruned.status().message();
  }
  made.took_ms = MillisSince(t0);
  return made;
}

namespace {

Result<std::unique_ptr<rocksdb::BackupEngineReadOnly>> OpenReadOnly(const std::string& backup_dir) {
  std::error_code ec;
  if (!fs::exists(fs::path(backup_dir) / "rocksdb", ec)) {
    return NotFound("no motcua backups in " + backup_dir + " (no rocksdb/ directory)");
  }
  rocksdb::BackupEngineReadOnly* raw = nullptr;
  RETURN_IF_ERROR(FromRocks(
      rocksdb::BackupEngineReadOnly::Open(EngineOptions(backup_dir), rocksdb::Env::Default(), &raw),
      "cannot open the backup directory " + backup_dir));
  return std::unique_ptr<rocksdb::BackupEngineReadOnly>(raw);
}

}  // namespace

namespace {

// The backups, the directory locked by the caller.
Result<std::vector<BackupListing>> ListLocked(const std::string& backup_dir,
                                              rocksdb::BackupEngineReadOnly& engine) {
  std::vector<rocksdb::BackupInfo> infos;
  engine.GetBackupInfo(&infos);
  std::vector<BackupListing> out;
  std::error_code ec;
  for (const rocksdb::BackupInfo& b : infos) {
    BackupListing l;
    l.id = b.backup_id;
    l.timestamp = b.timestamp;
    l.store_bytes = b.size;
    l.store_files = b.number_files;
    l.whole = fs::exists(WholeDir(backup_dir, b.backup_id), ec);
    if (ec) return Unavailable("cannot read " + WholeDir(backup_dir, b.backup_id).string());
    if (l.whole) {
      Result<std::map<std::string, int64_t>> list =
          ReadFileList(WholeDir(backup_dir, b.backup_id) / "files");
      if (list.ok()) {
        l.files = list->size();
      } else {
        l.whole = false;
        l.damage = list.status().message();
      }
    }
    out.push_back(l);
  }
  // Backups the engine found damaged (a table file missing or of another size, a bad meta file):
  // listed, never restored.
  std::vector<rocksdb::BackupID> corrupt;
  engine.GetCorruptedBackups(&corrupt);
  for (rocksdb::BackupID id : corrupt) {
    BackupListing l;
    l.id = id;
    l.whole = false;
    l.damage = "its store files are damaged (one missing or of another size, or a bad meta file)";
    out.push_back(l);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

}  // namespace

Result<std::vector<BackupListing>> ListBackups(const std::string& backup_dir) {
  ASSIGN_OR_RETURN(std::unique_ptr<DirLock> lock, DirLock::Take(backup_dir, false));
  ASSIGN_OR_RETURN(auto engine, OpenReadOnly(backup_dir));
  return ListLocked(backup_dir, *engine);
}

Result<std::vector<std::string>> VerifyBackups(const std::string& backup_dir,
                                               const std::function<void(std::string)>& progress) {
  ASSIGN_OR_RETURN(std::unique_ptr<DirLock> lock, DirLock::Take(backup_dir, false));
  ASSIGN_OR_RETURN(auto engine, OpenReadOnly(backup_dir));
  ASSIGN_OR_RETURN(std::unique_ptr<FileStore> files,
                   FileStore::Open(backup_dir + "/files", /*read_only=*/true));
  std::vector<rocksdb::BackupInfo> infos;
  engine->GetBackupInfo(&infos);
  std::vector<rocksdb::BackupID> corrupt;
  engine->GetCorruptedBackups(&corrupt);
  std::sort(infos.begin(), infos.end(),
            [](const auto& a, const auto& b) { return a.backup_id < b.backup_id; });
  std::vector<std::string> problems;
  std::set<std::string> checked;
  std::error_code ec;
  if (infos.empty() && corrupt.empty()) problems.push_back("no backups in " + backup_dir);
  for (rocksdb::BackupID id : corrupt) {
    problems.push_back("backup " + std::to_string(id) +
                       ": its store files are damaged (one missing or of another size, or a bad "
                       "meta file): restore never uses it");
  }
  for (const rocksdb::BackupInfo& b : infos) {
    const std::string name = "backup " + std::to_string(b.backup_id);
    const size_t had = problems.size();
    if (rocksdb::IOStatus s = engine->VerifyBackup(b.backup_id, /*verify_with_checksum=*/true);
        !s.ok()) {
      problems.push_back(name + ": store: " + s.ToString());
    }
    size_t listed = 0;
    bool interrupted = false;
    if (!fs::exists(WholeDir(backup_dir, b.backup_id), ec)) {
      // Not a problem of the backups kept: a stop or a crash cut it short.
      interrupted = true;
    } else {
      Result<std::map<std::string, int64_t>> list =
          ReadFileList(WholeDir(backup_dir, b.backup_id) / "files");
      if (!list.ok()) {
        problems.push_back(name + ": " + list.status().message());
      } else {
        listed = list->size();
        for (const auto& [hash, size] : *list) {
          if (!checked.insert(hash).second) continue;
          if (Status s = files->Check(hash, size); !s.ok()) {
            problems.push_back(name + ": file " + hash + ": " + s.message());
          }
        }
      }
    }
    if (progress) {
      progress(name + ": " + std::to_string(b.number_files) + " store files (" +
               std::to_string(b.size) + " bytes), " + std::to_string(listed) + " stored files: " +
               (problems.size() != had ? "FAILED"
                : interrupted          ? "INTERRUPTED (not whole: the next backup deletes it; "
                                         "restore never uses it)"
                                       : "OK"));
    }
  }
  return problems;
}

Result<RestoreDone> RestoreBackup(const std::string& backup_dir, const std::string& data_dir,
                                  std::optional<uint32_t> id) {
  const auto t0 = std::chrono::steady_clock::now();
  std::error_code ec;
  const fs::path target = fs::absolute(data_dir).lexically_normal();
  const fs::path clean = target.filename().empty() ? target.parent_path() : target;
  if (fs::exists(clean, ec) && !fs::is_empty(clean, ec)) {
    return Status(StatusCode::kFailedPrecondition,
                  clean.string() + " exists and is not empty: restore into a new directory");
  }
  ASSIGN_OR_RETURN(std::unique_ptr<DirLock> lock, DirLock::Take(backup_dir, false));
  ASSIGN_OR_RETURN(auto engine, OpenReadOnly(backup_dir));
  ASSIGN_OR_RETURN(std::vector<BackupListing> listed, ListLocked(backup_dir, *engine));
  const BackupListing* chosen = nullptr;
  for (const BackupListing& l : listed) {
    if (id ? l.id == *id : l.whole) chosen = &l;
  }
  if (!chosen) {
    return NotFound(id ? "no backup " + std::to_string(*id) + " in " + backup_dir
                       : "no whole backup in " + backup_dir);
  }
  if (!chosen->whole) {
    return FailedPrecondition(
        "backup " + std::to_string(chosen->id) +
        (chosen->damage.empty() ? " was interrupted" : " is damaged: " + chosen->damage) +
        "; choose another (motcua backup list)");
  }
  ASSIGN_OR_RETURN(auto list, ReadFileList(WholeDir(backup_dir, chosen->id) / "files"));

  ASSIGN_OR_RETURN(TempDir scratch, TempDir::Make(clean.parent_path() /
                                                  ("." + clean.filename().string() + ".restoring-" +
                                                   std::to_string(::getpid()))));
  const fs::path& tmp = scratch.path();
  const std::string db = (tmp / "db").string();
  RETURN_IF_ERROR(
      FromRocks(engine->RestoreDBFromBackup(rocksdb::RestoreOptions(), chosen->id, db, db),
                "cannot restore the store of backup " + std::to_string(chosen->id)));
  for (const auto& [hash, size] : list) {
    const fs::path from = BackupFilePath(backup_dir, hash);
    const fs::path to = tmp / "files" / "sha256" / hash.substr(0, 2) / hash;
    fs::create_directories(to.parent_path(), ec);
    if (ec) return Unavailable("cannot create " + to.parent_path().string());
    if (static_cast<int64_t>(fs::file_size(from, ec)) != size || ec) {
      return Internal("backup " + std::to_string(chosen->id) + ": file " + hash +
                      " is missing or has another size (motcua backup verify)");
    }
    RETURN_IF_ERROR(LinkOrCopy(from, to));
  }
  for (const auto& entry : fs::directory_iterator(WholeDir(backup_dir, chosen->id), ec)) {
    if (entry.path().filename() == "files") continue;
    RETURN_IF_ERROR(CopySynced(entry.path(), tmp / entry.path().filename()));
  }
  RETURN_IF_ERROR(SyncTree(tmp, /*files=*/true));
  if (fs::exists(clean, ec)) fs::remove(clean, ec);  // empty (checked above)
  fs::rename(tmp, clean, ec);
  if (ec) return Unavailable("cannot rename " + tmp.string() + ": " + ec.message());
  scratch.Keep();  // renamed into place
  if (Status s = SyncPath(clean.parent_path()); !s.ok()) return s;
  RestoreDone done;
  done.id = chosen->id;
  done.timestamp = chosen->timestamp;
  done.files = list.size();
  done.took_ms = MillisSince(t0);
  return done;
}

}  // namespace motcua
