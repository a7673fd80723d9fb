#!/usr/bin/env bash
# The fake's capacity against the bare httplib baseline with the two servers sharing one core at the same time, each
# loaded by its own wrk on the other core. A shared VM's speed moves between runs (steal time of 5-30 % was seen here),
# which moves compare.sh's sequential ratios by 10-15 % from round to round; run side by side, both servers meet the
# same host at the same moments, so the ratio of their CPU time per request holds to a few percent. It measures cost,
# not latency (two servers on one core queue behind each other): compare.sh stays the measure of throughput and p99.
set -euo pipefail
usage() {
  cat <<'EOF'
Usage: bench/cosched.sh [--build-dir DIR] [--route submit|status] [--duration S] [--rounds N] [--no-build]

Per round: roambi-bench-baseline and roambi-fake-server (journal on, --rate-limit 1000000, --quiet) start side by
side, both pinned to CPU 0; two wrk -t1 -c32, pinned to CPU 1, load them at once for the duration. Prints each
server's requests and CPU time per request (user + system, from /proc), and the median over rounds of
  fake capacity / baseline capacity = baseline CPU per request / fake CPU per request.
Defaults: --build-dir $ROAMBI_BUILD_DIR or build/, --route submit, --duration 4, --rounds 5.
Needs wrk, curl and taskset (two CPUs).
EOF
}
root=$(cd "$(dirname "$0")/.." && pwd)
build=${ROAMBI_BUILD_DIR:-$root/build}
route=submit duration=4 rounds=5 no_build=0
while (($#)); do
  case $1 in
    --build-dir) build=$2; shift 2 ;;
    --route) route=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --no-build) no_build=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "cosched.sh: unknown option $1" >&2; echo "Run with --help for more information." >&2; exit 2 ;;
  esac
done
case $route in submit|status) ;; *) echo "cosched.sh: --route is submit or status, not $route" >&2; exit 2 ;; esac
for tool in wrk curl taskset; do
  command -v $tool >/dev/null || { echo "cosched.sh: $tool is missing" >&2; exit 2; }
done
[ "$(nproc)" -ge 2 ] || { echo "cosched.sh: needs two CPUs (servers on one, load on the other)" >&2; exit 2; }
[ $no_build = 1 ] || cmake --build "$build" --target roambi-bench-baseline roambi-fake-server -j "$(nproc)" >&2
source "$root/bench/lib.sh"
other_pid=""
trap 'kill $other_pid 2>/dev/null; cleanup' EXIT

start() {  # $1 log, then the command: starts it on CPU 0; sets started_pid and started_base (its base URL)
  local log=$1; shift
  "${server_pin[@]}" "$@" >"$log" 2>&1 &
  started_pid=$!
  for _ in $(seq 100); do grep -q listening "$log" && break; sleep 0.05; done
  started_base=$(sed -n 's|^listening on \(http://[^/]*\)/1$|\1|p' "$log")
}
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
printf '%-6s %10s %14s %10s %14s %10s\n' round baseline "us/req" fake "us/req" capacity
for i in $(seq "$rounds"); do
  start "$work/a.log" "$build/bench/roambi-bench-baseline" --port 0
  server_pid=$started_pid base_a=$started_base
  start "$work/b.log" "$build/fake_server/roambi-fake-server" --port 0 --rate-limit 1000000 --quiet
  other_pid=$started_pid base_b=$started_base
  path_a=/1/jobs/none path_b=/1/jobs/none
  if [ "$route" = status ]; then  # each polls a job of its own, complete by the time the load starts
    base=$base_a path_a=$(submit_one cosched); base=$base_b path_b=$(submit_one cosched); sleep 2.2
  fi
  t_a=$(cpu_ticks "$server_pid") t_b=$(cpu_ticks "$other_pid")
  ROAMBI_STATUS_PATH=$path_a ROAMBI_RUN=a$i$RANDOM "${load_pin[@]}" wrk -t1 -c32 -d"${duration}s" \
    -s "$root/bench/wrk/$route.lua" "$base_a" >"$work/a.wrk" &
  wa=$!
  ROAMBI_STATUS_PATH=$path_b ROAMBI_RUN=b$i$RANDOM "${load_pin[@]}" wrk -t1 -c32 -d"${duration}s" \
    -s "$root/bench/wrk/$route.lua" "$base_b" >"$work/b.wrk" &
  wb=$!
  wait $wa $wb
  t_a=$(( $(cpu_ticks "$server_pid") - t_a )) t_b=$(( $(cpu_ticks "$other_pid") - t_b ))
  kill -INT "$server_pid" "$other_pid"; wait "$server_pid" "$other_pid" 2>/dev/null || true; server_pid="" other_pid=""
  n_a=$(awk '/requests in/ { print $1 }' "$work/a.wrk") n_b=$(awk '/requests in/ { print $1 }' "$work/b.wrk")
  awk -v i="$i" -v na="$n_a" -v nb="$n_b" -v ta="$t_a" -v tb="$t_b" -v hz="$(getconf CLK_TCK)" 'BEGIN {
    ua = ta / hz / na * 1e6; ub = tb / hz / nb * 1e6
    printf "%-6s %10d %14.1f %10d %14.1f %10.3f\n", i, na, ua, nb, ub, ua / ub }' | tee -a "$work/rounds"
done
echo "median fake/baseline capacity over $rounds rounds, $route route: $(awk '{ print $6 }' "$work/rounds" | median)" \
  "(target for the sequential throughput ratio: $([ "$route" = submit ] && echo 0.85 || echo 0.95)); $pinning"
