#!/usr/bin/env bash
# Reads of two builds on identical data, alternated in one sitting: one data directory is written
# by the write mix (bench/http_load, second build), copied, and each build serves its own copy;
# wrk reads GET /v1/dossiers/{id} from each in turn and the server's CPU time a request is read
# from /proc. For "no slower than before" checks of a change:
#
#   bench/http/ab_reads.sh <motcua-before> <motcua-after> [rounds] [record_cache_entries]
#
# (Build the earlier commit in a worktree: git worktree add /tmp/before <rev> && (cd /tmp/before
# && scripts/setup.sh).)
set -euo pipefail
cd "$(dirname "$0")/../.."
BEFORE=$1 AFTER=$2 ROUNDS=${3:-4} CACHE=${4:-50000}
command -v wrk >/dev/null || { sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo;
  $sudo apt-get install -y -qq wrk >&2; }
W=$(mktemp -d /tmp/motcua-abreads.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$W"' EXIT

printf 'log_requests: false\n' > "$W/write.yaml"
"$AFTER" serve --config "$W/write.yaml" --data "$W/data" --listen 127.0.0.1:18191 \
  --definitions definitions > "$W/write.out" 2>&1 &
S=$!
for _ in $(seq 50); do grep -q "development token" "$W/write.out" 2>/dev/null && break; sleep 0.1; done
TOKEN=$(grep -A1 "development token" "$W/write.out" | tail -1 | tr -d ' ')
./build/bench/http_load 18191 "$TOKEN" 64 8 > /dev/null
source bench/http/ids.sh
read_ids 18191 "$TOKEN" "$W/ids"
kill -TERM $S; wait $S || true
cp -r "$W/data" "$W/data-before"; mv "$W/data" "$W/data-after"

printf 'log_requests: false\nrecord_cache_entries: %s\n' "$CACHE" > "$W/read.yaml"
"$BEFORE" serve --config "$W/read.yaml" --data "$W/data-before" --listen 127.0.0.1:18192 \
  --definitions definitions > "$W/before.out" 2>&1 &
B=$!
"$AFTER" serve --config "$W/read.yaml" --data "$W/data-after" --listen 127.0.0.1:18193 \
  --definitions definitions > "$W/after.out" 2>&1 &
A=$!
sleep 2
export MOTCUA_TOKEN=$TOKEN MOTCUA_IDS=$W/ids
ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
echo "| round | build | requests/s | server CPU µs a request |"
echo "|---|---|---|---|"
for r in $(seq "$ROUNDS"); do
  for who in before:18192:$B after:18193:$A; do
    IFS=: read -r name port pid <<< "$who"
    t0=$(ticks "$pid")
    out=$(wrk -t2 -c64 -d8s -s bench/http/read.lua "http://127.0.0.1:$port")
    t1=$(ticks "$pid")
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    reqs=$(echo "$out" | awk '/requests in/ {print $1}')
    echo "| $r | $name | $rps | $(awk -v t=$((t1 - t0)) -v n="$reqs" 'BEGIN {printf "%.1f", t * 10000 / n}') |"
  done
done
