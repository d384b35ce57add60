#!/usr/bin/env bash
# The engine on the PostgreSQL store (issue 16), next to the same engine on RocksDB and the plain
# PostgreSQL transition (pgbench, one transaction per transition, bench/baselines/pg_bench.sh),
# in one run on this machine. The engine's PostgreSQL is a throwaway cluster with
# synchronous_commit = on and fsync = on, on a Unix socket, as pgbench's is.
#   bench/run_engine_pg.sh [seconds] [submitters]
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-5}
SUBMITTERS=${2:-64}
scripts/setup.sh build >&2
echo "| run | transitions/s | p50 ms | p99 ms | CPU µs/command | commands per group commit |"
echo "|---|---|---|---|---|---|"
(
  cd bench/baselines
  PG_PORT=55433
  PG_OPTIONS="-c synchronous_commit=on -c fsync=on -c max_connections=100"
  # shellcheck source=baselines/pg_cluster.sh
  source ./pg_cluster.sh
  for drivers in 2 0; do
    ../../build/bench/engine_bench --seconds "$SECS" --raw 0 --submitters "$SUBMITTERS" \
      --drivers "$drivers" --store "postgres:host=$WORK port=$PG_PORT user=postgres dbname=postgres" \
      2>/dev/null | grep '^| motcua'
  done
)
./build/bench/engine_bench --seconds "$SECS" --raw 0 --submitters "$SUBMITTERS" --drivers 2 2>/dev/null |
  grep '^| motcua'
pg=$(bash bench/baselines/pg_bench.sh "$((SECS * 2))" 32)
tps=$(echo "$pg" | grep -o 'tps = [0-9.]*' | head -1 | cut -d' ' -f3)
lat=$(echo "$pg" | grep -o 'latency average = [0-9.]*' | head -1 | cut -d' ' -f4)
printf '| PostgreSQL, pgbench, 32 clients, a transaction per transition | %.0f | %s (avg) | | | 1 |\n' "$tps" "$lat"
