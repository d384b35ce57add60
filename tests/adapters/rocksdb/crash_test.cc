// Kill -9 at random moments, many times: after every restart each acknowledged command is
// present, every history replays to its record, indexes are consistent, dossier numbers are
// unique, and idempotent retries create no second dossier. Bounded to well under a minute.

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
#include "tests/engine/batch/fixtures.h"

namespace motcua {
namespace {

constexpr int kRounds = 12;
constexpr int kThreads = 6;

struct Child {
  pid_t pid = -1;
  int out = -1;
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

TEST(CrashTest, KillNineLosesNothingAcknowledged) {
  const std::string data = ::testing::TempDir() + "/motcua-crash-" + std::to_string(getpid());
  std::filesystem::remove_all(data);
  std::mt19937 rng(12345);
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
    auto store = RocksStore::Open(data);
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
  std::printf("crash test: %d kills, %zu acknowledged commands, %zu sent\n", kRounds, total_acks,
              sent.size());

  // Retry every receive that was sent, acknowledged or not, with its key: no second dossier.
  {
    auto store = RocksStore::Open(data);
    ASSERT_TRUE(store.ok());
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
  std::filesystem::remove_all(data);
}

}  // namespace
}  // namespace motcua
