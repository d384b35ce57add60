// The client's address behind a reverse proxy (adapters/http/client_address.h): the forwarded
// address is believed only from a trusted proxy, walking the chain from the right past the trusted
// ones; and through the API, the public rate limit counts each citizen behind a trusted proxy, and
// lumps a client together however it fills those headers when it is not a proxy.

#include "adapters/http/client_address.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "engine/store/memory_store.h"
#include "tests/adapters/http/api_fixture.h"

namespace motcua {
namespace {

using http::ClientAddress;
using http::TrustedProxies;

TrustedProxies Trusted(const std::vector<std::string>& entries) {
  std::string bad;
  std::optional<TrustedProxies> t = TrustedProxies::Parse(entries, &bad);
  EXPECT_TRUE(t.has_value()) << bad;
  return t ? *t : TrustedProxies();
}

TEST(ClientAddressTest, NetworksAreMatchedByTheirPrefix) {
  const TrustedProxies t = Trusted({"10.0.0.0/8", "192.0.2.7", "fd00::/8", "172.16.0.0/12"});
  EXPECT_TRUE(t.Contains("10.200.3.4"));
  EXPECT_TRUE(t.Contains("192.0.2.7"));
  EXPECT_FALSE(t.Contains("192.0.2.8"));
  EXPECT_TRUE(t.Contains("172.31.255.255"));
  EXPECT_FALSE(t.Contains("172.32.0.1"));
  EXPECT_TRUE(t.Contains("fd12:3456::1"));
  EXPECT_FALSE(t.Contains("fe80::1"));
  EXPECT_TRUE(t.Contains("::ffff:10.1.2.3"));  // an IPv4 peer on an IPv6 socket
  EXPECT_FALSE(t.Contains("not an address"));
  std::string bad;
  for (const char* wrong : {"10.0.0.0/33", "10.0.0.0/", "10.0.0", "proxy.example", "::1/129"}) {
    EXPECT_FALSE(TrustedProxies::Parse({"127.0.0.1", wrong}, &bad).has_value()) << wrong;
    EXPECT_EQ(bad, wrong);
  }
}

TEST(ClientAddressTest, OnlyATrustedPeerIsBelievedAndTheChainIsReadFromTheRight) {
  const TrustedProxies t = Trusted({"10.0.0.0/8"});
  constexpr auto kXff = http::ForwardedHeader::kXForwardedFor;
  constexpr auto kRfc = http::ForwardedHeader::kForwarded;
  // Not a proxy: whatever it writes in the header, it is itself.
  EXPECT_EQ(ClientAddress("203.0.113.9", "198.51.100.1", kXff, t), "203.0.113.9");
  // Nothing trusted: the header is never read.
  EXPECT_EQ(ClientAddress("10.0.0.5", "198.51.100.1", kXff, TrustedProxies()), "10.0.0.5");
  // The proxy appended what it saw; what the client wrote before it is not believed.
  EXPECT_EQ(ClientAddress("10.0.0.5", "198.51.100.1", kXff, t), "198.51.100.1");
  EXPECT_EQ(ClientAddress("10.0.0.5", "1.2.3.4, 198.51.100.1", kXff, t), "198.51.100.1");
  // Two proxies of ours in a row (also as two header lines, joined by the server).
  EXPECT_EQ(ClientAddress("10.0.0.5", "1.2.3.4, 198.51.100.1, 10.9.9.9", kXff, t), "198.51.100.1");
  // RFC 7239 when configured: quoted IPv6 with a port, names in any case, written canonically.
  EXPECT_EQ(ClientAddress("10.0.0.5",
                          "for=192.0.2.60;proto=https, For=\"[2001:DB8:cafe::17]:4711\"", kRfc, t),
            "2001:db8:cafe::17");
  EXPECT_EQ(ClientAddress("10.0.0.5", "for=192.0.2.60:8080;by=10.0.0.5", kRfc, t), "192.0.2.60");
  // Every hop ours: the first; no header: the proxy itself.
  EXPECT_EQ(ClientAddress("10.0.0.5", "10.1.1.1, 10.2.2.2", kXff, t), "10.1.1.1");
  EXPECT_EQ(ClientAddress("10.0.0.5", "", kXff, t), "10.0.0.5");
  // An entry that is not an address (a name, a forged log field, "unknown"): the proxy itself,
  // never the text.
  EXPECT_EQ(ClientAddress("10.0.0.5", "1.2.3.4 reason=\"x\"", kXff, t), "10.0.0.5");
  EXPECT_EQ(ClientAddress("10.0.0.5", "unknown, 198.51.100.1", kXff, t), "10.0.0.5");
  EXPECT_EQ(ClientAddress("10.0.0.5", "for=_hidden", kRfc, t), "10.0.0.5");
}

// Through the API: /v1/public/procedures allows 2 reads a minute per client address.
class ClientAddressApiTest : public ::testing::Test {
 protected:
  static std::string Dir() {
    return ::testing::TempDir() + "/motcua-client-address-" + std::to_string(::getpid()) + "/";
  }
  static std::string TokensFile() {
    std::filesystem::remove_all(Dir());
    std::filesystem::create_directories(Dir());
    return Dir() + "tokens.yaml";
  }
  static http::ApiOptions Options(const std::vector<std::string>& trusted) {
    http::ApiOptions o;
    o.public_reads_per_minute = 2;
    o.trusted_proxies = Trusted(trusted);
    return o;
  }
  ~ClientAddressApiTest() override { std::filesystem::remove_all(Dir()); }
  int Read(testing::ApiHarness& h, const std::string& forwarded_for) {
    // A client's own Forwarded header is ignored: the proxy writes X-Forwarded-For.
    return h
        .Answer("GET", "/v1/public/procedures", "", "",
                {{"x-forwarded-for", forwarded_for}, {"forwarded", "for=192.0.2.99"}})
        .status;
  }
  MemoryStore store_;
};

TEST_F(ClientAddressApiTest, BehindATrustedProxyEachCitizenHasTheirOwnLimit) {
  // The harness's connections come from 192.0.2.7: the proxy.
  testing::ApiHarness h(&store_, TokensFile(), {}, Options({"192.0.2.0/24"}));
  h.clock().Set(*ParseLocalDateTime("2026-03-02T08:00", 7 * 3600));
  EXPECT_EQ(Read(h, "198.51.100.1"), 200);
  EXPECT_EQ(Read(h, "198.51.100.1"), 200);
  EXPECT_EQ(Read(h, "198.51.100.1"), 429);
  EXPECT_EQ(Read(h, "198.51.100.2"), 200);  // another citizen
  EXPECT_EQ(Read(h, "203.0.113.50"), 200);
}

TEST_F(ClientAddressApiTest, AClientThatIsNoProxyCannotEscapeItsLimitWithTheHeader) {
  testing::ApiHarness h(&store_, TokensFile(), {}, Options({"10.0.0.0/8"}));
  h.clock().Set(*ParseLocalDateTime("2026-03-02T08:00", 7 * 3600));
  EXPECT_EQ(Read(h, "198.51.100.1"), 200);
  EXPECT_EQ(Read(h, "198.51.100.2"), 200);
  EXPECT_EQ(Read(h, "198.51.100.3"), 429);  // all 192.0.2.7's
}

}  // namespace
}  // namespace motcua
