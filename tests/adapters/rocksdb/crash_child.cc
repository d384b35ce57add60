// The child process of crash_test: applies commands to a RocksDB store from several threads
// until it is killed, printing "SEND <key>" before and "ACK <key> <id> <version>" after each
// acknowledged command (one write(2) per line, so lines are never torn).
//
//   crash_child <data-dir> <definitions-dir> <threads> <run>

#include <unistd.h>

#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "adapters/rocksdb/rocks_store.h"
#include "tests/adapters/runtime/service_fixture.h"

using namespace motcua;

namespace {

void Line(const std::string& s) {
  std::string l = s + "\n";
  ssize_t n = write(1, l.data(), l.size());
  (void)n;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) return 2;
  const std::string data = argv[1], defs = argv[2];
  const int threads = std::stoi(argv[3]);
  const std::string run = argv[4];
  auto store = RocksStore::Open(data);
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
        CommandResult res = service.Execute(r);
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
        res = service.Execute(f);
        if (!res.accepted()) return;
        Line("ACK " + fkey + " " + res.dossier->id + " " + std::to_string(res.dossier->version));
      }
    });
  }
  for (auto& w : workers) w.join();
  return 0;
}
