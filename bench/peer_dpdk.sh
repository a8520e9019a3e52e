#!/usr/bin/env bash
# bench/peer_dpdk.sh — DPDK rte_acl (dpdk-test-acl) and `pfsim classify` on the same ClassBench
# rule file and trace, one after the other, one thread each, and the ratio pfsim / DPDK.
#
# Usage: bench/peer_dpdk.sh [--dpdk-only] [SET...]
#   SET is a name in $PFSIM_SHARED_DIR/classbench (the rules; the trace is SET_trace);
#   default: acl1_10000 fw1_10000 ipc1_10000.
#   --dpdk-only   measure DPDK alone (exit 0 without a pfsim binary).
# Environment:
#   PFSIM             pfsim binary (default: <project>/build/release/tools/pfsim)
#   PFSIM_ALGORITHM   --algorithm for pfsim classify (default: auto)
#   PFSIM_SHARED_DIR  shared inputs (default: <project>/../shared)
#   DPDK_TEST_ACL     the DPDK app (default: dpdk-test-acl on PATH)
#   DPDK_ALGS         DPDK classify methods (default: the best of avx512x16/avx2/sse the CPU
#                     has, then scalar for reference)
#   LCORE             the CPU both tools run on (default: 1)
#   TARGET_SECONDS    timed classify time per run (default: 1)
#   REPEATS           timed runs per figure; the median is reported (default: 3)
#   WAIT_QUIET        before each timed run, wait up to this many seconds until at most one
#                     other task is runnable, so that with 2 CPUs the run has its CPU to itself
#                     (default: 10; 0 = never wait)
#
# How each side is measured:
#   DPDK   `dpdk-test-acl --no-huge --no-pci -m 4096 -l LCORE ... -- --rulesf=SET
#          --tracef=SET_trace --tracenum=<trace lines> --rulenum=<rules> --alg=ALG --iter=K`.
#          It reads '@'-format ClassBench rules (priority = file order, first line wins) and the
#          first 5 columns of each trace line (sip dip sport dport proto, unsigned decimals);
#          the extra flags and rule-index columns are ignored. --tracenum must cover the whole
#          trace: with the default (65536) a longer trace makes the app segfault. Its classify
#          rate is its own "pkt/sec" figure (rdtsc over `iter` passes of the trace in batches of
#          256, --tracestep). K is calibrated so one run classifies for ~TARGET_SECONDS.
#          Runtime memory is rte_acl's own "total: N bytes" (--log-level=lib.acl:debug), build
#          scratch is its "memory consumed", peak RSS comes from /usr/bin/time. The app prints no
#          build time, so its output is line-buffered (stdbuf) and each line stamped on arrival:
#          "build" is the time from the last line of its config dump (printed just before it
#          creates the context) to "rte_acl_build(...) finished", i.e. reading and adding the
#          rules plus rte_acl_build(), in runs with an empty trace; it is good to ~1 ms.
#   pfsim  `pfsim classify --rules SET --trace SET_trace --algorithm A --threads 1 --repeat K
#          --json FILE` pinned to the same CPU with taskset; the figures are its JSON fields
#          lookups_per_second, memory_bytes and build_ms.
# Both rates are wall-clock rates, so another job on the same CPU lowers them: each run's CPU
# share (user+sys / elapsed of the whole process, from /usr/bin/time) is printed beside the
# rates; compare it across runs of the same tool (dpdk-test-acl showed ~90% in every run here,
# start-up included): a run well below its siblings was disturbed. Compare pfsim and DPDK
# from the same invocation only.
# The script stops with a message when dpdk-test-acl is missing, and reports every failed run
# (with the tail of its output) and exits non-zero; nothing fails silently.
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
project_dir=$(cd "$script_dir/.." && pwd)
shared_dir=${PFSIM_SHARED_DIR:-$project_dir/../shared}
pfsim=${PFSIM:-$project_dir/build/release/tools/pfsim}
pfsim_algorithm=${PFSIM_ALGORITHM:-auto}
dpdk_app=${DPDK_TEST_ACL:-dpdk-test-acl}
lcore=${LCORE:-1}
target_seconds=${TARGET_SECONDS:-1}
repeats=${REPEATS:-3}
wait_quiet=${WAIT_QUIET:-10}

dpdk_only=0
sets=()
for arg in "$@"; do
  case $arg in
    --dpdk-only) dpdk_only=1 ;;
    -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "peer_dpdk.sh: unknown option $arg (try --help)" >&2; exit 2 ;;
    *) sets+=("$arg") ;;
  esac
done
[[ ${#sets[@]} -gt 0 ]] || sets=(acl1_10000 fw1_10000 ipc1_10000)

die() { echo "peer_dpdk.sh: error: $*" >&2; exit 2; }
warn() { echo "peer_dpdk.sh: error: $*" >&2; failures=$((failures + 1)); }
failures=0

command -v "$dpdk_app" >/dev/null 2>&1 ||
  die "$dpdk_app not found: install Debian's dpdk-dev package (it ships /usr/bin/dpdk-test-acl) or set DPDK_TEST_ACL"
time_bin=/usr/bin/time
[[ -x $time_bin ]] || { echo "note: /usr/bin/time missing (apt-get install time): no peak RSS figures" >&2; time_bin=; }
taskset_cmd=()
command -v taskset >/dev/null 2>&1 && taskset_cmd=(taskset -c "$lcore")

have_pfsim=0
if [[ $dpdk_only -eq 0 ]]; then
  command -v jq >/dev/null 2>&1 || die "jq not found (needed to read pfsim's JSON report; or use --dpdk-only)"
  if [[ -x $pfsim ]]; then
    have_pfsim=1
  else
    warn "pfsim binary not found at $pfsim: build it (cmake --build build/release --target pfsim) or set PFSIM=...; measuring DPDK only"
  fi
fi

if [[ -z ${DPDK_ALGS:-} ]]; then
  flags=$(grep -m1 '^flags' /proc/cpuinfo || true)
  has() { [[ " $flags " == *" $1 "* ]]; }
  if has avx512f && has avx512vl && has avx512cd && has avx512bw; then best=avx512x16
  elif has avx2; then best=avx2
  else best=sse
  fi
  DPDK_ALGS="$best scalar"
fi
read -r -a dpdk_algs <<<"$DPDK_ALGS"

work=$(mktemp -d /tmp/peer_dpdk.XXXXXX)
file_prefix=pfsim-peer-$$
# EAL keeps a runtime directory per file prefix; a private prefix lets several people run
# this at once (the default "rte" prefix would refuse a second primary process).
cleanup() { rm -rf "$work" "/var/run/dpdk/$file_prefix" "${XDG_RUNTIME_DIR:-/nonexistent}/dpdk/$file_prefix"; }
trap cleanup EXIT

median() { sort -g | awk '{v[NR]=$1} END {if (NR == 0) exit 1; print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
count_lines() { grep -c "[^[:space:]]" "$1" || true; }
fmt_mpps() { awk -v r="$1" 'BEGIN {printf "%.2f", r / 1e6}'; }
mpps_list() { for r in "$@"; do printf '%s ' "$(fmt_mpps "$r")"; done; }
fmt_mb() { awk -v b="$1" 'BEGIN {printf "%.2f", b / 1048576}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "n/a"}'; }
iterations_for() {  # rate, packets -> passes that take ~target_seconds
  awk -v r="$1" -v p="$2" -v t="$target_seconds" 'BEGIN {k = int(t * r / p + 0.999); print (k < 1) ? 1 : k}'
}

# Waits (at most $wait_quiet s) until /proc/loadavg shows at most 2 runnable tasks: the reader
# itself and one other job, which the scheduler can keep on the other CPU.
wait_for_quiet() {
  local waited=0 running
  while [[ $waited -lt $wait_quiet ]]; do
    running=$(cut -d' ' -f4 /proc/loadavg | cut -d/ -f1)
    [[ $running -le 2 ]] && return 0
    sleep 1
    waited=$((waited + 1))
  done
  [[ $wait_quiet -eq 0 ]] || echo "note: machine still busy after ${wait_quiet}s ($(cut -d' ' -f4 /proc/loadavg) runnable); measuring anyway" >&2
}

stamp_lines() { while IFS= read -r line; do printf '%s %s\n' "$EPOCHREALTIME" "$line"; done; }

# Runs dpdk-test-acl; output in $work/dpdk.out (each line prefixed by its arrival time in
# seconds), peak RSS in $work/dpdk.time. Returns its status.
run_dpdk() {  # rules trace tracenum rulenum alg iter
  local cmd=("$dpdk_app" --no-huge --no-pci -m 4096 -l "$lcore" --no-shconf --file-prefix="$file_prefix"
             --no-telemetry --log-level=lib.acl:debug --
             --rulesf="$1" --tracef="$2" --tracenum="$3" --rulenum="$4" --alg="$5" --iter="$6" --verbose=0)
  echo "${cmd[*]}" >"$work/dpdk.cmd"
  local timer=()
  [[ -n $time_bin ]] && timer=("$time_bin" -f 'maxrss_kb=%M\ncpu=%P' -o "$work/dpdk.time")
  printf 'maxrss_kb=0\ncpu=?\n' >"$work/dpdk.time"
  "${timer[@]}" stdbuf -oL -eL "${cmd[@]}" 2>&1 | stamp_lines >"$work/dpdk.out"
}
dpdk_failed() {
  warn "dpdk-test-acl failed: $(cat "$work/dpdk.cmd")"
  tail -n 15 "$work/dpdk.out" | cut -d' ' -f2- | sed 's/^/    /' >&2
}
dpdk_field() { # name -> value from the last run: rate, cycles, pkts, runtime_bytes, scratch_bytes, build_ms, maxrss_kb
  # $1 of every output line is its arrival time (stamp_lines).
  case $1 in
    rate) awk '$2 == "search_ip5tuples" && $3 == "@lcore" {for (i = 1; i <= NF; ++i) if ($i == "pkt/sec") print $(i-1)}' "$work/dpdk.out" | tail -n1 ;;
    cycles) awk '$2 == "search_ip5tuples" && $3 == "@lcore" {for (i = 1; i <= NF; ++i) if ($i ~ /^cycles\/pkt/) print $(i-1)}' "$work/dpdk.out" | tail -n1 ;;
    pkts) awk '$2 == "search_ip5tuples" && $3 == "@lcore" {for (i = 1; i <= NF; ++i) if ($i ~ /^pkts/) print $(i-1)}' "$work/dpdk.out" | tail -n1 ;;
    runtime_bytes) awk '$2 == "total:" && $4 == "bytes" {print $3}' "$work/dpdk.out" | tail -n1 ;;
    scratch_bytes) awk '$2 == "memory" && $3 == "consumed:" {print $4}' "$work/dpdk.out" | tail -n1 ;;
    build_ms) awk '$2 ~ /^ipv6:/ {start = $1} $2 ~ /^rte_acl_build\(/ && $3 == "finished" {end = $1}
                   END {if (start != "" && end != "") printf "%.1f\n", (end - start) * 1000}' "$work/dpdk.out" ;;
    maxrss_kb|cpu) awk -F= -v k="$1" '$1 == k {print $2}' "$work/dpdk.time" | tail -n1 ;;
  esac
}

# Runs pfsim classify; JSON in $work/pfsim.json. Returns its status.
run_pfsim() {  # rules trace repeat
  local cmd=("${taskset_cmd[@]}" "$pfsim" classify --rules "$1" --trace "$2" --algorithm "$pfsim_algorithm"
             --threads 1 --repeat "$3" --json "$work/pfsim.json")
  echo "${cmd[*]}" >"$work/pfsim.cmd"
  rm -f "$work/pfsim.json"
  local timer=()
  [[ -n $time_bin ]] && timer=("$time_bin" -f 'cpu=%P' -o "$work/pfsim.time")
  echo "cpu=?" >"$work/pfsim.time"
  "${timer[@]}" "${cmd[@]}" >"$work/pfsim.out" 2>&1 && [[ -s $work/pfsim.json ]] &&
    jq -e '.lookups_per_second > 0' "$work/pfsim.json" >/dev/null 2>&1
}
pfsim_failed() {
  warn "pfsim classify failed or wrote no usable JSON: $(cat "$work/pfsim.cmd")"
  tail -n 15 "$work/pfsim.out" | sed 's/^/    /' >&2
}
pfsim_field() { jq -r ".$1" "$work/pfsim.json"; }

echo "# peer: DPDK rte_acl ($(command -v "$dpdk_app")) vs pfsim classify, one thread on CPU $lcore"
echo "# $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# DPDK methods: ${dpdk_algs[*]}; ~${target_seconds}s per timed run; median of $repeats runs"
summary=("| set | rules | packets | DPDK ${dpdk_algs[0]} Mpps | DPDK mem MB | DPDK build ms | pfsim Mpps | pfsim mem MB | pfsim build ms | rate pfsim/DPDK | mem pfsim/DPDK |"
         "|---|---|---|---|---|---|---|---|---|---|---|")

for set in "${sets[@]}"; do
  rules="$shared_dir/classbench/$set"
  trace="${rules}_trace"
  [[ -r $rules ]] || { warn "rule file $rules not found"; continue; }
  [[ -r $trace ]] || { warn "trace file $trace not found"; continue; }
  n_rules=$(count_lines "$rules")
  n_packets=$(count_lines "$trace")
  echo
  echo "## $set: $n_rules rules, $n_packets packets"

  # --- DPDK: build time and memory, from build-only runs (empty trace).
  builds=()
  for ((r = 0; r < repeats; ++r)); do
    if ! run_dpdk "$rules" /dev/null 1 "$n_rules" "${dpdk_algs[0]}" 1; then dpdk_failed; builds=(); break; fi
    b=$(dpdk_field build_ms)
    [[ -n $b ]] || { warn "no build timing in dpdk-test-acl output: $(cat "$work/dpdk.cmd")"; builds=(); break; }
    builds+=("$b")
    runtime_bytes=$(dpdk_field runtime_bytes) scratch_bytes=$(dpdk_field scratch_bytes)
  done
  dpdk_build_ms=n/a
  if [[ ${#builds[@]} -gt 0 ]]; then
    dpdk_build_ms=$(printf '%s\n' "${builds[@]}" | median)
    echo "DPDK build ${dpdk_build_ms} ms (add rules + rte_acl_build; runs: ${builds[*]} ms)"
    echo "DPDK memory runtime $(fmt_mb "${runtime_bytes:-0}") MB (rte_acl 'total'), build scratch $(fmt_mb "${scratch_bytes:-0}") MB"
  fi

  # --- DPDK: classify rate per method.
  best_rate=
  dpdk_rss_mb=n/a
  for alg in "${dpdk_algs[@]}"; do
    if ! run_dpdk "$rules" "$trace" "$n_packets" "$n_rules" "$alg" 3; then dpdk_failed; continue; fi
    rate=$(dpdk_field rate)
    [[ -n $rate ]] || { warn "no 'pkt/sec' line in dpdk-test-acl output ($alg)"; continue; }
    iter=$(iterations_for "$rate" "$n_packets")
    rates=() cycles=() shares=()
    for ((r = 0; r < repeats; ++r)); do
      wait_for_quiet
      if ! run_dpdk "$rules" "$trace" "$n_packets" "$n_rules" "$alg" "$iter"; then dpdk_failed; continue 2; fi
      pkts=$(dpdk_field pkts)
      if [[ $pkts != $((iter * n_packets)) ]]; then
        warn "dpdk-test-acl classified $pkts packets, expected $iter x $n_packets"
        continue 2
      fi
      rates+=("$(dpdk_field rate)")
      cycles+=("$(dpdk_field cycles)")
      shares+=("$(dpdk_field cpu)")
      rss_kb=$(dpdk_field maxrss_kb)
    done
    rate=$(printf '%s\n' "${rates[@]}" | median)
    cyc=$(printf '%s\n' "${cycles[@]}" | median)
    [[ -n $time_bin ]] && dpdk_rss_mb=$(awk -v k="$rss_kb" 'BEGIN {printf "%.0f", k / 1024}')
    echo "DPDK $alg: $(fmt_mpps "$rate") Mpps, $cyc cycles/pkt (runs: $(mpps_list "${rates[@]}")Mpps; --iter=$iter; CPU share ${shares[*]}), peak RSS ${dpdk_rss_mb} MB"
    [[ -z $best_rate && $alg == "${dpdk_algs[0]}" ]] && best_rate=$rate
  done
  echo "DPDK command: $(sed "s#--iter=[0-9]*#--iter=K#" "$work/dpdk.cmd")"

  # --- pfsim.
  p_rate= p_mem= p_build=
  if [[ $have_pfsim -eq 1 ]]; then
    if run_pfsim "$rules" "$trace" 1; then
      repeat=$(iterations_for "$(pfsim_field lookups_per_second)" "$n_packets")
      p_rates=() p_builds=() p_shares=()
      for ((r = 0; r < repeats; ++r)); do
        wait_for_quiet
        if ! run_pfsim "$rules" "$trace" "$repeat"; then pfsim_failed; p_rates=(); break; fi
        p_rates+=("$(pfsim_field lookups_per_second)")
        p_builds+=("$(pfsim_field build_ms)")
        p_shares+=("$(awk -F= '$1 == "cpu" {print $2}' "$work/pfsim.time")")
        p_mem=$(pfsim_field memory_bytes)
        p_alg=$(pfsim_field algorithm)
      done
      if [[ ${#p_rates[@]} -gt 0 ]]; then
        p_rate=$(printf '%s\n' "${p_rates[@]}" | median)
        p_build=$(printf '%s\n' "${p_builds[@]}" | median | awk '{printf "%.2f", $1}')
        echo "pfsim $p_alg: $(fmt_mpps "$p_rate") Mpps (runs: $(mpps_list "${p_rates[@]}")Mpps; --repeat $repeat; CPU share ${p_shares[*]}), memory $(fmt_mb "$p_mem") MB, build $p_build ms"
        echo "pfsim command: $(sed "s#--repeat [0-9]*#--repeat K#; s#--json [^ ]*#--json FILE#" "$work/pfsim.cmd")"
      fi
    else
      pfsim_failed
    fi
  fi

  if [[ -n $best_rate && -n $p_rate ]]; then
    echo "ratio pfsim/DPDK(${dpdk_algs[0]}): rate $(ratio "$p_rate" "$best_rate"), memory $(ratio "$p_mem" "${runtime_bytes:-0}"), build $(ratio "$p_build" "${dpdk_build_ms/n\/a/0}")"
  fi
  summary+=("| $set | $n_rules | $n_packets | $( [[ -n $best_rate ]] && fmt_mpps "$best_rate" || echo n/a) | $( [[ -n ${runtime_bytes:-} ]] && fmt_mb "$runtime_bytes" || echo n/a) | $dpdk_build_ms | $( [[ -n $p_rate ]] && fmt_mpps "$p_rate" || echo n/a) | $( [[ -n $p_mem ]] && fmt_mb "$p_mem" || echo n/a) | ${p_build:-n/a} | $( [[ -n $p_rate && -n $best_rate ]] && ratio "$p_rate" "$best_rate" || echo n/a) | $( [[ -n $p_mem && -n ${runtime_bytes:-} ]] && ratio "$p_mem" "$runtime_bytes" || echo n/a) |")
  unset runtime_bytes scratch_bytes
done

echo
printf '%s\n' "${summary[@]}"
echo "# load at end: $(cut -d' ' -f1-3 /proc/loadavg) (other jobs on the machine make the figures noisy)"
if [[ $failures -gt 0 ]]; then
  echo "peer_dpdk.sh: $failures problem(s) reported above" >&2
  exit 1
fi
