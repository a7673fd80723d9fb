#!/usr/bin/env bash
# Fuzzing campaign: each libFuzzer target of fuzz/ for SECONDS (default 600), one after another, niced, then prints
# executions, coverage, corpus size and peak RSS per target. A crash, leak, timeout or OOM fails the script and
# leaves the input in $BUILD/fuzz/artifacts/. --merge then minimizes fuzz/corpus/<target>/ with what was found
# (edge coverage: the smallest set of inputs that reaches every edge reached).
# Usage: reliability/fuzz.sh [--seconds N] [--build DIR] [--merge] [target...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=600 build=$root/build-fuzz merge=0 targets=()
while (($#)); do
  case $1 in
    --seconds) seconds=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --merge) merge=1; shift ;;
    -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
    *) targets+=("$1"); shift ;;
  esac
done
((${#targets[@]})) || targets=(fuzz_submit_json fuzz_submit_multipart fuzz_job fuzz_job_writer fuzz_error_envelope
                                fuzz_fake_engine fuzz_conformance_answer fuzz_json_scan fuzz_http_response)
if [ ! -d "$build/fuzz" ]; then
  cmake -S "$root" -B "$build" -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=RelWithDebInfo -DROAMBI_JOBS_FUZZ=ON \
    -DROAMBI_JOBS_SANITIZE=address,undefined -DROAMBI_JOBS_BUILD_TESTS=OFF -DROAMBI_JOBS_BUILD_BENCH=OFF \
    -DROAMBI_JOBS_BUILD_TOOLS=OFF -DROAMBI_JOBS_INSTALL=OFF >&2
fi
cmake --build "$build" --target fuzz_all -j 2 >&2
mkdir -p "$build/fuzz/artifacts" "$build/fuzz/logs"
printf '%-22s %8s %12s %9s %7s %8s %10s %8s\n' target seconds executions exec/s cov ft corpus peak_rss
status=0
for t in "${targets[@]}"; do
  dict=$root/fuzz/dict/json.dict
  [ -f "$root/fuzz/dict/$t.dict" ] && dict=$root/fuzz/dict/$t.dict
  work=$build/fuzz/corpus-work/$t log=$build/fuzz/logs/$t.log
  mkdir -p "$work"
  rc=0
  nice -n 10 "$build/fuzz/$t" -dict="$dict" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$build/fuzz/artifacts/$t-" "$work" "$root/fuzz/corpus/$t" >"$log" 2>&1 || rc=$?
  done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1 || true)
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -1)
  took=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$done_line")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$done_line")
  corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9A-Za-z]*\).*/\1/p' <<<"$done_line")
  eps=$(( ${took:-0} > 0 ? ${runs:-0} / took : 0 ))
  printf '%-22s %8s %12s %9s %7s %8s %10s %6sMB\n' "$t" "${took:-?}" "${runs:-?}" "$eps" "${cov:-?}" "${ft:-?}" "${corp:-?}" "${rss:-?}"
  if ((rc != 0)); then
    echo "FAILED: $t exited $rc; see $log and $build/fuzz/artifacts/" >&2
    grep -E 'ERROR|runtime error|property broken|SUMMARY' "$log" | head -5 >&2 || true
    status=1
  fi
  if ((merge)) && ((rc == 0)); then
    min=$build/fuzz/corpus-min/$t
    rm -rf "$min"; mkdir -p "$min"
    # Edge coverage only (no hit counters): the committed corpus stays a few hundred small files per target.
    "$build/fuzz/$t" -merge=1 -use_counters=0 "$min" "$root/fuzz/corpus/$t" "$work" >"$log.merge" 2>&1
    rm -f "$root/fuzz/corpus/$t"/*
    cp "$min"/* "$root/fuzz/corpus/$t"/
    echo "  merged: fuzz/corpus/$t now $(ls "$root/fuzz/corpus/$t" | wc -l) inputs, $(du -sh "$root/fuzz/corpus/$t" | cut -f1)" >&2
  fi
done
exit $status
