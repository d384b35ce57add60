// `motcua backup` and `motcua restore` (backup.h; docs/operations.md, "Backups").

#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "adapters/cli/args.h"
#include "adapters/cli/backup.h"
#include "adapters/cli/backup_service.h"
#include "adapters/cli/control.h"
#include "adapters/cli/serve.h"
#include "adapters/rocksdb/rocks_store.h"

namespace motcua::cli {

namespace fs = std::filesystem;

namespace {

int BackupUsage() {
  std::fprintf(
      stderr,
      "usage:\n"
      "  motcua backup <data-dir> <backup-dir> [--keep N]\n"
      "      back up the data directory (store, stored files, accounts and tokens) into\n"
      "      <backup-dir>, incrementally; a running server makes it (through\n"
      "      <data-dir>/control.sock) while it serves; --keep N deletes all but the last N\n"
      "  motcua backup list <backup-dir>\n"
      "  motcua backup verify <backup-dir>\n"
      "      read back every backup against its checksums and hashes; exit 1 on a problem\n"
      "  motcua restore <backup-dir> <data-dir> [--backup ID]\n"
      "      restore the latest whole backup (or ID) as a new data directory\n");
  return 2;
}

std::string LocalTime(int64_t unix_seconds) {
  const std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  localtime_r(&t, &tm);
  char out[32];
  std::strftime(out, sizeof out, "%Y-%m-%d %H:%M:%S", &tm);
  return out;
}

int List(const std::string& dir) {
  Result<std::vector<BackupListing>> listed = ListBackups(dir);
  if (!listed.ok()) {
    std::cerr << listed.status().message() << "\n";
    return 1;
  }
  for (const BackupListing& l : *listed) {
    std::printf("%u  %s  store %.1f MB in %u files  %zu stored files%s\n", l.id,
                LocalTime(l.timestamp).c_str(), static_cast<double>(l.store_bytes) / 1e6,
                l.store_files, l.files,
                l.whole            ? ""
                : l.damage.empty() ? "  INTERRUPTED (the next backup deletes it)"
                                   : ("  DAMAGED: " + l.damage).c_str());
  }
  std::printf("%zu backups in %s\n", listed->size(), dir.c_str());
  return 0;
}

int VerifyCommand(const std::string& dir) {
  Result<std::vector<std::string>> problems =
      VerifyBackups(dir, [](const std::string& line) { std::cout << line << "\n"
                                                                 << std::flush; });
  if (!problems.ok()) {
    std::cerr << problems.status().message() << "\n";
    return 1;
  }
  for (const std::string& p : *problems) std::cout << "PROBLEM " << p << "\n";
  std::cout << (problems->empty() ? "OK: every backup in " + dir + " reads back whole"
                                  : "FAILED: " + std::to_string(problems->size()) + " problems")
            << "\n";
  return problems->empty() ? 0 : 1;
}

// A backup of a stopped server's data directory, made by this process.
int BackupStopped(const std::string& data, const std::string& dir, int keep) {
  // As it is: a store of an older format is not upgraded by a backup (the backup before an
  // upgrade must be of the old format).
  RocksStoreOptions as_is;
  as_is.migrate = false;
  Result<std::unique_ptr<RocksStore>> store = RocksStore::Open(data + "/db", as_is);
  if (!store.ok()) {
    const bool locked = store.status().message().find("lock") != std::string::npos;
    std::cerr << "cannot back up " << data << ": " << store.status().message() << "\n";
    if (locked) {
      std::cerr << "(a server holds the store, and its control socket " << data
                << "/control.sock does not answer: it is starting or stopping; try again)\n";
    }
    return 1;
  }
  Result<std::unique_ptr<FileStore>> files = FileStore::Open(data + "/files", true);
  if (!files.ok()) {
    std::cerr << "files: " << files.status().message() << "\n";
    return 1;
  }
  BackupOptions options;
  options.keep = keep;
  options.also_copy = {data + "/accounts.yaml", data + "/tokens.yaml"};
  Result<BackupMade> made = MakeBackup(*(*store)->db(), **files, dir, options);
  if (!made.ok()) {
    std::cerr << "backup failed: " << made.status().message() << "\n";
    return 1;
  }
  std::cout << "OK: " << BackupService::Describe(dir, *made) << "\n";
  return 0;
}

}  // namespace

int Backup(int argc, char** argv) {
  std::optional<CommandLine> line = ParseCommandLine(argc, argv, {"--keep"});
  if (!line) return BackupUsage();
  const std::optional<int64_t> keep_given = WholeNumber(line->Value("--keep", "0"));
  if (!keep_given || *keep_given > 100000) {
    std::cerr << "--keep: expected how many backups to keep, got '" << line->Value("--keep")
              << "'\n";
    return 2;
  }
  const int keep = static_cast<int>(*keep_given);
  const std::vector<std::string>& args = line->words;
  if (args.size() == 2 && args[0] == "list") return List(args[1]);
  if (args.size() == 2 && args[0] == "verify") return VerifyCommand(args[1]);
  if (args.size() != 2) return BackupUsage();
  const std::string data = args[0];
  // The server writes it: the directory as this shell names it.
  const std::string dir = fs::absolute(args[1]).lexically_normal().string();
  if (!fs::exists(fs::path(data) / "db" / "CURRENT")) {
    std::cerr << "no motcua store in " << data << " (expected a data directory with db/)\n";
    return 1;
  }
  Result<std::string> answer =
      ControlCall(data + "/control.sock", {"backup", dir, std::to_string(keep)}, 24 * 3600);
  if (answer.ok()) {
    std::cout << "OK: " << *answer;  // one line, perhaps with a warning after it
    return 0;
  }
  if (answer.status().code() != StatusCode::kNotFound) {
    std::cerr << "backup failed: " << answer.status().message() << "\n";
    return 1;
  }
  return BackupStopped(data, dir, keep);  // no server runs on it
}

int Restore(int argc, char** argv) {
  std::optional<CommandLine> line = ParseCommandLine(argc, argv, {"--backup"});
  if (!line || line->words.size() != 2) return BackupUsage();
  std::optional<uint32_t> id;
  if (line->Has("--backup")) {
    const std::optional<int64_t> n = WholeNumber(line->Value("--backup"), 1);
    if (!n || *n > UINT32_MAX) {
      std::cerr << "--backup: expected a backup's number (motcua backup list), got '"
                << line->Value("--backup") << "'\n";
      return 2;
    }
    id = static_cast<uint32_t>(*n);
  }
  const std::vector<std::string>& args = line->words;
  Result<RestoreDone> done = RestoreBackup(args[0], args[1], id);
  if (!done.ok()) {
    std::cerr << "restore failed: " << done.status().message() << "\n";
    return 1;
  }
  std::printf(
      "OK: backup %u of %s restored as %s (%zu stored files) in %.1f s; check it with "
      "`motcua verify %s`\n",
      done->id, LocalTime(done->timestamp).c_str(), args[1].c_str(), done->files,
      static_cast<double>(done->took_ms) / 1000, args[1].c_str());
  return 0;
}

}  // namespace motcua::cli
