// Durable writes of the operations commands (fs_sync.h).

#include "adapters/cli/fs_sync.h"

#include <fcntl.h>
#include <unistd.h>

namespace motcua {

namespace fs = std::filesystem;

Status SyncPath(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Unavailable("cannot open " + path.string() + " to sync it");
  const bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok ? Status::Ok() : Unavailable("cannot sync " + path.string());
}

Status SyncTree(const fs::path& root, bool files) {
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->is_directory(ec) || (files && it->is_regular_file(ec))) {
      RETURN_IF_ERROR(SyncPath(*it));
    }
  }
  if (ec) return Unavailable("cannot walk " + root.string() + ": " + ec.message());
  return SyncPath(root);
}

Status CopySynced(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
  if (ec)
    return Unavailable("cannot copy " + from.string() + " to " + to.string() + ": " + ec.message());
  return SyncPath(to);
}

Result<TempDir> TempDir::Make(fs::path path) {
  std::error_code ec;
  fs::remove_all(path, ec);
  fs::create_directories(path, ec);
  if (ec) return Unavailable("cannot create " + path.string() + ": " + ec.message());
  return TempDir(std::move(path));
}

TempDir::~TempDir() {
  if (keep_) return;
  std::error_code ignored;
  fs::remove_all(path_, ignored);
}

Status LinkOrCopy(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::create_hard_link(from, to, ec);
  if (!ec) return Status::Ok();
  if (ec != std::errc::cross_device_link && ec != std::errc::operation_not_permitted) {
    return Unavailable("cannot link " + from.string() + " to " + to.string() + ": " + ec.message());
  }
  return CopySynced(from, to);
}

}  // namespace motcua
