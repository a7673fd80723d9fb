#!/usr/bin/env bash
# roambi-load --emit artillery, run by Artillery itself against the fake, agrees with roambi-load's own run of the same
# workload: jobs submitted and completed (within the arrival process's rounding), no errors, the same polls per job.
# Then a budget no server meets makes the Artillery run exit non-zero. Artillery comes from scripts/npm-tools.sh.
# Usage: artillery_compare.sh ROAMBI_LOAD ROAMBI_FAKE_SERVER
# Exit: 0 agree, 1 disagree or broken, 77 skip (Node.js absent, or the npm registry unreachable on first install).
set -uo pipefail
load=${1:?roambi-load} fake=${2:?roambi-fake-server}
root=$(cd "$(dirname "$0")/../.." && pwd)

tools=$("$root/scripts/npm-tools.sh" artillery); rc=$?
if [ $rc -eq 77 ]; then echo "SKIP: Artillery is not installed and cannot be (see the line above)"; exit 77; fi
if [ $rc -ne 0 ]; then echo "FAIL: scripts/npm-tools.sh artillery failed (exit $rc)"; exit 1; fi
artillery=$tools/artillery
# Local runs only: no telemetry, no update check, plain text.
export ARTILLERY_DISABLE_TELEMETRY=true NO_COLOR=1 FORCE_COLOR=0

fail=0
check() { if eval "$2"; then echo "ok: $1"; else echo "FAIL: $1"; fail=1; fi; }
tmp=$(mktemp -d)
fake_pid=""
cleanup() {
  [ -n "$fake_pid" ] && { kill -TERM "$fake_pid" 2>/dev/null; wait "$fake_pid" 2>/dev/null; }
  [ -n "${KEEP_TMP:-}" ] && echo "kept $tmp" || rm -rf "$tmp"
}
trap cleanup EXIT

# Real clock; every job ends 1.5 s after its submit and asks for polls every second, so each takes exactly two polls
# (at about 1 s and 2 s) with half a second to spare either side; no rate limit, so no 503 can differ between runs.
"$fake" --port 0 --job-duration 1500 --retry-after 1 --rate-limit 0 --quiet >"$tmp/fake.out" 2>"$tmp/fake.err" &
fake_pid=$!
for _ in $(seq 100); do grep -q '^listening on ' "$tmp/fake.out" 2>/dev/null && break; sleep 0.05; done
url=$(sed -n '1s/^listening on //p' "$tmp/fake.out")
[ -n "$url" ] || { echo "FAIL: roambi-fake-server did not start: $(cat "$tmp/fake.err")"; exit 1; }
export ROAMBI_TOKEN=token-demo
unset ROAMBI_TOKENS

workload=(--target "$url" --rate 5 --duration 4 --drain 10 --job-timeout 30)
timeout 60 "$load" "${workload[@]}" --quiet --format json --out "$tmp/load.json" >/dev/null; rc=$?
check "roambi-load's run exits 0" "[ $rc -eq 0 ]"
"$load" "${workload[@]}" --emit artillery "$tmp/art" >/dev/null; rc=$?
check "--emit artillery exits 0" "[ $rc -eq 0 ]"
check "the token is in neither file" "! grep -q \"\$ROAMBI_TOKEN\" '$tmp/art/roambi-load.yml' '$tmp/art/roambi-load.js'"
(cd "$tmp/art" && timeout 120 "$artillery" run --output report.json roambi-load.yml >run.log 2>&1); rc=$?
check "artillery run exits 0 (within the budgets)" "[ $rc -eq 0 ]"
[ $rc -eq 0 ] || tail -40 "$tmp/art/run.log"

# The two results side by side, and the verdict. Arrivals: roambi-load sends one at 0, 1/rate, ... within the
# duration; Artillery's uniform process one at 1/rate, 2/rate, ... up to it: one apart at most.
node - "$tmp/load.json" "$tmp/art/report.json" <<'JS' || fail=1
const [l, a] = [require(process.argv[2]), require(process.argv[3]).aggregate];
const c = a.counters, ppj = a.summaries['roambi.polls_per_job'] || {};
const sum = (o, prefix) => Object.entries(o).filter(([k]) => k.startsWith(prefix)).reduce((t, [, v]) => t + v, 0);
const rows = [
  ['jobs submitted', l.requests.submits, c['roambi.requests.submits'] || 0, 1],
  ['jobs started', l.jobs.started, c['roambi.jobs.started'] || 0, 1],
  ['jobs completed', l.jobs.completed, c['roambi.jobs.completed'] || 0, 1],
  ['jobs failed, abandoned', l.jobs.failed + l.jobs.abandoned + l.jobs.unfinished,
   (c['roambi.jobs.failed'] || 0) + (c['roambi.jobs.abandoned'] || 0), 0],
  ['errors (API, transport, failed users)', Object.values(l.errors).reduce((t, v) => t + v, 0),
   sum(c, 'roambi.errors.') + sum(c, 'errors.') + (c['vusers.failed'] || 0), 0],
  ['polls', l.requests.polls, c['roambi.requests.polls'] || 0, 2],
  ['polls per job, mean', l.polls_per_job.mean, ppj.mean, 0.05],
  ['polls per job, max', l.polls_per_job.max, ppj.max, 0],
];
let bad = 0;
console.log('figure                                  roambi-load  artillery');
for (const [name, x, y, tol] of rows) {
  const agree = typeof y === 'number' && Math.abs(x - y) <= tol;
  console.log(`${name.padEnd(40)}${String(x).padStart(11)}${String(y).padStart(11)}  ${agree ? 'agree' : 'DISAGREE'}` +
              (tol ? ` (within ${tol})` : ''));
  bad += agree ? 0 : 1;
}
const complete = (n, done) => n > 0 && n === done;
if (!complete(l.jobs.started, l.jobs.completed)) { console.log('FAIL: roambi-load did not complete every job'); bad++; }
if (!complete(c['roambi.jobs.started'], c['roambi.jobs.completed'])) { console.log('FAIL: Artillery did not complete every job'); bad++; }
console.log(`job time ms, p50: roambi-load ${l.job_time_ms.p50}, artillery ${a.summaries['roambi.job_time_ms']?.p50}`);
console.log(bad ? `FAIL: the runs disagree on ${bad} figure(s)` : 'ok: the two runs agree');
process.exit(bad ? 1 : 0);
JS

# A budget no server can meet: the ensure threshold fails the run.
"$load" --target "$url" --scenario submit --rate 2 --duration 1 --budget-ms submit_job.p99=0.001 \
  --emit artillery "$tmp/over" >/dev/null
(cd "$tmp/over" && timeout 60 "$artillery" run roambi-load.yml >run.log 2>&1); rc=$?
check "a run over budget exits non-zero (exit $rc)" "[ $rc -ne 0 ] && [ $rc -ne 124 ]"
check "and says which threshold failed" "grep -q 'fail: roambi.latency_ms.submit_job.p99 < 0.001' '$tmp/over/run.log'"
exit $fail
