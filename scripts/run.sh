#!/usr/bin/env bash
# Sets up (installs packages if missing, configures, builds) and runs motcua's main job:
# validates the shipped definitions and previews today's due date for each procedure.
# Extra arguments go to `motcua check`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build >&2
./build/motcua check definitions "$@"
now=$(TZ=Asia/Ho_Chi_Minh date +%Y-%m-%dT%H:%M)
for code in $(ls definitions/procedures | sed -E 's/-v[0-9]+\.ya?ml$//' | sort -u); do
  ./build/motcua preview definitions "$code" "$now" || true
done
