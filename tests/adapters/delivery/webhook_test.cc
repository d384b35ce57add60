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

}  // namespace
}  // namespace motcua
