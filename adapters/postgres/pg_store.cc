// The PostgreSQL store (pg_store.h): the schema's migrations, reads on pooled connections, one
// pipelined transaction per group commit.

#include "adapters/postgres/pg_store.h"

#include <algorithm>
#include <map>

#include "adapters/proto/dossier_codec.h"
#include "adapters/rocksdb/chain.h"
#include "engine/store/indexes.h"

// The schema's files, embedded in name order (cmake/embed_dir.cmake).
extern const std::pair<const char*, const char*> kPgSchema[];
extern const int kPgSchemaCount;

namespace motcua {

namespace {

// The advisory lock keys: one for migrations (per transaction), one held by the writer.
constexpr int64_t kMigrationLock = 0x6d6f746375610001;  // "motcua" 1
constexpr int64_t kWriterLock = 0x6d6f746375610002;     // "motcua" 2
constexpr size_t kScanPage = 10000;

// The parameters of a scan by prefix: $1 the prefix, $2 the key to start after, $3 where the
// scan ends (ScanEnd: the prefix's end or `end_before`; empty: none), $4 the limit.
pg::Params PrefixRange(const std::string& prefix, const std::string& start_after, size_t limit,
                       const std::string& end_before = "") {
  pg::Params p;
  p.Bytes(prefix).Bytes(start_after).Bytes(ScanEnd(prefix, end_before));
  p.Int(static_cast<int64_t>(limit));
  return p;
}

int VersionOf(const char* name) { return std::atoi(name); }

// A group's rows, with every table's rows as their last write leaves them: a dossier changed
// twice in one group is written once, an index entry added then removed is removed.
struct Rows {
  std::map<std::string, bool> index;  // entry → present
  std::vector<std::string> history_ids;
  std::vector<int64_t> history_versions;
  std::vector<std::string> history_events;
  std::vector<int64_t> outbox_positions;
  std::vector<std::string> outbox_ids;
  std::vector<int64_t> outbox_versions;
  std::vector<std::string> outbox_event_hashes;
  std::vector<std::string> outbox_global_hashes;
  std::map<std::string, std::string> dossiers;
  std::map<std::string, std::string> idempotency;
  std::map<std::string, int64_t> counters;
  std::map<std::string, int64_t> report;  // name → sum of the changes
};

// What Encode makes of a write set, off the commit path.
struct PgEncoded {
  Status failure;
  std::vector<std::pair<std::string, bool>> index;  // in order: entry, present afterwards
  std::vector<ChainedEvent> events;
  std::vector<std::pair<std::string, int64_t>> event_keys;  // dossier id, version of each event
  std::vector<std::pair<std::string, std::string>> dossiers;
};

std::vector<std::string_view> Views(const std::vector<std::string>& v) {
  return {v.begin(), v.end()};
}
template <typename V>
std::vector<std::string_view> Keys(const std::map<std::string, V>& m) {
  std::vector<std::string_view> out;
  out.reserve(m.size());
  for (const auto& [k, v] : m) out.push_back(k);
  return out;
}

}  // namespace

int PgStore::SchemaVersion() { return VersionOf(kPgSchema[kPgSchemaCount - 1].first); }

Result<std::unique_ptr<PgStore>> PgStore::Open(const PgStoreOptions& options) {
  std::unique_ptr<PgStore> store(new PgStore());
  store->options_ = options;
  store->records_ = std::make_unique<RecordCache>(options.record_cache_entries);
  ASSIGN_OR_RETURN(std::unique_ptr<pg::Conn> conn, pg::Conn::Open(options.dsn));
  RETURN_IF_ERROR(store->Migrate(*conn));
  if (options.read_only) {
    store->writes_.Fail("the store was opened read-only");
    MutexLock lock(&store->pool_mu_);
    store->idle_.push_back(std::move(conn));
    return store;
  }
  RETURN_IF_ERROR(store->CheckWriter(*conn));
  MutexLock lock(&store->writer_mu_);
  store->writer_ = std::move(conn);
  return store;
}

Status PgStore::CheckWriter(pg::Conn& conn) {
  // An acknowledged command must survive a crash: never on a server that does not flush, and
  // never with this session's commits asynchronous (a database may default to that).
  ASSIGN_OR_RETURN(pg::Rows fsync, conn.Exec("SELECT current_setting('fsync')"));
  if (fsync.bytes(0, 0) != "on") {
    return FailedPrecondition(
        "the PostgreSQL server runs with fsync = off: a commit it acknowledges may be lost in a "
        "crash, and motcua acknowledges only what survives one; turn fsync on");
  }
  ASSIGN_OR_RETURN(pg::Rows sync, conn.Exec("SELECT current_setting('synchronous_commit')"));
  if (sync.bytes(0, 0) == "off") RETURN_IF_ERROR(conn.Script("SET synchronous_commit TO on"));
  ASSIGN_OR_RETURN(pg::Rows locked,
                   conn.Exec("SELECT pg_try_advisory_lock($1)", pg::Params().Int(kWriterLock)));
  if (locked.size() != 1 || locked.bytes(0, 0) != std::string_view("\x01", 1)) {
    return FailedPrecondition(
        "another motcua server writes this PostgreSQL database (it holds the writer's advisory "
        "lock); one server writes a database");
  }
  return Status::Ok();
}

Status PgStore::Reconnect() {
  // Closed first: its session's advisory lock goes with it (at once when the server is still
  // there; a server that went away took it along).
  writer_.reset();
  ASSIGN_OR_RETURN(std::unique_ptr<pg::Conn> conn, pg::Conn::Open(options_.dsn));
  Status s = CheckWriter(*conn);
  if (!s.ok()) return Unavailable("cannot take up writing again: " + s.message());
  writer_ = std::move(conn);
  return Status::Ok();
}

Status PgStore::Recover() {
  if (options_.read_only) return FailedPrecondition("the store was opened read-only");
  if (!writes_.failed()) return Status::Ok();
  {
    MutexLock lock(&writer_mu_);
    RETURN_IF_ERROR(Reconnect());
  }
  // The failed commit may have taken effect: the records and the chain's head are read anew.
  records_->Clear();
  chain_.Forget();
  writes_.Reset();
  return Status::Ok();
}

PgStore::~PgStore() = default;

Status PgStore::Migrate(pg::Conn& c) {
  ASSIGN_OR_RETURN(pg::Rows exists,
                   c.Exec("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() "
                          "AND tablename = 'motcua_schema'"));
  int current = 0;
  if (exists.int64(0, 0) > 0) {
    ASSIGN_OR_RETURN(pg::Rows v,
                     c.Exec("SELECT coalesce(max(version), 0)::int8 FROM motcua_schema"));
    current = static_cast<int>(v.int64(0, 0));
  }
  const int latest = SchemaVersion();
  if (current > latest) {
    return FailedPrecondition("the PostgreSQL database has motcua schema version " +
                              std::to_string(current) + "; this build knows up to version " +
                              std::to_string(latest));
  }
  if (current == latest) return Status::Ok();
  if (!options_.migrate || options_.read_only) {
    return FailedPrecondition("the PostgreSQL database has motcua schema version " +
                              std::to_string(current) + "; this build needs version " +
                              std::to_string(latest) +
                              " (motcua applies its migrations when it opens the database for "
                              "writing: motcua serve)");
  }
  // Every migration in one transaction, under a lock: two servers starting at once apply them
  // once, and a crash part-way leaves the schema as it was.
  RETURN_IF_ERROR(c.Script("BEGIN"));
  auto apply = [&]() -> Status {
    RETURN_IF_ERROR(
        c.Exec("SELECT pg_advisory_xact_lock($1)", pg::Params().Int(kMigrationLock)).status());
    RETURN_IF_ERROR(c.Script(
        "CREATE TABLE IF NOT EXISTS motcua_schema (version integer PRIMARY KEY, name text NOT "
        "NULL, applied_at timestamptz NOT NULL DEFAULT now())"));
    ASSIGN_OR_RETURN(pg::Rows v,
                     c.Exec("SELECT coalesce(max(version), 0)::int8 FROM motcua_schema"));
    const int from = static_cast<int>(v.int64(0, 0));
    for (int i = 0; i < kPgSchemaCount; ++i) {
      const int version = VersionOf(kPgSchema[i].first);
      if (version <= from) continue;
      Status s = c.Script(kPgSchema[i].second);
      if (!s.ok()) {
        return Internal("schema migration " + std::string(kPgSchema[i].first) + ": " + s.message());
      }
      RETURN_IF_ERROR(c.Exec("INSERT INTO motcua_schema (version, name) VALUES ($1::int8, $2)",
                             pg::Params().Int(version).Text(kPgSchema[i].first))
                          .status());
    }
    created_ = from == 0;
    migration_ =
        from == latest ? "" : "schema " + std::to_string(from) + " → " + std::to_string(latest);
    return Status::Ok();
  };
  Status s = apply();
  if (!s.ok()) {
    (void)c.Script("ROLLBACK");
    return s;
  }
  return c.Script("COMMIT");
}

Result<std::optional<Dossier>> PgStore::Get(const std::string& id) {
  return Read<std::optional<Dossier>>([&](pg::Conn& c) -> Result<std::optional<Dossier>> {
    ASSIGN_OR_RETURN(pg::Rows r,
                     c.Exec("SELECT record FROM dossiers WHERE id = $1", pg::Params().Bytes(id)));
    if (r.size() == 0) return std::optional<Dossier>();
    ASSIGN_OR_RETURN(Dossier d, DecodeDossier(std::string(r.bytes(0, 0))));
    return std::optional<Dossier>(std::move(d));
  });
}

Result<std::shared_ptr<const Dossier>> PgStore::GetShared(const std::string& id) {
  return records_->Get(id, [&] { return Get(id); });
}

Result<std::vector<Event>> PgStore::History(const std::string& id) {
  return Read<std::vector<Event>>([&](pg::Conn& c) -> Result<std::vector<Event>> {
    ASSIGN_OR_RETURN(pg::Rows r, c.Exec("SELECT event FROM history WHERE dossier_id = $1 "
                                        "ORDER BY version",
                                        pg::Params().Bytes(id)));
    std::vector<Event> out(static_cast<size_t>(r.size()));
    for (int i = 0; i < r.size(); ++i) RETURN_IF_ERROR(DecodeEvent(r.bytes(i, 0), &out[i]));
    return out;
  });
}

Result<std::optional<IdempotencyRecord>> PgStore::Idempotency(const std::string& key) {
  return Read<std::optional<IdempotencyRecord>>(
      [&](pg::Conn& c) -> Result<std::optional<IdempotencyRecord>> {
        ASSIGN_OR_RETURN(pg::Rows r, c.Exec("SELECT record FROM idempotency WHERE key = $1",
                                            pg::Params().Bytes(key)));
        if (r.size() == 0) return std::optional<IdempotencyRecord>();
        v1::IdempotencyRecord p;
        const std::string_view bytes = r.bytes(0, 0);
        if (!p.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
          return Internal("stored idempotency record does not parse");
        }
        IdempotencyRecord out;
        FromProto(p, &out);
        return std::optional<IdempotencyRecord>(out);
      });
}

Result<int64_t> PgStore::Counter(const std::string& name) {
  return Read<int64_t>([&](pg::Conn& c) -> Result<int64_t> {
    ASSIGN_OR_RETURN(
        pg::Rows r, c.Exec("SELECT value FROM counters WHERE name = $1", pg::Params().Bytes(name)));
    return r.size() == 0 ? int64_t{0} : r.int64(0, 0);
  });
}

Result<uint64_t> PgStore::LastOutboxPosition() {
  return Read<uint64_t>([&](pg::Conn& c) -> Result<uint64_t> {
    ASSIGN_OR_RETURN(pg::Rows r,
                     c.Exec("SELECT position FROM outbox ORDER BY position DESC LIMIT 1"));
    return r.size() == 0 ? uint64_t{0} : static_cast<uint64_t>(r.int64(0, 0));
  });
}

Result<std::string> PgStore::GlobalHashAt(uint64_t position) {
  return Read<std::string>([&](pg::Conn& c) -> Result<std::string> {
    ASSIGN_OR_RETURN(pg::Rows r, c.Exec("SELECT global_hash FROM outbox WHERE position = $1",
                                        pg::Params().Int(static_cast<int64_t>(position))));
    if (r.size() == 0) return NotFound("no outbox position " + std::to_string(position));
    return std::string(r.bytes(0, 0));
  });
}

void PgStore::Encode(WriteSet& w) {
  auto enc = std::make_shared<PgEncoded>();
  enc->failure = chain_.Chain(
      w, [this](uint64_t p) { return GlobalHashAt(p); },
      [&](const DossierChange& c, std::vector<ChainedEvent>& events) {
        std::vector<std::string> removed, added;
        DiffIndexEntries(c.before.get(), *c.after, &removed, &added);
        for (auto& e : removed) enc->index.emplace_back(std::move(e), false);
        for (auto& e : added) enc->index.emplace_back(std::move(e), true);
        for (const Event& e : c.events) {
          enc->event_keys.emplace_back(e.dossier_id, e.version);
        }
        std::move(events.begin(), events.end(), std::back_inserter(enc->events));
        enc->dossiers.emplace_back(c.after->id, EncodeDossier(*c.after));
      });
  w.encoded = std::move(enc);
}

Status PgStore::Commit(const std::vector<const WriteSet*>& sets) {
  RETURN_IF_ERROR(writes_.Check("the store refuses writes after a failed write: "));
  Rows rows;
  std::vector<std::shared_ptr<const void>> encodings;
  for (const WriteSet* w : sets) {
    std::shared_ptr<const void> encoded = EncodingOf(*this, *w);
    encodings.push_back(encoded);
    const auto& e = *static_cast<const PgEncoded*>(encoded.get());
    if (!e.failure.ok()) {
      writes_.Fail(e.failure.message());
      return e.failure;
    }
    for (const auto& [entry, present] : e.index) rows.index[entry] = present;
    for (size_t i = 0; i < e.events.size(); ++i) {
      const ChainedEvent& c = e.events[i];
      rows.history_ids.push_back(e.event_keys[i].first);
      rows.history_versions.push_back(e.event_keys[i].second);
      rows.history_events.push_back(c.stored);
      rows.outbox_positions.push_back(static_cast<int64_t>(c.position));
      rows.outbox_ids.push_back(e.event_keys[i].first);
      rows.outbox_versions.push_back(e.event_keys[i].second);
      rows.outbox_event_hashes.push_back(c.event_hash);
      rows.outbox_global_hashes.push_back(c.global_hash);
    }
    for (const auto& [id, record] : e.dossiers) rows.dossiers[id] = record;
    for (const IdempotencyRecord& r : w->idempotency) {
      v1::IdempotencyRecord p;
      ToProto(r, &p);
      rows.idempotency[r.key] = p.SerializeAsString();
    }
    for (const auto& [name, value] : w->counters) rows.counters[name] = value;
    for (const auto& [name, delta] : w->report_deltas) rows.report[name] += delta;
  }

  std::vector<std::string_view> removed, added;
  for (const auto& [entry, present] : rows.index) (present ? added : removed).push_back(entry);
  std::vector<std::string_view> dossier_records, idempotency_records;
  for (const auto& [id, record] : rows.dossiers) dossier_records.push_back(record);
  for (const auto& [key, record] : rows.idempotency) idempotency_records.push_back(record);
  std::vector<int64_t> counter_values, report_sums;
  for (const auto& [name, value] : rows.counters) counter_values.push_back(value);
  for (const auto& [name, sum] : rows.report) report_sums.push_back(sum);

  const pg::Params none;
  pg::Params p_removed, p_added, p_history, p_outbox, p_dossiers, p_idem, p_counters, p_report;
  std::vector<pg::Conn::Statement> statements = {{"BEGIN", &none}};
  if (!removed.empty()) {
    p_removed.BytesArray(removed);
    statements.push_back({"DELETE FROM index_entries WHERE entry = ANY($1::bytea[])", &p_removed});
  }
  if (!added.empty()) {
    p_added.BytesArray(added);
    statements.push_back(
        {"INSERT INTO index_entries (entry) SELECT unnest($1::bytea[]) "
         "ON CONFLICT DO NOTHING",
         &p_added});
  }
  if (!rows.history_ids.empty()) {
    p_history.BytesArray(Views(rows.history_ids))
        .IntArray(rows.history_versions)
        .BytesArray(Views(rows.history_events));
    statements.push_back(
        {"INSERT INTO history (dossier_id, version, event) "
         "SELECT * FROM unnest($1::bytea[], $2::int8[], $3::bytea[])",
         &p_history});
    p_outbox.IntArray(rows.outbox_positions)
        .BytesArray(Views(rows.outbox_ids))
        .IntArray(rows.outbox_versions)
        .BytesArray(Views(rows.outbox_event_hashes))
        .BytesArray(Views(rows.outbox_global_hashes));
    statements.push_back(
        {"INSERT INTO outbox (position, dossier_id, version, event_hash, global_hash) "
         "SELECT * FROM unnest($1::int8[], $2::bytea[], $3::int8[], $4::bytea[], $5::bytea[])",
         &p_outbox});
  }
  if (!rows.dossiers.empty()) {
    p_dossiers.BytesArray(Keys(rows.dossiers)).BytesArray(dossier_records);
    statements.push_back(
        {"INSERT INTO dossiers (id, record) "
         "SELECT * FROM unnest($1::bytea[], $2::bytea[]) "
         "ON CONFLICT (id) DO UPDATE SET record = EXCLUDED.record",
         &p_dossiers});
  }
  if (!rows.idempotency.empty()) {
    p_idem.BytesArray(Keys(rows.idempotency)).BytesArray(idempotency_records);
    statements.push_back(
        {"INSERT INTO idempotency (key, record) "
         "SELECT * FROM unnest($1::bytea[], $2::bytea[]) "
         "ON CONFLICT (key) DO UPDATE SET record = EXCLUDED.record",
         &p_idem});
  }
  if (!rows.counters.empty()) {
    p_counters.BytesArray(Keys(rows.counters)).IntArray(counter_values);
    statements.push_back(
        {"INSERT INTO counters (name, value) "
         "SELECT * FROM unnest($1::bytea[], $2::int8[]) "
         "ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value",
         &p_counters});
  }
  if (!rows.report.empty()) {
    p_report.BytesArray(Keys(rows.report)).IntArray(report_sums);
    statements.push_back(
        {"INSERT INTO report_counters (name, value) "
         "SELECT * FROM unnest($1::bytea[], $2::int8[]) "
         "ON CONFLICT (name) DO UPDATE "
         "SET value = report_counters.value + EXCLUDED.value",
         &p_report});
  }
  statements.push_back({"COMMIT", &none});

  records_->BeginCommit();
  Status s;
  {
    MutexLock lock(&writer_mu_);
    if (!writer_) {
      s = Unavailable(options_.read_only ? "the store was opened read-only"
                                         : "no connection to write on");
    } else {
      // The server closed the writer between commits (it restarted): nothing was in flight, so
      // a new connection takes over, with the lock, before anything is sent.
      if (writer_->ClosedWhileIdle()) s = Reconnect();
      if (s.ok()) s = writer_->Pipeline(statements);
    }
  }
  if (!s.ok()) {
    // Whether a lost COMMIT took effect is unknown: nothing after it may be acknowledged in
    // order, so every later write is refused until the server starts again.
    writes_.Fail(s.message());
    return Unavailable("write failed: " + s.message());
  }
  records_->PutCommitted(sets);
  return Status::Ok();
}

Status PgStore::Writable() const { return writes_.Check(); }

Status PgStore::Ping() {
  return Read<bool>([](pg::Conn& c) -> Result<bool> {
           RETURN_IF_ERROR(c.Exec("SELECT 1").status());
           return true;
         })
      .status();
}

Result<std::vector<OutboxEntry>> PgStore::ReadOutbox(uint64_t after, size_t limit) {
  return Read<std::vector<OutboxEntry>>([&](pg::Conn& c) -> Result<std::vector<OutboxEntry>> {
    ASSIGN_OR_RETURN(
        pg::Rows r,
        c.Exec("SELECT o.position, h.event FROM outbox o "
               "LEFT JOIN history h USING (dossier_id, version) "
               "WHERE o.position > $1 ORDER BY o.position LIMIT $2",
               pg::Params().Int(static_cast<int64_t>(after)).Int(static_cast<int64_t>(limit))));
    std::vector<OutboxEntry> out(static_cast<size_t>(r.size()));
    for (int i = 0; i < r.size(); ++i) {
      out[i].position = static_cast<uint64_t>(r.int64(i, 0));
      if (r.null(i, 1)) {
        return Internal("outbox position " + std::to_string(out[i].position) +
                        " points at a missing history record");
      }
      RETURN_IF_ERROR(DecodeEvent(r.bytes(i, 1), &out[i].event));
    }
    return out;
  });
}

Result<std::vector<uint64_t>> PgStore::OutboxPositions(uint64_t after, size_t limit) {
  return Read<std::vector<uint64_t>>([&](pg::Conn& c) -> Result<std::vector<uint64_t>> {
    ASSIGN_OR_RETURN(
        pg::Rows r,
        c.Exec("SELECT position FROM outbox WHERE position > $1 "
               "ORDER BY position LIMIT $2",
               pg::Params().Int(static_cast<int64_t>(after)).Int(static_cast<int64_t>(limit))));
    std::vector<uint64_t> out;
    out.reserve(static_cast<size_t>(r.size()));
    for (int i = 0; i < r.size(); ++i) out.push_back(static_cast<uint64_t>(r.int64(i, 0)));
    return out;
  });
}

Result<std::vector<std::string>> PgStore::Ids(const std::string& after_id, size_t limit) {
  return Read<std::vector<std::string>>([&](pg::Conn& c) -> Result<std::vector<std::string>> {
    ASSIGN_OR_RETURN(pg::Rows r,
                     c.Exec("SELECT id FROM dossiers WHERE id > $1 ORDER BY id "
                            "LIMIT $2",
                            pg::Params().Bytes(after_id).Int(static_cast<int64_t>(limit))));
    std::vector<std::string> out;
    for (int i = 0; i < r.size(); ++i) out.emplace_back(r.bytes(i, 0));
    return out;
  });
}

Result<std::vector<std::string>> PgStore::ScanIndexRange(const std::string& prefix,
                                                         const std::string& start_after,
                                                         const std::string& end_before,
                                                         size_t limit) {
  return Read<std::vector<std::string>>([&](pg::Conn& c) -> Result<std::vector<std::string>> {
    ASSIGN_OR_RETURN(pg::Rows r,
                     c.Exec("SELECT entry FROM index_entries WHERE entry >= $1 AND entry > $2 "
                            "AND ($3 = ''::bytea OR entry < $3) ORDER BY entry LIMIT $4",
                            PrefixRange(prefix, start_after, limit, end_before)));
    std::vector<std::string> out;
    out.reserve(static_cast<size_t>(r.size()));
    for (int i = 0; i < r.size(); ++i) out.emplace_back(r.bytes(i, 0));
    return out;
  });
}

Result<bool> PgStore::HasIndexEntry(const std::string& entry) {
  return Read<bool>([&](pg::Conn& c) -> Result<bool> {
    ASSIGN_OR_RETURN(pg::Rows r, c.Exec("SELECT 1 FROM index_entries WHERE entry = $1",
                                        pg::Params().Bytes(entry)));
    return r.size() > 0;
  });
}

Result<std::vector<std::string>> PgStore::AllIndexEntries(const std::string& start_after,
                                                          size_t limit) {
  return ScanIndex("", start_after, limit);
}

Status PgStore::ScanReportCounters(
    const std::string& begin, const std::string& end,
    const std::function<void(std::string_view name, int64_t value)>& fn) {
  // A page at a time, each read whole before `fn` sees it.
  using Page = std::vector<std::pair<std::string, int64_t>>;
  std::string from = begin;
  bool inclusive = true;
  while (true) {
    ASSIGN_OR_RETURN(
        Page page, Read<Page>([&](pg::Conn& c) -> Result<Page> {
          ASSIGN_OR_RETURN(
              pg::Rows r,
              c.Exec(inclusive ? "SELECT name, value FROM report_counters WHERE name >= "
                                 "$1 AND name < $2 ORDER BY name LIMIT $3"
                               : "SELECT name, value FROM report_counters WHERE name > "
                                 "$1 AND name < $2 ORDER BY name LIMIT $3",
                     pg::Params().Bytes(from).Bytes(end).Int(kScanPage)));
          Page out;
          for (int i = 0; i < r.size(); ++i) out.emplace_back(r.bytes(i, 0), r.int64(i, 1));
          return out;
        }));
    for (const auto& [name, value] : page) fn(name, value);
    if (page.size() < kScanPage) return Status::Ok();
    from = page.back().first;
    inclusive = false;
  }
}

Result<std::optional<std::string>> PgStore::GetState(const std::string& key) {
  return Read<std::optional<std::string>>([&](pg::Conn& c) -> Result<std::optional<std::string>> {
    ASSIGN_OR_RETURN(pg::Rows r,
                     c.Exec("SELECT value FROM states WHERE key = $1", pg::Params().Bytes(key)));
    if (r.size() == 0) return std::optional<std::string>();
    return std::optional<std::string>(std::string(r.bytes(0, 0)));
  });
}

Status PgStore::WriteStates(const std::vector<StateWrite>& writes) {
  std::map<std::string, std::optional<std::string>> last;  // the last write of each key
  for (const auto& [key, value] : writes) last[key] = value;
  std::vector<std::string_view> deleted, put_keys, put_values;
  for (const auto& [key, value] : last) {
    if (value) {
      put_keys.push_back(key);
      put_values.push_back(*value);
    } else {
      deleted.push_back(key);
    }
  }
  const pg::Params none;
  pg::Params p_deleted, p_put;
  // Not synced (store.h): what is kept here is safe to redo.
  std::vector<pg::Conn::Statement> statements = {{"BEGIN", &none},
                                                 {"SET LOCAL synchronous_commit TO off", &none}};
  if (!deleted.empty()) {
    p_deleted.BytesArray(deleted);
    statements.push_back({"DELETE FROM states WHERE key = ANY($1::bytea[])", &p_deleted});
  }
  if (!put_keys.empty()) {
    p_put.BytesArray(put_keys).BytesArray(put_values);
    statements.push_back(
        {"INSERT INTO states (key, value) "
         "SELECT * FROM unnest($1::bytea[], $2::bytea[]) "
         "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
         &p_put});
  }
  statements.push_back({"COMMIT", &none});
  return Read<bool>([&](pg::Conn& c) -> Result<bool> {
           RETURN_IF_ERROR(c.Pipeline(statements));
           return true;
         })
      .status();
}

Result<std::vector<std::pair<std::string, std::string>>> PgStore::ScanStates(
    const std::string& prefix, const std::string& start_after, size_t limit) {
  using Out = std::vector<std::pair<std::string, std::string>>;
  return Read<Out>([&](pg::Conn& c) -> Result<Out> {
    ASSIGN_OR_RETURN(pg::Rows r,
                     c.Exec("SELECT key, value FROM states WHERE key >= $1 AND key > $2 "
                            "AND ($3 = ''::bytea OR key < $3) ORDER BY key LIMIT $4",
                            PrefixRange(prefix, start_after, limit)));
    Out out;
    for (int i = 0; i < r.size(); ++i) out.emplace_back(r.bytes(i, 0), r.bytes(i, 1));
    return out;
  });
}

Result<std::optional<std::string>> PgStore::Setting(const std::string& key) {
  return Read<std::optional<std::string>>([&](pg::Conn& c) -> Result<std::optional<std::string>> {
    ASSIGN_OR_RETURN(pg::Rows r, c.Exec("SELECT value FROM motcua_settings WHERE key = $1",
                                        pg::Params().Text(key)));
    if (r.size() == 0) return std::optional<std::string>();
    return std::optional<std::string>(std::string(r.bytes(0, 0)));
  });
}

Status PgStore::PutSetting(const std::string& key, const std::string& value) {
  return Read<bool>([&](pg::Conn& c) -> Result<bool> {
           RETURN_IF_ERROR(c.Exec("INSERT INTO motcua_settings (key, value) VALUES ($1, $2) "
                                  "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                                  pg::Params().Text(key).Text(value))
                               .status());
           return true;
         })
      .status();
}

}  // namespace motcua
