// `motcua account add|passwd|disable|enable|list`: staff accounts for the web console, with
// passwords read from standard input (without echo on a terminal) and stored as Argon2id hashes.

#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>
#include <string>

#include "adapters/cli/credentials.h"
#include "adapters/cli/serve.h"
#include "adapters/http/accounts.h"
#include "engine/common/strings.h"

namespace motcua::cli {

namespace {

// One line of standard input; on a terminal, prompted and not echoed.
std::string ReadPassword(const char* prompt) {
  const bool tty = isatty(STDIN_FILENO);
  termios saved{};
  if (tty) {
    std::fprintf(stderr, "%s", prompt);
    tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  std::getline(std::cin, line);
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::fprintf(stderr, "\n");
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

// The new password: on a terminal asked twice, the two must agree; from a pipe, one line.
bool NewPassword(std::string* out) {
  *out = ReadPassword("new password: ");
  if (isatty(STDIN_FILENO) && ReadPassword("again: ") != *out) {
    std::fprintf(stderr, "the two passwords differ; nothing changed\n");
    return false;
  }
  return true;
}

int Failed(const Status& s) {
  std::fprintf(stderr, "%s\n", s.message().c_str());
  return 1;
}

}  // namespace

int Account(int argc, char** argv) {
  bool help = false;
  for (int i = 2; i < argc; ++i)
    help = help || !std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h");
  if (argc < 3 || help) {
    std::fprintf(
        help ? stdout : stderr,
        "usage: motcua account add --accounts FILE --principal ID --name NAME --roles a,b\n"
        "                          --agencies X,Y [--definitions DIR]\n"
        "       motcua account passwd --accounts FILE --principal ID\n"
        "       motcua account disable|enable --accounts FILE --principal ID\n"
        "       motcua account list --accounts FILE\n"
        "  Staff accounts for the web console (default file ./data/accounts.yaml). add and\n"
        "  passwd read the password from standard input (asked twice, not echoed, on a\n"
        "  terminal): 10 to 128 bytes, stored only as an Argon2id hash. Roles and agencies as\n"
        "  for tokens. A running server watches the file: changes are in force within a\n"
        "  second, and a disabled account's sessions end.\n");
    return help ? 0 : 2;
  }
  const std::string verb = argv[2];
  std::map<std::string, std::string> flags;
  for (int i = 3; i + 1 < argc; i += 2) flags[std::string(argv[i]).substr(2)] = argv[i + 1];
  const std::string file = flags.count("accounts") ? flags["accounts"] : "./data/accounts.yaml";
  const std::string& principal = flags["principal"];
  if (verb != "list" && principal.empty()) {
    std::fprintf(stderr, "account %s needs --principal\n", verb.c_str());
    return 2;
  }
  if (verb == "add") {
    http::Account a;
    a.principal = principal;
    a.name = flags["name"];
    a.roles = SplitList(flags["roles"]);
    a.agencies = SplitList(flags["agencies"]);
    if (a.name.empty() || a.roles.empty() || a.agencies.empty()) {
      std::fprintf(stderr, "account add needs --name, --roles and --agencies\n");
      return 2;
    }
    if (int rc =
            CheckRolesAndAgencies(flags.count("definitions") ? flags["definitions"] : "definitions",
                                  a.roles, a.agencies)) {
      return rc;
    }
    std::string password;
    if (!NewPassword(&password)) return 1;
    if (Status s = http::AddAccount(file, a, password); !s.ok()) return Failed(s);
    std::printf("account %s (%s; roles %s; agencies %s) added to %s\n", principal.c_str(),
                a.name.c_str(), Join(a.roles).c_str(), Join(a.agencies).c_str(), file.c_str());
    return 0;
  }
  if (verb == "passwd") {
    std::string password;
    if (!NewPassword(&password)) return 1;
    if (Status s = http::SetPassword(file, principal, password); !s.ok()) return Failed(s);
    std::printf("password of %s changed\n", principal.c_str());
    return 0;
  }
  if (verb == "disable" || verb == "enable") {
    if (Status s = http::SetDisabled(file, principal, verb == "disable"); !s.ok()) {
      return Failed(s);
    }
    std::printf("account %s %sd; a running server applies it within a second\n", principal.c_str(),
                verb.c_str());
    return 0;
  }
  if (verb == "list") {
    Result<std::vector<http::Account>> list = http::ListAccounts(file);
    if (!list.ok()) return Failed(list.status());
    for (const http::Account& a : *list) {
      std::printf("%-16s %-8s %s  roles: %s  agencies: %s\n", a.principal.c_str(),
                  a.disabled ? "disabled" : "active", a.name.c_str(), Join(a.roles).c_str(),
                  Join(a.agencies).c_str());
    }
    return 0;
  }
  std::fprintf(stderr, "unknown account command '%s' (add, passwd, disable, enable, list)\n",
               verb.c_str());
  return 2;
}

}  // namespace motcua::cli
