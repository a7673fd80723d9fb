#!/usr/bin/env bash
# The main job: builds, then runs the conformance suite against the embedded fake server with the demo tenant.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/build.sh"
exec "${ROAMBI_BUILD_DIR:-$root/build}/conformance/roambi-conformance" "$@"
