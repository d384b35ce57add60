#!/usr/bin/env bash
# Online backups and their restore (issue 15 §2): `motcua backup` of a running server under a
# write load (through its control socket), incremental and pruned; `backup verify` reads every
# backup back and catches a damaged file; `restore` into a new directory gives a store that
# `verify` passes and that serves every dossier acknowledged before the backup began; an
# interrupted backup is never restored and the next backup deletes it; a stopped server's data
# directory is backed up by the command itself; the server's schedule makes backups on its own.
#
#   backup_e2e.sh MOTCUA DEFINITIONS
set -u
motcua=$1 defs=$2
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../serve_lib.sh
source "$here/../serve_lib.sh"
# shellcheck source=cli_lib.sh
source "$here/cli_lib.sh"
e2e_scratch backup_e2e

dev_server "$tmp/data" "$defs"
first=$(receive "f1")
attach_pdf "$first"

start_writer

# Two backups while the writer goes on: everything acknowledged before the first began is in it.
cp "$tmp/acked" "$tmp/before"
out=$("$motcua" backup "$tmp/data" "$tmp/bk" --keep 2) || fail "backup 1: $out"
echo "$out" | grep -q '^OK: backup 1 in .* 1 stored files (1 new)' || fail "backup 1 said: $out"
sleep 0.3
out=$("$motcua" backup "$tmp/data" "$tmp/bk" --keep 2) || fail "backup 2: $out"
echo "$out" | grep -q '^OK: backup 2 in .* 1 stored files (0 new), 0 older deleted' || fail "backup 2 said: $out"
out=$("$motcua" backup "$tmp/data" "$tmp/bk" --keep 2) || fail "backup 3: $out"
echo "$out" | grep -q '1 older deleted' || fail "backup 3 kept more than 2: $out"
grep -q "motcua: backup 3 in $tmp/bk" "$tmp/log" || fail "the server did not log its backup"
curl -s -H "Authorization: Bearer $token" "$base/metrics" | grep -q '^motcua_backups_total 3$' ||
  fail "metrics: $(curl -s -H "Authorization: Bearer $token" "$base/metrics" | grep backup)"
touch "$tmp/stop"
wait "$writer"
[ "$(wc -l < "$tmp/acked")" -gt "$(wc -l < "$tmp/before")" ] || fail "the writer did not go on during the backups"

out=$("$motcua" backup list "$tmp/bk") || fail "list: $out"
echo "$out" | grep -q '^2 backups in' || fail "list: $out"
out=$("$motcua" backup verify "$tmp/bk") || fail "backup verify: $out"
echo "$out" | tail -1 | grep -q '^OK: every backup' || fail "backup verify: $out"

# An interrupted backup (its list never written) is not restored; the next backup deletes it.
"$motcua" backup "$tmp/data" "$tmp/bk" > /dev/null || fail "backup 4"
rm -r "$tmp/bk/backups/4"
"$motcua" backup list "$tmp/bk" | grep -q '^4 .*INTERRUPTED' || fail "backup 4 not listed as interrupted"
out=$("$motcua" restore "$tmp/bk" "$tmp/restored") || fail "restore: $out"
echo "$out" | grep -q '^OK: backup 3 of' || fail "restore did not pick the last whole backup: $out"

out=$("$motcua" verify "$tmp/restored") || fail "verify of the restored store: $out"
echo "$out" | tail -1 | grep -q '^OK: .* 1 file references to 1 stored files' || fail "verify: $out"
[ -f "$tmp/restored/tokens.yaml" ] || fail "the tokens file was not restored"
out=$("$motcua" restore "$tmp/bk" "$tmp/restored" 2>&1) && fail "restore over a data directory: $out"
echo "$out" | grep -q 'exists and is not empty' || fail "restore over a data directory said: $out"
out=$("$motcua" backup "$tmp/data" "$tmp/bk") || fail "backup 5: $out"
"$motcua" backup list "$tmp/bk" | grep -q '^4 ' && fail "the interrupted backup was kept"

# A damaged stored file in the backup is found, by name.
hash=$(sha256sum "$tmp/a.pdf" | cut -d' ' -f1)
chmod u+w "$tmp/bk/files/sha256/${hash:0:2}/$hash"
echo garbage >> "$tmp/bk/files/sha256/${hash:0:2}/$hash"
out=$("$motcua" backup verify "$tmp/bk") && fail "a damaged backup verified: $out"
echo "$out" | grep -q "^PROBLEM backup [0-9]*: file $hash" || fail "backup verify said: $out"
# A table file of the store lost: every backup that shares it is damaged, listed as such, and
# neither verified nor restored.
rm "$(ls "$tmp"/bk/rocksdb/shared_checksum/*.sst | head -1)"
out=$("$motcua" backup list "$tmp/bk") || fail "list of a damaged directory: $out"
echo "$out" | grep -q "DAMAGED: its store files are damaged" || fail "list said: $out"
out=$("$motcua" backup verify "$tmp/bk") && fail "a backup without a table file verified: $out"
echo "$out" | grep -q "^PROBLEM backup [0-9]*: its store files are damaged" || fail "backup verify said: $out"
out=$("$motcua" restore "$tmp/bk" "$tmp/restored2" 2>&1) && fail "restore of a damaged backup: $out"
[ -e "$tmp/restored2" ] && fail "a failed restore left $tmp/restored2"

# The restored directory serves every dossier acknowledged before the backup began.
kill "$pid"; wait "$pid" 2>/dev/null
[ -e "$tmp/data/control.sock" ] && fail "the control socket outlived the server"
start_server 2 "$motcua" serve --data "$tmp/restored" --definitions "$defs"
missing=0
while read -r id; do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$base/v1/dossiers/$id")
  [ "$code" = 200 ] || { echo "missing from the restore: $id ($code)"; missing=$((missing + 1)); }
done < "$tmp/before"
[ "$missing" = 0 ] || fail "$missing of $(wc -l < "$tmp/before") acknowledged dossiers missing from the restore"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$base/v1/dossiers/$first/documents/identity_paper/files/$hash")
[ "$code" = 200 ] || fail "the restored file is not served: $code"
kill "$pid"; wait "$pid" 2>/dev/null

# A stopped server's data directory: the command backs it up itself.
out=$("$motcua" backup "$tmp/data" "$tmp/bk2") || fail "backup of a stopped server: $out"
echo "$out" | grep -q '^OK: backup 1 in' || fail "backup of a stopped server said: $out"

# The schedule: no backup in the directory yet, so the first is made at start.
printf 'backup_dir: %s\nbackup_every_minutes: 60\nbackup_keep: 3\n' "$tmp/scheduled" > "$tmp/motcua.yaml"
start_server 3 "$motcua" serve --config "$tmp/motcua.yaml" --data "$tmp/data" --definitions "$defs"
for _ in $(seq 100); do grep -q "motcua: backup 1 in $tmp/scheduled" "$tmp/log" && break; sleep 0.1; done
grep -q "motcua: backup 1 in $tmp/scheduled" "$tmp/log" || fail "no scheduled backup"
grep -q "backups: into $tmp/scheduled every 60 minutes, the last 3 kept" "$tmp/log" || fail "the schedule was not announced"
"$motcua" backup verify "$tmp/scheduled" | tail -1 | grep -q '^OK' || fail "the scheduled backup does not verify"
echo "backup e2e: OK ($(wc -l < "$tmp/before") dossiers acknowledged before the backup, $(wc -l < "$tmp/acked") in all)"
