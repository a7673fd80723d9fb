#!/usr/bin/env bash
# Measures the npm mock servers the fake is held against (mountebank, Prism's mock, Mockoon) and
# roambi-fake-server with wrk, on the same two routes, in one run, then prints the fake/mock ratios and their targets.
# A benchmark, not a test: it never fails on a ratio. Usage: bench/mocks.sh [options]   (--help for them)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${ROAMBI_BUILD_DIR:-$root/build}
duration=5 connections=32 rounds=2 do_build=1 warmup=1 only=mountebank,prism,mockoon
prefix=$root/.cache/bench-mocks
packages=("mountebank@2.9.1" "@mockoon/cli@9.9.0")
usage() {
  cat <<USAGE
Usage: bench/mocks.sh [--build-dir DIR] [--duration S] [--connections N] [--rounds N] [--no-build]
                      [--only mountebank,prism,mockoon]

Per round, for the status and the submit route: wrk against roambi-fake-server, then against each mock, each a fresh
process pinned to CPU 0 while wrk runs on CPU 1 (taskset), a warm-up before the measured run. The mocks answer the
canned bodies of bench/baseline_server.cpp:
  mountebank   an http imposter with keep-alive (bench/mocks/mountebank.json, Connection: keep-alive)
  prism        prism mock of roambi-fake-server --openapi (the document's examples; scripts/npm-tools.sh installs it)
  mockoon      mockoon-cli start --data bench/mocks/mockoon.json
Prints each run, the medians over rounds and the ratios of 2xx answers per second with the fake's targets:
  fake/mountebank (>= 1.8), fake/Prism (>= 10), fake/Mockoon (>= 10). A mock's non-2xx answers do not count as served.
The fake runs as compare.sh runs it (--rate-limit 1000000 --quiet, journal on). mountebank and @mockoon/cli (pinned)
are installed with npm into .cache/bench-mocks on first use. Needs wrk, curl and Node.js with npm (exit 2 without).
A mock that cannot be installed or started is reported as not measured, and the others are measured.
Defaults: --build-dir \$ROAMBI_BUILD_DIR or build/, --duration $duration, --connections $connections, --rounds $rounds,
--only $only.
USAGE
}
while (($#)); do
  case $1 in
    --build-dir) build=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --no-build) do_build=0; shift ;;
    --only) only=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "mocks.sh: unknown option $1" >&2; echo "Run with --help for more information." >&2; exit 2 ;;
  esac
done
IFS=, read -r -a mocks <<<"$only"
for m in "${mocks[@]}"; do
  case $m in mountebank|prism|mockoon) ;; *) echo "mocks.sh: --only: unknown mock '$m'" >&2; exit 2 ;; esac
done
for tool in wrk curl; do
  command -v $tool >/dev/null || { echo "mocks.sh: $tool is missing (apt-get install $tool)" >&2; exit 2; }
done
for tool in node npm; do
  command -v $tool >/dev/null || { echo "mocks.sh: $tool is missing: the mocks run on Node.js (apt-get install nodejs npm)" >&2; exit 2; }
done

if ((do_build)); then
  [ -f "$build/CMakeCache.txt" ] || cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >&2
  cmake --build "$build" --target roambi-fake-server -j "$(nproc)" >&2
fi
fake_bin=$build/fake_server/roambi-fake-server
[ -x "$fake_bin" ] || { echo "mocks.sh: $fake_bin not built" >&2; exit 2; }

# Pinning, $work and the EXIT trap, submit_one, to_ms, median, col, ratio.
source "$root/bench/lib.sh"

# The mocks: installed (a no-op when present) or marked "not measured (reason)" in skip[].
declare -A skip=() bin=() spec=([mountebank]=${packages[0]} [mockoon]=${packages[1]})
installed() {  # NAME@VERSION is in $prefix
  local json=$prefix/node_modules/${1%@*}/package.json
  [ -f "$json" ] && node -e 'process.exit(require(process.argv[1]).version === process.argv[2] ? 0 : 1)' "$json" "${1##*@}"
}
for m in "${mocks[@]}"; do
  if [ "$m" = prism ]; then  # the project's own pinned Prism
    if tools=$("$root/scripts/npm-tools.sh"); then bin[prism]=$tools/prism; else skip[prism]="scripts/npm-tools.sh failed (exit $?)"; fi
    continue
  fi
  if ! installed "${spec[$m]}"; then
    mkdir -p "$prefix"
    [ -f "$prefix/package.json" ] || echo '{"name": "roambi-jobs-bench-mocks", "private": true}' >"$prefix/package.json"
    echo "mocks.sh: installing ${spec[$m]} into $prefix" >&2
    npm install --prefix "$prefix" --no-audit --no-fund --save-exact --loglevel=error "${spec[$m]}" >&2 || true
  fi
  if installed "${spec[$m]}"; then
    bin[$m]=$prefix/node_modules/.bin/$([ "$m" = mountebank ] && echo mb || echo mockoon-cli)
  else
    skip[$m]="npm install ${spec[$m]} failed"
  fi
done
version() { node -e 'console.log(require(process.argv[1]).version)' "$1" 2>/dev/null || echo "?"; }
declare -A ver=([mountebank]=$(version "$prefix/node_modules/mountebank/package.json")
  [prism]=$(version "$root/.cache/npm-tools/node_modules/@stoplight/prism-cli/package.json")
  [mockoon]=$(version "$prefix/node_modules/@mockoon/cli/package.json"))
"$fake_bin" --openapi >"$work/openapi.json"
export NO_COLOR=1 FORCE_COLOR=0

free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
wait_for() {  # $1 = a command that succeeds once the server is up; fails after 30 s or when the server exits
  for _ in $(seq 300); do eval "$1" && return 0; kill -0 "$server_pid" 2>/dev/null || return 1; sleep 0.1; done
  return 1
}
start_server() {  # $1 = fake | mountebank | prism | mockoon; sets server_pid and base (http://127.0.0.1:PORT)
  local log=$work/server.log port reply
  base=""
  case $1 in
    fake)
      "${server_pin[@]}" "$fake_bin" --port 0 --rate-limit 1000000 --quiet >"$log" 2>"$work/server.err" &
      server_pid=$!
      wait_for "grep -q listening '$log'" || true
      base=$(sed -n 's|^listening on \(http://[^/]*\)/1$|\1|p' "$log")
      [ -n "$base" ] || { echo "mocks.sh: fake did not start: $(cat "$work/server.err")" >&2; exit 1; } ;;
    mountebank)  # mb's own API on one port; the imposter, POSTed to it, gets a free port from mb
      port=$(free_port)
      "${server_pin[@]}" "${bin[mountebank]}" start --port "$port" --pidfile "$work/mb.pid" --logfile "$work/mb.log" \
        --loglevel warn >"$log" 2>&1 &
      server_pid=$!
      wait_for "curl -sf -o /dev/null http://127.0.0.1:$port/imposters" || return 1
      reply=$(curl -s -X POST -H 'Content-Type: application/json' --data @"$root/bench/mocks/mountebank.json" \
        "http://127.0.0.1:$port/imposters") || return 1
      port=$(sed -n 's/^  "port": \([0-9]*\),*$/\1/p' <<<"$reply")
      [ -n "$port" ] && base=http://127.0.0.1:$port ;;
    prism)
      port=$(free_port)
      "${server_pin[@]}" "${bin[prism]}" mock "$work/openapi.json" --host 127.0.0.1 --port "$port" >"$log" 2>&1 &
      server_pid=$!
      wait_for "grep -qs 'Prism is listening on' '$log'" && base=http://127.0.0.1:$port ;;
    mockoon)
      port=$(free_port)
      "${server_pin[@]}" "${bin[mockoon]}" start --data "$root/bench/mocks/mockoon.json" --hostname 127.0.0.1 \
        --port "$port" --disable-log-to-file >"$log" 2>&1 &
      server_pid=$!
      wait_for "grep -qs 'Server started on port' '$log'" && base=http://127.0.0.1:$port ;;
  esac
  [ -n "$base" ]
}
stop_server() { kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; server_pid=""; }

check_route() {  # $1 route, $2 status path: one request as wrk sends it; prints "CODE Connection-header BODY"
  local args=(-s -D "$work/headers" -o "$work/body" -w '%{http_code}' -H 'Authorization: Bearer token-demo')
  local code conn
  if [ "$1" = submit ]; then
    code=$(curl "${args[@]}" -X POST -H 'Content-Type: application/json' -d '{"title":"mocks-check","template_uid":"tpl-sales","source_file_uid":"src-sales","folder_uid":"fld-reports","overwrite":true}' \
      "$base/1/accounts/acct-demo/files/analytics" || true)
  else
    code=$(curl "${args[@]}" "$base$2" || true)
  fi
  conn=$(sed -n 's/^[Cc]onnection: *\([^\r]*\).*/\1/p' "$work/headers" | head -1)
  echo "$code ${conn:--} $(head -c 200 "$work/body")"
}

results=$work/results.tsv
: >"$results"
declare -A checked=()
run_wrk() {  # $1 server, $2 route, $3 round
  local server=$1 route=$2 path=/1/jobs/5f0e2a9c-1b7d-4e3a-9c11-2d4b6f8a0e13
  [ -n "${skip[$server]:-}" ] && return 0
  if ! start_server "$server"; then
    skip[$server]="did not start: $(tail -c 300 "$work/server.log" | tr '\n' ' ')"
    stop_server; return 0
  fi
  if [ "$server" = fake ] && [ "$route" = status ]; then path=$(submit_one mocks); [ -n "$path" ] || path=/1/jobs/sample; fi
  if [ -z "${checked[$server.$route]:-}" ]; then  # the first answer of each server on each route, shown once
    checked[$server.$route]=1
    echo "  check    $(printf '%-10s %-6s' "$server" "$route") -> $(check_route "$route" "$path")"
  fi
  local script=$root/bench/wrk/$route.lua
  # Warm-up: threads, connections, the JIT of the Node.js mocks and (fake) the polled job's completion (2 s of job
  # duration) before measuring.
  ROAMBI_STATUS_PATH=$path ROAMBI_RUN=warm$RANDOM "${load_pin[@]}" wrk -t1 -c"$connections" -d"${warmup}s" -s "$script" "$base" >/dev/null
  [ "$route" = status ] && [ "$server" = fake ] && sleep 1
  local txt=$work/wrk.txt
  ROAMBI_STATUS_PATH=$path ROAMBI_RUN=r$3$RANDOM "${load_pin[@]}" wrk -t1 -c"$connections" -d"${duration}s" --latency \
    -s "$script" "$base" >"$txt"
  stop_server
  local rps n p99 errs non2xx ok
  rps=$(awk '/^Requests\/sec:/ { print $2 }' "$txt"); rps=${rps:-0}
  n=$(awk '/requests in/ { print $1 }' "$txt"); n=${n:-0}
  p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$txt")")
  errs=$(grep -o 'non2xx=[0-9]* connect=[0-9]* read=[0-9]* write=[0-9]* timeout=[0-9]*' "$txt" || true)
  non2xx=$(sed -n 's/^non2xx=\([0-9]*\).*/\1/p' "$txt")
  ok=$(awk -v r="$rps" -v n="$n" -v e="${non2xx:-0}" 'BEGIN { printf "%.2f", (n > 0 ? r * (n - e) / n : 0) }')  # 2xx/s
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$3" "$server" "$route" "$rps" "$p99" "$ok" "${non2xx:-0}" >>"$results"
  printf '  round %s  %-10s %-6s %8.0f req/s  %8.0f 2xx/s  p99 %8.3f ms  %s\n' "$3" "$server" "$route" "$rps" "$ok" "$p99" "$errs"
}

echo "mocks.sh: $(date -u +%FT%TZ), $(nproc) CPUs, $pinning; wrk -t1 -c$connections -d${duration}s, $rounds rounds"
echo "Node.js $(node --version);$(for m in "${mocks[@]}"; do printf ' %s %s' "$m" "${ver[$m]}"; done)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq "$rounds"); do
  for route in status submit; do
    run_wrk fake "$route" "$round"
    for m in "${mocks[@]}"; do run_wrk "$m" "$route" "$round"; done
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

# Medians over rounds, then the ratios of 2xx answers per second.
sum() { awk -F'\t' -v s="$1" -v r="$2" '$2 == s && $3 == r { t += $7 } END { print t + 0 }' "$results"; }
measured() { awk -F'\t' -v s="$1" -v r="$2" '$2 == s && $3 == r { f = 1 } END { exit !f }' "$results"; }
echo
echo "medians over $rounds rounds:"
printf '  %-10s %-7s %10s %10s %10s %16s\n' server route "req/s" "2xx/s" "p99 ms" "non-2xx (all)"
for s in fake "${mocks[@]}"; do
  for r in status submit; do
    if measured "$s" "$r"; then
      printf '  %-10s %-7s %10.0f %10.0f %10.3f %16s\n' "$s" "$r" "$(col "$s" "$r" 4)" "$(col "$s" "$r" 6)" "$(col "$s" "$r" 5)" "$(sum "$s" "$r")"
    else
      printf '  %-10s %-7s not measured (%s)\n' "$s" "$r" "${skip[$s]:-}"
    fi
  done
done
verdict() { awk -v v="$1" -v t="$2" 'BEGIN { print (v >= t ? "met" : "NOT met") }'; }
declare -A label=([mountebank]=mountebank [prism]=Prism [mockoon]=Mockoon) target=([mountebank]=1.8 [prism]=10 [mockoon]=10)
echo
echo "ratios of 2xx answers per second, fake/mock (target):"
for m in "${mocks[@]}"; do
  for r in status submit; do
    if measured "$m" "$r" && measured fake "$r"; then
      q=$(ratio "$(col fake "$r" 6)" "$(col "$m" "$r" 6)")
      note=""; [ "$(sum "$m" "$r")" -eq 0 ] || note="  [${label[$m]} answered $(sum "$m" "$r") non-2xx, not counted]"
      printf '  fake/%-11s %-6s %8s  (>= %s: %s)%s\n' "${label[$m]}" "$r" "$q" "${target[$m]}" "$(verdict "$q" "${target[$m]}")" "$note"
    else
      printf '  fake/%-11s %-6s not measured (%s)\n' "${label[$m]}" "$r" "${skip[$m]:-no run}"
    fi
  done
done
