#include "tools/gen_traffic_command.h"

#include <cstdio>
#include <iostream>
#include <limits>
#include <ostream>
#include <string>

#include "engine/gen/traffic_gen.h"
#include "engine/model/scenario_loader.h"
#include "net/text.h"
#include "net/time_units.h"
#include "pcap/capture.h"
#include "tools/cli_numbers.h"
#include "tools/diagnostics.h"
#include "tools/file_io.h"
#include "tools/import_command.h"

namespace pfsim::tools {
namespace {

// "91.734 s from 1700000000.000000000"
std::string time_span(const engine::GenStats& s) {
  char text[96];
  const std::int64_t span_ms = (s.last_ts_ns - s.first_ts_ns) / net::kNsPerMillisecond;
  std::snprintf(text, sizeof text, "%lld.%03lld s from %lld.%09lld", static_cast<long long>(span_ms / 1000),
                static_cast<long long>(span_ms % 1000), static_cast<long long>(s.first_ts_ns / net::kNsPerSecond),
                static_cast<long long>(s.first_ts_ns % net::kNsPerSecond));
  return text;
}

void print_summary(std::ostream& out, const std::string& path, const engine::GenStats& s) {
  out << "wrote " << net::grouped(s.packets) << (s.packets == 1 ? " packet" : " packets") << " to "
      << (path == "-" ? "standard output" : path) << ": " << net::grouped(s.flows)
      << (s.flows == 1 ? " flow" : " flows") << " (" << net::grouped(s.tcp_flows) << " tcp, "
      << net::grouped(s.udp_flows) << " udp, " << net::grouped(s.ipv6_flows) << " ipv6), "
      << net::grouped(s.health_checks) << (s.health_checks == 1 ? " health check, " : " health checks, ")
      << net::grouped(s.large_df_packets) << " large DF packets, " << net::grouped(s.wire_bytes) << " bytes";
  if (s.captured_bytes != s.wire_bytes) out << " (" << net::grouped(s.captured_bytes) << " captured)";
  out << ", " << time_span(s) << '\n';
}

}  // namespace

void define_gen_traffic_options(CLI::App& command, GenTrafficCommandOptions& options) {
  command.add_option("SCENARIO", options.scenario_path, "scenario file (YAML) or AWS import folder")->required();
  command.add_option("--out", options.out_path, "the pcap file to write ('-' for stdout)")
      ->option_text("FILE REQUIRED")
      ->required();
  command.add_option("--flows", options.flows, "client flows over all listeners and nodes (default 1000)")
      ->check(whole_number(1, 100'000'000, "flow count"))
      ->option_text("N");
  command
      .add_option("--packets", options.packets,
                  "exactly N packets: more data per flow when the flows need fewer (default: what they need)")
      ->check(whole_number(1, std::numeric_limits<std::uint64_t>::max(), "packet count"))
      ->option_text("N");
  command.add_option("--seed", options.seed, "seed of the capture's randomness (default 1)")
      ->check(whole_number(0, std::numeric_limits<std::uint64_t>::max(), "seed"))
      ->option_text("S");
  command
      .add_option("--snaplen", options.snaplen,
                  "keep the first N bytes of each packet, at least " + std::to_string(engine::kGenMinSnaplenBytes) +
                      " (default: all)")
      ->check(CLI::Range(engine::kGenMinSnaplenBytes, std::uint32_t{262144}))
      ->option_text("N");
}

int run_gen_traffic_command(const GenTrafficCommandOptions& options) {
  auto scenario = load_scenario_input(options.scenario_path);
  if (!scenario) return report_error(scenario.error());
  engine::GenOptions gen;
  gen.flows = options.flows;
  gen.packets = options.packets;
  gen.seed = options.seed;
  gen.snaplen_bytes = options.snaplen;
  // Planned before the file is created, so a bad request leaves no file behind.
  auto plan = engine::plan_traffic(*scenario, gen);
  if (!plan) return report_error(plan.error());
  // The plan's lower bound of the file's size against the room its file system has: a count no
  // disk holds (--packets 18446744073709551615) fails here, not after filling the disk. A lower
  // bound refuses only what cannot succeed, so no switch overrides it.
  if (options.out_path != "-") {
    auto room = room_for(options.out_path);
    if (!room) return report_error(room.error());
    if (plan->min_file_bytes() > *room)
      return report_error(net::error_message(
          "cannot write '" + options.out_path + "': " + net::grouped(plan->packets()) + " packets take at least " +
          net::grouped(plan->min_file_bytes()) + " bytes and its file system has " + net::grouped(*room) +
          " bytes free (ask for fewer with --packets or --flows)"));
  }
  auto writer = pcap::CaptureWriter::create(options.out_path, pcap::LinkType::kEthernet);
  if (!writer) return report_error(writer.error());
  auto stats = engine::write_traffic(*plan, *writer);
  if (!stats) return report_error(stats.error());
  if (auto closed = writer->close(); !closed) return report_error(closed.error());
  print_summary(options.out_path == "-" ? std::cerr : std::cout, options.out_path, *stats);
  return kExitOk;
}

}  // namespace pfsim::tools
