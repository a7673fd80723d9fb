#!/usr/bin/env bash
# Installs the Debian packages roambi-jobs builds with, and any named as arguments; a no-op when they are all there.
set -euo pipefail
packages=(build-essential cmake pkg-config nlohmann-json3-dev libcpp-httplib-dev libgtest-dev libgmock-dev
          libbenchmark-dev libcli11-dev libssl-dev zlib1g-dev libbrotli-dev openssl curl python3 "$@")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi
