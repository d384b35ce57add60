// The motcua command line: check definitions, preview due dates.
//
//   motcua check <definitions-dir> [--json]
//   motcua preview <definitions-dir> <procedure-code> <YYYY-MM-DDTHH:MM> [--json]

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "adapters/cli/args.h"
#include "adapters/cli/migration.h"
#include "adapters/cli/serve.h"
#include "adapters/files/file_check.h"
#include "adapters/json/json_writer.h"
#include "adapters/postgres/pg_store.h"
#include "adapters/postgres/store_copy.h"
#include "adapters/proto/definition_codec.h"
#include "adapters/proto/view_codec.h"
#include "adapters/report/form06_formats.h"
#include "adapters/rocksdb/chain_check.h"
#include "adapters/rocksdb/rocks_store.h"
#include "adapters/rocksdb/scratch_set.h"
#include "adapters/runtime/worker.h"
#include "adapters/yaml/definition_loader.h"
#include "engine/calendar/deadline.h"
#include "engine/definition/validate.h"
#include "engine/store/due_changes.h"
#include "engine/store/verify.h"

namespace motcua {
namespace {

// The usage text: on stdout with exit 0 when asked for (--help), else on stderr with exit 2.
int Usage(bool asked = false) {
  std::fprintf(
      asked ? stdout : stderr,
      "usage:\n"
      "  motcua serve [--config FILE] [--listen HOST:PORT] [--data DIR] [--definitions DIR]\n"
      "               [--tokens FILE] [--threads N] [--clock system|manual]\n"
      "      run the HTTP/WebSocket server (motcua serve --help for more)\n"
      "  motcua token add --tokens FILE --principal ID --roles a,b --agencies X,Y\n"
      "  motcua token revoke --tokens FILE --principal ID\n"
      "  motcua token list --tokens FILE\n"
      "      bearer tokens (motcua token --help for more)\n"
      "  motcua account add|passwd|disable|enable|list --accounts FILE [--principal ID ...]\n"
      "      staff accounts for the web console (motcua account --help for more)\n"
      "  motcua check <definitions-dir> [--json]\n"
      "      validate every procedure, calendar and agency; print a summary (exit 0) or every\n"
      "      error as file:line:column: field.path: message (exit 1)\n"
      "  motcua preview <definitions-dir> <procedure-code> <YYYY-MM-DDTHH:MM>\n"
      "      the due date the M01 slip states for a reception at that local time\n"
      "  motcua verify <data-dir> [--checkpoint POSITION:HASH ...] [--threads N]\n"
      "      replay every dossier's history against its stored record, check every index\n"
      "      entry, dossier-number uniqueness and the outbox; exit 1 on any mismatch. Takes the\n"
      "      data directory or its db/ directory; opens it read-only and never creates it.\n"
      "      Every file a dossier refers to must exist and match its hash; files no dossier\n"
      "      refers to are listed. Every hash chain is recomputed; each --checkpoint (one an\n"
      "      auditor kept) must be where the recomputed global chain passes. Dossiers are\n"
      "      checked on N threads at once (default: one a core)\n"
      "  motcua verify postgres:<connection string> [--data DIR] [--checkpoint ...] [--threads N]\n"
      "      the same checks of a PostgreSQL store (store: postgres), read-only, with its\n"
      "      files in the data directory DIR (the server's --data) when given\n"
      "  motcua copy --from SPEC --to SPEC [--threads N]\n"
      "      copy a whole store into a new one, RocksDB <-> PostgreSQL, then read it back and\n"
      "      verify it; SPEC is rocksdb:<data-dir> (or a data directory) or postgres:<connection\n"
      "      string>. The source must not be served meanwhile; the target must be new\n"
      "  motcua files prune <data-dir> [--min-age-hours N] [--dry-run]\n"
      "      remove the stored files no dossier refers to, older than N hours (default 24)\n"
      "  motcua due-changes <data-dir> [--definitions DIR]\n"
      "      the open dossiers whose due dates would change on the calendars of the\n"
      "      definitions at DIR (default ./definitions), e.g. once an official year replaces a\n"
      "      provisional one: one line each, old -> new. Opens the store read-only (the server\n"
      "      may run); an admin recomputes a dossier with the recompute_due command\n"
      "  motcua report form06|steps <data-dir> (--period P | --from YYYY-MM-DD --to YYYY-MM-DD)\n"
      "               [--agency CODE] [--group-by agency|field|procedure]\n"
      "               [--format csv|html|xlsx|json] [--out FILE] [--definitions DIR]\n"
      "      report form 06, or the per-step timeliness report (csv or json), from the\n"
      "      store's counters (docs/reports.md); P is YYYY, YYYY-H1, YYYY-Q1..Q4 or YYYY-MM.\n"
      "      CSV on stdout by default; xlsx needs --out. Opens the store read-only (the\n"
      "      server may run)\n"
      "  motcua audit export <data-dir | postgres:<dsn>> <dossier id or number> [--out FILE]\n"
      "      a dossier's history with its hash chain as JSON, for a third party to check\n"
      "      (docs/audit.md); opens the store read-only (the server may run)\n"
      "  motcua backup <data-dir> <backup-dir> [--keep N]\n"
      "  motcua backup list|verify <backup-dir>\n"
      "  motcua restore <backup-dir> <data-dir> [--backup ID]\n"
      "      online, incremental backups of a data directory (a running server makes them\n"
      "      through <data-dir>/control.sock), read back and restored into a new directory\n"
      "  motcua migrate <data-dir>\n"
      "      upgrade a store written by an older build to this build's format (serve does\n"
      "      it too on start); stop the server first\n"
      "  motcua migrate plan|apply <data-dir> --from CODE@V --to CODE@V --map FILE\n"
      "                 [--definitions DIR] [--config FILE] [--actor ID (apply)]\n"
      "      move dossiers in flight to another version of their procedure, as a transitional\n"
      "      provision orders: plan lists each one's step and due dates before and after,\n"
      "      writing nothing; apply records a migrated event per dossier (a running server\n"
      "      applies it). docs/operations.md, \"Migrating dossiers in flight\"\n"
      "  motcua <command> --help\n"
      "      this text\n");
  return asked ? 0 : 2;
}

bool HasFlag(int argc, char** argv, const char* flag) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], flag) == 0) return true;
  }
  return false;
}

std::vector<std::string> Positional(int argc, char** argv) {
  std::vector<std::string> out;
  for (int i = 1; i < argc; ++i) {
    if (argv[i][0] != '-') out.push_back(argv[i]);
  }
  return out;
}

bool LoadOrReport(const std::string& dir, DefinitionSet* set) {
  *set = LoadDefinitions(dir);
  if (set->ok()) return true;
  for (const Diagnostic& d : set->errors) std::cout << d.ToString() << "\n";
  std::cout << set->errors.size() << (set->errors.size() == 1 ? " error" : " errors") << " in "
            << dir << "\n";
  return false;
}

int Check(int argc, char** argv) {
  std::vector<std::string> args = Positional(argc, argv);
  if (args.size() != 2) return Usage();
  DefinitionSet set;
  if (!LoadOrReport(args[1], &set)) return 1;
  if (HasFlag(argc, argv, "--json")) {
    v1::ProcedureList list;
    for (const auto& p : set.procedures) ToProto(*p, list.add_procedures());
    std::cout << ToJson(list, true);
    return 0;
  }
  std::set<std::string> codes;
  size_t steps = 0;
  for (const auto& p : set.procedures) {
    codes.insert(p->code);
    steps += p->steps.size();
  }
  std::cout << "OK: " << codes.size() << " procedures, " << set.procedures.size() << " versions, "
            << steps << " steps, " << set.calendars.size() << " calendars, " << set.agencies.size()
            << " agencies\n";
  for (const Agency* a : set.agencies.All()) {
    if (a->parent.empty()) {
      size_t below = 0;
      for (const Agency* b : set.agencies.All()) below += set.agencies.IsWithin(b->code, a->code);
      std::cout << "  agencies under " << a->code << " " << a->name << ": " << below << "\n";
    }
  }
  for (const auto& [id, c] : set.calendars) {
    std::cout << "  calendar " << id << ": " << c->first_year() << ".." << c->last_year();
    for (const CalendarYear& y : c->spec().years) {
      if (!y.announced) std::cout << " (" << y.year << " not announced: provisional)";
    }
    std::cout << "\n";
  }
  for (const auto& p : set.procedures) {
    bool ends = false;
    std::vector<int> path = MainPath(*p, &ends);
    const int64_t total = CountedBudgetMilliHours(*p, path);
    std::cout << "  " << p->code << " v" << p->version << " " << p->name << ": "
              << (p->time_limit.same_day ? std::string("same day")
                                         : FormatWorkDuration(p->time_limit.duration))
              << ", " << p->steps.size() << " steps, main path " << FormatMilliHours(total)
              << " of " << FormatMilliHours(p->TimeLimitMilliHours()) << "\n";
  }
  return 0;
}

int Preview(int argc, char** argv) {
  std::vector<std::string> args = Positional(argc, argv);
  if (args.size() != 4) return Usage();
  DefinitionSet set;
  if (!LoadOrReport(args[1], &set)) return 1;
  const std::string& code = args[2];
  std::shared_ptr<const Procedure> any;
  for (const auto& p : set.procedures) {
    if (p->code == code) any = p;
  }
  if (!any) {
    std::cerr << "unknown procedure code '" << code << "'\n";
    return 1;
  }
  const WorkCalendar& cal = *set.calendars.at(any->calendar);
  std::optional<Instant> at = ParseLocalDateTime(args[3], cal.utc_offset_seconds());
  if (!at) {
    std::cerr << "bad reception time '" << args[3] << "'; expected YYYY-MM-DDTHH:MM (local)\n";
    return 1;
  }
  std::shared_ptr<const Procedure> p = set.InForce(code, cal.LocalDate(*at));
  if (!p) {
    std::cerr << "no version of " << code << " is in force on " << FormatDate(cal.LocalDate(*at))
              << "\n";
    return 1;
  }
  Result<DueDate> due = ComputeDue(cal, *at, p->time_limit, p->cutoff, p->due_rule);
  if (!due.ok()) {
    std::cerr << due.status().message() << "\n";
    return 1;
  }
  v1::DuePreview preview;
  ToProto(*p, cal, *due, &preview);
  if (HasFlag(argc, argv, "--json")) {
    std::cout << ToJson(preview, true);
    return 0;
  }
  std::cout << p->code << " v" << p->version << " " << p->name << "\n"
            << "  received at:    " << preview.received_at() << "\n"
            << "  counting from:  " << preview.counting_start() << "\n"
            << "  due at:         " << preview.due_at()
            << (due->provisional ? "  (provisional: that year's schedule is not announced)" : "")
            << (due->after_cutoff ? "  (received after the cut-off)" : "") << "\n";
  return 0;
}

// The store a path names: a data directory (its db/) or the db directory itself.
std::optional<std::string> StorePath(const std::string& path) {
  namespace fs = std::filesystem;
  if (fs::exists(fs::path(path) / "db" / "CURRENT")) return (fs::path(path) / "db").string();
  if (fs::exists(fs::path(path) / "CURRENT")) return path;
  return std::nullopt;
}

// The store at `arg` (a data directory or its db/); says so when there is none.
std::optional<std::string> FoundStore(const std::string& arg) {
  std::optional<std::string> db = StorePath(arg);
  if (!db) {
    std::cerr << "no motcua store at " << arg
              << ": expected a data directory (with db/) or its db directory\n";
  }
  return db;
}

// The store the command's one argument names; otherwise what the command exits with (usage, or
// no store there).
std::optional<std::string> StoreArgument(int argc, char** argv, int* exit_code) {
  std::vector<std::string> args = Positional(argc, argv);
  if (args.size() != 2) {
    *exit_code = Usage();
    return std::nullopt;
  }
  std::optional<std::string> db = FoundStore(args[1]);
  if (!db) *exit_code = 1;
  return db;
}

// The file store beside the store at `db` (<data>/files); null, said why, when it cannot open.
std::unique_ptr<FileStore> OpenFiles(const std::string& db) {
  std::filesystem::path p = std::filesystem::path(db).lexically_normal();
  if (p.filename().empty()) p = p.parent_path();  // "data/db/"
  const std::string data = p.has_parent_path() ? p.parent_path().string() : ".";
  Result<std::unique_ptr<FileStore>> files = FileStore::Open(data + "/files", true);
  if (!files.ok()) {
    std::cerr << "files: " << files.status().message() << "\n";
    return nullptr;
  }
  return std::move(*files);
}

// The store at `db`, opened read-only (never created); null, said why, when it does not open.
// --threads N (1 to 256; default: one a core); says what is wrong with it otherwise.
std::optional<int64_t> ThreadsOption(const cli::CommandLine& line) {
  const std::optional<int64_t> threads = cli::WholeNumber(
      line.Value("--threads", std::to_string(std::max(1u, std::thread::hardware_concurrency()))),
      1);
  if (!threads || *threads > 256) {
    std::cerr << "--threads: expected a whole number from 1 to 256, got '"
              << line.Value("--threads") << "'\n";
    return std::nullopt;
  }
  return threads;
}

// What verifying a large store needs: a throwaway store to sort through (in $TMPDIR), and the
// threads that check dossiers.
struct VerifyScratch {
  std::unique_ptr<RocksScratchSet> set;
  std::unique_ptr<WorkerJobRunner> runner;
  VerifyOptions options;
};

std::unique_ptr<VerifyScratch> MakeVerifyScratch(size_t threads) {
  auto v = std::make_unique<VerifyScratch>();
  const std::string dir =
      (std::filesystem::temp_directory_path() / ("motcua-verify-" + std::to_string(::getpid())))
          .string();
  Result<std::unique_ptr<RocksScratchSet>> scratch = RocksScratchSet::Create(dir);
  if (!scratch.ok()) {
    std::cerr << "verify failed: " << scratch.status().ToString() << "\n";
    return nullptr;
  }
  v->set = std::move(*scratch);
  v->runner = std::make_unique<WorkerJobRunner>(threads, "motcua-verify");
  v->options.scratch = v->set.get();
  v->options.runner = v->runner.get();
  return v;
}

// A store of either kind, as the storage port and as its rows (`motcua copy`, `audit export`).
struct CopySide {
  std::unique_ptr<RocksStore> rocks;
  std::unique_ptr<PgStore> pg;
  Store* store() { return rocks ? static_cast<Store*>(rocks.get()) : pg.get(); }
  RowStore* rows() { return rocks ? static_cast<RowStore*>(rocks.get()) : pg.get(); }
};

// Opens `spec` (postgres:<dsn>, rocksdb:<data-dir> or a data directory) for `motcua copy`: the
// source for writing too, so that a server still running on it is refused rather than copied
// half-way; the target must be new (a directory that does not exist or is empty). Says why not.
std::optional<CopySide> OpenCopySide(const std::string& spec, bool source) {
  CopySide side;
  auto refused = [source](const Status& why, const char* hint) {
    std::cerr << (source ? "--from: " : "--to: ") << why.message() << (source ? hint : "") << "\n";
    return std::nullopt;
  };
  if (spec.starts_with("postgres:")) {
    PgStoreOptions o;
    o.dsn = spec.substr(9);
    o.migrate = !source;  // the source is read as it is
    o.record_cache_entries = 0;
    Result<std::unique_ptr<PgStore>> s = PgStore::Open(o);
    if (!s.ok()) return refused(s.status(), " (stop the server that writes it first)");
    side.pg = std::move(*s);
    return side;
  }
  const std::string dir = spec.starts_with("rocksdb:") ? spec.substr(8) : spec;
  std::string db;
  if (source) {
    std::optional<std::string> found = FoundStore(dir);
    if (!found) return std::nullopt;
    db = *found;
  } else {
    std::error_code ec;
    if (std::filesystem::exists(dir) && !std::filesystem::is_empty(dir, ec)) {
      std::cerr << "--to: " << dir << " is not empty: copy into a new data directory\n";
      return std::nullopt;
    }
    db = (std::filesystem::path(dir) / "db").string();
  }
  RocksStoreOptions o;
  o.migrate = !source;
  o.record_cache_entries = 0;
  Result<std::unique_ptr<RocksStore>> s = RocksStore::Open(db, o);
  if (!s.ok()) return refused(s.status(), " (is a server running on it? stop it first)");
  side.rocks = std::move(*s);
  return side;
}

// motcua copy --from SPEC --to SPEC [--threads N]: a whole store into a new one, RocksDB ⇄
// PostgreSQL, read back and verified (adapters/postgres/store_copy.h).
int Copy(int argc, char** argv) {
  std::optional<cli::CommandLine> line =
      cli::ParseCommandLine(argc, argv, {"--from", "--to", "--threads"});
  if (!line || !line->words.empty() || line->Value("--from").empty() ||
      line->Value("--to").empty()) {
    return Usage();
  }
  const std::optional<int64_t> threads = ThreadsOption(*line);
  if (!threads) return 2;
  std::optional<CopySide> from = OpenCopySide(line->Value("--from"), true);
  if (!from) return 1;
  std::optional<CopySide> to = OpenCopySide(line->Value("--to"), false);
  if (!to) return 1;
  std::unique_ptr<VerifyScratch> scratch = MakeVerifyScratch(static_cast<size_t>(*threads));
  if (!scratch) return 1;
  CopyOptions options;
  options.verify = scratch->options;
  const auto start = std::chrono::steady_clock::now();
  options.progress = [start, last = std::chrono::steady_clock::time_point()](size_t rows) mutable {
    const auto now = std::chrono::steady_clock::now();
    if (now - last < std::chrono::seconds(5)) return;
    last = now;
    std::cerr << "copied " << rows << " rows ("
              << std::chrono::duration_cast<std::chrono::seconds>(now - start).count() << " s)\n";
  };
  Result<CopyReport> report = CopyStore(*from->rows(), *to->store(), *to->rows(), options);
  scratch.reset();
  if (!report.ok()) {
    std::cerr << "copy failed: " << report.status().message()
              << (report.status().code() == StatusCode::kFailedPrecondition
                      ? ""
                      : "; the target holds part of a copy: remove it (or drop the database's "
                        "motcua tables) before copying again")
              << "\n";
    return 1;
  }
  for (size_t t = 0; t < report->rows.size(); ++t) {
    std::cout << "  " << RowTableName(static_cast<RowTable>(t)) << ": " << report->rows[t] << "\n";
  }
  for (const std::string& p : report->verified.problems) std::cout << "MISMATCH " << p << "\n";
  const bool ok = report->verified.ok();
  std::cout << (ok ? "OK: " : "FAILED: ") << report->total << " rows copied and read back the same "
            << "(SHA-256 " << report->digest
            << "); the copy verifies: " << report->verified.dossiers << " dossiers, "
            << report->verified.events << " events, outbox at " << report->verified.outbox_last
            << "\n"
            << "The dossiers' files stay in <data>/files: serve the copy with the data directory "
               "that holds them (or copy that directory along).\n";
  return ok ? 0 : 1;
}

std::unique_ptr<RocksStore> OpenReadOnly(const std::string& db) {
  RocksStoreOptions read_only;
  read_only.read_only = true;
  Result<std::unique_ptr<RocksStore>> store = RocksStore::Open(db, read_only);
  if (!store.ok()) {
    std::cerr << store.status().message() << "\n";
    return nullptr;
  }
  return std::move(*store);
}

int Verify(int argc, char** argv) {
  // motcua verify <data> [--checkpoint POSITION:HASH ...] [--threads N]: checkpoints an auditor
  // kept; threads that check dossiers at once (default: one a core).
  std::optional<cli::CommandLine> line =
      cli::ParseCommandLine(argc, argv, {"--checkpoint", "--threads", "--data"});
  if (!line || line->words.size() != 1) return Usage();
  const std::optional<int64_t> threads = ThreadsOption(*line);
  if (!threads) return 2;
  std::vector<std::pair<uint64_t, std::string>> kept;
  for (const std::string& given : line->All("--checkpoint")) {
    const size_t colon = given.find(':');
    const std::optional<int64_t> position =
        colon == std::string::npos ? std::nullopt : cli::WholeNumber(given.substr(0, colon), 1);
    std::string hash = colon == std::string::npos ? "" : given.substr(colon + 1);
    if (!position || hash.size() != 64 ||
        hash.find_first_not_of("0123456789abcdef") != std::string::npos) {
      std::cerr << "--checkpoint: expected POSITION:HASH (a position and 64 lower-case hex "
                   "digits, as GET /v1/audit/checkpoints and the log give them), got '"
                << given << "'\n";
      return 2;
    }
    kept.emplace_back(static_cast<uint64_t>(*position), std::move(hash));
  }
  // The store, read-only: RocksDB in a data directory, or PostgreSQL (its files in the data
  // directory --data names, when it is given).
  std::unique_ptr<RocksStore> rocks;
  std::unique_ptr<PgStore> pg;
  std::unique_ptr<FileStore> files;
  const bool on_postgres = line->words[0].starts_with("postgres:");
  if (on_postgres) {
    PgStoreOptions o;
    o.dsn = line->words[0].substr(9);
    o.read_only = true;
    o.record_cache_entries = 0;
    Result<std::unique_ptr<PgStore>> opened = PgStore::Open(o);
    if (!opened.ok()) {
      std::cerr << "motcua: " << opened.status().message() << "\n";
      return 1;
    }
    pg = std::move(*opened);
    if (line->Has("--data")) {
      files = OpenFiles((std::filesystem::path(line->Value("--data")) / "db").string());
      if (!files) return 1;
    }
  } else {
    if (line->Has("--data")) return Usage();
    std::optional<std::string> db = FoundStore(line->words[0]);
    if (!db) return 1;
    rocks = OpenReadOnly(*db);
    if (!rocks) return 1;
    files = OpenFiles(*db);
    if (!files) return 1;
  }
  Store* store = rocks ? static_cast<Store*>(rocks.get()) : pg.get();
  RowStore* rows = rocks ? static_cast<RowStore*>(rocks.get()) : pg.get();
  // What must be sorted (every index entry the records imply, the numbers, the file references)
  // goes to throwaway stores in the temporary directory ($TMPDIR), not to memory.
  const std::string scratch_dir =
      (std::filesystem::temp_directory_path() / ("motcua-verify-" + std::to_string(::getpid())))
          .string();
  Result<std::unique_ptr<RocksScratchSet>> scratch = RocksScratchSet::Create(scratch_dir);
  Result<std::unique_ptr<RocksScratchSet>> file_scratch =
      scratch.ok() ? RocksScratchSet::Create(scratch_dir + "-files") : scratch.status();
  if (!file_scratch.ok()) {
    std::cerr << "verify failed: " << file_scratch.status().ToString() << "\n";
    return 1;
  }
  // One read of the store: each dossier is verified, its hash chain checked and its file
  // references gathered.
  FileCheck file_check(file_scratch->get());
  ChainCheck chains(*store, *rows);
  for (const auto& [position, hash] : kept) chains.Expect(position, hash);
  // Each dossier is checked on one of `threads` threads; ChainCheck and FileCheck take that.
  WorkerJobRunner runner(static_cast<size_t>(*threads), "motcua-verify");
  VerifyOptions options;
  options.scratch = scratch->get();
  options.runner = &runner;
  options.visit = [&](const Dossier& d) { return file_check.Add(d); };
  // The history is read once, for its chain and the replay.
  options.history = [&](const Dossier& d) { return chains.History(d); };
  // Once the dossiers are checked, the outbox's chain is walked on a thread of the runner while
  // the calling thread merges the index entries (both single-threaded).
  Status outbox_walk;
  options.pass_done = [&] { runner.Start({[&] { outbox_walk = chains.WalkOutbox(); }}); };
  // How long each part took goes to stderr (a slow verify tells where its time went).
  auto took = [start = std::chrono::steady_clock::now()]() mutable {
    const auto now = std::chrono::steady_clock::now();
    const double seconds = std::chrono::duration<double>(now - start).count();
    start = now;
    char text[32];
    std::snprintf(text, sizeof text, "%.1f s", seconds);
    return std::string(text);
  };
  Result<VerifyReport> report = VerifyStore(*store, options);
  runner.Wait();  // the outbox's walk, if it began
  std::cerr << "verify: records, histories, index entries, numbers, report counters and outbox "
               "(with its chain) checked in "
            << took() << " on " << runner.threads() << " threads\n";
  if (!outbox_walk.ok()) {
    std::cerr << "verify failed: " << outbox_walk.ToString() << "\n";
    return 1;
  }
  scratch->reset();  // removes it
  if (!report.ok()) {
    std::cerr << "verify failed: " << report.status().ToString() << "\n";
    return 1;
  }
  // Without its files (PostgreSQL without --data), nothing is checked of them.
  Result<FileCheckReport> checked =
      files ? file_check.Finish(*files) : Result<FileCheckReport>(FileCheckReport{});
  if (files) std::cerr << "verify: files checked in " << took() << "\n";
  file_scratch->reset();
  if (!checked.ok()) {
    std::cerr << "verify failed: " << checked.status().ToString() << "\n";
    return 1;
  }
  const Status chained = chains.Finish();
  std::cerr << "verify: the histories' hashes against the outbox's checked in " << took() << "\n";
  if (Status s = chained; !s.ok()) {
    std::cerr << "verify failed: " << s.ToString() << "\n";
    return 1;
  }
  for (const std::string& p : report->problems) std::cout << "MISMATCH " << p << "\n";
  for (const std::string& p : chains.problems()) std::cout << "MISMATCH " << p << "\n";
  for (const std::string& p : checked->problems) std::cout << "MISMATCH " << p << "\n";
  for (const FileStore::Entry& e : checked->unreferenced) {
    std::cout << "UNREFERENCED file " << e.sha256 << " (" << e.size
              << " bytes): no dossier refers to it (motcua files prune removes it)\n";
  }
  std::cout << "hash chains: " << chains.events() << " events chained, global head at position "
            << chains.head_position() << " " << chains.head_hash() << ", " << chains.checkpoints()
            << " audit checkpoints of the store checked"
            << (kept.empty() ? "" : ", " + std::to_string(chains.expected()) + " given checked")
            << "\n";
  const size_t problems =
      report->problems.size() + chains.problems().size() + checked->problems.size();
  std::cout << (problems == 0 ? "OK: " : "FAILED: ") << report->dossiers << " dossiers, "
            << report->events << " events, " << report->index_entries << " index entries, "
            << report->report_counters << " report counters, outbox at " << report->outbox_last
            << (files ? ", " + std::to_string(checked->references) + " file references to " +
                            std::to_string(checked->stored) + " stored files (" +
                            std::to_string(checked->unreferenced.size()) + " unreferenced)"
                      : std::string(", files not checked (give the data directory: --data DIR)"))
            << (on_postgres ? " (PostgreSQL)" : "")
            << (problems == 0 ? "" : ", " + std::to_string(problems) + " problems") << "\n";
  return problems == 0 ? 0 : 1;
}

// Removes the stored files no dossier refers to, older than --min-age-hours (default 24): an
// upload's file is written before its dossier refers to it, so a young one may be on its way.
int FilesCommand(int argc, char** argv) {
  std::optional<cli::CommandLine> line =
      cli::ParseCommandLine(argc, argv, {"--min-age-hours"}, {"--dry-run"});
  if (!line) return Usage();
  const std::optional<int64_t> min_age_hours =
      cli::WholeNumber(line->Value("--min-age-hours", "24"));
  if (!min_age_hours) {
    std::cerr << "--min-age-hours: expected a whole number of hours, got '"
              << line->Value("--min-age-hours") << "'\n";
    return 2;
  }
  const bool dry_run = line->Has("--dry-run");
  const std::vector<std::string>& args = line->words;
  if (args.size() != 2 || args[0] != "prune") return Usage();
  std::optional<std::string> db = FoundStore(args[1]);
  if (!db) return 1;
  std::unique_ptr<RocksStore> store = OpenReadOnly(*db);
  if (!store) return 1;
  std::unique_ptr<FileStore> files = OpenFiles(*db);
  if (!files) return 1;
  Result<FileCheckReport> checked = CheckFiles(*store, *files);
  if (!checked.ok()) {
    std::cerr << "files prune failed: " << checked.status().ToString() << "\n";
    return 1;
  }
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  size_t removed = 0;
  size_t young = 0;
  int64_t bytes = 0;
  for (const FileStore::Entry& e : checked->unreferenced) {
    if (now - e.modified < *min_age_hours * 3600) {
      ++young;
      continue;
    }
    if (!dry_run) {
      if (Status s = files->Remove(e.sha256); !s.ok()) {
        std::cerr << "cannot remove " << e.sha256 << ": " << s.message() << "\n";
        return 1;
      }
    }
    std::cout << (dry_run ? "would remove " : "removed ") << e.sha256 << " (" << e.size
              << " bytes)\n";
    ++removed;
    bytes += e.size;
  }
  std::cout << "OK: " << (dry_run ? "would remove " : "removed ") << removed
            << " unreferenced files (" << bytes << " bytes); kept " << young << " younger than "
            << *min_age_hours << " h\n";
  return 0;
}

// Lists the open dossiers whose due dates the definitions' calendars would move.
int DueChangesCommand(int argc, char** argv) {
  std::optional<cli::CommandLine> line = cli::ParseCommandLine(argc, argv, {"--definitions"});
  if (!line || line->words.size() != 1) return Usage();
  const std::string definitions = line->Value("--definitions", "definitions");
  const std::vector<std::string>& args = line->words;
  std::optional<std::string> db = FoundStore(args[0]);
  if (!db) return 1;
  DefinitionSet set;
  if (!LoadOrReport(definitions, &set)) return 1;
  DefinitionCatalog catalog(std::move(set), nullptr);
  std::unique_ptr<RocksStore> store = OpenReadOnly(*db);
  if (!store) return 1;
  Result<DueChanges> found = FindDueChanges(*store, catalog);
  if (!found.ok()) {
    std::cerr << "due-changes failed: " << found.status().ToString() << "\n";
    return 1;
  }
  for (const DueChange& c : found->changes) {
    std::cout << DescribeDueChange(c, kApiUtcOffsetSeconds) << "\n";
  }
  std::cout << found->changes.size() << " of " << found->open
            << " open dossiers have due dates that change on the calendars of " << definitions
            << (found->changes.empty() ? ""
                                       : "; an admin recomputes each with the recompute_due "
                                         "command")
            << "\n";
  return 0;
}

// `out` to stdout, or to the file `path` (saying so on stderr).
int WriteOut(const std::string& out, const std::string& path) {
  if (path.empty()) {
    std::cout << out;
    return 0;
  }
  std::ofstream file(path, std::ios::binary);
  file << out;
  file.close();
  if (!file) {
    std::cerr << "cannot write " << path << "\n";
    return 1;
  }
  std::cerr << "wrote " << path << " (" << out.size() << " bytes)\n";
  return 0;
}

// Report form 06 or the steps report from a store's counters, in the format asked for.
int Report(int argc, char** argv) {
  std::map<std::string, std::string> flags = {{"--definitions", "definitions"},
                                              {"--format", "csv"}};
  std::vector<std::string> args;
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.rfind("--", 0) == 0) {
      if (i + 1 >= argc) return Usage();
      flags[a] = argv[++i];
    } else {
      args.push_back(a);
    }
  }
  for (const auto& [name, value] : flags) {
    static const std::set<std::string> kKnown = {"--definitions", "--format", "--period",
                                                 "--from",        "--to",     "--agency",
                                                 "--group-by",    "--out"};
    if (!kKnown.count(name)) {
      std::cerr << "unknown option " << name << "\n";
      return Usage();
    }
  }
  if (args.size() != 2 || (args[0] != "form06" && args[0] != "steps")) return Usage();
  const bool steps = args[0] == "steps";
  Form06Request q;
  auto fail = [](const std::string& m) {
    std::cerr << m << "\n";
    return 2;
  };
  if (flags.count("--period")) {
    auto period = ParseReportPeriod(flags["--period"]);
    if (!period) return fail("--period: expected YYYY, YYYY-H1/H2, YYYY-Q1..Q4 or YYYY-MM");
    std::tie(q.from, q.to) = *period;
  } else {
    auto from = ParseDate(flags["--from"]);
    auto to = ParseDate(flags["--to"]);
    if (!from || !to) return fail("give --period, or --from and --to as YYYY-MM-DD");
    q.from = *from;
    q.to = *to;
  }
  q.agency = flags["--agency"];
  if (flags.count("--group-by")) {
    auto g = ParseName<ReportGrouping>(flags["--group-by"]);
    if (!g) return fail("--group-by: expected " + kReportGroupingNames.List(" or "));
    q.group_by = *g;
  }
  auto format = ParseName<ReportFormat>(flags["--format"]);
  if (!format) return fail("--format: expected " + kReportFormatNames.List(" or "));
  if (steps && *format != ReportFormat::kCsv && *format != ReportFormat::kJson) {
    return fail("--format: the steps report is csv or json");
  }
  if (steps && flags.count("--group-by")) return fail("--group-by: only for form06");
  if (*format == ReportFormat::kXlsx && !flags.count("--out")) {
    return fail("--format xlsx writes a file: give --out FILE");
  }
  std::optional<std::string> db = FoundStore(args[1]);
  if (!db) return 1;
  DefinitionSet set;
  if (!LoadOrReport(flags["--definitions"], &set)) return 1;
  DefinitionCatalog catalog(std::move(set), nullptr);
  if (!q.agency.empty() && catalog.Agencies().Find(q.agency) == nullptr) {
    std::cerr << "--agency: no agency " << q.agency << " in the registry of "
              << flags["--definitions"] << "\n";
    return 1;
  }
  std::unique_ptr<RocksStore> store = OpenReadOnly(*db);
  if (!store) return 1;
  // Now: a training system's clock, else the system's. A window past today ends today.
  Instant now{static_cast<int64_t>(std::time(nullptr))};
  if (Result<std::optional<std::string>> clock = store->Setting("clock"); clock.ok() && *clock) {
    now = Instant{std::strtoll((*clock)->c_str(), nullptr, 10)};
  }
  const CivilDate today = LocalDateAt(now, kApiUtcOffsetSeconds);
  if (today < q.from) return fail("the window starts after today (" + FormatDate(today) + ")");
  if (today < q.to) q.to = today;
  if (steps) {
    Result<StepReport> report = StepReportFromStore(*store, catalog, {q.from, q.to, q.agency});
    if (!report.ok()) {
      std::cerr << "report failed: " << report.status().message() << "\n";
      return 1;
    }
    const Form06Heading heading = HeadingFor(catalog.Agencies(), q.agency);
    std::string out;
    if (*format == ReportFormat::kJson) {
      v1::StepReport m;
      ToProto(*report, heading, &m);
      out = ToJson(m, true) + "\n";
    } else {
      out = StepReportCsv(*report, heading);
    }
    return WriteOut(out, flags.count("--out") ? flags["--out"] : "");
  }
  Result<Form06> report = Form06FromStore(*store, catalog, q, now);
  if (!report.ok()) {
    std::cerr << "report failed: " << report.status().message() << "\n";
    return 1;
  }
  const Form06Heading heading = HeadingFor(catalog.Agencies(), q.agency);
  std::string out;
  if (*format == ReportFormat::kJson) {
    v1::Form06Report m;
    ToProto(*report, heading, &m);
    out = ToJson(m, true) + "\n";
  } else {
    Result<std::string> file = Form06File(*report, heading, *format);
    if (!file.ok()) {
      std::cerr << file.status().message() << "\n";
      return 1;
    }
    out = std::move(*file);
  }
  return WriteOut(out, flags.count("--out") ? flags["--out"] : "");
}

// `motcua audit export <data> <dossier id or number> [--out FILE]`: the history with its hash
// chain, as JSON a third party checks (docs/audit.md).
int AuditCommand(int argc, char** argv) {
  std::optional<cli::CommandLine> line = cli::ParseCommandLine(argc, argv, {"--out"});
  if (!line || line->words.size() != 3 || line->words[0] != "export") return Usage();
  const std::vector<std::string>& args = line->words;
  const std::string out_path = line->Value("--out");
  CopySide side;
  if (args[1].starts_with("postgres:")) {
    PgStoreOptions o;
    o.dsn = args[1].substr(9);
    o.read_only = true;
    Result<std::unique_ptr<PgStore>> opened = PgStore::Open(o);
    if (!opened.ok()) {
      std::cerr << "motcua: " << opened.status().message() << "\n";
      return 1;
    }
    side.pg = std::move(*opened);
  } else {
    std::optional<std::string> db = FoundStore(args[1]);
    if (!db) return 1;
    side.rocks = OpenReadOnly(*db);
    if (!side.rocks) return 1;
  }
  std::string id = args[2];
  if (Result<std::optional<std::string>> by_number = side.store()->IdByNumber(id);
      by_number.ok() && by_number->has_value()) {
    id = **by_number;
  }
  Result<v1::AuditExport> exported = ExportAudit(*side.store(), *side.rows(), id,
                                                 Instant{static_cast<int64_t>(std::time(nullptr))});
  if (!exported.ok()) {
    std::cerr << "audit export failed: " << exported.status().message() << "\n";
    return 1;
  }
  return WriteOut(ToJson(*exported, true) + "\n", out_path);
}

// Opens a store for writing, which upgrades an older format, and says what it did.
int Migrate(int argc, char** argv) {
  int exit_code = 0;
  std::optional<std::string> db = StoreArgument(argc, argv, &exit_code);
  if (!db) return exit_code;
  Result<std::unique_ptr<RocksStore>> store = RocksStore::Open(*db);
  if (!store.ok()) {
    std::cerr << store.status().message() << "\n";
    return 1;
  }
  if (!(*store)->Writable().ok()) {
    std::cerr << "cannot migrate: " << (*store)->Writable().message() << "\n";
    return 1;
  }
  const std::string& did = (*store)->migration();
  std::cout << "OK: " << (did.empty() ? "the store is already in this build's format" : did)
            << "\n";
  return 0;
}

}  // namespace
}  // namespace motcua

int main(int argc, char** argv) {
  if (argc < 2) return motcua::Usage();
  const std::string cmd = argv[1];
  if (cmd == "--help" || cmd == "-h" || cmd == "help") return motcua::Usage(true);
  if (cmd != "serve" && cmd != "token" && cmd != "account" &&
      (motcua::HasFlag(argc, argv, "--help") || motcua::HasFlag(argc, argv, "-h"))) {
    return motcua::Usage(true);
  }
  if (cmd == "check") return motcua::Check(argc, argv);
  if (cmd == "preview") return motcua::Preview(argc, argv);
  if (cmd == "verify") return motcua::Verify(argc, argv);
  if (cmd == "copy") return motcua::Copy(argc, argv);
  if (cmd == "files") return motcua::FilesCommand(argc, argv);
  if (cmd == "migrate" && argc > 2 &&
      (std::strcmp(argv[2], "plan") == 0 || std::strcmp(argv[2], "apply") == 0)) {
    return motcua::cli::MigrateDossiers(argc, argv);
  }
  if (cmd == "migrate") return motcua::Migrate(argc, argv);
  if (cmd == "report") return motcua::Report(argc, argv);
  if (cmd == "due-changes") return motcua::DueChangesCommand(argc, argv);
  if (cmd == "audit") return motcua::AuditCommand(argc, argv);
  if (cmd == "serve") return motcua::cli::Serve(argc, argv);
  if (cmd == "token") return motcua::cli::Token(argc, argv);
  if (cmd == "account") return motcua::cli::Account(argc, argv);
  if (cmd == "backup") return motcua::cli::Backup(argc, argv);
  if (cmd == "restore") return motcua::cli::Restore(argc, argv);
  return motcua::Usage();
}
