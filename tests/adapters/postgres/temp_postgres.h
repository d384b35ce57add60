#pragma once
// A PostgreSQL server of a test's own: initdb and pg_ctl (Debian's postgresql package) in a
// temporary directory, listening only on a Unix socket there, stopped and removed at the end.
// As root the server runs as the `postgres` user (initdb refuses root).

#include <glob.h>
#include <pwd.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

namespace motcua::testing {

class TempPostgres {
 public:
  // Starts a server; null with the reason in *error when it cannot.
  static std::unique_ptr<TempPostgres> Start(std::string* error) {
    std::unique_ptr<TempPostgres> pg(new TempPostgres());
    glob_t g{};
    if (::glob("/usr/lib/postgresql/*/bin/initdb", 0, nullptr, &g) != 0 || g.gl_pathc == 0) {
      *error =
          "PostgreSQL is not installed (/usr/lib/postgresql/*/bin/initdb): "
          "apt-get install postgresql (scripts/setup.sh does with MOTCUA_TEST_TOOLS)";
      ::globfree(&g);
      return nullptr;
    }
    pg->bin_ = std::filesystem::path(g.gl_pathv[g.gl_pathc - 1]).parent_path().string();
    ::globfree(&g);
    char tmpl[] = "/tmp/motcua-pg-test.XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) {
      *error = "mkdtemp failed";
      return nullptr;
    }
    pg->dir_ = tmpl;
    if (::geteuid() == 0) {
      const passwd* pw = ::getpwnam("postgres");
      if (pw == nullptr || ::chown(pg->dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
        *error = "running as root needs the postgres user (apt-get install postgresql)";
        return nullptr;
      }
      pg->as_ = "runuser -u postgres -- ";
    }
    if (!pg->Run("initdb -D " + pg->dir_ + "/db -A trust -U postgres --no-sync", error) ||
        !pg->StartServer(error)) {
      return nullptr;
    }
    return pg;
  }

  ~TempPostgres() {
    std::string ignored;
    Run("pg_ctl -D " + dir_ + "/db -m immediate -w stop", &ignored);
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // A connection string to database `db` of this server.
  std::string Dsn(const std::string& db = "postgres") const {
    return "host=" + dir_ + " port=5432 user=postgres dbname=" + db;
  }
  // Runs SQL through psql on database postgres; false with psql's output in *error.
  bool Psql(const std::string& sql, std::string* error) {
    return Run(
        "psql -X -q -v ON_ERROR_STOP=1 -h " + dir_ + " -U postgres -d postgres -c \"" + sql + "\"",
        error);
  }
  // Stops the server at once, as a crash would (SIGQUIT to every process: no checkpoint), and
  // starts it again: what was committed must be there.
  bool Crash(std::string* error) {
    return Run("pg_ctl -D " + dir_ + "/db -m immediate -w stop", error) && StartServer(error);
  }
  bool Stop(std::string* error) { return Run("pg_ctl -D " + dir_ + "/db -m fast -w stop", error); }
  bool StartServer(std::string* error) {
    return Run("pg_ctl -D " + dir_ + "/db -w -l " + dir_ + "/log -o \"-p 5432 -k " + dir_ +
                   " -c listen_addresses=''\" start",
               error);
  }
  const std::string& dir() const { return dir_; }

 private:
  TempPostgres() = default;
  // Runs one of PostgreSQL's programs (as the postgres user when root); its output in *error.
  bool Run(const std::string& command, std::string* error) {
    const std::string full = as_ + bin_ + "/" + command + " 2>&1";
    FILE* p = ::popen(full.c_str(), "r");
    if (p == nullptr) {
      *error = "cannot run " + full;
      return false;
    }
    std::string out;
    char buf[512];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    const int status = ::pclose(p);
    if (status != 0) {
      *error = full + " failed: " + out;
      return false;
    }
    return true;
  }
  std::string bin_;
  std::string dir_;
  std::string as_;
};

}  // namespace motcua::testing
