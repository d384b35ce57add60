#!/usr/bin/env bash
# Report form 06 on a million dossiers, next to the same report as a PostgreSQL GROUP BY over the
# same dossiers, in one run: report_bench fills a fresh store's counters (and writes the CSV),
# times the reports, then bench/baselines/form06_pg.sh loads the CSV and times the query.
# Usage: bench/run_report.sh [dossiers] [report runs]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
RUNS=${2:-200}
scripts/setup.sh build >&2
make -C build -j2 report_bench >&2
WORK=$(mktemp -d /tmp/motcua-report-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
chmod 755 "$WORK"  # the PostgreSQL baseline reads the CSV as the postgres user
./build/bench/report_bench --dir "$WORK/store" --dossiers "$N" --reports "$RUNS" --pg-csv "$WORK/dossiers.csv"
echo
bash bench/baselines/form06_pg.sh "$WORK/dossiers.csv" 20
