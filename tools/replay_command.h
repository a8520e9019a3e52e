// tools/replay_command.h — `pfsim replay`: captured traffic through the scenario's filters.
//
//   pfsim replay SCENARIO PCAP... [--mode through-lb|as-captured]
//                [--health-checks auto|synthesize|captured|off] [--threads N] [--json FILE]
//                [--dropped-pcap FILE] [--shard I/N] [--decapsulate] [--exit-zero] [--algorithm NAME]
//                [--no-fast-path]
//
// What it does (DESIGN.md §4, §5; semantics in engine/replay/replay.h): loads the scenario, replays
// the captures in order and prints what a person needs: packets read (rate, threads) and the
// malformed ones by kind; a class table of allowed and dropped packets; the drops grouped by
// (class, hook, deciding rule or default) with the rule's provenance, packet and flow counts
// (led by the flows the group broke and their packets after the drop, when it broke any),
// the first packet and an example flow with its Community ID, and a fix when easily derived;
// the targets' health and where it came from (captured or synthesized checks); warnings (PMTU
// black holes per flow, a truncated capture, and most of the capture's IP packets unmatched:
// mostly_unmatched()). With --decapsulate, the inner packets of VXLAN and Geneve tunnels are
// judged, and each drop group says at which mirror session's interface (by VXLAN VNI) its
// packets were seen.
//
// --json FILE ("-" = stdout; the human report then goes to stderr) writes
// {packets {read, evaluated, malformed, unmatched, malformed_kinds}, classes {listener|
// health_check|pmtu|other: {allowed, dropped, after_drop}}, drops [{class, hook, at, rule {id,
// source, text} | "default", packets, flows, flows_broken, broken_first_s, broken_last_s,
// after_drop, first_packet (null: synthesized packets only), example {flow, community_id,
// time_s, seen_at?}, fix, seen_at? [{vni, interface (null: no session has the VNI)}]}],
// health_checks ("auto", "synthesize", "captured" or "off"), targets [{target_group, target,
// health, reason, health_from ("captured", "synthesized", "captured+synthesized" or ""),
// checks [{node, from, checks, last_s, ok, reason}]}] (empty with --health-checks off),
// warnings, timing {seconds, packets_per_second, threads}}. Everything but timing is identical
// for any --threads.
// A progress bar (bytes read of total) goes to stderr when it is a terminal. --no-fast-path
// judges every packet (ReplayOptions::fast_path = false): the same report, for testing and
// measuring the fast path.
//
// Exit codes: 0 nothing flagged; 1 drops of the listener, health-check or PMTU classes (0
// with --exit-zero); 2 bad scenario, unreadable or corrupt capture, or usage.
#pragma once

#include <CLI/CLI.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "engine/replay/replay.h"

namespace pfsim::tools {

struct ReplayCommandOptions {
  std::string scenario_path;
  std::vector<std::string> captures;
  std::string mode = "through-lb";
  std::string health_checks = "auto";
  unsigned threads = 1;
  std::string json_path;
  std::string dropped_pcap;
  std::string shard;  // "I/N"
  std::string algorithm = "auto";
  bool exit_zero = false;
  bool no_fast_path = false;
  bool decapsulate = false;
};

void define_replay_options(CLI::App& command, ReplayCommandOptions& options);
int run_replay_command(const ReplayCommandOptions& options);

// Shared with `pfsim merge`: the report as text (as JSON: tools/replay_json.h).
void print_replay_human(std::ostream& out, const engine::ReplayReport& report);

// Whether most (more than half) of the evaluated packets have no endpoint in the scenario
// (ReplayReport::packets_unmatched): the human report then asks whether it is the right one.
bool mostly_unmatched(const engine::ReplayReport& report) noexcept;

}  // namespace pfsim::tools
