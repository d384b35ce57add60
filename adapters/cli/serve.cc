// `motcua serve`: the configuration file and flags, the wiring of store,
// definitions, dossier service, API and server, signals (SIGHUP reloads, SIGTERM/SIGINT stop
// gracefully).

#include "adapters/cli/serve.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "adapters/cli/backup_service.h"
#include "adapters/cli/checkpoint.h"
#include "adapters/cli/control.h"
#include "adapters/cli/json_log.h"
#include "adapters/cli/migration.h"
#include "adapters/cli/serve_config.h"
#include "adapters/delivery/deliverer.h"
#include "adapters/files/file_store.h"
#include "adapters/http/api.h"
#include "adapters/http/secret_file.h"
#include "adapters/http/server.h"
#include "adapters/postgres/pg_store.h"
#include "adapters/proto/view_codec.h"
#include "adapters/report/pdf.h"
#include "adapters/rocksdb/chain_check.h"
#include "adapters/rocksdb/rocks_store.h"
#include "adapters/runtime/dossier_service.h"
#include "adapters/runtime/worker.h"
#include "adapters/yaml/definition_loader.h"
#include "adapters/yaml/subscription_yaml.h"
#include "engine/common/strings.h"
#include "engine/definition/catalog.h"
#include "engine/store/due_changes.h"

extern const char* const kMotcuaOpenApiJson;  // generated from docs/openapi.json

namespace motcua::cli {

namespace {

// A connection string fit to print: a password in it (password=…, or user:password@ in a URI)
// is replaced by "***".
std::string WithoutPassword(std::string dsn) {
  for (size_t at = dsn.find("password="); at != std::string::npos;
       at = dsn.find("password=", at + 1)) {
    const size_t end = std::min(dsn.find(' ', at), dsn.size());
    dsn.replace(at + 9, end - at - 9, "***");
  }
  if (const size_t scheme = dsn.find("://"); scheme != std::string::npos) {
    const size_t at = dsn.find('@', scheme);
    const size_t colon = dsn.find(':', scheme + 3);
    if (at != std::string::npos && colon != std::string::npos && colon < at) {
      dsn.replace(colon + 1, at - colon - 1, "***");
    }
  }
  return dsn;
}

// The usage text: on stdout with exit 0 when asked for (--help), else on stderr with exit 2.
int Usage(bool asked = false) {
  std::fprintf(asked ? stdout : stderr,
               "usage: motcua serve [--config FILE] [--listen HOST:PORT] [--data DIR]\n"
               "                    [--definitions DIR] [--tokens FILE] [--threads N]\n"
               "                    [--clock system|manual]\n"
               "  Defaults: listen 127.0.0.1:8080, data ./data, definitions ./definitions,\n"
               "  tokens <data>/tokens.yaml (created with a development token on first start).\n"
               "  SIGHUP reloads definitions and tokens; SIGTERM/SIGINT shut down gracefully.\n");
  return asked ? 0 : 2;
}

// What SIGHUP replaces while requests read it.
struct Reloadable {
  Mutex mu;
  std::shared_ptr<const DefinitionCatalog> catalog GUARDED_BY(mu);
  std::shared_ptr<const http::TokenStore> tokens GUARDED_BY(mu);
  std::shared_ptr<const http::AccountStore> accounts GUARDED_BY(mu);
};

// The subscriptions file's entries (empty path: none); nullopt after printing its errors.
std::optional<std::vector<Subscription>> LoadSubscriptions(const std::string& path,
                                                           const AgencyRegistry& agencies) {
  if (path.empty()) return std::vector<Subscription>();
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << path << ": cannot read the subscriptions file\n";
    return std::nullopt;
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  std::vector<Diagnostic> errors;
  auto subs = ParseSubscriptionFile(text, path, agencies, &errors);
  for (const Diagnostic& e : errors) std::cerr << e.ToString() << "\n";
  return subs;
}

}  // namespace

int Serve(int argc, char** argv) {
  ServeConfig c;
  std::map<std::string, std::string> flags;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--help" || a == "-h") return Usage(true);
    if (a.rfind("--", 0) != 0 || i + 1 >= argc) return Usage();
    flags[a.substr(2)] = argv[++i];
  }
  if (flags.count("config") && !LoadConfig(flags["config"], &c)) return 1;
  for (const auto& [k, v] : flags) {
    if (k == "config") continue;
    if (k == "listen")
      c.listen = v;
    else if (k == "data")
      c.data = v;
    else if (k == "definitions")
      c.definitions = v;
    else if (k == "tokens")
      c.tokens = v;
    else if (k == "threads")
      c.server.threads = std::atoi(v.c_str());
    else if (k == "clock" && (v == "system" || v == "manual"))
      c.clock = v;
    else {
      std::cerr << "unknown flag --" << k << "\n";
      return Usage();
    }
  }
  const size_t colon = c.listen.rfind(':');
  if (colon == std::string::npos) {
    std::cerr << "--listen must be HOST:PORT, got '" << c.listen << "'\n";
    return 1;
  }
  c.server.address = c.listen.substr(0, colon);
  c.server.port = static_cast<uint16_t>(std::atoi(c.listen.c_str() + colon + 1));
  if (c.tokens.empty()) c.tokens = c.data + "/tokens.yaml";
  if (c.accounts.empty()) c.accounts = c.data + "/accounts.yaml";
  // Before any other thread: every later line on stderr is a JSON object.
  if (c.log_format == "json") InstallJsonStderr();

  // Block the shutdown and reload signals in every thread; one thread waits for them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  DefinitionSet set = LoadDefinitions(c.definitions);
  if (!set.ok()) {
    for (const auto& e : set.errors) std::cerr << e.ToString() << "\n";
    std::cerr << "motcua: definitions in " << c.definitions << " have errors; not starting\n";
    return 1;
  }
  std::error_code ec;
  std::filesystem::create_directories(c.data, ec);
  // The store: RocksDB in <data>/db (the default), or a PostgreSQL database (store: postgres).
  std::unique_ptr<RocksStore> rocks_store;
  std::unique_ptr<PgStore> pg_store;
  if (c.store_kind == "postgres") {
    PgStoreOptions po;
    po.dsn = c.postgres_dsn;
    po.record_cache_entries = c.store.record_cache_entries;
    auto opened = PgStore::Open(po);
    if (!opened.ok()) {
      std::cerr << "motcua: " << opened.status().message() << "\n";
      return 1;
    }
    pg_store = std::move(*opened);
    if (!pg_store->migration().empty()) {
      std::cerr << "motcua: PostgreSQL " << pg_store->migration() << "\n";
    }
  } else {
    auto opened = RocksStore::Open(c.data + "/db", c.store);
    if (!opened.ok()) {
      std::cerr << "motcua: " << opened.status().message() << "\n";
      return 1;
    }
    rocks_store = std::move(*opened);
    if (!rocks_store->migration().empty()) {
      std::cerr << "motcua: " << rocks_store->migration() << "\n";
    }
  }
  Store* const store = rocks_store ? static_cast<Store*>(rocks_store.get()) : pg_store.get();
  RocksStore* const rocks = rocks_store.get();  // null on PostgreSQL
  RowStore* const rows = rocks ? static_cast<RowStore*>(rocks) : pg_store.get();
  auto setting = [&](const std::string& key) {
    return rocks ? rocks->Setting(key) : pg_store->Setting(key);
  };
  auto put_setting = [rocks, pg = pg_store.get()](const std::string& key, const std::string& v) {
    return rocks ? rocks->PutSetting(key, v) : pg->PutSetting(key, v);
  };
  const bool store_created = rocks ? rocks->created() : pg_store->created();
  std::string dev_secret;
  if (!std::filesystem::exists(c.tokens) && !c.development_token) {
    // An installed server: no token until an admin adds one (motcua token add).
    YAML::Node empty;
    empty["tokens"] = YAML::Node(YAML::NodeType::Sequence);
    if (Status s = http::SaveSecretFile(c.tokens, empty, "motcua bearer tokens (motcua token add)");
        !s.ok()) {
      std::cerr << "motcua: " << s.message() << "\n";
      return 1;
    }
  } else if (!std::filesystem::exists(c.tokens)) {
    http::TokenSpec dev{"dev-admin", {"admin", "integrator", "manager", "auditor"}, {"*"}};
    std::set<std::string> roles;
    for (const auto& p : set.procedures) {
      for (const auto& r : p->roles) roles.insert(r.id);
    }
    dev.roles.insert(dev.roles.end(), roles.begin(), roles.end());
    Result<std::string> secret = http::AddToken(c.tokens, dev);
    if (!secret.ok()) {
      std::cerr << "motcua: " << secret.status().message() << "\n";
      return 1;
    }
    dev_secret = *secret;
  }
  auto tokens = http::TokenStore::Load(c.tokens);
  if (!tokens.ok()) {
    std::cerr << "motcua: " << tokens.status().message() << "\n";
    return 1;
  }
  auto accounts = http::AccountStore::Load(c.accounts);
  if (!accounts.ok()) {
    std::cerr << "motcua: " << accounts.status().message() << "\n";
    return 1;
  }
  auto catalog = std::make_shared<const DefinitionCatalog>(std::move(set), nullptr);
  Reloadable live;
  {
    MutexLock lock(&live.mu);
    live.catalog = catalog;
    live.tokens = *tokens;
    live.accounts = *accounts;
  }

  // A training system runs on a manual clock that admins move; a store says whether it was
  // created for training, and only such a store takes a manual clock (and always does).
  Result<std::optional<std::string>> mode = setting("mode");
  if (!mode.ok()) {
    std::cerr << "motcua: " << mode.status().message() << "\n";
    return 1;
  }
  const bool manual = c.clock == "manual";
  if (manual && store_created) {
    if (Status s = put_setting("mode", "training"); !s.ok()) {
      std::cerr << "motcua: " << s.message() << "\n";
      return 1;
    }
  } else if (manual && *mode != "training") {
    std::cerr << "motcua: clock: manual needs a data directory created in training mode; " << c.data
              << " holds a real system's dossiers. Start a training system on a new "
              << "data directory with clock: manual.\n";
    return 1;
  } else if (!manual && *mode == "training") {
    std::cerr << "motcua: " << c.data << " was created in training mode: start it with "
              << "clock: manual (--clock manual)\n";
    return 1;
  }
  SystemClock system_clock;
  ManualClock training_clock(system_clock.Now());
  if (manual) {
    // The training clock resumes where it stood: time never goes back across a restart.
    Result<std::optional<std::string>> stood = setting("clock");
    if (stood.ok() && *stood) training_clock.Set(Instant{std::stoll(**stood)});
  }
  Clock& clock = manual ? static_cast<Clock&>(training_clock) : system_clock;
  RandomIdSource ids(&clock);
  DossierService service(store, catalog, &clock, &ids, c.service);
  if (Status s = service.Start(); !s.ok()) {
    std::cerr << "motcua: " << s.message() << "\n";
    return 1;
  }
  std::optional<std::vector<Subscription>> subscriptions =
      LoadSubscriptions(c.subscriptions, catalog->Agencies());
  if (!subscriptions) {
    std::cerr << "motcua: the subscriptions in " << c.subscriptions
              << " have errors; not starting\n";
    service.Stop();
    return 1;
  }
  std::unique_ptr<Deliverer> deliverer;
  if (!c.subscriptions.empty()) {
    deliverer = std::make_unique<Deliverer>(
        store,
        [&live] {
          MutexLock lock(&live.mu);
          return live.catalog;
        },
        *subscriptions);
    if (Status s = deliverer->Start(service.last_outbox_position()); !s.ok()) {
      std::cerr << "motcua: outbound delivery: " << s.message() << "\n";
      service.Stop();
      return 1;
    }
  }
  http::Metrics metrics;
  http::Api::Deps deps;
  deps.deliverer = deliverer.get();
  // Printed forms as PDF, when a browser is configured; stopped once the server has stopped.
  std::unique_ptr<PdfPrinter> printer;
  if (!c.pdf_renderer.empty()) {
    printer =
        std::make_unique<PdfPrinter>(c.pdf_renderer, std::chrono::seconds(c.pdf_timeout_seconds));
    deps.print_pdf = [p = printer.get()](std::string html,
                                         std::function<void(Result<std::string>)> done) {
      return p->Print(std::move(html), std::move(done));
    };
  }
  // Files of dossiers beside the store, written and synced off the io threads (two writers: one
  // upload's fsync does not hold up the next). The worker stops after the server: every upload
  // accepted is finished and answered.
  size_t partial = 0;
  Result<std::unique_ptr<FileStore>> files = FileStore::Open(c.data + "/files", false, &partial);
  if (!files.ok()) {
    std::cerr << "motcua: files: " << files.status().message() << "\n";
    service.Stop();
    return 1;
  }
  if (partial > 0) {
    std::cerr << "motcua: removed " << partial
              << " partial upload(s) an earlier stop interrupted (none was referenced)\n";
  }
  // Blocking work off the io threads: files written and synced, passwords checked. Emptied
  // before the API its jobs answer through is gone (below).
  std::optional<Worker> blocking;
  blocking.emplace("motcua-files", 2, 64);
  deps.files = files->get();
  deps.run_blocking = [&blocking](std::function<void()> job) {
    return blocking->Post(std::move(job));
  };
  RemovePartialCheckpoints(c.data);
  // One checkpoint at a time: another asked for meanwhile is told so (409).
  auto checkpointing = std::make_shared<std::mutex>();
  deps.checkpoint = [rocks, fs = files->get(), &c, &clock,
                     checkpointing]() -> Result<http::Api::Deps::Checkpoint> {
    if (rocks == nullptr) {
      return Status(StatusCode::kFailedPrecondition,
                    "checkpoints copy a RocksDB store; this server's store is PostgreSQL "
                    "(back it up with PostgreSQL's tools: pg_basebackup, docs/operations.md)");
    }
    std::unique_lock<std::mutex> one(*checkpointing, std::try_to_lock);
    if (!one.owns_lock()) {
      return Status(StatusCode::kFailedPrecondition,
                    "a checkpoint is being made; ask again when it is done");
    }
    // Named by the local time of the clock the server runs on (the training clock in training).
    std::string stamp = FormatLocal(clock.Now(), kApiUtcOffsetSeconds).substr(0, 19);
    std::erase_if(stamp, [](char ch) { return ch == '-' || ch == ':'; });
    std::replace(stamp.begin(), stamp.end(), 'T', '-');
    ASSIGN_OR_RETURN(CheckpointMade made,
                     MakeCheckpoint(*rocks, *fs, c.data, stamp, {c.accounts, c.tokens}));
    std::fprintf(stderr, "checkpoint: %s (%zu files, %lld ms)\n", made.path.c_str(), made.files,
                 static_cast<long long>(made.took_ms));
    return http::Api::Deps::Checkpoint{made.path, made.files, made.took_ms};
  };
  // Backups (backup.h): on the schedule the configuration sets, and asked for by `motcua backup`
  // through the control socket. Both stop before the store closes.
  // (RocksDB only: a PostgreSQL database is backed up with PostgreSQL's tools.)
  std::optional<BackupService> backups;
  if (rocks) {
    backups.emplace(
        *rocks->db(), **files,
        BackupService::Settings{
            c.backup.dir, c.backup.every_minutes, c.backup.keep, {c.accounts, c.tokens}});
    deps.more_metrics = [&backups] { return backups->Metrics(); };
  }
  // Set at SIGTERM/SIGINT: the work of the control socket and of the due-date scan gives up.
  std::atomic<bool> stopping{false};
  const std::string control_path = c.data + "/control.sock";
  Result<std::unique_ptr<ControlSocket>> control = ControlSocket::Listen(
      control_path,
      [&backups, &service, &c,
       &stopping](const std::vector<std::string>& request) -> Result<std::string> {
        if (!request.empty() && request[0] == "migrate") {
          // `motcua migrate apply` (migration.h), with the definitions this server loaded.
          ASSIGN_OR_RETURN(MigrationRequest migration, DecodeMigrationRequest(request));
          std::fprintf(stderr, "migrate: %s asked by %s\n", migration.migration.Describe().c_str(),
                       migration.actor.id.c_str());
          // The answer holds at most 2,000 dossier lines (control.h reads 1 MiB of it); every
          // move is in the history, and `motcua migrate plan` lists them all beforehand.
          Result<std::string> report = ApplyMigration(service, migration, c.service.engine, 2000,
                                                      [&stopping] { return !stopping.load(); });
          if (!report.ok()) {
            std::fprintf(stderr, "migrate: %s\n", report.status().message().c_str());
            if (report.status().message().find("is not in the definitions loaded") ==
                std::string::npos) {
              return report.status();
            }
            return Status(report.status().code(),
                          report.status().message() +
                              "\n(the server applies it with the definitions it loaded: "
                              "after changing them, reload it with SIGHUP)");
          }
          const size_t last = report->rfind('\n', report->size() - 2);
          std::fprintf(stderr, "migrate: %s",
                       report->substr(last == std::string::npos ? 0 : last + 1).c_str());
          return report;
        }
        if (request.size() != 3 || request[0] != "backup") {
          return InvalidArgument(
              "expected: backup, the backup directory, how many to keep; or a migrate request");
        }
        const int keep = std::atoi(request[2].c_str());
        if (!backups) {
          return FailedPrecondition(
              "motcua backup copies a RocksDB store; this server's store is PostgreSQL (back it "
              "up with PostgreSQL's tools: pg_basebackup, docs/operations.md)");
        }
        ASSIGN_OR_RETURN(BackupMade made, backups->Run(request[1], keep));
        return BackupService::Describe(request[1], made) + "\n";
      });
  if (!control.ok()) {
    std::cerr << "motcua: no control socket (`motcua backup` cannot reach this server; scheduled "
                 "backups still run): "
              << control.status().message() << "\n";
  }
  deps.service = &service;
  deps.store = store;
  deps.clock = &clock;
  deps.catalog = [&live] {
    MutexLock lock(&live.mu);
    return live.catalog;
  };
  deps.tokens = [&live] {
    MutexLock lock(&live.mu);
    return live.tokens;
  };
  deps.accounts = [&live] {
    MutexLock lock(&live.mu);
    return live.accounts;
  };
  // The free-space guard asks on every write; statvfs runs at most every 250 ms (a write is
  // refused within a quarter of a second of the guard being crossed).
  struct FreeDisk {
    std::atomic<int64_t> checked_ns{0};
    std::atomic<uint64_t> bytes{0};
  };
  auto free_disk = std::make_shared<FreeDisk>();
  // The data directory's disk: the RocksDB store's and the files' (on PostgreSQL, the files').
  deps.free_disk = [data = c.data, free_disk]() -> Result<uint64_t> {
    const int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                            std::chrono::steady_clock::now().time_since_epoch())
                            .count();
    if (now - free_disk->checked_ns.load(std::memory_order_acquire) < 250'000'000) {
      return free_disk->bytes.load(std::memory_order_relaxed);
    }
    std::error_code failed;
    const std::filesystem::space_info space = std::filesystem::space(data, failed);
    if (failed) {
      return Internal("cannot read the free space of " + data + ": " + failed.message());
    }
    free_disk->bytes.store(space.available, std::memory_order_relaxed);
    free_disk->checked_ns.store(now, std::memory_order_release);
    return static_cast<uint64_t>(space.available);
  };
  deps.metrics = &metrics;
  if (manual) {
    c.api.manual_clock = true;
    deps.set_clock = [put_setting, &training_clock](Instant t) -> Status {
      RETURN_IF_ERROR(put_setting("clock", std::to_string(t.seconds)));
      training_clock.Set(t);
      return Status::Ok();
    };
  }
  c.api.openapi_json = kMotcuaOpenApiJson;
  http::Api api(deps, c.api);
  http::Server server(&api, c.server);
  // The streams take the committed events from memory (and read the outbox only when behind).
  service.OnCommitEvents([&server](std::shared_ptr<const CommittedEvents> events) {
    server.NotifyCommitted(std::move(events));
  });
  if (deliverer) {
    // Delivery takes the committed events from memory (and reads the outbox only when behind).
    service.OnCommitEvents([d = deliverer.get()](std::shared_ptr<const CommittedEvents> events) {
      d->CommittedEvents(std::move(events));
    });
  }
  if (Status s = server.Start(); !s.ok()) {
    std::cerr << "motcua: " << s.message() << "\n";
    service.Stop();
    return 1;
  }
  const std::string url = "http://" + c.server.address + ":" + std::to_string(server.port());
  std::printf("motcua is serving %s\n", url.c_str());
  if (manual) {
    std::printf(
        "  TRAINING SYSTEM: the clock is manual, now %s; admins move it with "
        "PUT /v1/admin/clock and POST /v1/admin/clock/advance\n",
        FormatLocal(clock.Now(), kApiUtcOffsetSeconds).c_str());
  }
  if (!service.writable()) {
    std::printf("  WRITES ARE STOPPED (reads are served): %s\n", service.failure().c_str());
  }
  const std::string where =
      rocks ? c.data + "/db" : "PostgreSQL (" + WithoutPassword(c.postgres_dsn) + ")";
  std::printf(
      "  data: %s, files in %s/files   definitions: %s (%zu procedure versions)   tokens: %s\n",
      where.c_str(), c.data.c_str(), c.definitions.c_str(), catalog->set().procedures.size(),
      c.tokens.c_str());
  if (!dev_secret.empty()) {
    std::printf("  development token (shown once; its hash is in %s):\n    %s\n", c.tokens.c_str(),
                dev_secret.c_str());
    std::printf("  try: curl -H 'Authorization: Bearer %s' %s/v1/procedures\n", dev_secret.c_str(),
                url.c_str());
  }
  if (deliverer) {
    std::printf("  outbound delivery: %zu subscriptions from %s (GET %s/v1/admin/subscriptions)\n",
                subscriptions->size(), c.subscriptions.c_str(), url.c_str());
  }
  std::printf("  console: %s/ (staff accounts: motcua account add --accounts %s ...)\n",
              url.c_str(), c.accounts.c_str());
  if (!c.backup.dir.empty() && c.backup.every_minutes > 0) {
    std::printf("  backups: into %s every %d minutes, the last %d kept\n", c.backup.dir.c_str(),
                c.backup.every_minutes, c.backup.keep);
  }
  std::printf("  health: %s/healthz   API: %s/v1/openapi.json   Ctrl-C stops\n", url.c_str(),
              url.c_str());
  std::fflush(stdout);

  // The tokens and accounts files are watched: a token added or revoked (motcua token
  // add|revoke, an edit), an account added, disabled or given a new password, is in force
  // within a second, and open streams whose credential went are closed.
  auto file_stamp = [](const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return std::string("missing");
    return std::to_string(st.st_ino) + ":" + std::to_string(st.st_size) + ":" +
           std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
  };
  auto reload_accounts = [&](const char* why) {
    auto a = http::AccountStore::Load(c.accounts);
    if (a.ok()) {
      MutexLock lock(&live.mu);
      live.accounts = *a;
      std::cerr << "motcua: accounts reloaded (" << why << "): " << (*a)->size() << "\n";
    } else {
      std::cerr << "motcua: accounts not reloaded: " << a.status().message() << "\n";
    }
  };
  auto reload_tokens = [&](const char* why) {
    auto t = http::TokenStore::Load(c.tokens);
    if (t.ok()) {
      MutexLock lock(&live.mu);
      live.tokens = *t;
      std::cerr << "motcua: tokens reloaded (" << why << "): " << (*t)->size() << " active\n";
    } else {
      std::cerr << "motcua: tokens not reloaded: " << t.status().message() << "\n";
    }
  };
  // Open dossiers whose due dates move on the calendars now loaded (an official year loaded in
  // place of a provisional one): one log line, after the start and after each reload. The scan
  // runs on its own thread, and gives up at shutdown.
  std::thread due_scan;
  auto scan_due_dates = [&](std::shared_ptr<const ProcedureCatalog> loaded) {
    if (due_scan.joinable()) due_scan.join();
    due_scan = std::thread([&, loaded = std::move(loaded)] {
      Result<DueChanges> found =
          FindDueChanges(*store, *loaded, [&stopping] { return !stopping.load(); });
      if (stopping.load()) return;
      if (!found.ok()) {
        std::cerr << "motcua: due dates not checked: " << found.status().ToString() << "\n";
        return;
      }
      if (found->changes.empty()) {
        std::cerr << "motcua: due dates of all " << found->open
                  << " open dossiers agree with the calendars loaded\n";
        return;
      }
      std::string first;
      for (size_t i = 0; i < found->changes.size() && i < 3; ++i) {
        first += (i ? "; " : "") + DescribeDueChange(found->changes[i], kApiUtcOffsetSeconds);
      }
      std::cerr << "motcua: due dates of " << found->changes.size() << " of " << found->open
                << " open dossiers change on the calendars loaded (" << first
                << (found->changes.size() > 3 ? "; ..." : "")
                << "): list them with `motcua due-changes " << c.data << " --definitions "
                << c.definitions << "`; an admin recomputes each with the recompute_due command\n";
    });
  };
  scan_due_dates(catalog);
  // Audit checkpoints of the global hash chain: at start, every audit_checkpoint_minutes, and at
  // the stop; each logged, so that a copy of the log keeps them away from the store.
  auto audit_checkpoint = [&] {
    if (!service.writable()) return;
    Result<AuditCheckpoint> cp = WriteAuditCheckpoint(*store, *rows, clock.Now().seconds);
    if (!cp.ok()) {
      std::cerr << "motcua: audit checkpoint failed: " << cp.status().message() << "\n";
    } else if (cp->position > 0) {
      std::cerr << "motcua: audit checkpoint: position " << cp->position << " hash " << cp->hash
                << "\n";
    }
  };
  audit_checkpoint();
  auto last_audit = std::chrono::steady_clock::now();
  std::thread signal_thread([&] {
    std::string stamp = file_stamp(c.tokens);
    std::string accounts_stamp = file_stamp(c.accounts);
    const timespec second{1, 0};
    while (true) {
      int sig = sigtimedwait(&signals, nullptr, &second);
      if (std::chrono::steady_clock::now() - last_audit >=
          std::chrono::minutes(c.audit_checkpoint_minutes)) {
        last_audit = std::chrono::steady_clock::now();
        audit_checkpoint();
      }
      if (sig < 0) {
        if (std::string now = file_stamp(c.tokens); now != stamp) {
          stamp = now;
          reload_tokens("the file changed");
        }
        if (std::string now = file_stamp(c.accounts); now != accounts_stamp) {
          accounts_stamp = now;
          reload_accounts("the file changed");
        }
        continue;
      }
      if (sig == SIGHUP) {
        DefinitionSet fresh = LoadDefinitions(c.definitions);
        if (!fresh.ok()) {
          for (const auto& e : fresh.errors) std::cerr << e.ToString() << "\n";
          std::cerr << "motcua: reload failed; keeping the definitions in use\n";
        } else {
          MutexLock lock(&live.mu);
          live.catalog = std::make_shared<DefinitionCatalog>(std::move(fresh), live.catalog.get());
          service.SetCatalog(live.catalog);
          std::cerr << "motcua: definitions reloaded\n";
          scan_due_dates(live.catalog);
        }
        if (deliverer) {
          MutexLock lock(&live.mu);
          if (auto subs = LoadSubscriptions(c.subscriptions, live.catalog->Agencies())) {
            std::cerr << "motcua: subscriptions reloaded: " << subs->size() << "\n";
            deliverer->Replace(std::move(*subs));
          } else {
            std::cerr << "motcua: keeping the subscriptions in use\n";
          }
        }
        stamp = file_stamp(c.tokens);
        accounts_stamp = file_stamp(c.accounts);
        reload_tokens("SIGHUP");
        reload_accounts("SIGHUP");
        continue;
      }
      std::cerr << "motcua: " << (sig == SIGTERM ? "SIGTERM" : "SIGINT")
                << ": finishing in-flight requests\n";
      stopping = true;
      if (backups)
        backups->Stop();  // a backup being made is abandoned (the next one starts afresh)
      server.Shutdown();
      service.Stop();
      audit_checkpoint();  // the head as the last acknowledged write left it
      // Deliveries in flight are abandoned: sent again from the saved cursor at the next start.
      if (deliverer) deliverer->Stop();
      std::cerr << "motcua: stopped; every acknowledged write is on disk\n";
      return;
    }
  });
  server.Wait();
  if (control.ok()) control->reset();  // the request being served ends first
  blocking.reset();  // the jobs still queued finish while the API they answer through exists
  printer.reset();
  signal_thread.join();
  if (due_scan.joinable()) due_scan.join();
  return 0;
}

}  // namespace motcua::cli
