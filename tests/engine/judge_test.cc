// Semantics of the hooks a packet crosses (engine/sim/judge.h): one test per decision of
// DESIGN.md §3, each quoting its source. The LB paths' own tests are in lb_paths_test.cc.
#include "engine/sim/judge.h"

#include <gtest/gtest.h>

#include <string>

#include "engine/model/scenario_loader.h"
#include "engine/paths/lb_paths.h"
#include "engine/policy/policy.h"

namespace pfsim::engine {
namespace {

// A VPC with two subnets, an instance in each, one group per instance, and what each test adds.
std::string base(const std::string& groups, const std::string& acls = "", const std::string& extra = "") {
  return R"(pfsim: 1
vpc: {cidr: [10.0.0.0/16, "2600:1f18::/56"]}
subnets:
  - {id: a, cidr: 10.0.1.0/24, network_acl: acl-a}
  - {id: b, cidr: [10.0.2.0/24, "2600:1f18:0:2::/64"], network_acl: acl-b}
network_acls:
)" +
         (acls.empty() ? std::string(R"(  - id: acl-a
    inbound: [{rule: 100, protocol: all, source: 0.0.0.0/0, action: allow}]
    outbound: [{rule: 100, protocol: all, destination: 0.0.0.0/0, action: allow}]
  - id: acl-b
    inbound: [{rule: 100, protocol: all, source: 0.0.0.0/0, action: allow}]
    outbound: [{rule: 100, protocol: all, destination: 0.0.0.0/0, action: allow}]
)")
                       : acls) +
         "security_groups:\n" + groups + R"(instances:
  - {id: i-a, subnet: a, ip: 10.0.1.10, security_groups: [sg-a]}
  - {id: i-a2, subnet: a, ip: 10.0.1.11, security_groups: [sg-a]}
  - {id: i-b, subnet: b, ip: 10.0.2.10, ipv6: "2600:1f18:0:2::10", security_groups: [sg-b]}
)" + extra;
}

struct World {
  Scenario scenario;
  PolicySet policies;
  ConntrackTable conntrack;
  Judge judge;
  World(Scenario s, PolicySet p)
      : scenario(std::move(s)),
        policies(std::move(p)),
        conntrack(scenario.conntrack),
        judge(scenario, policies, conntrack) {}
};

std::unique_ptr<World> load(const std::string& yaml) {
  auto s = parse_scenario(yaml, "test.yaml");
  if (!s) {
    ADD_FAILURE() << s.error().to_string();
    return nullptr;
  }
  auto p = compile_policies(*s);
  if (!p) {
    ADD_FAILURE() << p.error().to_string();
    return nullptr;
  }
  return std::make_unique<World>(std::move(*s), std::move(*p));
}

net::IpAddress ip(const char* text) { return *net::parse_address(text); }

Leg leg_between(const World& w, const char* from, const char* to) {
  return Leg{endpoint_at(w.scenario, ip(from)), endpoint_at(w.scenario, ip(to))};
}

Packet tcp(const char* src, std::uint16_t sport, const char* dst, std::uint16_t dport, std::int64_t ts_s = 0,
           std::uint16_t flags = kTcpSyn) {
  const net::IpAddress s = ip(src);
  return make_packet(net::FiveTuple{s.bits, ip(dst).bits, sport, dport, net::kProtoTcp, s.family}, ts_s * 1'000'000'000,
                     flags);
}

std::string hooks_text(const World& w, const Leg& leg) {
  std::string text;
  for (Hook h : leg_hooks(w.policies, leg)) text += (text.empty() ? "" : " ") + hook_name(w.scenario, h);
  return text;
}

const std::string kOpenGroups = R"(  - id: sg-a
    inbound: [{protocol: all, source: 0.0.0.0/0}]
    outbound: [{protocol: all, destination: 0.0.0.0/0}]
  - id: sg-b
    inbound: [{protocol: tcp, ports: 80, source: sg-a}]
    outbound: [{protocol: tcp, ports: 443, destination: 10.0.0.0/16}]
)";

TEST(JudgeHooks, NetworkAclsOnlyAcrossASubnetBoundary) {
  // VPC guide: "We evaluate the network ACL rules when traffic enters and leaves the subnet,
  // not as it is routed within a subnet."
  auto w = load(base(kOpenGroups));
  ASSERT_TRUE(w);
  EXPECT_EQ(hooks_text(*w, leg_between(*w, "10.0.1.10", "10.0.2.10")),
            "sg-egress(i-a) nacl-out(a) nacl-in(b) sg-ingress(i-b)");
  EXPECT_EQ(hooks_text(*w, leg_between(*w, "10.0.1.10", "10.0.1.11")), "sg-egress(i-a) sg-ingress(i-a2)");
  EXPECT_EQ(hooks_text(*w, leg_between(*w, "198.51.100.1", "10.0.1.10")), "nacl-in(a) sg-ingress(i-a)");
}

TEST(JudgeHooks, ClassicLbAppliesItsOutboundAclWithinTheSubnet) {
  // Reachability Analyzer, ELB_ACL_RESTRICTION: "Classic Load Balancers apply network ACLs to
  // outbound traffic, even if it's destined for a target in the same subnet."
  auto w = load(base(kOpenGroups));
  ASSERT_TRUE(w);
  Leg leg = leg_between(*w, "10.0.1.10", "10.0.1.11");
  leg.classic_lb_out = true;
  EXPECT_EQ(hooks_text(*w, leg), "sg-egress(i-a) nacl-out(a) sg-ingress(i-a2)");
}

TEST(JudgeConntrack, RepliesOfATrackedFlowPassWithoutRules) {
  // EC2 guide, "Security group connection tracking": "responses to allowed inbound traffic are
  // allowed to leave the instance regardless of outbound security group rules".
  auto w = load(base(kOpenGroups));
  ASSERT_TRUE(w);
  const Leg forward = leg_between(*w, "10.0.1.10", "10.0.2.10");
  LegVerdict in = w->judge.judge(forward, tcp("10.0.1.10", 40000, "10.0.2.10", 80), true);
  ASSERT_TRUE(in.allowed);
  EXPECT_TRUE(in.hops.back().started_tracking);
  // sg-b's outbound allows only tcp 443: the reply to port 40000 passes as tracked.
  LegVerdict out =
      w->judge.judge(reversed(forward), tcp("10.0.2.10", 80, "10.0.1.10", 40000, 1, kTcpSyn | kTcpAck), true);
  ASSERT_TRUE(out.allowed);
  EXPECT_EQ(out.hops.front().how, DecidedBy::kTracked);
  // A new flow from i-b to port 40000 is not a reply: its rules drop it.
  LegVerdict other = w->judge.judge(reversed(forward), tcp("10.0.2.10", 81, "10.0.1.10", 40000), true);
  EXPECT_FALSE(other.allowed);
  EXPECT_EQ(other.deciding->hook.kind, HookKind::kSgEgress);
  EXPECT_EQ(other.deciding->how, DecidedBy::kDefault);
}

TEST(JudgeConntrack, FlowsFromAnywhereWithAllOutboundAreUntracked) {
  // EC2 guide, "Untracked connections": "If a security group rule permits TCP or UDP flows for
  // all traffic (0.0.0.0/0 or ::/0) and there is a corresponding rule in the other direction
  // that permits all response traffic (0.0.0.0/0 or ::/0) for all ports (0-65535), then that
  // flow of traffic is not tracked."
  auto w = load(base(kOpenGroups));
  ASSERT_TRUE(w);
  LegVerdict v =
      w->judge.judge(leg_between(*w, "198.51.100.1", "10.0.1.10"), tcp("198.51.100.1", 5000, "10.0.1.10", 22), true);
  ASSERT_TRUE(v.allowed);
  EXPECT_TRUE(v.hops.back().untracked);
  EXPECT_FALSE(v.hops.back().started_tracking);
  // "ICMP traffic is always tracked": an echo from anywhere is tracked.
  Packet echo = make_packet(
      net::FiveTuple{ip("198.51.100.1").bits, ip("10.0.1.10").bits, 8, 0, net::kProtoIcmp, net::Family::kIpv4}, 0);
  LegVerdict e = w->judge.judge(leg_between(*w, "198.51.100.1", "10.0.1.10"), echo, true);
  ASSERT_TRUE(e.allowed);
  EXPECT_TRUE(e.hops.back().started_tracking);
}

TEST(JudgeConntrack, FlowsThroughAnNlbAreAlwaysTracked) {
  // EC2 guide, "Automatically tracked connections": flows through a Network Load Balancer are
  // tracked even where the rules would leave them untracked.
  auto w = load(base(kOpenGroups));
  ASSERT_TRUE(w);
  Leg leg = leg_between(*w, "198.51.100.1", "10.0.1.10");
  leg.always_tracked = true;
  LegVerdict v = w->judge.judge(leg, tcp("198.51.100.1", 5000, "10.0.1.10", 22), true);
  ASSERT_TRUE(v.allowed);
  EXPECT_TRUE(v.hops.back().started_tracking);
}

TEST(JudgeConntrack, UntrackedFlowsAreCutWhenTheirRuleGoes) {
  // EC2 guide: "If you remove a security group rule that allows an untracked flow ... the flow
  // is interrupted immediately", while tracked flows keep passing until they time out.
  const std::string events = R"(events:
  - {at_s: 10, revoke: {security_group: sg-a, inbound: {protocol: all, source: 0.0.0.0/0}}}
  - {at_s: 10, revoke: {security_group: sg-b, inbound: {protocol: tcp, ports: 80, source: sg-a}}}
)";
  auto s = parse_scenario(base(kOpenGroups, "", events), "test.yaml");
  ASSERT_TRUE(s) << s.error().to_string();
  auto before = compile_policies(*s, {}, 0);
  auto after = compile_policies(*s, {}, 2);
  ASSERT_TRUE(before && after);
  ConntrackTable conntrack(s->conntrack);
  const Leg untracked{endpoint_at(*s, ip("198.51.100.1")), endpoint_at(*s, ip("10.0.1.10"))};
  const Leg tracked{endpoint_at(*s, ip("10.0.1.10")), endpoint_at(*s, ip("10.0.2.10"))};
  {
    Judge judge(*s, *before, conntrack);
    ASSERT_TRUE(judge.judge(untracked, tcp("198.51.100.1", 5000, "10.0.1.10", 22)).allowed);
    ASSERT_TRUE(judge.judge(tracked, tcp("10.0.1.10", 40000, "10.0.2.10", 80)).allowed);
  }
  Judge judge(*s, *after, conntrack);
  EXPECT_FALSE(judge.judge(untracked, tcp("198.51.100.1", 5000, "10.0.1.10", 22, 11, kTcpAck)).allowed);
  EXPECT_TRUE(judge.judge(tracked, tcp("10.0.1.10", 40000, "10.0.2.10", 80, 11, kTcpAck)).allowed);
}

// sg-b with the given inbound rules, after an event revoking "tcp 8080 from sg-a": the
// decisions of its policy on tcp 10.0.1.10:40000 -> 10.0.2.10 port 80 and port 8080, with the
// label of the rule deciding port 80; or the error of parsing or compiling.
struct AfterRevoke {
  Decision to80;
  Decision to8080;
  std::string label80;
};
net::Result<AfterRevoke> after_revoking_8080(const std::string& sg_b_inbound) {
  const std::string groups = R"(  - id: sg-a
    inbound: [{protocol: all, source: 0.0.0.0/0}]
    outbound: [{protocol: all, destination: 0.0.0.0/0}]
  - id: sg-b
    inbound:
)" + sg_b_inbound + R"(    outbound: []
)";
  const std::string events = R"(events:
  - {at_s: 10, revoke: {security_group: sg-b, inbound: {protocol: tcp, ports: 8080, source: sg-a}}}
)";
  auto s = parse_scenario(base(groups, "", events), "test.yaml");
  if (!s) return s.error();
  auto after = compile_policies(*s, {}, 1);
  if (!after) return after.error();
  const CompiledPolicy* in_b = after->policy(Hook{HookKind::kSgIngress, interface_at(*s, ip("10.0.2.10"))});
  if (in_b == nullptr) return net::error_message("sg-b has no inbound policy");
  net::FiveTuple t{ip("10.0.1.10").bits, ip("10.0.2.10").bits, 40000, 80, net::kProtoTcp, net::Family::kIpv4};
  AfterRevoke r;
  r.to80 = decide(*in_b, t);
  if (r.to80.rule != classifier::kNoMatch)
    r.label80 = in_b->policy.origins[in_b->policy.rules.rules[r.to80.rule].id].label;
  t.dport = 8080;
  r.to8080 = decide(*in_b, t);
  return r;
}

TEST(JudgeEvents, RevokingOnePortOfAListKeepsTheOthers) {
  // A scenario rule with a list of ports stands for AWS's one rule per port range
  // (IpPermission has one FromPort-ToPort), so a revoke may name one of them.
  auto r = after_revoking_8080("      - {protocol: tcp, ports: [80, 8080], source: sg-a}\n");
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_TRUE(r->to80.allowed);
  EXPECT_EQ(r->label80, "inbound rule 1");
  EXPECT_FALSE(r->to8080.allowed);
}

TEST(JudgeEvents, RevokingOnePortOfAListLooksPastRulesWithoutPorts) {
  // A rule of all ports (or icmp) before the list must not stop the search for the list.
  auto r = after_revoking_8080(
      "      - {protocol: all, source: 192.0.2.0/24}\n"
      "      - {protocol: tcp, ports: [80, 8080], source: sg-a}\n");
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_TRUE(r->to80.allowed);
  EXPECT_EQ(r->label80, "inbound rule 2");
  EXPECT_FALSE(r->to8080.allowed);
}

TEST(JudgeConntrack, TheServersReplyToAnUntrackedFlowStartsNoTrackedFlow) {
  // Untracked: ssh from 0.0.0.0/0 in, all ports to 0.0.0.0/0 out. The server's SYN-ACK passes
  // the all-outbound rule, which on its own would look like a new outbound flow (the inbound
  // side does not allow all ports, so it would be tracked); it is the response of the untracked
  // flow, so nothing is tracked and a revoke of the ssh rule cuts the flow at once.
  const std::string groups = R"(  - id: sg-a
    inbound: [{protocol: tcp, ports: 22, source: 0.0.0.0/0}]
    outbound: [{protocol: all, destination: 0.0.0.0/0}]
  - id: sg-b
    inbound: []
    outbound: []
)";
  const std::string events = R"(events:
  - {at_s: 10, revoke: {security_group: sg-a, inbound: {protocol: tcp, ports: 22, source: 0.0.0.0/0}}}
)";
  auto s = parse_scenario(base(groups, "", events), "test.yaml");
  ASSERT_TRUE(s) << s.error().to_string();
  auto before = compile_policies(*s, {}, 0);
  auto after = compile_policies(*s, {}, 1);
  ASSERT_TRUE(before && after);
  ConntrackTable conntrack(s->conntrack);
  const Leg in{endpoint_at(*s, ip("198.51.100.1")), endpoint_at(*s, ip("10.0.1.10"))};
  {
    Judge judge(*s, *before, conntrack);
    LegVerdict request = judge.judge(in, tcp("198.51.100.1", 5000, "10.0.1.10", 22), true);
    ASSERT_TRUE(request.allowed);
    EXPECT_TRUE(request.hops.back().untracked);
    LegVerdict reply =
        judge.judge(reversed(in), tcp("10.0.1.10", 22, "198.51.100.1", 5000, 1, kTcpSyn | kTcpAck), true);
    ASSERT_TRUE(reply.allowed);
    EXPECT_TRUE(reply.hops.front().untracked);
    EXPECT_FALSE(reply.hops.front().started_tracking);
  }
  Judge judge(*s, *after, conntrack);
  EXPECT_FALSE(judge.judge(in, tcp("198.51.100.1", 5000, "10.0.1.10", 22, 11, kTcpAck)).allowed);
}

TEST(JudgeConntrack, IcmpErrorsOfTrackedFlowsAreRelatedUnlessSwitchedOff) {
  // EC2 MTU guide: "security groups are stateful, therefore ICMP responses to outbound requests
  // are allowed to flow in, regardless of security group rules". `icmp_errors: rules` judges
  // them by the rules instead (DESIGN.md §3: switchable).
  for (const bool related : {true, false}) {
    auto w = load(base(kOpenGroups, "", related ? "" : "conntrack: {icmp_errors: rules}\n"));
    ASSERT_TRUE(w);
    const Leg forward = leg_between(*w, "10.0.2.10", "10.0.1.10");
    // i-b opens tcp 443 to i-a (sg-b outbound allows it), the router then sends i-b a
    // "fragmentation needed" about it; sg-b has no inbound ICMP rule.
    ASSERT_TRUE(w->judge.judge(forward, tcp("10.0.2.10", 40000, "10.0.1.10", 443)).allowed);
    const Packet error = pmtu_error(tcp("10.0.2.10", 40000, "10.0.1.10", 443).tuple, ip("10.0.1.1"), 0);
    Leg to_b{Endpoint{}, endpoint_at(w->scenario, ip("10.0.2.10"))};
    LegVerdict v = w->judge.judge(to_b, error, true);
    EXPECT_EQ(v.allowed, related);
    if (related) {
      EXPECT_EQ(v.hops.back().how, DecidedBy::kRelated);
    }
  }
}

TEST(JudgeAcl, StatelessAclsJudgeRepliesByTheirOwnRules) {
  // VPC guide: network ACLs "are stateless, which means that responses to allowed inbound
  // traffic are subject to the rules for outbound traffic".
  const std::string acls = R"(  - id: acl-a
    inbound: [{rule: 100, protocol: all, source: 0.0.0.0/0, action: allow}]
    outbound: [{rule: 100, protocol: all, destination: 0.0.0.0/0, action: allow}]
  - id: acl-b
    inbound: [{rule: 100, protocol: tcp, ports: 80, source: 10.0.0.0/16, action: allow}]
    outbound: [{rule: 100, protocol: tcp, ports: 32768-65535, destination: 10.0.0.0/16, action: allow}]
)";
  auto w = load(base(kOpenGroups, acls));
  ASSERT_TRUE(w);
  const Leg forward = leg_between(*w, "10.0.1.10", "10.0.2.10");
  ASSERT_TRUE(w->judge.judge(forward, tcp("10.0.1.10", 40000, "10.0.2.10", 80)).allowed);
  EXPECT_TRUE(w->judge.judge(reversed(forward), tcp("10.0.2.10", 80, "10.0.1.10", 40000, 0, kTcpAck)).allowed);
  // An ELB-style ephemeral port below 32768: the reply dies at nacl-out(b), after sg-egress
  // let it through as tracked.
  ASSERT_TRUE(w->judge.judge(forward, tcp("10.0.1.10", 1024, "10.0.2.10", 80)).allowed);
  LegVerdict v = w->judge.judge(reversed(forward), tcp("10.0.2.10", 80, "10.0.1.10", 1024, 0, kTcpAck), true);
  EXPECT_FALSE(v.allowed);
  EXPECT_EQ(hook_name(w->scenario, v.deciding->hook), "nacl-out(b)");
  EXPECT_EQ(v.deciding->how, DecidedBy::kDefault);
}

}  // namespace
}  // namespace pfsim::engine
