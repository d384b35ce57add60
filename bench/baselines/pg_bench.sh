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
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get install -y -qq postgresql >&2
fi
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
WORK=$(mktemp -d /tmp/motcua-pg.XXXXXX)
chmod 777 "$WORK"
RUN="runuser -u postgres --"
[ "$(id -u)" -eq 0 ] || RUN=""
cleanup() { $RUN "$BIN/pg_ctl" -D "$WORK/db" -m fast stop >/dev/null 2>&1 || true; rm -rf "$WORK"; }
trap cleanup EXIT
$RUN "$BIN/initdb" -D "$WORK/db" -A trust >/dev/null
$RUN "$BIN/pg_ctl" -D "$WORK/db" -o "-p 55432 -k $WORK -c synchronous_commit=on -c fsync=on -c max_connections=100" \
  -l "$WORK/log" start >/dev/null
PSQL="$RUN $BIN/psql -h $WORK -p 55432 -U postgres -q"
$PSQL -c "CREATE TABLE dossiers (id int PRIMARY KEY, version bigint NOT NULL, status text,
  current_step text, updated_at timestamptz);
  CREATE TABLE events (dossier_id int NOT NULL, version bigint NOT NULL, type text, payload jsonb,
  PRIMARY KEY (dossier_id, version));
  INSERT INTO dossiers SELECT g, 1, 'received', 'receive', now() FROM generate_series(1, 100000) g;" postgres
$RUN "$BIN/pgbench" -h "$WORK" -p 55432 -U postgres -n -f "$PWD/pg_transition.sql" \
  -c "$CLIENTS" -j 2 -T "$SECS" postgres 2>/dev/null | grep -E "tps|latency"
