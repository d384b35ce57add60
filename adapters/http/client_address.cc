// The client's address behind a trusted reverse proxy (client_address.h).

#include "adapters/http/client_address.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <optional>

namespace motcua::http {

namespace {

// An address as bytes (4 or 16); 0 when it is not one.
int ToBytes(const std::string& text, unsigned char* out) {
  if (inet_pton(AF_INET, text.c_str(), out) == 1) return 4;
  if (inet_pton(AF_INET6, text.c_str(), out) == 1) {
    // An IPv4 address mapped into IPv6 (::ffff:a.b.c.d) is that IPv4 address.
    static const unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(out, kMapped, 12) == 0) {
      std::memmove(out, out + 12, 4);
      return 4;
    }
    return 16;
  }
  return 0;
}

std::string Trim(const std::string& s) {
  const size_t a = s.find_first_not_of(" \t");
  if (a == std::string::npos) return "";
  return s.substr(a, s.find_last_not_of(" \t") - a + 1);
}

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      out.push_back(Trim(s.substr(start, i - start)));
      start = i + 1;
    }
  }
  return out;
}

// A node of Forwarded's for= ("192.0.2.60", "\"[2001:db8::17]:4711\"", "unknown") as an address
// without its port.
std::string NodeAddress(std::string node) {
  if (node.size() >= 2 && node.front() == '"' && node.back() == '"') {
    node = node.substr(1, node.size() - 2);
  }
  if (!node.empty() && node.front() == '[') {
    const size_t close = node.find(']');
    return close == std::string::npos ? node : node.substr(1, close - 1);
  }
  if (std::count(node.begin(), node.end(), ':') == 1) node = node.substr(0, node.find(':'));
  return node;
}

// The addresses the proxies forwarded, first (the client's, as the first proxy saw it) to last;
// nothing when an entry is not an IP address.
std::optional<std::vector<std::string>> ForwardedFor(const std::string& value,
                                                     ForwardedHeader kind) {
  std::vector<std::string> nodes;
  if (kind == ForwardedHeader::kForwarded) {
    for (const std::string& element : Split(value, ',')) {
      for (const std::string& pair : Split(element, ';')) {
        const size_t eq = pair.find('=');
        if (eq == std::string::npos) continue;
        std::string name = Trim(pair.substr(0, eq));
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (name == "for") nodes.push_back(NodeAddress(Trim(pair.substr(eq + 1))));
      }
    }
  } else {
    for (const std::string& a : Split(value, ',')) nodes.push_back(NodeAddress(a));
  }
  std::vector<std::string> out;
  for (const std::string& node : nodes) {
    unsigned char bytes[16];
    const int length = ToBytes(node, bytes);
    if (length == 0) return std::nullopt;
    char text[INET6_ADDRSTRLEN];
    if (inet_ntop(length == 4 ? AF_INET : AF_INET6, bytes, text, sizeof text) == nullptr) {
      return std::nullopt;
    }
    out.emplace_back(text);
  }
  return out;
}

}  // namespace

std::optional<TrustedProxies> TrustedProxies::Parse(const std::vector<std::string>& entries,
                                                    std::string* bad_entry) {
  TrustedProxies out;
  for (const std::string& entry : entries) {
    Network n;
    const size_t slash = entry.find('/');
    n.length = ToBytes(entry.substr(0, slash), n.bytes);
    n.prefix = n.length * 8;
    if (n.length != 0 && slash != std::string::npos) {
      char* end = nullptr;
      const long bits = std::strtol(entry.c_str() + slash + 1, &end, 10);
      n.prefix = (*end == '\0' && slash + 1 < entry.size() && bits >= 0 && bits <= n.length * 8)
                     ? static_cast<int>(bits)
                     : -1;
    }
    if (n.length == 0 || n.prefix < 0) {
      if (bad_entry) *bad_entry = entry;
      return std::nullopt;
    }
    out.networks_.push_back(n);
  }
  return out;
}

bool TrustedProxies::Contains(const std::string& address) const {
  unsigned char bytes[16];
  const int length = ToBytes(address, bytes);
  if (length == 0) return false;
  for (const Network& n : networks_) {
    if (n.length != length) continue;
    const int whole = n.prefix / 8;
    const int rest = n.prefix % 8;
    if (std::memcmp(bytes, n.bytes, whole) != 0) continue;
    if (rest != 0) {
      const unsigned char mask = static_cast<unsigned char>(0xff << (8 - rest));
      if ((bytes[whole] & mask) != (n.bytes[whole] & mask)) continue;
    }
    return true;
  }
  return false;
}

std::string ClientAddress(const std::string& peer, const std::string& header_value,
                          ForwardedHeader kind, const TrustedProxies& trusted) {
  if (trusted.empty() || !trusted.Contains(peer)) return peer;
  const std::optional<std::vector<std::string>> chain = ForwardedFor(header_value, kind);
  if (!chain || chain->empty()) return peer;
  for (auto it = chain->rbegin(); it != chain->rend(); ++it) {
    if (!trusted.Contains(*it)) return *it;
  }
  return chain->front();
}

}  // namespace motcua::http
