// The route cache's fast path (engine/replay/internal/route_cache.h) against the plain judge:
// every capture replayed with ReplayOptions::fast_path on and off must give the same report,
// field for field (tests/engine/replay_report_text.h; the timing aside).
//
// Captures: gen-traffic (engine/gen) of every scenario under scenarios/ that has a load
// balancer to send to — broken variants and the events scenario included — replayed with 1, 2
// and 3 threads; the same captures with short connection-tracking timeouts, so that flows
// expire and come back while their routes' fast paths are armed; and hand-made flows whose
// fate depends on what the fast path's refresh records (the time, the side a FIN comes from).
// (The bundled goldens are replayed with --no-fast-path by tests/tools/scenario_golden_test.cc.)
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/gen/traffic_gen.h"
#include "engine/model/scenario_loader.h"
#include "engine/replay/replay.h"
#include "pcap/capture.h"
#include "pcap/encode.h"
#include "tests/encoded_frame.h"
#include "tests/engine/replay_report_text.h"
#include "tests/temp_dir.h"

namespace pfsim::engine {
namespace {

namespace fs = std::filesystem;

class ReplayFastPath : public test_support::TempDirTest {
 protected:
  // gen-traffic of `scenario` into a file, or "" when the scenario has nothing to send to.
  std::string generate(const Scenario& scenario, const std::string& name, const GenOptions& options) {
    auto plan = plan_traffic(scenario, options);
    if (!plan) return "";
    const std::string path = (temp_dir_ / name).string();
    auto writer = pcap::CaptureWriter::create(path, pcap::LinkType::kEthernet);
    EXPECT_TRUE(writer.ok());
    EXPECT_TRUE(write_traffic(*plan, *writer).ok());
    EXPECT_TRUE(writer->close().ok());
    return path;
  }

  // The report with the fast path on and off; a failure names `what`.
  static void expect_same_report(const Scenario& scenario, const std::string& capture, ReplayOptions options,
                                 const std::string& what) {
    options.fast_path = true;
    auto fast = run_replay(scenario, {capture}, options);
    options.fast_path = false;
    auto judged = run_replay(scenario, {capture}, options);
    ASSERT_TRUE(fast.ok()) << what << ": " << fast.error().to_string();
    ASSERT_TRUE(judged.ok()) << what << ": " << judged.error().to_string();
    EXPECT_GT(fast->packets_evaluated, 0u) << what;
    EXPECT_EQ(report_text(*fast), report_text(*judged)) << what << " (left: fast path on, right: off)";
  }
};

// Every scenarios/<case>/<name>.yaml, sorted.
std::vector<fs::path> scenario_files() {
  std::vector<fs::path> files;
  for (const fs::directory_entry& entry : fs::recursive_directory_iterator(PFSIM_SCENARIOS_DIR))
    if (entry.is_regular_file() && entry.path().extension() == ".yaml") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

TEST_F(ReplayFastPath, GeneratedTrafficOfEveryScenarioGivesTheSameReport) {
  std::size_t replayed = 0;
  bool events = false;
  for (const fs::path& file : scenario_files()) {
    auto scenario = load_scenario(file.string());
    ASSERT_TRUE(scenario.ok()) << scenario.error().to_string();
    const std::string capture = generate(*scenario, "gen.pcap", {.flows = 200, .seed = 11});
    if (capture.empty()) continue;  // no load balancer with a listener to send to
    ++replayed;
    events = events || !scenario->events.empty();
    for (std::uint32_t threads : {1u, 2u, 3u}) {
      ReplayOptions options;
      options.threads = threads;
      options.batch_records = 256;  // several batches per capture
      expect_same_report(*scenario, capture, options, file.string() + " --threads " + std::to_string(threads));
    }
  }
  EXPECT_GE(replayed, 20u);
  EXPECT_TRUE(events) << "no scenario with events was replayed";
}

TEST_F(ReplayFastPath, FlowsThatExpireAndReturnGiveTheSameReport) {
  // Timeouts of a second, and keep-alive exchanges stretched over the trace: flows expire
  // between their packets, health checks find them gone, and a returning packet is judged by
  // the rules again, on a route whose fast path was armed.
  for (const char* name : {"aws-alb-internet-facing/recommended-events.yaml", "aws-clb-vpc/broken-ephemeral.yaml",
                           "aws-nlb/recommended.yaml", "huawei-elb/broken-udp-icmp.yaml"}) {
    auto scenario = load_scenario(std::string(PFSIM_SCENARIOS_DIR) + "/" + name);
    ASSERT_TRUE(scenario.ok()) << scenario.error().to_string();
    ConntrackConfig& timeouts = scenario->conntrack;
    timeouts.tcp_established_s = timeouts.tcp_other_s = timeouts.udp_s = timeouts.udp_stream_s = 1;
    timeouts.icmp_s = timeouts.other_s = 1;
    const std::string capture = generate(*scenario, "short.pcap", {.flows = 100, .packets = 20000, .seed = 5});
    ASSERT_FALSE(capture.empty()) << name;
    for (std::uint32_t threads : {1u, 2u}) {
      ReplayOptions options;
      options.threads = threads;
      expect_same_report(*scenario, capture, options, std::string(name) + " --threads " + std::to_string(threads));
    }
  }
}

// One packet of the client 198.51.100.7:51000 <-> the ALB's public address 203.0.113.10:443
// (scenarios/aws-alb-internet-facing/recommended.yaml).
struct AlbPacket {
  double t_s = 0;
  bool to_server = true;
  std::uint16_t tcp_flags = 0;
  std::uint32_t payload_bytes = 0;
  bool df = false;
};

std::string write_alb_flow(const fs::path& path, const std::vector<AlbPacket>& packets) {
  auto writer = pcap::CaptureWriter::create(path.string(), pcap::LinkType::kEthernet);
  EXPECT_TRUE(writer.ok());
  for (const AlbPacket& packet : packets) {
    pcap::FrameSpec spec;
    spec.src = net::parse_address(packet.to_server ? "198.51.100.7" : "203.0.113.10")->bits;
    spec.dst = net::parse_address(packet.to_server ? "203.0.113.10" : "198.51.100.7")->bits;
    spec.sport = packet.to_server ? 51000 : 443;
    spec.dport = packet.to_server ? 443 : 51000;
    spec.tcp_flags = packet.tcp_flags;
    spec.payload_bytes = packet.payload_bytes;
    spec.dont_fragment = packet.df;
    const std::vector<std::uint8_t> bytes = pfsim::test_support::encoded_frame(spec);
    const auto ts_ns = kGenEpochNs + static_cast<std::int64_t>(packet.t_s * 1e9);
    EXPECT_TRUE(writer->write(ts_ns, static_cast<std::uint32_t>(bytes.size()), bytes).ok());
  }
  EXPECT_TRUE(writer->close().ok());
  return path.string();
}

std::uint64_t listener_drops(const ReplayReport& report) {
  return report.classes[static_cast<std::size_t>(TrafficClass::kListener)].dropped;
}

TEST_F(ReplayFastPath, AFlowKeptAliveOnlyByItsRefreshesGivesTheSameReport) {
  // Every packet of a flow refreshes its conntrack entries, on the fast path as in the judge:
  // with a 5 s timeout, the client's packets 2 s apart keep the flow alive for 28 s, and the
  // server's reply 2.5 s after the last of them passes as part of it; the same reply after
  // 9.5 s of silence is judged by the rules and dropped (the node's group lets only the
  // listener port in). A fast path that skipped its refresh would see the flow expire 5 s after
  // the last packet the judge saw (24 s) and drop the first reply too.
  auto scenario = load_scenario(std::string(PFSIM_SCENARIOS_DIR) + "/aws-alb-internet-facing/recommended.yaml");
  ASSERT_TRUE(scenario.ok()) << scenario.error().to_string();
  scenario->conntrack.tcp_established_s = 5;
  std::vector<AlbPacket> packets = {{0, true, 0x02}, {0.001, false, 0x12}, {0.002, true, 0x10}};
  for (int k = 1; k <= 14; ++k) packets.push_back({2.0 * k, true, 0x18, 100});  // the client, every 2 s
  packets.push_back({30.5, false, 0x18, 100});  // the server, 2.5 s after the client's last packet
  packets.push_back({40, false, 0x18, 100});    // and again after 9.5 s of silence: dropped
  const std::string path = write_alb_flow(temp_dir_ / "alive.pcap", packets);
  ReplayOptions options;
  expect_same_report(*scenario, path, options, "alive.pcap");
  options.fast_path = false;
  auto judged = run_replay(*scenario, {path}, options);
  ASSERT_TRUE(judged.ok());
  EXPECT_EQ(listener_drops(*judged), 1u) << report_text(*judged);
}

TEST_F(ReplayFastPath, AFlowClosedByOneJudgedAndOneFastFinGivesTheSameReport) {
  // The fast path refreshes each flow from the side the packet comes from: the server's FIN
  // is judged (DF and longer than the internet MTU, so a router answers it), the client's FIN
  // passes by the fast path, and together they close the flow (a FIN from each side), whose
  // timeout drops from tcp_established_s to tcp_other_s: the server's packet 5 s later is
  // judged by the rules again and dropped. Taken as the server's second FIN, the client's would
  // leave the flow established and the packet allowed.
  auto scenario = load_scenario(std::string(PFSIM_SCENARIOS_DIR) + "/aws-alb-internet-facing/recommended.yaml");
  ASSERT_TRUE(scenario.ok()) << scenario.error().to_string();
  scenario->conntrack.tcp_established_s = 100;
  scenario->conntrack.tcp_other_s = 2;
  const std::string path = write_alb_flow(temp_dir_ / "closed.pcap", {{0, true, 0x02},
                                                                      {0.001, false, 0x12},
                                                                      {0.002, true, 0x10},
                                                                      {0.5, true, 0x18, 100},
                                                                      {1.0, false, 0x11, 1600, true},  // FIN-ACK
                                                                      {1.1, true, 0x11},               // FIN-ACK
                                                                      {6, false, 0x18, 100}});
  ReplayOptions options;
  expect_same_report(*scenario, path, options, "closed.pcap");
  options.fast_path = false;
  auto judged = run_replay(*scenario, {path}, options);
  ASSERT_TRUE(judged.ok());
  EXPECT_EQ(listener_drops(*judged), 1u) << report_text(*judged);
}

}  // namespace
}  // namespace pfsim::engine
