#!/usr/bin/env bash
# PostgreSQL baseline: the same dossier transition (version-checked UPDATE + INSERT of the event,
# synchronous_commit = on) driven by pgbench with 32 clients, on a throwaway cluster on this
# machine. Prints transitions/s and latency.
#
#   bench/baselines/pg_bench.sh [seconds] [clients]
set -euo pipefail
cd "$(dirname "$0")"
SECS=${1:-10}
CLIENTS=${2:-32}
PG_PORT=55432
PG_OPTIONS="-c synchronous_commit=on -c fsync=on -c max_connections=100"
source ./pg_cluster.sh
$PSQL -c "CREATE TABLE dossiers (id int PRIMARY KEY, version bigint NOT NULL, status text,
  current_step text, updated_at timestamptz);
  CREATE TABLE events (dossier_id int NOT NULL, version bigint NOT NULL, type text, payload jsonb,
  PRIMARY KEY (dossier_id, version));
  INSERT INTO dossiers SELECT g, 1, 'received', 'receive', now() FROM generate_series(1, 100000) g;" postgres
$RUN "$BIN/pgbench" -h "$WORK" -p 55432 -U postgres -n -f "$PWD/pg_transition.sql" \
  -c "$CLIENTS" -j 2 -T "$SECS" postgres 2>/dev/null | grep -E "tps|latency"
