#!/usr/bin/env bash
# `motcua verify` on the paths users give it: the data directory or its db/ directory both work;
# a path without a store (an empty directory, a missing one) fails with a clear message and
# creates nothing; `--help` of every command exits 0. Usage: verify_paths.sh <motcua> <golden-store>
set -u
motcua=$1 golden=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

mkdir -p "$tmp/data" && cp -r "$golden" "$tmp/data/db"
"$motcua" verify "$tmp/data" | grep -q "^OK: 111 dossiers" || fail "verify <data-dir>"
"$motcua" verify "$tmp/data/db" | grep -q "^OK: 111 dossiers" || fail "verify <data-dir>/db"

mkdir "$tmp/empty"
out=$("$motcua" verify "$tmp/empty" 2>&1) && fail "verify of an empty directory exited 0"
echo "$out" | grep -q "no motcua store at $tmp/empty" || fail "no clear message: $out"
[ -z "$(ls -A "$tmp/empty")" ] || fail "verify created files in an empty directory: $(ls "$tmp/empty")"

out=$("$motcua" verify "$tmp/missing" 2>&1) && fail "verify of a missing path exited 0"
[ ! -e "$tmp/missing" ] || fail "verify created a missing path"

for cmd in serve token check preview verify; do
  "$motcua" "$cmd" --help > "$tmp/help" 2>&1 || fail "motcua $cmd --help exited $?"
  grep -q "usage" "$tmp/help" || fail "motcua $cmd --help printed no usage"
done
"$motcua" --help > /dev/null || fail "motcua --help exited $?"
echo "verify paths: OK"
