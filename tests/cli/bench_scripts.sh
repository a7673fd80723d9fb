#!/usr/bin/env bash
# The bench/ measurement scripts (and lib.sh, which compare.sh, mocks.sh and cosched.sh source) parse, print their usage, and refuse bad options with exit 2 before doing anything
# (no build, no npm, no server): what can be checked of a benchmark without running one.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
fail=0
check() { if eval "$2"; then echo "ok: $1"; else echo "FAIL: $1"; fail=1; fi; }
for s in lib.sh compare.sh mocks.sh memory.sh callgrind.sh cosched.sh; do
  check "$s parses" "bash -n '$root/bench/$s'"
done
for s in compare.sh mocks.sh; do
  check "$s --help names every option" \
    "out=\$('$root/bench/$s' --help) && grep -q -- --build-dir <<<\"\$out\" && grep -q -- --rounds <<<\"\$out\" && grep -q -- --no-build <<<\"\$out\""
  check "$s refuses an unknown option with exit 2" \
    "'$root/bench/$s' --no-such-option >/dev/null 2>&1; [ \$? -eq 2 ]"
done
check "compare.sh --help names --baseline-one-segment and what it changes" \
  "out=\$('$root/bench/compare.sh' --help) && grep -q -- --baseline-one-segment <<<\"\$out\" && grep -q 'one TCP segment' <<<\"\$out\""
check "cosched.sh --help names every option" \
  "out=\$('$root/bench/cosched.sh' --help) && grep -q -- --route <<<\"\$out\" && grep -q -- --rounds <<<\"\$out\" && grep -q -- --no-build <<<\"\$out\""
check "cosched.sh refuses an unknown option, and a route it does not know, with exit 2" \
  "'$root/bench/cosched.sh' --no-such-option >/dev/null 2>&1; a=\$?; '$root/bench/cosched.sh' --route token >/dev/null 2>&1; b=\$?; [ \$a -eq 2 ] && [ \$b -eq 2 ]"
check "mocks.sh --help names the mocks and their targets" \
  "out=\$('$root/bench/mocks.sh' --help) && grep -q mountebank <<<\"\$out\" && grep -q Prism <<<\"\$out\" && grep -q Mockoon <<<\"\$out\" && grep -q '>= 1.8' <<<\"\$out\""
check "mocks.sh --only refuses a mock it does not know, naming it" \
  "err=\$('$root/bench/mocks.sh' --only mountebank,wiremock 2>&1 >/dev/null); [ \$? -eq 2 ] && grep -q wiremock <<<\"\$err\""
exit $fail
