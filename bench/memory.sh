#!/usr/bin/env bash
# The fake's resident size with 100,000 retained jobs: starts roambi-fake-server --max-jobs N, submits N jobs with
# roambi-load (closed loop), lets them complete (the default job lasts 2 s), and reads VmRSS from /proc. The fake
# runs with its defaults (journal on, a line per request to stderr, here a file) but the rate limit off.
# Target: <= 64 MiB at 100,000 jobs.
# Usage: bench/memory.sh [--build-dir DIR] [--jobs N] [--no-build] [--fake-arg ARG]...  (e.g. --fake-arg --max-journal=0)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${ROAMBI_BUILD_DIR:-$root/build}
jobs=100000 do_build=1 fake_args=()
while (($#)); do
  case $1 in
    --build-dir) build=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --no-build) do_build=0; shift ;;
    --fake-arg) fake_args+=("${2/=/ }"); shift 2 ;;
    -h|--help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "memory.sh: unknown option $1" >&2; echo "Run with --help for more information." >&2; exit 2 ;;
  esac
done
if ((do_build)); then
  [ -f "$build/CMakeCache.txt" ] || cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >&2
  cmake --build "$build" --target roambi-fake-server roambi-load -j "$(nproc)" >&2
fi
fake=$build/fake_server/roambi-fake-server load=$build/bench/roambi-load
work=$(mktemp -d)
# shellcheck disable=SC2086
"$fake" --port 0 --max-jobs "$jobs" --rate-limit 0 ${fake_args[*]:-} >"$work/out" 2>"$work/err" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 200); do grep -q listening "$work/out" && break; sleep 0.05; done
base=$(sed -n 's/^listening on //p' "$work/out")
rss() { awk -v k="$1:" '$1 == k { printf "%.1f", $2 / 1024 }' "/proc/$pid/status"; }
echo "memory.sh: roambi-fake-server --max-jobs $jobs --rate-limit 0 ${fake_args[*]:-}(journal on unless --max-journal 0; default 10,000 entries; log on unless --quiet); $(date -u +%FT%TZ)"
echo "  at start:                 VmRSS $(rss VmRSS) MiB"
"$load" --target "$base" --mode closed --scenario submit --connections 8 --jobs "$jobs" --duration 600 --drain 5 \
  --quiet --format json >"$work/load.json"
submitted=$(tr -d ' \n' <"$work/load.json" | sed -n 's/.*"submits":\([0-9]*\).*/\1/p')
echo "  after $submitted submits:     VmRSS $(rss VmRSS) MiB"
sleep 2.5  # every job's 2 s ends; the next request settles them (results and a published file each)
"$load" --target "$base" --mode closed --scenario submit --connections 1 --jobs 1 --duration 5 --drain 1 --quiet --format json >/dev/null
echo "  all completed:            VmRSS $(rss VmRSS) MiB (peak VmHWM $(rss VmHWM) MiB)"
echo "  target: <= 64 MiB at 100,000 retained jobs: $(awk -v r="$(rss VmRSS)" 'BEGIN { print (r <= 64 ? "met" : "NOT met") }')"
