#!/usr/bin/env bash
# Regenerates the tables in docs/decisions.md and docs/errors.md from the spec model (roambi-spec-docs), and the
# table of docs/checks.md from the conformance catalogue (roambi-conformance --list --format markdown) and the
# operator table of docs/proxy-operators.md (roambi-mutating-proxy --list-operators --markdown).
# Uses the build in $ROAMBI_BUILD_DIR (default build/), configuring it if needed; tests/spec_docs_test.cpp checks the result.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${ROAMBI_BUILD_DIR:-$root/build}
[ -f "$build/CMakeCache.txt" ] || cmake -S "$root" -B "$build" >&2
cmake --build "$build" --target roambi-spec-docs roambi-conformance roambi-mutating-proxy -j 2 >&2
tool="$build/tests/roambi-spec-docs"
conformance="$build/conformance/roambi-conformance"
proxy="$build/conformance/roambi-mutating-proxy"

# Replaces what lies between "<!-- BEGIN GENERATED: $2 -->" and "<!-- END GENERATED -->" in $1 with the tool's output.
update() {
  local file=$1 section=$2 generated tmp
  generated=$(mktemp)
  tmp=$(mktemp)
  case $section in
    checks) "$conformance" --list --format markdown >"$generated" ;;
    proxy-operators) "$proxy" --list-operators --markdown >"$generated" ;;
    *) "$tool" "$section" >"$generated" ;;
  esac
  grep -qx "<!-- BEGIN GENERATED: $section -->" "$file" || { echo "update-docs: no BEGIN marker for $section in $file" >&2; exit 1; }
  awk -v begin="<!-- BEGIN GENERATED: $section -->" -v gen="$generated" '
    $0 == begin { print; while ((getline line < gen) > 0) print line; skip = 1; next }
    skip && $0 == "<!-- END GENERATED -->" { skip = 0 }
    !skip { print }
  ' "$file" >"$tmp"
  if cmp -s "$tmp" "$file"; then echo "update-docs: $file is up to date" >&2; else mv "$tmp" "$file"; echo "update-docs: rewrote $file" >&2; fi
  rm -f "$generated" "$tmp"
}
update "$root/docs/decisions.md" decisions
update "$root/docs/errors.md" errors
update "$root/docs/checks.md" checks
update "$root/docs/proxy-operators.md" proxy-operators
