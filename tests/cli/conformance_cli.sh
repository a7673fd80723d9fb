#!/usr/bin/env bash
# roambi-conformance as a user meets it: help, bad usage (exit 2), an unreachable target (exit 3), the embedded
# fake (exit 0), a broken fake (exit 1), JSON on stdout, the report directory, secrets kept out of reports.
set -uo pipefail
bin=$1
fail=0
check() { if eval "$2"; then echo "ok: $1"; else echo "FAIL: $1"; fail=1; fi; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

out=$("$bin" --help); rc=$?
check "--help exits 0" "[ $rc -eq 0 ]"
for flag in --target --config --profile --filter --list --enable --disable --no-latency --budget-ms --latency-samples \
            --timeout-ms --connect-timeout-ms --deadline-s --max-response-bytes --ca-file --insecure --format --report-dir \
            --quiet --fake-defect --list-defects --version ROAMBI_TARGET ROAMBI_CONFIG ROAMBI_PROFILE ROAMBI_TOKENS \
            ROAMBI_TOKEN ROAMBI_OTHER_TOKEN ROAMBI_EXPIRED_TOKEN ROAMBI_RATELIMIT_TOKEN '"schema_version"' '"budgets"' \
            '"features"' 'Exit codes'; do
  check "--help documents $flag" "grep -qF -- '$flag' <<<\"\$out\""
done
for code in 0 1 2 3; do check "--help documents exit code $code" "grep -qE '^  $code  ' <<<\"\$out\""; done
check "--version" "\"$bin\" --version | grep -qE '^roambi-conformance [0-9]+\.[0-9]+\.[0-9]+$'"

usage() {  # name, expected stderr fragment, args...
  local name=$1 want=$2; shift 2
  err=$("$bin" "$@" 2>&1 >/dev/null); rc=$?
  check "$name exits 2" "[ $rc -eq 2 ]"
  check "$name says why" "grep -qF -- '$want' <<<\"\$err\""
  check "$name says how to get help" "grep -q 'Run with --help for more information.' <<<\"\$err\""
}
usage "unknown flag" "unknown option --bogus" --bogus
usage "a token on the command line" "never on the command line" --token=abc
usage "bad profile" "--profile: strictest not in" --profile strictest
usage "bad format" "--format: xml not in" --format xml
usage "bad budget" "unknown route" --budget-ms status=3
usage "bad number" '--timeout-ms: expected a whole number >= 0, got "soon"' --timeout-ms soon
usage "bad target" "the path must end in the API version" --target http://127.0.0.1:1/v2
usage "unknown feature" "unknown feature" --disable teleport
usage "missing config" "cannot be read" --config "$tmp/none.json"
echo '{"tokns": {}}' > "$tmp/typo.json"
usage "config typo" "/tokns" --config "$tmp/typo.json"
usage "filter matching nothing" "matches no check" --filter nothing/
usage "defect against a target" "--fake-defect works only" --target http://127.0.0.1:1/1 --fake-defect title_race
usage "unknown defect" "unknown defect" --fake-defect nope
ROAMBI_PROFILE=nope "$bin" --quiet >/dev/null 2>&1; rc=$?
check "a bad environment variable exits 2 too" "[ $rc -eq 2 ]"

"$bin" --list > "$tmp/list"; rc=$?
check "--list exits 0" "[ $rc -eq 0 ]"
check "--list names the checks" "grep -q '^status/unknown-job ' '$tmp/list' && [ \$(wc -l < '$tmp/list') -ge 60 ]"
check "--list-defects lists at least 25" "[ \$(\"$bin\" --list-defects | wc -l) -ge 25 ]"

# An unreachable target: nothing can be judged.
start=$(date +%s)
"$bin" --target http://127.0.0.1:1/1 --connect-timeout-ms 500 --deadline-s 30 --quiet > "$tmp/unreachable" 2>&1; rc=$?
check "an unreachable target exits 3" "[ $rc -eq 3 ]"
check "an unreachable target says so" "grep -q 'could not connect' '$tmp/unreachable'"
check "an unreachable target is quick" "[ \$((\$(date +%s) - start)) -lt 20 ]"

# The README's main command: the embedded fake with the demo tenant.
"$bin" --report-dir "$tmp/report" > "$tmp/embedded" 2> "$tmp/embedded.err"; rc=$?
check "the embedded fake passes (exit 0)" "[ $rc -eq 0 ]"
check "the summary names every section" "grep -q '^Submit Job: ' '$tmp/embedded' && grep -q '^Latency: ' '$tmp/embedded'"
check "the summary has the latency table" "grep -q '^Latency (ms)' '$tmp/embedded'"
check "stderr has progress, stdout has none" "grep -q '^pass .*status/unknown-job' '$tmp/embedded.err' && ! grep -q '^pass ' '$tmp/embedded'"
for f in results.json junit.xml report.html; do check "--report-dir writes $f" "[ -s '$tmp/report/$f' ]"; done
check "results.json has schema_version" "grep -q '\"schema_version\": 1' '$tmp/report/results.json'"
check "no token in any report" "! grep -rq 'token-demo' '$tmp/report' '$tmp/embedded'"

"$bin" --quiet --format json --filter status/ > "$tmp/json"; rc=$?
check "--format json exits 0" "[ $rc -eq 0 ]"
check "--format json prints JSON only" "head -c1 '$tmp/json' | grep -q '{' && tail -c2 '$tmp/json' | grep -q '}'"

for p in doc_strict java_client; do
  "$bin" --quiet --profile $p > /dev/null; rc=$?
  check "the embedded fake passes in profile $p" "[ $rc -eq 0 ]"
done

"$bin" --quiet --fake-defect overwrite_ignored --filter submit/overwrite > "$tmp/defect"; rc=$?
check "a broken fake fails (exit 1)" "[ $rc -eq 1 ]"
check "the failure names the check and the sentence it breaks" \
  "grep -q 'FAIL .*submit/overwrite-replaces-existing' '$tmp/defect' && grep -q 'breaks \"| \*overwrite\* |' '$tmp/defect'"
"$bin" --quiet --fake-defect title_race --filter concurrency/ > "$tmp/advice"; rc=$?
check "advice is shown and never fails the run (exit 0)" "[ $rc -eq 0 ] && grep -q 'ADVICE .*concurrency/one-title-one-file' '$tmp/advice'"

"$bin" --quiet --filter auth/ --gtest_filter='Auth.Missing*' > "$tmp/gfilter"; rc=$?
check "--gtest_filter narrows the run" "[ $rc -eq 0 ] && grep -q '^1 checks' '$tmp/gfilter'"
"$bin" --quiet --filter status/ --gtest_repeat=2 --gtest_shuffle > /dev/null; rc=$?
check "--gtest_repeat and --gtest_shuffle work" "[ $rc -eq 0 ]"
"$bin" --quiet --filter job/ --gtest_output="xml:$tmp/gtest.xml" > /dev/null; rc=$?
check "--gtest_output=xml writes GoogleTest's XML" "[ $rc -eq 0 ] && grep -q 'name=\"StatusUrlResolves\"' '$tmp/gtest.xml'"

exit $fail
