// tools/merge_command.h — `pfsim merge`: the JSON reports of sharded replays as one report.
//
//   pfsim merge REPORT.json... [--json FILE]
//
// What it does (DESIGN.md §7, "Scale-out"): reads reports written by `pfsim replay --shard I/N
// --json`, and sums them: packets and classes add up; drops with the same (class, hook, rule
// id) add their packets and flows (a flow lives in one shard), keep the smallest first_packet
// and the example of the earliest packet (captured before synthesized; then time, then text);
// a target is unhealthy when any report says so (the lexically smallest reason), else healthy
// when any checked it; warnings are united; timing sums the seconds and keeps the most threads.
// For reports of the N shards of one replay the result equals the report of one run (timing
// aside). Prints the merged report as `pfsim replay` does; --json FILE ("-" = stdout) writes it.
//
// Exit codes: as replay's (1 when drops of the listener, health-check or PMTU classes are in
// the merged report); 2 when a report cannot be read or is not a replay report.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace pfsim::tools {

struct MergeCommandOptions {
  std::vector<std::string> reports;
  std::string json_path;
  bool exit_zero = false;
};

void define_merge_options(CLI::App& command, MergeCommandOptions& options);
int run_merge_command(const MergeCommandOptions& options);

}  // namespace pfsim::tools
