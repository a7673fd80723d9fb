#!/usr/bin/env bash
# The OpenAPI export (roambi-fake-server --openapi) judged by third-party tools from the npm registry:
#   lint  PROFILE                 redocly lint (recommended-strict) passes; a broken copy fails it
#   proxy PROFILE                 Prism's validation proxy in front of roambi-fake-server, roambi-conformance driven
#                                 through it: no response violates the document; a fake with deliberate defects does
#   mock  PROFILE                 roambi-conformance against Prism's example-based mock of the document: it runs and
#                                 finds failures (exit 1); the summary is printed, as a record of what a mock misses
# Usage: openapi_tools.sh MODE PROFILE FAKE_BIN [CONFORMANCE_BIN]
# Exit: 0 pass, 1 fail, 77 skip (Node.js absent; ctest SKIP_RETURN_CODE). KEEP_TMP=1 keeps the logs (Prism's, the fake's).
set -uo pipefail
mode=${1:?mode} profile=${2:?profile} fake=${3:?roambi-fake-server} conformance=${4:-}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)

if ! command -v node >/dev/null 2>&1; then
  echo "SKIP: Node.js is not installed (no node on PATH); the OpenAPI checks run redocly and Prism from the npm registry"
  exit 77
fi
tools=$("$root/scripts/npm-tools.sh"); rc=$?
if [ $rc -ne 0 ]; then echo "FAIL: scripts/npm-tools.sh could not install the npm tools (exit $rc)"; exit 1; fi
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true NO_COLOR=1 FORCE_COLOR=0

fail=0
check() { if eval "$2"; then echo "ok: $1"; else echo "FAIL: $1"; fail=1; fi; }
tmp=$(mktemp -d)
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
  [ -n "${KEEP_TMP:-}" ] && echo "kept $tmp" || rm -rf "$tmp"
}
trap cleanup EXIT

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# Starts roambi-fake-server (extra flags in "$@") on a free port; sets fake_port. Jobs finish quickly, the rate limit
# is off (the suite paces itself by the config below) and the admin API is on, for the 503 exchanges.
start_fake() {
  local log=$1; shift
  "$fake" --port 0 --profile "$profile" --job-duration 300 --retry-after 1 --rate-limit 0 --admin "$@" \
    > "$log.out" 2> "$log.err" &
  pids+=($!)
  for _ in $(seq 200); do grep -q '^listening on ' "$log.out" 2>/dev/null && break; sleep 0.05; done
  fake_port=$(sed -nE '1s#^listening on http://127\.0\.0\.1:([0-9]+)/1$#\1#p' "$log.out")
  [ -n "$fake_port" ] || { echo "FAIL: roambi-fake-server did not start:"; cat "$log.err"; exit 1; }
}

# Starts Prism ("mock DOC" or "proxy DOC UPSTREAM") on a free port; sets prism_port. Retries if the port was taken.
start_prism() {
  local log=$1; shift
  for attempt in 1 2 3; do
    prism_port=$(free_port)
    "$tools/prism" "$@" --host 127.0.0.1 --port "$prism_port" --errors=false --multiprocess=false --verboseLevel debug \
      > "$log" 2>&1 &
    local pid=$!
    pids+=($pid)
    for _ in $(seq 600); do
      grep -qs 'Prism is listening on' "$log" && return 0
      kill -0 $pid 2>/dev/null || break
      sleep 0.1
    done
    echo "Prism did not start (attempt $attempt):"; tail -20 "$log"
    kill -TERM $pid 2>/dev/null
  done
  echo "FAIL: Prism would not start"
  exit 1
}

# The suite's own config: the demo tenant, and a pace it need not slow down for (the fake's limit is off).
echo '{"rate_limit_per_minute": 100000, "budgets": {"lifecycle_s": 60}}' > "$tmp/conformance.json"

export_document() {  # PROFILE FILE
  "$fake" --openapi --profile "$1" > "$2"
}

case $mode in
lint)
  doc=$tmp/roambi-jobs.$profile.openapi.json
  export_document "$profile" "$doc"; rc=$?
  check "roambi-fake-server --openapi --profile $profile exits 0" "[ $rc -eq 0 ]"
  check "it prints an OpenAPI 3.0 document" \
    "node -e 'const d=require(process.argv[1]); process.exit(/^3\\.0\\./.test(d.openapi) && d[\"x-roambi-profile\"]===process.argv[2] ? 0 : 1)' '$doc' '$profile'"
  "$tools/redocly" lint --config "$here/openapi/redocly.yaml" --format stylish "$doc" > "$tmp/lint.log" 2>&1; rc=$?
  grep -v '[║╔╚]' "$tmp/lint.log" | sed '/^[[:space:]]*$/d'
  check "redocly lint (recommended-strict) passes" "[ $rc -eq 0 ]"
  # The linter is live: the same document with a dangling reference and an operation without responses fails.
  node -e 'const fs=require("fs"); const d=JSON.parse(fs.readFileSync(process.argv[1]));
           delete d.components.schemas.Job;
           const op=Object.values(Object.values(d.paths)[0])[0]; op.responses={};
           fs.writeFileSync(process.argv[2], JSON.stringify(d));' "$doc" "$tmp/broken.json"
  "$tools/redocly" lint --config "$here/openapi/redocly.yaml" "$tmp/broken.json" > "$tmp/broken.log" 2>&1; rc=$?
  check "redocly lint fails a broken copy of the document" "[ $rc -ne 0 ]"
  ;;

proxy)
  [ -x "$conformance" ] || { echo "FAIL: roambi-conformance binary not given"; exit 1; }
  doc=$tmp/doc.json
  export_document "$profile" "$doc" || { echo "FAIL: --openapi"; exit 1; }
  start_fake "$tmp/fake"
  start_prism "$tmp/prism.log" proxy "$doc" "http://127.0.0.1:$fake_port"
  echo "roambi-fake-server on $fake_port, Prism proxy on $prism_port (profile $profile)"
  # Without the robustness checks: their hostile requests crash Prism 5.14.2 itself (a number out of range in the
  # body kills its log formatter; 5000 nested arrays overflow its stack), which says nothing about the document.
  "$conformance" --target "http://127.0.0.1:$prism_port/1" --profile "$profile" --config "$tmp/conformance.json" \
    --disable robustness --quiet --deadline-s 300 --report-dir "$tmp/report" > "$tmp/suite.out" 2> "$tmp/suite.err"
  suite_rc=$?
  echo "--- roambi-conformance through the proxy (exit $suite_rc):"
  grep -E '^(FAIL|ERROR) |^  (FAIL|ERROR) |checks: |^exit ' "$tmp/suite.out"
  check "the suite ran through the proxy (exit 0, 1 or 3, not 2)" "[ $suite_rc -ne 2 ] && grep -q 'checks: ' '$tmp/suite.out'"
  # The proxy is transparent: the fake still passes every check (latency aside: Prism adds its own).
  check "the fake passes the suite through the proxy (latency aside)" \
    "! grep -E '^  (FAIL|ERROR) ' '$tmp/suite.out' | grep -vqE '^  (FAIL|ERROR) +latency/'"
  # The status codes and schemas the suite does not reach on its own: the 503 of the rate limit, on both operations.
  curl -s -X PUT "http://127.0.0.1:$fake_port/__admin/rate-limit" -d '{"per_minute": 1}' > /dev/null
  auth='Authorization: Bearer token-demo'
  for _ in 1 2; do
    curl -s -o /dev/null "http://127.0.0.1:$prism_port/1/jobs/none" -H "$auth"
    curl -s -o /dev/null "http://127.0.0.1:$prism_port/1/accounts/acct-demo/files/analytics" -H "$auth" \
      -H 'Content-Type: application/json' \
      -d '{"template_uid":"tpl-sales","title":"t","source_file_uid":"src-sales","folder_uid":"fld-reports"}'
  done
  sleep 0.5
  responses=$(grep -c 'The upstream call to .* has returned' "$tmp/prism.log")
  statuses=$(grep -oE 'The upstream call to .* has returned [0-9]+' "$tmp/prism.log" | awk '{print $NF}' | sort -u | tr '\n' ' ')
  request_violations=$(grep -c 'Violation: request' "$tmp/prism.log")
  response_violations=$(grep -c 'Violation: response' "$tmp/prism.log")
  echo "Prism forwarded $responses requests (HTTP statuses seen: $statuses); request violations: $request_violations;" \
       "response violations: $response_violations"
  check "Prism forwarded the suite's requests (at least 100)" "[ $responses -ge 100 ]"
  check "the fake answered a 503 through the proxy" "grep -q 'has returned 503' '$tmp/prism.log'"
  check "the suite's deliberately bad requests are request violations" "[ $request_violations -gt 0 ]"
  check "no response violates the document" "[ $response_violations -eq 0 ]"
  # A request the fake served (2xx) is one the document allows: each request violation belongs to the exchange whose
  # upstream status Prism logged last (the suite's requests are sequential, except the concurrency check's valid ones).
  # Prism reads only application/json and +json bodies as JSON, so a text/json body (D12) is a string to it.
  awk '/Request received/ {text_json=0}
       /> .*content-type: text\/json/ {text_json=1}
       /The upstream call to .* has returned/ {status=$NF}
       /Violation: request/ && status ~ /^2/ {if (text_json && /must be object/) t++; else {n++; print > "/dev/stderr"}}
       END {print n+0, t+0}' "$tmp/prism.log" > "$tmp/served" 2> "$tmp/served.violations"
  read -r served_but_violating text_json_as_text < "$tmp/served"
  [ "$text_json_as_text" -eq 0 ] || echo "($text_json_as_text text/json bodies served by the fake were strings to Prism: it parses only application/json as JSON)"
  cat "$tmp/served.violations"
  check "no request the fake served violates the document" "[ $served_but_violating -eq 0 ]"
  if [ "$response_violations" -ne 0 ]; then
    grep -B3 'Violation: response' "$tmp/prism.log" | head -60
  fi

  # The control: a fake with deliberate defects in the job and the error bodies, behind a second proxy.
  start_fake "$tmp/broken" --defect job_missing_exception_key --defect error_missing_description
  start_prism "$tmp/prism-broken.log" proxy "$doc" "http://127.0.0.1:$fake_port"
  body=$(curl -s "http://127.0.0.1:$prism_port/1/accounts/acct-demo/files/analytics" -H "$auth" \
    -H 'Content-Type: application/json' \
    -d '{"template_uid":"tpl-sales","title":"c","source_file_uid":"src-sales","folder_uid":"fld-reports","overwrite":true}')
  curl -s -o /dev/null "http://127.0.0.1:$prism_port/1/jobs/none" -H "$auth"
  sleep 0.5
  check "the control: a job without its exception key is a response violation" \
    "grep 'Violation: response' '$tmp/prism-broken.log' | grep -q 'exception'"
  check "the control: an error without error_description is a response violation" \
    "grep 'Violation: response' '$tmp/prism-broken.log' | grep -q 'error_description'"
  [ $fail -eq 0 ] || { echo "--- the control's Prism log:"; grep 'Violation' "$tmp/prism-broken.log" | head -20; }
  ;;

mock)
  [ -x "$conformance" ] || { echo "FAIL: roambi-conformance binary not given"; exit 1; }
  doc=$tmp/doc.json
  export_document "$profile" "$doc" || { echo "FAIL: --openapi"; exit 1; }
  start_prism "$tmp/prism.log" mock "$doc"
  echo "Prism mock of the $profile document on $prism_port"
  # Without the robustness checks, which crash Prism itself (see proxy).
  "$conformance" --target "http://127.0.0.1:$prism_port/1" --profile "$profile" --config "$tmp/conformance.json" \
    --disable robustness --quiet --deadline-s 300 --report-dir "$tmp/report" > "$tmp/suite.out" 2> "$tmp/suite.err"
  suite_rc=$?
  echo "--- roambi-conformance against Prism's mock (exit $suite_rc):"
  grep -E '^[A-Z][A-Za-z ]+: [0-9]+ |checks: |^exit ' "$tmp/suite.out"
  echo "--- failed checks:"
  grep -E '^  (FAIL|ERROR) ' "$tmp/suite.out"
  check "the suite ran against the mock and found failures (exit 1)" "[ $suite_rc -eq 1 ]"
  check "the mock loses the lifecycle" "grep -qE '^  FAIL +lifecycle/' '$tmp/suite.out'"
  check "the mock gets the errors wrong" "grep -qE '^  FAIL +(submit|status|auth)/' '$tmp/suite.out'"
  ;;

*)
  echo "usage: $0 lint|proxy|mock PROFILE FAKE_BIN [CONFORMANCE_BIN]"
  exit 2
  ;;
esac

[ $fail -eq 0 ] && echo "all passed" || echo "some failed"
exit $fail
