#pragma once
// The PostgreSQL server of the pg_store_tests binary (ctest runs it as one test, so the server
// starts once): each test makes a database of its own on it.

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>

#include "adapters/postgres/pg_store.h"
#include "tests/adapters/postgres/temp_postgres.h"

namespace motcua::testing {

inline TempPostgres& Server() {
  static std::unique_ptr<TempPostgres> server = [] {
    std::string error;
    std::unique_ptr<TempPostgres> pg = TempPostgres::Start(&error);
    if (!pg) {
      std::fprintf(stderr, "cannot start PostgreSQL for the tests: %s\n", error.c_str());
      std::exit(1);
    }
    return pg;
  }();
  return *server;
}

// A new, empty database.
inline std::string FreshDatabase() {
  static std::atomic<int> n{0};
  const std::string name = "t" + std::to_string(::getpid()) + "_" + std::to_string(++n);
  std::string error;
  EXPECT_TRUE(Server().Psql("CREATE DATABASE " + name, &error)) << error;
  return name;
}

inline void DropDatabase(const std::string& name) {
  std::string error;
  EXPECT_TRUE(Server().Psql("DROP DATABASE " + name + " WITH (FORCE)", &error)) << error;
}

inline PgStoreOptions On(const std::string& db) {
  PgStoreOptions o;
  o.dsn = Server().Dsn(db);
  return o;
}

// Opens the store at `dsn` for writing, waiting (5 s at most) for a writer that just went (a
// process killed, a store closed) to let go of the writer's lock as the server sees it gone.
inline Result<std::unique_ptr<PgStore>> OpenWhenUnlocked(const std::string& dsn) {
  PgStoreOptions o;
  o.dsn = dsn;
  for (int i = 0;; ++i) {
    Result<std::unique_ptr<PgStore>> s = PgStore::Open(o);
    if (s.ok() || i == 100 ||
        s.status().message().find("another motcua server") == std::string::npos) {
      return s;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace motcua::testing
