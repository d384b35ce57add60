#!/usr/bin/env bash
# Outbound delivery end to end (docs/delivery.md, issue 13 §4): a real motcua server delivers to
# real receivers (receiver.py, a Python HTTP server) that fail on purpose: 500s, 503 with
# Retry-After, answers later than the timeout, connections closed unanswered. motcua is killed
# with SIGKILL while it delivers and started again. Then every event of every dossier has arrived
# at least once, each dossier's events first arrived in order, every signature verifies, and a
# duplicate carries the same webhook-id. A second subscription whose receiver is down
# dead-letters its events; once the receiver is up, an admin re-drives them and they arrive. A
# third takes the national portal's payload: it logs in for a session token, logs in again when
# the portal expires it, and sends every event as the portal's service call. A batched one finds
# its receiver down until the restart, and then sends the backlog in batches.
# Usage: delivery_e2e.sh <motcua> <definitions-dir>
set -u
motcua=$1 defs=$2
here=$(cd "$(dirname "$0")" && pwd)
here_lib=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=../serve_lib.sh
source "$here_lib/serve_lib.sh"
e2e_scratch delivery_e2e
command -v python3 > /dev/null || fail "python3 is needed for the test receiver"

secret="whsec_$(head -c 32 /dev/urandom | base64)"
start_receiver() {  # start_receiver LOG MODE [PORT] → sets rport, rpid
  # The background job truncates rport only once it runs: the previous receiver's port must not
  # be read meanwhile (it was: "the receiver did not start", now and then under load).
  rm -f "$tmp/rport"
  python3 "$here/receiver.py" "$secret" "$1" "$2" ${3:-} > "$tmp/rport" 2> "$tmp/rerr" &
  rpid=$!
  e2e_track "$rpid"
  for _ in $(seq 50); do [ -s "$tmp/rport" ] && break; sleep 0.1; done
  rport=$(head -1 "$tmp/rport")
  [ -n "$rport" ] || fail "the receiver did not start: $(cat "$tmp/rerr")"
}
start_receiver "$tmp/portal.jsonl" chaos
portal_port=$rport
start_receiver "$tmp/dvcqg.jsonl" portal
dvcqg_port=$rport
# The batched subscription's receiver is down until motcua is killed: the first dossiers' events
# wait, refused, and the restarted server finds them all ready at once, so they go in batches
# (at a trickle an event goes alone at once, and chaos retries come due apart: no batch then).
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
batched_port=$(free_port)
# An https receiver with a self-signed certificate for 127.0.0.1: trusted through ca_file by one
# subscription, and by another that names a different CA, whose events fail verification.
command -v openssl > /dev/null || fail "openssl is needed for the TLS receiver's certificate"
for name in receiver stranger; do
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1" -keyout "$tmp/$name.key" -out "$tmp/$name.pem" \
    2> /dev/null || fail "openssl req"
done
RECEIVER_TLS_CERT=$tmp/receiver.pem RECEIVER_TLS_KEY=$tmp/receiver.key \
  start_receiver "$tmp/secure.jsonl" calm
secure_port=$rport
late_port=$(free_port)

cat > "$tmp/subscriptions.yaml" <<YAML
subscriptions:
  - id: portal
    url: http://127.0.0.1:$portal_port/hooks
    secrets: [$secret]
    timeout_ms: 500
    concurrency: 4
    retry: {max_attempts: 100, first_backoff_ms: 50, max_backoff_ms: 400}
  - id: batched
    url: http://127.0.0.1:$batched_port/hooks
    secrets: [$secret]
    timeout_ms: 500
    concurrency: 2
    batch: 5
    retry: {max_attempts: 100, first_backoff_ms: 50, max_backoff_ms: 400}
  - id: secure
    url: https://127.0.0.1:$secure_port/hooks
    ca_file: $tmp/receiver.pem
    events: [received]
    secrets: [$secret]
    timeout_ms: 2000
  - id: untrusted
    url: https://127.0.0.1:$secure_port/hooks
    ca_file: $tmp/stranger.pem
    events: [received]
    secrets: [$secret]
    timeout_ms: 2000
    retry: {max_attempts: 2, first_backoff_ms: 10, max_backoff_ms: 20}
  - id: late
    url: http://127.0.0.1:$late_port/hooks
    events: [received]
    secrets: [$secret]
    timeout_ms: 500
    retry: {max_attempts: 2, first_backoff_ms: 10, max_backoff_ms: 20}
  - id: dvcqg
    url: http://127.0.0.1:$dvcqg_port/hooks
    payload: portal
    portal:
      login_url: http://127.0.0.1:$dvcqg_port/login
      username: motcua
      password: s3cret
      status_codes: {consulting: 4}
      procedure_codes: {"2.000908": "2.000908.000.00.00.H56"}
    secrets: [$secret]
    timeout_ms: 500
    retry: {max_attempts: 100, first_backoff_ms: 20, max_backoff_ms: 200}
YAML
printf 'subscriptions: %s\n' "$tmp/subscriptions.yaml" > "$tmp/motcua.yaml"

serve=("$motcua" serve --config "$tmp/motcua.yaml" --data "$tmp/data" --definitions "$defs")
start_server 1 "${serve[@]}"
token=$(grep -o 'mc_[0-9a-f]*' "$tmp/log" | head -1)
[ -n "$token" ] || fail "no development token"
grep -q "outbound delivery: 6 subscriptions" "$tmp/log" || fail "the start does not name the subscriptions"
base="http://127.0.0.1:$port"
applicant='"applicant":{"name":"Trần Văn Bình","id_number":"001190054321","phone":"0912000111"}'
ids=()
make_dossiers() {  # make_dossiers N: received, then forwarded
  for _ in $(seq "$1"); do
    local id
    id=$(call POST /v1/dossiers "{\"procedure_code\":\"2.000908\",\"receiving_agency\":\"000.17.22.H56\",$applicant,\"documents\":[{\"document_id\":\"identity_paper\"}]}" | field id)
    [ -n "$id" ] || fail "a dossier was not created"
    call POST "/v1/dossiers/$id/commands" '{"command":"act","action":"forward"}' 1 | grep -q '"version"' \
      || fail "forward $id"
    ids+=("$id")
  done
}
make_dossiers 8
# Killed while it delivers (the receiver is failing the first attempts), then started again.
kill -9 "$pid"
wait "$pid" 2>/dev/null
start_receiver "$tmp/batched.jsonl" calm "$batched_port"
start_server 2 "${serve[@]}"
make_dossiers 8

# Every event of every dossier, as webhook-ids.
expected=$tmp/expected
: > "$expected"
for id in "${ids[@]}"; do
  call GET "/v1/dossiers/$id/history" | grep -o '"version":"\?[0-9]*' | grep -o '[0-9]*$' \
    | sed "s/^/msg_${id}_/" >> "$expected"
done
sort -u -o "$expected" "$expected"
[ "$(wc -l < "$expected")" -ge 32 ] || fail "expected at least 32 events, found $(wc -l < "$expected")"
check_receiver() {  # check_receiver NAME: every expected event arrived, signed, in order
  local log=$tmp/$1.jsonl
  for _ in $(seq 600); do
    python3 -c 'import json,sys; print("\n".join(json.loads(l)["id"] for l in open(sys.argv[1])))' \
      "$log" | sort -u > "$tmp/got"
    comm -23 "$expected" "$tmp/got" | grep -q . || break
    sleep 0.1
  done
  missing=$(comm -23 "$expected" "$tmp/got" | wc -l)
  [ "$missing" -eq 0 ] || fail "$missing events never arrived at the $1 receiver: $(comm -23 "$expected" "$tmp/got" | head -3)"
  python3 - "$log" "$1" <<'PY' || fail "the $1 receiver's log breaks a guarantee"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
bad = [l["id"] for l in lines if not l["sig_ok"]]
assert not bad, f"signatures that do not verify: {bad[:3]}"
first = {}
for l in lines:
    first.setdefault(l["id"], l)
    assert l["event"]["type"].startswith("dossier."), l["event"]["type"]
    assert l["id"] == "msg_%s_%s" % (l["event"]["data"]["dossier_id"], l["event"]["data"]["version"]), l["id"]
order = {}
for mid in first:  # the first arrivals, in arrival order
    d = first[mid]["event"]["data"]
    order.setdefault(d["dossier_id"], []).append(int(d["version"]))
for dossier, versions in order.items():
    assert versions == sorted(versions), f"dossier {dossier} arrived out of order: {versions}"
dups = len(lines) - len(first)
batches = {l["batch"] for l in lines if "batch" in l}
sizes = "" if not batches else f", in {len(batches)} batches of up to {max(sum(1 for l in lines if l.get('batch') == b) for b in batches)}"
print(f"{sys.argv[2]}: {len(first)} events, {dups} duplicates (same webhook-id), every signature verifies, in order per dossier{sizes}")
PY
}
check_receiver portal
check_receiver batched
grep -q '"batch"' "$tmp/batched.jsonl" || fail "the batched subscription sent no batch"
# Its requests are counted: fewer than the events it delivered, as many as its receiver took.
python3 - "$tmp/batched.jsonl" "$(call GET /v1/admin/subscriptions)" <<'PY' || fail "the batched subscription's request count is wrong"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
took = len({l.get("batch", l["id"]) for l in lines})
s = next(s for s in json.loads(sys.argv[2])["subscriptions"] if s["id"] == "batched")
requests, delivered = int(s.get("requests", "0")), int(s.get("delivered", "0"))
assert took <= requests < delivered, f"requests {requests}, delivered {delivered}, received {took}"
PY

# The portal's receiver: every event as a service call, with logins as the sessions expired.
for _ in $(seq 300); do
  python3 -c 'import json,sys; print("\n".join(json.loads(l)["id"] for l in open(sys.argv[1]) if "id" in json.loads(l)))' \
    "$tmp/dvcqg.jsonl" | sort -u > "$tmp/got3"
  comm -23 "$expected" "$tmp/got3" | grep -q . || break
  sleep 0.1
done
[ "$(comm -23 "$expected" "$tmp/got3" | wc -l)" -eq 0 ] || fail "events missing at the portal: $(comm -23 "$expected" "$tmp/got3" | head -3)"
python3 - "$tmp/dvcqg.jsonl" <<'PY' || fail "the portal's messages are wrong"
import json, re, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
logins = [l for l in lines if "login" in l]
msgs = [l for l in lines if "id" in l]
assert len(logins) >= 2, f"expected a login again after the session expired: {len(logins)}"
assert all(m["sig_ok"] for m in msgs), "a signature does not verify"
services = {}
for m in msgs:
    body = m["event"]
    services[body["service"]] = services.get(body["service"], 0) + 1
    assert body["madonvi"] == "000.17.22.H56", body["madonvi"]
    d = body["data"][0]
    assert re.fullmatch(r"000\.17\.22\.H56-\d{6}-\d{4}", d["MaHoSo"]), d["MaHoSo"]
    if body["service"] == "DongBoHoSoMC":
        assert d["MaTTHC"] == "2.000908.000.00.00.H56", d["MaTTHC"]
        assert re.fullmatch(r"\d{14}", d["NgayTiepNhan"]) and re.fullmatch(r"\d{14}", d["NgayHenTra"]), d
        assert d["TrangThaiHoSo"] in ("2", "4"), d["TrangThaiHoSo"]
        assert d["ChuHoSo"] == "Trần Văn Bình" and d["KenhThucHien"] == 1, d
    else:
        assert body["service"] == "CapNhatTienDoHoSoMC", body["service"]
        assert d["NguoiXuLy"] == "dev-admin" and re.fullmatch(r"\d{14}", d["ThoiDiemXuLy"]), d
assert set(services) == {"DongBoHoSoMC", "CapNhatTienDoHoSoMC"}, services
print(f"portal payload: {services}, {len(logins)} logins")
PY

# Over TLS: every received event arrived, signed; a receiver whose certificate the CA file does
# not vouch for gets nothing, and the dead letters say why.
received=$(grep -c '_1$' "$expected")  # every dossier's first event is its reception
for _ in $(seq 100); do
  [ "$(python3 -c 'import json,sys; print(len({json.loads(l)["id"] for l in open(sys.argv[1])}))' \
       "$tmp/secure.jsonl")" -ge "$received" ] && break
  sleep 0.1
done
python3 - "$tmp/secure.jsonl" "$received" <<'PY' || fail "the https receiver's log"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert all(l["sig_ok"] for l in lines), "a signature does not verify"
assert all(l["event"]["type"] == "dossier.received" for l in lines), "an event not asked for"
got = {l["id"] for l in lines}
assert len(got) == int(sys.argv[2]), f"{len(got)} events over TLS, expected {sys.argv[2]}"
print(f"secure: {len(got)} events over TLS, every signature verifies")
PY
for _ in $(seq 100); do
  [ "$(call GET "/v1/admin/subscriptions/untrusted/dead-letters?limit=1000" | grep -o '"position"' | wc -l)" -ge "$received" ] && break
  sleep 0.1
done
call GET "/v1/admin/subscriptions/untrusted/dead-letters?limit=1" | grep -q 'certificate verify failed' \
  || fail "an untrusted certificate is not named: $(call GET "/v1/admin/subscriptions/untrusted/dead-letters?limit=1")"

# The late subscription's receiver was never up: its `received` events are dead letters.
received=$(grep -c '_1$' "$expected")
for _ in $(seq 300); do
  dead=$(call GET "/v1/admin/subscriptions/late/dead-letters?limit=1000" | grep -o '"position"' | wc -l)
  [ "$dead" -ge "$received" ] && break
  sleep 0.1
done
[ "$dead" -eq "$received" ] || fail "late: $dead dead letters, expected $received"
call GET "/v1/admin/subscriptions/late/dead-letters?limit=1" | grep -q '"last_error":"Connection refused"' \
  || fail "a dead letter names its last error: $(call GET "/v1/admin/subscriptions/late/dead-letters?limit=1")"
call GET /v1/admin/subscriptions | grep -q "$secret" && fail "a secret is shown"
start_receiver "$tmp/late.jsonl" calm "$late_port"
for position in $(call GET "/v1/admin/subscriptions/late/dead-letters?limit=1000" | grep -o '"position":"[0-9]*' | grep -o '[0-9]*$'); do
  code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $token" \
    "$base/v1/admin/subscriptions/late/dead-letters/$position/redrive")
  [ "$code" = 202 ] || fail "redrive $position: HTTP $code"
done
for _ in $(seq 300); do
  left=$(call GET "/v1/admin/subscriptions/late/dead-letters?limit=1000" | grep -o '"position"' | wc -l)
  [ "$left" -eq 0 ] && break
  sleep 0.1
done
[ "$left" -eq 0 ] || fail "$left dead letters left after the re-drive"
[ "$(wc -l < "$tmp/late.jsonl")" -ge "$received" ] || fail "the re-driven events did not all arrive"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $token" \
  "$base/v1/admin/subscriptions/late/dead-letters/999999/redrive")
[ "$code" = 404 ] || fail "redrive of no dead letter: HTTP $code"
# Bad input to the admin routes: named, refused, nothing changed.
status() { curl -s -o "$tmp/answer" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $token" "$base$2"; }
[ "$(status GET '/v1/admin/subscriptions/late/dead-letters?limit=0')" = 400 ] &&
  grep -q '"field":"limit"' "$tmp/answer" || fail "limit=0: $(cat "$tmp/answer")"
[ "$(status GET '/v1/admin/subscriptions/late/dead-letters?after=x')" = 400 ] &&
  grep -q '"field":"after"' "$tmp/answer" || fail "after=x: $(cat "$tmp/answer")"
[ "$(status POST /v1/admin/subscriptions/late/dead-letters/x/redrive)" = 400 ] || fail "position x: $(cat "$tmp/answer")"
[ "$(status GET /v1/admin/subscriptions/nope/dead-letters)" = 404 ] || fail "unknown subscription: $(cat "$tmp/answer")"
curl -s "$base/metrics" | grep -q '^motcua_delivery_delivered_total{subscription="portal"} [1-9]' \
  || fail "metrics lack the portal's deliveries"
curl -s "$base/readyz" | grep -q '"ready"' || fail "not ready: $(curl -s "$base/readyz")"
# Inbound: the portal's dossier code is a business idempotency key.
submit='{"mode":"submit","procedure_code":"2.000908","receiving_agency":"000.17.22.H56","channel":"online_full","portal_code":"G22.99-261201-000042",'"$applicant"',"documents":[{"document_id":"identity_paper"}]}'
first=$(curl -s -o "$tmp/first" -w '%{http_code}' -X POST -H "Authorization: Bearer $token" -H "Idempotency-Key: p1" -d "$submit" "$base/v1/dossiers")
again=$(curl -s -o "$tmp/again" -w '%{http_code}' -X POST -H "Authorization: Bearer $token" -H "Idempotency-Key: p2" -d "$submit" "$base/v1/dossiers")
[ "$first" = 201 ] && [ "$again" = 200 ] || fail "portal code: HTTP $first then $again"
[ "$(field id < "$tmp/first")" = "$(field id < "$tmp/again")" ] || fail "a second submission of a portal code made another dossier"
grep -q '"portal_code":"G22.99-261201-000042"' "$tmp/again" || fail "the dossier does not show its portal code"
echo "OK: outbound delivery: $(wc -l < "$expected") events delivered through failures and a SIGKILL; $received dead letters re-driven"
