// `motcua migrate plan|apply` (migration.h).

#include "adapters/cli/migration.h"

#include <pwd.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <sstream>
#include <thread>

#include "adapters/cli/args.h"
#include "adapters/cli/control.h"
#include "adapters/cli/serve_config.h"
#include "adapters/proto/view_codec.h"
#include "adapters/rocksdb/rocks_store.h"
#include "adapters/yaml/definition_loader.h"
#include "adapters/yaml/migration_yaml.h"
#include "engine/common/strings.h"

namespace motcua::cli {

namespace {

constexpr int kOffset = kApiUtcOffsetSeconds;
// A dossier being changed when its move is processed is tried again this many times.
constexpr int kAttempts = 5;
// Moves submitted together: the group commit records them in few synced writes.
constexpr size_t kWindow = 256;

// Whether a report's summary (its last line) says every selected dossier moved.
bool AllMoved(const std::string& report) {
  const size_t last = report.rfind('\n', report.size() >= 2 ? report.size() - 2 : 0);
  return report.compare(last == std::string::npos ? 0 : last + 1, 3, "OK:") == 0;
}

Status BadLine(size_t i, const std::string& line, const std::string& expected) {
  return Status(StatusCode::kInvalidArgument, "migrate request line " + std::to_string(i + 1) +
                                                  " '" + line + "': expected " + expected);
}

}  // namespace

std::vector<std::string> EncodeMigrationRequest(const MigrationRequest& r) {
  const Migration& m = r.migration;
  std::vector<std::string> out = {"migrate",
                                  "procedure " + m.procedure_code,
                                  "from " + std::to_string(m.from_version),
                                  "to " + std::to_string(m.to_version),
                                  "actor " + r.actor.id,
                                  "reason " + m.reason};
  for (const auto& [old_step, new_step] : m.steps)
    out.push_back("step " + old_step + " " + new_step);
  const MigrationSelection& s = r.select;
  if (s.received_from) out.push_back("received_from " + FormatDate(*s.received_from));
  if (s.received_until) out.push_back("received_until " + FormatDate(*s.received_until));
  for (DossierStatus st : s.statuses) out.push_back(std::string("status ") + NameOf(st));
  for (const std::string& d : s.dossiers) out.push_back("dossier " + d);
  return out;
}

Result<MigrationRequest> DecodeMigrationRequest(const std::vector<std::string>& lines) {
  if (lines.empty() || lines[0] != "migrate") {
    return Status(StatusCode::kInvalidArgument, "expected a migrate request");
  }
  MigrationRequest r;
  r.actor.roles = {"admin"};
  for (size_t i = 1; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    const size_t space = line.find(' ');
    if (space == std::string::npos) return BadLine(i, line, "a name and a value");
    const std::string key = line.substr(0, space);
    const std::string value = line.substr(space + 1);
    if (key == "procedure") {
      r.migration.procedure_code = value;
    } else if (key == "from" || key == "to") {
      std::optional<int64_t> v = WholeNumber(value, 1);
      if (!v || *v > 1000000) return BadLine(i, line, "a version number");
      (key == "from" ? r.migration.from_version : r.migration.to_version) = static_cast<int>(*v);
    } else if (key == "actor") {
      r.actor.id = value;
    } else if (key == "reason") {
      r.migration.reason = value;
    } else if (key == "step") {
      const size_t sep = value.find(' ');
      if (sep == std::string::npos) return BadLine(i, line, "step OLD NEW");
      r.migration.steps[value.substr(0, sep)] = value.substr(sep + 1);
    } else if (key == "received_from" || key == "received_until") {
      std::optional<CivilDate> d = ParseDate(value);
      if (!d) return BadLine(i, line, "a date YYYY-MM-DD");
      (key == "received_from" ? r.select.received_from : r.select.received_until) = d;
    } else if (key == "status") {
      std::optional<DossierStatus> st = ParseName<DossierStatus>(value);
      if (!st) return BadLine(i, line, "a dossier status");
      r.select.statuses.push_back(*st);
    } else if (key == "dossier") {
      r.select.dossiers.push_back(value);
    } else {
      return BadLine(i, line,
                     "procedure, from, to, actor, reason, step, received_from, "
                     "received_until, status or dossier");
    }
  }
  if (r.migration.procedure_code.empty() || r.migration.from_version == 0 ||
      r.migration.to_version == 0 || r.actor.id.empty()) {
    return Status(StatusCode::kInvalidArgument,
                  "a migrate request names the procedure, both versions and the actor");
  }
  return r;
}

Result<std::string> ApplyMigration(DossierService& service, const MigrationRequest& r, Instant now,
                                   const EngineSettings& settings,
                                   const std::function<bool()>& keep_going) {
  const std::shared_ptr<const ProcedureCatalog> catalog = service.catalog();
  ASSIGN_OR_RETURN(MigrationPlan plan, PlanMigration(*service.store(), *catalog, r.migration,
                                                     r.select, r.actor, now, settings, keep_going));
  const auto migration = std::make_shared<const Migration>(r.migration);
  std::ostringstream report;
  size_t moved = 0;
  size_t refused = 0;
  std::vector<std::shared_ptr<const Dossier>> todo;
  for (const PlannedMove& m : plan.moves) {
    if (m.event) {
      todo.push_back(m.dossier);
    } else {
      report << "refused " << DescribeMove(m, kOffset) << "\n";
      ++refused;
    }
  }
  for (int attempt = 1; !todo.empty(); ++attempt) {
    std::vector<std::shared_ptr<const Dossier>> again;
    for (size_t start = 0; start < todo.size(); start += kWindow) {
      if (keep_going && !keep_going()) {
        return Status(StatusCode::kUnavailable,
                      "stopped after moving " + std::to_string(moved) +
                          " dossiers; run the migration again to move the rest");
      }
      const size_t end = std::min(todo.size(), start + kWindow);
      std::vector<std::future<CommandResult>> results;
      for (size_t i = start; i < end; ++i) {
        CommandRequest req;
        req.command = MigrateCommand(migration, todo[i]->id, r.actor);
        results.push_back(service.Submit(std::move(req)));
      }
      for (size_t i = start; i < end; ++i) {
        CommandResult result = results[i - start].get();
        PlannedMove move;
        move.dossier = todo[i];
        if (result.accepted() && !result.events.empty()) {
          move.event = result.events.front();
          report << "migrated " << DescribeMove(move, kOffset) << "\n";
          ++moved;
          continue;
        }
        const bool transient = !result.status.ok()
                                   ? result.status.code() == StatusCode::kUnavailable
                                   : result.rejection->code == RejectionCode::kUnavailable;
        if (transient && attempt < kAttempts && service.writable()) {
          again.push_back(todo[i]);
          continue;
        }
        move.problem = result.status.ok() ? result.rejection->message : result.status.message();
        report << "refused " << DescribeMove(move, kOffset) << "\n";
        ++refused;
      }
    }
    todo = std::move(again);
    if (!todo.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(100 * attempt));
  }
  const Migration& m = r.migration;
  report << (refused == 0 ? "OK: " : "NOT ALL MOVED: ") << "migrated " << moved << " of "
         << plan.moves.size() << " selected dossiers " << m.Describe();
  if (refused > 0) report << "; " << refused << " refused (above)";
  report << "; " << plan.not_selected << " more in flight not selected keep v" << m.from_version
         << "\n";
  return report.str();
}

namespace {

int MigrateUsage() {
  std::cerr
      << "usage:\n"
         "  motcua migrate plan <data-dir> --from CODE@V --to CODE@V --map FILE\n"
         "                      [--definitions DIR] [--config FILE]\n"
         "      every dossier of CODE version V in flight that the map selects: its step, the\n"
         "      step it would move to, and how its due instants would change. Opens the store\n"
         "      read-only (the server may run); nothing is written\n"
         "  motcua migrate apply <data-dir> --from CODE@V --to CODE@V --map FILE\n"
         "                       [--definitions DIR] [--config FILE] [--actor ID]\n"
         "      records a `migrated` event per dossier the plan moves. A running server applies\n"
         "      it (through <data-dir>/control.sock, with the definitions it loaded); a stopped\n"
         "      one's store is opened by the command\n"
         "  The map (docs/operations.md, \"Migrating dossiers in flight\"): reason, steps (every\n"
         "  step of the old version: a step of the new one), select (optional)\n";
  return 2;
}

struct Version {
  std::string code;
  int version = 0;
};

std::optional<Version> ParseVersion(const std::string& flag, const std::string& text) {
  const size_t at = text.rfind('@');
  std::optional<int64_t> v =
      at == std::string::npos ? std::nullopt : WholeNumber(text.substr(at + 1), 1);
  if (at == 0 || !v || *v > 1000000) {
    std::cerr << flag << ": expected a procedure version like 1.004227@2, got '" << text << "'\n";
    return std::nullopt;
  }
  return Version{text.substr(0, at), static_cast<int>(*v)};
}

std::string LoginName() {
  if (const struct passwd* pw = ::getpwuid(::geteuid())) return pw->pw_name;
  return "uid-" + std::to_string(::geteuid());
}

std::shared_ptr<const Procedure> FindVersion(const DefinitionSet& set, const std::string& code,
                                             int version) {
  for (const auto& p : set.procedures) {
    if (p->code == code && p->version == version) return p;
  }
  return nullptr;
}

// Opens the stopped server's store and applies the migration through a dossier service of its
// own (no timers fired: the server fires them when it starts).
int ApplyStopped(const std::string& data, std::shared_ptr<const ProcedureCatalog> catalog,
                 const MigrationRequest& request, const ServiceOptions& service_options) {
  Result<std::unique_ptr<RocksStore>> store = RocksStore::Open(data + "/db");
  if (!store.ok()) {
    std::cerr << "migrate apply: " << store.status().message() << "\n";
    return 1;
  }
  if (Status s = (*store)->Writable(); !s.ok()) {
    std::cerr << "migrate apply: " << s.message() << "\n";
    return 1;
  }
  SystemClock system_clock;
  ManualClock training_clock(system_clock.Now());
  // A training store runs on its own clock: the move is recorded at the time it stands at.
  Result<std::optional<std::string>> mode = (*store)->Setting("mode");
  Result<std::optional<std::string>> stood = (*store)->Setting("clock");
  const bool training = mode.ok() && *mode == "training";
  if (training && stood.ok() && *stood) training_clock.Set(Instant{std::stoll(**stood)});
  Clock& clock = training ? static_cast<Clock&>(training_clock) : system_clock;
  RandomIdSource ids(&clock);
  ServiceOptions options = service_options;
  options.run_timers = false;
  DossierService service(store->get(), std::move(catalog), &clock, &ids, options);
  if (Status s = service.Start(); !s.ok()) {
    std::cerr << "migrate apply: " << s.message() << "\n";
    return 1;
  }
  Result<std::string> report = ApplyMigration(service, request, clock.Now(), options.engine);
  service.Stop();
  if (!report.ok()) {
    std::cerr << "migrate apply: " << report.status().message() << "\n";
    return 1;
  }
  std::cout << *report;
  return AllMoved(*report) ? 0 : 1;
}

}  // namespace

int MigrateDossiers(int argc, char** argv) {
  std::optional<CommandLine> line = ParseCommandLine(
      argc, argv, {"--from", "--to", "--map", "--definitions", "--config", "--actor"});
  if (!line || line->words.size() != 2 || !line->Has("--from") || !line->Has("--to") ||
      !line->Has("--map")) {
    return MigrateUsage();
  }
  const std::string verb = line->words[0];
  const std::string data = line->words[1];
  if (verb != "plan" && verb != "apply") return MigrateUsage();
  std::optional<Version> from = ParseVersion("--from", line->Value("--from"));
  std::optional<Version> to = ParseVersion("--to", line->Value("--to"));
  if (!from || !to) return 2;
  if (from->code != to->code) {
    std::cerr << "a dossier keeps its procedure: --from and --to name versions of one procedure, "
                 "not "
              << from->code << " and " << to->code << "\n";
    return 2;
  }
  ServeConfig config;
  if (line->Has("--config") && !LoadConfig(line->Value("--config"), &config)) return 1;
  const std::string definitions = line->Value("--definitions", config.definitions);
  if (!std::filesystem::exists(std::filesystem::path(data) / "db" / "CURRENT")) {
    std::cerr << "no motcua store in " << data << " (expected a data directory with db/)\n";
    return 1;
  }
  DefinitionSet set = LoadDefinitions(definitions);
  if (!set.ok()) {
    for (const Diagnostic& d : set.errors) std::cerr << d.ToString() << "\n";
    std::cerr << "the definitions at " << definitions << " have errors\n";
    return 1;
  }
  const std::shared_ptr<const Procedure> old_version = FindVersion(set, from->code, from->version);
  const std::shared_ptr<const Procedure> new_version = FindVersion(set, to->code, to->version);
  for (const auto& [p, v] : {std::pair{old_version, *from}, std::pair{new_version, *to}}) {
    if (!p) {
      std::cerr << "procedure " << v.code << " version " << v.version
                << " is not in the definitions at " << definitions << "\n";
      return 1;
    }
  }
  const std::string map_path = line->Value("--map");
  std::ifstream in(map_path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) {
    std::cerr << "cannot read the migration map " << map_path << "\n";
    return 1;
  }
  std::vector<Diagnostic> errors;
  std::optional<MigrationFile> file =
      ParseMigrationFile(text.str(), map_path, old_version.get(), new_version.get(), &errors);
  if (!file) {
    for (const Diagnostic& d : errors) std::cerr << d.ToString() << "\n";
    std::cerr << errors.size() << (errors.size() == 1 ? " error" : " errors") << " in " << map_path
              << "\n";
    return 1;
  }
  MigrationRequest request;
  request.migration = std::move(file->migration);
  request.migration.procedure_code = from->code;
  request.migration.from_version = from->version;
  request.migration.to_version = to->version;
  request.select = std::move(file->select);
  request.actor = Actor{line->Value("--actor", LoginName()), {"admin"}};
  const Migration& m = request.migration;
  if (std::vector<std::string> problems = CheckMigration(*old_version, *new_version, m);
      !problems.empty()) {
    std::cerr << "the migration " << m.Describe() << " is refused:\n";
    for (const std::string& p : problems) std::cerr << "  " << map_path << ": " << p << "\n";
    return 1;
  }
  auto catalog = std::make_shared<DefinitionCatalog>(std::move(set), nullptr);
  if (verb == "apply") {
    Result<std::string> answer =
        ControlCall(data + "/control.sock", EncodeMigrationRequest(request), 24 * 3600);
    if (answer.ok()) {
      std::cout << *answer;
      return AllMoved(*answer) ? 0 : 1;
    }
    if (answer.status().code() != StatusCode::kNotFound) {
      std::cerr << "migrate apply: " << answer.status().message() << "\n";
      return 1;
    }
    return ApplyStopped(data, catalog, request, config.service);  // no server runs on it
  }
  RocksStoreOptions read_only;
  read_only.read_only = true;
  Result<std::unique_ptr<RocksStore>> store = RocksStore::Open(data + "/db", read_only);
  if (!store.ok()) {
    std::cerr << store.status().message() << "\n";
    return 1;
  }
  SystemClock clock;
  Result<MigrationPlan> plan = PlanMigration(**store, *catalog, m, request.select, request.actor,
                                             clock.Now(), config.service.engine);
  if (!plan.ok()) {
    std::cerr << "migrate plan: " << plan.status().message() << "\n";
    return 1;
  }
  for (const PlannedMove& move : plan->moves) {
    std::cout << (move.event ? "would migrate " : "refused ") << DescribeMove(move, kOffset)
              << "\n";
  }
  const size_t refused = plan->refused();
  std::cout << (refused == 0 ? "OK: " : "NOT ALL WOULD MOVE: ") << plan->moves.size() - refused
            << " of " << plan->moves.size() << " selected dossiers would migrate " << m.Describe();
  if (refused > 0) std::cout << "; " << refused << " refused (above)";
  std::cout << "; " << plan->not_selected << " more in flight not selected keep v" << m.from_version
            << ". Nothing was written.\n";
  return refused == 0 ? 0 : 1;
}

}  // namespace motcua::cli
