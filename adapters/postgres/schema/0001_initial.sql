-- motcua's store on PostgreSQL, schema version 1 (docs/storage.md, "PostgreSQL").
-- Keys are bytea: they order byte by byte, as RocksDB's keys do, so scans by prefix and the
-- cursors of pages mean the same on both stores. Values are the same protobuf bytes RocksDB
-- stores (proto/motcua/v1/dossier.proto).

-- The store's own settings: "mode" (training), "clock" (the training clock).
CREATE TABLE motcua_settings (
  key text PRIMARY KEY,
  value text NOT NULL
);

-- id → v1.Dossier, with its chain's head.
CREATE TABLE dossiers (
  id bytea PRIMARY KEY,
  record bytea NOT NULL
);

-- Every event of every dossier: v1.Event with its outbox position and chain hash (field 47).
CREATE TABLE history (
  dossier_id bytea NOT NULL,
  version bigint NOT NULL,
  event bytea NOT NULL,
  PRIMARY KEY (dossier_id, version)
);

-- Every event in commit order, gap-free from 1: which history record, its chain hash, and the
-- global chain's hash at this position.
CREATE TABLE outbox (
  position bigint PRIMARY KEY,
  dossier_id bytea NOT NULL,
  version bigint NOT NULL,
  event_hash bytea NOT NULL,
  global_hash bytea NOT NULL
);

-- The index entries of engine/store/indexes.h (work queues, search, due timers).
CREATE TABLE index_entries (
  entry bytea PRIMARY KEY
);

-- Idempotency-Key → v1.IdempotencyRecord.
CREATE TABLE idempotency (
  key bytea PRIMARY KEY,
  record bytea NOT NULL
);

-- Dossier number sequences and other counters: name → value.
CREATE TABLE counters (
  name bytea PRIMARY KEY,
  value bigint NOT NULL
);

-- Report counters (engine/report/counters.h): name → sum of the changes.
CREATE TABLE report_counters (
  name bytea PRIMARY KEY,
  value bigint NOT NULL
);

-- The adapters' bookkeeping (delivery cursors, dead letters): key → value.
CREATE TABLE states (
  key bytea PRIMARY KEY,
  value bytea NOT NULL
);
