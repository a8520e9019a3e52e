// tools/gen_traffic_command.h — `pfsim gen-traffic`: a realistic synthetic capture for a scenario.
//
//   pfsim gen-traffic SCENARIO --out FILE [--flows N] [--packets N] [--seed S] [--snaplen N]
//
// What it does (engine/gen/traffic_gen.h has the whole contract): loads the scenario and writes a
// pcap (Ethernet, nanosecond timestamps) of N client flows (--flows, default 1000) to every
// listener of every load balancer and node — TCP handshakes, requests, responses with large DF
// segments, teardowns; UDP request/response pairs; IPv6 clients where a node has IPv6 — and the
// health checks from every node to every target at each target group's interval. --packets
// makes the total exactly N (more data on the flows; fewer than the flows need is an error);
// --seed picks another capture (default 1; the same seed gives the same bytes); --snaplen keeps
// only the first N bytes of each packet (as tcpdump -s does; lengths and checksums stay those
// of the whole packet). "-" as FILE writes to standard output (the summary then goes to stderr).
//
// Prints one summary line:
//
//   wrote 2,000 packets to gen.pcap: 50 flows (50 tcp, 0 udp, 0 ipv6), 6 health checks,
//   13 large DF packets, 744,227 bytes, 89.573 s from 1700000000.000000000
//
// (with --snaplen, "(N captured)" follows the bytes on the wire).
//
// Exit codes: 0 written; 2 bad scenario (located message), usage, a scenario without a listener
// to send traffic to, --packets below what the flows need, or a file that cannot be written.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

namespace pfsim::tools {

struct GenTrafficCommandOptions {
  std::string scenario_path;
  std::string out_path;
  std::uint64_t flows = 1000;
  std::uint64_t packets = 0;
  std::uint64_t seed = 1;
  std::uint32_t snaplen = 0;
};

void define_gen_traffic_options(CLI::App& command, GenTrafficCommandOptions& options);
int run_gen_traffic_command(const GenTrafficCommandOptions& options);

}  // namespace pfsim::tools
