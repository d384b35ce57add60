#!/usr/bin/env bash
# Failover (issue 16): a PostgreSQL primary and a synchronous standby on loopback (Unix sockets),
# made with pg_basebackup and synchronous_standby_names; motcua serves on a multi-host
# connection string with target_session_attrs=read-write. Under an HTTP write load the primary
# is killed with SIGKILL (the postmaster and every backend), the standby promoted: motcua finds
# the new primary by itself, writes go on, every acknowledged write is on the new primary, and
# `motcua verify` says OK. The runbook is docs/operations.md, "PostgreSQL failover".
# Usage: failover_e2e.sh <motcua> <definitions-dir>
set -u
motcua=$1 defs=$2
# shellcheck source=pg_lib.sh
source "$(dirname "$0")/pg_lib.sh"
pg_setup failover_e2e
trap 'pg_stop primary; pg_stop standby; e2e_cleanup' EXIT

# The primary waits for the standby named standby1 to flush each commit before it answers.
pg_init primary
pg_start primary 5432 "-c synchronous_standby_names=standby1 -c synchronous_commit=on" ||
  fail "the primary did not start: $(tail -3 "$tmp/primary/log")"
mkdir -p "$tmp/standby"
[ -n "$run" ] && chown postgres "$tmp/standby"
$run "$bin/pg_basebackup" -D "$tmp/standby/db" -h "$tmp/primary" -p 5432 -U postgres -R -X stream \
  -c fast > "$tmp/basebackup.log" 2>&1 || fail "pg_basebackup: $(tail -3 "$tmp/basebackup.log")"
# cluster_name is the standby's application_name towards the primary.
pg_start standby 5433 "-c cluster_name=standby1" ||
  fail "the standby did not start: $(tail -3 "$tmp/standby/log")"
for _ in $(seq 100); do
  [ "$(pg_sql primary 5432 "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'standby1'")" = sync ] && break
  sleep 0.1
done
[ "$(pg_sql primary 5432 "SELECT sync_state FROM pg_stat_replication")" = sync ] ||
  fail "the standby is not synchronous: $(pg_sql primary 5432 "SELECT * FROM pg_stat_replication")"

dsn="host=$tmp/primary,$tmp/standby port=5432,5433 user=postgres dbname=postgres target_session_attrs=read-write connect_timeout=2"
printf 'store: postgres\npostgres_dsn: "%s"\nlog_requests: false\n' "$dsn" > "$tmp/motcua.yaml"
start_server 1 "$motcua" serve --config "$tmp/motcua.yaml" --data "$tmp/data" --definitions "$defs"
token=$(grep -o 'mc_[0-9a-f]*' "$tmp/log" | head -1)
[ -n "$token" ] || fail "no development token"
base="http://127.0.0.1:$port"
wait_ready "not ready on the primary"

load_start
sleep 2
before_kill=$(cat "$tmp"/acked.* | wc -l)
[ "$before_kill" -gt 0 ] || fail "nothing acknowledged before the primary was killed"
# A session holds the outbox locked: the next commit waits on it, in flight when the kill comes.
$run "$bin/psql" -X -q -h "$tmp/primary" -p 5432 -U postgres -d postgres \
  -c "BEGIN; LOCK TABLE outbox IN EXCLUSIVE MODE; SELECT pg_sleep(60)" > /dev/null 2>&1 &
locker=$!
sleep 0.5
# The primary's machine is lost: SIGKILL to the postmaster and every backend at once.
pm=$(head -1 "$tmp/primary/db/postmaster.pid")
# shellcheck disable=SC2046
kill -9 "$pm" $(pgrep -P "$pm") 2>/dev/null
wait "$locker" 2>/dev/null
sleep 1
$run "$bin/pg_ctl" -D "$tmp/standby/db" -w promote > "$tmp/promote.log" 2>&1 ||
  fail "promote: $(cat "$tmp/promote.log")"
wait_ready "not ready once the standby was promoted"
at_promotion=$(cat "$tmp"/acked.* | wc -l)
sleep 2
load_stop
[ "$acked" -gt "$at_promotion" ] ||
  fail "no write acknowledged on the new primary ($at_promotion at its promotion, $acked at the end)"
# The commit in flight at the kill stopped writes until the new primary answered.
grep -q "writes stopped: write failed" "$tmp/log" || fail "the commit in flight did not fail"
grep -q "writes resumed" "$tmp/log" || fail "writes did not resume: $(grep motcua: "$tmp/log" | tail -3)"
expect_acked_present
# What motcua reads is the new primary's: the old one is gone. verify reads it too.
[ "$(pg_sql standby 5433 "SELECT pg_is_in_recovery()")" = f ] || fail "the standby was not promoted"
n=$(pg_sql standby 5433 "SELECT count(*) FROM dossiers")
[ "$n" -ge "$acked" ] || fail "the new primary holds $n dossiers, $acked were acknowledged"
"$motcua" verify "postgres:host=$tmp/standby port=5433 user=postgres dbname=postgres" > "$tmp/verify.out" 2>&1 ||
  fail "verify: $(cat "$tmp/verify.out")"
grep -q "^OK: " "$tmp/verify.out" || fail "verify: $(cat "$tmp/verify.out")"
echo "failover: OK ($before_kill acknowledged on the primary before its SIGKILL, $acked in all; every one on the promoted standby, verify OK)"
