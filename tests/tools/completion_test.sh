#!/usr/bin/env bash
# completion_test.sh COMPLETION — what the bash completion offers at a few points of a pfsim
# command line, as bash would ask it (COMP_WORDS, COMP_CWORD). Which options exist is
# man_completion_check.cmake's job; this checks that the right ones are offered where.
set -uo pipefail
source "$1" || exit 1
complete -p pfsim >/dev/null || { echo "no completion registered for pfsim"; exit 1; }

failures=0
# expect "WANTED OFFERS" WORDS...: the offers completing the last word, sorted, space-separated.
expect() {
  local wanted=$1
  shift
  COMP_WORDS=("$@")
  COMP_CWORD=$(($# - 1))
  COMP_LINE="$*"
  COMP_POINT=${#COMP_LINE}
  COMPREPLY=()
  _pfsim
  local got
  got=$(printf '%s\n' "${COMPREPLY[@]}" | sort | xargs)
  if [[ $got != "$wanted" ]]; then
    echo "completing [$*]: got '$got', wanted '$wanted'"
    failures=$((failures + 1))
  fi
}

expect "--help --version check classify decode explain gen-traffic import merge replay" pfsim ""
expect "--out" pfsim import aws dump --o
expect "gen-traffic" pfsim g
expect "--seed --snaplen" pfsim gen-traffic lb.yaml --s
expect "--no-fast-path" pfsim replay lb.yaml day.pcap --no
expect "as-captured through-lb" pfsim replay lb.yaml --mode ""
expect "cuttree" pfsim classify --rules r --algorithm c
expect "--decapsulate" pfsim decode --d
expect "" pfsim explain lb.yaml --flow ""

exit $((failures > 0))
