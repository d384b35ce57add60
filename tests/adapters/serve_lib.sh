# Shared by the end-to-end shell tests: source it after setting $tmp (a scratch directory).
#
#   start_server N COMMAND...   runs `COMMAND --listen 127.0.0.1:$port` in the background ($pid),
#                               appending to $tmp/log, until the log says "is serving" N times.
#                               The first start picks a port below the ephemeral range and tries
#                               another when one is taken; later starts reuse $port.
#   fail MESSAGE                 says FAIL with the log's tail, and exits 1.

fail() { echo "FAIL: $*"; [ -f "$tmp/log" ] && tail -20 "$tmp/log"; exit 1; }

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
