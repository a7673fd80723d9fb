#!/usr/bin/env bash
# A binary's command line refuses each kind of bad input (unknown option, bad number, out of range, missing value,
# bad choice, the same through an environment mirror) with exit 2, one stderr line naming the problem and the pointer
# to --help, never a crash; and reads `--x=y` as `--x y`.
# Usage: bad_input.sh roambi-fake-server|roambi-conformance|roambi-mutating-proxy|roambi-load|roambi-bench|roambi-reliability BIN
set -uo pipefail
name=$1 bin=$2
fail=0 vary=
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# bad TITLE FRAGMENT [VAR=value ...] -- ARGS...: exit 2, FRAGMENT and the pointer to --help on stderr, no crash.
bad() {
  local title=$1 want=$2; shift 2
  local envs=()
  while [ "$1" != -- ]; do envs+=("$1"); shift; done
  shift
  env "${envs[@]}" timeout 30 "$bin" "$@" >"$tmp/out" 2>"$tmp/err"; local rc=$?
  if [ $rc -ne 2 ]; then echo "FAIL: $title: exit $rc, expected 2 ($(head -c 300 "$tmp/err"))"; fail=1; return; fi
  if ! grep -qF -- "$want" "$tmp/err"; then echo "FAIL: $title: stderr does not say '$want': $(cat "$tmp/err")"; fail=1; return; fi
  if ! grep -q 'Run with --help for more information.' "$tmp/err"; then echo "FAIL: $title: no pointer to --help"; fail=1; return; fi
  if grep -qE 'terminate called|what\(\)|Aborted' "$tmp/err"; then echo "FAIL: $title: crashed: $(cat "$tmp/err")"; fail=1; return; fi
  echo "ok: $title exits 2: $(head -1 "$tmp/err")"
}
# same TITLE ARGS1... -- ARGS2...: both exit 0 and print the same stdout (less what sed -E "$vary" deletes).
same() {
  local title=$1; shift
  local a=() b=()
  while [ "$1" != -- ]; do a+=("$1"); shift; done
  shift; b=("$@")
  timeout 30 "$bin" "${a[@]}" >"$tmp/a" 2>/dev/null; local ra=$?
  timeout 30 "$bin" "${b[@]}" >"$tmp/b" 2>/dev/null; local rb=$?
  if [ $ra -eq 0 ] && [ $rb -eq 0 ] && cmp -s <(sed -E "$vary" "$tmp/a") <(sed -E "$vary" "$tmp/b"); then echo "ok: $title"
  else echo "FAIL: $title: exits $ra and $rb, outputs $(wc -c <"$tmp/a") and $(wc -c <"$tmp/b") bytes"; fail=1; fi
}

case $name in
roambi-fake-server)
  bad "unknown option" "unknown option --bogus" -- --bogus
  bad "bad number" '--port: expected a whole number >= 0, got "abc"' -- --port abc
  bad "hex number" '--port: expected a whole number >= 0, got "0x50"' -- --port 0x50
  bad "out of range" "--port: Value 70000 not in range 0 to 65535" -- --port 70000
  bad "out of range, --x=y" "--port: Value 70000 not in range 0 to 65535" -- --port=70000
  bad "below the range" "--retry-after: Value 0 not in range 1 to 3600" -- --retry-after 0
  bad "missing value" "--seed" -- --seed
  bad "bad choice" "--clock: sundial not in {real,manual}" -- --clock sundial
  bad "unknown defect" "--defect: unknown defect nope" -- --defect nope
  bad "bad number in the environment" "--threads: Value 0 not in range" ROAMBI_FAKE_THREADS=0 --
  bad "bad choice in the environment" "--profile: nope not in" ROAMBI_FAKE_PROFILE=nope --
  bad "bad flag value in the environment" "--quiet" ROAMBI_FAKE_QUIET=perhaps --
  bad "bad fault list in the environment" "ROAMBI_FAKE_FAULTS must be a JSON array" 'ROAMBI_FAKE_FAULTS={}' --
  same "--print-profile=NAME reads as --print-profile NAME" --print-profile=java_client -- --print-profile java_client
  ;;
roambi-conformance)
  bad "unknown option" "unknown option --bogus" -- --bogus
  bad "bad number" '--latency-samples: expected a whole number >= 0, got "many"' -- --latency-samples many
  bad "out of range" "--max-response-bytes: Value 10 not in range 1024" -- --max-response-bytes 10
  bad "out of range, --x=y" "--deadline-s: Value 0 not in range 1" -- --deadline-s=0
  bad "missing value" "--filter" -- --filter
  bad "bad choice" "--format: xml not in {text,json,markdown}" -- --format xml
  bad "markdown without --list" "--format markdown goes with --list" -- --format markdown
  bad "a token on the command line" "never on the command line" -- --tokens a,b
  bad "bad number in the environment" '--timeout-ms: expected a whole number >= 0, got "soon"' ROAMBI_TIMEOUT_MS=soon --
  bad "bad flag value in the environment" "--insecure" ROAMBI_INSECURE=perhaps --
  bad "not a GoogleTest flag" "unknown option --gtest" -- --gtest
  same "--format=markdown reads as --format markdown" --list --format=markdown -- --list --format markdown
  ;;
roambi-mutating-proxy)
  bad "unknown option" "unknown option --bogus" -- --bogus
  bad "bad number" '--seed: expected a whole number >= 0, got "-1"' -- --upstream http://127.0.0.1:9/1 --seed -1
  bad "out of range" "--port: Value 70000 not in range 0 to 65535" -- --upstream http://127.0.0.1:9/1 --port 70000
  bad "missing value" "--upstream" -- --upstream
  bad "bad choice" "--operator: no operator named nope" -- --upstream http://127.0.0.1:9/1 --operator nope
  bad "out of range in the environment" "--port: Value 65536 not in range" ROAMBI_PROXY_PORT=65536 -- --upstream http://127.0.0.1:9/1
  same "--operator=NAME reads as --operator NAME" --operator=job/uid-dropped --list-operators -- --operator job/uid-dropped --list-operators
  ;;
roambi-load)
  t=http://127.0.0.1:9/1
  bad "unknown option" "unknown option --bogus" -- --bogus
  bad "bad number" '--rate: expected a number, got "fast"' -- --target $t --rate fast
  bad "not a number" '--rate: expected a number, got "nan"' -- --target $t --rate nan
  bad "bad whole number" '--connections: expected a whole number >= 0, got "2.5"' -- --target $t --connections 2.5
  bad "out of range" "--connections: Value 0 not in range 1 to 4096" -- --target $t --connections 0
  bad "out of range, --x=y" "--duration: Value 0 not in range" -- --target $t --duration=0
  bad "missing value" "--drain" -- --target $t --drain
  bad "bad choice" "--mode: sideways not in {open,closed}" -- --target $t --mode sideways
  bad "bad emit format" '--emit: unknown format "k6"' -- --target $t --emit k6 "$tmp/x"
  bad "bad budget in the environment" "--budget-ms" ROAMBI_BUDGET_MS=nope=1 -- --target $t
  same "--target=URL reads as --target URL" --target=$t --emit artillery "$tmp/art" -- --target $t --emit artillery "$tmp/art"
  ;;
roambi-bench)
  bad "unknown option" "unknown option --bogus" -- --bogus
  bad "missing value" "--target" -- --target
  bad "bad target" "--target: " -- --target ftp://x/1
  bad "bad target in the environment" "--target: " ROAMBI_TARGET=ftp://x/1 --
  bad "missing config" "--config: " -- --config=/nonexistent.json
  same "Google Benchmark's flags pass through" --benchmark_list_tests=true --benchmark_filter=BM_JobParse \
    -- --benchmark_filter=BM_JobParse --benchmark_list_tests=true
  grep -qx BM_JobParse "$tmp/a" && echo "ok: --benchmark_filter reached Google Benchmark" ||
    { echo "FAIL: --benchmark_filter did not reach Google Benchmark"; fail=1; }
  ;;
roambi-reliability)
  t=http://127.0.0.1:9/1
  bad "no subcommand" "a subcommand is required: verify, soak or hostile" --
  bad "unknown subcommand" "unknown option bogus" -- bogus
  bad "unknown option" "unknown option --bogus" -- verify --target $t --uids "$tmp" --bogus
  bad "bad number" '--jobs: expected a whole number >= 0, got "many"' -- soak --target $t --pid 1 --jobs many
  bad "out of range" "--connections: Value 0 not in range 1 to 4096" -- soak --target $t --pid 1 --connections 0
  bad "missing value" "--uids" -- verify --target $t --uids
  bad "missing option" "--pid is required" -- soak --target $t
  bad "bad choice" "--titles: must be unique or reuse:K" -- soak --target $t --pid 1 --titles reuse:x
  bad "not loopback" "--target: must be http://127.0.0.1:PORT/1" -- verify --target http://example.com/1 --uids "$tmp"
  vary='s/"seconds":[^,}]*//'
  same "--x=y reads as --x y" verify --target=$t --uids="$tmp" -- verify --target $t --uids "$tmp"
  ;;
*) echo "unknown binary $name"; exit 1 ;;
esac
exit $fail
