// The subscriptions file (adapters/yaml/subscription_yaml.h): what a good one gives, and every
// mistake named with its line and field, never repeating a secret.

#include "adapters/yaml/subscription_yaml.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace motcua {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::string kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

std::string Errors(const std::string& text) {
  std::vector<Diagnostic> errors;
  auto subs = ParseSubscriptionFile(text, "subscriptions.yaml", AgencyRegistry(), &errors);
  EXPECT_EQ(subs.has_value(), errors.empty());
  std::string out;
  for (const Diagnostic& e : errors) out += e.ToString() + "\n";
  return out;
}

TEST(SubscriptionYamlTest, AGoodFileGivesEveryField) {
  std::vector<Diagnostic> errors;
  auto subs = ParseSubscriptionFile(
      "subscriptions:\n"
      "  - id: portal\n"
      "    url: http://10.0.0.5:8443/motcua/hooks\n"
      "    events: [received, decided]\n"
      "    procedures: [1.001193]\n"
      "    secrets: [" +
          kSecret +
          "]\n"
          "    concurrency: 4\n"
          "    batch: 50\n"
          "    timeout_ms: 2000\n"
          "    retry: {max_attempts: 5, max_age_seconds: 600, first_backoff_ms: 100, "
          "max_backoff_ms: 1000}\n"
          "  - id: archive\n"
          "    url: http://archive.local/in\n"
          "    secrets: [" +
          kSecret + ", " + kSecret + "]\n",
      "subscriptions.yaml", AgencyRegistry(), &errors);
  ASSERT_TRUE(subs) << errors.front().ToString();
  ASSERT_EQ(subs->size(), 2u);
  const Subscription& p = (*subs)[0];
  EXPECT_EQ(p.id, "portal");
  EXPECT_EQ(p.url, "http://10.0.0.5:8443/motcua/hooks");
  EXPECT_EQ(p.types, (std::set<EventType>{EventType::kReceived, EventType::kDecided}));
  EXPECT_EQ(p.procedures, std::set<std::string>{"1.001193"});
  EXPECT_EQ(p.concurrency, 4);
  EXPECT_EQ(p.batch, 50);
  EXPECT_EQ(p.timeout_ms, 2000);
  EXPECT_EQ(p.retry.max_attempts, 5);
  EXPECT_EQ(p.retry.max_age_seconds, 600);
  EXPECT_EQ(p.retry.first_backoff_ms, 100);
  EXPECT_EQ(p.retry.max_backoff_ms, 1000);
  const Subscription& a = (*subs)[1];
  EXPECT_TRUE(a.types.empty());
  EXPECT_EQ(a.secrets.size(), 2u) << "two during a rotation";
  EXPECT_EQ(a.concurrency, 8) << "the default";
  EXPECT_EQ(a.batch, 1) << "the default: one event a request";
  EXPECT_EQ(a.retry.max_attempts, 12);
}

TEST(SubscriptionYamlTest, ThePortalPayloadHasItsLoginAndCodeTables) {
  std::vector<Diagnostic> errors;
  auto subs = ParseSubscriptionFile(
      "subscriptions:\n"
      "  - id: dvcqg\n"
      "    url: http://lgsp.local/api\n"
      "    payload: portal\n"
      "    portal:\n"
      "      login_url: http://lgsp.local/login\n"
      "      username: motcua\n"
      "      password: pw\n"
      "      unit_code: H56\n"
      "      status_codes: {consulting: 11}\n"
      "      procedure_codes: {\"2.000908\": 2.000908.000.00.00.H56}\n"
      "    secrets: [" +
          kSecret + "]\n",
      "subscriptions.yaml", AgencyRegistry(), &errors);
  ASSERT_TRUE(subs) << errors.front().ToString();
  const PortalSettings& p = (*subs)[0].portal;
  EXPECT_EQ((*subs)[0].payload, PayloadKind::kPortal);
  EXPECT_EQ(p.login_url, "http://lgsp.local/login");
  EXPECT_EQ(p.username, "motcua");
  EXPECT_EQ(p.password, "pw");
  EXPECT_EQ(p.unit_code, "H56");
  EXPECT_EQ(p.status_codes, (std::map<std::string, int>{{"consulting", 11}}));
  EXPECT_EQ(p.procedure_codes,
            (std::map<std::string, std::string>{{"2.000908", "2.000908.000.00.00.H56"}}));
  const std::string bad = Errors(
      "subscriptions:\n"
      "  - id: dvcqg\n"
      "    url: http://lgsp.local/api\n"
      "    portal:\n"                                    // 4: payload is not portal
      "      login_url: http://lgsp.local/login\n"       // 5: no username, no password
      "      status_codes: {advised: 3, received: 0}\n"  // 6
      "    secrets: [" +
      kSecret + "]\n");
  // A map's position is its first key's.
  EXPECT_THAT(bad, HasSubstr("subscriptions.yaml:5:7: subscriptions[0].portal: is only read with "
                             "payload: portal"));
  EXPECT_THAT(bad, HasSubstr("portal.username"));
  EXPECT_THAT(bad, HasSubstr("portal.password"));
  EXPECT_THAT(bad, HasSubstr("'advised' is not a dossier status"));
  EXPECT_THAT(bad, HasSubstr("status_codes.received: expected a portal status code from 1 to 99"));
}

TEST(SubscriptionYamlTest, EveryMistakeIsNamedWithItsLine) {
  const std::string errors = Errors(
      "subscriptions:\n"
      "  - id: Portal!\n"                     // 2
      "    url: gopher://portal.example/h\n"  // 3
      "    events: [recieved]\n"              // 4
      "    secrets: [whsec_c2hvcnQ=]\n"       // 5
      "  - id: b\n"                           // 6
      "    url: http://host:99999/x\n"        // 7
      "    secrets: [" +
      kSecret + ", " + kSecret + ", " + kSecret +
      "]\n"                                                         // 8
      "    retry: {first_backoff_ms: 5000, max_backoff_ms: 100}\n"  // 9
      "  - id: b\n"                                                 // 10
      "    url: ftp://x\n"                                          // 11
      "    secret: x\n"                                             // 12
      "  - id: c\n"                                                 // 13
      "    url: http://portal/x\n"                                  // 14
      "    payload: portal\n"                                       // 15
      "    batch: 10\n"                                             // 16
      "    secrets: [" +
      kSecret +
      "]\n"                    // 17
      "  - id: d\n"            // 18
      "    url: http://d/x\n"  // 19
      "    batch: 5000\n"      // 20
      "    secrets: [" +
      kSecret + "]\n");
  EXPECT_THAT(errors, HasSubstr("subscriptions.yaml:2:"));
  EXPECT_THAT(errors, HasSubstr("'Portal!' is not an id"));
  EXPECT_THAT(errors, HasSubstr("subscriptions.yaml:3:"));
  EXPECT_THAT(errors, HasSubstr("expected an http:// or https:// URL"));
  EXPECT_THAT(errors, HasSubstr("subscriptions.yaml:4:"));
  EXPECT_THAT(errors, HasSubstr("recieved"));
  EXPECT_THAT(errors, HasSubstr("subscriptions.yaml:5:"));
  EXPECT_THAT(errors, HasSubstr("this one holds 5"));
  EXPECT_THAT(errors, HasSubstr("subscriptions.yaml:7:"));
  EXPECT_THAT(errors, HasSubstr("the port '99999' is not a number from 1 to 65535"));
  EXPECT_THAT(errors, HasSubstr("subscriptions.yaml:8:"));
  EXPECT_THAT(errors, HasSubstr("expected one secret, or two during a rotation"));
  EXPECT_THAT(errors, HasSubstr("subscriptions.yaml:9:"));
  EXPECT_THAT(errors, HasSubstr("is shorter than first_backoff_ms (5000)"));
  EXPECT_THAT(errors, HasSubstr("subscriptions.yaml:10:"));
  EXPECT_THAT(errors, HasSubstr("another subscription has the id 'b'"));
  EXPECT_THAT(errors, HasSubstr("subscriptions.yaml:11:"));
  EXPECT_THAT(errors, HasSubstr("secret"));  // the unknown key
  EXPECT_THAT(errors, HasSubstr("subscriptions.yaml:16:"));
  EXPECT_THAT(errors, HasSubstr("the portal's services take one dossier a request"));
  EXPECT_THAT(errors, HasSubstr("subscriptions.yaml:20:"));
  EXPECT_THAT(errors, Not(HasSubstr("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")))
      << "a secret is never shown";
}

TEST(SubscriptionYamlTest, AnHttpsTargetMayNameTheAuthoritiesItTrusts) {
  const std::string dir = ::testing::TempDir() + "/motcua-ca-" + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/ca.pem")
      << "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
  std::ofstream(dir + "/empty.pem") << "not a certificate\n";
  std::vector<Diagnostic> errors;
  auto subs = ParseSubscriptionFile(
      "subscriptions:\n"
      "  - id: portal\n"
      "    url: https://dvcqg.example.gov.vn/hooks\n"
      "    ca_file: ca.pem\n"
      "    secrets: [" +
          kSecret + "]\n",
      dir + "/subscriptions.yaml", AgencyRegistry(), &errors);
  ASSERT_TRUE(subs) << errors.front().ToString();
  EXPECT_EQ((*subs)[0].ca_file, dir + "/ca.pem") << "relative to the subscriptions file";
  const std::string problems = Errors(
      "subscriptions:\n"
      "  - id: a\n"
      "    url: https://x.example/h\n"
      "    ca_file: " +
      dir +
      "/missing.pem\n"  // 4
      "    secrets: [" +
      kSecret +
      "]\n"
      "  - id: b\n"
      "    url: https://x.example/h\n"
      "    ca_file: " +
      dir +
      "/empty.pem\n"  // 8
      "    secrets: [" +
      kSecret +
      "]\n"
      "  - id: c\n"
      "    url: http://x.example/h\n"
      "    ca_file: " +
      dir +
      "/ca.pem\n"  // 12
      "    secrets: [" +
      kSecret + "]\n");
  EXPECT_THAT(problems, HasSubstr("subscriptions.yaml:4:"));
  EXPECT_THAT(problems, HasSubstr("cannot read '" + dir + "/missing.pem'"));
  EXPECT_THAT(problems, HasSubstr("subscriptions.yaml:8:"));
  EXPECT_THAT(problems, HasSubstr("empty.pem' holds no PEM certificate"));
  EXPECT_THAT(problems, HasSubstr("subscriptions.yaml:12:"));
  EXPECT_THAT(problems, HasSubstr("ca_file goes with an https:// url"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace motcua
