#!/usr/bin/env bash
# Installs what the reliability passes need beyond scripts/setup.sh: clang and its runtimes (libFuzzer, sanitizers)
# and wrk. A no-op when they are there.
set -euo pipefail
packages=(clang-14 libclang-rt-14-dev wrk)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "reliability/setup: installing ${missing[*]}" >&2
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi
