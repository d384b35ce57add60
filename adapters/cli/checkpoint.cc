// Checkpoints of a running server's data directory (checkpoint.h).

#include "adapters/cli/checkpoint.h"

#include <unistd.h>

#include <chrono>
#include <filesystem>

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
  const fs::path tmp =
      root / (".partial-" + final_path.filename().string() + "-" + std::to_string(::getpid()));
  fs::remove_all(tmp, ec);
  fs::create_directories(tmp, ec);
  if (ec) return Unavailable("cannot create " + tmp.string() + ": " + ec.message());
  auto fail = [&tmp](Status s) {
    std::error_code ignored;
    fs::remove_all(tmp, ignored);
    return s;
  };
  // The store first: every file its dossiers refer to was stored before them.
  if (Status s = store.CreateCheckpoint((tmp / "db").string()); !s.ok()) return fail(s);
  Result<size_t> linked = files.LinkInto((tmp / "files").string());
  if (!linked.ok()) return fail(linked.status());
  for (const std::string& name : also_copy) {
    const fs::path from = name;
    if (fs::exists(from, ec)) {
      fs::copy_file(from, tmp / from.filename(), ec);
      if (ec) return fail(Unavailable("cannot copy " + from.string() + ": " + ec.message()));
    }
  }
  fs::rename(tmp, final_path, ec);
  if (ec) return fail(Unavailable("cannot rename " + tmp.string() + ": " + ec.message()));
  CheckpointMade made;
  made.path = final_path.string();
  made.files = *linked;
  made.took_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
          .count();
  return made;
}

}  // namespace motcua
