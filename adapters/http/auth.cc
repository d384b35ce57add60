// Bearer tokens (auth.h): principals and their scope, the tokens file, SHA-256 of secrets.

#include "adapters/http/auth.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "adapters/http/secret_file.h"

namespace motcua::http {

namespace {
constexpr const char* kTokensComment = "motcua tokens: secrets are stored only as SHA-256 hashes.";
}  // namespace

bool Principal::HasRole(const std::string& role) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

bool Principal::AllAgencies() const {
  return std::find(agencies.begin(), agencies.end(), "*") != agencies.end();
}

bool Principal::InScope(const std::string& agency, const AgencyRegistry& registry) const {
  if (AllAgencies()) return true;
  for (const std::string& a : agencies) {
    if (a == agency || registry.IsWithin(agency, a)) return true;
  }
  return false;
}

bool CanSee(const Principal& p, const Dossier& d, const AgencyRegistry& registry) {
  return p.InScope(d.receiving_agency, registry) || p.InScope(d.competent_agency, registry);
}

// SHA-256 (FIPS 180-4).
std::string Sha256Hex(const std::string& data) {
  static const uint32_t k[64] = {
      0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
      0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
      0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
      0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
      0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
      0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
      0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
      0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
      0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
      0xc67178f2};
  uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  std::string msg = data;
  const uint64_t bits = static_cast<uint64_t>(data.size()) * 8;
  msg.push_back(static_cast<char>(0x80));
  while (msg.size() % 64 != 56) msg.push_back('\0');
  for (int i = 7; i >= 0; --i) msg.push_back(static_cast<char>((bits >> (i * 8)) & 0xff));
  auto rotr = [](uint32_t x, int n) { return (x >> n) | (x << (32 - n)); };
  for (size_t off = 0; off < msg.size(); off += 64) {
    uint32_t w[64];
    for (int i = 0; i < 16; ++i) {
      const auto* p = reinterpret_cast<const unsigned char*>(msg.data() + off + i * 4);
      w[i] = (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3];
    }
    for (int i = 16; i < 64; ++i) {
      uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
      uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (int i = 0; i < 64; ++i) {
      uint32_t s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
      uint32_t ch = (e & f) ^ (~e & g);
      uint32_t t1 = hh + s1 + ch + k[i] + w[i];
      uint32_t s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
      uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
      uint32_t t2 = s0 + maj;
      hh = g;
      g = f;
      f = e;
      e = d + t1;
      d = c;
      c = b;
      b = a;
      a = t1 + t2;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += hh;
  }
  char out[65];
  for (int i = 0; i < 8; ++i) std::snprintf(out + i * 8, 9, "%08x", h[i]);
  return std::string(out, 64);
}

namespace {

std::vector<std::string> Strings(const YAML::Node& n) {
  std::vector<std::string> out;
  if (n && n.IsSequence()) {
    for (const auto& x : n) out.push_back(x.as<std::string>());
  }
  return out;
}

}  // namespace

Result<std::shared_ptr<const TokenStore>> TokenStore::Load(const std::string& path) {
  ASSIGN_OR_RETURN(YAML::Node root, LoadSecretFile(path));
  auto store = std::make_shared<TokenStore>();
  YAML::Node tokens = root["tokens"];
  if (tokens && !tokens.IsSequence()) return InvalidArgument(path + ": 'tokens' must be a list");
  int i = 0;
  for (const auto& t : tokens) {
    const std::string where = path + ": tokens[" + std::to_string(i++) + "]";
    try {
      if (t["revoked"] && t["revoked"].as<bool>()) continue;
      for (const char* key : {"principal", "roles", "agencies", "sha256"}) {
        if (!t[key]) {
          return InvalidArgument(where + ": missing '" + key +
                                 "' (each token needs principal, roles, agencies and sha256)");
        }
      }
      Principal p;
      p.id = t["principal"].as<std::string>();
      p.roles = Strings(t["roles"]);
      p.agencies = Strings(t["agencies"]);
      const std::string hash = t["sha256"].as<std::string>();
      if (hash.size() != 64) return InvalidArgument(where + ".sha256: expected 64 hex digits");
      p.token = hash;
      store->by_hash_[hash] = std::move(p);
    } catch (const YAML::Exception& e) {
      return InvalidArgument(where + ": " + e.msg +
                             " (each token needs principal, roles, "
                             "agencies and sha256)");
    }
  }
  return std::shared_ptr<const TokenStore>(std::move(store));
}

std::optional<Principal> TokenStore::Authenticate(const std::string& secret) const {
  if (secret.empty() || secret.size() > 256) return std::nullopt;
  {
    MutexLock lock(&verified_mu_);
    if (auto v = verified_.find(secret); v != verified_.end()) return *v->second;
  }
  auto it = by_hash_.find(Sha256Hex(secret));
  if (it == by_hash_.end()) return std::nullopt;
  constexpr size_t kMaxVerified = 4096;
  MutexLock lock(&verified_mu_);
  if (verified_.size() >= kMaxVerified) verified_.clear();
  verified_.emplace(secret, &it->second);
  return it->second;
}

Result<std::string> NewSecret() {
  unsigned char buf[32];
  FILE* f = std::fopen("/dev/urandom", "rb");
  if (!f) return Internal("cannot open /dev/urandom");
  size_t n = std::fread(buf, 1, sizeof buf, f);
  std::fclose(f);
  if (n != sizeof buf) return Internal("short read from /dev/urandom");
  std::string hex = "mc_";
  char b[3];
  for (unsigned char c : buf) {
    std::snprintf(b, sizeof b, "%02x", c);
    hex += b;
  }
  return hex;
}

Result<std::string> AddToken(const std::string& path, const TokenSpec& spec) {
  if (spec.principal.empty()) return InvalidArgument("a token needs a principal");
  YAML::Node root;
  if (std::filesystem::exists(path)) {
    ASSIGN_OR_RETURN(root, LoadSecretFile(path));
  }
  ASSIGN_OR_RETURN(std::string secret, NewSecret());
  YAML::Node t;
  t["principal"] = spec.principal;
  t["roles"] = spec.roles;
  t["agencies"] = spec.agencies;
  t["sha256"] = Sha256Hex(secret);
  t["revoked"] = false;
  root["tokens"].push_back(t);
  RETURN_IF_ERROR(SaveSecretFile(path, root, kTokensComment));
  return secret;
}

Result<Revocation> RevokeTokens(const std::string& path, const std::string& principal) {
  ASSIGN_OR_RETURN(YAML::Node root, LoadSecretFile(path));
  Revocation out;
  for (auto t : root["tokens"]) {
    if (t["principal"] && t["principal"].as<std::string>() == principal) {
      if (t["revoked"] && t["revoked"].as<bool>()) {
        ++out.already_revoked;
      } else {
        t["revoked"] = true;
        ++out.revoked;
      }
    }
  }
  if (out.revoked > 0) RETURN_IF_ERROR(SaveSecretFile(path, root, kTokensComment));
  return out;
}

Result<std::vector<TokenEntry>> ListTokens(const std::string& path) {
  ASSIGN_OR_RETURN(YAML::Node root, LoadSecretFile(path));
  std::vector<TokenEntry> out;
  int i = 0;
  for (const auto& t : root["tokens"]) {
    try {
      TokenEntry e;
      e.principal = t["principal"].as<std::string>();
      e.roles = Strings(t["roles"]);
      e.agencies = Strings(t["agencies"]);
      e.sha256 = t["sha256"].as<std::string>();
      e.revoked = t["revoked"] && t["revoked"].as<bool>();
      out.push_back(std::move(e));
    } catch (const YAML::Exception& e) {
      return InvalidArgument(path + ": tokens[" + std::to_string(i) + "]: " + e.msg);
    }
    ++i;
  }
  return out;
}

}  // namespace motcua::http
