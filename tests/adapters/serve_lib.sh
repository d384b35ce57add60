# Shared by the end-to-end shell tests.
#
#   e2e_scratch NAME            makes the scratch directory $tmp; at exit kills $pid and every
#                               process given to e2e_track, and removes $tmp (KEEP=1 keeps the
#                               server's log as /tmp/NAME.log).
#   e2e_track PID               one more process to kill at exit.
#   start_server N COMMAND...   runs `COMMAND --listen 127.0.0.1:$port` in the background ($pid),
#                               appending to $tmp/log, until the log says "is serving" N times.
#                               The first start picks a port below the ephemeral range and tries
#                               another when one is taken; later starts reuse $port.
#   fail MESSAGE                 says FAIL with the log's tail, and exits 1.
#   call METHOD PATH [BODY [IF-MATCH]]
#                               the API at $base with $token (a fresh Idempotency-Key each time:
#                               from the clock and the shell's randomness, as subshells share no
#                               counter); the answer's body on stdout.
#   field NAME                  the first "NAME":"value" of stdin, its value.

fail() { echo "FAIL: $*"; [ -f "$tmp/log" ] && tail -20 "$tmp/log"; exit 1; }

call() {
  local args=(-s -X "$1" -H "Authorization: Bearer $token" -H "Idempotency-Key: k$(date +%s%N)$RANDOM")
  [ $# -ge 4 ] && args+=(-H "If-Match: \"$4\"")
  [ $# -ge 3 ] && args+=(-d "$3")
  curl "${args[@]}" "$base$2"
}
field() { grep -o "\"$1\":\"[^\"]*\"" | head -1 | cut -d'"' -f4; }

e2e_scratch() {
  e2e_name=$1
  tmp=$(mktemp -d)
  pid= e2e_pids=
  trap e2e_cleanup EXIT
}
e2e_track() { e2e_pids="$e2e_pids $1"; }
e2e_cleanup() {
  for p in $pid $e2e_pids; do kill -9 "$p" 2>/dev/null; done
  wait 2>/dev/null
  [ -n "${KEEP:-}" ] && [ -f "$tmp/log" ] && cp "$tmp/log" "/tmp/$e2e_name.log"
  rm -rf "$tmp"
}

start_server() {
  local n=$1
  shift
  for _ in 1 2 3 4 5; do
    [ -n "${port:-}" ] || port=$(( 10000 + RANDOM % 20000 ))
    "$@" --listen "127.0.0.1:$port" >> "$tmp/log" 2>&1 &
    pid=$!
    for _ in $(seq 100); do
      [ "$(grep -c "is serving" "$tmp/log")" -ge "$n" ] && return 0
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    grep -q "Address already in use" "$tmp/log" || fail "the server did not start"
    wait "$pid" 2>/dev/null
    port=
  done
  fail "no free port"
}
