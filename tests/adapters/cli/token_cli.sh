#!/usr/bin/env bash
# `motcua token`: add trims role and agency lists and refuses unknown ones; list shows every
# token; revoke says when a principal was already revoked; a running server watches the tokens
# file, so an added token works and a revoked one is refused within a second, without SIGHUP.
# Usage: token_cli.sh <motcua> <definitions>
set -u
motcua=$1 defs=$2
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; [ -f "$tmp/serve.log" ] && cat "$tmp/serve.log"; exit 1; }
tokens="$tmp/tokens.yaml"

secret=$("$motcua" token add --tokens "$tokens" --definitions "$defs" --principal cb1 \
  --roles " counter , specialist" --agencies " 000.17.22.H56") || fail "token add"
case "$secret" in mc_*) ;; *) fail "no secret printed: $secret" ;; esac
"$motcua" token list --tokens "$tokens" | grep -q "^cb1 .*active .*roles: counter, specialist  agencies: 000.17.22.H56$" \
  || fail "list: $("$motcua" token list --tokens "$tokens")"

out=$("$motcua" token add --tokens "$tokens" --definitions "$defs" --principal x --roles counter,chef \
  --agencies 000.17.22.H56 2>&1) && fail "an unknown role was accepted"
echo "$out" | grep -q "unknown role 'chef'; the definitions and the API know: admin, auditor," || fail "$out"
out=$("$motcua" token add --tokens "$tokens" --definitions "$defs" --principal x --roles counter \
  --agencies "000.17.22.H56,../etc" 2>&1) && fail "an unknown agency was accepted"
echo "$out" | grep -q "unknown agency '../etc'" || fail "$out"
[ "$("$motcua" token list --tokens "$tokens" | wc -l)" = 1 ] || fail "a refused token was written"

"$motcua" token revoke --tokens "$tokens" --principal cb1 | grep -q "^revoked 1 token(s) of cb1" || fail "revoke"
"$motcua" token revoke --tokens "$tokens" --principal cb1 | grep -q "^cb1 has no active token: its 1 token(s) were already revoked" \
  || fail "revoke again"
out=$("$motcua" token revoke --tokens "$tokens" --principal nobody 2>&1) && fail "revoke of nobody exited 0"
echo "$out" | grep -q "nobody has no token" || fail "$out"
"$motcua" token list --tokens "$tokens" | grep -q "^cb1 .*revoked" || fail "list after revoke"

# A running server picks the file up by itself.
status() {  # GET /v1/procedures with a bearer secret: the HTTP status
  exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
  printf 'GET /v1/procedures HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nConnection: close\r\n\r\n' "$1" >&3
  head -1 <&3 | cut -d' ' -f2
  exec 3<&-
}
# A port below the ephemeral range (32768 on), and another one when something holds it (tests
# run in parallel).
for attempt in 1 2 3 4 5; do
  port=$(( 10000 + RANDOM % 20000 ))
  "$motcua" serve --listen "127.0.0.1:$port" --data "$tmp/data" --definitions "$defs" \
    --tokens "$tokens" > "$tmp/serve.log" 2>&1 &
  pid=$!
  for i in $(seq 1 100); do
    [ "$(status x 2>/dev/null)" = 401 ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  grep -q "Address already in use" "$tmp/serve.log" || break
  wait "$pid" 2>/dev/null
done
[ "$(status x)" = 401 ] || fail "server did not start"
fresh=$("$motcua" token add --tokens "$tokens" --definitions "$defs" --principal cb2 --roles counter \
  --agencies 000.17.22.H56 2>/dev/null) || fail "token add while serving"
sleep 1.5
[ "$(status "$fresh")" = 200 ] || fail "the added token is not in force after 1.5 s"
"$motcua" token revoke --tokens "$tokens" --principal cb2 > /dev/null || fail "revoke while serving"
sleep 1.5
[ "$(status "$fresh")" = 401 ] || fail "the revoked token still works after 1.5 s"
grep -q "tokens reloaded (the file changed)" "$tmp/serve.log" || fail "no log line for the reload"
echo "token cli: OK"
