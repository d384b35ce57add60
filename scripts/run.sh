#!/usr/bin/env bash
# Sets up (installs Debian packages if missing, configures, builds) and runs the motcua server
# on an embedded RocksDB directory (./data) with the shipped definitions. On first start it
# prints a development token. Extra arguments go to `motcua serve` (e.g. --listen 0.0.0.0:8080).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build >&2
./build/motcua check definitions
exec ./build/motcua serve --data ./data --definitions definitions "$@"
