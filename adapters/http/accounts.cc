// Staff accounts (accounts.h): the accounts file, Argon2id password hashes through libsodium.

#include "adapters/http/accounts.h"

#include <sodium.h>

#include <filesystem>

#include "adapters/http/secret_file.h"

namespace motcua::http {

namespace {

constexpr const char* kAccountsComment =
    "motcua staff accounts: passwords are stored only as Argon2id hashes.";

bool SodiumReady() {
  static const bool ready = sodium_init() >= 0;
  return ready;
}

std::vector<std::string> Strings(const YAML::Node& n) {
  std::vector<std::string> out;
  if (n && n.IsSequence()) {
    for (const auto& x : n) out.push_back(x.as<std::string>());
  }
  return out;
}

// The file's root, or an empty one when the file does not exist yet.
Result<YAML::Node> LoadOrEmpty(const std::string& path) {
  if (!std::filesystem::exists(path)) return YAML::Node(YAML::NodeType::Map);
  return LoadSecretFile(path);
}

// The entry of `principal` in the file's list, or an undefined node.
YAML::Node EntryOf(YAML::Node& root, const std::string& principal) {
  for (YAML::Node a : root["accounts"]) {
    if (a["principal"] && a["principal"].as<std::string>() == principal) return a;
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

}  // namespace

Result<std::shared_ptr<const AccountStore>> AccountStore::Load(const std::string& path) {
  auto store = std::make_shared<AccountStore>();
  ASSIGN_OR_RETURN(YAML::Node root, LoadOrEmpty(path));
  if (!root.IsMap() && !root.IsNull()) {
    return InvalidArgument(path + ": expected a map with an 'accounts' list");
  }
  YAML::Node accounts = root["accounts"];
  if (accounts && !accounts.IsSequence()) {
    return InvalidArgument(path + ": 'accounts' must be a list");
  }
  int i = 0;
  for (const auto& n : accounts) {
    const std::string where =
        path + ":" + std::to_string(n.Mark().line + 1) + ": accounts[" + std::to_string(i++) + "]";
    try {
      for (const char* key : {"principal", "roles", "agencies", "password"}) {
        if (!n[key]) {
          return InvalidArgument(where + ": missing '" + key +
                                 "' (each account needs principal, roles, agencies and password)");
        }
      }
      Account a;
      a.principal = n["principal"].as<std::string>();
      a.name = n["name"] ? n["name"].as<std::string>() : a.principal;
      a.roles = Strings(n["roles"]);
      a.agencies = Strings(n["agencies"]);
      a.password_hash = n["password"].as<std::string>();
      a.disabled = n["disabled"] && n["disabled"].as<bool>();
      if (a.password_hash.rfind("$argon2id$", 0) != 0) {
        return InvalidArgument(where + ".password: expected an Argon2id hash ($argon2id$...); " +
                               "set passwords with `motcua account passwd`");
      }
      if (store->by_principal_.count(a.principal)) {
        return InvalidArgument(where + ": principal '" + a.principal + "' is listed twice");
      }
      store->by_principal_[a.principal] = std::move(a);
    } catch (const YAML::Exception& e) {
      return InvalidArgument(where + ": " + e.msg);
    }
  }
  return std::shared_ptr<const AccountStore>(std::move(store));
}

const Account* AccountStore::Find(const std::string& principal) const {
  auto it = by_principal_.find(principal);
  return it == by_principal_.end() ? nullptr : &it->second;
}

Result<std::string> HashPassword(const std::string& password) {
  if (password.size() < kMinPasswordBytes || password.size() > kMaxPasswordBytes) {
    return InvalidArgument("a password has " + std::to_string(kMinPasswordBytes) + " to " +
                           std::to_string(kMaxPasswordBytes) + " bytes; this one has " +
                           std::to_string(password.size()));
  }
  if (!SodiumReady()) return Internal("libsodium did not initialise");
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(),
                            crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Internal("out of memory hashing a password");
  }
  return std::string(out);
}

bool VerifyPassword(const std::string& hash, const std::string& password) {
  if (!SodiumReady() || password.size() > kMaxPasswordBytes) return false;
  // An unknown principal costs a check too, against a hash made once.
  static const std::string kDecoy = [] {
    Result<std::string> h = HashPassword("decoy password, never valid");
    return h.ok() ? *h : std::string();
  }();
  const std::string& against = hash.empty() ? kDecoy : hash;
  if (against.empty() || against.size() >= crypto_pwhash_STRBYTES) return false;
  const bool ok = crypto_pwhash_str_verify(against.c_str(), password.data(), password.size()) == 0;
  return ok && !hash.empty();
}

Status AddAccount(const std::string& path, Account account, const std::string& password) {
  if (account.principal.empty()) return InvalidArgument("an account needs a principal");
  ASSIGN_OR_RETURN(YAML::Node root, LoadOrEmpty(path));
  if (EntryOf(root, account.principal)) {
    return InvalidArgument("account '" + account.principal + "' exists already in " + path +
                           " (motcua account passwd changes its password)");
  }
  ASSIGN_OR_RETURN(std::string hash, HashPassword(password));
  YAML::Node n;
  n["principal"] = account.principal;
  n["name"] = account.name.empty() ? account.principal : account.name;
  n["roles"] = account.roles;
  n["agencies"] = account.agencies;
  n["password"] = hash;
  n["disabled"] = false;
  root["accounts"].push_back(n);
  return SaveSecretFile(path, root, kAccountsComment);
}

Status SetPassword(const std::string& path, const std::string& principal,
                   const std::string& password) {
  ASSIGN_OR_RETURN(YAML::Node root, LoadOrEmpty(path));
  YAML::Node n = EntryOf(root, principal);
  if (!n) return NotFound("no account '" + principal + "' in " + path);
  ASSIGN_OR_RETURN(std::string hash, HashPassword(password));
  n["password"] = hash;
  return SaveSecretFile(path, root, kAccountsComment);
}

Status SetDisabled(const std::string& path, const std::string& principal, bool disabled) {
  ASSIGN_OR_RETURN(YAML::Node root, LoadOrEmpty(path));
  YAML::Node n = EntryOf(root, principal);
  if (!n) return NotFound("no account '" + principal + "' in " + path);
  n["disabled"] = disabled;
  return SaveSecretFile(path, root, kAccountsComment);
}

Result<std::vector<Account>> ListAccounts(const std::string& path) {
  ASSIGN_OR_RETURN(std::shared_ptr<const AccountStore> store, AccountStore::Load(path));
  ASSIGN_OR_RETURN(YAML::Node root, LoadOrEmpty(path));
  std::vector<Account> out;
  for (const auto& n : root["accounts"]) {
    if (const Account* a = store->Find(n["principal"].as<std::string>())) out.push_back(*a);
  }
  return out;
}

}  // namespace motcua::http
