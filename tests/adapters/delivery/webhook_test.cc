// Standard Webhooks messages (adapters/delivery/webhook.h): the signature of the specification's
// example, two signatures during a rotation, and the id and body a receiver gets.

#include "adapters/delivery/webhook.h"

#include <gtest/gtest.h>

namespace motcua {
namespace {

TEST(WebhookTest, SignsAsTheStandardSays) {
  // The example of the Standard Webhooks libraries' tests (and Python's hmac agrees).
  const std::string secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  Result<std::string> sig =
      SignWebhook({secret}, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, "{\"test\": 2432232314}");
  ASSERT_TRUE(sig.ok()) << sig.status().ToString();
  EXPECT_EQ(*sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  // A rotation: the new secret's signature first, then the old one's; either verifies.
  Result<std::string> both =
      SignWebhook({"whsec_" + std::string(32, 'A'), secret}, "msg_p5jXN8AQM9LWM0D4loKWxJek",
                  1614265330, "{\"test\": 2432232314}");
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both->substr(both->find(' ') + 1), *sig);
  EXPECT_FALSE(SignWebhook({"no-prefix"}, "m", 1, "").ok());
  EXPECT_FALSE(SignWebhook({"whsec_***"}, "m", 1, "").ok());
}

TEST(WebhookTest, TheIdIsTheEventsAndTheBodyWrapsItsView) {
  Event e;
  e.dossier_id = "01a2342e02c54f7f3f87";
  e.version = 3;
  e.type = EventType::kDecided;
  e.at = Instant{1772413200};  // 2026-03-02T08:00:00+07:00
  EXPECT_EQ(WebhookId(e), "msg_01a2342e02c54f7f3f87_3");
  EXPECT_EQ(WebhookBody(e, "{\"version\":3}"),
            "{\"type\":\"dossier.decided\",\"timestamp\":\"2026-03-02T08:00:00+07:00\","
            "\"data\":{\"version\":3}}");
}

TEST(WebhookTest, RetryAfterIsSecondsOrAnHttpDate) {
  const int64_t now = 784111777000;  // Sun, 06 Nov 1994 08:49:37 GMT
  EXPECT_EQ(RetryAfterMs("120", now), 120000);
  EXPECT_EQ(RetryAfterMs("0", now), 0);
  EXPECT_EQ(RetryAfterMs("Sun, 06 Nov 1994 08:51:37 GMT", now), 120000);
  EXPECT_EQ(RetryAfterMs("Sun, 06 Nov 1994 08:00:00 GMT", now), 0) << "a date gone by: now";
  EXPECT_EQ(RetryAfterMs("", now), std::nullopt);
  EXPECT_EQ(RetryAfterMs("-5", now), std::nullopt);
  EXPECT_EQ(RetryAfterMs("1234567890", now), std::nullopt) << "more than 9 digits";
  EXPECT_EQ(RetryAfterMs("Sunday, 06-Nov-94 08:49:37 GMT", now), std::nullopt)
      << "only the IMF-fixdate form";
  EXPECT_EQ(RetryAfterMs("soon", now), std::nullopt);
}

TEST(WebhookTest, ABatchCarriesEachEventWithItsId) {
  const std::string a = R"({"type":"dossier.received","timestamp":"t","data":{"version":1}})";
  const std::string b = R"({"type":"dossier.forwarded","timestamp":"t","data":{"version":2}})";
  EXPECT_EQ(
      WebhookBatchBody({{"msg_x_1", a}, {"msg_y_2", b}}, "2026-12-02T10:00:00+07:00"),
      R"({"type":"dossier.events","timestamp":"2026-12-02T10:00:00+07:00","data":[)"
      R"({"id":"msg_x_1","type":"dossier.received","timestamp":"t","data":{"version":1}},)"
      R"({"id":"msg_y_2","type":"dossier.forwarded","timestamp":"t","data":{"version":2}}]})");
  EXPECT_EQ(WebhookBatchId(7, 19, 2), "msg_batch_7_19_2");
}

}  // namespace
}  // namespace motcua
