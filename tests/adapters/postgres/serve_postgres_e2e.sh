#!/usr/bin/env bash
# motcua serve on PostgreSQL end to end (issue 16): a real PostgreSQL server in a temporary
# directory, motcua started with `store: postgres`, dossiers made and moved over HTTP, motcua
# killed with SIGKILL and started again: every acknowledged write is there, and its history.
# A second server on the same database is refused; a configuration without the connection
# string is refused, naming the setting.
# Usage: serve_postgres_e2e.sh <motcua> <definitions-dir>
set -u
motcua=$1 defs=$2
here_lib=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=../serve_lib.sh
source "$here_lib/serve_lib.sh"
e2e_scratch serve_postgres_e2e

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$bin" ] || fail "PostgreSQL is not installed (apt-get install postgresql)"
chmod 755 "$tmp"
mkdir "$tmp/pg"
run=""
if [ "$(id -u)" -eq 0 ]; then chown postgres "$tmp/pg"; run="runuser -u postgres --"; fi
pg_stop() { $run "$bin/pg_ctl" -D "$tmp/pg/db" -m immediate -w stop > /dev/null 2>&1; }
trap 'pg_stop; e2e_cleanup' EXIT
$run "$bin/initdb" -D "$tmp/pg/db" -A trust -U postgres --no-sync > "$tmp/initdb.log" 2>&1 ||
  fail "initdb: $(tail -3 "$tmp/initdb.log")"
$run "$bin/pg_ctl" -D "$tmp/pg/db" -w -l "$tmp/pg/log" -o "-p 5432 -k $tmp/pg -c listen_addresses=''" start \
  > /dev/null 2>&1 || fail "PostgreSQL did not start: $(tail -3 "$tmp/pg/log")"
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
echo "serve on PostgreSQL: OK (${#ids[@]} dossiers made, moved, and found after a SIGKILL)"
