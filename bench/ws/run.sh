#!/usr/bin/env bash
# Live streams under load, on this machine: motcua's write mix (bench/http_load, 64 connections)
# and WebSocket subscribers (bench/ws_load, one epoll thread) in one run, a fresh server each run.
# Results go to stdout as Markdown tables.
#
#   bench/ws/run.sh [seconds=10] [what...]
#
# what: table (0, 10, 100, 500, 1000 subscribers to the agency the write mix writes to),
#       province (the mix over 100 communes, without and with 1,000 subscribers: 10 per commune,
#       half on its step queue; PAIRS=5 times, alternating), hot (1,000 transitions/s into one agency, 100 subscribers), slow (one subscriber
#       that never reads among 100, at 5,000 transitions/s and at full speed). Default: all four.
# MOTCUA_BIN=path runs another build of the server (the benchmark clients are this build's).
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_PER_RUN=${1:-10}
shift || true
WHAT=${*:-table province hot slow}
scripts/setup.sh build >&2
BIN=${MOTCUA_BIN:-./build/motcua}
PORT=18191
A=000.17.22.H56

WORK=$(mktemp -d /tmp/motcua-wsbench.XXXXXX)
SERVER=
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

# 100 sample communes for the province run, added to a copy of the shipped definitions.
cp -r definitions "$WORK/definitions"
COMMUNES=""
{
  for i in $(seq 1 100); do
    code=$(printf '000.%02d.%d.H56' $(( (i - 1) % 99 + 1 )) $(( 40 + (i - 1) / 99 )))
    printf '  - code: %s\n    name: "UBND xã đo tải %d"\n    kind: "UBND cấp xã"\n    parent: 000.00.00.H56\n\n' "$code" "$i"
    COMMUNES="$COMMUNES${COMMUNES:+,}$code"
  done
} >> "$WORK/definitions/agencies/h56.yaml"
# shellcheck disable=SC2034
COMMUNES=$(grep -o '000\.[0-9][0-9]\.4[01]\.H56' "$WORK/definitions/agencies/h56.yaml" | paste -sd,)

start_server() {
  rm -rf "$WORK/data"
  {
    echo "log_requests: false"
    echo "max_connections: 5000"
    # Builds before the stream rework have no per-principal cap (nor the setting).
    if grep -q ws_per_principal "$BIN"; then echo "ws_per_principal: 5000"; fi
  } > "$WORK/motcua.yaml"
  "$BIN" serve --config "$WORK/motcua.yaml" --data "$WORK/data" --definitions "$WORK/definitions" \
    --listen 127.0.0.1:$PORT > "$WORK/serve.out" 2> "$WORK/serve.err" &
  SERVER=$!
  for _ in $(seq 100); do grep -q "development token" "$WORK/serve.out" 2>/dev/null && break; sleep 0.1; done
  TOKEN=$(grep -A1 "development token" "$WORK/serve.out" | tail -1 | tr -d ' ')
}
stop_server() {
  kill -TERM "$SERVER"; wait "$SERVER" 2>/dev/null || true
  SERVER=
  "$BIN" verify "$WORK/data" | tail -1 >&2
}
cpu_ticks() { awk '{print $14+$15}' "/proc/$SERVER/stat"; }
rss_mb() { awk '/VmHWM/ {printf "%d", $2/1024}' "/proc/$SERVER/status"; }
field() { echo "$1" | tr ' ' '\n' | awk -F= -v k="$2" '$1==k {print $2}'; }

# One run: subscribers, agencies for ws_load, steps, slow, agencies for http_load, rate.
# Prints: writes/s p99 | lag p50/p99 | cut | events | server CPU µs per delivery | peak RSS MB
one() {
  local n=$1 ws_agencies=$2 steps=$3 slow=$4 mix_agencies=$5 rate=$6
  start_server
  local ws_out="$WORK/ws.out"
  ./build/bench/ws_load $PORT "$TOKEN" "$n" "$SECONDS_PER_RUN" "$ws_agencies" "$steps" "$slow" \
    > "$ws_out" 2> "$WORK/ws.err" &
  local ws=$!
  sleep 2
  local t0; t0=$(cpu_ticks)
  local mix
  mix=$(./build/bench/http_load $PORT "$TOKEN" 64 "$SECONDS_PER_RUN" 2 "$mix_agencies" "$rate")
  local t1; t1=$(cpu_ticks)
  wait $ws
  local out; out=$(cat "$ws_out")
  local rss; rss=$(rss_mb)
  stop_server
  local events; events=$(field "$out" events)
  local cpu_us="–"
  if [ "${events:-0}" -gt 0 ]; then
    cpu_us=$(awk -v t=$((t1 - t0)) -v e="$events" 'BEGIN {printf "%.1f", t * 10000 / e}')
  fi
  read -r wrps _ wp99 werr <<< "$mix"
  printf '| %s | %s (p99 %s, %s errors) | %s / %s ms | %s (slow: %s) | %s | %s | %s | %s |\n' \
    "$n" "$wrps" "$wp99" "$werr" "$(field "$out" lag_p50_ms)" "$(field "$out" lag_p99_ms)" \
    "$(field "$out" cut_reading)" "$(field "$out" cut_slow)" "$events" "$cpu_us" "$rss" \
    "$(field "$out" client_cpu_s)"
  grep -v '^$' "$WORK/ws.err" | head -3 >&2 || true
}

header() {
  echo
  echo "$1"
  echo
  echo "| subscribers | writes/s (64 connections) | delivery lag p50 / p99 | reading subscribers cut | events delivered | server CPU µs per delivery | peak RSS MB | load client CPU s |"
  echo "|---|---|---|---|---|---|---|---|"
}

for w in $WHAT; do
  case $w in
    table)
      header "Subscribers to the agency the write mix writes to ($A), ${SECONDS_PER_RUN} s a run:"
      for n in 0 10 100 500 1000; do one "$n" "$A" 0 0 "$A" 0; done ;;
    province)
      header "A province: the write mix over 100 communes, without and with 1,000 subscribers (10 a commune, 5 on its step queue), ${PAIRS:-5} times:"
      for _ in $(seq "${PAIRS:-5}"); do
        one 0 "$COMMUNES" 1 0 "$COMMUNES" 0
        one 1000 "$COMMUNES" 1 0 "$COMMUNES" 0
      done ;;
    hot)
      header "A hot agency: 1,000 transitions/s into $A, 100 subscribers to it:"
      one 100 "$A" 0 0 "$A" 1000 ;;
    slow)
      # At full speed each of the 100 wants every event of the mix (1-2 M frames a second
      # through one client thread that shares the cores with the server and the mix): readers
      # whose sockets back up are cut as they should be. At 5,000 transitions/s (500,000
      # deliveries a second) the client keeps up, and the one that does not read is cut alone.
      header "One subscriber that never reads among 100, under the write mix at 5,000 transitions/s, then at full speed:"
      one 100 "$A" 0 1 "$A" 5000
      one 100 "$A" 0 1 "$A" 0 ;;
  esac
done
