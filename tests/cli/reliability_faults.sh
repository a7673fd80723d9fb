#!/usr/bin/env bash
# The conformance runner against a fake that misbehaves on purpose: for each fault kind the fake can inject
# (latency, error, reset, close, malformed_body, truncated_body), at a rate on every route, roambi-conformance must
# complete within its own deadline (15 s, with 5 s of slack; never hang), exit 1 (failures) or 3 (could not judge),
# and report the faults as failed or errored checks, each with a reason. Prints one figure line per kind.
# Usage: reliability_faults.sh FAKE_BIN CONFORMANCE_BIN [RATE]
set -uo pipefail
fake=$1 conf=$2 rate=${3:-0.2}
command -v python3 >/dev/null || { echo "python3 is needed"; exit 77; }
tmp=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
fail=0
for fault in '{"kind":"latency","latency_ms":600}' '{"kind":"error","error":"rate_limit_exceeded"}' \
             '{"kind":"error","error":"invalid_parameter"}' '{"kind":"reset"}' '{"kind":"close"}' \
             '{"kind":"malformed_body"}' '{"kind":"truncated_body"}'; do
  rule=$(python3 -c 'import json,sys; f=json.loads(sys.argv[1]); f["rate"]=float(sys.argv[2]); print(json.dumps(f))' "$fault" "$rate")
  kind=$(python3 -c 'import json,sys; f=json.loads(sys.argv[1]); print(f["kind"] + ("/" + f["error"] if "error" in f else ""))' "$fault")
  : >"$tmp/listen"
  "$fake" --port 0 --quiet --rate-limit 0 --job-duration 200 --retry-after 1 --seed 7 --fault "$rule" \
    >"$tmp/listen" 2>"$tmp/fake.err" &
  pid=$!
  for _ in $(seq 200); do grep -q '^listening on ' "$tmp/listen" && break; sleep 0.05; done
  url=$(sed -n 's/^listening on //p' "$tmp/listen")
  if [ -z "$url" ]; then
    echo "FAIL: $kind: the fake did not start: $(cat "$tmp/fake.err")"; fail=1; kill "$pid"; pid=""; continue
  fi
  # Latency is no breach of the documents: against it the runner's latency checks are what must fail.
  checks=(--no-latency)
  [ "${kind%%/*}" = latency ] && checks=(--latency-samples 20)
  rm -rf "$tmp/report"
  start=$(date +%s.%N)
  # The runner's own deadline is 15 s; timeout(1) at 60 s catches a runner that ignores it (a hang).
  timeout 60 "$conf" --target "$url" "${checks[@]}" --timeout-ms 2000 --connect-timeout-ms 1000 --deadline-s 15 \
    --quiet --report-dir "$tmp/report" >"$tmp/stdout" 2>"$tmp/stderr"
  rc=$?
  took=$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$start" "$(date +%s.%N)")
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; pid=""
  if [ "$rc" -eq 124 ]; then echo "FAIL: $kind: the runner hung (killed after 60 s)"; fail=1; continue; fi
  if python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) > 20 else 1)" "$took"; then
    echo "FAIL: $kind: the run took ${took} s, past its own --deadline-s 15"; fail=1
  fi
  summary=$(python3 - "$tmp/report/results.json" <<'PY'
import json, sys
try:
    r = json.load(open(sys.argv[1]))
except Exception as e:
    print(f"NO-REPORT {e}"); sys.exit(0)
bad = [c for s in r["sections"] for c in s["checks"] if c["status"] in ("fail", "error")]
silent = [c["name"] for c in bad if not (c.get("message") or "").strip()]
print(f"{len(bad)} {len([c for c in bad if c['status'] == 'fail'])} {len([c for c in bad if c['status'] == 'error'])} "
      f"{len(silent)} {bad[0]['name'] + ': ' + bad[0]['message'][:100] if bad else '-'}")
PY
)
  read -r nbad nfail nerr nsilent example <<<"$summary"
  echo "figure: fault $kind rate $rate: exit $rc in ${took} s (deadline 15 s); $nfail fail, $nerr error, $nsilent without a reason; e.g. $example"
  if [ "$nbad" = "NO-REPORT" ]; then echo "FAIL: $kind: no results.json ($summary)"; fail=1; continue; fi
  case $rc in 1|3) ;; *) echo "FAIL: $kind: exit $rc, expected 1 or 3"; tail -3 "$tmp/stderr"; fail=1 ;; esac
  [ "$nbad" -gt 0 ] || { echo "FAIL: $kind: no check reported the faults"; fail=1; }
  [ "$nsilent" -eq 0 ] || { echo "FAIL: $kind: $nsilent failed checks give no reason"; fail=1; }
done
exit $fail
