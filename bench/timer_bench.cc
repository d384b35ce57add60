// A burst of due timers on RocksDB (issue 15 §4): N dossiers received at 09:00 (2.000908: a
// receive-step timer at 11:00 and the dossier's at 17:00), then the clock jumps to 17:00, the
// way a service started in the morning after a night's downtime (or 17:00 itself) meets them:
// 2N timers due at once. FireDueTimers fires them round after round through the group commit
// while a few submitters keep receiving dossiers; it reports how long the burst took (the last
// timer's lag), timers a second, and the ordinary commands' latency during the burst against the
// same submitters before it. bench/README.md has results.
//
// With --spread S, the deadlines come due one after another instead: the N dossiers are received
// over S seconds from 09:00, so their receive-step timers fall due over S seconds from 11:00. The
// clock then runs in real time from a few seconds before 11:00, the service's own timer loop
// (polling every --poll ms) fires them while the submitters keep receiving, and the bench reports
// each timer's lag behind its instant (p50, p99, max) and the receptions' latency meanwhile.
//
//   timer_bench [--dossiers N] [--submitters N] [--round N] [--dir PATH]
//               [--spread SECONDS [--poll MS]]

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
#include "engine/common/mutex.h"
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

// The --spread run (above): every receive-step timer's lag behind its instant, in ms.
int Spread(RocksStore& store, int dossiers, int submitters, int spread, ServiceOptions options) {
  const Instant morning = *ParseLocalDateTime("2026-03-02T09:00", 7 * 3600);
  const Instant first_due = *ParseLocalDateTime("2026-03-02T11:00", 7 * 3600);
  options.run_timers = true;  // the service's own timer loop fires them
  ServiceHarness h(&store, {.service = options, .start = morning});
  if (!h.started.ok()) return 1;
  // Each second of the window receives its share: their timers come due that second after 11:00.
  const auto c0 = Steady::now();
  for (int second = 0; second < spread; ++second) {
    h.clock.Set(Instant{morning.seconds + second});
    const int n = dossiers / spread + (second < dossiers % spread ? 1 : 0);
    std::vector<std::future<CommandResult>> window;
    for (int i = 0; i < n; ++i) window.push_back(h.service.Submit(ReceiveCopy(kCommuneA)));
    for (auto& f : window) {
      if (!f.get().accepted()) return 1;
    }
  }
  std::printf("created %d dossiers in %.1f s; %d step deadlines a second for %d s from 11:00\n",
              dossiers, Ms(Steady::now() - c0) / 1000, dossiers / spread, spread);
  // Each fired step timer's lag: the real time of its commit against its instant on a clock that
  // runs in real time from `lead` seconds before 11:00.
  constexpr int kLead = 3;
  const Instant base{first_due.seconds - kLead};
  std::atomic<int64_t> start_ns{0};
  Mutex mu;
  std::vector<double> lags;
  h.service.OnCommitEvents([&](std::shared_ptr<const CommittedEvents> committed) {
    const double now_ms =
        (Steady::now().time_since_epoch().count() - start_ns.load()) / 1e6;  // since `base`
    MutexLock lock(&mu);
    for (const CommittedEvents::Change& c : committed->changes) {
      for (const Event& e : c.events) {
        if (e.type == EventType::kTimerFired && e.fired && e.fired->kind == TimerKind::kStepDue) {
          lags.push_back(now_ms - (e.fired->at.seconds - base.seconds) * 1000.0);
        }
      }
    }
  });
  std::atomic<bool> ticking{true};
  start_ns = Steady::now().time_since_epoch().count();
  h.clock.Set(base);
  std::thread ticker([&] {
    while (ticking.load()) {
      const int64_t elapsed_s =
          (Steady::now().time_since_epoch().count() - start_ns.load()) / 1000000000;
      h.clock.Set(Instant{base.seconds + elapsed_s});
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  });
  std::atomic<bool> stop{false};
  auto during_f = std::async(std::launch::async, [&] { return Load(h.service, submitters, stop); });
  const auto until = Steady::now() + std::chrono::seconds(kLead + spread + 30);
  size_t fired = 0;
  while (Steady::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    MutexLock lock(&mu);
    fired = lags.size();
    if (fired >= static_cast<size_t>(dossiers)) break;
  }
  const auto l0 = Steady::now();
  stop = true;
  std::vector<double> during = during_f.get();
  ticking = false;
  ticker.join();
  h.service.Stop();
  MutexLock lock(&mu);
  std::printf(
      "poll %d ms, rounds of %zu: %zu of %d step timers fired; lag behind the instant p50 %.0f ms "
      "p99 %.0f ms max %.0f ms\n",
      options.timer_poll_ms, options.timer_round, lags.size(), dossiers, Percentile(lags, 0.5),
      Percentile(lags, 0.99), lags.empty() ? 0 : *std::max_element(lags.begin(), lags.end()));
  const double window_s = kLead + spread + Ms(Steady::now() - l0) / 1000;
  std::printf(
      "receptions from %d submitters meanwhile: %zu (about %.0f/s) p50 %.2f ms p99 %.2f ms\n",
      submitters, during.size(), during.size() / window_s, Percentile(during, 0.5),
      Percentile(during, 0.99));
  return lags.size() == static_cast<size_t>(dossiers) ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  int dossiers = 50000;
  int submitters = 4;
  std::string dir = "/tmp/motcua-timer-bench";
  ServiceOptions options;
  options.run_timers = false;  // the bench fires
  int spread = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--spread")) spread = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--poll")) options.timer_poll_ms = std::atoi(argv[i + 1]);
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
  if (spread > 0) {
    const int rc = Spread(**store, dossiers, submitters, spread, options);
    store->reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
    return rc;
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
