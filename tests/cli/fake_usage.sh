#!/usr/bin/env bash
# roambi-fake-server as a user meets it: help, bad usage, a taken port, the first line, and a clean stop.
set -uo pipefail
bin=$1
fail=0
check() { if eval "$2"; then echo "ok: $1"; else echo "FAIL: $1"; fail=1; fi; }
out=$("$bin" --help); rc=$?
check "--help exits 0" "[ $rc -eq 0 ]"
for flag in --port --host --fixtures --profile --clock --job-duration --rate-limit --max-jobs --threads --max-threads --fault --tls-cert --tls-key --admin /__admin/clock/advance; do
  check "--help documents $flag" "grep -q -- '$flag' <<<\"\$out\""
done
check "--version" "\"$bin\" --version | grep -q '^roambi-fake-server '"
err=$("$bin" --bogus 2>&1 >/dev/null); rc=$?
check "unknown flag exits 2" "[ $rc -eq 2 ]"
check "unknown flag says how to get help" "grep -q 'Run with --help for more information.' <<<\"\$err\""
"$bin" --port 70000 2>/dev/null; rc=$?; check "bad port exits 2" "[ $rc -eq 2 ]"
"$bin" --profile nope 2>/dev/null; rc=$?; check "bad profile exits 2" "[ $rc -eq 2 ]"
"$bin" --fixtures /nonexistent 2>/dev/null; rc=$?; check "missing fixtures exits 2" "[ $rc -eq 2 ]"
check "--help documents --profile-file" "grep -q -- '--profile-file' <<<\"\$out\""
ptmp=$(mktemp -d)
"$bin" --print-profile java_client > "$ptmp/java.json"; rc=$?
check "--print-profile prints a built-in profile as a document" "[ $rc -eq 0 ] && grep -q '\"status_link_field\"' '$ptmp/java.json'"
"$bin" --profile-file "$ptmp/java.json" --openapi > /dev/null; rc=$?
check "a printed profile loads back" "[ $rc -eq 0 ]"
sed 's/"emits": "both"/"emits": "status_urx"/' "$ptmp/java.json" > "$ptmp/bad.json"
err=$("$bin" --profile-file "$ptmp/bad.json" 2>&1 >/dev/null); rc=$?
check "a bad profile file exits 2 naming the key" "[ $rc -eq 2 ] && grep -q 'decisions.status_link_field.emits' <<<\"\$err\""
rm -rf "$ptmp"
"$bin" --fault '{"kind":"explode"}' 2>/dev/null; rc=$?; check "bad fault exits 2" "[ $rc -eq 2 ]"
err=$("$bin" --threads 8 --max-threads 4 2>&1 >/dev/null); rc=$?
check "--max-threads below --threads exits 2 naming the flag" "[ $rc -eq 2 ] && grep -q -- '--max-threads' <<<\"\$err\""
tmp=$(mktemp -d)
"$bin" --port 0 > "$tmp/out" 2> "$tmp/err" &
pid=$!
for _ in $(seq 100); do grep -q '^listening on ' "$tmp/out" && break; sleep 0.05; done
first=$(head -1 "$tmp/out")
check "first line is the base URL" "[[ '$first' =~ ^listening\ on\ http://127\.0\.0\.1:[0-9]+/1$ ]]"
port=$(sed -E 's#.*:([0-9]+)/1#\1#' <<<"$first")
curl -s "http://127.0.0.1:$port/1/jobs/x" -H 'Authorization: Bearer token-demo' > /dev/null
# The log is buffered and written at least once a second.
for _ in $(seq 60); do grep -q 'GET /1/jobs/x -> 400' "$tmp/err" && break; sleep 0.05; done
check "one line per request on stderr" "grep -q 'GET /1/jobs/x -> 400' '$tmp/err'"
"$bin" --port "$port" 2>/dev/null; rc=$?; check "a taken port exits 1" "[ $rc -eq 1 ]"
kill -TERM $pid; wait $pid; rc=$?
check "SIGTERM stops it with exit 0" "[ $rc -eq 0 ]"
rm -rf "$tmp"
[ $fail -eq 0 ] && echo "all passed" || echo "some failed"
exit $fail
