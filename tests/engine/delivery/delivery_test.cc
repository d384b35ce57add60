// Outbound delivery, the pure part (engine/delivery/delivery.h): what a subscription wants, the
// waits between attempts, and the lane's order per dossier, retries, dead letters and cursor.

#include "engine/delivery/delivery.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

namespace motcua {
namespace {

using ::testing::ElementsAre;

Agency MakeAgency(const std::string& code, const std::string& parent = "") {
  Agency a;
  a.code = code;
  a.name = code;
  a.kind = "UBND cấp xã";
  a.parent = parent;
  a.calendar = "vn";
  return a;
}

const std::string kP = "000.00.00.H56", kP1 = "000.17.22.H56", kQ = "000.00.00.H57";

TEST(DeliveryTest, ASubscriptionWantsItsTypesProceduresAndAgenciesWithTheirUnits) {
  std::vector<Diagnostic> errors;
  const AgencyRegistry agencies =
      AgencyRegistry::Build({MakeAgency(kP), MakeAgency(kP1, kP), MakeAgency(kQ)}, {"vn"}, &errors);
  ASSERT_TRUE(errors.empty()) << errors.front().ToString();
  Subscription s;
  EventFacts e{EventType::kDecided, kP1, kP1, "1.001"};
  EXPECT_TRUE(Wants(s, e, agencies)) << "no filter: everything";
  s.types = {EventType::kReceived};
  EXPECT_FALSE(Wants(s, e, agencies));
  s.types.insert(EventType::kDecided);
  EXPECT_TRUE(Wants(s, e, agencies));
  s.procedures = {"2.002"};
  EXPECT_FALSE(Wants(s, e, agencies));
  s.procedures.insert("1.001");
  s.agencies = {kQ};
  EXPECT_FALSE(Wants(s, e, agencies));
  s.agencies = {kP};
  EXPECT_TRUE(Wants(s, e, agencies)) << "a unit below the subscribed agency";
  e.receiving_agency = kQ;
  e.competent_agency = kP;
  s.agencies = {kQ};
  EXPECT_TRUE(Wants(s, e, agencies)) << "the receiving agency counts too";
}

TEST(DeliveryTest, TheWaitDoublesUpToTheLongestWithHalfOfItJittered) {
  RetryPolicy p;
  p.first_backoff_ms = 1000;
  p.max_backoff_ms = 8000;
  EXPECT_EQ(BackoffMs(p, 1, 0.0, std::nullopt), 500);
  EXPECT_EQ(BackoffMs(p, 1, 0.999999, std::nullopt), 999);
  EXPECT_EQ(BackoffMs(p, 2, 0.0, std::nullopt), 1000);
  EXPECT_EQ(BackoffMs(p, 3, 0.5, std::nullopt), 3000);
  EXPECT_EQ(BackoffMs(p, 4, 0.0, std::nullopt), 4000);
  EXPECT_EQ(BackoffMs(p, 30, 0.0, std::nullopt), 4000) << "capped at max_backoff_ms";
  EXPECT_EQ(BackoffMs(p, 1, 0.0, 120000), 120000) << "Retry-After asks longer";
  EXPECT_EQ(BackoffMs(p, 1, 0.0, 100), 500) << "Retry-After shorter than the backoff";
  EXPECT_EQ(BackoffMs(p, 1, 0.0, int64_t{24} * 3600 * 1000), 3600 * 1000)
      << "a Retry-After is honoured up to an hour";
}

std::vector<std::string> Names(const std::vector<DeliveryLane::Attempt>& attempts) {
  std::vector<std::string> out;
  for (const auto& a : attempts) {
    out.push_back(a.dossier_id + "@" + std::to_string(a.position) + "#" + std::to_string(a.number));
  }
  return out;
}

TEST(DeliveryTest, ADossiersEventsGoOneAfterAnotherOthersInParallel) {
  DeliveryLane lane(10);
  lane.Offer(11, "A", true, 0);
  lane.Offer(12, "B", true, 0);
  lane.Offer(13, "A", true, 0);
  lane.Offer(14, "C", false, 0);
  EXPECT_THAT(Names(lane.Ready(0, 10)), ElementsAre("A@11#1", "B@12#1"));
  EXPECT_THAT(Names(lane.Ready(0, 10)), ElementsAre()) << "in flight already";
  EXPECT_EQ(lane.in_flight(), 2u);
  lane.Delivered(12);
  EXPECT_EQ(lane.cursor(), 10u) << "11 is not finished";
  lane.Delivered(11);
  EXPECT_EQ(lane.cursor(), 12u);
  EXPECT_THAT(Names(lane.Ready(0, 10)), ElementsAre("A@13#1"));
  lane.Delivered(13);
  EXPECT_EQ(lane.cursor(), 14u) << "14 was not wanted: finished when offered";
  EXPECT_EQ(lane.pending(), 0u);
}

TEST(DeliveryTest, AFailingDossierWaitsAloneAndHoldsTheCursor) {
  RetryPolicy p;
  p.first_backoff_ms = 1000;
  DeliveryLane lane(0);
  lane.Offer(1, "A", true, 0);
  lane.Offer(2, "B", true, 0);
  ASSERT_THAT(Names(lane.Ready(0, 1)), ElementsAre("A@1#1")) << "room for one";
  EXPECT_EQ(lane.Failed(1, 100, p, 0.0, std::nullopt), DeliveryLane::Verdict::kRetry);
  EXPECT_EQ(lane.next_retry(), std::optional<int64_t>(600));
  EXPECT_THAT(Names(lane.Ready(100, 10)), ElementsAre("B@2#1")) << "A waits until 600";
  lane.Delivered(2);
  lane.Offer(3, "A", true, 0);
  lane.Offer(4, "B", true, 0);
  EXPECT_THAT(Names(lane.Ready(599, 10)), ElementsAre("B@4#1")) << "A's 3 waits behind its 1";
  EXPECT_EQ(lane.cursor(), 0u);
  EXPECT_THAT(Names(lane.Ready(600, 10)), ElementsAre("A@1#2"));
  lane.Delivered(1);
  EXPECT_EQ(lane.cursor(), 2u);
  EXPECT_EQ(lane.oldest_pending(), std::optional<int64_t>(0));
}

TEST(DeliveryTest, TheLastAttemptOrTooOldDeadLettersAndReleasesTheDossier) {
  RetryPolicy p;
  p.max_attempts = 2;
  p.max_age_seconds = 60;
  p.first_backoff_ms = 10;
  DeliveryLane lane(0);
  lane.Offer(1, "A", true, 0);
  lane.Offer(2, "A", true, 0);
  lane.Ready(0, 10);
  EXPECT_EQ(lane.Failed(1, 0, p, 0.0, std::nullopt), DeliveryLane::Verdict::kRetry);
  EXPECT_THAT(Names(lane.Ready(100, 10)), ElementsAre("A@1#2"));
  EXPECT_EQ(lane.Failed(1, 100, p, 0.0, std::nullopt), DeliveryLane::Verdict::kDeadLetter);
  EXPECT_EQ(lane.cursor(), 1u);
  EXPECT_THAT(Names(lane.Ready(100, 10)), ElementsAre("A@2#1")) << "the dossier goes on";
  // Older than max_age at its first failure: dead-lettered at once.
  EXPECT_EQ(lane.Failed(2, 60 * 1000, p, 0.0, std::nullopt), DeliveryLane::Verdict::kDeadLetter);
  EXPECT_EQ(lane.cursor(), 2u);
}

TEST(DeliveryTest, ARedriveGoesBeforeItsDossiersLaterEventsAndKeepsTheCursor) {
  DeliveryLane lane(5);
  lane.Offer(6, "A", true, 0);
  lane.Offer(7, "B", true, 0);
  lane.Redrive(3, "A", 0);
  EXPECT_THAT(Names(lane.Ready(0, 10)), ElementsAre("A@3#1", "B@7#1"));
  lane.Delivered(7);
  EXPECT_EQ(lane.cursor(), 5u);
  lane.Delivered(3);
  EXPECT_EQ(lane.cursor(), 5u) << "a re-drive never moves the cursor back or holds it";
  EXPECT_THAT(Names(lane.Ready(0, 10)), ElementsAre("A@6#1"));
  lane.Delivered(6);
  EXPECT_EQ(lane.cursor(), 7u);
}

// Many random runs: offers, sends, successes, failures, retries after their wait and re-drives
// of dead letters. Whatever happens, a dossier has at most one event in flight and its events
// are sent in position order; nothing is sent before its retry is due; the cursor never passes
// an event read and not finished; driven to the end, every wanted event is delivered or
// dead-lettered, and the cursor reaches the last read.
TEST(DeliveryTest, RandomRunsKeepOrderRetriesAndTheCursor) {
  RetryPolicy policy;
  policy.max_attempts = 4;
  policy.first_backoff_ms = 10;
  policy.max_backoff_ms = 40;
  for (uint32_t seed = 1; seed <= 200; ++seed) {
    std::mt19937 rng(seed);
    auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint32_t>(n)); };
    DeliveryLane lane(0);
    int64_t now = 0;
    uint64_t next_position = 1;
    std::map<uint64_t, std::string> dossier_of;
    std::set<uint64_t> unfinished;              // wanted, not delivered or dead
    std::map<std::string, uint64_t> last_sent;  // per dossier (first attempts)
    std::map<uint64_t, int64_t> not_before;     // after a failure
    std::set<uint64_t> in_flight, dead, redriven;
    std::map<std::string, int> flying_per_dossier;
    auto send = [&](size_t room) {
      for (const DeliveryLane::Attempt& a : lane.Ready(now, room)) {
        ASSERT_TRUE(unfinished.contains(a.position)) << "seed " << seed;
        ASSERT_FALSE(in_flight.contains(a.position)) << "seed " << seed;
        ASSERT_EQ(++flying_per_dossier[a.dossier_id], 1) << "two in flight, seed " << seed;
        if (not_before.contains(a.position)) {
          ASSERT_GE(now, not_before[a.position]) << "sent before its retry, seed " << seed;
        }
        if (!redriven.contains(a.position) && a.number == 1) {
          ASSERT_LT(last_sent[a.dossier_id], a.position) << "out of order, seed " << seed;
          last_sent[a.dossier_id] = a.position;
        }
        in_flight.insert(a.position);
      }
    };
    auto settle = [&](uint64_t position, bool ok) {
      in_flight.erase(position);
      --flying_per_dossier[dossier_of[position]];
      if (ok) {
        lane.Delivered(position);
        unfinished.erase(position);
        return;
      }
      if (lane.Failed(position, now, policy, (rng() % 100) / 100.0, std::nullopt) ==
          DeliveryLane::Verdict::kDeadLetter) {
        unfinished.erase(position);
        dead.insert(position);
      } else {
        not_before[position] = now + 5;  // at least half the first wait
      }
    };
    for (int step = 0; step < 400; ++step) {
      const int op = pick(10);
      if (op < 4) {
        const std::string d = std::string(1, static_cast<char>('A' + pick(5)));
        const bool wanted = pick(5) != 0;
        dossier_of[next_position] = d;
        if (wanted) unfinished.insert(next_position);
        lane.Offer(next_position++, d, wanted, now);
      } else if (op < 6) {
        send(static_cast<size_t>(1 + pick(4)));
      } else if (op < 9 && !in_flight.empty()) {
        auto it = in_flight.begin();
        std::advance(it, pick(static_cast<int>(in_flight.size())));
        settle(*it, pick(3) != 0);
      } else if (!dead.empty() && pick(2) == 0) {
        const uint64_t p = *dead.begin();
        dead.erase(dead.begin());
        redriven.insert(p);
        unfinished.insert(p);
        not_before.erase(p);
        lane.Redrive(p, dossier_of[p], now);
      } else {
        now += pick(30);
      }
      for (uint64_t p : unfinished) {
        if (!redriven.contains(p)) {
          ASSERT_LT(lane.cursor(), p) << "cursor passed, seed " << seed;
        }
      }
      ASSERT_EQ(lane.in_flight(), in_flight.size()) << "seed " << seed;
    }
    // Drive to the end: everything succeeds from now on.
    for (int round = 0; round < 1000 && !unfinished.empty(); ++round) {
      now += 50;
      send(100);
      while (!in_flight.empty()) settle(*in_flight.begin(), true);
    }
    EXPECT_TRUE(unfinished.empty()) << "seed " << seed;
    EXPECT_EQ(lane.pending(), 0u) << "seed " << seed;
    EXPECT_EQ(lane.cursor(), next_position - 1) << "seed " << seed;
    EXPECT_FALSE(lane.next_retry().has_value());
    EXPECT_FALSE(lane.oldest_pending().has_value());
  }
}

}  // namespace
}  // namespace motcua
