#!/usr/bin/env bash
# `motcua verify` on a large store (issue 15 §4): bench/make_store.cc makes N dossiers (default
# 1,000,000) through the dossier service on RocksDB, then `motcua verify` runs on it twice, timed,
# with its peak resident memory (GNU time's %M).
#   bench/verify/run.sh [dossiers] [store dir]
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-1000000}
DIR=${2:-/work/motcua-verify-bench}
scripts/setup.sh build >&2
make -C build -j2 make_store motcua >&2
if [ ! -d "$DIR" ]; then
  ./build/bench/make_store --dir "$DIR" --dossiers "$N"
fi
du -sh "$DIR"
for run in 1 2; do
  /usr/bin/time -f "verify run $run: %e s wall, %U s user, %M KB peak resident" \
    ./build/motcua verify "$DIR" | tail -1
done
