#!/usr/bin/env bash
# Uploads of 5 MB PDFs (issue 13 §5), in one sitting on this machine, each run on a fresh server:
#   1. uploads alone, from 1 and from 4 connections: uploads/s, MB/s, latency of an upload
#      (the file hashed, written and fsynced, then its attach_file command group-committed);
#   2. the HTTP write mix (bench/http_load, 64 connections) alone, then with uploads from 2
#      connections beside it: what uploads add to the latency of ordinary commands.
# Results go to stdout as Markdown.
#
#   bench/files/run.sh [seconds-per-run]
set -euo pipefail
cd "$(dirname "$0")/../.."
SECS=${1:-20}
scripts/setup.sh build >&2
make -C build -j2 motcua http_load >&2
WORK=$(mktemp -d /tmp/motcua-files-bench.XXXXXX)
PORT=18291
SERVER=
cleanup() { kill "$SERVER" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
printf 'log_requests: false\n' > "$WORK/motcua.yaml"
start() {
  rm -rf "$WORK/data"
  ./build/motcua serve --config "$WORK/motcua.yaml" --data "$WORK/data" --listen 127.0.0.1:$PORT \
    > "$WORK/serve.out" 2> "$WORK/serve.err" &
  SERVER=$!
  for _ in $(seq 100); do grep -q "development token" "$WORK/serve.out" 2>/dev/null && break; sleep 0.1; done
  TOKEN=$(grep -A1 "development token" "$WORK/serve.out" | tail -1 | tr -d ' ')
}
stop() { kill -TERM "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=; }
UP=bench/files/upload_load.py

echo "| run (${SECS} s) | uploads/s | MB/s | upload p50 | upload p99 | errors |"
echo "|---|---|---|---|---|---|"
for c in 1 4; do
  start
  read -r ups mbs p50 p99 err < <(python3 $UP $PORT "$TOKEN" $c "$SECS")
  stop
  printf '| 5 MB PDFs from %d connection(s) | %s | %s | %s ms | %s ms | %s |\n' "$c" "$ups" "$mbs" "$p50" "$p99" "$err"
done
echo
echo "| run (${SECS} s, write mix: 64 connections) | commands/s | command p50 | command p99 | uploads/s beside it | upload p99 |"
echo "|---|---|---|---|---|---|"
start
read -r rps p50 p99 err < <(./build/bench/http_load $PORT "$TOKEN" 64 "$SECS")
stop
printf '| write mix alone | %s | %s | %s | – | – |\n' "$rps" "$p50" "$p99"
start
python3 $UP $PORT "$TOKEN" 2 "$SECS" > "$WORK/up.out" &
UPL=$!
read -r rps p50 p99 err < <(./build/bench/http_load $PORT "$TOKEN" 64 "$SECS")
wait $UPL
read -r ups mbs up50 up99 uerr < "$WORK/up.out"
stop
printf '| write mix with 5 MB uploads from 2 connections | %s | %s | %s | %s | %s ms |\n' "$rps" "$p50" "$p99" "$ups" "$up99"
