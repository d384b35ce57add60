// The PostgreSQL store as rows (adapters/rocksdb/store_rows.h): what `motcua copy` reads from it
// (one REPEATABLE READ transaction: a snapshot) and writes into it (one transaction a call).

#include <utility>

#include "adapters/postgres/pg_store.h"
#include "adapters/rocksdb/chain.h"
#include "adapters/rocksdb/rocks_store.h"

namespace motcua {

namespace {

constexpr int kFetch = 5000;

// Every table: its rows in key order, and how a result row becomes a StoreRow.
struct TableScan {
  const char* select;
  void (*row)(const pg::Rows& r, int i, StoreRow* out);
};

const TableScan kScans[] = {
    {"SELECT key, value FROM motcua_settings ORDER BY key",
     [](const pg::Rows& r, int i, StoreRow* o) {
       o->table = RowTable::kSetting;
       o->key = r.bytes(i, 0);
       o->value = r.bytes(i, 1);
     }},
    {"SELECT id, record FROM dossiers ORDER BY id",
     [](const pg::Rows& r, int i, StoreRow* o) {
       o->table = RowTable::kDossier;
       o->key = r.bytes(i, 0);
       o->value = r.bytes(i, 1);
     }},
    {"SELECT dossier_id, version, event FROM history ORDER BY dossier_id, version",
     [](const pg::Rows& r, int i, StoreRow* o) {
       o->table = RowTable::kHistory;
       o->key = r.bytes(i, 0);
       o->number = r.int64(i, 1);
       o->value = r.bytes(i, 2);
     }},
    {"SELECT position, dossier_id, version, event_hash, global_hash FROM outbox ORDER BY position",
     [](const pg::Rows& r, int i, StoreRow* o) {
       o->table = RowTable::kOutbox;
       o->position = static_cast<uint64_t>(r.int64(i, 0));
       o->key = r.bytes(i, 1);
       o->number = r.int64(i, 2);
       o->event_hash = r.bytes(i, 3);
       o->global_hash = r.bytes(i, 4);
     }},
    {"SELECT entry FROM index_entries ORDER BY entry",
     [](const pg::Rows& r, int i, StoreRow* o) {
       o->table = RowTable::kIndex;
       o->key = r.bytes(i, 0);
     }},
    {"SELECT key, record FROM idempotency ORDER BY key",
     [](const pg::Rows& r, int i, StoreRow* o) {
       o->table = RowTable::kIdempotency;
       o->key = r.bytes(i, 0);
       o->value = r.bytes(i, 1);
     }},
    {"SELECT name, value FROM counters ORDER BY name",
     [](const pg::Rows& r, int i, StoreRow* o) {
       o->table = RowTable::kCounter;
       o->key = r.bytes(i, 0);
       o->number = r.int64(i, 1);
     }},
    {"SELECT name, value FROM report_counters ORDER BY name",
     [](const pg::Rows& r, int i, StoreRow* o) {
       o->table = RowTable::kReportCounter;
       o->key = r.bytes(i, 0);
       o->number = r.int64(i, 1);
     }},
    {"SELECT key, value FROM states ORDER BY key",
     [](const pg::Rows& r, int i, StoreRow* o) {
       o->table = RowTable::kState;
       o->key = r.bytes(i, 0);
       o->value = r.bytes(i, 1);
     }},
};

}  // namespace

Status PgStore::ScanSnapshot(const std::vector<std::string_view>& selects,
                             const std::function<Status(size_t select, const pg::Rows&)>& page) {
  return Read<bool>([&](pg::Conn& c) -> Result<bool> {
           RETURN_IF_ERROR(c.Script("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
           auto scan = [&]() -> Status {
             for (size_t k = 0; k < selects.size(); ++k) {
               RETURN_IF_ERROR(
                   c.Script("DECLARE pages NO SCROLL CURSOR FOR " + std::string(selects[k])));
               while (true) {
                 ASSIGN_OR_RETURN(pg::Rows rows,
                                  c.Exec("FETCH " + std::to_string(kFetch) + " FROM pages"));
                 RETURN_IF_ERROR(page(k, rows));
                 if (rows.size() < kFetch) break;
               }
               RETURN_IF_ERROR(c.Script("CLOSE pages"));
             }
             return Status::Ok();
           };
           Status s = scan();
           // Read only: nothing to keep either way.
           Status end = c.Script(s.ok() ? "COMMIT" : "ROLLBACK");
           RETURN_IF_ERROR(s);
           RETURN_IF_ERROR(end);
           return true;
         })
      .status();
}

Status PgStore::ScanRows(const std::function<Status(const StoreRow&)>& fn) {
  std::vector<std::string_view> selects;
  for (const TableScan& t : kScans) selects.push_back(t.select);
  return ScanSnapshot(selects, [&](size_t k, const pg::Rows& page) -> Status {
    for (int i = 0; i < page.size(); ++i) {
      StoreRow row;
      kScans[k].row(page, i, &row);
      RETURN_IF_ERROR(fn(row));
    }
    return Status::Ok();
  });
}

Status PgStore::WriteRows(const std::vector<StoreRow>& rows) {
  RETURN_IF_ERROR(writes_.Check("the store refuses writes: "));
  // Each table's columns, as arrays.
  std::vector<std::string_view> setting_keys, setting_values, dossier_ids, dossier_records,
      history_ids, history_events, outbox_ids, outbox_event_hashes, outbox_global_hashes, entries,
      idem_keys, idem_records, counter_names, report_names, state_keys, state_values;
  std::vector<int64_t> history_versions, outbox_positions, outbox_versions, counter_values,
      report_values;
  for (const StoreRow& r : rows) {
    switch (r.table) {
      case RowTable::kSetting:
        setting_keys.push_back(r.key);
        setting_values.push_back(r.value);
        break;
      case RowTable::kDossier:
        dossier_ids.push_back(r.key);
        dossier_records.push_back(r.value);
        break;
      case RowTable::kHistory:
        history_ids.push_back(r.key);
        history_versions.push_back(r.number);
        history_events.push_back(r.value);
        break;
      case RowTable::kOutbox:
        outbox_positions.push_back(static_cast<int64_t>(r.position));
        outbox_ids.push_back(r.key);
        outbox_versions.push_back(r.number);
        outbox_event_hashes.push_back(r.event_hash);
        outbox_global_hashes.push_back(r.global_hash);
        break;
      case RowTable::kIndex:
        entries.push_back(r.key);
        break;
      case RowTable::kIdempotency:
        idem_keys.push_back(r.key);
        idem_records.push_back(r.value);
        break;
      case RowTable::kCounter:
        counter_names.push_back(r.key);
        counter_values.push_back(r.number);
        break;
      case RowTable::kReportCounter:
        report_names.push_back(r.key);
        report_values.push_back(r.number);
        break;
      case RowTable::kState:
        state_keys.push_back(r.key);
        state_values.push_back(r.value);
        break;
    }
  }
  const pg::Params none;
  std::vector<pg::Params> params;
  params.reserve(8 + setting_keys.size());
  std::vector<std::pair<const char*, size_t>> statements;  // sql, index into params
  auto add = [&](const char* sql, pg::Params p) {
    params.push_back(std::move(p));
    statements.emplace_back(sql, params.size() - 1);
  };
  for (size_t i = 0; i < setting_keys.size(); ++i) {  // "mode", "clock": a row each
    add("INSERT INTO motcua_settings (key, value) VALUES ($1, $2) "
        "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
        std::move(pg::Params().Text(setting_keys[i]).Text(setting_values[i])));
  }
  if (!dossier_ids.empty()) {
    add("INSERT INTO dossiers (id, record) SELECT * FROM unnest($1::bytea[], $2::bytea[])",
        std::move(pg::Params().BytesArray(dossier_ids).BytesArray(dossier_records)));
  }
  if (!history_ids.empty()) {
    add("INSERT INTO history (dossier_id, version, event) "
        "SELECT * FROM unnest($1::bytea[], $2::int8[], $3::bytea[])",
        std::move(pg::Params()
                      .BytesArray(history_ids)
                      .IntArray(history_versions)
                      .BytesArray(history_events)));
  }
  if (!outbox_ids.empty()) {
    add("INSERT INTO outbox (position, dossier_id, version, event_hash, global_hash) "
        "SELECT * FROM unnest($1::int8[], $2::bytea[], $3::int8[], $4::bytea[], $5::bytea[])",
        std::move(pg::Params()
                      .IntArray(outbox_positions)
                      .BytesArray(outbox_ids)
                      .IntArray(outbox_versions)
                      .BytesArray(outbox_event_hashes)
                      .BytesArray(outbox_global_hashes)));
  }
  if (!entries.empty()) {
    add("INSERT INTO index_entries (entry) SELECT unnest($1::bytea[])",
        std::move(pg::Params().BytesArray(entries)));
  }
  if (!idem_keys.empty()) {
    add("INSERT INTO idempotency (key, record) SELECT * FROM unnest($1::bytea[], $2::bytea[])",
        std::move(pg::Params().BytesArray(idem_keys).BytesArray(idem_records)));
  }
  if (!counter_names.empty()) {
    add("INSERT INTO counters (name, value) SELECT * FROM unnest($1::bytea[], $2::int8[])",
        std::move(pg::Params().BytesArray(counter_names).IntArray(counter_values)));
  }
  if (!report_names.empty()) {
    add("INSERT INTO report_counters (name, value) SELECT * FROM unnest($1::bytea[], $2::int8[])",
        std::move(pg::Params().BytesArray(report_names).IntArray(report_values)));
  }
  if (!state_keys.empty()) {
    add("INSERT INTO states (key, value) SELECT * FROM unnest($1::bytea[], $2::bytea[])",
        std::move(pg::Params().BytesArray(state_keys).BytesArray(state_values)));
  }
  std::vector<pg::Conn::Statement> pipeline = {{"BEGIN", &none}};
  for (const auto& [sql, i] : statements) pipeline.push_back({sql, &params[i]});
  pipeline.push_back({"COMMIT", &none});
  MutexLock lock(&writer_mu_);
  if (!writer_) return Unavailable("the store was opened read-only");
  Status s = writer_->Pipeline(pipeline);
  if (!s.ok()) writes_.Fail(s.message());
  return s;
}

namespace {

// Each dossier's history in one query on a pooled connection.
class PgHistoryReader : public RowStore::HistoryReader {
 public:
  explicit PgHistoryReader(PgStore* store) : store_(store) {}
  Status Read(
      const std::string& id,
      const std::function<Status(std::string_view key, std::string_view stored)>& fn) override {
    return store_->StoredHistory(id, fn);
  }

 private:
  PgStore* store_;
};

}  // namespace

Status PgStore::StoredHistory(
    const std::string& id,
    const std::function<Status(std::string_view key, std::string_view stored)>& fn) {
  ASSIGN_OR_RETURN(pg::Rows r, Read<pg::Rows>([&](pg::Conn& c) {
                     return c.Exec(
                         "SELECT version, event FROM history WHERE dossier_id = $1 "
                         "ORDER BY version",
                         pg::Params().Bytes(id));
                   }));
  for (int i = 0; i < r.size(); ++i)
    RETURN_IF_ERROR(fn(HistoryKey(id, r.int64(i, 0)), r.bytes(i, 1)));
  return Status::Ok();
}

std::unique_ptr<RowStore::HistoryReader> PgStore::NewHistoryReader() {
  return std::make_unique<PgHistoryReader>(this);
}

Status PgStore::ScanOutbox(
    const std::function<Status(uint64_t position, std::string_view key, std::string_view event_hash,
                               std::string_view global_hash)>& fn,
    const std::function<void(std::string)>& problem) {
  (void)problem;  // the table's columns hold nothing but entries
  return ScanSnapshot({"SELECT position, dossier_id, version, event_hash, global_hash FROM outbox "
                       "ORDER BY position"},
                      [&](size_t, const pg::Rows& page) -> Status {
                        for (int i = 0; i < page.size(); ++i) {
                          RETURN_IF_ERROR(fn(static_cast<uint64_t>(page.int64(i, 0)),
                                             HistoryKey(page.bytes(i, 1), page.int64(i, 2)),
                                             page.bytes(i, 3), page.bytes(i, 4)));
                        }
                        return Status::Ok();
                      });
}

Result<RowStore::ChainHead> PgStore::GlobalHead() {
  return Read<ChainHead>([](pg::Conn& c) -> Result<ChainHead> {
    ASSIGN_OR_RETURN(pg::Rows r, c.Exec("SELECT position, global_hash FROM outbox "
                                        "ORDER BY position DESC LIMIT 1"));
    if (r.size() == 0) return ChainHead{0, ZeroHash()};
    return ChainHead{static_cast<uint64_t>(r.int64(0, 0)), std::string(r.bytes(0, 1))};
  });
}

Status PgStore::PutStateSynced(const std::string& key, const std::string& value) {
  const pg::Params none;
  pg::Params put;
  put.Bytes(key).Bytes(value);
  const std::vector<pg::Conn::Statement> statements = {
      {"BEGIN", &none},
      {"SET LOCAL synchronous_commit TO on", &none},
      {"INSERT INTO states (key, value) VALUES ($1, $2) "
       "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
       &put},
      {"COMMIT", &none}};
  return Read<bool>([&](pg::Conn& c) -> Result<bool> {
           RETURN_IF_ERROR(c.Pipeline(statements));
           return true;
         })
      .status();
}

Result<std::optional<std::string>> PgStore::StoredEvent(std::string_view key) {
  std::string id;
  int64_t version = 0;
  if (!SplitHistoryKey(key, &id, &version)) return std::optional<std::string>();
  ASSIGN_OR_RETURN(pg::Rows r, Read<pg::Rows>([&](pg::Conn& c) {
                     return c.Exec(
                         "SELECT event FROM history WHERE dossier_id = $1 AND version = $2",
                         pg::Params().Bytes(id).Int(version));
                   }));
  if (r.size() == 0) return std::optional<std::string>();
  return std::optional<std::string>(std::string(r.bytes(0, 0)));
}

}  // namespace motcua
