#!/usr/bin/env bash
# `motcua verify` on the paths users give it: the data directory or its db/ directory both work;
# a path without a store (an empty directory, a missing one) fails with a clear message and
# creates nothing; `--help` of every command exits 0. Usage: verify_paths.sh <motcua> <golden-store>
set -u
motcua=$1 golden=$2 defs=${3:-$(dirname "$0")/../../../definitions}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

mkdir -p "$tmp/data" && cp -r "$golden" "$tmp/data/db"
# The golden store has format 1: verify (read-only) refuses it and says how to upgrade it.
out=$("$motcua" verify "$tmp/data" 2>&1) && fail "verify of a format-1 store exited 0"
echo "$out" | grep -q "has format 1; this build upgrades it to format 6 when it opens it for writing (motcua migrate" \
  || fail "no clear message for an old format: $out"
# A backup of it (no server runs) copies it as it is: it does not upgrade it first.
out=$("$motcua" backup "$tmp/data" "$tmp/bk" 2>&1) && fail "backup of a format-1 store exited 0"
echo "$out" | grep -q "has format 1; this build would upgrade it" || fail "backup of an old format: $out"
"$motcua" migrate "$tmp/data" | grep -q "^OK: store format 1 → 5" || fail "migrate <data-dir>"
"$motcua" migrate "$tmp/data/db" | grep -q "^OK: the store is already in this build's format" \
  || fail "migrate twice"
"$motcua" verify "$tmp/data" | grep -q "^OK: 111 dossiers" || fail "verify <data-dir>"
"$motcua" verify "$tmp/data/db" | grep -q "^OK: 111 dossiers" || fail "verify <data-dir>/db"
# On one thread or several, the same report.
one=$("$motcua" verify "$tmp/data" --threads 1 | tail -1)
three=$("$motcua" verify "$tmp/data" --threads 3 | tail -1)
[ "$one" = "$three" ] && echo "$one" | grep -q "^OK: 111 dossiers" \
  || fail "verify --threads 1 and 3 differ: '$one' / '$three'"
out=$("$motcua" verify "$tmp/data" --threads 0 2>&1) && fail "verify --threads 0 exited 0"
echo "$out" | grep -q "^--threads: expected a whole number from 1 to 256, got '0'" \
  || fail "verify --threads 0: $out"
# Reports from the store's counters, read-only; bad options say what was expected.
"$motcua" report form06 "$tmp/data" --period 2026 --definitions "$defs" > "$tmp/form06.csv" \
  || fail "report form06 exited $?"
head -c 3 "$tmp/form06.csv" | od -An -tx1 | grep -q "ef bb bf" || fail "report CSV without a BOM"
grep -q "^,Tổng số,total," "$tmp/form06.csv" || fail "report CSV without its total: $(cat "$tmp/form06.csv")"
"$motcua" report steps "$tmp/data" --period 2026 --format json --definitions "$defs" \
  | grep -q '"rows"' || fail "report steps --format json"
out=$("$motcua" report form06 "$tmp/data" --period 2026-13 --definitions "$defs" 2>&1) \
  && fail "a bad --period exited 0"
echo "$out" | grep -q "expected YYYY, YYYY-H1/H2, YYYY-Q1..Q4 or YYYY-MM" || fail "bad --period: $out"
out=$("$motcua" report form06 "$tmp/data" --period 2026 --format xlsx --definitions "$defs" 2>&1) \
  && fail "xlsx without --out exited 0"
echo "$out" | grep -q "give --out FILE" || fail "xlsx without --out: $out"
out=$("$motcua" report steps "$tmp/data" --period 2026 --group-by field --definitions "$defs" 2>&1) \
  && fail "steps --group-by exited 0"
out=$("$motcua" report form06 "$tmp/data" --period 2026 --agency 000.99.99.H56 --definitions "$defs" 2>&1) \
  && fail "an unknown --agency exited 0"
echo "$out" | grep -q "no agency 000.99.99.H56 in the registry" || fail "unknown agency: $out"
out=$("$motcua" migrate "$tmp/nothing" 2>&1) && fail "migrate of a missing path exited 0"
[ ! -e "$tmp/nothing" ] || fail "migrate created a missing path"

mkdir "$tmp/empty"
out=$("$motcua" verify "$tmp/empty" 2>&1) && fail "verify of an empty directory exited 0"
echo "$out" | grep -q "no motcua store at $tmp/empty" || fail "no clear message: $out"
[ -z "$(ls -A "$tmp/empty")" ] || fail "verify created files in an empty directory: $(ls "$tmp/empty")"

out=$("$motcua" verify "$tmp/missing" 2>&1) && fail "verify of a missing path exited 0"
[ ! -e "$tmp/missing" ] || fail "verify created a missing path"

for cmd in serve token check preview verify migrate report; do
  "$motcua" "$cmd" --help > "$tmp/help" 2>&1 || fail "motcua $cmd --help exited $?"
  grep -q "usage" "$tmp/help" || fail "motcua $cmd --help printed no usage"
done
"$motcua" --help > /dev/null || fail "motcua --help exited $?"
echo "verify paths: OK"
