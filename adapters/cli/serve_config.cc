// `motcua serve`'s configuration file (serve_config.h).

#include "adapters/cli/serve_config.h"

#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <iostream>
#include <set>

#include "engine/calendar/work_duration.h"

namespace motcua::cli {

// Reads the config file; every key is known, every value typed, errors say file:line.
bool LoadConfig(const std::string& path, ServeConfig* c) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    std::cerr << path << ":" << e.mark.line + 1 << ":" << e.mark.column + 1 << ": " << e.msg
              << "\n";
    return false;
  }
  static const std::set<std::string> kKeys = {"listen",
                                              "data",
                                              "definitions",
                                              "tokens",
                                              "accounts",
                                              "session_idle_minutes",
                                              "session_hours",
                                              "threads",
                                              "stream_threads",
                                              "body_bytes",
                                              "header_bytes",
                                              "read_timeout_seconds",
                                              "idle_timeout_seconds",
                                              "max_connections",
                                              "ws_message_bytes",
                                              "ws_queue",
                                              "ws_per_principal",
                                              "min_free_disk_mb",
                                              "public_lookups_per_minute",
                                              "public_reads_per_minute",
                                              "shutdown_grace_seconds",
                                              "log_requests",
                                              "record_cache_entries",
                                              "store",
                                              "postgres_dsn",
                                              "block_cache_mb",
                                              "memtable_mb",
                                              "cors_origins",
                                              "nearly_due",
                                              "pdf_renderer",
                                              "pdf_timeout_seconds",
                                              "subscriptions",
                                              "delivery_lag_bound_seconds",
                                              "max_file_mb",
                                              "upload_timeout_seconds",
                                              "upload_memory_mb",
                                              "backup_dir",
                                              "trusted_proxies",
                                              "development_token",
                                              "log_format",
                                              "forwarded_header",
                                              "audit_checkpoint_minutes",
                                              "backup_every_minutes",
                                              "backup_keep",
                                              "clock"};
  bool ok = true;
  for (const auto& kv : root) {
    const std::string key = kv.first.as<std::string>();
    const auto where = path + ":" + std::to_string(kv.first.Mark().line + 1) + ":" +
                       std::to_string(kv.first.Mark().column + 1) + ": ";
    if (!kKeys.count(key)) {
      std::cerr << where << "unknown setting '" << key << "'\n";
      ok = false;
      continue;
    }
    try {
      if (key == "listen") c->listen = kv.second.as<std::string>();
      if (key == "data") c->data = kv.second.as<std::string>();
      if (key == "definitions") c->definitions = kv.second.as<std::string>();
      if (key == "tokens") c->tokens = kv.second.as<std::string>();
      if (key == "accounts") c->accounts = kv.second.as<std::string>();
      if (key == "session_idle_minutes") {
        c->api.sessions.idle_seconds = int64_t{kv.second.as<int>()} * 60;
      }
      if (key == "session_hours") c->api.sessions.max_seconds = int64_t{kv.second.as<int>()} * 3600;
      if (key == "threads") c->server.threads = kv.second.as<int>();
      if (key == "stream_threads") c->server.stream_threads = kv.second.as<int>();
      if (key == "body_bytes") c->server.body_limit = kv.second.as<size_t>();
      if (key == "header_bytes") c->server.header_limit = kv.second.as<size_t>();
      if (key == "read_timeout_seconds") c->server.read_timeout_seconds = kv.second.as<int>();
      if (key == "idle_timeout_seconds") c->server.idle_timeout_seconds = kv.second.as<int>();
      if (key == "max_connections") c->server.max_connections = kv.second.as<size_t>();
      if (key == "ws_message_bytes") c->server.ws_message_limit = kv.second.as<size_t>();
      if (key == "ws_queue") c->server.ws_queue_limit = kv.second.as<size_t>();
      if (key == "ws_per_principal") c->server.ws_per_principal = kv.second.as<size_t>();
      if (key == "shutdown_grace_seconds") c->server.shutdown_grace_seconds = kv.second.as<int>();
      if (key == "log_requests") c->server.log_requests = kv.second.as<bool>();
      if (key == "min_free_disk_mb") c->api.min_free_disk_bytes = kv.second.as<uint64_t>() << 20;
      if (key == "public_lookups_per_minute")
        c->api.public_lookups_per_minute = kv.second.as<int>();
      if (key == "public_reads_per_minute") c->api.public_reads_per_minute = kv.second.as<int>();
      if (key == "record_cache_entries") c->store.record_cache_entries = kv.second.as<size_t>();
      if (key == "store") {
        c->store_kind = kv.second.as<std::string>();
        if (c->store_kind != "rocksdb" && c->store_kind != "postgres") {
          std::cerr << where << "store: expected rocksdb or postgres, got '" << c->store_kind
                    << "'\n";
          ok = false;
        }
      }
      if (key == "postgres_dsn") c->postgres_dsn = kv.second.as<std::string>();
      if (key == "block_cache_mb" || key == "memtable_mb") {
        const int64_t mb = kv.second.as<int64_t>();
        const int64_t least = key == "memtable_mb" ? 96 : 8;  // 10 families of 8 MB memtables
        if (mb < least || mb > 65536) {
          std::cerr << where << key << ": expected " << least << "..65536 (MiB)\n";
          ok = false;
        } else if (key == "block_cache_mb") {
          c->store.block_cache_bytes = static_cast<size_t>(mb) << 20;
        } else {
          c->store.memtable_bytes = static_cast<size_t>(mb) << 20;
        }
      }
      if (key == "cors_origins") c->api.cors_origins = kv.second.as<std::vector<std::string>>();
      if (key == "pdf_renderer") {
        c->pdf_renderer = kv.second.as<std::string>();
        if (access(c->pdf_renderer.c_str(), X_OK) != 0) {
          std::cerr << where << "pdf_renderer: '" << c->pdf_renderer
                    << "' is not an executable file (a headless browser: /usr/bin/chromium)\n";
          ok = false;
        }
      }
      if (key == "subscriptions") c->subscriptions = kv.second.as<std::string>();
      if (key == "delivery_lag_bound_seconds") {
        c->api.delivery_lag_bound_seconds = kv.second.as<int>();
        if (c->api.delivery_lag_bound_seconds < 1) {
          std::cerr << where << "delivery_lag_bound_seconds: expected a positive number\n";
          ok = false;
        }
      }
      if (key == "max_file_mb") {
        const int64_t mb = kv.second.as<int64_t>();
        if (mb < 1 || mb > 1024) {
          std::cerr << where << "max_file_mb: expected 1..1024 (MiB a file)\n";
          ok = false;
        } else {
          c->api.max_file_bytes = static_cast<uint64_t>(mb) << 20;
          c->server.max_file_bytes = c->api.max_file_bytes;
        }
      }
      if (key == "upload_timeout_seconds") {
        c->server.upload_timeout_seconds = kv.second.as<int>();
        if (c->server.upload_timeout_seconds < 1 || c->server.upload_timeout_seconds > 3600) {
          std::cerr << where << "upload_timeout_seconds: expected 1..3600\n";
          ok = false;
        }
      }
      if (key == "upload_memory_mb") {
        const int64_t mb = kv.second.as<int64_t>();
        if (mb < 1) {
          std::cerr << where << "upload_memory_mb: expected a positive number of MiB\n";
          ok = false;
        } else {
          c->server.upload_memory_bytes = static_cast<uint64_t>(mb) << 20;
        }
      }
      if (key == "backup_dir") c->backup.dir = kv.second.as<std::string>();
      if (key == "development_token") c->development_token = kv.second.as<bool>();
      if (key == "forwarded_header") {
        const std::string h = kv.second.as<std::string>();
        if (h == "x-forwarded-for" || h == "forwarded") {
          c->api.forwarded_header = h == "forwarded" ? http::ForwardedHeader::kForwarded
                                                     : http::ForwardedHeader::kXForwardedFor;
        } else {
          std::cerr << where << "forwarded_header: expected x-forwarded-for or forwarded, found '"
                    << h << "'\n";
          ok = false;
        }
      }
      if (key == "log_format") {
        c->log_format = kv.second.as<std::string>();
        if (c->log_format != "text" && c->log_format != "json") {
          std::cerr << where << "log_format: expected text or json, found '" << c->log_format
                    << "'\n";
          ok = false;
        }
      }
      if (key == "trusted_proxies") {
        std::string bad;
        std::optional<http::TrustedProxies> t =
            http::TrustedProxies::Parse(kv.second.as<std::vector<std::string>>(), &bad);
        if (!t) {
          std::cerr << where << "trusted_proxies: '" << bad
                    << "' is not an address or a network (\"10.0.0.5\", \"10.0.0.0/8\", "
                       "\"fd00::/8\")\n";
          ok = false;
        } else {
          c->api.trusted_proxies = std::move(*t);
        }
      }
      if (key == "audit_checkpoint_minutes") {
        c->audit_checkpoint_minutes = kv.second.as<int>();
        if (c->audit_checkpoint_minutes < 1) {
          std::cerr << where << "audit_checkpoint_minutes: expected a positive number of minutes\n";
          ok = false;
        }
      }
      if (key == "backup_every_minutes") {
        c->backup.every_minutes = kv.second.as<int>();
        if (c->backup.every_minutes < 1) {
          std::cerr << where << "backup_every_minutes: expected a positive number of minutes\n";
          ok = false;
        }
      }
      if (key == "backup_keep") {
        c->backup.keep = kv.second.as<int>();
        if (c->backup.keep < 0) {
          std::cerr << where << "backup_keep: expected how many backups to keep (0: all)\n";
          ok = false;
        }
      }
      if (key == "pdf_timeout_seconds") {
        c->pdf_timeout_seconds = kv.second.as<int>();
        if (c->pdf_timeout_seconds < 1 || c->pdf_timeout_seconds > 600) {
          std::cerr << where << "pdf_timeout_seconds: expected 1..600\n";
          ok = false;
        }
      }
      if (key == "clock") {
        c->clock = kv.second.as<std::string>();
        if (c->clock != "system" && c->clock != "manual") {
          std::cerr << where << "clock: expected system or manual, found '" << c->clock << "'\n";
          ok = false;
        }
      }
      if (key == "nearly_due") {
        const std::string text = kv.second.as<std::string>();
        std::optional<WorkDuration> d = ParseWorkDuration(text);
        if (!d || d->thousandths <= 0) {
          std::cerr << where
                    << "nearly_due: expected a working duration like \"1 WD\" or \"4 WH\", "
                    << "found '" << text << "'\n";
          ok = false;
        } else {
          c->service.engine.nearly_due = *d;
          c->api.nearly_due = *d;
        }
      }
    } catch (const YAML::Exception&) {
      std::cerr << where << "'" << key << "' has the wrong type\n";
      ok = false;
    }
  }
  if (c->server.upload_memory_bytes < c->server.max_file_bytes) {
    std::cerr << path << ": upload_memory_mb (" << (c->server.upload_memory_bytes >> 20)
              << ") must be at least max_file_mb (" << (c->server.max_file_bytes >> 20)
              << "): one upload of the largest file must fit\n";
    ok = false;
  }
  if (c->store_kind == "postgres" && c->postgres_dsn.empty()) {
    std::cerr << path << ": store: postgres needs postgres_dsn, the database's connection string "
              << "(\"host=db1,db2 dbname=motcua target_session_attrs=read-write\")\n";
    ok = false;
  }
  return ok;
}

}  // namespace motcua::cli
