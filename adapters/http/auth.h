#pragma once
// Bearer-token authentication: principals with roles and an agency scope, from a tokens file
// that stores only SHA-256 hashes of the secrets (docs/api.md, "Authentication").
//
// Tokens file (YAML):
//   tokens:
//     - principal: cb1                  # recorded as the actor in history
//       roles: [counter]                # role ids as definitions name them, plus
//                                       # integrator, manager, auditor, admin
//       agencies: ["000.17.22.H56"]     # and the units below them; "*" = every agency
//       sha256: "<hex of the secret>"
//       revoked: false

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/common/mutex.h"
#include "engine/common/status.h"
#include "engine/definition/agency.h"
#include "engine/dossier/dossier.h"

namespace motcua::http {

struct Principal {
  std::string id;
  std::vector<std::string> roles;
  std::vector<std::string> agencies;  // "*" = all
  std::string token = {};             // the SHA-256 of the secret it authenticated with
  // A console session (sign-in with a password): its CSRF token, which state-changing requests
  // must send back as X-CSRF-Token. Empty for a bearer token. `token` is then "session:<key>".
  std::string csrf = {};
  bool HasRole(const std::string& role) const;
  // Whether `agency` is one of the principal's agencies or lies below one in the registry's tree
  // (a principal scoped to a province sees its units, dissolved ones included).
  bool InScope(const std::string& agency, const AgencyRegistry& registry) const;
  bool AllAgencies() const;
};

// Whether `p` may see `d`: its receiving or its competent agency is in the principal's scope.
bool CanSee(const Principal& p, const Dossier& d, const AgencyRegistry& registry);

std::string Sha256Hex(const std::string& data);

class TokenStore {
 public:
  // Loads the tokens file; errors name the file and the entry.
  static Result<std::shared_ptr<const TokenStore>> Load(const std::string& path);
  // The principal a bearer secret belongs to, if any and not revoked.
  std::optional<Principal> Authenticate(const std::string& secret) const;
  // Whether the token with this hash is in the store and not revoked.
  bool Active(const std::string& token_hash) const { return by_hash_.count(token_hash) > 0; }
  size_t size() const { return by_hash_.size(); }

 private:
  std::map<std::string, Principal> by_hash_;
  // Secrets already verified against a hash, so a keep-alive client does not cost a SHA-256
  // per request. Only valid secrets enter; bounded; gone with this store on reload/revocation.
  mutable Mutex verified_mu_;
  mutable std::unordered_map<std::string, const Principal*> verified_ GUARDED_BY(verified_mu_);
};

struct TokenSpec {
  std::string principal;
  std::vector<std::string> roles;
  std::vector<std::string> agencies;
};

// Adds a token to the file (creating it), returns the secret: shown once, never stored.
Result<std::string> AddToken(const std::string& path, const TokenSpec& spec);
// Marks every active token of a principal revoked.
struct Revocation {
  int revoked = 0;          // now revoked by this call
  int already_revoked = 0;  // were revoked before
};
Result<Revocation> RevokeTokens(const std::string& path, const std::string& principal);

// A token as the file lists it (the secret is never stored).
struct TokenEntry {
  std::string principal;
  std::vector<std::string> roles;
  std::vector<std::string> agencies;
  std::string sha256;
  bool revoked = false;
};
Result<std::vector<TokenEntry>> ListTokens(const std::string& path);
// 32 random bytes as hex, from /dev/urandom.
Result<std::string> NewSecret();

}  // namespace motcua::http
