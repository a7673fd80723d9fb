#!/usr/bin/env bash
# A server whose jobs never finish: the suite at its default settings against the standalone fake (its real clock,
# its defaults) through roambi-mutating-proxy with trajectory/never-finishes, then through a plain proxy, and the
# wall time of each. The suite must end within budgets.lifecycle_s plus 60 s of the plain run's time (the rest is
# pacing under 100 requests a minute, which both runs pay), fail lifecycle/reaches-terminal-state once, and print a
# progress line at least every 5 s while it waits. Prints the figures; exits 1 when a bound does not hold.
# Usage: reliability/never_finishes.sh
source "$(dirname "$0")/common.sh"
[ "${1:-}" = --help ] || [ "${1:-}" = -h ] && { sed -n '2,6p' "$0"; exit 0; }
need_build roambi-fake-server roambi-mutating-proxy roambi-conformance
out=$(mktemp -d)
proxy_pid=""
stop_proxy() { if [ -n "$proxy_pid" ]; then kill "$proxy_pid" 2>/dev/null || true; wait "$proxy_pid" 2>/dev/null || true; proxy_pid=""; fi; }
trap 'stop_proxy; stop_fake' EXIT

run() {  # name [operator]: runs the suite through a proxy with the operator; prints "seconds exit"
  local name=$1 op=${2:-} line target start rc
  "$build/conformance/roambi-mutating-proxy" --upstream "$url" ${op:+--operator "$op"} >"$out/$name.proxy" 2>/dev/null &
  proxy_pid=$!
  for _ in $(seq 100); do [ -s "$out/$name.proxy" ] && break; sleep 0.05; done
  target=$(sed -n 's/^listening on //p' "$out/$name.proxy" | head -1)
  [ -n "$target" ] || { echo "the proxy did not start" >&2; exit 1; }
  start=$(date +%s.%N)
  rc=0
  "$build/conformance/roambi-conformance" --target "$target" >"$out/$name.out" 2>"$out/$name.err" || rc=$?
  echo "$(echo "$(date +%s.%N) - $start" | bc) $rc"
  stop_proxy
}

start_fake
read -r never_s never_rc <<<"$(run never trajectory/never-finishes)"
read -r plain_s plain_rc <<<"$(run plain)"
budget=$(sed -n 's/.*"lifecycle_s": *\([0-9]*\).*/\1/p' "$root/fixtures/conformance-demo.json")
python3 - "$never_s" "$never_rc" "$plain_s" "$plain_rc" "$budget" "$out" <<'PY'
import re, sys
never_s, never_rc, plain_s, plain_rc, budget, out = float(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
text = open(f"{out}/never.out").read()
fails = re.findall(r"^  FAIL +(\S+)", text, re.M)
waits = [l for l in open(f"{out}/never.err") if "waiting for job" in l]
print(f"never-finishing jobs: exit {never_rc}, {never_s:.1f} s wall; failed: {', '.join(fails)}")
print(f"plain proxy:          exit {plain_rc}, {plain_s:.1f} s wall")
print(f"added by jobs that never finish: {never_s - plain_s:.1f} s (bound: budgets.lifecycle_s {budget} s + 60 s)")
print(f"progress lines while waiting: {len(waits)} (the budget / 5 s: {budget // 5})")
ok = never_rc == 1 and fails == ["lifecycle/reaches-terminal-state"] and plain_rc == 0 \
     and never_s - plain_s <= budget + 60 and len(waits) >= budget // 5 - 2
print("ok" if ok else "FAILED")
sys.exit(0 if ok else 1)
PY
