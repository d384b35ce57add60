// Outbound delivery, the pure part (engine/delivery/delivery.h): what a subscription wants, the
// waits between attempts, and the lane's order per dossier, retries, dead letters and cursor.

#include "engine/delivery/delivery.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

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
  const AgencyRegistry agencies = AgencyRegistry::Build(
      {MakeAgency(kP), MakeAgency(kP1, kP), MakeAgency(kQ)}, {"vn"}, &errors);
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

}  // namespace
}  // namespace motcua
