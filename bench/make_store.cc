// Makes a large store for the scale benchmarks (issue 15 §4): N dossiers of 2.000908 received at
// the four sample communes through the dossier service on RocksDB (group commit, every command
// durable as in production), dossier i taken i % 7 steps along its life: received only, at
// appraisal, at signing, at issue, decided, returned, returned. Every applicant differs.
//
//   make_store --dir PATH [--dossiers N]

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <future>
#include <string>
#include <vector>

#include "adapters/rocksdb/rocks_store.h"
#include "bench/lifecycle.h"
#include "tests/adapters/runtime/service_fixture.h"

using namespace motcua;

namespace {

constexpr size_t kWindow = 2000;

// Command `step` (0 = the reception) of dossier i.
CommandRequest NthCommand(uint64_t i, int step, const std::string& id) {
  return bench::LifecycleStep(step, id, std::to_string(i), bench::kCommunes[i % 4], i,
                              "Nguyễn Văn " + std::to_string(i));
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir;
  uint64_t n = 1'000'000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--dir")) dir = argv[i + 1];
    if (!std::strcmp(argv[i], "--dossiers")) n = std::strtoull(argv[i + 1], nullptr, 10);
  }
  if (dir.empty()) {
    std::fprintf(stderr, "usage: make_store --dir PATH [--dossiers N]\n");
    return 2;
  }
  auto store = RocksStore::Open(dir);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    return 1;
  }
  ServiceHarness h(store->get());
  if (!h.started.ok()) return 1;
  const auto t0 = std::chrono::steady_clock::now();
  uint64_t commands = 0;
  for (uint64_t start = 0; start < n; start += kWindow) {
    const uint64_t end = std::min<uint64_t>(n, start + kWindow);
    std::vector<std::string> ids(end - start);
    for (int step = 0; step <= 5; ++step) {
      std::vector<std::pair<uint64_t, std::future<CommandResult>>> inflight;
      for (uint64_t i = start; i < end; ++i) {
        if (step > std::min<int>(static_cast<int>(i % 7), 5)) continue;
        inflight.emplace_back(i, h.service.Submit(NthCommand(i, step, ids[i - start])));
      }
      for (auto& [i, f] : inflight) {
        CommandResult r = f.get();
        if (!r.accepted()) {
          std::fprintf(stderr, "dossier %llu step %d: %s %s\n", static_cast<unsigned long long>(i),
                       step, r.status.ToString().c_str(),
                       r.rejection ? r.rejection->message.c_str() : "");
          return 1;
        }
        if (step == 0) ids[i - start] = r.dossier->id;
        ++commands;
      }
    }
    if ((end / kWindow) % 50 == 0) {
      std::fprintf(stderr, "%llu dossiers\n", static_cast<unsigned long long>(end));
    }
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("made %llu dossiers (%llu durable commands) in %.0f s (%.0f commands/s) in %s\n",
              static_cast<unsigned long long>(n), static_cast<unsigned long long>(commands), s,
              commands / s, dir.c_str());
  h.service.Stop();
  return 0;
}
