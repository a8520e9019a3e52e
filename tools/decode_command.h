// tools/decode_command.h — `pfsim decode`: what pfsim sees in each packet of a capture.
//
//   pfsim decode PCAP [--json FILE] [--limit N] [--decapsulate]
//
// What it does (DESIGN.md §5): reads the capture (pcap or pcapng; "-" = standard input) in
// batches of pcap::kDefaultBatchRecords with pcap::CaptureReader, decodes every record with
// pcap::decode_packet and prints one line per packet to stdout, then a summary line: the
// packet count and the malformed packets by kind with the first index of each. It lets a user
// understand a verdict, and lets anyone hold the parser against Wireshark. A line reads
//
//   #4 1700000000.123456789 EN10MB tcp 10.0.0.1:443 -> 10.0.0.2:51000 [SA] 1:LQU9qZlK+B5F3KDmev6m5PMibrg=
//
// index, time (seconds.nanoseconds since the epoch), link type (with "/vxlan" or "/geneve"
// when --decapsulate removed a tunnel), protocol, endpoints, then what applies: TCP flags,
// ICMP "type/code", the next-hop MTU of "fragmentation needed" / "packet too big", an echo's
// id, "quoting <flow>" for an ICMP error, "frag id I offset O +more", the captured length when
// the capture cut the packet short, "malformed KIND at byte N", and the Community ID
// (pcap/flow_key.h). A packet without an IP header says "not IP".
//
// --json FILE (or "-" for stdout) writes JSON Lines, one object per packet with the fields of
// DESIGN.md §5: index, ts_ns, caplen, len, link, src, dst, proto, sport, dport, tcp_flags,
// icmp_type, icmp_code, inner {src, dst, proto, sport, dport}, frag {id, offset, more},
// malformed, community_id; a field the packet does not carry is omitted. With --json -,
// stdout holds only the JSON: the per-packet lines are not printed and the summary goes to
// stderr. --limit N decodes the first N packets only.
//
// Errors (DESIGN.md §6): a capture that cannot be opened, has a corrupt header or a link type
// pfsim does not decode, or a record libpcap rejects, is bad input: the located message goes
// to stderr, exit 2 (the lines of the records before a bad record are printed first).
// Malformed packets are data: printed with their kind, counted, exit 0. A capture that ends
// inside a record is decoded up to that record and a warning names it.
//
// Exit codes (tools/diagnostics.h): 0 decoded; 2 bad input or usage, or an unwritable --json
// file. decode never flags anything, so it never exits 1.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

namespace pfsim::tools {

struct DecodeCommandOptions {
  std::string pcap_path;    // "-": standard input
  std::string json_path;    // empty: no JSON; "-": stdout
  std::uint64_t limit = 0;  // 0: every packet
  bool decapsulate = false;
};

// Declares decode's arguments on its subcommand; parsing stores them into `options`, which
// must outlive the parse. --limit below 1 is a parse (usage) error.
void define_decode_options(CLI::App& command, DecodeCommandOptions& options);

// Runs the command with parsed options and returns the process exit code.
int run_decode_command(const DecodeCommandOptions& options);

}  // namespace pfsim::tools
