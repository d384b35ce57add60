#!/usr/bin/env bash
# The HTTP write mix during a burst of due timers (issue 15 §4). bench/make_store makes N dossiers
# received on 2 March 2026 (kept in BASE, made once); for each run the store is copied and served
# on the real clock, so every step and dossier deadline of
# the open dossiers is due at once, as on a morning after a night's downtime. As soon as the
# server answers, bench/http_load runs the write mix (64 connections, paced at RATE requests a
# second) for SECS seconds during the burst, then again once every timer has fired (the same
# server, quiet). Prints one Markdown row per run: the write mix during and after the burst, the
# timers fired during the first, and how long the whole burst took.
#
#   bench/timers/burst_http.sh [dossiers=300000] [seconds=20] [rate=2000] [runs=2]
#   (BASE=/work/motcua-burst-base by default)
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-300000}
SECS=${2:-20}
RATE=${3:-2000}
RUNS=${4:-2}
BASE=${BASE:-/work/motcua-burst-base}
PORT=18311
WORK=$(mktemp -d /work/motcua-burst.XXXXXX)
SERVER=
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

make -C build -j2 make_store http_load motcua > /dev/null
if [ ! -d "$BASE/db" ]; then
  mkdir -p "$BASE"
  ./build/bench/make_store --dir "$BASE/db" --dossiers "$N" >&2
fi

metric() {  # name: its value from /metrics
  curl -s "http://127.0.0.1:$PORT/metrics" -H "Authorization: Bearer $TOKEN" |
    awk -v m="$1" '$1 == m {print $2}'
}
load() {  # the write mix: "requests/s p50 p99 errors"
  ./build/bench/http_load $PORT "$TOKEN" 64 "$SECS" 2 000.17.22.H56 "$RATE"
}

echo "| run | write mix during the burst: requests/s, p50, p99 | timers fired meanwhile (/s) | burst took | write mix after it: requests/s, p50, p99 |"
echo "|---|---|---|---|---|"
for run in $(seq "$RUNS"); do
  rm -rf "$WORK/data"
  mkdir -p "$WORK/data"
  cp -r "$BASE/db" "$WORK/data/db"
  printf 'log_requests: false\n' > "$WORK/motcua.yaml"
  t0=$(date +%s.%N)
  ./build/motcua serve --config "$WORK/motcua.yaml" --data "$WORK/data" --definitions definitions \
    --listen 127.0.0.1:$PORT > "$WORK/serve.out" 2> "$WORK/serve.err" &
  SERVER=$!
  for _ in $(seq 600); do grep -q "is serving" "$WORK/serve.out" 2>/dev/null && break; sleep 0.1; done
  TOKEN=$(grep -A1 "development token" "$WORK/serve.out" | tail -1 | tr -d ' ')
  fired0=$(metric motcua_timers_fired_total)
  read -r drps dp50 dp99 _ < <(load)
  fired1=$(metric motcua_timers_fired_total)
  # The burst is over once a second passes without a timer fired.
  last=$fired1
  while sleep 1; do
    now=$(metric motcua_timers_fired_total)
    [ "$now" = "$last" ] && break
    last=$now
  done
  took=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a - 1 }')
  read -r arps ap50 ap99 _ < <(load)
  printf '| %s | %s, %s, %s | %s (%s/s) | %s s (%s timers) | %s, %s, %s |\n' "$run" \
    "$drps" "$dp50" "$dp99" "$((fired1 - fired0))" "$(((fired1 - fired0) / SECS))" "$took" "$last" \
    "$arps" "$ap50" "$ap99"
  kill -TERM "$SERVER"
  wait "$SERVER" 2>/dev/null || true
  SERVER=
done
