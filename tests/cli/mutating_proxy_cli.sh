#!/usr/bin/env bash
# roambi-mutating-proxy as a user meets it: help, bad usage, the operator list, the first line, and a clean stop.
set -uo pipefail
bin=$1
fail=0
check() { if eval "$2"; then echo "ok: $1"; else echo "FAIL: $1"; fail=1; fi; }
out=$("$bin" --help); rc=$?
check "--help exits 0" "[ $rc -eq 0 ]"
for flag in --upstream --operator --port --seed --list-operators; do
  check "--help documents $flag" "grep -q -- '$flag' <<<\"\$out\""
done
check "--version" "\"$bin\" --version | grep -q '^roambi-mutating-proxy '"
err=$("$bin" --bogus 2>&1 >/dev/null); rc=$?
check "unknown flag exits 2" "[ $rc -eq 2 ]"
check "unknown flag says how to get help" "grep -q 'Run with --help for more information.' <<<\"\$err\""
"$bin" 2>/dev/null; rc=$?; check "no upstream exits 2" "[ $rc -eq 2 ]"
"$bin" --upstream http://127.0.0.1:9 2>/dev/null; rc=$?; check "an upstream without the version exits 2" "[ $rc -eq 2 ]"
"$bin" --upstream http://127.0.0.1:9/1 --operator nope 2>/dev/null; rc=$?; check "an unknown operator exits 2" "[ $rc -eq 2 ]"
"$bin" --upstream http://127.0.0.1:9/1 --port 70000 2>/dev/null; rc=$?; check "bad port exits 2" "[ $rc -eq 2 ]"
n=$("$bin" --list-operators | wc -l)
check "--list-operators lists at least 30 operators" "[ $n -ge 30 ]"
tmp=$(mktemp -d)
# Port 9 (discard) has no server: the proxy starts anyway and answers 502 when asked.
"$bin" --upstream http://127.0.0.1:9/1 --operator job/uid-dropped > "$tmp/out" 2> "$tmp/err" &
pid=$!
for _ in $(seq 100); do grep -q '^listening on ' "$tmp/out" && break; sleep 0.05; done
first=$(head -1 "$tmp/out")
check "first line is the base URL" "[[ '$first' =~ ^listening\ on\ http://127\.0\.0\.1:[0-9]+/1$ ]]"
port=$(sed -E 's#.*:([0-9]+)/1#\1#' <<<"$first")
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/1/jobs/x")
check "an unreachable upstream is answered 502" "[ '$code' = 502 ]"
kill -TERM $pid; wait $pid; rc=$?
check "SIGTERM stops it with exit 0" "[ $rc -eq 0 ]"
check "it says what it forwarded" "grep -q '1 request(s) forwarded' '$tmp/err'"
rm -rf "$tmp"
[ $fail -eq 0 ] && echo "all passed" || echo "some failed"
exit $fail
