#!/usr/bin/env bash
# Installs what the reliability passes need beyond the build: clang and its runtimes (libFuzzer, sanitizers) and wrk.
# A no-op when they are there.
set -euo pipefail
exec "$(dirname "$0")/../scripts/setup.sh" clang-14 libclang-rt-14-dev wrk
