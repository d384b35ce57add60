// Checkpoints of a running server's data directory (checkpoint.h).

#include "adapters/cli/checkpoint.h"

#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "adapters/cli/fs_sync.h"

namespace motcua {

namespace fs = std::filesystem;

Result<CheckpointMade> MakeCheckpoint(RocksStore& store, const FileStore& files,
                                      const std::string& data_dir, const std::string& stamp,
                                      const std::vector<std::string>& also_copy) {
  const auto t0 = std::chrono::steady_clock::now();
  const fs::path root = fs::path(data_dir) / "checkpoints";
  std::error_code ec;
  fs::create_directories(root, ec);
  if (ec) return Unavailable("cannot create " + root.string() + ": " + ec.message());
  fs::path final_path = root / stamp;
  for (int n = 2; fs::exists(final_path, ec); ++n) {
    final_path = root / (stamp + "-" + std::to_string(n));
  }
  ASSIGN_OR_RETURN(TempDir scratch,
                   TempDir::Make(root / (".partial-" + final_path.filename().string() + "-" +
                                         std::to_string(::getpid()))));
  const fs::path& tmp = scratch.path();
  // The store first: every file its dossiers refer to was stored before them.
  RETURN_IF_ERROR(store.CreateCheckpoint((tmp / "db").string()));
  ASSIGN_OR_RETURN(const size_t linked, files.LinkInto((tmp / "files").string()));
  for (const std::string& name : also_copy) {
    const fs::path from = name;
    if (fs::exists(from, ec)) {
      fs::copy_file(from, tmp / from.filename(), ec);
      if (ec) return Unavailable("cannot copy " + from.string() + ": " + ec.message());
    }
  }
  // Durable before it is named: the files linked or copied, every directory entry; then the
  // rename, and the directory holding it. (The links share synced files: only their entries need
  // syncing; the store's files RocksDB synced.)
  RETURN_IF_ERROR(SyncTree(tmp / "files", false));
  RETURN_IF_ERROR(SyncTree(tmp / "db", true));
  for (const std::string& name : also_copy) {
    if (fs::exists(tmp / fs::path(name).filename(), ec)) {
      RETURN_IF_ERROR(SyncPath(tmp / fs::path(name).filename()));
    }
  }
  RETURN_IF_ERROR(SyncPath(tmp));
  // Two made at once may have chosen the same name: the rename does not replace a directory
  // that holds a checkpoint, so the later one takes the next free name.
  for (int n = 2;; ++n) {
    fs::rename(tmp, final_path, ec);
    if (!ec) {
      scratch.Keep();  // renamed into place
      break;
    }
    if (ec != std::errc::directory_not_empty && ec != std::errc::file_exists) {
      return Unavailable("cannot rename " + tmp.string() + ": " + ec.message());
    }
    final_path = root / (stamp + "-" + std::to_string(n));
  }
  if (Status s = SyncPath(root); !s.ok()) return s;
  CheckpointMade made;
  made.path = final_path.string();
  made.files = linked;
  made.took_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
          .count();
  return made;
}

void RemovePartialCheckpoints(const std::string& data_dir) {
  std::error_code ec;
  const fs::path root = fs::path(data_dir) / "checkpoints";
  for (auto it = fs::directory_iterator(root, ec); !ec && it != fs::end(it); it.increment(ec)) {
    if (it->path().filename().string().rfind(".partial-", 0) == 0) {
      std::error_code ignored;
      fs::remove_all(it->path(), ignored);
    }
  }
}

}  // namespace motcua
