#!/usr/bin/env bash
# Checks the thread-safety annotations (GUARDED_BY, REQUIRES, ...; engine/common/
# thread_annotations.h) with Clang's -Wthread-safety: every library, the motcua binary and the
# tests, built in build-tsa/ without optimisation (only the analysis matters). A violation fails
# the build. CI runs it (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --packages-only
command -v clang++ >/dev/null || {
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get install -y -qq --no-install-recommends clang >&2
}
CC=clang CXX=clang++ cmake -S . -B build-tsa -DMOTCUA_THREAD_SAFETY=ON -DMOTCUA_BUILD_BENCH=OFF \
  -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_FLAGS="-O0" >/dev/null
cmake --build build-tsa -j"${MOTCUA_JOBS:-2}"
echo "thread-safety analysis: no violations" >&2
