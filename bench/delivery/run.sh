#!/usr/bin/env bash
# Outbound delivery under the HTTP write mix (issue 13 §5), in one sitting on this machine:
# the write mix (bench/http_load, 64 connections, every request a durable transition) against a
# fresh server without subscriptions, then against a fresh server with one subscription that
# wants every event, POSTed to a webhook sink (bench/minimal_server: answers every request at
# once), alternating, `pairs` times. Results go to stdout as Markdown.
#
#   bench/delivery/run.sh [seconds-per-run] [pairs] [batch]
#
# batch: the subscription's events per request (default 1: one POST per event).
#
# So that the two runs of a pair differ only by the subscription:
#  * both are sampled alike: GET /v1/admin/subscriptions every second (curl only; parsed after
#    the run), which gives the backlog (events committed and not yet delivered) and the lag;
#  * the sink stands for a receiver on another machine: it runs at idle priority (chrt --idle),
#    taking only CPU the server and the load leave, and its CPU is reported, not hidden.
# Per run: the server's CPU outside the delivery thread per 1,000 writes (the write path's own
# cost), the delivery thread's and the sink's CPU. After the pairs: the ratio of the writes with
# to without, per pair and overall with a 95% confidence interval, beside the spread of the runs
# without (the noise).
set -euo pipefail
cd "$(dirname "$0")/../.."
SECS=${1:-60}
PAIRS=${2:-3}
BATCH=${3:-1}
scripts/setup.sh build >&2
make -C build -j2 motcua http_load minimal_server >&2
WORK=$(mktemp -d /tmp/motcua-delivery-bench.XXXXXX)
PORT=18281
SINK=18282
SERVER= SINKPID= SAMPLER=
cleanup() {
  kill "$SERVER" "$SINKPID" "$SAMPLER" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
chrt --idle 0 ./build/bench/minimal_server $SINK 1 &
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
subscriptions() {
  curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/v1/admin/subscriptions"
}
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }  # user + system CPU, in 1/100 s
delivery_ticks() {                                     # the delivery thread's
  local total=0 t
  for t in /proc/"$SERVER"/task/*; do
    [ "$(cat "$t/comm")" = motcua-deliver ] && total=$((total + $(awk '{print $14 + $15}' "$t/stat")))
  done
  echo $total
}
# run CONFIG LABEL: one run of the write mix; appends a line to $WORK/runs:
# label writes/s p50 p99 server-cpu delivery-cpu sink-cpu backlog-stats drained
run() {
  start "$1"
  local s0 k0 s1 k1 d1 rps p50 p99 err
  s0=$(ticks "$SERVER"); k0=$(ticks "$SINKPID")
  ./build/bench/http_load $PORT "$TOKEN" 64 "$SECS" > "$WORK/load.out" &
  local load=$!
  : > "$WORK/samples"
  (while kill -0 "$load" 2>/dev/null; do subscriptions >> "$WORK/samples"; echo >> "$WORK/samples"; sleep 1; done) &
  SAMPLER=$!
  wait "$load"
  wait "$SAMPLER" || true
  SAMPLER=
  s1=$(ticks "$SERVER"); k1=$(ticks "$SINKPID"); d1=$(delivery_ticks)
  read -r rps p50 p99 err < "$WORK/load.out"
  local drained="–"
  if [ "$2" = with ]; then
    local t0 now
    t0=$(date +%s%N)
    for _ in $(seq 600); do
      subscriptions | python3 -c 'import json,sys
s=json.load(sys.stdin)["subscriptions"][0]
sys.exit(0 if int(s.get("cursor","0")) >= int(s.get("committed","0")) else 1)' && break
      sleep 0.1
    done
    now=$(date +%s%N)
    drained=$(python3 -c "print(f'{($now - $t0) / 1e9:.1f} s')")
    subscriptions | python3 -c 'import json,sys
s=json.load(sys.stdin)["subscriptions"][0]
print("  (delivered, dead-lettered:", s.get("delivered","0"), s.get("dead_lettered","0"), ")", file=sys.stderr)'
  fi
  local backlog
  backlog=$(python3 - "$WORK/samples" <<'PY'
import json, sys
rows = []
for line in open(sys.argv[1]):
    if not line.strip():
        continue
    subs = json.loads(line).get("subscriptions", [])
    if subs:
        s = subs[0]
        rows.append((int(s.get("committed", "0")) - int(s.get("cursor", "0")), int(s.get("lag_seconds", "0"))))
if not rows:
    print("– | –")
else:
    backlog = sorted(b for b, _ in rows)
    lag = sorted(l for _, l in rows)
    q = lambda v, p: v[min(len(v) - 1, int(p * len(v)))]
    print(f"{q(backlog, .5)} / {q(backlog, .99)} / {backlog[-1]} | {q(lag, .99)} / {lag[-1]}")
PY
)
  stop
  echo "$2|$rps|$p50|$p99|$((s1 - s0))|$d1|$((k1 - k0))|$backlog|$drained" >> "$WORK/runs"
}

printf 'log_requests: false\n' > "$WORK/plain.yaml"
printf 'log_requests: false\nsubscriptions: %s\n' "$WORK/subscriptions.yaml" > "$WORK/delivery.yaml"
: > "$WORK/runs"
for pair in $(seq "$PAIRS"); do
  run "$WORK/plain.yaml" without
  run "$WORK/delivery.yaml" with
  echo "  pair $pair of $PAIRS done" >&2
done

python3 - "$WORK/runs" "$SECS" "$BATCH" <<'PY'
import statistics as st, sys
runs = [l.rstrip("\n").split("|") for l in open(sys.argv[1]) if l.strip()]
secs, batch = sys.argv[2], sys.argv[3]
print(f"| run ({secs}s, 64 connections, batch {batch}) | writes/s | write p50 | write p99 "
      "| server CPU s per 1,000 writes, outside delivery | delivery thread CPU s | sink CPU s "
      "| backlog p50 / p99 / max (events) | lag p99 / max (s) | drained after the run in |")
print("|---|---|---|---|---|---|---|---|---|---|")
for i, (label, rps, p50, p99, srv, dlv, sink, backlog, lag, drained) in enumerate(runs):
    rps_f = float(rps)
    write_path = (int(srv) - int(dlv)) / 100 / (rps_f * float(secs)) * 1000
    name = "without subscriptions" if label == "without" else "one subscription, every event"
    deliv = f"{int(dlv) / 100:.1f}" if label == "with" else "–"
    sink_s = f"{int(sink) / 100:.1f}" if label == "with" else "–"
    print(f"| {i // 2 + 1}. {name} | {rps_f:.0f} | {p50} | {p99} | {write_path:.3f} | {deliv} "
          f"| {sink_s} | {backlog} | {lag} | {drained} |")
without = [float(r[1]) for r in runs if r[0] == "without"]
with_ = [float(r[1]) for r in runs if r[0] == "with"]
ratios = [w / o for o, w in zip(without, with_)]
mean = st.mean(ratios)
t95 = {1: 12.71, 2: 4.30, 3: 3.18, 4: 2.78, 5: 2.57, 6: 2.45, 7: 2.36, 8: 2.31, 9: 2.26}
half = t95.get(len(ratios) - 1, 2.0) * st.stdev(ratios) / len(ratios) ** 0.5 if len(ratios) > 1 else float("nan")
noise = st.stdev(without) / st.mean(without) if len(without) > 1 else float("nan")
print()
print(f"Writes with / without, per pair: {', '.join(f'{r:.3f}' for r in ratios)}; "
      f"mean {mean:.3f} (95% interval {mean - half:.3f} – {mean + half:.3f}). "
      f"Runs without: mean {st.mean(without):.0f} writes/s, spread (standard deviation / mean) "
      f"{noise * 100:.1f}%.")
PY
