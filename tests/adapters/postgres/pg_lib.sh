# Shared by the PostgreSQL end-to-end tests; brings serve_lib.sh along.
#
#   pg_setup NAME               e2e_scratch NAME; finds PostgreSQL's programs ($bin; as root they
#                               run as the postgres user, through $run), and opens $tmp to it.
#   pg_init NAME                initdb in $tmp/NAME/db (trust, no sync: a test's server).
#   pg_start NAME PORT [OPTS]   starts it on a Unix socket in $tmp/NAME only, with server
#                               options OPTS ("-c synchronous_standby_names=…").
#   pg_stop NAME [MODE]         pg_ctl stop, -m immediate (a crash) unless MODE says otherwise.
#   pg_sql NAME PORT SQL        runs SQL through psql; its output (unaligned, tuples only).
#   wait_ready WHY              until /readyz says ready (30 s at most); fails saying WHY.
#   load_start                  three writers POST receipts to $base with $token in a loop, each
#                               with its own Idempotency-Keys, the ids of the 201s in
#                               $tmp/acked.N.
#   load_stop                   stops them; $acked is the number of 201s.
#   expect_acked_present        every acknowledged id answers 200 at $base.

# shellcheck source=../serve_lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/serve_lib.sh"

pg_setup() {
  e2e_scratch "$1"
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -n "$bin" ] || fail "PostgreSQL is not installed (apt-get install postgresql)"
  chmod 755 "$tmp"
  run=""
  [ "$(id -u)" -eq 0 ] && run="runuser -u postgres --"
}
pg_init() {
  mkdir -p "$tmp/$1"
  [ -n "$run" ] && chown postgres "$tmp/$1"
  $run "$bin/initdb" -D "$tmp/$1/db" -A trust -U postgres --no-sync > "$tmp/$1/initdb.log" 2>&1 ||
    fail "initdb: $(tail -3 "$tmp/$1/initdb.log")"
}
pg_start() {
  $run "$bin/pg_ctl" -D "$tmp/$1/db" -w -l "$tmp/$1/log" \
    -o "-p $2 -k $tmp/$1 -c listen_addresses='' ${3:-}" start > /dev/null 2>&1
}
pg_stop() { $run "$bin/pg_ctl" -D "$tmp/$1/db" -m "${2:-immediate}" -w stop > /dev/null 2>&1; }
pg_sql() { $run "$bin/psql" -X -q -At -h "$tmp/$1" -p "$2" -U postgres -d postgres -c "$3" 2>&1; }
wait_ready() {
  for _ in $(seq 150); do
    curl -s "$base/readyz" | grep -q '"ready"' && return 0
    sleep 0.2
  done
  fail "$1: $(curl -s "$base/readyz")"
}
load_writer() {
  local i=0 out
  while [ ! -f "$tmp/stop-load" ]; do
    i=$((i + 1))
    out=$(curl -s -m 5 -w '\n%{http_code}' -X POST -H "Authorization: Bearer $token" \
      -H "Idempotency-Key: load-$1-$i" "$base/v1/dossiers" \
      -d '{"procedure_code":"2.000908","receiving_agency":"000.17.22.H56","applicant":{"name":"Nguyễn Văn An","id_number":"001090001234"}}')
    case "$out" in *$'\n'201) echo "$out" | field id >> "$tmp/acked.$1" ;; esac
  done
}
load_start() {
  rm -f "$tmp/stop-load" "$tmp"/acked.*
  touch "$tmp/acked.0"
  load_pids=
  for w in 1 2 3; do
    load_writer "$w" &
    load_pids="$load_pids $!"
    e2e_track $!
  done
}
load_stop() {
  touch "$tmp/stop-load"
  # shellcheck disable=SC2086
  wait $load_pids 2>/dev/null
  acked=$(cat "$tmp"/acked.* | wc -l)
}
expect_acked_present() {
  local missing=0 code id
  while read -r id; do
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$base/v1/dossiers/$id")
    [ "$code" = 200 ] || missing=$((missing + 1))
  done < <(cat "$tmp"/acked.*)
  [ "$missing" = 0 ] || fail "$missing of $acked acknowledged dossiers are missing"
}
