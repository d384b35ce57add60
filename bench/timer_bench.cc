// A burst of due timers on RocksDB (issue 15 §4): N dossiers received at 09:00 (2.000908: a
// receive-step timer at 11:00 and the dossier's at 17:00), then the clock jumps to 17:00, the
// way a service started in the morning after a night's downtime (or 17:00 itself) meets them:
// 2N timers due at once. FireDueTimers fires them round after round through the group commit
// while a few submitters keep receiving dossiers; it reports how long the burst took (the last
// timer's lag), timers a second, and the ordinary commands' latency during the burst against the
// same submitters before it. bench/README.md has results.
//
//   timer_bench [--dossiers N] [--submitters N] [--round N] [--dir PATH]

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <future>
#include <thread>
#include <vector>

#include "adapters/rocksdb/rocks_store.h"
#include "tests/adapters/runtime/service_fixture.h"
#include "tests/engine/batch/fixtures.h"

using namespace motcua;
using Steady = std::chrono::steady_clock;

namespace {

double Ms(Steady::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
}

// Receptions from `submitters` threads, one at a time each, until `stop`; their latencies.
std::vector<double> Load(DossierService& service, int submitters, const std::atomic<bool>& stop) {
  std::vector<std::vector<double>> per(submitters);
  std::vector<std::thread> threads;
  for (int i = 0; i < submitters; ++i) {
    threads.emplace_back([&, i] {
      while (!stop.load()) {
        const auto t0 = Steady::now();
        CommandResult r = service.Execute(ReceiveCopy(kCommuneA));
        if (!r.accepted()) {
          std::fprintf(stderr, "a reception failed: %s\n", r.status.ToString().c_str());
          return;
        }
        per[i].push_back(Ms(Steady::now() - t0));
      }
    });
  }
  for (auto& t : threads) t.join();
  std::vector<double> all;
  for (auto& v : per) all.insert(all.end(), v.begin(), v.end());
  return all;
}

}  // namespace

int main(int argc, char** argv) {
  int dossiers = 50000;
  int submitters = 4;
  std::string dir = "/tmp/motcua-timer-bench";
  ServiceOptions options;
  options.run_timers = false;  // the bench fires
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--dossiers")) dossiers = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--submitters")) submitters = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--dir")) dir = argv[i + 1];
    if (!std::strcmp(argv[i], "--round")) options.timer_round = std::atoi(argv[i + 1]);
  }
  std::filesystem::remove_all(dir);
  auto store = RocksStore::Open(dir);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    return 1;
  }
  const Instant morning = *ParseLocalDateTime("2026-03-02T09:00", 7 * 3600);
  ServiceHarness h(store->get(), {.service = options, .start = morning});
  if (!h.started.ok()) return 1;

  // N dossiers, a window of receptions in flight at a time (the group commit batches them).
  const auto c0 = Steady::now();
  std::vector<std::future<CommandResult>> window;
  for (int i = 0; i < dossiers; ++i) {
    window.push_back(h.service.Submit(ReceiveCopy(kCommuneA)));
    if (window.size() == 2000 || i + 1 == dossiers) {
      for (auto& f : window) {
        if (!f.get().accepted()) return 1;
      }
      window.clear();
    }
  }
  std::printf("created %d dossiers in %.1f s\n", dossiers, Ms(Steady::now() - c0) / 1000);

  // The submitters alone, 3 s, before the burst (same clock time: nothing due yet).
  std::atomic<bool> stop{false};
  auto before_f = std::async(std::launch::async, [&] { return Load(h.service, submitters, stop); });
  std::this_thread::sleep_for(std::chrono::seconds(3));
  stop = true;
  std::vector<double> before = before_f.get();
  const double before_rate = before.size() / 3.0;

  // 17:00: every dossier's two timers are due. Fire them with the submitters running.
  h.clock.Set(*ParseLocalDateTime("2026-03-02T17:00", 7 * 3600));
  stop = false;
  auto during_f = std::async(std::launch::async, [&] { return Load(h.service, submitters, stop); });
  const auto f0 = Steady::now();
  Result<size_t> fired = h.service.FireDueTimers();
  const double burst_s = Ms(Steady::now() - f0) / 1000;
  stop = true;
  std::vector<double> during = during_f.get();
  if (!fired.ok()) {
    std::fprintf(stderr, "%s\n", fired.status().ToString().c_str());
    return 1;
  }
  Result<std::vector<DueTimer>> left = (*store)->DueTimers(h.clock.Now(), 10);
  std::printf(
      "rounds of %zu; burst: %zu timers fired in %.2f s (%.0f timers/s), %zu left due; the last "
      "timer's "
      "lag %.2f s\n",
      options.timer_round, *fired, burst_s, *fired / burst_s, left.ok() ? left->size() : 0,
      burst_s);
  std::printf(
      "receptions from %d submitters: before %.0f/s p50 %.2f ms p99 %.2f ms; during the "
      "burst %.0f/s p50 %.2f ms p99 %.2f ms\n",
      submitters, before_rate, Percentile(before, 0.5), Percentile(before, 0.99),
      during.size() / burst_s, Percentile(during, 0.5), Percentile(during, 0.99));
  h.service.Stop();
  std::error_code ignored;  // RocksDB may still be deleting obsolete files
  std::filesystem::remove_all(dir, ignored);
  return 0;
}
