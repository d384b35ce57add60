#!/usr/bin/env bash
# Live streams end to end (issue 11): `motcua serve` on a real port and store, subscribers with a
# real WebSocket client (ws_client.py). The events of an agency arrive in order, once, and only
# theirs; a resume from a position reads the rest from the store, then goes on live; a shutdown
# closes streams with 1001; after a restart, a resume from the last position seen loses nothing.
# A clerk signed in with a password (issue 14) follows the stream with the session's cookie, is
# refused a write without the CSRF token, and signing out closes the stream.
#
#   stream_e2e.sh MOTCUA DEFINITIONS
set -u
motcua=$1 defs=$2
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../serve_lib.sh
source "$here/../serve_lib.sh"
e2e_scratch stream_e2e
command -v python3 > /dev/null || fail "python3 is needed for the WebSocket client"
ws() { python3 "$here/ws_client.py" "$port" "$token" "$@"; }

serve=("$motcua" serve --data "$tmp/data" --definitions "$defs" --tokens "$tmp/tokens.yaml")
start_server 1 "${serve[@]}"
token=$(grep -o 'mc_[0-9a-f]*' "$tmp/log" | head -1)
[ -n "$token" ] || fail "no development token"
base="http://127.0.0.1:$port"
receive() {  # receive KEY AGENCY → the dossier's id
  curl -s -X POST -H "Authorization: Bearer $token" -H "Idempotency-Key: $1" "$base/v1/dossiers" \
    -d "{\"procedure_code\":\"2.000908\",\"receiving_agency\":\"$2\",\"applicant\":{\"name\":\"Lê Thị Hoa\",\"id_number\":\"001190054321\"},\"documents\":[{\"document_id\":\"identity_paper\"}]}" |
    field id
}
wait_for() {  # wait_for FILE PATTERN COUNT
  for _ in $(seq 100); do
    [ "$(grep -c "$2" "$1" 2>/dev/null)" -ge "$3" ] && return 0
    sleep 0.05
  done
  fail "$1: fewer than $3 lines with $2: $(cat "$1")"
}
A=000.17.22.H56 B=000.18.22.H56

# A subscriber to agency A from the start, and one to every event that stays open.
ws "{\"agency\":\"$A\",\"from_start\":true}" 3 20 > "$tmp/a" &
ws_a=$!
ws '{"all":true,"from_start":true}' 100 30 > "$tmp/all" &
ws_all=$!
wait_for "$tmp/a" SUBSCRIBED 1
wait_for "$tmp/all" SUBSCRIBED 1
id1=$(receive k1 "$A") id2=$(receive k2 "$B") id3=$(receive k3 "$A") id4=$(receive k4 "$A")
[ -n "$id1" ] && [ -n "$id4" ] || fail "dossiers were not received"
wait "$ws_a"
# Only agency A's three, in order, each once.
[ "$(grep -c '"type":"received"' "$tmp/a")" = 3 ] || fail "agency stream: $(cat "$tmp/a")"
[ "$(grep -o '"dossier_id":"[^"]*"' "$tmp/a" | cut -d'"' -f4 | paste -sd' ')" = "$id1 $id3 $id4" ] ||
  fail "agency stream, dossiers: $(cat "$tmp/a")"
positions=$(grep -o '"position":"[0-9]*"' "$tmp/a" | cut -d'"' -f4 | paste -sd' ')
[ "$positions" = "1 3 4" ] || fail "agency stream, positions: $positions"
grep -q "$id2" "$tmp/a" && fail "agency A's stream got agency B's dossier"
wait_for "$tmp/all" '"type":"received"' 4

# A resume after position 1: events 3 and 4 from the store, then a new one live.
ws "{\"agency\":\"$A\",\"from\":1}" 3 20 > "$tmp/resume" &
ws_resume=$!
wait_for "$tmp/resume" '"type":"received"' 2
id5=$(receive k5 "$A")
wait "$ws_resume"
positions=$(grep -o '"position":"[0-9]*"' "$tmp/resume" | cut -d'"' -f4 | paste -sd' ')
[ "$positions" = "3 4 5" ] || fail "resume from 1: positions $positions: $(cat "$tmp/resume")"
grep -q "\"dossier_id\":\"$id5\"" "$tmp/resume" || fail "the live event after the resume"

# A shutdown closes the open stream with 1001 ("going away").
wait_for "$tmp/all" '"type":"received"' 5
kill -TERM "$pid"
wait "$pid"
pid=
wait "$ws_all"
grep -q "^CLOSE 1001" "$tmp/all" || fail "no 1001 at shutdown: $(tail -2 "$tmp/all")"
last=$(grep -o '"position":"[0-9]*"' "$tmp/all" | tail -1 | cut -d'"' -f4)
[ "$last" = 5 ] || fail "the stream of everything ended at $last, not 5"

# Restarted: a resume from the last position seen gets what came after, nothing twice.
start_server 2 "${serve[@]}"
ws "{\"all\":true,\"from\":$last}" 1 20 > "$tmp/after" &
ws_after=$!
wait_for "$tmp/after" SUBSCRIBED 1
id6=$(receive k6 "$B")
wait "$ws_after"
[ "$(grep -o '"position":"[0-9]*"' "$tmp/after" | cut -d'"' -f4)" = 6 ] ||
  fail "after the restart: $(cat "$tmp/after")"
grep -q "\"dossier_id\":\"$id6\"" "$tmp/after" || fail "after the restart, the new dossier"
# A console session: an account made with the CLI, picked up by the running server.
printf 'mật khẩu của Lan\n' | "$motcua" account add --accounts "$tmp/data/accounts.yaml" \
  --principal lan --name "Nguyễn Thị Lan" --roles counter --agencies "$A" \
  --definitions "$defs" > /dev/null || fail "account add"
wait_for "$tmp/log" "accounts reloaded (the file changed): 1" 1
code=$(curl -s -o "$tmp/signin" -D "$tmp/signin.h" -w '%{http_code}' -X POST "$base/v1/session" \
  -H 'Content-Type: application/json' -d '{"principal":"lan","password":"mật khẩu của Lan"}')
[ "$code" = 201 ] || fail "sign-in: $code $(cat "$tmp/signin")"
cookie=$(grep -io 'motcua_session=[0-9a-f]*' "$tmp/signin.h")
grep -qi 'Set-Cookie: motcua_session=.*HttpOnly; SameSite=Strict' "$tmp/signin.h" ||
  fail "the cookie's attributes: $(grep -i set-cookie "$tmp/signin.h")"
csrf=$(field csrf_token < "$tmp/signin")
python3 "$here/ws_client.py" "$port" "$cookie" "{\"agency\":\"$A\"}" 100 20 > "$tmp/session" &
ws_session=$!
wait_for "$tmp/session" SUBSCRIBED 1
body="{\"procedure_code\":\"2.000908\",\"receiving_agency\":\"$A\",\"applicant\":{\"name\":\"Lê Thị Hoa\",\"id_number\":\"001190054321\"},\"documents\":[{\"document_id\":\"identity_paper\"}]}"
code=$(curl -s -o "$tmp/out" -w '%{http_code}' -X POST -H "Cookie: $cookie" \
  -H "Idempotency-Key: k7" "$base/v1/dossiers" -d "$body")
[ "$code" = 403 ] || fail "a write without the CSRF token: $code $(cat "$tmp/out")"
code=$(curl -s -o "$tmp/out" -w '%{http_code}' -X POST -H "Cookie: $cookie" -H "X-CSRF-Token: $csrf" \
  -H "Idempotency-Key: k7" "$base/v1/dossiers" -d "$body")
[ "$code" = 201 ] || fail "a write with the CSRF token: $code $(cat "$tmp/out")"
id7=$(field id < "$tmp/out")
wait_for "$tmp/session" "\"dossier_id\":\"$id7\"" 1
grep -q '"actor":"lan"' "$tmp/session" || fail "the event's actor: $(cat "$tmp/session")"
code=$(curl -s -o /dev/null -w '%{http_code}' -X DELETE -H "Cookie: $cookie" -H "X-CSRF-Token: $csrf" \
  "$base/v1/session")
[ "$code" = 204 ] || fail "sign-out: $code"
wait "$ws_session"
grep -q "^CLOSE 1008 session ended" "$tmp/session" || fail "the stream after sign-out: $(tail -1 "$tmp/session")"
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" "$base/v1/session")" = 401 ] ||
  fail "the cookie after sign-out"
echo "stream e2e: OK"
