#!/usr/bin/env bash
# motcua serve on PostgreSQL end to end (issue 16): a real PostgreSQL server in a temporary
# directory, motcua started with `store: postgres`, dossiers made and moved over HTTP, motcua
# killed with SIGKILL and started again: every acknowledged write is there, and its history.
# A second server on the same database is refused; a configuration without the connection
# string is refused, naming the setting. The database stopped under the server: 503 and not
# ready, then writes taken up again by themselves once it is back.
# Usage: serve_postgres_e2e.sh <motcua> <definitions-dir>
set -u
motcua=$1 defs=$2
# shellcheck source=pg_lib.sh
source "$(dirname "$0")/pg_lib.sh"
pg_setup serve_postgres_e2e
trap 'pg_stop pg; e2e_cleanup' EXIT
pg_init pg
pg_start pg 5432 || fail "PostgreSQL did not start: $(tail -3 "$tmp/pg/log")"
dsn="host=$tmp/pg port=5432 user=postgres dbname=postgres"

# A configuration that asks for PostgreSQL without saying where is refused, naming the setting.
printf 'store: postgres\n' > "$tmp/bad.yaml"
"$motcua" serve --config "$tmp/bad.yaml" --data "$tmp/bad" --definitions "$defs" > "$tmp/bad.out" 2>&1 &&
  fail "a server started without postgres_dsn"
grep -q "store: postgres needs postgres_dsn" "$tmp/bad.out" || fail "bad config: $(cat "$tmp/bad.out")"

printf 'store: mysql\n' > "$tmp/bad.yaml"
"$motcua" serve --config "$tmp/bad.yaml" --data "$tmp/bad" --definitions "$defs" > "$tmp/bad.out" 2>&1 &&
  fail "a server started with store: mysql"
grep -q "bad.yaml:1:1: store: expected rocksdb or postgres, got 'mysql'" "$tmp/bad.out" ||
  fail "store: mysql: $(cat "$tmp/bad.out")"
# A database that is not there: refused at start, saying why.
printf 'store: postgres\npostgres_dsn: "host=%s/nowhere port=5432 user=postgres"\n' "$tmp" > "$tmp/bad.yaml"
"$motcua" serve --config "$tmp/bad.yaml" --data "$tmp/bad" --definitions "$defs" > "$tmp/bad.out" 2>&1 &&
  fail "a server started on a database that is not there"
grep -q "cannot connect to PostgreSQL" "$tmp/bad.out" || fail "no database: $(cat "$tmp/bad.out")"

printf 'store: postgres\npostgres_dsn: "%s"\nlog_requests: false\n' "$dsn" > "$tmp/motcua.yaml"
serve=("$motcua" serve --config "$tmp/motcua.yaml" --data "$tmp/data" --definitions "$defs")
start_server 1 "${serve[@]}"
grep -q "PostgreSQL schema 0 → 1" "$tmp/log" || fail "the schema was not applied at the first start"
token=$(grep -o 'mc_[0-9a-f]*' "$tmp/log" | head -1)
[ -n "$token" ] || fail "no development token"
base="http://127.0.0.1:$port"
applicant='"applicant":{"name":"Nguyễn Văn An","id_number":"001090001234","phone":"0912345678"}'
ids=()
for _ in $(seq 10); do
  id=$(call POST /v1/dossiers "{\"procedure_code\":\"2.000908\",\"receiving_agency\":\"000.17.22.H56\",$applicant,\"documents\":[{\"document_id\":\"identity_paper\"}]}" | field id)
  [ -n "$id" ] || fail "a dossier was not created"
  call POST "/v1/dossiers/$id/commands" '{"command":"act","action":"forward"}' 1 | grep -q '"version"' ||
    fail "forward $id"
  ids+=("$id")
done
curl -s "$base/readyz" | grep -q '"ready"' || fail "not ready: $(curl -s "$base/readyz")"

# A second server on the same database is refused: one server writes a database.
"$motcua" serve --config "$tmp/motcua.yaml" --data "$tmp/data2" --definitions "$defs" \
  --listen 127.0.0.1:1 > "$tmp/second.out" 2>&1 && fail "a second server started on the same database"
grep -q "another motcua server writes this PostgreSQL database" "$tmp/second.out" ||
  fail "second server: $(cat "$tmp/second.out")"

kill -9 "$pid"
wait "$pid" 2>/dev/null
start_server 2 "${serve[@]}"
grep -c "PostgreSQL schema" "$tmp/log" | grep -qx 1 || fail "the schema was applied again"
for id in "${ids[@]}"; do
  call GET "/v1/dossiers/$id" | grep -q '"version":"\?2' || fail "$id lost its forward: $(call GET "/v1/dossiers/$id")"
  n=$(call GET "/v1/dossiers/$id/history" | grep -o '"version":"\?[0-9]*' | wc -l)
  [ "$n" -ge 2 ] || fail "$id has $n events after the restart"
done
# Queues read the PostgreSQL index: the forwarded dossiers wait at their next step.
call GET "/v1/dossiers?agency=000.17.22.H56&limit=100" | grep -o '"id":"[^"]*"' | sort -u > "$tmp/listed"
for id in "${ids[@]}"; do grep -q "\"$id\"" "$tmp/listed" || fail "$id is not listed"; done
# verify reads the database read-only and finds it whole (the server still runs).
"$motcua" verify "postgres:$dsn" > "$tmp/verify.out" 2>&1 || fail "verify: $(cat "$tmp/verify.out")"
grep -q "^OK: ${#ids[@]} dossiers" "$tmp/verify.out" || fail "verify: $(cat "$tmp/verify.out")"

# The database goes away under the running server: a write fails with 503 and is not
# acknowledged, /readyz says not ready; once the database is back, the server takes writes up
# again by itself, and the same request (same Idempotency-Key) is carried out once.
pg_stop pg fast || fail "PostgreSQL did not stop"
create() {
  curl -s -o "$tmp/create.out" -w '%{http_code}' -X POST -H "Authorization: Bearer $token" \
    -H "Idempotency-Key: across-the-outage" "$base/v1/dossiers" \
    -d "{\"procedure_code\":\"2.000908\",\"receiving_agency\":\"000.17.22.H56\",$applicant}"
}
code=$(create)
[ "$code" = 503 ] || fail "a write without its database answered $code: $(cat "$tmp/create.out")"
code=$(curl -s -o "$tmp/ready.out" -w '%{http_code}' "$base/readyz")
[ "$code" = 503 ] && grep -Eq "the store does not answer|writes stopped" "$tmp/ready.out" ||
  fail "/readyz without the database: $code $(cat "$tmp/ready.out")"
pg_start pg 5432 || fail "PostgreSQL did not start again"
wait_ready "not ready once the database was back"
code=$(create)
[ "$code" = 201 ] || fail "the retry after the outage answered $code: $(cat "$tmp/create.out")"
again=$(field id < "$tmp/create.out")
code=$(create)
[ "$code" = 200 ] && [ "$(field id < "$tmp/create.out")" = "$again" ] &&
  grep -q '"replayed":true' "$tmp/create.out" ||
  fail "a second retry was not answered with the same dossier: $code $(cat "$tmp/create.out")"

# The database crashes under a write load: writes in flight get 503 (a COMMIT lost on its way is
# in doubt: writes stop, then are taken up again once the database is back, from what it holds);
# every write acknowledged before or after is there.
load_start
sleep 1
# A session holds the outbox locked: the next commit waits on it, in flight when the crash comes.
$run "$bin/psql" -X -q -h "$tmp/pg" -U postgres -d postgres \
  -c "BEGIN; LOCK TABLE outbox IN EXCLUSIVE MODE; SELECT pg_sleep(60)" > /dev/null 2>&1 &
locker=$!
sleep 0.5
pg_stop pg || fail "PostgreSQL did not crash"
wait "$locker" 2>/dev/null
sleep 1
pg_start pg 5432 || fail "PostgreSQL did not start after its crash"
wait_ready "not ready once the database was back from its crash"
before=$(cat "$tmp"/acked.* | wc -l)
sleep 1
load_stop
[ "$acked" -gt "$before" ] || fail "no write acknowledged after the database came back ($before, then $acked)"
grep -q "writes stopped: write failed" "$tmp/log" || fail "the commit in flight did not fail"
grep -q "writes resumed; the failed write did not take effect" "$tmp/log" ||
  fail "writes stopped and were not taken up again: $(grep motcua: "$tmp/log" | tail -3)"
expect_acked_present
"$motcua" verify "postgres:$dsn" > "$tmp/verify.out" 2>&1 || fail "verify: $(cat "$tmp/verify.out")"
total=$(grep -o '^OK: [0-9]*' "$tmp/verify.out" | cut -d' ' -f2)
[ -n "$total" ] && [ "$total" -ge $(( ${#ids[@]} + 1 + acked )) ] ||
  fail "verify after the crash: $(tail -3 "$tmp/verify.out")"

# verify on PostgreSQL checks the hash chains and, given the data directory, the files; the
# server wrote audit checkpoints; a dossier's chain exports.
"$motcua" verify "postgres:$dsn" --data "$tmp/data" > "$tmp/verify.out" 2>&1 || fail "verify --data: $(cat "$tmp/verify.out")"
grep -q "^hash chains: [0-9]* events chained, global head at position [0-9]* [0-9a-f]\{64\}, [1-9][0-9]* audit checkpoints" "$tmp/verify.out" ||
  fail "verify's chains on PostgreSQL: $(cat "$tmp/verify.out")"
grep -q "^OK: .* file references to 0 stored files .* (PostgreSQL)" "$tmp/verify.out" || fail "verify --data: $(cat "$tmp/verify.out")"
grep -q "motcua: audit checkpoint: position [1-9]" "$tmp/log" || fail "no audit checkpoint on PostgreSQL"
"$motcua" audit export "postgres:$dsn" "${ids[0]}" | grep -q '"chain_hash"' || fail "audit export on PostgreSQL"

# motcua copy: refused while the server writes the database; once it is stopped, PostgreSQL →
# RocksDB → a new PostgreSQL database, each copy read back and verified (the RocksDB one with its
# hash chains too); a copy into a store that is not empty is refused.
"$motcua" copy --from "postgres:$dsn" --to "rocksdb:$tmp/copy" > "$tmp/copy.out" 2>&1 &&
  fail "a copy of a database a server writes went ahead"
grep -q "another motcua server writes this PostgreSQL database" "$tmp/copy.out" ||
  fail "copy beside a server: $(cat "$tmp/copy.out")"
kill -9 "$pid"
wait "$pid" 2>/dev/null
"$motcua" copy --from "postgres:$dsn" --to "rocksdb:$tmp/copy" > "$tmp/copy.out" 2>&1 ||
  fail "copy to RocksDB: $(cat "$tmp/copy.out")"
grep -q "^OK: .* rows copied and read back the same" "$tmp/copy.out" || fail "copy to RocksDB: $(cat "$tmp/copy.out")"
"$motcua" verify "$tmp/copy" > "$tmp/verify.out" 2>&1 || fail "verify the RocksDB copy: $(cat "$tmp/verify.out")"
grep -q "^OK: $total dossiers" "$tmp/verify.out" || fail "verify the RocksDB copy: $(cat "$tmp/verify.out")"
pg_sql pg 5432 "CREATE DATABASE back" > /dev/null || fail "CREATE DATABASE back"
back="host=$tmp/pg port=5432 user=postgres dbname=back"
"$motcua" copy --from "rocksdb:$tmp/copy" --to "postgres:$back" > "$tmp/back.out" 2>&1 ||
  fail "copy back to PostgreSQL: $(cat "$tmp/back.out")"
[ "$(grep -o 'SHA-256 [0-9a-f]*' "$tmp/back.out")" = "$(grep -o 'SHA-256 [0-9a-f]*' "$tmp/copy.out")" ] ||
  fail "the copy back differs: $(cat "$tmp/copy.out" "$tmp/back.out")"
"$motcua" verify "postgres:$back" | grep -q "^OK: $total dossiers" || fail "verify the copy back"
"$motcua" copy --from "rocksdb:$tmp/copy" --to "postgres:$back" > "$tmp/again.out" 2>&1 &&
  fail "a copy into a database that is not empty went ahead"
grep -q "the target store is not empty" "$tmp/again.out" || fail "copy into a full database: $(cat "$tmp/again.out")"
echo "serve on PostgreSQL: OK (${#ids[@]} dossiers made, moved, and found after a SIGKILL; writes taken up again after the database went away; $acked acknowledged under load across a database crash, none lost; copied to RocksDB and back)"
