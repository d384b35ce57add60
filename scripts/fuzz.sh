#!/usr/bin/env bash
# Builds the libFuzzer targets with Debian's clang (ASan + UBSan) in build-fuzz/ and runs each
# for a while. Usage: scripts/fuzz.sh [seconds-per-target]   (default 60; CI runs it briefly)
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-60}
need=()
command -v clang++ >/dev/null || need+=(clang)
dpkg-query -W -f='${Status}' libclang-rt-14-dev 2>/dev/null | grep -q "install ok installed" || need+=(libclang-rt-14-dev)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
fi
MOTCUA_BUILD_TYPE=RelWithDebInfo CC=clang CXX=clang++ \
  cmake -S . -B build-fuzz -DMOTCUA_FUZZ=ON -DMOTCUA_BUILD_TESTS=OFF -DMOTCUA_BUILD_BENCH=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j"${MOTCUA_JOBS:-2}" --target definition_fuzz request_fuzz
for t in definition request; do
  mkdir -p "build-fuzz/corpus-$t"
  echo "fuzz: $t for ${SECS}s" >&2
  "build-fuzz/${t}_fuzz" -max_total_time="$SECS" -max_len=4096 -timeout=10 \
    "build-fuzz/corpus-$t" "tests/fuzz/corpus/$t" 2>&1 | tail -3
done
