#!/usr/bin/env bash
# Outbound delivery under the HTTP write mix (issue 13 §5), in one sitting on this machine:
# the write mix (bench/http_load, 64 connections, every request a durable transition) against a
# fresh server without subscriptions, then against a fresh server with one subscription that
# wants every event, POSTed to a webhook sink (bench/minimal_server: answers every request at
# once), alternating. During each run with the subscription, GET /v1/admin/subscriptions every
# second: the backlog (events committed and not yet delivered) and the lag. After the run, how
# long the backlog takes to drain. Results go to stdout as Markdown.
#
#   bench/delivery/run.sh [seconds-per-run] [pairs] [batch]
#
# batch: the subscription's events per request (default 1: one POST per event).
set -euo pipefail
cd "$(dirname "$0")/../.."
SECS=${1:-60}
PAIRS=${2:-2}
BATCH=${3:-1}
scripts/setup.sh build >&2
make -C build -j2 http_load minimal_server >&2
WORK=$(mktemp -d /tmp/motcua-delivery-bench.XXXXXX)
PORT=18281
SINK=18282
SERVER= SINKPID=
cleanup() { kill "$SERVER" "$SINKPID" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
./build/bench/minimal_server $SINK 1 &
SINKPID=$!
SECRET="whsec_$(head -c 32 /dev/urandom | base64)"
cat > "$WORK/subscriptions.yaml" <<YAML
subscriptions:
  - id: sink
    url: http://127.0.0.1:$SINK/hooks
    secrets: [$SECRET]
    concurrency: 16
    batch: $BATCH
YAML

start() {  # start CONFIG → SERVER, TOKEN
  rm -rf "$WORK/data"
  ./build/motcua serve --config "$1" --data "$WORK/data" --listen 127.0.0.1:$PORT \
    > "$WORK/serve.out" 2> "$WORK/serve.err" &
  SERVER=$!
  for _ in $(seq 100); do grep -q "development token" "$WORK/serve.out" 2>/dev/null && break; sleep 0.1; done
  TOKEN=$(grep -A1 "development token" "$WORK/serve.out" | tail -1 | tr -d ' ')
}
stop() { kill -TERM "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=; }
state() {  # committed cursor pending lag_seconds
  curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/v1/admin/subscriptions" |
    python3 -c 'import json,sys
s=json.load(sys.stdin)["subscriptions"][0]
print(int(s.get("committed","0")), int(s.get("cursor","0")), int(s.get("pending","0")), int(s.get("lag_seconds","0")))'
}

printf 'log_requests: false\n' > "$WORK/plain.yaml"
printf 'log_requests: false\nsubscriptions: %s\n' "$WORK/subscriptions.yaml" > "$WORK/delivery.yaml"
echo "| run (${SECS}s, 64 connections, batch $BATCH) | writes/s | write p50 | write p99 | backlog p50 / p99 / max (events) | lag p99 / max (s) | drained after the run in |"
echo "|---|---|---|---|---|---|---|"
for pair in $(seq "$PAIRS"); do
  start "$WORK/plain.yaml"
  read -r rps p50 p99 err < <(./build/bench/http_load $PORT "$TOKEN" 64 "$SECS")
  stop
  printf '| %d. without subscriptions | %s | %s | %s | – | – | – |\n' "$pair" "$rps" "$p50" "$p99"

  start "$WORK/delivery.yaml"
  ./build/bench/http_load $PORT "$TOKEN" 64 "$SECS" > "$WORK/load.out" &
  LOAD=$!
  : > "$WORK/samples"
  while kill -0 "$LOAD" 2>/dev/null; do
    state >> "$WORK/samples" || true
    sleep 1
  done
  wait "$LOAD"
  read -r rps p50 p99 err < "$WORK/load.out"
  t0=$(date +%s.%N)
  for _ in $(seq 600); do
    read -r committed cursor pending lag < <(state)
    [ "$cursor" -ge "$committed" ] && break
    sleep 0.1
  done
  drained=$(python3 -c "import time; print(f'{time.time() - $t0:.1f} s')")
  stats=$(python3 - "$WORK/samples" <<'PY'
import sys
rows = [list(map(int, l.split())) for l in open(sys.argv[1]) if l.strip()]
backlog = sorted(c - k for c, k, _, _ in rows)
lag = sorted(l for _, _, _, l in rows)
q = lambda v, p: v[min(len(v) - 1, int(p * len(v)))]
print(f"{q(backlog, .5)} / {q(backlog, .99)} / {backlog[-1]} | {q(lag, .99)} / {lag[-1]}")
PY
)
  delivered=$(curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/v1/admin/subscriptions" |
    python3 -c 'import json,sys; s=json.load(sys.stdin)["subscriptions"][0]; print(s.get("delivered","0"), s.get("dead_lettered","0"))')
  stop
  printf '| %d. one subscription, every event | %s | %s | %s | %s | %s |\n' "$pair" "$rps" "$p50" "$p99" "$stats" "$drained"
  echo "  (delivered, dead-lettered: $delivered)" >&2
done
