#!/usr/bin/env bash
# quickstart.sh — from a fresh Debian 12 machine to a built, working pfsim.
#
#   bash scripts/quickstart.sh demo   install what is missing, build pfsim, replay the bundled capture
#                                     through its scenario, then classify the bundled
#                                     ClassBench sets and verify every packet against linear
#   bash scripts/quickstart.sh test   install what is missing, build everything, run the test suite
#
# Both need nothing beside the repository: the tests' inputs ship in it (tests/data/README.md).
# The extended tests (ctest label `extended`) also read the large ClassBench sets of the shared
# inputs, ../shared beside the clone; without them those tests are skipped with a message.
#
# Runs from any directory. Installing needs root or sudo; when every package is already
# present, apt is not touched at all.
set -euo pipefail

usage() {
  echo "usage: bash scripts/quickstart.sh demo|test" >&2
  exit 2
}

[[ $# -eq 1 ]] || usage
mode=$1
[[ $mode == demo || $mode == test ]] || usage

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

step() { printf '\n==> %s\n' "$*"; }

# The build and test dependencies, all from Debian 12 (DESIGN.md, CMakeLists.txt); jq for
# scripts/collect-aws.sh and its test.
packages=(cmake g++ make pkg-config libpcap-dev zlib1g-dev libtbb-dev nlohmann-json3-dev libcli11-dev libfmt-dev
          libyaml-cpp-dev googletest libgtest-dev libbenchmark-dev jq)

bash scripts/install-packages.sh "${packages[@]}"

step "configuring (cmake --preset release)"
cmake --preset release
# The demo runs only the pfsim command: building every test and benchmark as well took it
# 9 minutes on 2 cores. `test` needs them all.
if [[ $mode == demo ]]; then
  step "building pfsim (cmake --build --preset release --target pfsim)"
  cmake --build --preset release --target pfsim
else
  step "building (cmake --build --preset release)"
  cmake --build --preset release
fi

case $mode in
  demo)
    # The main job: replay a bundled capture (written by `pfsim gen-traffic --flows 100
    # --packets 3000 --snaplen 128`) through a scenario whose instance-subnet ACL lacks part of
    # the ephemeral return range. It flags drops (exit 1), which is the point: --exit-zero.
    step "build/release/tools/pfsim replay scenarios/aws-clb-vpc/broken-ephemeral.yaml scenarios/aws-clb-vpc/broken-ephemeral.pcap"
    build/release/tools/pfsim replay scenarios/aws-clb-vpc/broken-ephemeral.yaml \
      scenarios/aws-clb-vpc/broken-ephemeral.pcap --exit-zero
    # The rule sets and traces ship in the repository (scenarios/classbench/README.md says
    # where they come from), so the demo needs nothing beside it.
    for set in acl1_1000 fw1_1000; do
      step "build/release/tools/pfsim classify --rules scenarios/classbench/$set --trace scenarios/classbench/${set}_trace --verify"
      build/release/tools/pfsim classify --rules "scenarios/classbench/$set" \
        --trace "scenarios/classbench/${set}_trace" --verify
    done
    step "done: build/release/tools/pfsim --help lists the commands; README.md explains the output"
    ;;
  test)
    step "testing (ctest --preset release)"
    ctest --preset release
    ;;
esac
