// Kill -9 at random moments, many times: after every restart each acknowledged command is
// present, every history replays to its record, indexes are consistent, dossier numbers are
// unique, and idempotent retries create no second dossier. Bounded to well under a minute.
// On both stores: RocksDB in a directory, and PostgreSQL (a server the test starts), where some
// rounds also crash the database server under the writes (pg_ctl -m immediate) and let the child
// take its writes up again before it is killed.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "adapters/rocksdb/rocks_store.h"
#include "adapters/runtime/dossier_service.h"
#include "adapters/yaml/definition_loader.h"
#include "engine/definition/catalog.h"
#include "engine/store/verify.h"
#include "tests/adapters/postgres/pg_test_server.h"
#include "tests/engine/batch/fixtures.h"

namespace motcua {
namespace {

constexpr int kRounds = 12;
constexpr int kThreads = 6;

struct Child {
  pid_t pid = -1;
  int out = -1;
};

// Where the child writes, and how the test opens it after each round.
struct Target {
  std::string spec;  // the child's first argument: a directory or postgres:<dsn>
  // Opens the store (for writing: the child's lock may take a moment to go with it).
  std::function<Result<std::unique_ptr<Store>>()> open;
  // Crashes and restarts the database server under the child (null: none to crash).
  std::function<void()> crash_database;
};

Child Spawn(const std::string& data, int round) {
  int fds[2];
  EXPECT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], 1);
    close(fds[0]);
    close(fds[1]);
    const std::string defs = std::string(MOTCUA_SOURCE_DIR) + "/definitions";
    const std::string threads = std::to_string(kThreads), run = std::to_string(round);
    execl(CRASH_CHILD_PATH, "crash_child", data.c_str(), defs.c_str(), threads.c_str(), run.c_str(),
          nullptr);
    _exit(127);
  }
  close(fds[1]);
  return Child{pid, fds[0]};
}

std::string ReadAll(int fd) {
  std::string s;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) s.append(buf, static_cast<size_t>(n));
  close(fd);
  return s;
}

void KillNineLosesNothingAcknowledged(const Target& target) {
  const std::string& data = target.spec;
  std::mt19937 rng(12345);
  size_t database_crashes = 0;
  std::map<std::string, std::pair<std::string, int64_t>> acked;  // key → (id, version)
  std::set<std::string> sent;
  size_t total_acks = 0;

  for (int round = 0; round < kRounds; ++round) {
    Child c = Spawn(data, round);
    // Wait for READY, then let it run a random while and kill it mid-write.
    std::string out;
    char ch;
    while (out.find("READY\n") == std::string::npos && read(c.out, &ch, 1) == 1) out += ch;
    std::this_thread::sleep_for(std::chrono::milliseconds(100 + rng() % 400));
    if (target.crash_database && round % 3 == 1) {
      // The database crashes under the writes; the child takes them up again once it is back.
      target.crash_database();
      ++database_crashes;
      std::this_thread::sleep_for(std::chrono::milliseconds(1000 + rng() % 400));
    }
    kill(c.pid, SIGKILL);
    out += ReadAll(c.out);
    int status = 0;
    waitpid(c.pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "child ended on its own; output:\n" << out;

    std::istringstream lines(out);
    for (std::string line; std::getline(lines, line);) {
      std::istringstream w(line);
      std::string verb, key, id;
      int64_t version = 0;
      w >> verb >> key;
      if (verb == "SEND") sent.insert(key);
      if (verb == "ACK" && (w >> id >> version)) {
        acked[key] = {id, version};
        ++total_acks;
      }
    }

    // Restart: everything acknowledged is there, and the store is consistent.
    auto store = target.open();
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    for (const auto& [key, idv] : acked) {
      auto rec = (*store)->Idempotency(key);
      ASSERT_TRUE(rec.ok() && rec->has_value()) << "acknowledged " << key << " is lost";
      EXPECT_EQ((*rec)->dossier_id, idv.first);
      auto d = (*store)->Get(idv.first);
      ASSERT_TRUE(d.ok() && d->has_value()) << "dossier of " << key << " is lost";
      EXPECT_GE((*d)->version, idv.second);
    }
    auto report = VerifyStore(**store);
    ASSERT_TRUE(report.ok());
    for (const auto& p : report->problems) ADD_FAILURE() << "round " << round << ": " << p;
  }
  EXPECT_GT(total_acks, 100u) << "the child made too little progress to test anything";
  std::printf("crash test: %d kills, %zu database crashes, %zu acknowledged commands, %zu sent\n",
              kRounds, database_crashes, total_acks, sent.size());

  // Retry every receive that was sent, acknowledged or not, with its key: no second dossier.
  {
    auto store = target.open();
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    DefinitionSet set = LoadDefinitions(std::string(MOTCUA_SOURCE_DIR) + "/definitions");
    auto catalog = std::make_shared<DefinitionCatalog>(std::move(set), nullptr);
    ManualClock clock(*ParseLocalDateTime("2026-03-02T10:00", 7 * 3600));
    RandomIdSource ids(&clock);
    ServiceOptions options;
    options.run_timers = false;
    DossierService service(store->get(), catalog, &clock, &ids, options);
    ASSERT_TRUE(service.Start().ok());
    for (const std::string& key : sent) {
      if (key[0] != 'r') continue;
      auto t = key.substr(key.find('-') + 1);
      CommandRequest r;
      r.command.type = CommandType::kReceive;
      r.command.actor = Actor{"cb" + t.substr(0, t.find('-')), {"counter"}};
      r.command.procedure_code = "2.000908";
      r.command.receiving_agency = kShippedCommunes[std::stoi(t.substr(0, t.find('-'))) % 3];
      r.command.applicant.name = key;
      r.command.applicant.id_number = "001090012345";
      r.command.documents = {{"identity_paper", 1}};
      r.idempotency_key = key;
      r.payload_hash = 1;
      CommandResult first = service.Execute(r);
      ASSERT_TRUE(first.accepted()) << first.status.ToString();
      if (acked.count(key)) {
        EXPECT_TRUE(first.replayed) << key << " was acknowledged: a retry must be a replay";
        EXPECT_EQ(first.dossier->id, acked[key].first);
      }
      CommandResult again = service.Execute(r);
      EXPECT_TRUE(again.replayed);
      EXPECT_EQ(again.dossier->id, first.dossier->id);
    }
    service.Stop();
    // Each dossier belongs to exactly one key (its applicant name), and that key's record
    // points back at it: two dossiers for one key would fail here.
    std::string after;
    size_t dossiers = 0;
    while (true) {
      auto page = (*store)->Ids(after, 1000);
      ASSERT_TRUE(page.ok());
      for (const auto& id : *page) {
        ++dossiers;
        auto d = (*store)->Get(id);
        auto rec = (*store)->Idempotency((*d)->applicant.name);
        ASSERT_TRUE(rec.ok() && rec->has_value()) << id;
        EXPECT_EQ((*rec)->dossier_id, id) << "key " << (*d)->applicant.name << " has two dossiers";
      }
      if (page->size() < 1000) break;
      after = page->back();
    }
    EXPECT_GE(dossiers, acked.size() / 2);
    auto report = VerifyStore(**store);
    ASSERT_TRUE(report.ok());
    EXPECT_TRUE(report->ok());
  }
}

TEST(CrashTest, KillNineLosesNothingAcknowledged) {
  const std::string data = ::testing::TempDir() + "/motcua-crash-" + std::to_string(getpid());
  std::filesystem::remove_all(data);
  KillNineLosesNothingAcknowledged(Target{data,
                                          [&]() -> Result<std::unique_ptr<Store>> {
                                            ASSIGN_OR_RETURN(std::unique_ptr<RocksStore> s,
                                                             RocksStore::Open(data));
                                            return std::unique_ptr<Store>(std::move(s));
                                          },
                                          nullptr});
  std::filesystem::remove_all(data);
}

TEST(CrashTest, OnPostgresKillNineAndDatabaseCrashesLoseNothingAcknowledged) {
  std::string error;
  std::unique_ptr<testing::TempPostgres> pg = testing::TempPostgres::Start(&error);
  ASSERT_TRUE(pg) << error;
  ASSERT_TRUE(pg->Psql("CREATE DATABASE crash", &error)) << error;
  const std::string dsn = pg->Dsn("crash");
  KillNineLosesNothingAcknowledged(Target{"postgres:" + dsn,
                                          [&]() -> Result<std::unique_ptr<Store>> {
                                            // The killed child's session, and its lock, end as soon
                                            // as the server sees it gone.
                                            ASSIGN_OR_RETURN(std::unique_ptr<PgStore> s,
                                                             testing::OpenWhenUnlocked(dsn));
                                            return std::unique_ptr<Store>(std::move(s));
                                          },
                                          [&] {
                                            std::string why;
                                            ASSERT_TRUE(pg->Crash(&why)) << why;
                                          }});
}

}  // namespace
}  // namespace motcua
