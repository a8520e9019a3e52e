// tests/engine/fix_test.cc — the fixes check, explain and replay suggest (engine/analysis/fix.h):
// the wording of each problem, pinned, and one fix for one missing rule in every command.
#include "engine/analysis/fix.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <initializer_list>
#include <string>

#include "engine/analysis/check.h"
#include "engine/analysis/explain.h"
#include "engine/model/scenario_loader.h"
#include "engine/replay/replay.h"
#include "pcap/capture.h"
#include "pcap/encode.h"
#include "tests/encoded_frame.h"
#include "tests/temp_dir.h"

namespace pfsim::engine {
namespace {

Scenario parse(const std::string& yaml) {
  auto s = parse_scenario(yaml, "test.yaml");
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().to_string());
  return s.ok() ? std::move(*s) : Scenario{};
}

Packet packet(std::uint8_t proto, const char* src, std::uint16_t sport, const char* dst, std::uint16_t dport,
              std::uint16_t flags = 0) {
  const net::IpAddress s = *net::parse_address(src);
  return make_packet(net::FiveTuple{s.bits, net::parse_address(dst)->bits, sport, dport, proto, s.family}, 0, flags);
}

// A capture in `dir` of TCP SYNs src:40000 -> dst:dport, one at each of `times_s`.
std::string syn_capture(const test_support::TempDir& dir, const char* src, const char* dst, std::uint16_t dport,
                        std::initializer_list<std::int64_t> times_s) {
  const std::string capture = (dir.path() / "in.pcap").string();
  auto w = pcap::CaptureWriter::create(capture, pcap::LinkType::kEthernet);
  EXPECT_TRUE(w.ok());
  if (!w.ok()) return capture;
  for (std::int64_t t_s : times_s) {
    pcap::FrameSpec spec;
    spec.src = net::parse_address(src)->bits;
    spec.dst = net::parse_address(dst)->bits;
    spec.sport = 40000;
    spec.dport = dport;
    spec.tcp_flags = kTcpSyn;
    const auto bytes = pfsim::test_support::encoded_frame(spec);
    EXPECT_TRUE(w->write(t_s * 1'000'000'000, static_cast<std::uint32_t>(bytes.size()), bytes).ok());
  }
  EXPECT_TRUE(w->close().ok());
  return capture;
}

// The fix for `p` judged directly between its endpoints, which must drop it.
std::string direct_fix(const Scenario& s, const Packet& p, bool reply) {
  auto policies = compile_policies(s);
  EXPECT_TRUE(policies.ok());
  if (!policies.ok()) return "";
  ConntrackTable conntrack(s.conntrack);
  Judge judge(s, *policies, conntrack);
  const Leg leg{endpoint_at(s, {p.tuple.family, p.tuple.src}), endpoint_at(s, {p.tuple.family, p.tuple.dst})};
  const LegVerdict v = judge.judge(leg, p);
  EXPECT_FALSE(v.allowed);
  if (v.allowed) return "";
  auto fix = fix_for(s, *v.deciding, p, TrafficClass::kOther, reply);
  return fix ? fix_text(*fix) : "";
}

// An instance whose group has no egress rule (its outbound HTTPS is dropped) and a subnet ACL
// that allows everything but the return range of outbound requests.
constexpr const char* kNoEgress = R"(pfsim: 1
provider: aws
vpc: {cidr: [10.0.0.0/16, "2600:1f18::/56"]}
subnets:
  - {id: a, cidr: [10.0.1.0/24, "2600:1f18:0:1::/64"]}
  - {id: b, cidr: 10.0.2.0/24, network_acl: acl-b}
network_acls:
  - id: acl-b
    inbound:
      - {rule: 100, protocol: tcp, ports: 22, source: 0.0.0.0/0, action: allow}
    outbound:
      - {rule: 100, protocol: all, destination: 0.0.0.0/0, action: allow}
security_groups:
  - id: sg-a
    inbound:
      - {protocol: tcp, ports: 22, source: 10.0.0.0/16}
    outbound:
      - {protocol: tcp, ports: 22, destination: 10.0.0.0/16}
  - id: sg-b
    inbound:
      - {protocol: all, source: 0.0.0.0/0}
    outbound:
      - {protocol: all, destination: 0.0.0.0/0}
instances:
  - {id: i-a, subnet: a, ip: 10.0.1.10, ipv6: "2600:1f18:0:1::10", security_groups: [sg-a]}
  - {id: i-b, subnet: b, ip: 10.0.2.10, security_groups: [sg-b]}
)";

TEST(Fix, SecurityGroupDroppingAReplyAsksForTheRequestsEgressRule) {
  const Scenario s = parse(kNoEgress);
  // The reply of i-a's HTTPS request: its request was never let out, so nothing is tracked.
  const Packet reply = packet(net::kProtoTcp, "93.184.216.34", 443, "10.0.1.10", 50000, kTcpSyn | kTcpAck);
  EXPECT_EQ(direct_fix(s, reply, /*reply=*/true), "add to sg-a outbound: tcp 443 to 0.0.0.0/0");
}

TEST(Fix, Ipv6UdpReplyReadsAsAReplyByItsPortsAndAsksForTheRequestsRule) {
  const Scenario s = parse(kNoEgress);
  const Packet reply = packet(net::kProtoUdp, "2606:4700::1111", 53, "2600:1f18:0:1::10", 45931);
  ASSERT_TRUE(reply_by_ports(reply.tuple));
  EXPECT_FALSE(reply_by_ports(packet(net::kProtoUdp, "2600:1f18:0:1::10", 45931, "2606:4700::1111", 53).tuple));
  EXPECT_EQ(direct_fix(s, reply, reply_by_ports(reply.tuple)), "add to sg-a outbound: udp 53 to ::/0");
}

TEST(Fix, StatelessAclOffAnElbPathGetsTheClientsEphemeralRangeNotTheElbs) {
  const Scenario s = parse(kNoEgress);
  const Packet reply = packet(net::kProtoTcp, "93.184.216.34", 443, "10.0.2.10", 50000, kTcpSyn | kTcpAck);
  const std::string fix = direct_fix(s, reply, true);
  EXPECT_EQ(fix,
            "add to acl-b inbound: allow tcp 1024-65535 from 0.0.0.0/0 (the clients' ephemeral ports, for replies)");
  EXPECT_EQ(fix.find("ELB"), std::string::npos);
}

TEST(Fix, WordingOfEachAction) {
  Fix f;
  f.owner = "acl-pub";
  f.acl = true;
  f.proto = net::kProtoIcmp;
  f.icmp_type = 3;
  f.icmp_code = 4;
  f.peer = "0.0.0.0/0";
  f.note = FixNote::kPmtu;
  f.action = FixAction::kAddBelow;
  f.rule_number = 90;
  EXPECT_EQ(fix_text(f),
            "add to acl-pub inbound: a rule numbered below 90 (which denies it): allow icmp type 3 code 4 from "
            "0.0.0.0/0 (recommended for Path MTU Discovery)");
  Fix g;
  g.owner = "sg-backend";
  g.proto = net::kProtoTcp;
  g.port_lo = g.port_hi = 9443;
  g.peer = "192.168.1.0/24";
  g.action = FixAction::kRemoveOrOverride;
  g.rule_id = "sg-backend inbound rule 5";
  g.rule_text = "deny tcp 9443";
  g.note = FixNote::kHealthCheckPort;
  g.note_subject = "tg-tcp";
  EXPECT_EQ(fix_text(g),
            "remove sg-backend inbound rule 5 (deny tcp 9443) or add a higher-priority allow rule: tcp 9443 from "
            "192.168.1.0/24 (the health-check port of tg-tcp)");
}

// An internal NLB without security groups whose targets do not allow its health checks: two
// nodes, four targets.
constexpr const char* kNlbHealth = R"(pfsim: 1
provider: aws
vpc: {cidr: 10.40.0.0/16}
subnets:
  - {id: nlb-a, cidr: 10.40.0.0/24}
  - {id: nlb-b, cidr: 10.40.3.0/24}
  - {id: app-a, cidr: 10.40.1.0/24}
security_groups:
  - id: sg-app
    inbound:
      - {protocol: tcp, ports: 443, source: 10.40.0.0/16}
    outbound:
      - {protocol: all, destination: 0.0.0.0/0}
instances:
  - {id: i-1, subnet: app-a, ip: 10.40.1.10, security_groups: [sg-app]}
  - {id: i-2, subnet: app-a, ip: 10.40.1.11, security_groups: [sg-app]}
  - {id: i-3, subnet: app-a, ip: 10.40.1.12, security_groups: [sg-app]}
  - {id: i-4, subnet: app-a, ip: 10.40.1.13, security_groups: [sg-app]}
load_balancers:
  - id: nlb
    type: network
    scheme: internal
    nodes:
      - {subnet: nlb-a, ip: 10.40.0.5}
      - {subnet: nlb-b, ip: 10.40.3.5}
    listeners:
      - {protocol: TCP, port: 443, target_group: tg}
target_groups:
  - id: tg
    protocol: TCP
    port: 443
    target_type: ip
    health_check: {protocol: TCP, port: 8080}
    targets: [{ip: 10.40.1.10}, {ip: 10.40.1.11}, {ip: 10.40.1.12}, {ip: 10.40.1.13}]
)";
constexpr const char* kNlbHealthFix = "add to sg-app inbound: tcp 8080 from 10.40.0.0/16 (the health-check port of tg)";

TEST(Fix, NlbHealthChecksGetOneFixInCheckExplainAndReplay) {
  const Scenario s = parse(kNlbHealth);
  // check: one finding per target hook, each listing both nodes' paths.
  auto report = run_check(s);
  ASSERT_TRUE(report.ok());
  std::size_t health_findings = 0;
  for (const Finding& f : report->findings) {
    if (f.cls != TrafficClass::kHealthCheck) continue;
    ++health_findings;
    EXPECT_EQ(f.fix, kNlbHealthFix) << f.path;
    EXPECT_EQ(f.paths.size(), 2u) << f.path;
  }
  EXPECT_EQ(health_findings, 4u);

  // explain: the node's health check to a target.
  auto policies = compile_policies(s);
  ASSERT_TRUE(policies.ok());
  auto flow = parse_flow("tcp 10.40.3.5:40000 -> 10.40.1.12:8080");
  ASSERT_TRUE(flow.ok());
  auto e = explain_flow(s, *policies, *flow);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->cls, TrafficClass::kHealthCheck);
  ASSERT_FALSE(e->steps.empty());
  EXPECT_EQ(e->steps.front().fix, kNlbHealthFix);

  // replay: the synthesized health checks of a capture's span.
  const test_support::TempDir dir;
  const std::string capture = syn_capture(dir, "10.40.9.9", "10.40.0.5", 443, {0, 60});
  auto replayed = run_replay(s, {capture}, ReplayOptions{});
  ASSERT_TRUE(replayed.ok()) << replayed.error().to_string();
  std::size_t health_groups = 0;
  for (const DropGroup& g : replayed->drops) {
    if (g.cls != TrafficClass::kHealthCheck) continue;
    ++health_groups;
    EXPECT_EQ(g.fix, kNlbHealthFix) << g.hook;
  }
  EXPECT_GT(health_groups, 0u);
}

// One missing rule on many paths is one check finding (scenarios/aws-clb-vpc/broken-ephemeral:
// the app subnet's ACL lacks the ELB return range; two LBs, health checks and listener traffic,
// two targets).
TEST(Fix, CheckGroupsOneMissingRuleIntoOneFindingWithEveryPath) {
  auto s = load_scenario(std::string(PFSIM_SCENARIOS_DIR) + "/aws-clb-vpc/broken-ephemeral.yaml");
  ASSERT_TRUE(s.ok());
  auto report = run_check(*s);
  ASSERT_TRUE(report.ok());
  const Finding* f = nullptr;
  for (const Finding& x : report->findings)
    if (x.hook == "nacl-out(app-a)") {
      EXPECT_EQ(f, nullptr) << "a second finding at nacl-out(app-a): " << x.path;
      f = &x;
    }
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->paths.size(), 8u);
  EXPECT_EQ(f->path, f->paths.front());
  EXPECT_EQ(f->fix,
            "add to acl-app outbound: allow tcp 1024-65535 to 10.20.0.0/16 (the ELB ephemeral range, for replies)");
}

// Huawei ELB guide, "Configuring Network ACL Rules": "If the load balancer is in the same
// subnet as the backend servers, network ACL rules will not take effect. In this case, the
// backend servers will be considered healthy and can be accessed by the clients." The subnet's
// ACL denies the clients; check, explain and replay (both modes) let them through, and keep
// the ACL once a backend is elsewhere.
std::string huawei_same_subnet(const std::string& backend_subnet) {
  return R"(pfsim: 1
provider: huawei
vpc: {cidr: 10.50.0.0/16}
subnets:
  - {id: sn-elb, cidr: 10.50.1.0/24, network_acl: acl-closed}
  - {id: sn-app, cidr: 10.50.2.0/24}
network_acls:
  - id: acl-closed
    inbound: [{protocol: all, source: 0.0.0.0/0, action: deny}]
    outbound: [{protocol: all, destination: 0.0.0.0/0, action: deny}]
security_groups:
  - id: sg-any
    inbound: [{priority: 1, action: allow, protocol: all, source: 0.0.0.0/0}]
    outbound: [{priority: 1, action: allow, protocol: all, destination: 0.0.0.0/0}]
instances:
  - {id: ecs-1, subnet: )" +
         backend_subnet + R"(, ip: 10.50.)" + (backend_subnet == "sn-elb" ? "1" : "2") +
         R"(.20, security_groups: [sg-any]}
load_balancers:
  - id: elb
    type: dedicated
    scheme: internet-facing
    nodes: [{subnet: sn-elb, ip: 10.50.1.10, public_ip: 203.0.113.70}]
    listeners: [{protocol: TCP, port: 80, target_group: pool}]
target_groups:
  - {id: pool, protocol: TCP, port: 8080, targets: [ecs-1]}
)";
}

TEST(Fix, HuaweiLbInItsBackendsSubnetIsNotFilteredByThatSubnetsAcl) {
  for (const bool same : {true, false}) {
    SCOPED_TRACE(same ? "backend in the ELB's subnet" : "backend in another subnet");
    const Scenario s = parse(huawei_same_subnet(same ? "sn-elb" : "sn-app"));
    auto report = run_check(s);
    ASSERT_TRUE(report.ok());
    bool client_leg_flagged = false;
    for (const Finding& f : report->findings)
      client_leg_flagged |= f.cls == TrafficClass::kListener && f.hook == "nacl-in(sn-elb)";
    EXPECT_EQ(client_leg_flagged, !same);

    auto policies = compile_policies(s);
    ASSERT_TRUE(policies.ok());
    auto flow = parse_flow("tcp 192.0.2.1:40000 -> 10.50.1.10:80");
    ASSERT_TRUE(flow.ok());
    auto e = explain_flow(s, *policies, *flow);
    ASSERT_TRUE(e.ok());
    ASSERT_FALSE(e->steps.empty());
    EXPECT_EQ(e->allowed, same);

    const test_support::TempDir dir;
    const std::string capture = syn_capture(dir, "192.0.2.1", "10.50.1.10", 80, {0});
    for (const ReplayMode mode : {ReplayMode::kThroughLb, ReplayMode::kAsCaptured}) {
      ReplayOptions options;
      options.mode = mode;
      auto replayed = run_replay(s, {capture}, options);
      ASSERT_TRUE(replayed.ok()) << replayed.error().to_string();
      bool dropped_at_acl = false;
      for (const DropGroup& g : replayed->drops) dropped_at_acl |= g.hook == "nacl-in(sn-elb)";
      EXPECT_EQ(dropped_at_acl, !same) << (mode == ReplayMode::kThroughLb ? "through the LB" : "as captured");
    }
  }
}

}  // namespace
}  // namespace pfsim::engine
