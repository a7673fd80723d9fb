#!/usr/bin/env bash
# Builds a bare cpp-httplib baseline (canned answers, tuned as the fake is) and measures it, roambi-fake-server and
# roambi-load's closed loop with wrk in one run, A/B interleaved, then prints the ratios the fake has targets for.
# A benchmark, not a test: it never fails on a ratio. Usage: bench/compare.sh [options]   (--help for them)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${ROAMBI_BUILD_DIR:-$root/build}
duration=5 connections=32 rounds=2 out="" do_build=1 warmup=1 baseline_args=()
usage() {
  cat <<USAGE
Usage: bench/compare.sh [--build-dir DIR] [--duration S] [--connections N] [--rounds N] [--out FILE] [--no-build]
                        [--baseline-one-segment]

Per round, for the status and the submit route: wrk against the baseline, then against the fake with its
defaults, then against the fake with --quiet, each a fresh process pinned to CPU 0 while the load runs on CPU 1
(taskset); then roambi-load --mode closed against the baseline with the same connection count. Prints each run,
the medians over rounds and the ratios, for the fake and for the fake with --quiet:
  fake/baseline throughput (status >= 0.95, submit >= 0.85), fake/baseline p99 (<= 1.5),
  roambi-load/wrk closed-loop throughput against the baseline (>= 0.8).
"fake" runs as users start it: journal on, a line per request on stderr (to a file here), with only the rate limit
raised (--rate-limit 1000000); "fake-quiet" adds --quiet (no per-request line). The fake sends each answer in one TCP segment, bare httplib in two (headers,
then body); --baseline-one-segment gives the baseline the same fix (roambi-bench-baseline --one-segment), to see
what the fake costs over the library once both write alike. Needs wrk (apt-get install wrk) and curl.
Defaults: --build-dir \$ROAMBI_BUILD_DIR or build/, --duration $duration, --connections $connections, --rounds $rounds.
USAGE
}
while (($#)); do
  case $1 in
    --build-dir) build=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --no-build) do_build=0; shift ;;
    --baseline-one-segment) baseline_args=(--one-segment); shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "compare.sh: unknown option $1" >&2; echo "Run with --help for more information." >&2; exit 2 ;;
  esac
done
for tool in wrk curl; do
  command -v $tool >/dev/null || { echo "compare.sh: $tool is missing (apt-get install $tool)" >&2; exit 2; }
done

if ((do_build)); then
  [ -f "$build/CMakeCache.txt" ] || cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >&2
  cmake --build "$build" --target roambi-bench-baseline roambi-fake-server roambi-load -j "$(nproc)" >&2
fi
baseline_bin=$build/bench/roambi-bench-baseline fake_bin=$build/fake_server/roambi-fake-server load_bin=$build/bench/roambi-load
for b in "$baseline_bin" "$fake_bin" "$load_bin"; do [ -x "$b" ] || { echo "compare.sh: $b not built" >&2; exit 2; }; done

# Pinning, $work and the EXIT trap, submit_one, to_ms, median, col, ratio.
source "$root/bench/lib.sh"

start_server() {  # $1 = baseline | fake | fake-quiet; sets server_pid and base (http://127.0.0.1:PORT)
  local fifo=$work/listen.$RANDOM
  case $1 in
    baseline) "${server_pin[@]}" "$baseline_bin" --port 0 "${baseline_args[@]}" >"$fifo" 2>"$work/server.err" & ;;
    fake) "${server_pin[@]}" "$fake_bin" --port 0 --rate-limit 1000000 >"$fifo" 2>"$work/server.err" & ;;
    fake-quiet) "${server_pin[@]}" "$fake_bin" --port 0 --rate-limit 1000000 --quiet >"$fifo" 2>"$work/server.err" & ;;
  esac
  server_pid=$!
  for _ in $(seq 200); do grep -q listening "$fifo" 2>/dev/null && break; sleep 0.05; done
  base=$(sed -n 's|^listening on \(http://[^/]*\)/1$|\1|p' "$fifo")
  [ -n "$base" ] || { echo "compare.sh: $1 did not start: $(cat "$work/server.err")" >&2; exit 1; }
}
stop_server() { kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""; }

results=$work/results.tsv
hz=$(getconf CLK_TCK)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }  # user + system time of every thread, in ticks
TIMEFORMAT='%U %S'
client_us() { awk -v n="$1" '{ printf "%.1f", ($1 + $2) * 1e6 / (n > 0 ? n : 1) }' "$work/time"; }  # load tool CPU/request
run_wrk() {  # $1 server, $2 route, $3 round
  local server=$1 route=$2 path=""
  start_server "$server"
  if [ "$route" = status ]; then path=$(submit_one compare); [ -n "$path" ] || path=/1/jobs/sample; fi
  local script=$root/bench/wrk/$route.lua
  # Warm-up: threads, connections and (fake) the polled job's completion (2 s of job duration) before measuring.
  ROAMBI_STATUS_PATH=$path ROAMBI_RUN=warm$RANDOM "${load_pin[@]}" wrk -t1 -c"$connections" -d"${warmup}s" -s "$script" "$base" >/dev/null
  [ "$route" = status ] && [ "$server" != baseline ] && sleep 1
  local txt=$work/wrk.txt cpu0 cpu1
  cpu0=$(cpu_ticks "$server_pid")
  { time ROAMBI_STATUS_PATH=$path ROAMBI_RUN=r$3$RANDOM "${load_pin[@]}" wrk -t1 -c"$connections" -d"${duration}s" --latency \
      -s "$script" "$base" >"$txt"; } 2>"$work/time"
  cpu1=$(cpu_ticks "$server_pid")
  local rps p99 errs n cpu
  rps=$(awk '/^Requests\/sec:/ { print $2 }' "$txt")
  n=$(awk '/requests in/ { print $1 }' "$txt")
  cpu=$(awk -v a="$cpu0" -v b="$cpu1" -v n="$n" -v hz="$hz" 'BEGIN { printf "%.1f", (b - a) * 1e6 / hz / (n > 0 ? n : 1) }')
  local client_cpu
  client_cpu=$(client_us "$n")
  p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$txt")")
  errs=$(grep -o 'non2xx=[0-9]* connect=[0-9]* read=[0-9]* write=[0-9]* timeout=[0-9]*' "$txt" || true)
  stop_server
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$3" "$server" "$route" "$rps" "$p99" "$cpu" "$client_cpu" "$errs" >>"$results"
  printf '  round %s  %-10s %-6s wrk          %8.0f req/s  p99 %8.3f ms  CPU/req: server %6.1f us, wrk %5.1f us  %s\n' \
    "$3" "$server" "$route" "$rps" "$p99" "$cpu" "$client_cpu" "$errs"
}
run_load() {  # $1 route, $2 round: roambi-load closed loop against the baseline
  start_server baseline
  local json=$work/load.json
  "${load_pin[@]}" "$load_bin" --target "$base/1" --mode closed --scenario "$1" --connections "$connections" \
    --duration 1 --drain 1 --quiet --format json >/dev/null  # warm-up
  { time "${load_pin[@]}" "$load_bin" --target "$base/1" --mode closed --scenario "$1" --connections "$connections" \
    --duration "$duration" --drain 2 --quiet --format json >"$json"; } 2>"$work/time"
  stop_server
  local rps p99 errs total client_cpu
  rps=$(sed -n 's/^    "per_s": \([0-9.]*\).*/\1/p' "$json" | tail -1)
  total=$(sed -n 's/^    "total": \([0-9]*\).*/\1/p' "$json" | tail -1)
  client_cpu=$(client_us "$total")
  p99=$(awk -v r="$1" '/"service_time_ms"/ { s = 1 } s && $1 == "\"" (r == "status" ? "poll" : "submit") "\":" { t = 1 } t && $1 == "\"p99\":" { gsub(",", "", $2); print $2; exit }' "$json")
  errs=$(tr -d '\n ' <"$json" | sed -n 's/.*"errors":\({[^}]*}\).*/\1/p')
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$2" roambi-load "$1" "$rps" "$p99" "" "$client_cpu" "errors=$errs" >>"$results"
  printf '  round %s  %-8s %-6s roambi-load  %8.0f req/s  p99 %8.3f ms  CPU/req: roambi-load %5.1f us (service time p99)  errors=%s\n' \
    "$2" baseline "$1" "$rps" "$p99" "$client_cpu" "$errs"
}

echo "compare.sh: $(date -u +%FT%TZ), $(nproc) CPUs, $pinning; wrk -t1 -c$connections -d${duration}s, $rounds rounds"
if ((${#baseline_args[@]})); then
  echo "baseline: roambi-bench-baseline --one-segment (answers in one TCP segment, as the fake sends them)"
else
  echo "baseline: roambi-bench-baseline (answers in two TCP segments, headers then body, as the library writes them)"
fi
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq "$rounds"); do
  for route in status submit; do
    run_wrk baseline "$route" "$round"
    run_wrk fake "$route" "$round"
    run_wrk fake-quiet "$route" "$round"
  done
  for route in status submit; do run_load "$route" "$round"; done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

# Medians over rounds, then the ratios.
echo
echo "medians over $rounds rounds:"
printf '  %-12s %-7s %12s %12s %16s %16s\n' tool route "req/s" "p99 ms" "server us/req" "client us/req"
for s in baseline fake fake-quiet roambi-load; do
  for r in status submit; do
    printf '  %-12s %-7s %12.0f %12.3f %16s %16s\n' "$s" "$r" "$(col $s $r 4)" "$(col $s $r 5)" "$(col $s $r 6)" "$(col $s $r 7)"
  done
done
verdict() { awk -v v="$1" -v t="$2" -v op="$3" 'BEGIN { ok = (op == ">=" ? v >= t : v <= t); print (ok ? "met" : "NOT met") }'; }
ls_=$(ratio "$(col roambi-load status 4)" "$(col baseline status 4)")
lb=$(ratio "$(col roambi-load submit 4)" "$(col baseline submit 4)")
echo
echo "ratios (target):"
for f in fake fake-quiet; do
  st=$(ratio "$(col $f status 4)" "$(col baseline status 4)")
  sb=$(ratio "$(col $f submit 4)" "$(col baseline submit 4)")
  stp=$(ratio "$(col $f status 5)" "$(col baseline status 5)")
  sbp=$(ratio "$(col $f submit 5)" "$(col baseline submit 5)")
  cst=$(ratio "$(col baseline status 6)" "$(col $f status 6)")
  csb=$(ratio "$(col baseline submit 6)" "$(col $f submit 6)")
  [ $f = fake ] && echo " $f (its defaults: log, journal; rate limit raised), wall clock, wrk in this run:" \
                || echo " $f (--quiet: no per-request log), wall clock, wrk in this run:"
  printf '  %-40s %s  (>= 0.95: %s)\n' "$f/baseline status throughput" "$st" "$(verdict "$st" 0.95 '>=')"
  printf '  %-40s %s  (>= 0.85: %s)\n' "$f/baseline submit throughput" "$sb" "$(verdict "$sb" 0.85 '>=')"
  printf '  %-40s %s  (<= 1.5: %s)\n' "$f/baseline status p99" "$stp" "$(verdict "$stp" 1.5 '<=')"
  printf '  %-40s %s  (<= 1.5: %s)\n' "$f/baseline submit p99" "$sbp" "$(verdict "$sbp" 1.5 '<=')"
  # On a shared machine the load generator's share of its CPU, not the server, can set the pace (wrk is one thread);
  # the server's own CPU time per request does not depend on that, and its inverse is what each server serves on a
  # core of its own.
  echo "  capacity, from each server's CPU time per request:"
  printf '  %-40s %s  (>= 0.95: %s)\n' "$f/baseline status" "$cst" "$(verdict "$cst" 0.95 '>=')"
  printf '  %-40s %s  (>= 0.85: %s)\n' "$f/baseline submit" "$csb" "$(verdict "$csb" 0.85 '>=')"
done
echo " the measuring tool:"
echo "  roambi-load/wrk status, closed    $ls_  (>= 0.8: $(verdict "$ls_" 0.8 '>='))"
echo "  roambi-load/wrk submit, closed    $lb  (>= 0.8: $(verdict "$lb" 0.8 '>='))"
# It is not the bottleneck while its CPU per request stays under the server's: each has a CPU of its own.
echo "  roambi-load CPU/request / baseline server's: status $(ratio "$(col roambi-load status 7)" "$(col baseline status 6)"), submit $(ratio "$(col roambi-load submit 7)" "$(col baseline submit 6)")  (< 1: it outpaces the server it measures)"
# Measured on this machine, quiet, when the fake's targets were set: tuned bare cpp-httplib 22,400 status / 20,800 submit req/s;
# mountebank 11,700 / 11,200; Prism 1,400 / 1,500; Mockoon 840 / 1,000. bench/mocks.sh measures the mocks themselves;
# here, without Node.js, the fake's rate is taken as that baseline's times this run's capacity ratio.
cst=$(ratio "$(col baseline status 6)" "$(col fake status 6)") csb=$(ratio "$(col baseline submit 6)" "$(col fake submit 6)")
fs=$(awk -v r="$cst" 'BEGIN { printf "%.0f", r * 22400 }') fb=$(awk -v r="$csb" 'BEGIN { printf "%.0f", r * 20800 }')
echo " against the recorded figures for the npm mocks (fake = 22,400 / 20,800 req/s x capacity ratio = $fs / $fb;"
echo "  bench/mocks.sh measures the mocks in one run instead):"
echo "  fake/mountebank                   status $(ratio "$fs" 11700), submit $(ratio "$fb" 11200)  (>= 1.8)"
echo "  fake/Prism                        status $(ratio "$fs" 1400), submit $(ratio "$fb" 1500)  (>= 10)"
echo "  fake/Mockoon                      status $(ratio "$fs" 840), submit $(ratio "$fb" 1000)  (>= 10)"
[ -z "$out" ] || cp "$results" "$out"
