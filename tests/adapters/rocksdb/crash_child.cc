// The child process of crash_test: applies commands to a store from several threads until it is
// killed, printing "SEND <key>" before and "ACK <key> <id> <version>" after each acknowledged
// command (one write(2) per line, so lines are never torn). A command refused for now (the
// PostgreSQL server crashed under it) is sent again with its key until it is answered.
//
//   crash_child <data-dir | postgres:<dsn>> <definitions-dir> <threads> <run>

#include <unistd.h>

#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "adapters/rocksdb/rocks_store.h"
#include "tests/adapters/postgres/pg_test_server.h"
#include "tests/adapters/runtime/service_fixture.h"

using namespace motcua;

namespace {

void Line(const std::string& s) {
  std::string l = s + "\n";
  ssize_t n = write(1, l.data(), l.size());
  (void)n;
}

Result<std::unique_ptr<Store>> OpenStore(const std::string& where) {
  if (where.rfind("postgres:", 0) == 0) {
    // The test's own session on the database may take a moment to end, and its lock with it.
    ASSIGN_OR_RETURN(std::unique_ptr<PgStore> s,
                     motcua::testing::OpenWhenUnlocked(where.substr(9)));
    return std::unique_ptr<Store>(std::move(s));
  }
  ASSIGN_OR_RETURN(std::unique_ptr<RocksStore> s, RocksStore::Open(where));
  return std::unique_ptr<Store>(std::move(s));
}

// Until the command is answered: a refusal for now (kUnavailable) is sent again after a while.
CommandResult Execute(DossierService& service, const CommandRequest& r) {
  while (true) {
    CommandResult res = service.Execute(r);
    if (res.accepted() || res.status.code() != StatusCode::kUnavailable) return res;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) return 2;
  const std::string data = argv[1], defs = argv[2];
  const int threads = std::stoi(argv[3]);
  const std::string run = argv[4];
  auto store = OpenStore(data);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    return 1;
  }
  ServiceHarness harness(store->get(), {.definitions = defs});
  if (!harness.started.ok() || !harness.catalog->set().ok()) return 1;
  DossierService& service = harness.service;
  Line("READY");
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (int j = 0;; ++j) {
        const std::string rkey = "r" + run + "-" + std::to_string(t) + "-" + std::to_string(j);
        CommandRequest r;
        r.command.type = CommandType::kReceive;
        r.command.actor = Actor{"cb" + std::to_string(t), {"counter"}};
        r.command.procedure_code = "2.000908";
        r.command.receiving_agency = kShippedCommunes[t % 3];
        r.command.applicant.name = rkey;  // lets the checker tie each dossier to its key
        r.command.applicant.id_number = "001090012345";
        r.command.documents = {{"identity_paper", 1}};
        r.idempotency_key = rkey;
        r.payload_hash = 1;
        Line("SEND " + rkey);
        CommandResult res = Execute(service, r);
        if (!res.accepted()) return;
        Line("ACK " + rkey + " " + res.dossier->id + " " + std::to_string(res.dossier->version));
        const std::string fkey = "f" + run + "-" + std::to_string(t) + "-" + std::to_string(j);
        CommandRequest f;
        f.command.type = CommandType::kAct;
        f.command.dossier_id = res.dossier->id;
        f.command.action_id = "forward";
        f.command.actor = Actor{"cb" + std::to_string(t), {"counter"}};
        f.idempotency_key = fkey;
        f.payload_hash = 2;
        Line("SEND " + fkey);
        res = Execute(service, f);
        if (!res.accepted()) return;
        Line("ACK " + fkey + " " + res.dossier->id + " " + std::to_string(res.dossier->version));
      }
    });
  }
  for (auto& w : workers) w.join();
  return 0;
}
