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

// Which header the trusted proxies write the client's address in; the other is ignored (a client
// could send it, and a proxy passes it on untouched).
enum class ForwardedHeader { kXForwardedFor, kForwarded };

// The client's address: `peer` itself unless it is a trusted proxy; then, of the addresses the
// proxies forwarded in `header_value` (the value of the header `kind` names), the last that is
// not a trusted proxy (each proxy appends the address it saw), or the first when all are. Every
// entry must be an IP address (written back in its canonical form); anything else, and the peer
// is the answer: a forwarded value is never logged or counted as it came.
std::string ClientAddress(const std::string& peer, const std::string& header_value,
                          ForwardedHeader kind, const TrustedProxies& trusted);

}  // namespace motcua::http
