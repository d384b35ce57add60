// `motcua token add|revoke|list`: bearer tokens added, revoked and listed from the command line,
// roles and agencies checked against the definitions in use.

#include <cstdio>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "adapters/cli/credentials.h"
#include "adapters/cli/serve.h"
#include "adapters/http/auth.h"
#include "adapters/yaml/definition_loader.h"
#include "engine/common/strings.h"
#include "engine/definition/catalog.h"

namespace motcua::cli {

// "a, b ,c" → {a, b, c}: split on commas, each part trimmed, empty parts dropped.
std::vector<std::string> SplitList(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t c = s.find(',', start);
    std::string part = s.substr(start, c == std::string::npos ? std::string::npos : c - start);
    const size_t a = part.find_first_not_of(" \t");
    const size_t b = part.find_last_not_of(" \t");
    part = a == std::string::npos ? std::string() : part.substr(a, b - a + 1);
    if (!part.empty()) out.push_back(part);
    if (c == std::string::npos) break;
    start = c + 1;
  }
  return out;
}

int CheckRolesAndAgencies(const std::string& definitions_dir, const std::vector<std::string>& roles,
                          const std::vector<std::string>& agencies) {
  const std::string& dir = definitions_dir;
  DefinitionSet set = LoadDefinitions(dir);
  if (!set.ok()) {
    std::fprintf(stderr,
                 "cannot check the roles and agencies: the definitions at %s do not load "
                 "(motcua check %s); give the right ones with --definitions\n",
                 dir.c_str(), dir.c_str());
    return 1;
  }
  std::set<std::string> known = {"integrator", "manager", "auditor", "admin"};
  for (const auto& p : set.procedures) {
    for (const auto& r : p->roles) known.insert(r.id);
  }
  for (const std::string& r : roles) {
    if (!known.count(r)) {
      std::vector<std::string> all(known.begin(), known.end());
      std::fprintf(stderr, "unknown role '%s'; the definitions and the API know: %s\n", r.c_str(),
                   Join(all).c_str());
      return 1;
    }
  }
  for (const std::string& a : agencies) {
    if (a != "*" && set.agencies.Find(a) == nullptr) {
      std::fprintf(stderr,
                   "unknown agency '%s'; give registry codes (definitions/agencies/, GET "
                   "/v1/agencies) or \"*\"\n",
                   a.c_str());
      return 1;
    }
  }
  return 0;
}

int Token(int argc, char** argv) {
  bool help = false;
  for (int i = 2; i < argc; ++i)
    help = help || !std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h");
  if (argc < 3 || help) {
    std::fprintf(help ? stdout : stderr,
                 "usage: motcua token add --tokens FILE --principal ID --roles a,b --agencies X,Y\n"
                 "                        [--definitions DIR]\n"
                 "       motcua token revoke --tokens FILE --principal ID\n"
                 "       motcua token list --tokens FILE\n"
                 "  Roles are those of the definitions (default ./definitions) and integrator,\n"
                 "  manager, auditor, admin; agencies are registry codes or \"*\". A running\n"
                 "  server watches the tokens file: changes are in force within a second.\n");
    return help ? 0 : 2;
  }
  const std::string verb = argv[2];
  std::map<std::string, std::string> flags;
  for (int i = 3; i + 1 < argc; i += 2) flags[std::string(argv[i]).substr(2)] = argv[i + 1];
  const std::string file = flags.count("tokens") ? flags["tokens"] : "./data/tokens.yaml";
  if (verb == "add") {
    http::TokenSpec spec{flags["principal"], SplitList(flags["roles"]),
                         SplitList(flags["agencies"])};
    if (spec.principal.empty() || spec.roles.empty() || spec.agencies.empty()) {
      std::fprintf(stderr, "token add needs --principal, --roles and --agencies\n");
      return 2;
    }
    // Roles and agencies must mean something: those of the definitions in use.
    if (int rc =
            CheckRolesAndAgencies(flags.count("definitions") ? flags["definitions"] : "definitions",
                                  spec.roles, spec.agencies)) {
      return rc;
    }
    Result<std::string> secret = http::AddToken(file, spec);
    if (!secret.ok()) {
      std::fprintf(stderr, "%s\n", secret.status().message().c_str());
      return 1;
    }
    std::printf("%s\n", secret->c_str());
    std::fprintf(stderr,
                 "token for %s (roles %s; agencies %s) added to %s; the secret above is not "
                 "stored anywhere. A running server picks it up within a second.\n",
                 spec.principal.c_str(), Join(spec.roles).c_str(), Join(spec.agencies).c_str(),
                 file.c_str());
    return 0;
  }
  if (verb == "revoke") {
    Result<http::Revocation> r = http::RevokeTokens(file, flags["principal"]);
    if (!r.ok()) {
      std::fprintf(stderr, "%s\n", r.status().message().c_str());
      return 1;
    }
    const std::string& who = flags["principal"];
    if (r->revoked > 0) {
      std::printf(
          "revoked %d token(s) of %s; a running server refuses them, and closes their "
          "streams, within a second\n",
          r->revoked, who.c_str());
      return 0;
    }
    if (r->already_revoked > 0) {
      std::printf("%s has no active token: its %d token(s) were already revoked\n", who.c_str(),
                  r->already_revoked);
      return 0;
    }
    std::fprintf(stderr, "%s has no token in %s\n", who.c_str(), file.c_str());
    return 1;
  }
  if (verb == "list") {
    Result<std::vector<http::TokenEntry>> list = http::ListTokens(file);
    if (!list.ok()) {
      std::fprintf(stderr, "%s\n", list.status().message().c_str());
      return 1;
    }
    for (const http::TokenEntry& t : *list) {
      std::printf("%-16s %-8s sha256:%.12s  roles: %s  agencies: %s\n", t.principal.c_str(),
                  t.revoked ? "revoked" : "active", t.sha256.c_str(), Join(t.roles).c_str(),
                  Join(t.agencies).c_str());
    }
    return 0;
  }
  std::fprintf(stderr, "unknown token command '%s' (add, revoke, list)\n", verb.c_str());
  return 2;
}

}  // namespace motcua::cli
