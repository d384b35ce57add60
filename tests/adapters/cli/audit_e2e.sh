#!/usr/bin/env bash
# Tamper-evident history (issue 15 §1), from the outside: the server checkpoints the global hash
# chain (logged, and served at GET /v1/audit/checkpoints to an auditor, not to a counter clerk);
# `motcua verify` recomputes every chain and agrees with the checkpoints; `motcua audit export`
# writes a dossier's history with its hashes, which the documented stand-alone checker
# (scripts/audit_check.py, docs/audit.md) accepts, and rejects once a byte of it is changed.
#
#   audit_e2e.sh MOTCUA DEFINITIONS CHECKER
set -u
motcua=$1 defs=$2 checker=$3
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../serve_lib.sh
source "$here/../serve_lib.sh"
# shellcheck source=cli_lib.sh
source "$here/cli_lib.sh"
e2e_scratch audit_e2e

dev_server "$tmp/data" "$defs"
first=$(receive a1)
receive a2 > /dev/null
attach_pdf "$first"

# A stop checkpoints the head as the last write left it; the next start serves it.
kill "$pid"; wait "$pid" 2>/dev/null
grep -q "motcua: audit checkpoint: position 3 hash [0-9a-f]\{64\}" "$tmp/log" || fail "no checkpoint at the stop"
logged=$(grep -o "audit checkpoint: position 3 hash [0-9a-f]*" "$tmp/log" | tail -1 | awk '{print $NF}')
start_server 2 "$motcua" serve --data "$tmp/data" --definitions "$defs"
body=$(curl -s -H "Authorization: Bearer $token" "$base/v1/audit/checkpoints")
echo "$body" | grep -q "\"position\":\"3\",\"hash\":\"$logged\"" || fail "checkpoints: $body"
clerk=$("$motcua" token add --tokens "$tmp/data/tokens.yaml" --principal clerk --roles counter \
  --agencies 000.17.22.H56 --definitions "$defs") || fail "token add"
for _ in $(seq 30); do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $clerk" "$base/v1/audit/checkpoints")
  [ "$code" = 401 ] || break
  sleep 0.1
done
[ "$code" = 403 ] || fail "a counter clerk's checkpoints answered $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$base/v1/audit/checkpoints?limit=0")
[ "$code" = 400 ] || fail "limit=0 answered $code"

# verify recomputes every chain: the store's checkpoint, and the one the auditor kept, agree; a
# kept one that the chain does not pass through is named.
kill "$pid"; wait "$pid" 2>/dev/null
out=$("$motcua" verify "$tmp/data" --checkpoint "3:$logged") || fail "verify: $out"
echo "$out" | grep -q "^hash chains: 3 events chained, global head at position 3 $logged, 1 audit checkpoints of the store checked, 1 given checked" \
  || fail "verify said: $out"
other=$(printf '%064d' 7)
out=$("$motcua" verify "$tmp/data" --checkpoint "2:$other") && fail "verify passed a wrong kept checkpoint: $out"
echo "$out" | grep -q "^MISMATCH the checkpoint given for position 2 says $other, the chain recomputed gives" \
  || fail "verify said: $out"
out=$("$motcua" verify "$tmp/data" --checkpoint "3-$logged" 2>&1) && fail "a malformed checkpoint: $out"
echo "$out" | grep -q "expected POSITION:HASH" || fail "a malformed checkpoint said: $out"

# The export, checked by the documented stand-alone checker.
"$motcua" audit export "$tmp/data" "$first" --out "$tmp/export.json" 2> /dev/null || fail "audit export"
grep -q '"type": "file_attached"' "$tmp/export.json" || fail "export: $(cat "$tmp/export.json")"
out=$(python3 "$checker" "$tmp/export.json" "3:$logged") || fail "checker on the export: $out"
echo "$out" | grep -q "^OK: 2 events of dossier $first" || fail "checker said: $out"
# One byte of the first event's content changed: the checker names the event.
python3 - "$tmp/export.json" "$tmp/changed.json" <<'PY'
import base64, json, sys
x = json.load(open(sys.argv[1]))
c = bytearray(base64.b64decode(x["events"][0]["content"]))
c[-1] ^= 1
x["events"][0]["content"] = base64.b64encode(bytes(c)).decode()
json.dump(x, open(sys.argv[2], "w"))
PY
out=$(python3 "$checker" "$tmp/changed.json") && fail "the checker accepted a changed export: $out"
echo "$out" | grep -q "^PROBLEM event 1 (received): its content and the hash before it give" || fail "checker said: $out"
out=$("$motcua" audit export "$tmp/data" nope 2>&1) && fail "export of no dossier: $out"
echo "$out" | grep -q "no dossier 'nope'" || fail "export of no dossier said: $out"
echo "audit e2e: OK"
