#!/usr/bin/env bash
# Installs the Debian packages motcua needs (when missing), configures and builds.
# Usage: scripts/setup.sh [build-dir]   (default: build)
#        scripts/setup.sh --packages-only  (install what is missing, nothing else)
# Environment: MOTCUA_JOBS (default 2), MOTCUA_BUILD_TYPE (default RelWithDebInfo),
#              MOTCUA_CMAKE_ARGS (extra cmake arguments), MOTCUA_TEST_TOOLS (set: also what the
#              tests need, chromium and poppler-utils; scripts/test.sh sets it).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:-build}

packages=(g++ cmake make pkg-config libboost1.81-dev librocksdb-dev libprotobuf-dev
          protobuf-compiler libyaml-cpp-dev libgtest-dev libgmock-dev libbenchmark-dev
          libxlsxwriter-dev libsodium-dev libssl-dev libpq-dev)
# The tests print forms in a browser and read the PDFs back (tests/adapters/report/), run
# webhook receivers in Python (tests/adapters/delivery/), make the Debian package (dpkg-dev's
# dpkg-shlibdeps finds its dependencies: tests/scripts/package/), and run the PostgreSQL store
# against a real server (tests/adapters/postgres/).
[ -n "${MOTCUA_TEST_TOOLS:-}" ] && packages+=(chromium poppler-utils fonts-liberation fonts-dejavu-core curl python3 openssl
                                          dpkg-dev postgresql)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >&2
fi

[ "$build_dir" = "--packages-only" ] && exit 0

cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE="${MOTCUA_BUILD_TYPE:-RelWithDebInfo}" \
  ${MOTCUA_CMAKE_ARGS:-} >/dev/null
cmake --build "$build_dir" -j"${MOTCUA_JOBS:-2}"
