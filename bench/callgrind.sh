#!/usr/bin/env bash
# Instructions per request, baseline vs fake, under callgrind: a measure of what the fake adds to cpp-httplib that
# does not depend on how busy the machine is. For each route it runs the server under valgrind, drives it with wrk
# for a few seconds, and divides httplib's per-request function (process_request) and the fake's handler (serve)
# by the requests served. Usage: bench/callgrind.sh [--build-dir DIR] [--seconds S] [--keep DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${ROAMBI_BUILD_DIR:-$root/build}
seconds=4 keep=""
while (($#)); do
  case $1 in
    --build-dir) build=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --keep) keep=$2; shift 2 ;;
    -h|--help) sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "callgrind.sh: unknown option $1" >&2; echo "Run with --help for more information." >&2; exit 2 ;;
  esac
done
for tool in valgrind callgrind_annotate wrk curl; do
  command -v $tool >/dev/null || { echo "callgrind.sh: $tool is missing" >&2; exit 2; }
done
work=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
inclusive() {  # $1 file, $2 function pattern -> instructions
  { callgrind_annotate --inclusive=yes "$1" 2>/dev/null || true; } | { grep -m1 -- "$2" || echo 0; } |
    awk '{ gsub(",", "", $1); print $1 + 0 }'
}
printf '%-9s %-7s %9s %22s %16s\n' server route requests "httplib+handler Ir/req" "handler Ir/req"
for route in status submit; do
  for server in baseline fake; do
    out=$work/cg.$server.$route
    if [ $server = baseline ]; then
      valgrind --tool=callgrind --callgrind-out-file="$out" "$build/bench/roambi-bench-baseline" --port 0 >"$work/listen" 2>/dev/null &
    else
      valgrind --tool=callgrind --callgrind-out-file="$out" "$build/fake_server/roambi-fake-server" --port 0 \
        --rate-limit 1000000 --quiet >"$work/listen" 2>/dev/null &
    fi
    pid=$!
    for _ in $(seq 300); do grep -q listening "$work/listen" 2>/dev/null && break; sleep 0.1; done
    base=$(sed -n 's|^listening on \(http://[^/]*\)/1$|\1|p' "$work/listen")
    path=$(curl -s -X POST -H 'Authorization: Bearer token-demo' -H 'Content-Type: application/json' \
      -d '{"title":"probe","template_uid":"tpl-sales","source_file_uid":"src-sales","folder_uid":"fld-reports","overwrite":true}' \
      "$base/1/accounts/acct-demo/files/analytics" | sed -n 's/.*"status_url":"\([^"]*\)".*/\1/p')
    sleep 2.2  # the fake's job completes: its status answer then carries results, as the baseline's canned one does
    n=$(ROAMBI_STATUS_PATH=$path wrk -t1 -c4 -d"${seconds}s" -s "$root/bench/wrk/$route.lua" "$base" | awk '/requests in/ { print $1 }')
    n=$((n + 1))  # the probe
    kill -INT "$pid"; wait "$pid" 2>/dev/null || true; pid=""
    pr=$(inclusive "$out" 'httplib::Server::process_request(')
    sv=$(inclusive "$out" 'FakeServer::serve(')
    printf '%-9s %-7s %9d %22d %16d\n' "$server" "$route" "$n" $((pr / n)) $(( ${sv:-0} / n ))
    [ -z "$keep" ] || { mkdir -p "$keep"; cp "$out" "$keep/"; }
  done
done
echo "(callgrind_annotate --inclusive=yes --tree=calling FILE shows where; --keep DIR keeps the profiles)"
