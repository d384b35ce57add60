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

// A hard link `to` of `from` when both are on one file system, else a synced copy.
Status LinkOrCopy(const std::filesystem::path& from, const std::filesystem::path& to);

}  // namespace motcua
