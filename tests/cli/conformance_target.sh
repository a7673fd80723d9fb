#!/usr/bin/env bash
# roambi-conformance --target against a separate server: roambi-fake-server seeded with the demo tenant, over
# http and https. --target URL alone (the built-in demo config) is all it takes.
set -uo pipefail
conf=$1
fake=$2
fail=0
check() { if eval "$2"; then echo "ok: $1"; else echo "FAIL: $1"; fail=1; fi; }
tmp=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$tmp"' EXIT

started=""
start_fake() {  # out-file, args... ; sets $started to the base URL (not in $(...): the pid must reach the trap)
  local out=$1; shift
  "$fake" --port 0 --quiet "$@" > "$out" 2>/dev/null &
  pids+=($!)
  for _ in $(seq 200); do grep -q "^listening on " "$out" 2>/dev/null && break; sleep 0.05; done
  started=$(sed -n 's/^listening on //p' "$out" | head -1)
}

# Jobs end in 200 ms and ask for 1 s between polls, so the lifecycle checks wait a few real seconds.
start_fake "$tmp/http.out" --job-duration 200 --retry-after 1
url=$started
check "roambi-fake-server started" "[ -n '$url' ]"
start=$(date +%s)
# Two tokens of the demo user: the suite's ~150 requests spread over both stay under 100 a minute per token, so
# pacing never has to wait out a window.
ROAMBI_TOKENS=token-demo,token-ratelimit "$conf" --target "$url" --quiet --latency-samples 10 > "$tmp/http" 2>&1; rc=$?
check "--target URL alone passes against a server seeded with the demo tenant (exit 0)" "[ $rc -eq 0 ]"
check "it ran against that target, on real time" "grep -q \"^roambi-conformance .*: $url, profile lenient\" '$tmp/http'"
check "the rate-limit checks are opt-in against a target" "grep -q 'DISABLED rate-limit/excess-gets-503 .*--enable rate_limit' '$tmp/http' || grep -q 'DISABLED *rate-limit/excess-gets-503' '$tmp/http'"
check "a real-time run over two tokens needs no pacing pause" "[ \$((\$(date +%s) - start)) -lt 45 ]"
check "no 503 met" "! grep -q 'rate-limited the suite' '$tmp/http'"
[ $rc -eq 0 ] || grep -E 'FAIL|ERROR' "$tmp/http"

# https: a self-signed certificate for 127.0.0.1
if openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj '/CN=127.0.0.1' -addext 'subjectAltName=IP:127.0.0.1' \
     -keyout "$tmp/key.pem" -out "$tmp/cert.pem" > /dev/null 2>&1; then
  start_fake "$tmp/https.out" --job-duration 200 --retry-after 1 --tls-cert "$tmp/cert.pem" --tls-key "$tmp/key.pem"
  surl=$started
  check "roambi-fake-server started with TLS" "[[ '$surl' == https://* ]]"
  "$conf" --target "$surl" --quiet --filter status/ --connect-timeout-ms 2000 > "$tmp/untrusted" 2>&1; rc=$?
  check "an https target with an untrusted certificate is not judged (exit 3)" "[ $rc -eq 3 ] && grep -q 'TLS failed' '$tmp/untrusted'"
  "$conf" --target "$surl" --quiet --filter status/ --ca-file "$tmp/cert.pem" > "$tmp/trusted" 2>&1; rc=$?
  check "--ca-file trusts it (exit 0)" "[ $rc -eq 0 ]"
  ROAMBI_INSECURE=1 "$conf" --target "$surl" --quiet --filter job/ > "$tmp/insecure" 2>&1; rc=$?
  check "ROAMBI_INSECURE=1 skips verification (exit 0)" "[ $rc -eq 0 ]"
else
  echo "skip: openssl could not make a certificate"
fi
exit $fail
