#!/usr/bin/env bash
# Installs pinned third-party tools from the npm registry, a set at a time, each into a prefix of its own; a no-op
# when present. Usage: scripts/npm-tools.sh [openapi|artillery]   (default openapi)
#   openapi    .cache/npm-tools ($ROAMBI_NPM_TOOLS_DIR): what the openapi tests run
#              @redocly/cli            the linter (redocly lint)
#              @stoplight/prism-cli    the validation proxy and the example-based mock; 5.15 and later need Node.js 24
#   artillery  .cache/npm-artillery ($ROAMBI_ARTILLERY_DIR): the load engine roambi-load --emit artillery writes for;
#              its browser engine would download Chrome on install, which nothing here uses, so that is skipped
# Prints the bin directory on stdout. Exit 77 (ctest's skip code) when Node.js is absent, or when the install fails
# and the npm registry does not answer; 1 when npm is missing or the install fails otherwise.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
set_name=${1:-openapi}
case $set_name in
  openapi)
    prefix=${ROAMBI_NPM_TOOLS_DIR:-$root/.cache/npm-tools}
    packages=("@redocly/cli@2.77.0" "@stoplight/prism-cli@5.14.2")
    bins=(redocly prism) ;;
  artillery)
    prefix=${ROAMBI_ARTILLERY_DIR:-$root/.cache/npm-artillery}
    packages=("artillery@2.0.34")
    bins=(artillery)
    export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 ;;
  *) echo "npm-tools: unknown set '$set_name' (openapi, artillery)" >&2; exit 2 ;;
esac

if ! command -v node >/dev/null 2>&1; then
  echo "npm-tools: Node.js is not installed; the $set_name tools need it" >&2
  exit 77
fi

installed() {  # every pinned package is there, at its pinned version
  local spec name version bin
  for spec in "${packages[@]}"; do
    name=${spec%@*}
    version=${spec##*@}
    [ -f "$prefix/node_modules/$name/package.json" ] || return 1
    node -e 'process.exit(require(process.argv[1]).version === process.argv[2] ? 0 : 1)' \
      "$prefix/node_modules/$name/package.json" "$version" || return 1
  done
  for bin in "${bins[@]}"; do [ -x "$prefix/node_modules/.bin/$bin" ] || return 1; done
}

if ! installed; then
  mkdir -p "$prefix"
  # Several ctest processes may call this at once: one installs, the others wait for it.
  exec 9>"$prefix/.install.lock"
  flock 9
  if ! installed; then
    command -v npm >/dev/null 2>&1 || { echo "npm-tools: npm is not installed (Debian: apt-get install npm)" >&2; exit 1; }
    echo "npm-tools: installing ${packages[*]} into $prefix" >&2
    [ -f "$prefix/package.json" ] || echo "{\"name\": \"roambi-jobs-npm-$set_name\", \"private\": true}" >"$prefix/package.json"
    started=$(date +%s)
    if ! npm install --prefix "$prefix" --no-audit --no-fund --save-exact --loglevel=error "${packages[@]}" >&2; then
      if ! npm ping >/dev/null 2>&1; then
        echo "npm-tools: the npm registry does not answer ($(npm config get registry)); cannot install ${packages[*]}" >&2
        exit 77
      fi
      echo "npm-tools: npm install failed" >&2
      exit 1
    fi
    installed || { echo "npm-tools: installed, but the pinned versions are not in $prefix" >&2; exit 1; }
    echo "npm-tools: installed in $(($(date +%s) - started)) s, node_modules $(du -sh "$prefix/node_modules" | cut -f1)" >&2
  fi
fi
echo "$prefix/node_modules/.bin"
