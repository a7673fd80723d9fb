#!/usr/bin/env bash
# CI's reliability passes, run by .ci/run after scripts/test.sh (reliability/README.md has the figures):
#   1. the spec model's, the fake's and the reliability tests again under AddressSanitizer +
#      UndefinedBehaviorSanitizer (build-asan), any report failing the run;
#   2. the libFuzzer targets (clang, build-fuzz): each replays its committed corpus, then fuzzes 10 s.
# Each pass prints how long it took. ROAMBI_CI_SKIP_FUZZ=1 skips the second.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc)
"$root/reliability/setup.sh"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# CI builds the tests that parse wire data or serve it under ASan+UBSan (the spec model's parsers and fixtures, the
# fake in-process and over loopback, the reliability tests: 10 binaries) and the standalone fake with its CLI tests,
# everything at -O1 -g1 (line tables: reports still name lines). Left out, to keep CI well under 30 minutes on two
# cores: the model's table tests, the conformance suite and the benchmarks (roambi-conformance alone took over 15
# minutes to build under ASan at -O2). The whole suite under ASan+UBSan is run locally: reliability/README.md.
asan_targets=(spec_job_test spec_errors_test spec_submit_test spec_examples_test fake_server_test fake_control_test
              fake_java_client_test reliability_hostile_test reliability_isolation_test reliability_threads_test
              roambi-fake-server)
start=$SECONDS
cmake -S "$root" -B "$root/build-asan" -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1" \
  -DROAMBI_JOBS_SANITIZE=address,undefined -DROAMBI_JOBS_BUILD_BENCH=OFF >&2
cmake --build "$root/build-asan" -j "$jobs" --target "${asan_targets[@]}" >&2
built=$SECONDS
# Tests of the binaries not built above are left out by name (and any "<binary>_NOT_BUILT" placeholder).
(cd "$root/build-asan" && ctest --output-on-failure -j "$jobs" \
   -E '_NOT_BUILT$|^cli\.(conformance|reliability|mutating_proxy)|^conformance|^bench|^package|^readme|^SpecDocsTool|^SpecBuilt|^openapi')
echo "reliability: ASan+UBSan pass: build $((built - start)) s, ctest $((SECONDS - built)) s"

if [ "${ROAMBI_CI_SKIP_FUZZ:-0}" != 1 ]; then
  start=$SECONDS
  cmake -S "$root" -B "$root/build-fuzz" -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DROAMBI_JOBS_FUZZ=ON -DROAMBI_JOBS_SANITIZE=address,undefined -DROAMBI_JOBS_BUILD_TESTS=OFF \
    -DROAMBI_JOBS_BUILD_BENCH=OFF -DROAMBI_JOBS_BUILD_TOOLS=OFF -DROAMBI_JOBS_INSTALL=OFF >&2
  cmake --build "$root/build-fuzz" --target fuzz_all -j "$jobs" >&2
  built=$SECONDS
  (cd "$root/build-fuzz" && ctest --output-on-failure -L fuzz -j "$jobs")
  echo "reliability: fuzz replay + 10 s per target: build $((built - start)) s, ctest $((SECONDS - built)) s"
fi
