#!/usr/bin/env bash
# Sets up (installs packages if missing, configures, builds) and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
MOTCUA_TEST_TOOLS=1 scripts/setup.sh build
cd build
ctest --output-on-failure -j"${MOTCUA_JOBS:-2}" --timeout 300
