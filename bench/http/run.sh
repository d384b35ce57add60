#!/usr/bin/env bash
# HTTP load benchmark, all in one run on this machine: a minimal Beast server answering a fixed
# JSON body, motcua reads of a dossier, and motcua's write mix (receive and advance dossiers
# through every step; every request a durable transition). wrk runs on the same machine,
# keep-alive, 64 connections. Results go to stdout as a Markdown table.
#
#   bench/http/run.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_PER_RUN=${1:-10}
scripts/setup.sh build >&2
command -v wrk >/dev/null || { sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo;
  $sudo apt-get install -y -qq wrk >&2; }

WORK=$(mktemp -d /tmp/motcua-httpbench.XXXXXX)
PORT=18181
MINPORT=18182
cleanup() { kill "$SERVER" "$MINIMAL" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

printf 'log_requests: false\n' > "$WORK/motcua.yaml"
./build/motcua serve --config "$WORK/motcua.yaml" --data "$WORK/data" --listen 127.0.0.1:$PORT \
  > "$WORK/serve.out" 2> "$WORK/serve.err" &
SERVER=$!
./build/bench/minimal_server $MINPORT 2 &
MINIMAL=$!
for _ in $(seq 50); do grep -q "development token" "$WORK/serve.out" 2>/dev/null && break; sleep 0.1; done
export MOTCUA_TOKEN=$(grep -A1 "development token" "$WORK/serve.out" | tail -1 | tr -d ' ')

run() {  # name, wrk args...
  local name=$1; shift
  local out
  out=$(wrk -t2 -c64 -d"${SECONDS_PER_RUN}"s --latency "$@")
  local rps p50 p99 errors
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  errors=$(echo "$out" | awk '/non-2xx/ {print $NF}')
  printf '| %s | %s | %s | %s | %s |\n' "$name" "$rps" "$p50" "$p99" "${errors:-0}"
}

echo "| run (wrk -t2 -c64, ${SECONDS_PER_RUN}s) | requests/s | p50 | p99 | non-2xx |"
echo "|---|---|---|---|---|"
read -r wrps wp50 wp99 werr < <(./build/bench/http_load $PORT "$MOTCUA_TOKEN" 64 "$SECONDS_PER_RUN")
printf '| %s | %s | %s | %s | %s |\n' "motcua write mix, 64 connections (bench/http_load)" "$wrps" "$wp50" "$wp99" "$werr"
# The write mix leaves RocksDB flushes and compactions behind: the reads are measured once the
# server is quiet again (under 5% of a core for a second, at most 30 s of waiting).
cpu_ticks() { awk '{print $14+$15}' "/proc/$SERVER/stat"; }
for _ in $(seq 30); do
  t0=$(cpu_ticks); sleep 1; t1=$(cpu_ticks)
  [ $((t1 - t0)) -le 5 ] && break
done
# Ids for the read run: the dossiers the write mix created.
source bench/http/ids.sh
read_ids "$PORT" "$MOTCUA_TOKEN" "$WORK/ids"
export MOTCUA_IDS="$WORK/ids"
# The minimal server right before the reads, so that both see the machine in the same state.
run "minimal Beast server, fixed JSON" http://127.0.0.1:$MINPORT/
run "motcua GET /v1/dossiers/{id}" -s bench/http/read.lua http://127.0.0.1:$PORT
kill -TERM "$SERVER"; wait "$SERVER" 2>/dev/null || true
# The same reads with the record cache off: every read is a RocksDB lookup and a decode.
printf 'log_requests: false\nrecord_cache_entries: 0\n' > "$WORK/nocache.yaml"
./build/motcua serve --config "$WORK/nocache.yaml" --data "$WORK/data" --listen 127.0.0.1:$PORT \
  > "$WORK/serve2.out" 2> "$WORK/serve2.err" &
SERVER=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
run "motcua GET /v1/dossiers/{id}, record cache off" -s bench/http/read.lua http://127.0.0.1:$PORT
echo
echo "dossiers used for reads: $(wc -l < "$WORK/ids")"
kill -TERM "$SERVER"; wait "$SERVER" 2>/dev/null || true
./build/motcua verify "$WORK/data/db" | tail -1
