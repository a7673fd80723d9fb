# Shared by the reliability scripts: build what they run (or bring it up to date), start roambi-fake-server on a
# free loopback port, stop it on exit. Source it; it sets root, build, fake_pid, url, port.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${ROAMBI_REL_BUILD:-$root/build-rel}
need_build() {  # targets...: built, or brought up to date (a no-op when they are)
  [ -f "$build/CMakeCache.txt" ] || cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DROAMBI_JOBS_BUILD_BENCH=OFF >&2
  cmake --build "$build" --target "$@" -j 2 >&2
}
fake_pid=""
start_fake() {  # extra flags...
  local out; out=$(mktemp)
  "$build/fake_server/roambi-fake-server" --port 0 --quiet "$@" >"$out" 2>/dev/null &
  fake_pid=$!
  for _ in $(seq 100); do [ -s "$out" ] && break; sleep 0.05; done
  url=$(sed -n 's/^listening on //p' "$out" | head -1)
  rm -f "$out"
  [ -n "$url" ] || { echo "the fake did not start" >&2; exit 1; }
  port=${url#http://127.0.0.1:}; port=${port%/1}
}
stop_fake() { if [ -n "$fake_pid" ]; then kill "$fake_pid" 2>/dev/null || true; wait "$fake_pid" 2>/dev/null || true; fake_pid=""; fi; }
trap stop_fake EXIT
proc() {  # rss_kib fds threads of the fake
  echo "$(awk '/VmRSS/{print $2}' /proc/$fake_pid/status) $(ls /proc/$fake_pid/fd | wc -l) $(ls /proc/$fake_pid/task | wc -l)"
}
