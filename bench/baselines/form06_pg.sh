#!/usr/bin/env bash
# PostgreSQL baseline for report form 06: the dossiers report_bench wrote as CSV (one row each,
# --pg-csv) loaded into a throwaway cluster on this machine, then the same yearly report for the
# province by unit as one GROUP BY over the table, timed RUNS times (psql \timing). Prints the
# totals row too, so it can be compared with report_bench's.
#
#   bench/baselines/form06_pg.sh <dossiers.csv> [runs]
set -euo pipefail
CSV=$(realpath "$1")
RUNS=${2:-10}
chmod o+r "$CSV"
PG_PORT=55433
PG_OPTIONS="-c shared_buffers=512MB -c work_mem=64MB"
source "$(dirname "$0")/pg_cluster.sh"
PSQL="$PSQL -X"
$PSQL postgres <<SQL
CREATE TABLE dossiers (id bigint PRIMARY KEY, agency text NOT NULL, procedure text NOT NULL,
  field text NOT NULL, channel text NOT NULL, received_at timestamp NOT NULL,
  decided_at timestamp, withdrawn_at timestamp, timeliness text, extended boolean,
  refused boolean, due_at timestamp NOT NULL, supplement_from timestamp);
\copy dossiers FROM '$CSV' WITH (FORMAT csv, NULL '')
CREATE INDEX ON dossiers (received_at);
VACUUM ANALYZE dossiers;
SQL
LOADED=$($PSQL -t -A -c 'SELECT count(*) FROM dossiers' postgres)
echo "loaded $LOADED dossiers"
[ "$LOADED" -gt 0 ] || { echo "nothing loaded from $CSV (can the postgres user read it?)" >&2; exit 1; }
QUERY="SELECT agency,
  count(*) FILTER (WHERE received_at >= '2026-01-01' AND channel LIKE 'online%') AS online,
  count(*) FILTER (WHERE received_at >= '2026-01-01' AND channel IN ('counter', 'postal')) AS direct,
  count(*) FILTER (WHERE received_at < '2026-01-01') AS carried_over,
  count(*) FILTER (WHERE decided_at >= '2026-01-01' AND decided_at < '2027-01-01') AS processed,
  count(*) FILTER (WHERE decided_at >= '2026-01-01' AND decided_at < '2027-01-01' AND timeliness = 'early') AS early,
  count(*) FILTER (WHERE decided_at >= '2026-01-01' AND decided_at < '2027-01-01' AND timeliness = 'on_time') AS on_time,
  count(*) FILTER (WHERE decided_at >= '2026-01-01' AND decided_at < '2027-01-01' AND timeliness = 'late') AS late,
  count(*) FILTER (WHERE withdrawn_at >= '2026-01-01' AND withdrawn_at < '2027-01-01') AS withdrawn,
  count(*) FILTER (WHERE coalesce(decided_at, withdrawn_at, 'infinity') >= '2027-01-01') AS in_progress,
  count(*) FILTER (WHERE coalesce(decided_at, withdrawn_at, 'infinity') >= '2027-01-01'
                   AND due_at < '2027-01-01') AS overdue
FROM dossiers
WHERE received_at < '2027-01-01' AND coalesce(decided_at, withdrawn_at, 'infinity') >= '2026-01-01'
GROUP BY agency ORDER BY agency"
{
  echo '\timing on'
  for _ in $(seq "$RUNS"); do echo "$QUERY;"; done
} | $PSQL -o /dev/null postgres | grep -o 'Time: [0-9.]* ms' | awk '{print $2}' | sort -n \
  | awk '{t[NR]=$1} END {printf "PostgreSQL GROUP BY, year 2026 by unit: %d runs, p50 %.1f ms, max %.1f ms\n", NR, t[int((NR+1)/2)], t[NR]}'
echo "PostgreSQL totals:"
$PSQL -c "SELECT sum(online) online, sum(direct) direct, sum(carried_over) carried_over,
  sum(processed) processed, sum(early) early, sum(on_time) on_time, sum(late) late,
  sum(withdrawn) withdrawn, sum(in_progress) in_progress, sum(overdue) overdue
  FROM ($QUERY) r" postgres
