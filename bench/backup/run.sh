#!/usr/bin/env bash
# Backup and restore of a large store (issue 15 §2): bench/make_store.cc makes N dossiers
# (default 1,000,000) through the dossier service on RocksDB; then, timed: a full backup, an
# incremental one (nothing changed), `backup verify`, a restore into a new directory, and
# `motcua verify` of what was restored.
#   bench/backup/run.sh [dossiers] [work dir]
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-1000000}
WORK=${2:-/work/motcua-backup-bench}
scripts/setup.sh build >&2
make -C build -j2 make_store motcua >&2
if [ ! -d "$WORK/data/db" ]; then
  mkdir -p "$WORK/data"
  ./build/bench/make_store --dir "$WORK/data/db" --dossiers "$N"
fi
rm -rf "$WORK/bk" "$WORK/restored"
echo "store: $(du -sh "$WORK/data" | cut -f1)"
timed() { /usr/bin/time -f "  %e s wall, %M KB peak resident" "$@"; }
echo "full backup:";        timed ./build/motcua backup "$WORK/data" "$WORK/bk"
echo "incremental backup:"; timed ./build/motcua backup "$WORK/data" "$WORK/bk"
echo "backup size: $(du -sh "$WORK/bk" | cut -f1)"
echo "backup verify:";      timed ./build/motcua backup verify "$WORK/bk" | tail -1
sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true
echo "restore:";            timed ./build/motcua restore "$WORK/bk" "$WORK/restored"
echo "verify of the restored store:"; timed ./build/motcua verify "$WORK/restored" | tail -1
