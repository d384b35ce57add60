#!/usr/bin/env bash
# Migrating dossiers in flight to a new procedure version (issue 15 §3), from the outside. A copy
# of the sample definitions gains 2.000908 v2 (2 WD instead of the same day; appraisal 1 WD
# instead of 3 WH). `motcua migrate plan` lists each dossier's step and due dates before and
# after and writes nothing; maps with a step unmapped, a step mistyped, or a step before the
# decision sent to none that decides are refused with the reason; `migrate apply` moves the
# dossiers the map selects, through a running server's control socket and on a stopped server's
# store, leaves the others at v1, and `motcua verify` replays every history.
#
#   migrate_e2e.sh MOTCUA DEFINITIONS
set -u
motcua=$1 defs_src=$2
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../serve_lib.sh
source "$here/../serve_lib.sh"
# shellcheck source=cli_lib.sh
source "$here/cli_lib.sh"
e2e_scratch migrate_e2e

# v1 stays in force; v2 is published to take effect in 2099 (a migration does not wait for it).
defs=$tmp/defs
cp -r "$defs_src" "$defs"
v1=$defs/procedures/2.000908-v1.yaml
sed -i 's/^  from: 2025-07-01$/  from: 2025-07-01\n  until: 2098-12-31/' "$v1"
sed -e 's/^version: 1$/version: 2/' -e 's/^  from: 2025-07-01$/  from: 2099-01-01/' \
  -e '/^  until: /d' -e 's/^time_limit: same_day$/time_limit: "2 WD"/' -e '/^cutoff: /d' \
  -e '/^  - id: appraise$/,/budget/ s/budget: "3 WH"/budget: "1 WD"/' "$v1" > "$defs/procedures/2.000908-v2.yaml"
out=$("$motcua" check "$defs") || fail "the definitions with v2: $out"
echo "$out" | grep -q "2.000908 v2 .*: 2 WD" || fail "v2 not loaded: $out"

version_of() { call GET "/v1/dossiers/$1" | grep -o '"procedure_version":[0-9]*' | cut -d: -f2; }

dev_server "$tmp/data" "$defs"
a=$(receive a)
b=$(receive b)
c=$(receive c)
[ -n "$a" ] && [ -n "$b" ] && [ -n "$c" ] || fail "receptions"
call POST "/v1/dossiers/$b/commands" '{"command":"act","action":"forward"}' 1 | grep -q '"current_step":"appraise"' \
  || fail "forward b"
call POST "/v1/dossiers/$c/commands" '{"command":"withdraw","reason":"Người yêu cầu rút"}' 1 | grep -q '"status":"stopped"' \
  || fail "withdraw c"
number_b=$(call GET "/v1/dossiers/$b" | grep -o '"number":"[^"]*"' | cut -d'"' -f4)

map() {  # map FILE [extra lines]: every step of v1 to its namesake
  printf 'reason: "Nghị định thử nghiệm, Điều 30, khoản 2"\nsteps:\n  receive: receive\n  appraise: appraise\n  sign: sign\n  issue: issue\n%s' "${2:-}" > "$1"
}
map "$tmp/all.yaml"
plan() { "$motcua" migrate plan "$tmp/data" --from 2.000908@1 --to 2.000908@2 --definitions "$defs" "$@" 2>&1; }

# The plan: a (at reception) and b (at appraisal) would move, c (withdrawn) is not in flight.
# b's appraisal budget grows by 5 WH, and so does its step due.
out=$(plan --map "$tmp/all.yaml") || fail "plan: $out"
echo "$out" | grep -q "^would migrate $a .* received: step receive -> receive (step due \(.*\) -> \1); due .* -> " \
  || fail "plan a: $out"
echo "$out" | grep -q "^would migrate $b $number_b in_processing: step appraise -> appraise" || fail "plan b: $out"
echo "$out" | grep -q "^OK: 2 of 2 selected dossiers would migrate 2.000908 v1 -> v2; 0 more in flight not selected keep v1. Nothing was written.$" \
  || fail "plan summary: $out"
echo "$out" | grep -q "$c" && fail "the withdrawn dossier is planned: $out"
[ "$(version_of "$a")" = 1 ] && [ "$(version_of "$b")" = 1 ] || fail "the plan wrote"
due_b=$(echo "$out" | grep "^would migrate $b" | sed 's/.*; due \([^ ]*\) -> \([^ ]*\)$/\2/')

# Refused maps, with the reason, before any dossier is read.
printf 'reason: r\nsteps:\n  receive: receive\n  appraise: appraise\n  sign: sign\n' > "$tmp/unmapped.yaml"
out=$(plan --map "$tmp/unmapped.yaml") && fail "an unmapped step was accepted: $out"
echo "$out" | grep -q "step 'issue' of v1 is not mapped: name the step of v2 its dossiers move to" || fail "unmapped: $out"
printf 'reason: r\nsteps:\n  receive: receive\n  apraise: appraise\n' > "$tmp/typo.yaml"
out=$(plan --map "$tmp/typo.yaml") && fail "a mistyped step was accepted: $out"
echo "$out" | grep -q "typo.yaml:4:3: steps.apraise: 'apraise' is not a step of 2.000908 v1 (its steps: receive, appraise, sign, issue)" \
  || fail "typo: $out"
printf 'reason: r\nsteps:\n  receive: receive\n  appraise: appraise\n  sign: sign\n  issue: issue\n' > "$tmp/ok.yaml"
out=$(plan --map "$tmp/ok.yaml" --from 2.000908@1) || fail "repeated --from: $out"
out=$(plan --map "$tmp/ok.yaml" --to 2.000908@3 2>&1) && fail "a version not loaded: $out"
echo "$out" | grep -q "procedure 2.000908 version 3 is not in the definitions at $defs" || fail "v3: $out"
out=$("$motcua" migrate plan "$tmp/data" --from 2.000908@1 --to 1.001193@1 --map "$tmp/ok.yaml" 2>&1) && fail "two procedures: $out"
echo "$out" | grep -q "a dossier keeps its procedure" || fail "two procedures: $out"

# Applied through the running server, for b alone (selected by its number): a keeps v1.
map "$tmp/only-b.yaml" "select:
  dossiers: [\"$number_b\"]
"
out=$("$motcua" migrate apply "$tmp/data" --from 2.000908@1 --to 2.000908@2 --map "$tmp/only-b.yaml" \
  --definitions "$defs" --actor admin.nguyen 2>&1) || fail "apply b: $out"
echo "$out" | grep -q "^migrated $b $number_b in_processing: step appraise -> appraise .*; due .* -> $due_b$" || fail "apply b: $out"
echo "$out" | grep -q "^OK: migrated 1 of 1 selected dossiers 2.000908 v1 -> v2; 1 more in flight not selected keep v1$" \
  || fail "apply b summary: $out"
grep -q "migrate: 2.000908 v1 -> v2 asked by admin.nguyen" "$tmp/log" || fail "the server did not log the request"
[ "$(version_of "$a")" = 1 ] || fail "a moved"
[ "$(version_of "$b")" = 2 ] || fail "b did not move"
history=$(call GET "/v1/dossiers/$b/history")
echo "$history" | grep -q '"type":"migrated","version":3,"status":"in_processing".*"actor":"admin.nguyen","role":"admin"' \
  || fail "history: $history"
echo "$history" | grep -q '"reason":"Nghị định thử nghiệm, Điều 30, khoản 2".*"previous_procedure_version":1,"procedure_version":2,"from_step":"appraise"' \
  || fail "history: $history"
# b follows v2 now; the server's answer names its due.
call GET "/v1/dossiers/$b" | grep -q "\"due_at\":\"$due_b\"" || fail "b's due is not $due_b"
# Again: b is no longer at v1, and nothing else is selected.
out=$("$motcua" migrate apply "$tmp/data" --from 2.000908@1 --to 2.000908@2 --map "$tmp/only-b.yaml" \
  --definitions "$defs" 2>&1) && fail "apply without --actor: $out"
echo "$out" | grep -q "^--actor: name the admin who orders the migration" || fail "no --actor: $out"
out=$("$motcua" migrate apply "$tmp/data" --from 2.000908@1 --to 2.000908@2 --map "$tmp/only-b.yaml" \
  --definitions "$defs" --actor admin.nguyen 2>&1) || fail "apply b again: $out"
echo "$out" | grep -q "^left out $number_b: it is at 2.000908 v2$" || fail "apply b again: $out"
echo "$out" | grep -q "^OK: migrated 0 of 0 selected dossiers" || fail "apply b again: $out"

# Applied on the stopped server's store: a moves; verify replays every history and chain.
kill "$pid"; wait "$pid" 2>/dev/null
out=$("$motcua" migrate apply "$tmp/data" --from 2.000908@1 --to 2.000908@2 --map "$tmp/all.yaml" \
  --definitions "$defs" --actor admin.tran 2>&1) || fail "apply stopped: $out"
echo "$out" | grep -q "^migrated $a .* received: step receive -> receive" || fail "apply stopped: $out"
echo "$out" | grep -q "^OK: migrated 1 of 1 selected dossiers 2.000908 v1 -> v2; 0 more in flight" || fail "apply stopped: $out"
out=$("$motcua" verify "$tmp/data") || fail "verify: $out"
start_server 2 "$motcua" serve --data "$tmp/data" --definitions "$defs"
[ "$(version_of "$a")" = 2 ] || fail "a did not move on the stopped store"
[ "$(version_of "$c")" = 1 ] || fail "the withdrawn dossier moved"
# A dossier at v2 goes on by v2's steps.
call POST "/v1/dossiers/$a/commands" '{"command":"act","action":"forward"}' 2 | grep -q '"current_step":"appraise"' \
  || fail "a does not go on at v2"
echo "migrate e2e: OK"
