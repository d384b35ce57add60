// `motcua migrate plan|apply` (migration.h).

#include "adapters/cli/migration.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <limits>
#include <set>
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

// A value on one request line: '%', CR and LF written as %25, %0D, %0A.
std::string Escape(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '%') {
      out += "%25";
    } else if (c == '\n') {
      out += "%0A";
    } else if (c == '\r') {
      out += "%0D";
    } else {
      out += c;
    }
  }
  return out;
}

std::string Unescape(const std::string& v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    const std::string_view code = std::string_view(v).substr(i, 3);
    if (code == "%25" || code == "%0A" || code == "%0D") {
      out += code == "%25" ? '%' : code == "%0A" ? '\n' : '\r';
      i += 2;
    } else {
      out += v[i];
    }
  }
  return out;
}

}  // namespace

std::vector<std::string> EncodeMigrationRequest(const MigrationRequest& r) {
  const Migration& m = r.migration;
  // One "name value" per line, values escaped; a step's two names on two lines (a name may
  // hold spaces).
  std::vector<std::string> out = {"migrate",
                                  "procedure " + Escape(m.procedure_code),
                                  "from " + std::to_string(m.from_version),
                                  "to " + std::to_string(m.to_version),
                                  "actor " + Escape(r.actor.id),
                                  "reason " + Escape(m.reason)};
  for (const auto& [old_step, new_step] : m.steps) {
    out.push_back("step " + Escape(old_step));
    out.push_back("to_step " + Escape(new_step));
  }
  const MigrationSelection& s = r.select;
  if (s.received_from) out.push_back("received_from " + FormatDate(*s.received_from));
  if (s.received_until) out.push_back("received_until " + FormatDate(*s.received_until));
  for (DossierStatus st : s.statuses) out.push_back(std::string("status ") + NameOf(st));
  for (const std::string& d : s.dossiers) out.push_back("dossier " + Escape(d));
  return out;
}

Result<MigrationRequest> DecodeMigrationRequest(const std::vector<std::string>& lines) {
  if (lines.empty() || lines[0] != "migrate") {
    return Status(StatusCode::kInvalidArgument, "expected a migrate request");
  }
  MigrationRequest r;
  r.actor.roles = {"admin"};
  std::set<std::string> once;               // the names a request gives at most once
  std::optional<std::string> pending_step;  // a step line waits for its to_step line
  for (size_t i = 1; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    const size_t space = line.find(' ');
    if (space == std::string::npos) return BadLine(i, line, "a name and a value");
    const std::string key = line.substr(0, space);
    const std::string value = Unescape(line.substr(space + 1));
    if (pending_step && key != "to_step") return BadLine(i, line, "to_step after a step");
    const bool repeatable =
        key == "step" || key == "to_step" || key == "status" || key == "dossier";
    if (!repeatable && !once.insert(key).second) return BadLine(i, line, key + " once");
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
      if (r.migration.steps.count(value)) return BadLine(i, line, "each step once");
      pending_step = value;
    } else if (key == "to_step") {
      if (!pending_step) return BadLine(i, line, "a step line before it");
      r.migration.steps[*pending_step] = value;
      pending_step.reset();
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
                     "procedure, from, to, actor, reason, step, to_step, received_from, "
                     "received_until, status or dossier");
    }
  }
  if (pending_step) return BadLine(lines.size() - 1, lines.back(), "a to_step line after it");
  if (r.migration.procedure_code.empty() || r.migration.from_version == 0 ||
      r.migration.to_version == 0 || r.actor.id.empty()) {
    return Status(StatusCode::kInvalidArgument,
                  "a migrate request names the procedure, both versions and the actor");
  }
  return r;
}

Result<std::string> ApplyMigration(DossierService& service, const MigrationRequest& r,
                                   const EngineSettings& settings, size_t max_lines,
                                   const std::function<bool()>& keep_going) {
  const std::shared_ptr<const ProcedureCatalog> catalog = service.catalog();
  ASSIGN_OR_RETURN(MigrationPlan plan,
                   SelectForMigration(*service.store(), *catalog, r.migration, r.select,
                                      settings.utc_offset_seconds, keep_going));
  const auto migration = std::make_shared<const Migration>(r.migration);
  std::ostringstream report;
  size_t lines = 0;
  size_t omitted = 0;
  auto line = [&](const std::string& text) {
    if (lines++ < max_lines) {
      report << text << "\n";
    } else {
      ++omitted;
    }
  };
  for (const std::string& named : plan.left_out) line("left out " + named);
  size_t moved = 0;
  size_t refused = 0;
  // Every selected dossier is submitted: the command decides on the dossier as it stands then
  // (one the plan could not read whole, being changed, is tried again).
  std::vector<std::shared_ptr<const Dossier>> todo;
  for (const PlannedMove& m : plan.moves) todo.push_back(m.dossier);
  for (int attempt = 1; !todo.empty(); ++attempt) {
    std::vector<std::shared_ptr<const Dossier>> again;
    for (size_t start = 0; start < todo.size(); start += kWindow) {
      if (!service.writable() || (keep_going && !keep_going())) {
        return Status(StatusCode::kUnavailable,
                      (service.writable() ? std::string("stopped")
                                          : "writes stopped (" + service.failure() + ")") +
                          " after moving " + std::to_string(moved) +
                          " dossiers; the others keep their version: run the migration again "
                          "to move them");
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
          line("migrated " + DescribeMove(move, kOffset));
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
        line("refused " + DescribeMove(move, kOffset));
        ++refused;
      }
    }
    todo = std::move(again);
    if (!todo.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(100 * attempt));
  }
  if (omitted > 0) report << "(" << omitted << " more lines left out)\n";
  const Migration& m = r.migration;
  report << (refused == 0 ? "OK: " : "NOT ALL MOVED: ") << "migrated " << moved << " of "
         << plan.moves.size() << " selected dossiers " << m.Describe();
  if (refused > 0) report << "; " << refused << " refused (above)";
  report << "; " << plan.not_selected << " more in flight not selected keep v" << m.from_version;
  if (plan.in_flight == 0) {
    report << " (no dossier of " << m.procedure_code << " v" << m.from_version << " is in flight)";
  }
  report << "\n";
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
         "  motcua migrate apply <data-dir> --from CODE@V --to CODE@V --map FILE --actor ID\n"
         "                       [--definitions DIR] [--config FILE]\n"
         "      records a `migrated` event per dossier the plan moves, as the admin ID (the\n"
         "      person who ordered it: recorded in every event). A running server applies it\n"
         "      (through <data-dir>/control.sock, with the definitions it loaded); a stopped\n"
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
  Result<std::string> report =
      ApplyMigration(service, request, options.engine, std::numeric_limits<size_t>::max());
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
  request.actor = Actor{line->Value("--actor"), {"admin"}};
  if (verb == "apply" && request.actor.id.empty()) {
    std::cerr << "--actor: name the admin who orders the migration (recorded in each migrated "
                 "event), e.g. --actor admin.nguyen\n";
    return 2;
  }
  const Migration& m = request.migration;
  if (std::vector<std::string> problems = CheckMigration(*old_version, *new_version, m);
      !problems.empty()) {
    std::cerr << "the migration " << m.Describe() << " is refused:\n";
    for (const std::string& p : problems) std::cerr << "  " << map_path << ": " << p << "\n";
    return 1;
  }
  auto catalog = std::make_shared<DefinitionCatalog>(std::move(set), nullptr);
  if (verb == "apply") {
    const std::vector<std::string> lines = EncodeMigrationRequest(request);
    size_t bytes = 2;
    for (const std::string& l : lines) bytes += l.size() + 1;
    if (bytes > kMaxControlRequestBytes) {
      std::cerr << "migrate apply: the map makes a request of " << bytes << " bytes; a server "
                << "takes at most " << kMaxControlRequestBytes
                << ": select fewer dossiers by name (or by dates and statuses), or apply it in "
                   "parts\n";
      return 1;
    }
    Result<std::string> answer = ControlCall(data + "/control.sock", lines, 24 * 3600);
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
  for (const std::string& named : plan->left_out) std::cout << "left out " << named << "\n";
  for (const PlannedMove& move : plan->moves) {
    std::cout << (move.event ? "would migrate " : "refused ") << DescribeMove(move, kOffset)
              << "\n";
  }
  const size_t refused = plan->refused();
  std::cout << (refused == 0 ? "OK: " : "NOT ALL WOULD MOVE: ") << plan->moves.size() - refused
            << " of " << plan->moves.size() << " selected dossiers would migrate " << m.Describe();
  if (refused > 0) std::cout << "; " << refused << " refused (above)";
  std::cout << "; " << plan->not_selected << " more in flight not selected keep v"
            << m.from_version;
  if (plan->in_flight == 0) {
    std::cout << " (no dossier of " << m.procedure_code << " v" << m.from_version
              << " is in flight)";
  }
  std::cout << ". Nothing was written.\n";
  return refused == 0 ? 0 : 1;
}

}  // namespace motcua::cli
