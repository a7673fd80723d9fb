#!/usr/bin/env bash
# Installs the third-party OpenAPI tools the openapi tests run (pinned), into .cache/npm-tools; a no-op when present.
# Prints the bin directory on stdout. Exit 77 when Node.js is absent (ctest's skip code); 1 when the tools are missing
# and cannot be installed (no npm, or the install fails).
#   @redocly/cli            the linter (redocly lint)
#   @stoplight/prism-cli    the validation proxy and the example-based mock; 5.15 and later need Node.js 24, so 5.14.2
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
prefix=${ROAMBI_NPM_TOOLS_DIR:-$root/.cache/npm-tools}
packages=("@redocly/cli@2.77.0" "@stoplight/prism-cli@5.14.2")

if ! command -v node >/dev/null 2>&1; then
  echo "npm-tools: Node.js is not installed; the OpenAPI tool checks need it" >&2
  exit 77
fi

installed() {  # every pinned package is there, at its pinned version
  local spec name version
  for spec in "${packages[@]}"; do
    name=${spec%@*}
    version=${spec##*@}
    [ -f "$prefix/node_modules/$name/package.json" ] || return 1
    node -e 'process.exit(require(process.argv[1]).version === process.argv[2] ? 0 : 1)' \
      "$prefix/node_modules/$name/package.json" "$version" || return 1
  done
  [ -x "$prefix/node_modules/.bin/redocly" ] && [ -x "$prefix/node_modules/.bin/prism" ]
}

if ! installed; then
  mkdir -p "$prefix"
  # Several ctest processes may call this at once: one installs, the others wait for it.
  exec 9>"$prefix/.install.lock"
  flock 9
  if ! installed; then
    command -v npm >/dev/null 2>&1 || { echo "npm-tools: npm is not installed (Debian: apt-get install npm)" >&2; exit 1; }
    echo "npm-tools: installing ${packages[*]} into $prefix" >&2
    [ -f "$prefix/package.json" ] || echo '{"name": "roambi-jobs-npm-tools", "private": true}' >"$prefix/package.json"
    if ! npm install --prefix "$prefix" --no-audit --no-fund --save-exact --loglevel=error "${packages[@]}" >&2; then
      echo "npm-tools: npm install failed" >&2
      exit 1
    fi
    installed || { echo "npm-tools: installed, but the pinned versions are not in $prefix" >&2; exit 1; }
  fi
fi
echo "$prefix/node_modules/.bin"
