// Tests of engine/gen/traffic_gen.h: the synthetic capture is deterministic, has exactly the packets
// asked for, decodes cleanly with correct checksums, and holds well-formed TCP flows, health
// checks at the target groups' intervals, IPv6 clients where nodes have IPv6, and large DF
// packets for Path MTU Discovery — on the example (tests/data/examples) and every bundled
// recommended scenario.
#include "engine/gen/traffic_gen.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <map>
#include <set>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "engine/model/scenario_loader.h"
#include "engine/paths/lb_paths.h"
#include "pcap/capture.h"
#include "pcap/decode.h"
#include "tests/read_whole_file.h"
#include "tests/temp_dir.h"

namespace pfsim::engine {
namespace {

namespace fs = std::filesystem;

const std::string kExample = std::string(PFSIM_TEST_DATA_DIR) + "/examples/alb-internet-facing.yaml";
const std::string kDualStack = std::string(PFSIM_SCENARIOS_DIR) + "/aws-alb-internet-facing/recommended.yaml";

Scenario load(const std::string& path) {
  auto s = load_scenario(path);
  EXPECT_TRUE(s) << (s ? "" : s.error().to_string());
  return *std::move(s);
}

// One written frame: its record and decoded header, and its bytes.
struct Frame {
  pcap::DecodedPacket d;
  std::vector<std::uint8_t> bytes;
};

class TrafficGenTest : public test_support::TempDirTest {
 protected:
  // Generates into a fresh file and returns its path (stats in `stats`).
  fs::path generate(const Scenario& s, const GenOptions& options, GenStats* stats = nullptr) {
    fs::path path = temp_dir_ / ("gen-" + std::to_string(++files_) + ".pcap");
    auto plan = plan_traffic(s, options);
    EXPECT_TRUE(plan) << (plan ? "" : plan.error().to_string());
    if (!plan) return path;
    auto writer = pcap::CaptureWriter::create(path.string(), pcap::LinkType::kEthernet);
    EXPECT_TRUE(writer);
    auto written = write_traffic(*plan, *writer);
    EXPECT_TRUE(written) << (written ? "" : written.error().to_string());
    EXPECT_TRUE(writer->close());
    if (written) {
      EXPECT_EQ(written->packets, plan->packets());
    }
    if (written && stats != nullptr) *stats = *written;
    return path;
  }

  static std::vector<Frame> read_frames(const fs::path& path) {
    std::vector<Frame> frames;
    auto reader = pcap::CaptureReader::open(path.string());
    EXPECT_TRUE(reader) << (reader ? "" : reader.error().to_string());
    if (!reader) return frames;
    EXPECT_EQ(reader->link_type(), pcap::LinkType::kEthernet);
    pcap::RecordBatch batch;
    while (true) {
      auto n = reader->read_batch(batch);
      EXPECT_TRUE(n);
      if (!n || *n == 0) break;
      for (const pcap::Record& r : batch.records) {
        Frame f;
        auto data = batch.data(r);
        f.d = pcap::decode_packet(pcap::LinkType::kEthernet, data, {});
        f.d.index = r.index;
        f.d.ts_ns = r.ts_ns;
        f.d.caplen = r.caplen;
        f.d.len = r.len;
        f.bytes.assign(data.begin(), data.end());
        frames.push_back(std::move(f));
      }
    }
    EXPECT_FALSE(reader->truncated_tail());
    return frames;
  }

  int files_ = 0;
};

std::uint32_t word16(const std::vector<std::uint8_t>& b, std::size_t at) {
  return (std::uint32_t{b[at]} << 8) | b[at + 1];
}
std::uint32_t word32(const std::vector<std::uint8_t>& b, std::size_t at) {
  return (word16(b, at) << 16) | word16(b, at + 2);
}

// The ones-complement sum of bytes [from, to) folded to 16 bits (0xffff when they check out).
std::uint32_t ones_sum(const std::vector<std::uint8_t>& b, std::size_t from, std::size_t to, std::uint64_t start = 0) {
  std::uint64_t s = start;
  for (std::size_t i = from; i + 1 < to; i += 2) s += word16(b, i);
  if ((to - from) % 2 != 0) s += std::uint64_t{b[to - 1]} << 8;
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return static_cast<std::uint32_t>(s);
}

// Whether the IPv4 header checksum and the TCP/UDP/ICMP checksum of a whole frame are right.
void expect_checksums(const Frame& f) {
  const auto& b = f.bytes;
  ASSERT_EQ(f.d.caplen, f.d.len) << "packet #" << f.d.index;
  const bool v4 = f.d.family == net::Family::kIpv4;
  const std::size_t ip = 14;
  const std::size_t l4 = ip + (v4 ? 20 : 40);
  ASSERT_EQ(b.size(), ip + f.d.ip_length) << "packet #" << f.d.index;
  std::uint64_t pseudo = 0;
  if (v4) {
    EXPECT_EQ(ones_sum(b, ip, ip + 20), 0xffffu) << "IPv4 header checksum of packet #" << f.d.index;
    pseudo = ones_sum(b, ip + 12, ip + 20);
  } else {
    pseudo = ones_sum(b, ip + 8, ip + 40);
  }
  const std::size_t l4_length = b.size() - l4;
  if (f.d.proto == net::kProtoIcmp) {
    pseudo = 0;  // ICMPv4 has no pseudo-header
  } else {
    pseudo += f.d.proto + l4_length;
  }
  EXPECT_EQ(ones_sum(b, l4, b.size(), pseudo), 0xffffu)
      << "transport checksum of packet #" << f.d.index << " (proto " << int{f.d.proto} << ")";
}

std::uint32_t payload_bytes(const Frame& f) {
  const std::size_t ip_header = f.d.family == net::Family::kIpv4 ? 20 : 40;
  return static_cast<std::uint32_t>(f.d.ip_length - ip_header - 20);
}

using FlowId = std::tuple<int, net::Ip128, std::uint16_t, net::Ip128, std::uint16_t>;

TEST_F(TrafficGenTest, SameSeedGivesIdenticalBytesAndAnotherSeedOtherBytes) {
  const Scenario s = load(kExample);
  const std::string a = test_support::read_whole_file(generate(s, {.flows = 200, .seed = 7}));
  const std::string b = test_support::read_whole_file(generate(s, {.flows = 200, .seed = 7}));
  const std::string c = test_support::read_whole_file(generate(s, {.flows = 200, .seed = 8}));
  ASSERT_GT(a.size(), 24u);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

TEST_F(TrafficGenTest, WritesExactlyThePacketsAskedFor) {
  const Scenario s = load(kExample);
  auto plan = plan_traffic(s, {.flows = 50, .seed = 3});  // what they need depends on the seed
  ASSERT_TRUE(plan);
  const std::uint64_t needed = plan->packets();
  for (std::uint64_t packets :
       {needed, needed + 1, needed + 2, needed + 49, needed + 50, needed + 1234, std::uint64_t{2000}}) {
    if (packets < needed) continue;
    GenStats stats;
    const fs::path path = generate(s, {.flows = 50, .packets = packets, .seed = 3}, &stats);
    EXPECT_EQ(read_frames(path).size(), packets);
    EXPECT_EQ(stats.packets, packets);
    EXPECT_EQ(stats.flows, 50u);
  }
}

TEST_F(TrafficGenTest, EveryFrameDecodesWithCorrectChecksumsInTimeOrder) {
  const Scenario s = load(kDualStack);
  const auto frames = read_frames(generate(s, {.flows = 300, .packets = 9000, .seed = 11}));
  ASSERT_EQ(frames.size(), 9000u);
  std::int64_t previous = kGenEpochNs;
  for (const Frame& f : frames) {
    ASSERT_EQ(f.d.malformed, pcap::Malformed::kNone) << "packet #" << f.d.index;
    ASSERT_TRUE(f.d.has_ip);
    EXPECT_FALSE(f.d.fragment.is_fragment);
    EXPECT_GE(f.d.ts_ns, previous) << "packet #" << f.d.index;
    previous = f.d.ts_ns;
    expect_checksums(f);
    if (f.d.proto == net::kProtoTcp && f.d.family == net::Family::kIpv4) {
      EXPECT_TRUE(f.d.dont_fragment) << "packet #" << f.d.index;
    }
    EXPECT_GT(f.d.ttl, 0);
  }
}

TEST_F(TrafficGenTest, TcpFlowsHaveHandshakeConsistentSequenceNumbersAndTeardown) {
  const Scenario s = load(kDualStack);
  const auto frames = read_frames(generate(s, {.flows = 200, .packets = 5000, .seed = 5}));
  // Packets of each TCP connection, in order, keyed by the initiator's side.
  std::map<FlowId, std::vector<const Frame*>> flows;
  for (const Frame& f : frames) {
    if (f.d.proto != net::kProtoTcp) continue;
    FlowId forward{static_cast<int>(f.d.family), f.d.src, f.d.sport, f.d.dst, f.d.dport};
    FlowId backward{static_cast<int>(f.d.family), f.d.dst, f.d.dport, f.d.src, f.d.sport};
    if (flows.count(backward) != 0) {
      flows[backward].push_back(&f);
    } else {
      flows[forward].push_back(&f);
    }
  }
  ASSERT_GT(flows.size(), 100u);
  for (const auto& [id, packets] : flows) {
    ASSERT_GE(packets.size(), 6u);
    const Frame& syn = *packets[0];
    const Frame& synack = *packets[1];
    const Frame& ack = *packets[2];
    EXPECT_EQ(syn.d.tcp_flags, 0x02);
    EXPECT_EQ(synack.d.tcp_flags, 0x12);
    EXPECT_EQ(ack.d.tcp_flags, 0x10);
    EXPECT_EQ(synack.d.src, syn.d.dst);
    const std::size_t tcp0 = 14 + (syn.d.family == net::Family::kIpv4 ? 20 : 40);
    EXPECT_EQ(word32(synack.bytes, tcp0 + 8), word32(syn.bytes, tcp0 + 4) + 1) << "SYN-ACK acknowledges SYN + 1";
    // Each side's next sequence number = previous + payload (+1 for SYN and FIN), and every
    // ACK acknowledges what the other side has sent so far at most.
    std::uint32_t next[2] = {0, 0};
    bool seen[2] = {false, false};
    int fins = 0;
    for (const Frame* p : packets) {
      const int side = p->d.src == syn.d.src && p->d.sport == syn.d.sport ? 0 : 1;
      const std::size_t tcp = 14 + (p->d.family == net::Family::kIpv4 ? 20 : 40);
      EXPECT_EQ(p->bytes[tcp + 12] >> 4, 5) << "data offset";
      const std::uint32_t seq = word32(p->bytes, tcp + 4);
      const std::uint32_t ackno = word32(p->bytes, tcp + 8);
      if (seen[side]) {
        EXPECT_EQ(seq, next[side]) << "packet #" << p->d.index;
      }
      if ((p->d.tcp_flags & 0x10) != 0 && seen[1 - side]) {
        EXPECT_EQ(ackno, next[1 - side]) << "packet #" << p->d.index;
      }
      next[side] = seq + payload_bytes(*p) + ((p->d.tcp_flags & 0x03) != 0 ? 1 : 0);
      seen[side] = true;
      fins += (p->d.tcp_flags & 0x01) != 0 ? 1 : 0;
    }
    EXPECT_EQ(fins, 2);
    EXPECT_EQ(packets.back()->d.tcp_flags, 0x10) << "the last ACK closes the connection";
  }
}

TEST_F(TrafficGenTest, HealthChecksFromEveryNodeToEveryTargetAtTheInterval) {
  const Scenario s = load(kDualStack);
  GenStats stats;
  const auto frames = read_frames(generate(s, {.flows = 100, .seed = 2}, &stats));
  // SYN times per (source, target, port) of the health checks.
  std::map<std::tuple<net::Ip128, net::Ip128, std::uint16_t>, std::vector<std::int64_t>> syns;
  for (const Frame& f : frames) {
    if (f.d.proto == net::kProtoTcp && f.d.tcp_flags == 0x02) syns[{f.d.src, f.d.dst, f.d.dport}].push_back(f.d.ts_ns);
  }
  std::set<std::tuple<InterfaceIndex, InterfaceIndex, std::uint16_t>> pairs;
  for (const LoadBalancer& lb : s.load_balancers) {
    for (InterfaceIndex node : lb.nodes) {
      for (const Listener& listener : lb.listeners) {
        const TargetGroup& tg = s.target_groups[listener.target_group];
        for (const Target& target : tg.targets) {
          const auto from = s.interfaces[node].ipv4;
          const auto to = s.interfaces[target.interface].ipv4;
          ASSERT_TRUE(from && to);
          const auto& times = syns[{from->bits, to->bits, health_check_port(s, listener.target_group, target)}];
          ASSERT_GE(times.size(), 2u) << interface_name(s, node) << " -> " << interface_name(s, target.interface);
          for (std::size_t i = 1; i < times.size(); ++i) {
            EXPECT_EQ(times[i] - times[i - 1], std::int64_t{tg.health_check.interval_s} * 1'000'000'000);
          }
          pairs.insert({node, target.interface, health_check_port(s, listener.target_group, target)});
        }
      }
    }
  }
  EXPECT_GT(pairs.size(), 0u);
  EXPECT_GE(stats.health_checks, 2 * pairs.size());
}

TEST_F(TrafficGenTest, Ipv6ClientsWhereANodeHasIpv6AndOnlyThere) {
  const Scenario dual = load(kDualStack);
  GenStats stats;
  const auto frames = read_frames(generate(dual, {.flows = 60, .seed = 4}, &stats));
  std::set<net::Ip128> v6_nodes;
  for (const Frame& f : frames) {
    if (f.d.family == net::Family::kIpv6 && f.d.proto == net::kProtoTcp && f.d.tcp_flags == 0x02) {
      EXPECT_EQ(f.d.src.hi >> 32, 0x20010db8u) << "client from 2001:db8::/32";
      v6_nodes.insert(f.d.dst);
    }
  }
  EXPECT_GT(stats.ipv6_flows, 0u);
  std::size_t dual_nodes = 0;
  for (const LoadBalancer& lb : dual.load_balancers) {
    for (InterfaceIndex n : lb.nodes) {
      if (dual.interfaces[n].ipv6) {
        ++dual_nodes;
        EXPECT_EQ(v6_nodes.count(dual.interfaces[n].ipv6->bits), 1u) << interface_name(dual, n);
      }
    }
  }
  EXPECT_EQ(v6_nodes.size(), dual_nodes);

  const Scenario v4_only = load(kExample);  // its node has no IPv6 address
  GenStats v4_stats;
  for (const Frame& f : read_frames(generate(v4_only, {.flows = 60, .seed = 4}, &v4_stats))) {
    EXPECT_EQ(f.d.family, net::Family::kIpv4);
  }
  EXPECT_EQ(v4_stats.ipv6_flows, 0u);
}

TEST_F(TrafficGenTest, LargeDfResponsesExceedTheInternetMtu) {
  const Scenario s = load(kExample);
  GenStats stats;
  const auto frames = read_frames(generate(s, {.flows = 40, .seed = 9}, &stats));
  std::size_t large = 0;
  for (const Frame& f : frames) {
    if (f.d.family == net::Family::kIpv4 && f.d.dont_fragment && f.d.ip_length > s.mtu.internet_bytes) {
      EXPECT_EQ(f.d.ip_length, s.mtu.vpc_bytes) << "an MSS-sized segment of the VPC MTU";
      EXPECT_EQ(f.d.sport, 443) << "sent by the node towards the client";
      ++large;
    }
  }
  EXPECT_EQ(large, 10u) << "every fourth TCP flow";
  EXPECT_EQ(stats.large_df_packets, large);
}

TEST_F(TrafficGenTest, ClientsUseThePublicAddressAndDocumentationRanges) {
  const Scenario s = load(kExample);
  for (const Frame& f : read_frames(generate(s, {.flows = 100, .seed = 6}))) {
    if (f.d.proto != net::kProtoTcp || f.d.tcp_flags != 0x02 || f.d.dport != 443) continue;
    EXPECT_EQ(f.d.dst, net::ip4(203, 0, 113, 10));
    const bool documentation = (f.d.src.lo >> 8) == 0xc63364 || (f.d.src.lo >> 8) == 0xcb0071;
    EXPECT_TRUE(documentation) << net::format_address(f.d.family, f.d.src);
    EXPECT_NE(f.d.src, net::ip4(203, 0, 113, 10));
    EXPECT_GE(f.d.sport, 32768);
    EXPECT_LE(f.d.sport, 60999);
  }
}

TEST_F(TrafficGenTest, EveryRecommendedScenarioCoversEachListenerAndNode) {
  for (const auto& entry : fs::directory_iterator(PFSIM_SCENARIOS_DIR)) {
    const fs::path file = entry.path() / "recommended.yaml";
    if (!fs::exists(file)) continue;
    SCOPED_TRACE(file.string());
    const Scenario s = load(file.string());
    // A scenario without load balancers (e.g. real-pcap/, which describes the hosts of a real
    // capture) has no client traffic to generate: TrafficGenErrors covers that error.
    if (s.load_balancers.empty()) continue;
    const auto frames = read_frames(generate(s, {.flows = 300, .seed = 1}));
    std::set<std::tuple<net::Ip128, std::uint16_t, std::uint8_t>> seen;  // (node address, port, proto)
    for (const Frame& f : frames) {
      ASSERT_EQ(f.d.malformed, pcap::Malformed::kNone) << "packet #" << f.d.index;
      expect_checksums(f);
      seen.insert({f.d.dst, f.d.dport, f.d.proto});
    }
    for (const LoadBalancer& lb : s.load_balancers) {
      for (const Listener& listener : lb.listeners) {
        for (InterfaceIndex n : lb.nodes) {
          const NetworkInterface& node = s.interfaces[n];
          const auto& address = lb.internet_facing && node.public_ip ? node.public_ip : node.ipv4;
          const std::uint8_t proto = uses_tcp(listener.protocol) ? net::kProtoTcp : net::kProtoUdp;
          EXPECT_EQ(seen.count({address->bits, listener.port, proto}), 1u)
              << lb.id << " listener " << listener.port << " at " << interface_name(s, n);
        }
      }
    }
  }
}

TEST_F(TrafficGenTest, SnaplenCutsCapturedBytesNotLengths) {
  const Scenario s = load(kExample);
  GenStats whole_stats, cut_stats;
  const auto whole = read_frames(generate(s, {.flows = 30, .seed = 3}, &whole_stats));
  const auto cut = read_frames(generate(s, {.flows = 30, .seed = 3, .snaplen_bytes = 96}, &cut_stats));
  ASSERT_EQ(whole.size(), cut.size());
  for (std::size_t i = 0; i < cut.size(); ++i) {
    EXPECT_EQ(cut[i].d.len, whole[i].d.len);
    EXPECT_EQ(cut[i].d.caplen, std::min<std::uint32_t>(96, whole[i].d.len));
    EXPECT_EQ(cut[i].d.malformed, pcap::Malformed::kNone);
    EXPECT_TRUE(std::equal(cut[i].bytes.begin(), cut[i].bytes.end(), whole[i].bytes.begin()));
  }
  EXPECT_EQ(cut_stats.wire_bytes, whole_stats.wire_bytes);
  EXPECT_LT(cut_stats.captured_bytes, whole_stats.captured_bytes);
}

TEST_F(TrafficGenTest, HuaweiUdpHealthChecksAndSharedPool) {
  const Scenario s = load(std::string(PFSIM_SCENARIOS_DIR) + "/huawei-elb/recommended.yaml");
  const auto frames = read_frames(generate(s, {.flows = 100, .seed = 1}));
  std::size_t from_pool = 0;
  for (const Frame& f : frames) {
    if ((f.d.src.lo >> 16) == 0x647d) ++from_pool;  // 100.125.0.0/16
  }
  bool shared = false;
  for (const LoadBalancer& lb : s.load_balancers) shared = shared || lb.type == LbType::kHuaweiShared;
  if (shared) {
    EXPECT_GT(from_pool, 0u);
  }
}

TEST(TrafficGenErrors, NoListenerFewerPacketsAndNoFlowsAreErrors) {
  auto empty = parse_scenario("pfsim: 1\nprovider: aws\nvpc: {cidr: 10.0.0.0/16}\n", "empty.yaml");
  ASSERT_TRUE(empty) << empty.error().to_string();
  auto none = plan_traffic(*empty, {});
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().file, "empty.yaml");
  EXPECT_NE(none.error().message.find("no load balancer"), std::string::npos) << none.error().message;

  const Scenario s = load(kExample);
  auto plan = plan_traffic(s, {.flows = 10});
  ASSERT_TRUE(plan);
  auto few = plan_traffic(s, {.flows = 10, .packets = plan->packets() - 1});
  ASSERT_FALSE(few);
  EXPECT_NE(few.error().message.find("fewer than the"), std::string::npos) << few.error().message;
  EXPECT_FALSE(plan_traffic(s, {.flows = 0}));
  EXPECT_FALSE(plan_traffic(s, {.flows = 10, .snaplen_bytes = 40}));
}

}  // namespace
}  // namespace pfsim::engine
