#!/usr/bin/env bash
# install-packages.sh — install the Debian packages named that are not installed yet.
#
#   bash scripts/install-packages.sh PACKAGE...
#
# When every package is present apt is not touched at all. Installing needs root or sudo;
# without a terminal (CI) sudo runs with -n, so a password prompt fails at once instead of
# waiting. On a system without dpkg it says so and installs nothing (exit 0).
set -euo pipefail

step() { printf '\n==> %s\n' "$*"; }

step "checking Debian packages: $*"
if ! command -v dpkg-query >/dev/null; then
  echo "dpkg-query not found: this is not Debian; install the packages above yourself" >&2
  exit 0
fi
missing=()
for package in "$@"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ $status == "install ok installed" ]] || missing+=("$package")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "all installed"
  exit 0
fi
step "installing missing packages: ${missing[*]}"
sudo=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "not root and no sudo: cannot install ${missing[*]}" >&2; exit 1; }
  if [[ -t 0 ]]; then sudo=(sudo); else sudo=(sudo -n); fi
fi
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
