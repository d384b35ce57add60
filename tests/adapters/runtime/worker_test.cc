// The engine's JobRunner on a Worker's threads (adapters/runtime/worker.h): every job started
// has run when Wait returns, and verification split over its threads reports what it reports on
// one.

#include "adapters/runtime/worker.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <memory>

#include "engine/store/memory_store.h"
#include "engine/store/verify.h"
#include "tests/engine/store/verify_cases.h"

namespace motcua {
namespace {

TEST(WorkerJobRunnerTest, WaitReturnsOnceEveryJobStartedHasRun) {
  WorkerJobRunner runner(3);
  EXPECT_EQ(runner.threads(), 3u);
  std::atomic<int> ran{0};
  for (int round = 0; round < 50; ++round) {
    std::vector<std::function<void()>> jobs;
    for (int i = 0; i < 7; ++i) jobs.push_back([&ran] { ++ran; });
    runner.Start(std::move(jobs));
    runner.Wait();
    EXPECT_EQ(ran.load(), 7 * (round + 1));
  }
  runner.Wait();  // nothing started: returns at once
  EXPECT_EQ(WorkerJobRunner(0).threads(), 1u);
}

TEST(WorkerJobRunnerTest, VerifyFindsTheSameProblemsOnSeveralThreads) {
  MemoryStore store;
  MemoryScratchSet scratch;
  WorkerJobRunner runner(3);
  testing::ExpectVerifyFindsIndexAndNumberProblems(store, &scratch, &runner);
}

// Pages of ids checked on several threads while the page before is filed: the report is the one
// thread's, word for word, and each dossier is shown to `visit` once.
TEST(WorkerJobRunnerTest, VerifyOnSeveralThreadsReportsWhatOneThreadReportsAcrossPages) {
  MemoryStore store;
  WriteSet w;
  w.first_outbox_position = 1;
  for (int i = 0; i < 2500; ++i) {  // two and a half pages
    char id[16];
    std::snprintf(id, sizeof id, "d%05d", i);
    // None replays to its record (sample events), and every other one is stored a version
    // ahead of its one event.
    Dossier d = testing::SampleDossier(id, DossierStatus::kReceived, "receive", 1 + i % 2);
    Event e = testing::SampleEvent(d);
    e.version = 1;
    w.changes.push_back({std::nullopt, d, {e}});
  }
  ASSERT_TRUE(store.Commit(w).ok());
  std::vector<VerifyReport> reports;
  for (size_t threads : {0, 2, 3}) {  // 0: no runner, the calling thread
    std::unique_ptr<WorkerJobRunner> runner;
    if (threads > 0) runner = std::make_unique<WorkerJobRunner>(threads);
    MemoryScratchSet scratch;
    std::atomic<size_t> visited{0};
    VerifyOptions options;
    options.max_problems = 5000;
    options.scratch = &scratch;
    options.runner = runner.get();
    options.visit = [&](const Dossier&) {
      ++visited;
      return Status::Ok();
    };
    Result<VerifyReport> r = VerifyStore(store, options);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(visited.load(), 2500u) << threads << " threads";
    reports.push_back(*r);
  }
  const VerifyReport& one = reports[0];
  EXPECT_EQ(one.dossiers, 2500u);
  EXPECT_EQ(one.events, 2500u);
  size_t ahead = 0;
  for (const std::string& p : one.problems) {
    ahead += p.find("gives version 1 status received, but the stored record is version 2") !=
             std::string::npos;
  }
  EXPECT_EQ(ahead, 1250u);
  EXPECT_THAT(one.problems, ::testing::Contains(::testing::StartsWith("dossier 'd00001': ")));
  for (size_t t = 1; t < reports.size(); ++t) {
    EXPECT_EQ(reports[t].dossiers, one.dossiers);
    EXPECT_EQ(reports[t].events, one.events);
    EXPECT_EQ(reports[t].index_entries, one.index_entries);
    EXPECT_EQ(reports[t].report_counters, one.report_counters);
    EXPECT_EQ(reports[t].problems, one.problems) << "runner " << t;
  }
}

// An error the visit returns ends the verification, whichever thread met it.
TEST(WorkerJobRunnerTest, AnErrorOfVerifysVisitEndsItOnAnyThread) {
  MemoryStore store;
  WriteSet w;
  w.first_outbox_position = 1;
  for (const char* id : {"a", "b", "c", "d"}) {
    Dossier d = testing::SampleDossier(id, DossierStatus::kReceived, "receive", 1);
    w.changes.push_back({std::nullopt, d, {testing::SampleEvent(d)}});
  }
  ASSERT_TRUE(store.Commit(w).ok());
  WorkerJobRunner runner(2);
  VerifyOptions options;
  options.runner = &runner;
  options.visit = [](const Dossier& d) {
    return d.id == "d" ? Unavailable("cannot read d's history") : Status::Ok();
  };
  Result<VerifyReport> r = VerifyStore(store, options);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "cannot read d's history");
}

}  // namespace
}  // namespace motcua
