#pragma once
// The client's address behind a reverse proxy (README "Configuration", `trusted_proxies`): every
// connection through a proxy comes from the proxy's address, so the public lookup's rate limit
// would lump every citizen together. The address a trusted proxy forwarded (RFC 7239 `Forwarded:
// for=`, else `X-Forwarded-For`) is taken only when the connection comes from a trusted proxy;
// from anyone else those headers are ignored (a client could write anything in them).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace motcua::http {

// Addresses and networks ("10.0.0.0/8", "127.0.0.1", "::1", "fd00::/8").
class TrustedProxies {
 public:
  // Nothing when `entry` is not an address or a network in CIDR notation.
  static std::optional<TrustedProxies> Parse(const std::vector<std::string>& entries,
                                             std::string* bad_entry);
  bool Contains(const std::string& address) const;
  bool empty() const { return networks_.empty(); }

 private:
  struct Network {
    unsigned char bytes[16] = {};
    int length = 0;  // 4 or 16
    int prefix = 0;  // bits
  };
  std::vector<Network> networks_;
};

// The client's address: `peer` itself unless it is a trusted proxy; then, of the addresses the
// proxies forwarded (`forwarded`: the Forwarded header's value, `x_forwarded_for`: the
// X-Forwarded-For header's), the last that is not a trusted proxy (each proxy appends the address
// it saw), or the first when all are.
std::string ClientAddress(const std::string& peer, const std::string& forwarded,
                          const std::string& x_forwarded_for, const TrustedProxies& trusted);

}  // namespace motcua::http
