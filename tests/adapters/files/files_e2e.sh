#!/usr/bin/env bash
# Files of dossiers end to end (issue 13 §3): a real server with real files on disk, driven with
# curl. Uploads and downloads (ranges, ETag), type by content, size, an upload cut off midway, a
# SIGKILL with an upload in flight and one right after an acknowledged upload, the partial file a
# crash leaves, scope, the public lookup, and `motcua verify` / `motcua files prune` on what is
# stored.
#
#   files_e2e.sh MOTCUA DEFINITIONS
set -u
motcua=$1 defs=$2
here_lib=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=../serve_lib.sh
source "$here_lib/serve_lib.sh"
e2e_scratch files_e2e
command -v python3 > /dev/null || fail "python3 is needed for the interrupted uploads"

printf 'max_file_mb: 2\n' > "$tmp/motcua.yaml"
serve=("$motcua" serve --config "$tmp/motcua.yaml" --data "$tmp/data" --definitions "$defs" --tokens "$tmp/tokens.yaml")
start_server 1 "${serve[@]}"
token=$(grep -o 'mc_[0-9a-f]*' "$tmp/log" | head -1)
[ -n "$token" ] || fail "no development token"
base="http://127.0.0.1:$port"
put() {  # put KEY DOCUMENT FILE [TOKEN] → status code; body in $tmp/out
  curl -s -o "$tmp/out" -w '%{http_code}' -X PUT -H "Authorization: Bearer ${4:-$token}" \
    -H "Idempotency-Key: $1" --data-binary "@$3" \
    "$base/v1/dossiers/$id/documents/$2/files?name=b%E1%BA%A3n%20qu%C3%A9t.pdf"
}
applicant='"applicant":{"name":"Trần Văn Bình","id_number":"001190054321"}'
r=$(curl -s -X POST -H "Authorization: Bearer $token" -H "Idempotency-Key: c1" "$base/v1/dossiers" \
  -d "{\"procedure_code\":\"2.000908\",\"receiving_agency\":\"000.17.22.H56\",$applicant,\"documents\":[{\"document_id\":\"identity_paper\"}]}")
id=$(echo "$r" | field id)
number=$(echo "$r" | field number)
[ -n "$id" ] || fail "no dossier: $r"

# A PDF of 1.5 MB (a real header and end marker around random bytes).
{ printf '%%PDF-1.7\n'; head -c 1500000 /dev/urandom; printf '\n%%%%EOF\n'; } > "$tmp/scan.pdf"
sha=$(sha256sum "$tmp/scan.pdf" | cut -d' ' -f1)
code=$(put u1 identity_paper "$tmp/scan.pdf")
[ "$code" = 201 ] || fail "upload: $code $(cat "$tmp/out")"
grep -q "\"sha256\":\"$sha\"" "$tmp/out" || fail "the answer does not name the hash"
href="/v1/dossiers/$id/documents/identity_paper/files/$sha"
curl -s -H "Authorization: Bearer $token" -o "$tmp/back.pdf" "$base$href"
cmp -s "$tmp/scan.pdf" "$tmp/back.pdf" || fail "the download differs from the upload"
curl -s -D "$tmp/h" -H "Authorization: Bearer $token" -H "Range: bytes=1000-1999" -o "$tmp/part" \
  "$base$href"
grep -q "206 Partial Content" "$tmp/h" || fail "no 206 for a range"
grep -qi "Content-Range: bytes 1000-1999/$(stat -c %s "$tmp/scan.pdf")" "$tmp/h" ||
  fail "Content-Range: $(cat "$tmp/h")"
cmp -s "$tmp/part" <(tail -c +1001 "$tmp/scan.pdf" | head -c 1000) || fail "the range's bytes"
grep -qi "ETag: \"$sha\"" "$tmp/h" || fail "the ETag is not the hash"
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" \
     -H "If-None-Match: \"$sha\"" "$base$href")" = 304 ] || fail "If-None-Match"

# Type by content, not by name; size; a document the procedure does not have.
head -c 5000 /dev/urandom > "$tmp/fake.pdf"
[ "$(put u2 identity_paper "$tmp/fake.pdf")" = 415 ] || fail "random bytes named .pdf: $(cat "$tmp/out")"
{ printf '%%PDF-1.7\n'; head -c 3000000 /dev/zero; printf '\n%%%%EOF\n'; } > "$tmp/big.pdf"
[ "$(put u3 identity_paper "$tmp/big.pdf")" = 413 ] || fail "3 MB over max_file_mb 2: $(cat "$tmp/out")"
grep -q "files are limited to 2097152 bytes" "$tmp/out" || fail "413 says why: $(cat "$tmp/out")"
[ "$(put u4 birth_record "$tmp/scan.pdf")" = 404 ] || fail "unknown document"

# Outside the caller's agencies the dossier and its files are unknown.
other=$("$motcua" token add --tokens "$tmp/tokens.yaml" --definitions "$defs" --principal cb9 \
  --roles counter --agencies 000.18.22.H56 | grep -o 'mc_[0-9a-f]*' | head -1)
sleep 1.5  # the server reads the tokens file within a second
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $other" "$base$href")" = 404 ] ||
  fail "a counter of another agency downloads the file"
[ "$(put u5 identity_paper "$tmp/scan.pdf" "$other")" = 404 ] || fail "another agency uploads"

# The public progress lookup never shows files.
pub=$(curl -s "$base/v1/public/progress?number=$number&id_last4=4321")
echo "$pub" | grep -q '"status"' || fail "public lookup: $pub"
echo "$pub" | grep -q "sha256\|files\|identity_paper" && fail "the public lookup exposes files: $pub"

# An upload cut off midway: nothing is attached, nothing left behind.
python3 - "$port" "$id" "$token" <<'PY'
import socket, sys
port, id, token = int(sys.argv[1]), sys.argv[2], sys.argv[3]
s = socket.create_connection(("127.0.0.1", port))
s.sendall((f"PUT /v1/dossiers/{id}/documents/identity_paper/files HTTP/1.1\r\nHost: x\r\n"
           f"Authorization: Bearer {token}\r\nIdempotency-Key: cut\r\n"
           f"Content-Length: 1000000\r\n\r\n%PDF-1.7\n").encode() + b"x" * 400000)
s.close()
PY
sleep 0.5
v=$(curl -s -H "Authorization: Bearer $token" "$base/v1/dossiers/$id")
[ "$(echo "$v" | grep -o '"sha256"' | wc -l)" = 1 ] || fail "an interrupted upload was attached: $v"

# SIGKILL with an upload in flight (its body half sent), right after an acknowledged one, and
# with the partial file a crash in the middle of writing leaves.
{ printf '%%PDF-1.4\n'; head -c 800000 /dev/urandom; printf '\n%%%%EOF\n'; } > "$tmp/second.pdf"
sha2=$(sha256sum "$tmp/second.pdf" | cut -d' ' -f1)
[ "$(put u6 relationship_proof "$tmp/second.pdf")" = 201 ] || fail "second upload: $(cat "$tmp/out")"
python3 - "$port" "$id" "$token" <<'PY' &
import socket, sys, time
port, id, token = int(sys.argv[1]), sys.argv[2], sys.argv[3]
s = socket.create_connection(("127.0.0.1", port))
s.sendall((f"PUT /v1/dossiers/{id}/documents/representation_proof/files HTTP/1.1\r\nHost: x\r\n"
           f"Authorization: Bearer {token}\r\nIdempotency-Key: inflight\r\n"
           f"Content-Length: 1000000\r\n\r\n%PDF-1.7\n").encode() + b"y" * 300000)
time.sleep(30)
PY
slow=$!
e2e_track "$slow"
sleep 0.5
kill -9 "$pid"
wait "$pid" 2>/dev/null
kill -9 "$slow" 2>/dev/null
printf 'half a file' > "$tmp/data/files/tmp/0123456789abcdef.part"
start_server 2 "${serve[@]}"
grep -q "removed 1 partial upload" "$tmp/log" || fail "the partial file is not removed at start"
[ -z "$(ls "$tmp/data/files/tmp")" ] || fail "tmp is not empty: $(ls "$tmp/data/files/tmp")"
v=$(curl -s -H "Authorization: Bearer $token" "$base/v1/dossiers/$id")
echo "$v" | grep -q "\"sha256\":\"$sha2\"" || fail "the acknowledged upload is lost: $v"
[ "$(echo "$v" | grep -o '"sha256"' | wc -l)" = 2 ] || fail "files after the restart: $v"
curl -s -H "Authorization: Bearer $token" -o "$tmp/back2.pdf" \
  "$base/v1/dossiers/$id/documents/relationship_proof/files/$sha2"
cmp -s "$tmp/second.pdf" "$tmp/back2.pdf" || fail "the acknowledged file differs after the kill"

# verify: every referenced file is there and sound; a stray file is listed, and pruned.
kill -TERM "$pid"
wait "$pid" 2>/dev/null
pid=
out=$("$motcua" verify "$tmp/data") || fail "verify after the kill: $out"
echo "$out" | grep -q "2 file references to 2 stored files (0 unreferenced)" || fail "verify: $out"
stray=$(printf 'stray' | sha256sum | cut -d' ' -f1)
mkdir -p "$tmp/data/files/sha256/${stray:0:2}"
printf 'stray' > "$tmp/data/files/sha256/${stray:0:2}/$stray"
out=$("$motcua" verify "$tmp/data") || fail "an unreferenced file fails verify: $out"
echo "$out" | grep -q "UNREFERENCED file $stray (5 bytes)" || fail "verify lists no stray: $out"
out=$("$motcua" files prune "$tmp/data")
echo "$out" | grep -q "removed 0 unreferenced files (0 bytes); kept 1 younger than 24 h" ||
  fail "prune removed a young file: $out"
out=$("$motcua" files prune "$tmp/data" --min-age-hours 0)
echo "$out" | grep -q "removed $stray (5 bytes)" || fail "prune: $out"
[ ! -e "$tmp/data/files/sha256/${stray:0:2}/$stray" ] || fail "the stray file is still there"
# A referenced file changed on disk: verify names the dossier, the document and the hash.
f="$tmp/data/files/sha256/${sha:0:2}/$sha"
chmod u+w "$f"
printf 'X' | dd of="$f" bs=1 seek=100 conv=notrunc 2> /dev/null
out=$("$motcua" verify "$tmp/data") && fail "verify passes a changed file: $out"
echo "$out" | grep -q "MISMATCH dossier $id document identity_paper file $sha: file $sha hashes to" ||
  fail "verify does not name the changed file: $out"
rm "$f"
out=$("$motcua" verify "$tmp/data") && fail "verify passes a missing file: $out"
echo "$out" | grep -q "MISMATCH dossier $id document identity_paper file $sha: no stored file" ||
  fail "verify does not name the missing file: $out"
echo "files e2e: OK"
