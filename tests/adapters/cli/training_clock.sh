#!/usr/bin/env bash
# `clock: manual` (a training system): a new data directory started with it is created in
# training mode, says so on /healthz and every response, and keeps its clock across a restart;
# such a directory refuses to start on the system clock, and a real system's refuses the manual
# clock. Usage: training_clock.sh <motcua> <definitions>
set -u
motcua=$1 defs=$2
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; [ -f "$tmp/serve.log" ] && cat "$tmp/serve.log"; exit 1; }
port=$(( 10000 + RANDOM % 20000 ))  # below the ephemeral range (32768 on)
http() {  # METHOD PATH [BODY] [TOKEN]: status line, headers and body
  exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
  printf '%s %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Length: %s\r\nConnection: close\r\n\r\n%s' \
    "$1" "$2" "${4:-}" "${#3}" "${3:-}" >&3
  cat <&3
  exec 3<&-
}
start() {  # extra serve arguments
  "$motcua" serve --listen "127.0.0.1:$port" --data "$tmp/train" --definitions "$defs" "$@" \
    > "$tmp/serve.log" 2>&1 &
  pid=$!
  for i in $(seq 1 100); do http GET /healthz "" > /dev/null 2>&1 && return 0; sleep 0.1; done
  fail "server did not start"
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null; pid=; }

start --clock manual
grep -q "TRAINING SYSTEM: the clock is manual" "$tmp/serve.log" || fail "no training banner"
token=$(grep -o 'mc_[0-9a-f]*' "$tmp/serve.log" | head -1)
out=$(http GET /healthz "")
echo "$out" | grep -q '"clock":"manual"' || fail "healthz: $out"
echo "$out" | grep -qi "^Motcua-Clock: manual " || fail "no clock header: $out"
out=$(http PUT /v1/admin/clock '{"now":"2026-04-29T16:00"}' "$token")
echo "$out" | grep -q '"now":"2026-04-29T16:00:00+07:00"' || fail "set: $out"
stop

# Restarted, it resumes where the clock stood.
start --clock manual
http GET /healthz "" | grep -q '"now":"2026-04-29T16:00:00+07:00"' || fail "the clock did not resume"
stop

# A training directory does not start on the system clock.
out=$("$motcua" serve --listen "127.0.0.1:$port" --data "$tmp/train" --definitions "$defs" 2>&1) \
  && fail "a training directory started on the system clock"
echo "$out" | grep -q "was created in training mode: start it with clock: manual" || fail "$out"

# A real system's directory does not take the manual clock.
"$motcua" serve --listen "127.0.0.1:$port" --data "$tmp/real" --definitions "$defs" > "$tmp/serve.log" 2>&1 &
pid=$!
for i in $(seq 1 100); do http GET /healthz "" > /dev/null 2>&1 && break; sleep 0.1; done
http GET /healthz "" | grep -q '"clock"' && fail "a real system shows a clock"
stop
out=$("$motcua" serve --listen "127.0.0.1:$port" --data "$tmp/real" --definitions "$defs" --clock manual 2>&1) \
  && fail "a real system started on the manual clock"
echo "$out" | grep -q "clock: manual needs a data directory created in training mode" || fail "$out"
echo "training clock: OK"
