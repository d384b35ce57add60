#pragma once
// What verification must find in any store, with any scratch set (engine/store/verify.h): an
// index entry a record implies but the store lacks, an entry no record implies, and a dossier
// number used twice. The damage is done through the store's own commits, by telling it a wrong
// "before" (its index changes are the difference between before and after).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "engine/store/indexes.h"
#include "engine/store/verify.h"
#include "tests/engine/store/store_conformance.h"

namespace motcua::testing {

// `runner`: where dossiers are checked (VerifyOptions::runner; null: on this thread).
inline void ExpectVerifyFindsIndexAndNumberProblems(Store& s, ScratchSet* scratch,
                                                    JobRunner* runner = nullptr) {
  using ::testing::Contains;
  using ::testing::HasSubstr;
  Dossier d1 = SampleDossier("d1", DossierStatus::kReceived, "receive", 1);
  Dossier d2 = SampleDossier("d2", DossierStatus::kReceived, "receive", 1);
  Dossier d3 = SampleDossier("d3", DossierStatus::kReceived, "receive", 1);
  d3.number = d1.number;  // one number, two dossiers
  WriteSet w;
  w.first_outbox_position = 1;
  for (const Dossier& d : {d1, d2, d3}) w.changes.push_back({std::nullopt, d, {SampleEvent(d)}});
  ASSERT_TRUE(s.Commit(w).ok());

  // d1 gains a timer, but the store is told it had it already: its entry is never written.
  Dossier d1_claimed = d1;
  d1_claimed.timers.push_back(Timer{TimerKind::kStepDue, Instant{1772410000}});
  Dossier d1_after = d1_claimed;
  d1_after.version = 2;
  // d2 moves on, but the store is told it is new: its old entries are never removed.
  Dossier d2_after = SampleDossier("d2", DossierStatus::kInProcessing, "appraise", 2);
  WriteSet damage;
  damage.first_outbox_position = 4;
  damage.changes.push_back({d1_claimed, d1_after, {SampleEvent(d1_after)}});
  damage.changes.push_back({std::nullopt, d2_after, {SampleEvent(d2_after)}});
  ASSERT_TRUE(s.Commit(damage).ok());

  // Missing: d1's new timer entry. Stray: every entry of d2's first state that its second
  // does not have.
  std::string missing;
  for (const std::string& e : IndexEntries(d1_after)) {
    if (e.rfind(IndexPrefix(IndexKind::kTimer), 0) == 0 &&
        e.find("step_due") != std::string::npos) {
      missing = e;
    }
  }
  ASSERT_FALSE(missing.empty());
  const std::vector<std::string> now = IndexEntries(d2_after);
  std::vector<std::string> strays;
  for (const std::string& e : IndexEntries(d2)) {
    if (std::find(now.begin(), now.end(), e) == now.end()) strays.push_back(e);
  }
  ASSERT_GE(strays.size(), 2u);  // its status and work-queue entries at least

  VerifyOptions options;
  options.scratch = scratch;
  options.runner = runner;
  Result<VerifyReport> report = VerifyStore(s, options);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->dossiers, 3u);
  const auto& problems = report->problems;
  EXPECT_THAT(problems, Contains("dossier 'd1': index entry missing: " + missing));
  for (const std::string& e : strays) {
    EXPECT_THAT(problems, Contains("stray index entry (no record implies it): " + e));
  }
  EXPECT_THAT(problems, Contains("dossier number " + d1.number + " is used by 'd1' and 'd3'"));
  // Nothing else about indexes or numbers (the sample events do not replay to the sample
  // records: those problems are expected and not the point here).
  size_t about_indexes = 0;
  for (const std::string& p : problems) {
    if (p.find("index entry") != std::string::npos ||
        p.find("dossier number") != std::string::npos) {
      ++about_indexes;
    }
  }
  EXPECT_EQ(about_indexes, strays.size() + 2) << ::testing::PrintToString(problems);
}

}  // namespace motcua::testing
