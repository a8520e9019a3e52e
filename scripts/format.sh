#!/usr/bin/env bash
# format.sh — clang-format every C++ file git tracks, in place, per .clang-format.
#   bash scripts/format.sh           reformat
#   bash scripts/format.sh --check   change nothing; list the files that differ and exit 1 if any
# Uses clang-format-14 (Debian 12's) when present: another major version may format otherwise.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
tool=clang-format-14
command -v "$tool" >/dev/null || tool=clang-format
command -v "$tool" >/dev/null || { echo "format.sh: clang-format not found (apt-get install clang-format)" >&2; exit 2; }
mapfile -t files < <(git ls-files -- '*.cc' '*.h')
if [[ ${1:-} == --check ]]; then
  bad=()
  for f in "${files[@]}"; do
    "$tool" --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
  done
  if [[ ${#bad[@]} -gt 0 ]]; then
    printf 'format.sh: not formatted per .clang-format (run bash scripts/format.sh):\n' >&2
    printf '  %s\n' "${bad[@]}" >&2
    exit 1
  fi
  echo "format.sh: ${#files[@]} files formatted per .clang-format"
else
  "$tool" -i "${files[@]}"
fi
