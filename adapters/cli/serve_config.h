#pragma once
// `motcua serve`'s configuration file (README.md, "Configuration"): every key known, every value
// typed, every error with file:line.

#include <string>

#include "adapters/http/api.h"
#include "adapters/http/server.h"
#include "adapters/rocksdb/rocks_store.h"
#include "adapters/runtime/dossier_service.h"

namespace motcua::cli {

struct ServeConfig {
  std::string listen = "127.0.0.1:8080";
  std::string data = "./data";
  std::string definitions = "definitions";
  std::string tokens;    // Default: <data>/tokens.yaml
  std::string accounts;  // Default: <data>/accounts.yaml (staff accounts for console sign-in)
  http::ServerOptions server;
  http::ApiOptions api;
  ServiceOptions service;
  // The store: "rocksdb" (embedded, in <data>/db) or "postgres" (the database `postgres_dsn`
  // names, docs/storage.md "PostgreSQL").
  std::string store_kind = "rocksdb";  // Default: rocksdb
  std::string postgres_dsn;            // libpq's connection string or URI
  RocksStoreOptions store;
  std::string clock = "system";  // system | manual (a training system)
  std::string pdf_renderer;      // a headless browser for the forms' ?format=pdf; empty: none
  int pdf_timeout_seconds = 30;
  // Outbound delivery (docs/delivery.md): the subscriptions file; empty: no delivery.
  std::string subscriptions;
  // "text" (a line per message) or "json" (an object per line: adapters/cli/json_log.h).
  std::string log_format = "text";
  // A development token (every role, every agency) made and printed when the tokens file is
  // missing; off (the package's configuration): an empty tokens file instead.
  bool development_token = true;  // Default: true
  // How often the global hash chain's head is checkpointed (and logged): docs/storage.md.
  int audit_checkpoint_minutes = 60;  // Default: hourly
  // Scheduled backups (docs/operations.md, "Backups"): every `every_minutes` into `dir`, the
  // last `keep` kept. No directory: none scheduled (`motcua backup` still makes them).
  struct Backup {
    std::string dir;
    int every_minutes = 1440;  // Default: daily
    int keep = 7;              // Default: a week of daily backups
  } backup;
};

// Reads `path` into `c`; false after printing every problem.
bool LoadConfig(const std::string& path, ServeConfig* c);

}  // namespace motcua::cli
