// Durable dossier commands per second through the engine (group commit on RocksDB), with
// p50/p99 latency, for 1, 8 and 64 concurrent submitters; next to the raw-RocksDB baseline
// (synced WriteBatches from 32 threads) measured in the same run. bench/README.md has results.
//
//   engine_bench [--seconds N] [--dir PATH] [--submitters N] [--drivers N] [--raw 0|1]
//                [--pattern lifecycle|receive-forward] [--store postgres:<dsn>]
//
// Every command is a durable transition (dossier record, history event, index entries, outbox
// entry, idempotency record, and for receptions the number counter, in one batch). Submitters
// are either one blocking thread each (--drivers 0) or state machines on a few driver threads
// (--drivers 2, the way the HTTP server's io threads carry connections); the default runs both.

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <thread>
#include <vector>

#include "adapters/postgres/pg_store.h"
#include "adapters/rocksdb/rocks_store.h"
#include "bench/lifecycle.h"
#include "tests/adapters/runtime/service_fixture.h"

using namespace motcua;
using Clock_ = std::chrono::steady_clock;

namespace {

struct Result_ {
  double per_second = 0;
  double p50_ms = 0, p99_ms = 0;
  double mean_batch = 0;
  double cpu_us = 0;  // process CPU time (user + system, all threads) per command
  uint64_t count = 0;
};

double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// What every submitter repeats. `lifecycle`: the whole life of a 2.000908 dossier, six durable
// transitions (receive at the counter, forward through appraise and sign, issue, return the
// result), as the HTTP write mix does. `receive-forward`: receive, forward once, again and again
// (half of all commands are receptions, the most index-heavy pattern).
enum class Pattern { kLifecycle, kReceiveForward };
Pattern pattern = Pattern::kLifecycle;

size_t CommandsPerDossier() { return pattern == Pattern::kLifecycle ? 6 : 2; }

// Command `step` (0 = the reception) of submitter t's j-th dossier `id`.
CommandRequest NextCommand(int t, uint64_t j, size_t step, const std::string& id) {
  return bench::LifecycleStep(step, id, std::to_string(t) + "-" + std::to_string(j),
                              bench::kCommunes[t % 4], t * 10'000'000ull + j);
}

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  size_t i = static_cast<size_t>(p * (v.size() - 1));
  std::nth_element(v.begin(), v.begin() + i, v.end());
  return v[i];
}

// Rate, latency percentiles and CPU a command of a run's latencies (one list per submitter).
Result_ Summarize(const std::vector<std::vector<double>>& latencies, double elapsed, double cpu) {
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  Result_ r;
  r.count = all.size();
  r.per_second = all.size() / elapsed;
  r.p50_ms = Percentile(all, 0.50);
  r.p99_ms = Percentile(all, 0.99);
  r.cpu_us = cpu * 1e6 / std::max<size_t>(1, all.size());
  return r;
}

// A new, empty store for a run: RocksDB in `dir`, or with `pg_dsn` PostgreSQL (the database's
// public schema dropped and made again).
std::unique_ptr<Store> FreshStore(const std::string& dir, const std::string& pg_dsn) {
  Result<std::unique_ptr<Store>> store = [&]() -> Result<std::unique_ptr<Store>> {
    if (!pg_dsn.empty()) {
      ASSIGN_OR_RETURN(std::unique_ptr<pg::Conn> c, pg::Conn::Open(pg_dsn));
      RETURN_IF_ERROR(c->Script("DROP SCHEMA public CASCADE; CREATE SCHEMA public"));
      PgStoreOptions o;
      o.dsn = pg_dsn;
      ASSIGN_OR_RETURN(std::unique_ptr<PgStore> s, PgStore::Open(o));
      return std::unique_ptr<Store>(std::move(s));
    }
    std::filesystem::remove_all(dir);
    ASSIGN_OR_RETURN(std::unique_ptr<RocksStore> s, RocksStore::Open(dir));
    return std::unique_ptr<Store>(std::move(s));
  }();
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(*store);
}

Result_ RunEngine(const std::string& dir, const std::string& pg_dsn, int submitters, int drivers,
                  double seconds) {
  std::unique_ptr<Store> store = FreshStore(dir, pg_dsn);
  auto harness = std::make_unique<ServiceHarness>(store.get());
  if (!harness->started.ok()) std::exit(1);
  DossierService& service = harness->service;

  std::atomic<bool> stop{false};
  std::vector<std::vector<double>> latencies(submitters);
  const double cpu0 = CpuSeconds();
  const auto start = Clock_::now();
  if (drivers == 0) {
    // One blocking thread per submitter.
    std::vector<std::thread> threads;
    for (int t = 0; t < submitters; ++t) {
      threads.emplace_back([&, t] {
        auto& lat = latencies[t];
        lat.reserve(200000);
        for (uint64_t j = 0; !stop.load(std::memory_order_relaxed); ++j) {
          std::string id;
          for (size_t step = 0; step < CommandsPerDossier(); ++step) {
            const auto t0 = Clock_::now();
            CommandResult res = service.Execute(NextCommand(t, j, step, id));
            const auto t1 = Clock_::now();
            if (!res.accepted()) std::abort();
            lat.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
            id = res.dossier->id;
          }
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    stop = true;
    for (auto& th : threads) th.join();
  } else {
    // Submitters as state machines on a few driver threads, the way the HTTP server's io
    // threads carry many connections: a completion is queued to the submitter's driver, which
    // records it and submits that submitter's next command.
    struct Done {
      int submitter;
      CommandResult result;
    };
    struct Driver {
      std::mutex mu;
      std::condition_variable cv;
      std::vector<Done> done;
    };
    std::vector<Driver> ds(drivers);
    std::vector<uint64_t> round(submitters, 0);
    std::vector<size_t> step(submitters, 0);
    std::vector<Clock_::time_point> sent(submitters);
    std::vector<std::thread> threads;
    for (int d = 0; d < drivers; ++d) {
      threads.emplace_back([&, d] {
        Driver& me = ds[d];
        auto submit = [&](int t, CommandRequest r) {
          sent[t] = Clock_::now();
          service.SubmitAsync(std::move(r), [&me, t](CommandResult res) {
            bool wake;
            {
              std::lock_guard lock(me.mu);
              wake = me.done.empty();
              me.done.push_back(Done{t, std::move(res)});
            }
            if (wake) me.cv.notify_one();
          });
        };
        int outstanding = 0;
        for (int t = d; t < submitters; t += drivers) {
          latencies[t].reserve(200000);
          submit(t, NextCommand(t, 0, 0, ""));
          ++outstanding;
        }
        std::vector<Done> batch;
        while (outstanding > 0) {
          {
            std::unique_lock lock(me.mu);
            me.cv.wait(lock, [&] { return !me.done.empty(); });
            batch.swap(me.done);
          }
          const auto now = Clock_::now();
          const bool stopping = stop.load(std::memory_order_relaxed);
          for (Done& x : batch) {
            const int t = x.submitter;
            if (!x.result.accepted()) std::abort();
            latencies[t].push_back(
                std::chrono::duration<double, std::milli>(now - sent[t]).count());
            --outstanding;
            if (stopping) continue;
            ++outstanding;
            if (++step[t] == CommandsPerDossier()) {
              step[t] = 0;
              ++round[t];
            }
            submit(t, NextCommand(t, round[t], step[t], x.result.dossier->id));
          }
          batch.clear();
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    stop = true;
    for (auto& th : threads) th.join();
  }
  const double elapsed = std::chrono::duration<double>(Clock_::now() - start).count();
  const double cpu = CpuSeconds() - cpu0;
  service.Stop();
  Result_ r = Summarize(latencies, elapsed, cpu);
  r.mean_batch =
      service.stats().batches ? double(service.stats().commands) / service.stats().batches : 0;
  std::fprintf(
      stderr, "  [%d submitters] batches %llu, commit %.1f us/batch, process %.1f us/command\n",
      submitters, (unsigned long long)service.stats().batches.load(),
      double(service.stats().sync_micros) / std::max<uint64_t>(1, service.stats().batches),
      double(service.stats().process_micros) / std::max<uint64_t>(1, service.stats().commands));
  harness.reset();
  store.reset();
  std::filesystem::remove_all(dir);
  return r;
}

// Baseline: synced WriteBatches (a dossier-sized record + an event + an index entry) from
// `threads` threads straight into RocksDB, which groups concurrent synced writers itself.
Result_ RunRaw(const std::string& dir, int threads_n, double seconds) {
  std::filesystem::remove_all(dir);
  rocksdb::Options o;
  o.create_if_missing = true;
  rocksdb::DB* db = nullptr;
  if (!rocksdb::DB::Open(o, dir, &db).ok()) std::exit(1);
  std::atomic<bool> stop{false};
  std::vector<std::vector<double>> latencies(threads_n);
  std::vector<std::thread> threads;
  const std::string value(600, 'x');
  const double cpu0 = CpuSeconds();
  const auto start = Clock_::now();
  for (int t = 0; t < threads_n; ++t) {
    threads.emplace_back([&, t] {
      rocksdb::WriteOptions wo;
      wo.sync = true;
      for (uint64_t j = 0; !stop.load(std::memory_order_relaxed); ++j) {
        rocksdb::WriteBatch b;
        const std::string k = std::to_string(t) + "-" + std::to_string(j);
        b.Put("d" + k, value);
        b.Put("h" + k, value);
        b.Put("i" + k, "");
        auto t0 = Clock_::now();
        if (!db->Write(wo, &b).ok()) std::abort();
        latencies[t].push_back(
            std::chrono::duration<double, std::milli>(Clock_::now() - t0).count());
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& th : threads) th.join();
  const double elapsed = std::chrono::duration<double>(Clock_::now() - start).count();
  const double cpu = CpuSeconds() - cpu0;
  delete db;
  Result_ r = Summarize(latencies, elapsed, cpu);
  std::filesystem::remove_all(dir);
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 5;
  std::string dir = "/tmp/motcua-engine-bench";
  std::vector<int> submitters = {1, 8, 64};
  std::vector<int> drivers = {0, 2};  // 0: a thread per submitter; n: n driver threads
  bool raw_baseline = true;
  std::string pg_dsn;  // --store postgres:<dsn>: the engine on the PostgreSQL store
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--store") && !std::strncmp(argv[i + 1], "postgres:", 9)) {
      pg_dsn = argv[i + 1] + 9;
    }
    if (!std::strcmp(argv[i], "--seconds")) seconds = std::atof(argv[i + 1]);
    if (!std::strcmp(argv[i], "--dir")) dir = argv[i + 1];
    if (!std::strcmp(argv[i], "--submitters")) submitters = {std::atoi(argv[i + 1])};
    if (!std::strcmp(argv[i], "--drivers")) drivers = {std::atoi(argv[i + 1])};
    if (!std::strcmp(argv[i], "--raw")) raw_baseline = std::atoi(argv[i + 1]) != 0;
    if (!std::strcmp(argv[i], "--pattern")) {
      pattern = !std::strcmp(argv[i + 1], "receive-forward") ? Pattern::kReceiveForward
                                                             : Pattern::kLifecycle;
    }
  }
  std::printf(
      "| run | transitions/s | p50 ms | p99 ms | CPU µs/command | commands per group commit |\n");
  std::printf("|---|---|---|---|---|---|\n");
  if (raw_baseline) {
    Result_ raw = RunRaw(dir + "-raw", 32, seconds);
    std::printf(
        "| raw RocksDB, synced WriteBatch, 32 threads | %.0f | %.2f | %.2f | %.1f | (RocksDB's "
        "own) |\n",
        raw.per_second, raw.p50_ms, raw.p99_ms, raw.cpu_us);
    std::fflush(stdout);
  }
  for (int d : drivers) {
    for (int n : submitters) {
      Result_ r = RunEngine(dir, pg_dsn, n, d, seconds);
      const std::string who = std::to_string(n) + (n == 1 ? " submitter" : " submitters");
      const std::string how =
          d == 0 ? who + ", a thread each" : who + " on " + std::to_string(d) + " driver threads";
      std::printf("| motcua engine on %s, %s | %.0f | %.2f | %.2f | %.1f | %.1f |\n",
                  pg_dsn.empty() ? "RocksDB" : "PostgreSQL", how.c_str(), r.per_second, r.p50_ms,
                  r.p99_ms, r.cpu_us, r.mean_batch);
      std::fflush(stdout);
    }
  }
  return 0;
}
