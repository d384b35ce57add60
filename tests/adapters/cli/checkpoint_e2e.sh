#!/usr/bin/env bash
# A checkpoint of a running server under a write load (POST /v1/admin/checkpoint, issue 15 §2):
# every dossier acknowledged before the checkpoint was asked for is in it; `motcua verify` passes
# on it while the server still runs and writes; the checkpoint serves as a data directory of its
# own (a restore); only an admin may ask for one.
#
#   checkpoint_e2e.sh MOTCUA DEFINITIONS
set -u
motcua=$1 defs=$2
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../serve_lib.sh
source "$here/../serve_lib.sh"
# shellcheck source=cli_lib.sh
source "$here/cli_lib.sh"
e2e_scratch checkpoint_e2e

dev_server "$tmp/data" "$defs"

# A file on the first dossier: the checkpoint links it.
first=$(receive "f1")
attach_pdf "$first"

# A writer that keeps receiving, logging each acknowledged id as it comes back.
start_writer
# Everything acknowledged so far must be in the checkpoint; the writer goes on meanwhile.
cp "$tmp/acked" "$tmp/before"
answer=$(curl -s -w '\n%{http_code}' -X POST -H "Authorization: Bearer $token" "$base/v1/admin/checkpoint")
[ "$(echo "$answer" | tail -1)" = 201 ] || fail "checkpoint: $answer"
path=$(echo "$answer" | head -1 | grep -o '"path":"[^"]*"' | cut -d'"' -f4)
[ -d "$path/db" ] && [ -d "$path/files/sha256" ] || fail "no checkpoint at '$path': $answer"
case "$path" in "$tmp/data/checkpoints/"*) ;; *) fail "checkpoint outside the data directory: $path" ;; esac
ls -A "$tmp/data/checkpoints" | grep -q '^\.partial' && fail "a partial checkpoint was left"
sleep 0.5

# Verified while the server still runs and writes.
out=$("$motcua" verify "$path") || fail "verify of the checkpoint: $out"
echo "$out" | tail -1 | grep -q '^OK: .* 1 file references to 1 stored files' || fail "verify: $out"

# Two at once: both whole, under two names (or the second told to wait).
curl -s -o "$tmp/c1" -w '%{http_code}\n' -X POST -H "Authorization: Bearer $token" "$base/v1/admin/checkpoint" > "$tmp/code1" &
other=$!
curl -s -o "$tmp/c2" -w '%{http_code}\n' -X POST -H "Authorization: Bearer $token" "$base/v1/admin/checkpoint" > "$tmp/code2"
wait "$other"
for n in 1 2; do
  code=$(cat "$tmp/code$n")
  case "$code" in
    201) p=$(grep -o '"path":"[^"]*"' "$tmp/c$n" | cut -d'"' -f4)
         "$motcua" verify "$p" | tail -1 | grep -q '^OK: ' || fail "concurrent checkpoint $n: $("$motcua" verify "$p")" ;;
    409) grep -q checkpoint-in-progress "$tmp/c$n" || fail "409 without its reason: $(cat "$tmp/c$n")" ;;
    *) fail "concurrent checkpoint $n answered $code: $(cat "$tmp/c$n")" ;;
  esac
done
touch "$tmp/stop"
wait "$writer"
before=$(wc -l < "$tmp/before")
after=$(wc -l < "$tmp/acked")
[ "$after" -gt "$before" ] || fail "the writer did not go on during the checkpoint ($before, $after)"

# Only an admin asks for one.
clerk=$("$motcua" token add --tokens "$tmp/data/tokens.yaml" --principal clerk --roles counter \
  --agencies 000.17.22.H56 --definitions "$defs") || fail "token add"
for _ in $(seq 30); do  # the tokens file is picked up within a second
  code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $clerk" "$base/v1/admin/checkpoint")
  [ "$code" = 401 ] || break
  sleep 0.1
done
[ "$code" = 403 ] || fail "a counter's checkpoint answered $code"

# The checkpoint as a data directory of its own: it serves every dossier acknowledged before it.
kill "$pid"; wait "$pid" 2>/dev/null
start_server 2 "$motcua" serve --data "$path" --definitions "$defs"
missing=0
while read -r id; do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$base/v1/dossiers/$id")
  [ "$code" = 200 ] || { echo "missing from the checkpoint: $id ($code)"; missing=$((missing + 1)); }
done < "$tmp/before"
[ "$missing" = 0 ] || fail "$missing of $before acknowledged dossiers missing from the checkpoint"
echo "checkpoint e2e: OK ($before dossiers acknowledged before it, $after in all)"
