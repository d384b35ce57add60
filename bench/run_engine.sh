#!/usr/bin/env bash
# Durable transitions: the engine (1, 8, 64 submitters) next to raw synced RocksDB WriteBatches
# from 32 threads (both in engine_bench) and the same transition in PostgreSQL (pgbench, 32
# clients), back to back on this machine. Usage: bench/run_engine.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-5}
scripts/setup.sh build >&2
./build/bench/engine_bench --seconds "$SECS" 2>/dev/null
echo
echo "PostgreSQL (bench/baselines/pg_bench.sh, 32 clients, synchronous_commit=on):"
bash bench/baselines/pg_bench.sh "$((SECS * 2))" 32
