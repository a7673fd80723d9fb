#!/usr/bin/env bash
# roambi-load as a user meets it: help, bad usage, then a short open-loop run against the embedded fake whose
# JSON result must hold every field the README documents, and a closed-loop run.
set -uo pipefail
bin=$1
fail=0
check() { if eval "$2"; then echo "ok: $1"; else echo "FAIL: $1"; fail=1; fi; }
out=$("$bin" --help); rc=$?
check "--help exits 0" "[ $rc -eq 0 ]"
for flag in --target --embedded --config --mode --scenario --rate --connections --duration --poll-interval --out --budget-ms --emit; do
  check "--help documents $flag" "grep -q -- '$flag' <<<\"\$out\""
done
check "--version" "\"$bin\" --version | grep -q '^roambi-load '"
err=$("$bin" --bogus 2>&1 >/dev/null); rc=$?
check "unknown flag exits 2" "[ $rc -eq 2 ]"
check "unknown flag says how to get help" "grep -q 'Run with --help for more information.' <<<\"\$err\""
"$bin" --target ftp://x/1 2>/dev/null; rc=$?; check "bad target exits 2" "[ $rc -eq 2 ]"
"$bin" 2>/dev/null; rc=$?; check "no target exits 2" "[ $rc -eq 2 ]"
for bad in "--emit artillery" "--target http://127.0.0.1:9/1 --emit k6 x" "--embedded --emit artillery x" \
           "--target http://127.0.0.1:9/1 --mode closed --emit artillery x" "--target http://127.0.0.1:9/1 --budget-ms nope=1"; do
  $bin $bad >/dev/null 2>&1; rc=$?; check "$bad exits 2" "[ $rc -eq 2 ]"
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Jobs last 2 s and ask for polls every 3 s: 1.5 s of arrivals at 20/s, then the drain sees them end.
"$bin" --embedded --rate 20 --duration 1.5 --drain 10 --connections 4 --out "$tmp/r.json" >"$tmp/stdout" 2>"$tmp/stderr"; rc=$?
check "open-loop run exits 0" "[ $rc -eq 0 ]"
check "progress lines on stderr" "grep -q 'req/s' '$tmp/stderr'"
check "text summary on stdout" "grep -q '^latency' '$tmp/stdout'"
r=$(tr -d ' \n' <"$tmp/r.json")
for field in '"schema_version":1' '"mode":"open"' '"scenario":"lifecycle"' '"jobs":{' '"started":30' '"completed":30' \
             '"per_s":' '"requests":{' '"latency_ms":{"poll":{' '"submit":{' '"service_time_ms":{' '"job_time_ms":{' \
             '"p50":' '"p99":' '"p99.9":' '"max":' '"polls_per_job":{' '"errors":{}' '"unfinished":0'; do
  check "result has $field" "grep -qF -- '$field' <<<'$r'"
done
"$bin" --embedded --mode closed --scenario status --connections 2 --duration 0.5 --drain 1 --quiet --format json >"$tmp/c.json"; rc=$?
check "closed-loop run exits 0" "[ $rc -eq 0 ]"
c=$(tr -d ' \n' <"$tmp/c.json")
check "closed loop polled" "grep -qE '\"polls\":[1-9]' <<<'$c'"
check "closed loop had no errors" "grep -qF '\"errors\":{}' <<<'$c'"
exit $fail
