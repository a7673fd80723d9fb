#!/usr/bin/env bash
# Installs what is missing, then configures and builds roambi-jobs into build/ (or $ROAMBI_BUILD_DIR).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${ROAMBI_BUILD_DIR:-$root/build}
"$root/scripts/setup.sh"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=${CMAKE_BUILD_TYPE:-Release} >&2
cmake --build "$build" -j "$(nproc)" >&2
