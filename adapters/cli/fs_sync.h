#pragma once
// Making what the operations commands write (checkpoints, backups, restores) durable before it
// is named: fsync of files and directory entries, and copies that are synced.

#include <filesystem>

#include "engine/common/status.h"

namespace motcua {

// fsync of a file or a directory (its entries).
Status SyncPath(const std::filesystem::path& path);

// Syncs every directory under `root` (and every file in it when `files`), then `root`.
Status SyncTree(const std::filesystem::path& root, bool files);

// Copies `from` to `to` (replacing it) and syncs the copy; the directory entry is the caller's.
Status CopySynced(const std::filesystem::path& from, const std::filesystem::path& to);

// A directory made afresh under a temporary name (whatever had that name is removed first), and
// removed again when this goes out of scope, unless Keep() was called (it was renamed into place).
class TempDir {
 public:
  static Result<TempDir> Make(std::filesystem::path path);
  TempDir(TempDir&& other) noexcept : path_(std::move(other.path_)), keep_(other.keep_) {
    other.keep_ = true;
  }
  TempDir& operator=(TempDir&&) = delete;
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }
  void Keep() { keep_ = true; }

 private:
  explicit TempDir(std::filesystem::path path) : path_(std::move(path)) {}
  std::filesystem::path path_;
  bool keep_ = false;
};

// A hard link `to` of `from` when both are on one file system, else a synced copy.
Status LinkOrCopy(const std::filesystem::path& from, const std::filesystem::path& to);

}  // namespace motcua
