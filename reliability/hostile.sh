#!/usr/bin/env bash
# Hostile clients against the standalone fake (its defaults: 64 ready threads, up to 1024): 64 idle keep-alive and
# 64 slow-drip (one byte a second) connections held open while ordinary requests are timed; oversized header line,
# header block, declared body and chunked body; 64 abrupt closes mid-request. Prints the figures; fails when an
# ordinary request waited 1 s or more, an oversized request was not refused, or threads/descriptors stayed up.
# The same scenarios run in-process as ctest (tests/reliability_hostile_test.cpp).
# Usage: reliability/hostile.sh [-- fake flags]
source "$(dirname "$0")/common.sh"
[ "${1:-}" = "--" ] && shift
need_build roambi-fake-server roambi-reliability
start_fake "$@"
"$build/tests/roambi-reliability" hostile --target "$url" --pid "$fake_pid" && echo "hostile: PASS" || { echo "hostile: FAIL"; exit 1; }
