// `pfsim replay` semantics (engine/replay/replay.h): small captures written with pcap::CaptureWriter
// from Ethernet/IPv4 frames of pcap::encode_frame, replayed over the scenarios of scenarios/.
#include "engine/replay/replay.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "engine/model/scenario_loader.h"
#include "engine/paths/lb_paths.h"
#include "pcap/capture.h"
#include "pcap/encode.h"
#include "tests/encapsulate.h"
#include "tests/encoded_frame.h"
#include "tests/engine/replay_report_text.h"
#include "tests/temp_dir.h"

namespace pfsim::engine {
namespace {

constexpr std::int64_t kSecond = 1'000'000'000;
constexpr std::int64_t kT0 = 1'700'000'000 * kSecond;

struct Frame {
  std::int64_t ts_ns = 0;
  std::vector<std::uint8_t> bytes;
};

net::Ip128 ip(const char* text) {
  auto a = net::parse_address(text);
  EXPECT_TRUE(a.ok()) << text;
  return a.ok() ? a->bits : net::Ip128{};
}

std::int64_t at(double t_s) { return kT0 + static_cast<std::int64_t>(t_s * kSecond); }

// Ethernet + IPv4 (DF as asked) + TCP with `payload` zero bytes; ip_length = 40 + payload.
Frame tcp(double t_s, const char* src, std::uint16_t sport, const char* dst, std::uint16_t dport, std::uint16_t flags,
          std::size_t payload = 0, bool df = false) {
  pcap::FrameSpec spec;
  spec.src = ip(src);
  spec.dst = ip(dst);
  spec.dont_fragment = df;
  spec.sport = sport;
  spec.dport = dport;
  spec.tcp_flags = flags;
  spec.payload_bytes = static_cast<std::uint32_t>(payload);
  return {at(t_s), test_support::encoded_frame(spec)};
}

// An IPv4 frame cut inside its IP header (malformed: truncated-ipv4).
Frame truncated(double t_s) {
  Frame frame = tcp(t_s, "198.51.100.7", 1, "203.0.113.10", 2, 0x02);
  frame.bytes.resize(14 + 10);
  return frame;
}

class ReplayTest : public test_support::TempDirTest {
 protected:
  std::string write(const std::vector<Frame>& frames, const std::string& name = "in.pcap") {
    const std::string path = (temp_dir_ / name).string();
    auto w = pcap::CaptureWriter::create(path, pcap::LinkType::kEthernet);
    EXPECT_TRUE(w.ok());
    for (const Frame& f : frames)
      EXPECT_TRUE(w->write(f.ts_ns, static_cast<std::uint32_t>(f.bytes.size()), f.bytes).ok());
    EXPECT_TRUE(w->close().ok());
    return path;
  }

  static Scenario scenario(const std::string& relative) {
    auto s = load_scenario(std::string(PFSIM_SCENARIOS_DIR) + "/" + relative);
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().to_string());
    return s.ok() ? std::move(*s) : Scenario{};
  }

  static ReplayReport replay(const Scenario& s, const std::vector<std::string>& captures, ReplayOptions options = {}) {
    auto r = run_replay(s, captures, options);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().to_string());
    return r.ok() ? std::move(*r) : ReplayReport{};
  }
};

const ClassCounts& cls(const ReplayReport& r, TrafficClass c) { return r.classes[static_cast<std::size_t>(c)]; }

const DropGroup* find_drop(const ReplayReport& r, TrafficClass c, const std::string& hook) {
  for (const DropGroup& g : r.drops)
    if (g.cls == c && g.hook == hook) return &g;
  return nullptr;
}

// A three-packet handshake of an internet client with the ALB's public address, both ways.
std::vector<Frame> alb_handshake(double t_s, std::uint16_t client_port) {
  return {tcp(t_s, "198.51.100.7", client_port, "203.0.113.10", 443, 0x02),
          tcp(t_s + 0.001, "203.0.113.10", 443, "198.51.100.7", client_port, 0x12),
          tcp(t_s + 0.002, "198.51.100.7", client_port, "203.0.113.10", 443, 0x10)};
}

TEST_F(ReplayTest, AllowedListenerFlowBothWays) {
  const Scenario s = scenario("aws-alb-internet-facing/recommended.yaml");
  const ReplayReport r = replay(s, {write(alb_handshake(0, 51000))});
  EXPECT_EQ(r.packets_read, 3u);
  EXPECT_EQ(r.packets_evaluated, 3u);
  EXPECT_EQ(cls(r, TrafficClass::kListener).allowed, 3u);
  EXPECT_EQ(cls(r, TrafficClass::kListener).dropped, 0u);
  EXPECT_GT(cls(r, TrafficClass::kHealthCheck).allowed, 0u);
  EXPECT_TRUE(r.drops.empty()) << report_text(r);
  for (const ReplayTarget& t : r.targets) EXPECT_EQ(t.health, Health::kHealthy) << t.target;
  EXPECT_FALSE(replay_flagged(r));
}

TEST_F(ReplayTest, AFlowIdlePastItsTimeoutIsJudgedByTheRulesAgain) {
  // Later packets of a flow pass by the conntrack slots their route knows (ReplayEngine's fast
  // path) only while those flows are live: after 5 s idle the server's reply is judged by the
  // rules again, and the node's group lets only the listener port in.
  Scenario s = scenario("aws-alb-internet-facing/recommended.yaml");
  s.conntrack.tcp_established_s = 5;
  std::vector<Frame> frames = alb_handshake(0, 51000);
  frames.push_back(tcp(1, "198.51.100.7", 51000, "203.0.113.10", 443, 0x18, 100));
  frames.push_back(tcp(2, "203.0.113.10", 443, "198.51.100.7", 51000, 0x18, 100));
  frames.push_back(tcp(20, "203.0.113.10", 443, "198.51.100.7", 51000, 0x18, 100));
  frames.push_back(tcp(21, "198.51.100.7", 51000, "203.0.113.10", 443, 0x10));
  const ReplayReport r = replay(s, {write(frames)});
  EXPECT_EQ(cls(r, TrafficClass::kListener).allowed, 6u) << report_text(r);
  EXPECT_EQ(cls(r, TrafficClass::kListener).dropped, 1u);
  ASSERT_EQ(r.drops.size(), 1u) << report_text(r);
  EXPECT_EQ(r.drops[0].cls, TrafficClass::kListener);
  EXPECT_EQ(r.drops[0].hook.rfind("sg-ingress(", 0), 0u) << r.drops[0].hook;
  EXPECT_TRUE(r.drops[0].rule.is_default);
  EXPECT_EQ(r.drops[0].first_packet, 6u);
}

TEST_F(ReplayTest, BrokenHealthCheckMakesTargetsUnhealthy) {
  const Scenario s = scenario("aws-alb-internet-facing/broken-hc.yaml");
  // Over 65 s: checks at 0, 30 and 60 s from both nodes to both targets.
  std::vector<Frame> frames = alb_handshake(0, 51000);
  frames.push_back(tcp(65, "198.51.100.7", 51000, "203.0.113.10", 443, 0x11));
  const ReplayReport r = replay(s, {write(frames)});
  EXPECT_EQ(cls(r, TrafficClass::kListener).dropped, 0u);
  EXPECT_EQ(cls(r, TrafficClass::kHealthCheck).dropped, 2u * 2u * 3u);  // nodes x targets x checks
  const DropGroup* g = find_drop(r, TrafficClass::kHealthCheck, "sg-ingress(i-web1)");
  ASSERT_NE(g, nullptr) << report_text(r);
  EXPECT_TRUE(g->rule.is_default);
  EXPECT_EQ(g->packets, 6u);
  EXPECT_EQ(g->flows, 6u);
  EXPECT_EQ(g->first_packet, 0u);  // synthesized only
  EXPECT_NE(g->fix.find("tcp 8080 from sg-alb"), std::string::npos) << g->fix;
  ASSERT_EQ(r.targets.size(), 2u);
  for (const ReplayTarget& t : r.targets) {
    EXPECT_EQ(t.health, Health::kUnhealthy);
    EXPECT_NE(t.reason.find("dropped at sg-ingress(" + t.target + ")"), std::string::npos) << t.reason;
  }
  EXPECT_TRUE(replay_flagged(r));
}

// A client port whose backend connection (explain's ephemeral port from the flow hash) falls
// below 32768, where broken-ephemeral's acl-app does not let the replies out.
std::uint16_t low_backend_port_client() {
  for (std::uint16_t port = 40000;; ++port) {
    net::FiveTuple t{net::Ip128{0, 0xC6336407u}, net::Ip128{0, 0xCB007114u}, port, 80, net::kProtoTcp,
                     net::Family::kIpv4};
    if (1024 + choose_target(t, 65536 - 1024) < 32768) return port;
  }
}

TEST_F(ReplayTest, EphemeralRepliesDroppedAtNaclOut) {
  const Scenario s = scenario("aws-clb-vpc/broken-ephemeral.yaml");
  const std::uint16_t port = low_backend_port_client();
  const ReplayReport r = replay(s, {write({tcp(0, "198.51.100.7", port, "203.0.113.20", 80, 0x02),
                                           tcp(0.01, "203.0.113.20", 80, "198.51.100.7", port, 0x12)})});
  // The SYN reaches its target; the SYN-ACK's backend leg (target -> node) is dropped.
  EXPECT_EQ(cls(r, TrafficClass::kListener).allowed, 1u) << report_text(r);
  EXPECT_EQ(cls(r, TrafficClass::kListener).dropped, 1u);
  const DropGroup* g = find_drop(r, TrafficClass::kListener, "nacl-out(app-a)");
  ASSERT_NE(g, nullptr) << report_text(r);
  EXPECT_TRUE(g->rule.is_default);
  EXPECT_EQ(g->first_packet, 2u);
  EXPECT_NE(g->example.community_id.find("1:"), std::string::npos);
  EXPECT_NE(g->fix.find("1024-65535"), std::string::npos) << g->fix;
}

// replay.h, "Tunnels": the same capture inside VXLAN or Geneve, on an Ethernet or a RAW outer
// link, decapsulated, gives the plain capture's report, by the fast path or the judge; its drops
// say where they were seen (VXLAN only: the VNI, and the interface of the mirror session with it).
TEST_F(ReplayTest, DecapsulatedCapturesGiveThePlainReportOnEveryOuterLink) {
  Scenario s = scenario("aws-clb-vpc/broken-ephemeral.yaml");
  const InterfaceIndex app1 = interface_at(s, net::IpAddress{net::Family::kIpv4, ip("10.20.1.10")});
  ASSERT_NE(app1, kNone);
  TrafficMirrorSession session;
  session.vni = 7;
  session.interface = app1;
  s.traffic_mirror_sessions.push_back(session);
  const std::uint16_t port = low_backend_port_client();
  std::vector<Frame> frames;
  for (int k = 0; k < 3; ++k) {
    frames.push_back(tcp(k, "198.51.100.7", port, "203.0.113.20", 80, 0x02));
    frames.push_back(tcp(k + 0.01, "203.0.113.20", 80, "198.51.100.7", port, 0x12));
  }
  frames.push_back(tcp(4, "192.0.2.200", 1234, "192.0.2.201", 80, 0x02));  // no endpoint in the scenario
  const std::string plain_path = write(frames);
  const ReplayReport plain = replay(s, {plain_path});
  ASSERT_FALSE(plain.drops.empty()) << report_text(plain);
  EXPECT_EQ(plain.packets_unmatched, 1u);
  const auto without_seen_at = [](ReplayReport r) {
    for (DropGroup& g : r.drops) {
      g.seen_at.clear();
      g.example.seen_at.reset();
    }
    return r;
  };
  for (const pcap::Tunnel kind : {pcap::Tunnel::kVxlan, pcap::Tunnel::kGeneve}) {
    for (const pcap::LinkType link : {pcap::LinkType::kEthernet, pcap::LinkType::kRaw}) {
      SCOPED_TRACE(std::string(kind == pcap::Tunnel::kVxlan ? "vxlan" : "geneve") + " on " +
                   std::string(pcap::link_type_name(link)));
      const std::string path = (temp_dir_ / "tunnel.pcap").string();
      test_support::Encapsulation e{.kind = kind, .outer_link = link};
      e.vni = [](const pcap::DecodedPacket&) { return 7u; };
      ASSERT_TRUE(test_support::encapsulate_capture(plain_path, path, e).ok());
      // Without --decapsulate every packet is the outer UDP datagram, between two unknown addresses.
      const ReplayReport outer = replay(s, {path});
      EXPECT_EQ(cls(outer, TrafficClass::kOther).allowed, frames.size());
      EXPECT_EQ(outer.packets_unmatched, frames.size());
      for (const bool fast : {true, false}) {
        ReplayOptions options;
        options.decapsulate = true;
        options.fast_path = fast;
        const ReplayReport inner = replay(s, {path}, options);
        EXPECT_EQ(report_text(without_seen_at(inner)), report_text(plain));
        for (const DropGroup& g : inner.drops) {
          // Geneve's VNI names no mirror session; synthesized packets were seen nowhere.
          if (kind == pcap::Tunnel::kGeneve || g.first_packet == 0) {
            EXPECT_TRUE(g.seen_at.empty());
            EXPECT_FALSE(g.example.seen_at);
            continue;
          }
          EXPECT_EQ(g.seen_at, (std::vector<SeenAt>{{7, "i-app1"}})) << report_text(inner);
          EXPECT_EQ(g.example.seen_at, (SeenAt{7, "i-app1"}));
        }
      }
    }
  }
}

TEST_F(ReplayTest, LargeDfResponseBlackHolesOnBrokenPmtu) {
  const Scenario s = scenario("aws-clb-vpc/broken-pmtu.yaml");
  const ReplayReport r = replay(s, {write({tcp(0, "198.51.100.7", 40000, "203.0.113.20", 80, 0x02),
                                           tcp(0.01, "203.0.113.20", 80, "198.51.100.7", 40000, 0x12),
                                           tcp(0.02, "203.0.113.20", 80, "198.51.100.7", 40000, 0x10, 1560, true)})});
  EXPECT_EQ(cls(r, TrafficClass::kListener).dropped, 0u) << report_text(r);
  EXPECT_EQ(cls(r, TrafficClass::kPmtu).dropped, 1u);
  const DropGroup* g = find_drop(r, TrafficClass::kPmtu, "nacl-in(pub-a)");
  ASSERT_NE(g, nullptr) << report_text(r);
  EXPECT_FALSE(g->rule.is_default);
  EXPECT_EQ(g->rule.id, "acl-pub rule 90");
  ASSERT_EQ(r.warnings.size(), 1u) << report_text(r);
  EXPECT_NE(r.warnings[0].find("PMTU black hole: tcp 10.20.0.5:80 -> 198.51.100.7:40000"), std::string::npos)
      << r.warnings[0];
  EXPECT_TRUE(replay_flagged(r));

  // Small or non-DF responses cause no error; recommended.yaml lets the error through.
  const ReplayReport ok = replay(scenario("aws-clb-vpc/recommended.yaml"),
                                 {write({tcp(0, "198.51.100.7", 40000, "203.0.113.20", 80, 0x02),
                                         tcp(0.02, "203.0.113.20", 80, "198.51.100.7", 40000, 0x12, 1560, true)},
                                        "ok.pcap")});
  EXPECT_EQ(cls(ok, TrafficClass::kPmtu).allowed, 1u) << report_text(ok);
  EXPECT_EQ(cls(ok, TrafficClass::kPmtu).dropped, 0u);
}

// EC2 guide, "Network maximum transmission unit (MTU) for your EC2 instance": the 1500-byte
// limit is for "Traffic over an internet gateway" (and VPNs, and between Regions); inside the
// VPC the MTU is the VPC's. An internal ALB's client at a VPC address outside every subnet
// (over peering or a VPN attachment) gets large DF responses without a PMTU error (before, it
// was given the internet's and a spurious one; lb_paths_test has the address outside the VPC).
TEST_F(ReplayTest, ClientsAtVpcAddressesOutsideEverySubnetGetTheVpcMtu) {
  const Scenario s = scenario("aws-alb-internal/recommended.yaml");
  for (ReplayMode mode : {ReplayMode::kThroughLb, ReplayMode::kAsCaptured}) {
    ReplayOptions options;
    options.mode = mode;
    const ReplayReport inside = replay(s,
                                       {write({tcp(0, "10.1.255.254", 40000, "10.1.1.5", 80, 0x02),
                                               tcp(0.01, "10.1.1.5", 80, "10.1.255.254", 40000, 0x12),
                                               tcp(0.02, "10.1.1.5", 80, "10.1.255.254", 40000, 0x10, 3000, true)},
                                              "inside.pcap")},
                                       options);
    const ClassCounts& pmtu = cls(inside, TrafficClass::kPmtu);
    EXPECT_EQ(pmtu.allowed + pmtu.dropped, 0u) << report_text(inside);
  }
}

constexpr const char* kEventScenario = R"(pfsim: 1
vpc: {cidr: 10.0.0.0/16}
subnets:
  - {id: a, cidr: 10.0.1.0/24}
security_groups:
  - id: sg-a
    inbound:
      - {protocol: tcp, ports: 22, source: 0.0.0.0/0}
      - {protocol: tcp, ports: 80, source: 198.51.100.0/24}
    outbound:
      - {protocol: all, destination: 0.0.0.0/0}
instances:
  - {id: i-a, subnet: a, ip: 10.0.1.10, security_groups: [sg-a]}
events:
  - {at_s: 5, revoke: {security_group: sg-a, inbound: {protocol: tcp, ports: 22, source: 0.0.0.0/0}}}
  - {at_s: 5, revoke: {security_group: sg-a, inbound: {protocol: tcp, ports: 80, source: 198.51.100.0/24}}}
)";

TEST_F(ReplayTest, RevokeCutsUntrackedFlowButNotTrackedOne) {
  // EC2 guide, "Untracked connections": tcp 22 from 0.0.0.0/0 with all outbound to 0.0.0.0/0
  // is untracked, so removing the rule cuts it at once; tcp 80 from a /24 is tracked and lives on.
  auto s = parse_scenario(kEventScenario, "events.yaml");
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  const ReplayReport r = replay(*s, {write({tcp(0, "198.51.100.7", 40022, "10.0.1.10", 22, 0x02),
                                            tcp(0, "198.51.100.7", 40080, "10.0.1.10", 80, 0x02),
                                            tcp(10, "198.51.100.7", 40022, "10.0.1.10", 22, 0x10),
                                            tcp(10, "198.51.100.7", 40080, "10.0.1.10", 80, 0x10)})});
  EXPECT_EQ(cls(r, TrafficClass::kOther).allowed, 3u) << report_text(r);
  EXPECT_EQ(cls(r, TrafficClass::kOther).dropped, 1u);
  ASSERT_EQ(r.drops.size(), 1u);
  EXPECT_EQ(r.drops[0].hook, "sg-ingress(i-a)");
  EXPECT_EQ(r.drops[0].first_packet, 3u);
  EXPECT_FALSE(replay_flagged(r));  // class other is not flagged
}

TEST_F(ReplayTest, MalformedPacketsAreCountedAndReplayGoesOn) {
  const Scenario s = scenario("aws-alb-internet-facing/recommended.yaml");
  std::vector<Frame> frames = alb_handshake(0, 51000);
  frames.insert(frames.begin() + 1, truncated(0.0005));
  frames.push_back(truncated(0.01));
  const ReplayReport r = replay(s, {write(frames)});
  EXPECT_EQ(r.packets_read, 5u);
  EXPECT_EQ(r.packets_malformed, 2u);
  EXPECT_EQ(r.packets_evaluated, 3u);
  ASSERT_EQ(r.malformed.size(), 1u);
  EXPECT_EQ(r.malformed[0].kind, "truncated-ipv4");
  EXPECT_EQ(r.malformed[0].first, (std::vector<std::uint64_t>{2, 5}));
  EXPECT_EQ(cls(r, TrafficClass::kListener).allowed, 3u);
}

// Many flows over broken-hc and broken-ephemeral, for thread and shard equality.
std::vector<Frame> many_flows(const char* lb_public, std::uint16_t port, int flows) {
  std::vector<Frame> frames;
  for (int i = 0; i < flows; ++i) {
    const double t = i * 0.37;
    const auto cport = static_cast<std::uint16_t>(20000 + i * 7);
    frames.push_back(tcp(t, "198.51.100.7", cport, lb_public, port, 0x02));
    frames.push_back(tcp(t + 0.01, lb_public, port, "198.51.100.7", cport, 0x12));
    frames.push_back(tcp(t + 0.02, "198.51.100.7", cport, lb_public, port, 0x10, 200));
    frames.push_back(tcp(t + 0.03, lb_public, port, "198.51.100.7", cport, 0x10, 1560, true));
  }
  std::stable_sort(frames.begin(), frames.end(), [](const Frame& a, const Frame& b) { return a.ts_ns < b.ts_ns; });
  return frames;
}

TEST_F(ReplayTest, ThreadsGiveIdenticalReports) {
  for (const char* name : {"aws-clb-vpc/broken-ephemeral.yaml", "aws-clb-vpc/broken-pmtu.yaml"}) {
    const Scenario s = scenario(name);
    const std::string path = write(many_flows("203.0.113.20", 80, 3000));
    ReplayOptions one;
    one.batch_records = 64;
    ReplayOptions four = one;
    four.threads = 4;
    const ReplayReport a = replay(s, {path}, one);
    const ReplayReport b = replay(s, {path}, four);
    EXPECT_EQ(a.packets_read, 12000u);
    EXPECT_GT(cls(a, TrafficClass::kListener).dropped + cls(a, TrafficClass::kPmtu).dropped, 0u);
    EXPECT_EQ(report_text(a), report_text(b)) << name;
    EXPECT_EQ(b.threads, 4u);
  }
}

TEST_F(ReplayTest, ShardsAddUpToOneRun) {
  const Scenario s = scenario("aws-clb-vpc/broken-ephemeral.yaml");
  const std::string path = write(many_flows("203.0.113.20", 80, 500));
  const ReplayReport all = replay(s, {path});
  ReplayReport part[2];
  for (std::uint32_t i = 0; i < 2; ++i) {
    ReplayOptions o;
    o.shard_index = i;
    o.shard_count = 2;
    part[i] = replay(s, {path}, o);
  }
  EXPECT_EQ(part[0].packets_read + part[1].packets_read, all.packets_read);
  EXPECT_GT(part[0].packets_read, 0u);
  EXPECT_GT(part[1].packets_read, 0u);
  for (std::size_t c = 0; c < kTrafficClasses; ++c) {
    EXPECT_EQ(part[0].classes[c].allowed + part[1].classes[c].allowed, all.classes[c].allowed) << c;
    EXPECT_EQ(part[0].classes[c].dropped + part[1].classes[c].dropped, all.classes[c].dropped) << c;
  }
  for (const DropGroup& g : all.drops) {
    std::uint64_t packets = 0;
    std::uint64_t flows = 0;
    for (const ReplayReport& p : part)
      if (const DropGroup* h = find_drop(p, g.cls, g.hook)) packets += h->packets, flows += h->flows;
    EXPECT_EQ(packets, g.packets) << g.hook;
    EXPECT_EQ(flows, g.flows) << g.hook;
  }
}

TEST_F(ReplayTest, DroppedPcapHoldsEveryDroppedPacket) {
  const Scenario s = scenario("aws-clb-vpc/broken-ephemeral.yaml");
  const std::vector<Frame> frames = many_flows("203.0.113.20", 80, 200);
  const std::string path = write(frames);
  ReplayOptions o;
  o.dropped_pcap = (temp_dir_ / "dropped.pcap").string();
  o.threads = 2;
  const ReplayReport r = replay(s, {path}, o);
  auto reader = pcap::CaptureReader::open(o.dropped_pcap);
  ASSERT_TRUE(reader.ok());
  pcap::RecordBatch batch;
  std::vector<std::int64_t> times;
  while (true) {
    auto n = reader->read_batch(batch);
    ASSERT_TRUE(n.ok());
    if (*n == 0) break;
    for (const pcap::Record& rec : batch.records) {
      times.push_back(rec.ts_ns);
      EXPECT_EQ(rec.caplen, rec.len);
    }
  }
  // Only captured listener packets are dropped here (health checks are synthesized).
  EXPECT_EQ(times.size(), cls(r, TrafficClass::kListener).dropped + cls(r, TrafficClass::kOther).dropped);
  EXPECT_GT(times.size(), 0u);
  const DropGroup* g = find_drop(r, TrafficClass::kListener, "nacl-out(app-a)");
  ASSERT_NE(g, nullptr);
  EXPECT_NE(std::find(times.begin(), times.end(), frames[g->first_packet - 1].ts_ns), times.end());
}

TEST_F(ReplayTest, SharedIcmpCaptureReplaysAsCaptured) {
  const Scenario s = scenario("aws-clb-vpc/recommended.yaml");
  ReplayOptions o;
  o.mode = ReplayMode::kAsCaptured;
  const ReplayReport r = replay(s, {std::string(PFSIM_TEST_DATA_DIR) + "/pcaps/icmp-frag-needed-smtp.pcap"}, o);
  EXPECT_GT(r.packets_read, 0u);
  EXPECT_EQ(r.packets_read, r.packets_evaluated + r.packets_malformed + r.packets_non_ip);
  EXPECT_GT(cls(r, TrafficClass::kPmtu).allowed + cls(r, TrafficClass::kPmtu).dropped, 0u) << report_text(r);
}

TEST_F(ReplayTest, CorruptCaptureIsALocatedError) {
  const Scenario s = scenario("aws-clb-vpc/recommended.yaml");
  const std::string path = (temp_dir_ / "bad.pcap").string();
  std::ofstream(path) << "not a capture at all, clearly";
  auto r = run_replay(s, {path}, {});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().to_string().find("bad.pcap"), std::string::npos) << r.error().to_string();
}

// broken-hc: sg-web lacks the health-check port 8080, so every check's SYN is dropped at the
// target. The capture carries the series lb-a (10.0.1.5) -> i-web1 (10.0.2.10) with three
// checks (at 0, 30 and 60 s), and a listener flow spans 65 s: checks at 0, 30 and 60 s.
std::vector<Frame> captured_health_checks() {
  std::vector<Frame> frames = alb_handshake(0, 51000);
  for (int k = 0; k < 3; ++k)
    frames.push_back(tcp(30.0 * k + 0.5, "10.0.1.5", static_cast<std::uint16_t>(40000 + k), "10.0.2.10", 8080, 0x02));
  std::sort(frames.begin(), frames.end(), [](const Frame& a, const Frame& b) { return a.ts_ns < b.ts_ns; });
  frames.push_back(tcp(65, "198.51.100.7", 51000, "203.0.113.10", 443, 0x11));
  return frames;
}

const ReplayTarget& target_named(const ReplayReport& r, const std::string& id) {
  const auto it =
      std::find_if(r.targets.begin(), r.targets.end(), [&](const ReplayTarget& t) { return t.target == id; });
  EXPECT_NE(it, r.targets.end()) << id;
  return *it;
}

TEST_F(ReplayTest, CapturedHealthChecksAreCountedOnce) {
  const Scenario s = scenario("aws-alb-internet-facing/broken-hc.yaml");
  const std::string capture = write(captured_health_checks());
  ReplayOptions o;
  // synthesize: the carried series is judged twice, its own checks and synthesized ones.
  o.health_checks = HealthChecks::kSynthesize;
  ReplayReport r = replay(s, {capture}, o);
  EXPECT_EQ(cls(r, TrafficClass::kHealthCheck).dropped, 3u + 2u * 2u * 3u) << report_text(r);
  EXPECT_EQ(health_from(target_named(r, "i-web1")), "synthesized");
  // auto (the default): the carried series from the capture only, the three others synthesized.
  o.health_checks = HealthChecks::kAuto;
  r = replay(s, {capture}, o);
  EXPECT_EQ(cls(r, TrafficClass::kHealthCheck).dropped, 3u + 3u * 3u) << report_text(r);
  EXPECT_EQ(r.health_checks, HealthChecks::kAuto);
  const ReplayTarget& web1 = target_named(r, "i-web1");
  EXPECT_EQ(web1.health, Health::kUnhealthy);
  EXPECT_EQ(health_from(web1), "captured+synthesized");
  ASSERT_EQ(web1.checks.size(), 2u);
  EXPECT_TRUE(web1.checks[0].captured);
  EXPECT_EQ(web1.checks[0].checks, 3u);
  EXPECT_DOUBLE_EQ(web1.checks[0].last_s, 60.5);
  EXPECT_FALSE(web1.checks[0].ok);
  EXPECT_NE(web1.checks[0].reason.find("dropped at sg-ingress(i-web1)"), std::string::npos) << web1.checks[0].reason;
  EXPECT_FALSE(web1.checks[1].captured);
  EXPECT_EQ(web1.checks[1].checks, 3u);
  EXPECT_EQ(health_from(target_named(r, "i-web2")), "synthesized");
  // Every captured check's SYN broke its flow.
  const DropGroup* g = find_drop(r, TrafficClass::kHealthCheck, "sg-ingress(i-web1)");
  ASSERT_NE(g, nullptr) << report_text(r);
  EXPECT_EQ(g->packets, 6u);
  EXPECT_EQ(g->flows_broken, 6u);
  EXPECT_EQ(g->first_packet, 4u);  // after the handshake
  // captured: no synthesis; i-web2, whose series the capture does not carry, is unknown.
  o.health_checks = HealthChecks::kCaptured;
  r = replay(s, {capture}, o);
  EXPECT_EQ(cls(r, TrafficClass::kHealthCheck).dropped, 3u) << report_text(r);
  EXPECT_EQ(target_named(r, "i-web1").health, Health::kUnhealthy);
  EXPECT_EQ(health_from(target_named(r, "i-web1")), "captured");
  EXPECT_EQ(target_named(r, "i-web2").health, Health::kUnknown);
  // off: the captured checks are traffic still, and no target health is reported.
  o.health_checks = HealthChecks::kOff;
  r = replay(s, {capture}, o);
  EXPECT_EQ(cls(r, TrafficClass::kHealthCheck).dropped, 3u) << report_text(r);
  EXPECT_TRUE(r.targets.empty());
  EXPECT_TRUE(replay_flagged(r));
}

TEST_F(ReplayTest, CapturedChecksOfShardsMergeToOneRun) {
  const Scenario s = scenario("aws-alb-internet-facing/broken-hc.yaml");
  const std::string capture = write(captured_health_checks());
  const ReplayReport one = replay(s, {capture});
  ReplayReport merged;
  for (std::uint32_t i = 0; i < 3; ++i) {
    ReplayOptions o;
    o.shard_index = i;
    o.shard_count = 3;
    merge_report(merged, replay(s, {capture}, o));
  }
  finish_merge(merged);
  EXPECT_EQ(report_text(merged), report_text(one));
  ReplayOptions threads;
  threads.threads = 3;
  EXPECT_EQ(report_text(replay(s, {capture}, threads)), report_text(one));
}

// A flow whose SYN is dropped, with the target's SYN-ACK, data both ways and the close in the
// capture (as a mirror at the target shows it): broken-wrong-group's sg-web lets port 80 in
// from sg-bastion only, so the node's connection to i-web1 never forms.
std::vector<Frame> dead_flow(double t_s, std::uint16_t port) {
  return {tcp(t_s, "10.0.1.5", port, "10.0.2.10", 80, 0x02),
          tcp(t_s + 0.001, "10.0.2.10", 80, "10.0.1.5", port, 0x12),
          tcp(t_s + 0.002, "10.0.1.5", port, "10.0.2.10", 80, 0x10),
          tcp(t_s + 0.003, "10.0.1.5", port, "10.0.2.10", 80, 0x18, 200),
          tcp(t_s + 0.004, "10.0.2.10", 80, "10.0.1.5", port, 0x18, 1000),
          tcp(t_s + 0.005, "10.0.1.5", port, "10.0.2.10", 80, 0x11),
          tcp(t_s + 0.006, "10.0.2.10", 80, "10.0.1.5", port, 0x11)};
}

TEST_F(ReplayTest, PacketsAfterADroppedSynCountUnderTheDrop) {
  Scenario s = scenario("aws-alb-internet-facing/broken-wrong-group.yaml");
  std::vector<Frame> frames = dead_flow(0, 41000);
  // A retransmitted SYN within the flow's lifetime is judged again: dropped, the same flow.
  frames.insert(frames.begin() + 1, tcp(0.0005, "10.0.1.5", 41000, "10.0.2.10", 80, 0x02));
  // The same five-tuple after conntrack's timeout for a flow not established: a new flow.
  for (Frame& f : dead_flow(200, 41000)) frames.push_back(std::move(f));
  const std::string capture = write(frames);
  for (const bool fast_path : {true, false}) {
    ReplayOptions o;
    o.mode = ReplayMode::kAsCaptured;
    o.health_checks = HealthChecks::kOff;
    o.fast_path = fast_path;
    const ReplayReport r = replay(s, {capture}, o);
    const ClassCounts& listener = cls(r, TrafficClass::kListener);
    EXPECT_EQ(listener.allowed, 0u) << report_text(r);
    EXPECT_EQ(listener.dropped, 3u);
    EXPECT_EQ(listener.after_drop, 12u);
    ASSERT_EQ(r.drops.size(), 1u) << report_text(r);
    const DropGroup& g = r.drops[0];
    EXPECT_EQ(g.hook, "sg-ingress(i-web1)");
    EXPECT_EQ(g.packets, 3u);
    EXPECT_EQ(g.flows, 1u);  // one five-tuple
    EXPECT_EQ(g.flows_broken, 2u);
    EXPECT_EQ(g.after_drop, 12u);
    EXPECT_DOUBLE_EQ(g.broken_first_s, 0.0);
    EXPECT_NEAR(g.broken_last_s, 200.006, 1e-9);
    EXPECT_EQ(g.first_packet, 1u);
  }
}

TEST_F(ReplayTest, AFlowWhoseSynPassesIsNotBroken) {
  // The same packets through recommended.yaml: nothing dropped, nothing after a drop.
  const Scenario s = scenario("aws-alb-internet-facing/recommended.yaml");
  ReplayOptions o;
  o.mode = ReplayMode::kAsCaptured;
  o.health_checks = HealthChecks::kOff;
  const ReplayReport r = replay(s, {write(dead_flow(0, 41000))}, o);
  EXPECT_EQ(cls(r, TrafficClass::kListener).allowed, 7u) << report_text(r);
  EXPECT_EQ(cls(r, TrafficClass::kListener).after_drop, 0u);
  EXPECT_TRUE(r.drops.empty());
}

}  // namespace
}  // namespace pfsim::engine
