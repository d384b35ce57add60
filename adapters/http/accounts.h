#pragma once
// Staff accounts for the web console (sign-in with a password; bearer tokens stay for machines):
// principals with a display name, roles and agencies as tokens have them, and a password stored
// only as an Argon2id hash (libsodium's crypto_pwhash_str, its interactive limits: ~64 MiB and a
// fraction of a second a check, on purpose). Managed with `motcua account` (adapters/cli/
// account.cc); docs/api.md, "Staff accounts and sessions".
//
// Accounts file (YAML, mode 0600, rewritten whole and renamed into place):
//   accounts:
//     - principal: cb1                  # recorded as the actor in history, as with tokens
//       name: "Nguyễn Thị Lan"          # shown in the console
//       roles: [counter]
//       agencies: ["000.17.22.H56"]     # and the units below them; "*" = every agency
//       password: "$argon2id$v=19$m=65536,t=2,p=1$..."
//       disabled: false

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/common/status.h"

namespace motcua::http {

struct Account {
  std::string principal;
  std::string name;
  std::vector<std::string> roles;
  std::vector<std::string> agencies;
  std::string password_hash;  // crypto_pwhash_str's encoded Argon2id hash
  bool disabled = false;
};

// Passwords: 10 to 128 bytes of UTF-8 (a passphrase is welcome; the bound keeps hashing cheap
// to refuse).
constexpr size_t kMinPasswordBytes = 10;
constexpr size_t kMaxPasswordBytes = 128;

class AccountStore {
 public:
  // Loads the accounts file; a missing file is an empty store. Errors name the file and entry.
  static Result<std::shared_ptr<const AccountStore>> Load(const std::string& path);
  // The account of `principal`, disabled or not; null when there is none.
  const Account* Find(const std::string& principal) const;
  size_t size() const { return by_principal_.size(); }
  const std::map<std::string, Account>& all() const { return by_principal_; }

 private:
  std::map<std::string, Account> by_principal_;
};

// The Argon2id hash of a password within the bounds above (InvalidArgument otherwise).
Result<std::string> HashPassword(const std::string& password);
// Whether `password` matches `hash`. Slow on purpose; with an empty hash (no such account) it
// checks against a fixed hash, so that an unknown principal takes as long as a known one.
bool VerifyPassword(const std::string& hash, const std::string& password);

// Edits of the accounts file (created when missing).
Status AddAccount(const std::string& path, Account account, const std::string& password);
Status SetPassword(const std::string& path, const std::string& principal,
                   const std::string& password);
Status SetDisabled(const std::string& path, const std::string& principal, bool disabled);
Result<std::vector<Account>> ListAccounts(const std::string& path);

}  // namespace motcua::http
