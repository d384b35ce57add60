#!/usr/bin/env bash
# Reads and the HTTP write mix on a small store and on a large one, in one run (issue 15 §4):
# both made by bench/generate_store (realistic dossiers of every sample procedure over 2025–2026),
# the small one here, the large one given (copied, so that it stays as it was). For each store:
# `motcua serve` on it, quiet once the timers due since the store's last day have fired; the
# ids of up to 200 dossiers a month per receiving agency (spread over the store's whole span);
# the write mix (bench/http_load, 64 connections); then wrk reading those dossiers, with the
# record cache and without it (every read a RocksDB lookup and a decode). Results as a Markdown
# table on stdout.
#
#   bench/scale/run.sh LARGE_DATA_DIR [seconds=10] [small_dossiers=10000]
set -euo pipefail
cd "$(dirname "$0")/../.."
LARGE=$1
SECS=${2:-10}
SMALL_N=${3:-10000}
PORT=18191
WORK=$(mktemp -d /work/motcua-scale.XXXXXX)
SERVER=
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

./build/bench/generate_store --dir "$WORK/small" --dossiers "$SMALL_N" > "$WORK/small.gen" 2>&1
cp -r "$LARGE" "$WORK/large"
rm -f "$WORK/large/tokens.yaml"  # a development token for the bench

start() {  # data-dir config-lines...
  local data=$1
  shift
  printf '%s\n' "log_requests: false" "$@" > "$WORK/motcua.yaml"
  : > "$WORK/serve.out"
  ./build/motcua serve --config "$WORK/motcua.yaml" --data "$data" --definitions definitions \
    --listen 127.0.0.1:$PORT > "$WORK/serve.out" 2>> "$WORK/serve.err" &
  SERVER=$!
  for _ in $(seq 600); do grep -q "is serving" "$WORK/serve.out" 2>/dev/null && break; sleep 0.1; done
  [ -n "${TOKEN:-}" ] || TOKEN=$(grep -A1 "development token" "$WORK/serve.out" | tail -1 | tr -d ' ')
}
stop() { kill -TERM "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=; }
quiet() {  # until the server uses under 5% of a core for a second (at most 300 s)
  local t0 t1
  for _ in $(seq 300); do
    t0=$(awk '{print $14+$15}' "/proc/$SERVER/stat"); sleep 1
    t1=$(awk '{print $14+$15}' "/proc/$SERVER/stat")
    [ $((t1 - t0)) -le 5 ] && return 0
  done
}
ids_of() {  # FILE: up to 200 dossiers a month per receiving agency
  : > "$1"
  for month in 2507 2508 2509 2510 2511 2512 2601 2602 2603 2604 2605 2606 2607 2608 2609 2610 2611; do
    for agency in 000.00.01.H56 000.17.22.H56 000.18.22.H56 000.19.22.H56 000.17.22.H99; do
      curl -s -H "Authorization: Bearer $TOKEN" \
        "http://127.0.0.1:$PORT/v1/dossiers?number=$agency-$month&limit=200" |
        grep -o '"id":"[0-9a-f]*"' | cut -d'"' -f4 >> "$1" || true
    done
  done
}
reads() {  # name ids
  local out
  out=$(MOTCUA_TOKEN=$TOKEN MOTCUA_IDS=$2 wrk -t2 -c64 -d"${SECS}"s --latency -s bench/http/read.lua \
    "http://127.0.0.1:$PORT")
  printf '| %s | %s | %s | %s | %s |\n' "$1" "$(echo "$out" | awk '/Requests\/sec/ {print $2}')" \
    "$(echo "$out" | awk '$1=="50%" {print $2}')" "$(echo "$out" | awk '$1=="99%" {print $2}')" \
    "$(echo "$out" | awk '/non-2xx/ {print $NF}')"
}

echo "| run (64 connections, ${SECS}s) | requests/s | p50 | p99 | non-2xx |"
echo "|---|---|---|---|---|"
for store in small large; do
  TOKEN=
  data=$WORK/$store
  t0=$(date +%s.%N)
  start "$data"
  first=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
  quiet
  dossiers=$(curl -s "http://127.0.0.1:$PORT/metrics" -H "Authorization: Bearer $TOKEN" |
    awk '/^motcua_dossiers\{/ {n += $2} END {print n}')
  ids_of "$WORK/$store.ids"
  read -r wrps wp50 wp99 werr < <(./build/bench/http_load $PORT "$TOKEN" 64 "$SECS")
  printf '| %s: write mix (bench/http_load) | %s | %s | %s | %s |\n' "$store ($dossiers dossiers)" \
    "$wrps" "$wp50" "$wp99" "$werr"
  quiet
  reads "$store: GET /v1/dossiers/{id} ($(wc -l < "$WORK/$store.ids") ids)" "$WORK/$store.ids"
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$SERVER/status")
  stop
  start "$data" "record_cache_entries: 0"
  quiet
  reads "$store: the same, record cache off" "$WORK/$store.ids"
  stop
  echo "<!-- $store: served in ${first} s, ${rss} kB resident after the reads -->"
done
