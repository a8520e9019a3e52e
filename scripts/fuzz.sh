#!/usr/bin/env bash
# fuzz.sh — run each libFuzzer program of tests/fuzz for a bounded time, from its corpus.
#
#   bash scripts/fuzz.sh [SECONDS] [NAME...]   SECONDS per fuzzer (default $PFSIM_FUZZ_SECONDS, else 60);
#                                              NAME: decode capture scenario_yaml classbench flow (default all)
#
# Needs the fuzz build: cmake --preset fuzz && cmake --build --preset fuzz. Each fuzzer starts
# from tests/corpus/<name>/ (the seeds and the regression files; scenario_yaml also reads the
# loader's bad-input files of tests/corpus/scenarios/, capture those of tests/corpus/pcap/ when
# present) and writes what it finds into a temporary folder, never into the repository. An input
# slower than 10 s is a hang, one above 2 GB of memory a failure. A crash, hang or sanitizer
# report stops the script with exit 1 and prints the reproducer's path; the fuzzer's log and the
# reproducer stay in the temporary folder. Reproduce: build/fuzz/tests/fuzz/<name>_fuzzer FILE.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
seconds=${1:-${PFSIM_FUZZ_SECONDS:-60}}
[[ $seconds =~ ^[0-9]+$ ]] || { echo "usage: bash scripts/fuzz.sh [SECONDS] [NAME...]" >&2; exit 2; }
shift $(($# > 0 ? 1 : 0))
names=("$@")
[[ ${#names[@]} -gt 0 ]] || names=(decode capture scenario_yaml classbench flow)
bin=$repo/build/fuzz/tests/fuzz
work=$(mktemp -d "${TMPDIR:-/tmp}/pfsim-fuzz-XXXXXX")

for name in "${names[@]}"; do
  fuzzer=$bin/${name}_fuzzer
  [[ -x $fuzzer ]] || { echo "$fuzzer not built: cmake --preset fuzz && cmake --build --preset fuzz" >&2; exit 2; }
  seeds=("$repo/tests/corpus/$name")
  [[ $name == scenario_yaml && -d $repo/tests/corpus/scenarios ]] && seeds+=("$repo/tests/corpus/scenarios")
  [[ $name == capture && -d $repo/tests/corpus/pcap ]] && seeds+=("$repo/tests/corpus/pcap")
  mkdir -p "$work/$name/new"
  log=$work/$name/log
  printf '%s: %s s from %s\n' "$name" "$seconds" "${seeds[*]#"$repo"/}"
  if ! (cd "$work/$name" && "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$work/$name/" -print_final_stats=1 new "${seeds[@]}") >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    for reproducer in "$work/$name"/crash-* "$work/$name"/timeout-* "$work/$name"/oom-* "$work/$name"/leak-*; do
      [[ -e $reproducer ]] && echo "$name: reproducer $reproducer (log $log)" >&2
    done
    exit 1
  fi
  grep -E '^stat::(number_of_executed_units|new_units_added|peak_rss_mb)' "$log" | tr '\n' ' ' | sed 's/stat:://g'
  echo
done
rm -rf "$work"
