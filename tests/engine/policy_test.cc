// engine/policy: provider semantics lowered to classifier rules. One test per semantic
// decision, each quoting the sentence it encodes (sources: ../shared/research/
// cloud-semantics-anchors.md). Scenarios are built in code, independent of the YAML loader.
#include "engine/policy/policy.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace pfsim::engine {
namespace {

using net::FiveTuple;
using net::PortRange;

// --- building scenarios ---------------------------------------------------------------------

net::IpAddress addr(std::string_view text) {
  auto a = net::parse_address(text);
  EXPECT_TRUE(a.ok()) << text;
  return a ? *a : net::IpAddress{};
}

net::IpRange block(std::string_view text) {
  auto p = net::parse_prefix(text);
  EXPECT_TRUE(p.ok()) << text;
  return p ? *p : net::IpRange{};
}

Location at(std::uint32_t line) { return Location{"test.yaml", line, 7}; }

Peer cidr(std::string_view text) {
  Peer p;
  p.cidrs = {block(text)};
  p.anywhere = text == "0.0.0.0/0" || text == "::/0";
  p.written = std::string(text);
  return p;
}

Peer anywhere() {
  Peer p;
  p.cidrs = {block("0.0.0.0/0"), block("::/0")};
  p.anywhere = true;
  p.written = "anywhere";
  return p;
}

Peer group_peer(const Scenario& s, GroupIndex g) {
  Peer p;
  p.kind = Peer::Kind::kGroup;
  p.group = g;
  p.written = s.groups[g].id;
  return p;
}

ProtocolSpec proto(std::uint8_t number) { return ProtocolSpec{false, number}; }
ProtocolSpec all_protocols() { return ProtocolSpec{}; }

FilterRule rule(ProtocolSpec protocol, std::vector<PortRange> ports, Peer peer, std::string text,
                std::uint32_t line = 1) {
  FilterRule r;
  r.where = at(line);
  r.text = std::move(text);
  r.protocol = protocol;
  r.ports = std::move(ports);
  r.peer = std::move(peer);
  return r;
}

FilterRule tcp(std::uint16_t lo, std::uint16_t hi, Peer peer, std::uint32_t line = 1) {
  const std::string ports = lo == hi ? std::to_string(lo) : std::to_string(lo) + "-" + std::to_string(hi);
  std::string text = "tcp " + ports + " " + peer.written;
  return rule(proto(net::kProtoTcp), {{lo, hi}}, std::move(peer), std::move(text), line);
}
FilterRule tcp(std::uint16_t port, Peer peer, std::uint32_t line = 1) { return tcp(port, port, std::move(peer), line); }

FilterRule acl_rule(std::uint32_t number, RuleAction action, FilterRule r) {
  r.number = number;
  r.action = action;
  return r;
}

FilterRule huawei(std::uint32_t priority, RuleAction action, FilterRule r) {
  r.priority = priority;
  r.action = action;
  return r;
}

GroupIndex add_group(Scenario& s, std::string id, std::vector<FilterRule> inbound = {},
                     std::vector<FilterRule> outbound = {}) {
  SecurityGroup g;
  g.id = std::move(id);
  g.inbound = std::move(inbound);
  g.outbound = std::move(outbound);
  s.groups.push_back(std::move(g));
  return static_cast<GroupIndex>(s.groups.size() - 1);
}

InterfaceIndex add_interface(Scenario& s, std::string id, std::string_view ipv4, std::vector<GroupIndex> groups,
                             SubnetIndex subnet = kNone) {
  NetworkInterface eni;
  eni.id = std::move(id);
  if (!ipv4.empty()) eni.ipv4 = addr(ipv4);
  eni.groups = std::move(groups);
  eni.subnet = subnet;
  s.interfaces.push_back(std::move(eni));
  return static_cast<InterfaceIndex>(s.interfaces.size() - 1);
}

AclIndex add_acl(Scenario& s, std::string id, std::vector<FilterRule> inbound, std::vector<FilterRule> outbound = {}) {
  NetworkAcl acl;
  acl.id = std::move(id);
  acl.inbound = std::move(inbound);
  acl.outbound = std::move(outbound);
  s.acls.push_back(std::move(acl));
  return static_cast<AclIndex>(s.acls.size() - 1);
}

SubnetIndex add_subnet(Scenario& s, std::string id, std::string_view cidr_text, AclIndex acl = kNone) {
  Subnet sub;
  sub.id = std::move(id);
  sub.cidrs = {block(cidr_text)};
  sub.acl = acl;
  s.subnets.push_back(std::move(sub));
  return static_cast<SubnetIndex>(s.subnets.size() - 1);
}

// --- keys and verdicts -----------------------------------------------------------------------

FiveTuple key(std::uint8_t protocol, std::string_view src, std::uint16_t sport, std::string_view dst,
              std::uint16_t dport) {
  const net::IpAddress s = addr(src);
  const net::IpAddress d = addr(dst);
  FiveTuple k;
  k.family = s.family;
  k.src = s.bits;
  k.dst = d.bits;
  k.sport = sport;
  k.dport = dport;
  k.proto = protocol;
  return k;
}
FiveTuple tcp_key(std::string_view src, std::string_view dst, std::uint16_t dport, std::uint16_t sport = 40000) {
  return key(net::kProtoTcp, src, sport, dst, dport);
}
FiveTuple icmp_key(std::string_view src, std::string_view dst, std::uint16_t type, std::uint16_t code) {
  return key(net::kProtoIcmp, src, type, dst, code);
}

PolicySet compile(const Scenario& s, std::size_t events = 0, std::string algorithm = "auto") {
  auto set = compile_policies(s, CompileOptions{std::move(algorithm)}, events);
  EXPECT_TRUE(set.ok()) << (set ? "" : set.error().to_string());
  return set ? std::move(*set) : PolicySet{};
}

Hook ingress(InterfaceIndex i) { return Hook{HookKind::kSgIngress, i}; }
Hook egress(InterfaceIndex i) { return Hook{HookKind::kSgEgress, i}; }
Hook nacl_in(SubnetIndex i) { return Hook{HookKind::kNaclIn, i}; }
Hook nacl_out(SubnetIndex i) { return Hook{HookKind::kNaclOut, i}; }

const CompiledPolicy& at_hook(const PolicySet& set, Hook hook) {
  const CompiledPolicy* p = set.policy(hook);
  EXPECT_NE(p, nullptr);
  static const CompiledPolicy kEmpty;
  return p ? *p : kEmpty;
}

bool allowed(const PolicySet& set, Hook hook, const FiveTuple& k) { return decide(at_hook(set, hook), k).allowed; }

// The origin of the rule that decided `k` (fails the test on a default decision).
RuleOrigin deciding_origin(const PolicySet& set, Hook hook, const FiveTuple& k) {
  const CompiledPolicy& p = at_hook(set, hook);
  const Decision d = decide(p, k);
  EXPECT_NE(d.rule, classifier::kNoMatch);
  if (d.rule == classifier::kNoMatch) return {};
  return p.policy.origins.at(p.policy.rules.rules.at(d.rule).id);
}

// --- AWS security groups -------------------------------------------------------------------

// "Effective policy = union of all rules of all attached groups" (research A1); EC2 guide,
// "Security group rules": "If there is more than one rule for a specific port, Amazon EC2
// applies the most permissive rule."
TEST(PolicySg, RulesOfAllAttachedGroupsFormAUnion) {
  Scenario s;
  const GroupIndex web = add_group(s, "sg-web", {tcp(80, cidr("0.0.0.0/0"))});
  const GroupIndex ssh = add_group(s, "sg-ssh", {tcp(22, cidr("10.0.0.0/8"))});
  const InterfaceIndex i = add_interface(s, "i-app1", "10.0.1.10", {web, ssh});
  const PolicySet set = compile(s);
  EXPECT_TRUE(allowed(set, ingress(i), tcp_key("198.51.100.1", "10.0.1.10", 80)));
  EXPECT_TRUE(allowed(set, ingress(i), tcp_key("10.9.9.9", "10.0.1.10", 22)));
  EXPECT_FALSE(allowed(set, ingress(i), tcp_key("198.51.100.1", "10.0.1.10", 22)));
  // Default deny, named after the groups in binding order.
  const CompiledPolicy& p = at_hook(set, ingress(i));
  EXPECT_EQ(decide(p, tcp_key("198.51.100.1", "10.0.1.10", 443)).rule, classifier::kNoMatch);
  EXPECT_EQ(p.policy.default_text, "no rule of sg-web, sg-ssh allows it (security groups deny by default)");
  EXPECT_EQ(p.policy.owners, (std::vector<std::string>{"sg-web", "sg-ssh"}));
  EXPECT_TRUE(p.policy.stateful);
  // No outbound rules in either group: everything out is denied.
  EXPECT_FALSE(allowed(set, egress(i), tcp_key("10.0.1.10", "198.51.100.1", 443)));
}

// VPC guide, "Security groups": security groups filter on the destination port only; "source
// ports cannot be filtered" (research A1).
TEST(PolicySg, MatchesTheDestinationPortOnly) {
  Scenario s;
  const GroupIndex g = add_group(s, "sg-app", {tcp(8080, cidr("0.0.0.0/0"))});
  const InterfaceIndex i = add_interface(s, "i-app1", "10.0.1.10", {g});
  const PolicySet set = compile(s);
  EXPECT_TRUE(allowed(set, ingress(i), tcp_key("192.0.2.1", "10.0.1.10", 8080, /*sport=*/1)));
  EXPECT_TRUE(allowed(set, ingress(i), tcp_key("192.0.2.1", "10.0.1.10", 8080, /*sport=*/65535)));
  EXPECT_FALSE(allowed(set, ingress(i), tcp_key("192.0.2.1", "10.0.1.10", 40000, /*sport=*/8080)));
  for (const classifier::Rule& r : at_hook(set, ingress(i)).policy.rules.rules) EXPECT_TRUE(r.sport.is_any());
}

// EC2 guide, "Security group rules": "Incoming traffic is allowed based on the private IP
// addresses of the instances associated with the source security group (and not the public IP
// or Elastic IP addresses)."
TEST(PolicySg, AGroupReferenceMeansTheMembersPrivateAddresses) {
  Scenario s;
  const GroupIndex lb = add_group(s, "sg-lb");
  const GroupIndex empty = add_group(s, "sg-empty");
  const GroupIndex app = add_group(s, "sg-app", {tcp(8080, group_peer(s, lb)), tcp(9090, group_peer(s, empty))});
  s.groups[app].inbound[0].text = "tcp 8080 from sg-lb";
  const InterfaceIndex node = add_interface(s, "alb-web/lb-a", "10.0.3.5", {lb});
  s.interfaces[node].kind = NetworkInterface::Kind::kLbNode;
  s.interfaces[node].public_ip = addr("54.1.2.3");
  s.interfaces[node].ipv6 = addr("2600:1f18::5");
  const InterfaceIndex i = add_interface(s, "i-app1", "10.0.1.10", {app});
  const PolicySet set = compile(s);
  EXPECT_TRUE(allowed(set, ingress(i), tcp_key("10.0.3.5", "10.0.1.10", 8080)));
  EXPECT_TRUE(allowed(set, ingress(i), tcp_key("2600:1f18::5", "2600:1f18::10", 8080)));
  EXPECT_FALSE(allowed(set, ingress(i), tcp_key("54.1.2.3", "10.0.1.10", 8080)));  // public: never
  EXPECT_FALSE(allowed(set, ingress(i), tcp_key("10.0.3.6", "10.0.1.10", 8080)));  // not a member
  // One /32 and one /128; the empty group gives no rule at all (but keeps its origin).
  const Policy& p = at_hook(set, ingress(i)).policy;
  ASSERT_EQ(p.rules.rules.size(), 2u);
  EXPECT_EQ(p.rules.rules[0].src.prefix_length(net::Family::kIpv4), 32u);
  EXPECT_EQ(p.rules.rules[1].src.prefix_length(net::Family::kIpv6), 128u);
  EXPECT_EQ(p.origins.size(), 2u);
}

// API IpPermission: for ICMP "FromPort" is the ICMP type and "ToPort" the code, -1 = all; "If
// it is omitted, all types and codes are allowed." classifier/rule.h: type in sport, code in dport.
TEST(PolicySg, IcmpTypeAndCodeGoIntoThePortFields) {
  Scenario s;
  FilterRule frag_needed = rule(proto(net::kProtoIcmp), {}, cidr("0.0.0.0/0"), "icmp 3/4 from 0.0.0.0/0");
  frag_needed.icmp = IcmpSpec{3, 4};
  const GroupIndex a = add_group(s, "sg-a", {frag_needed});
  FilterRule unreachable = rule(proto(net::kProtoIcmp), {}, cidr("0.0.0.0/0"), "icmp 3 from 0.0.0.0/0");
  unreachable.icmp = IcmpSpec{3, std::nullopt};
  const GroupIndex b = add_group(s, "sg-b", {unreachable});
  const GroupIndex c = add_group(s, "sg-c", {rule(proto(net::kProtoIcmp), {{80, 80}}, cidr("0.0.0.0/0"), "icmp all")});
  const InterfaceIndex ia = add_interface(s, "i-a", "10.0.1.1", {a});
  const InterfaceIndex ib = add_interface(s, "i-b", "10.0.1.2", {b});
  const InterfaceIndex ic = add_interface(s, "i-c", "10.0.1.3", {c});
  const PolicySet set = compile(s);
  const classifier::Rule& r = at_hook(set, ingress(ia)).policy.rules.rules.at(0);
  EXPECT_EQ(r.sport, PortRange::single(3));
  EXPECT_EQ(r.dport, PortRange::single(4));
  EXPECT_TRUE(allowed(set, ingress(ia), icmp_key("192.0.2.1", "10.0.1.1", 3, 4)));
  EXPECT_FALSE(allowed(set, ingress(ia), icmp_key("192.0.2.1", "10.0.1.1", 3, 1)));
  EXPECT_FALSE(allowed(set, ingress(ia), icmp_key("192.0.2.1", "10.0.1.1", 4, 3)));
  // Type only: every code of that type.
  EXPECT_TRUE(allowed(set, ingress(ib), icmp_key("192.0.2.1", "10.0.1.2", 3, 13)));
  EXPECT_FALSE(allowed(set, ingress(ib), icmp_key("192.0.2.1", "10.0.1.2", 8, 0)));
  // No type/code: every type and code; ports written on an ICMP rule mean nothing.
  EXPECT_TRUE(allowed(set, ingress(ic), icmp_key("192.0.2.1", "10.0.1.3", 8, 0)));
  EXPECT_TRUE(allowed(set, ingress(ic), icmp_key("192.0.2.1", "10.0.1.3", 11, 0)));
  EXPECT_FALSE(allowed(set, ingress(ic), tcp_key("192.0.2.1", "10.0.1.3", 80)));
}

// API IpPermission: "-1 or a protocol number other than tcp, udp, icmp, or icmpv6 allows
// traffic on all ports, regardless of any port range you specify."
TEST(PolicySg, AllProtocolsOrAnOtherNumberMeansAllPorts) {
  Scenario s;
  const GroupIndex any = add_group(s, "sg-any", {rule(all_protocols(), {{80, 80}}, cidr("10.0.0.0/8"), "all 80")});
  const GroupIndex gre = add_group(s, "sg-gre", {rule(proto(47), {{80, 80}}, cidr("10.0.0.0/8"), "47 80")});
  const InterfaceIndex ia = add_interface(s, "i-any", "10.0.1.1", {any});
  const InterfaceIndex ig = add_interface(s, "i-gre", "10.0.1.2", {gre});
  const PolicySet set = compile(s);
  EXPECT_TRUE(allowed(set, ingress(ia), tcp_key("10.1.1.1", "10.0.1.1", 22)));
  EXPECT_TRUE(allowed(set, ingress(ia), key(net::kProtoUdp, "10.1.1.1", 5000, "10.0.1.1", 53)));
  EXPECT_TRUE(allowed(set, ingress(ig), key(47, "10.1.1.1", 0, "10.0.1.2", 0)));
  EXPECT_TRUE(allowed(set, ingress(ig), key(47, "10.1.1.1", 7, "10.0.1.2", 9999)));
  EXPECT_FALSE(allowed(set, ingress(ig), tcp_key("10.1.1.1", "10.0.1.2", 80)));
}

// DESIGN.md §2: "Anywhere" → 0.0.0.0/0 and ::/0 (one rule per family); a CIDR has one family.
TEST(PolicySg, AnywhereCoversBothFamiliesAndACidrOnlyItsOwn) {
  Scenario s;
  const GroupIndex both = add_group(s, "sg-both", {tcp(443, anywhere())});
  const GroupIndex v4 = add_group(s, "sg-v4", {tcp(443, cidr("0.0.0.0/0"))});
  const InterfaceIndex ib = add_interface(s, "i-both", "10.0.1.1", {both});
  const InterfaceIndex i4 = add_interface(s, "i-v4", "10.0.1.2", {v4});
  const PolicySet set = compile(s);
  EXPECT_EQ(at_hook(set, ingress(ib)).policy.rules.rules.size(), 2u);
  EXPECT_TRUE(allowed(set, ingress(ib), tcp_key("192.0.2.1", "10.0.1.1", 443)));
  EXPECT_TRUE(allowed(set, ingress(ib), tcp_key("2001:db8::1", "2600:1f18::1", 443)));
  EXPECT_TRUE(allowed(set, ingress(i4), tcp_key("192.0.2.1", "10.0.1.2", 443)));
  EXPECT_FALSE(allowed(set, ingress(i4), tcp_key("2001:db8::1", "2600:1f18::2", 443)));
}

// EC2 guide, "Security group rules": the peer is the source of an inbound rule and the
// destination of an outbound rule.
TEST(PolicySg, OutboundRulesMatchTheDestination) {
  Scenario s;
  const GroupIndex g = add_group(s, "sg-app", {}, {tcp(5432, cidr("10.0.2.0/24"))});
  const InterfaceIndex i = add_interface(s, "i-app1", "10.0.1.10", {g});
  const PolicySet set = compile(s);
  EXPECT_TRUE(allowed(set, egress(i), tcp_key("10.0.1.10", "10.0.2.7", 5432)));
  EXPECT_FALSE(allowed(set, egress(i), tcp_key("10.0.2.7", "10.0.1.10", 5432)));
}

// ELB NLB guide, "Security groups": without security groups "all client traffic can reach the
// listeners and all traffic can leave" — no filter, so no policy. EC2-Classic has no subnets.
TEST(PolicySg, NoGroupsMeansUnfilteredAndClassicHasNoAcls) {
  Scenario s;
  s.ec2_classic = true;
  const InterfaceIndex nlb = add_interface(s, "nlb-a/lb-a", "10.0.3.9", {});
  const PolicySet set = compile(s);
  EXPECT_EQ(set.policy(ingress(nlb)), nullptr);
  EXPECT_EQ(set.policy(egress(nlb)), nullptr);
  EXPECT_EQ(set.policy(nacl_in(0)), nullptr);
  EXPECT_EQ(set.distinct_policies(), 0u);
}

// ELB Classic guide, "Security groups for load balancers in EC2-Classic": instances authorize
// the source group amazon-elb/amazon-elb-sg, i.e. the Classic LB nodes (private addresses).
TEST(PolicySg, TheElbSourceGroupIsEveryClassicLbNode) {
  Scenario s;
  s.ec2_classic = true;
  LoadBalancer clb;
  clb.id = "clb-web";
  clb.type = LbType::kClassic;
  s.load_balancers.push_back(clb);
  LoadBalancer alb;
  alb.id = "alb-other";
  s.load_balancers.push_back(alb);
  FilterRule from_elb = tcp(80, cidr("0.0.0.0/0"));
  from_elb.peer = Peer{Peer::Kind::kElbSourceGroup, {}, kNone, false, "amazon-elb/amazon-elb-sg"};
  const GroupIndex g = add_group(s, "sg-web", {from_elb});
  const InterfaceIndex n1 = add_interface(s, "clb-web/1", "10.0.3.5", {});
  const InterfaceIndex n2 = add_interface(s, "alb-other/1", "10.0.3.6", {});
  for (InterfaceIndex n : {n1, n2}) s.interfaces[n].kind = NetworkInterface::Kind::kLbNode;
  s.interfaces[n1].lb = 0;
  s.interfaces[n2].lb = 1;
  const InterfaceIndex i = add_interface(s, "i-web", "10.0.1.1", {g});
  const PolicySet set = compile(s);
  EXPECT_TRUE(allowed(set, ingress(i), tcp_key("10.0.3.5", "10.0.1.1", 80)));
  EXPECT_FALSE(allowed(set, ingress(i), tcp_key("10.0.3.6", "10.0.1.1", 80)));
}

// --- AWS network ACLs ------------------------------------------------------------------------

// VPC guide, "Network ACLs": "Rules are evaluated starting with the lowest numbered rule. As
// soon as a rule matches traffic, it's applied regardless of any higher-numbered rule that
// might contradict it." Listed out of order on purpose: the number decides, not the position.
TEST(PolicyAcl, LowestNumberFirstAndTheFirstMatchWins) {
  Scenario s;
  const FilterRule all = rule(all_protocols(), {}, cidr("0.0.0.0/0"), "all from 0.0.0.0/0");
  const AclIndex a =
      add_acl(s, "acl-a",
              {acl_rule(200, RuleAction::kAllow, all), acl_rule(100, RuleAction::kDeny, tcp(22, cidr("0.0.0.0/0")))});
  const AclIndex b =
      add_acl(s, "acl-b",
              {acl_rule(100, RuleAction::kDeny, tcp(22, cidr("0.0.0.0/0"))), acl_rule(50, RuleAction::kAllow, all)});
  const SubnetIndex sa = add_subnet(s, "sub-a", "10.0.1.0/24", a);
  const SubnetIndex sb = add_subnet(s, "sub-b", "10.0.2.0/24", b);
  const PolicySet set = compile(s);
  EXPECT_FALSE(allowed(set, nacl_in(sa), tcp_key("192.0.2.1", "10.0.1.1", 22)));
  EXPECT_EQ(deciding_origin(set, nacl_in(sa), tcp_key("192.0.2.1", "10.0.1.1", 22)).label, "rule 100");
  EXPECT_TRUE(allowed(set, nacl_in(sa), tcp_key("192.0.2.1", "10.0.1.1", 80)));
  // The deny at 100 comes after the allow at 50.
  EXPECT_TRUE(allowed(set, nacl_in(sb), tcp_key("192.0.2.1", "10.0.2.1", 22)));
  EXPECT_EQ(deciding_origin(set, nacl_in(sb), tcp_key("192.0.2.1", "10.0.2.1", 22)).label, "rule 50");
}

// VPC guide, "Network ACLs": the final `*` rule denies what no numbered rule matches ("You
// can't modify or remove this rule"); ACLs are stateless: "responses to allowed inbound
// traffic are subject to the rules for outbound traffic (and vice versa)".
TEST(PolicyAcl, TheStarRuleDeniesWhatNoNumberedRuleMatches) {
  Scenario s;
  const AclIndex a = add_acl(s, "acl-x", {acl_rule(100, RuleAction::kAllow, tcp(443, cidr("0.0.0.0/0")))});
  const SubnetIndex sub = add_subnet(s, "sub-a", "10.0.1.0/24", a);
  const PolicySet set = compile(s);
  const CompiledPolicy& in = at_hook(set, nacl_in(sub));
  const Decision d = decide(in, tcp_key("192.0.2.1", "10.0.1.1", 80));
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.rule, classifier::kNoMatch);
  EXPECT_EQ(in.policy.default_text, "the `*` rule of acl-x denies it (no numbered rule matches)");
  EXPECT_FALSE(in.policy.stateful);
  // No outbound rules: the reply of the allowed 443 is denied by the outbound `*` rule.
  EXPECT_FALSE(allowed(set, nacl_out(sub), tcp_key("10.0.1.1", "192.0.2.1", 40000, 443)));
}

// VPC guide, "Network ACLs": "If you don't explicitly associate a subnet with a network ACL,
// the subnet is automatically associated with the default network ACL"; "The default network
// ACL is configured to allow all traffic to flow in and out of the subnets with which it is
// associated."
TEST(PolicyAcl, TheDefaultAclAllowsAll) {
  Scenario s;
  const SubnetIndex a = add_subnet(s, "sub-a", "10.0.1.0/24");
  const SubnetIndex b = add_subnet(s, "sub-b", "10.0.2.0/24");
  const PolicySet set = compile(s);
  const CompiledPolicy& in = at_hook(set, nacl_in(a));
  EXPECT_TRUE(in.policy.rules.rules.empty());
  EXPECT_EQ(in.policy.default_text, "the VPC default network ACL allows all");
  EXPECT_TRUE(allowed(set, nacl_in(a), tcp_key("192.0.2.1", "10.0.1.1", 22)));
  EXPECT_TRUE(allowed(set, nacl_out(b), key(net::kProtoUdp, "2600:1f18::1", 53, "2001:db8::1", 5000)));
  EXPECT_EQ(set.policy(nacl_in(a)), set.policy(nacl_in(b)));
}

// vpc-network-acls.md (research A2): "Inbound rules match the source CIDR. Outbound rules
// match the destination CIDR", and "the port range is the destination port".
TEST(PolicyAcl, InboundMatchesTheSourceAndOutboundTheDestination) {
  Scenario s;
  const AclIndex a = add_acl(s, "acl-a", {acl_rule(100, RuleAction::kAllow, tcp(80, cidr("192.0.2.0/24")))},
                             {acl_rule(100, RuleAction::kAllow, tcp(1024, 65535, cidr("192.0.2.0/24")))});
  const SubnetIndex sub = add_subnet(s, "sub-a", "10.0.1.0/24", a);
  const PolicySet set = compile(s);
  EXPECT_TRUE(allowed(set, nacl_in(sub), tcp_key("192.0.2.9", "10.0.1.1", 80)));
  EXPECT_FALSE(allowed(set, nacl_in(sub), tcp_key("10.0.1.1", "192.0.2.9", 80)));
  EXPECT_TRUE(allowed(set, nacl_out(sub), tcp_key("10.0.1.1", "192.0.2.9", 40000, 80)));
  EXPECT_FALSE(allowed(set, nacl_out(sub), tcp_key("192.0.2.9", "10.0.1.1", 40000, 80)));
  EXPECT_FALSE(allowed(set, nacl_out(sub), tcp_key("10.0.1.1", "192.0.2.9", 80, 40000)));  // dport decides
}

// --- Huawei Cloud ----------------------------------------------------------------------------

// Huawei VPC guide, security group rules (research A4): priority 1-100, 1 first; "At equal
// priority, deny beats allow."
TEST(PolicyHuawei, DenyWinsAtEqualPriority) {
  Scenario s;
  s.provider = Provider::kHuawei;
  const GroupIndex g = add_group(s, "sg-a",
                                 {huawei(1, RuleAction::kAllow, tcp(22, cidr("0.0.0.0/0"))),
                                  huawei(1, RuleAction::kDeny, tcp(22, cidr("10.0.0.0/8"))),
                                  huawei(5, RuleAction::kDeny, tcp(80, cidr("0.0.0.0/0"))),
                                  huawei(2, RuleAction::kAllow, tcp(80, cidr("10.0.0.0/8")))});
  const InterfaceIndex i = add_interface(s, "ecs-1", "10.0.1.1", {g});
  const PolicySet set = compile(s);
  EXPECT_FALSE(allowed(set, ingress(i), tcp_key("10.1.1.1", "10.0.1.1", 22)));
  EXPECT_TRUE(allowed(set, ingress(i), tcp_key("192.0.2.1", "10.0.1.1", 22)));
  // Priority 2 allow is evaluated before the priority 5 deny.
  EXPECT_TRUE(allowed(set, ingress(i), tcp_key("10.1.1.1", "10.0.1.1", 80)));
  EXPECT_FALSE(allowed(set, ingress(i), tcp_key("192.0.2.1", "10.0.1.1", 80)));
  EXPECT_FALSE(allowed(set, ingress(i), tcp_key("192.0.2.1", "10.0.1.1", 443)));  // default deny
  EXPECT_TRUE(at_hook(set, ingress(i)).policy.stateful);
}

// Research A4: with several SGs on one instance, "(1) SG binding order (the earlier group
// wins), (2) rule priority, (3) deny over allow"; the Flexus pages say "union" instead, which
// options.huawei_group_order: union selects (priority and action only).
TEST(PolicyHuawei, BindingOrderUnlessTheUnionOptionIsSet) {
  Scenario s;
  s.provider = Provider::kHuawei;
  const GroupIndex open = add_group(s, "sg-open", {huawei(100, RuleAction::kAllow, tcp(22, cidr("0.0.0.0/0")))});
  const GroupIndex closed = add_group(s, "sg-closed", {huawei(1, RuleAction::kDeny, tcp(22, cidr("0.0.0.0/0")))});
  const InterfaceIndex first_open = add_interface(s, "ecs-1", "10.0.1.1", {open, closed});
  const InterfaceIndex first_closed = add_interface(s, "ecs-2", "10.0.1.2", {closed, open});
  const FiveTuple ssh1 = tcp_key("192.0.2.1", "10.0.1.1", 22);
  const FiveTuple ssh2 = tcp_key("192.0.2.1", "10.0.1.2", 22);
  {
    const PolicySet set = compile(s);
    EXPECT_TRUE(allowed(set, ingress(first_open), ssh1));
    EXPECT_EQ(deciding_origin(set, ingress(first_open), ssh1).owner, "sg-open");
    EXPECT_FALSE(allowed(set, ingress(first_closed), ssh2));
  }
  s.huawei_union = true;
  {
    const PolicySet set = compile(s);
    EXPECT_FALSE(allowed(set, ingress(first_open), ssh1));
    EXPECT_EQ(deciding_origin(set, ingress(first_open), ssh1).owner, "sg-closed");
    EXPECT_FALSE(allowed(set, ingress(first_closed), ssh2));
  }
}

// Research A4: Huawei ACL rules take effect in the order listed ("生效顺序" 1..n) with a final
// `*` deny, and "您无需单独添加放通响应流量的规则" (no rule is needed for response traffic): stateful.
TEST(PolicyHuawei, AclRulesApplyInListedOrderAndAreStateful) {
  Scenario s;
  s.provider = Provider::kHuawei;
  // Numbers as a careless writer might leave them: position decides, not the number.
  const AclIndex a = add_acl(s, "acl-h",
                             {acl_rule(9, RuleAction::kDeny, tcp(22, cidr("0.0.0.0/0"))),
                              acl_rule(1, RuleAction::kAllow, rule(all_protocols(), {}, cidr("0.0.0.0/0"), "all"))});
  const SubnetIndex sub = add_subnet(s, "sub-h", "10.0.1.0/24", a);
  const PolicySet set = compile(s);
  EXPECT_FALSE(allowed(set, nacl_in(sub), tcp_key("192.0.2.1", "10.0.1.1", 22)));
  EXPECT_EQ(deciding_origin(set, nacl_in(sub), tcp_key("192.0.2.1", "10.0.1.1", 22)).label, "rule 1");
  EXPECT_TRUE(allowed(set, nacl_in(sub), tcp_key("192.0.2.1", "10.0.1.1", 80)));
  EXPECT_EQ(deciding_origin(set, nacl_in(sub), tcp_key("192.0.2.1", "10.0.1.1", 80)).label, "rule 2");
  EXPECT_TRUE(at_hook(set, nacl_in(sub)).policy.stateful);
  EXPECT_FALSE(allowed(set, nacl_out(sub), tcp_key("10.0.1.1", "192.0.2.1", 80)));  // `*` deny
}

// --- untracked flows -------------------------------------------------------------------------

// EC2 guide, "Untracked connections": "If a security group rule permits TCP or UDP flows for
// all traffic (0.0.0.0/0 or ::/0) and there is a corresponding rule in the other direction that
// permits all response traffic (0.0.0.0/0 or ::/0) for all ports (0-65535), then that flow of
// traffic is not tracked."
TEST(PolicyUntracked, AllPortsAnywherePerFamilyAndProtocol) {
  Scenario s;
  const GroupIndex all_out = add_group(s, "sg-all-out", {}, {rule(all_protocols(), {}, anywhere(), "all to anywhere")});
  const GroupIndex web = add_group(s, "sg-web", {tcp(80, cidr("0.0.0.0/0")), tcp(0, 65535, cidr("10.0.0.0/8"))});
  const GroupIndex split =
      add_group(s, "sg-split",
                {rule(proto(net::kProtoTcp), {{1024, 65535}, {0, 1023}}, cidr("0.0.0.0/0"), "tcp 0-1023,1024-65535")});
  const GroupIndex udp6 = add_group(s, "sg-udp6", {rule(proto(net::kProtoUdp), {}, cidr("::/0"), "udp all ::/0")});
  const InterfaceIndex ia = add_interface(s, "i-a", "10.0.1.1", {all_out});
  const InterfaceIndex iw = add_interface(s, "i-w", "10.0.1.2", {web});
  const InterfaceIndex is = add_interface(s, "i-s", "10.0.1.3", {split});
  const InterfaceIndex iu = add_interface(s, "i-u", "10.0.1.4", {udp6});
  const PolicySet set = compile(s);
  using Slots = std::array<std::array<bool, 2>, 2>;  // [v4, v6][tcp, udp]
  EXPECT_EQ(at_hook(set, egress(ia)).policy.all_ports_anywhere, (Slots{{{true, true}, {true, true}}}));
  EXPECT_EQ(at_hook(set, ingress(ia)).policy.all_ports_anywhere, (Slots{}));
  EXPECT_EQ(at_hook(set, ingress(iw)).policy.all_ports_anywhere, (Slots{}));  // port 80 only; /8 only
  EXPECT_EQ(at_hook(set, ingress(is)).policy.all_ports_anywhere, (Slots{{{true, false}, {false, false}}}));
  EXPECT_EQ(at_hook(set, ingress(iu)).policy.all_ports_anywhere, (Slots{{{false, false}, {false, true}}}));
}

// The AWS priority trick: all rules allow, so a whole-space peer may win the tie; a flow that a
// from-anywhere rule allows is attributed to it (rule_from_anywhere), whatever the order.
TEST(PolicyUntracked, AFlowAllowedFromAnywhereIsAttributedToTheAnywhereRule) {
  Scenario s;
  const GroupIndex g = add_group(s, "sg-web", {tcp(80, cidr("10.0.0.0/8"), 3), tcp(80, cidr("0.0.0.0/0"), 4)});
  const InterfaceIndex i = add_interface(s, "i-web", "10.0.1.1", {g});
  const PolicySet set = compile(s);
  const CompiledPolicy& p = at_hook(set, ingress(i));
  const Decision d = decide(p, tcp_key("10.1.1.1", "10.0.1.1", 80));
  ASSERT_TRUE(d.allowed);
  EXPECT_TRUE(p.policy.rule_from_anywhere.at(d.rule));
  EXPECT_EQ(p.policy.origins.at(p.policy.rules.rules[d.rule].id).label, "inbound rule 2");
  ASSERT_EQ(p.policy.rule_from_anywhere.size(), p.policy.rules.rules.size());
  EXPECT_FALSE(p.policy.rule_from_anywhere[0]);
}

// --- sharing ---------------------------------------------------------------------------------

// A group reference expands to the same member addresses for every holder, so interfaces with
// the same ordered group list can share policies exactly; subnets with the same ACL too.
TEST(PolicySharing, SameGroupsShareAndDifferentGroupsDoNot) {
  Scenario s;
  const GroupIndex a = add_group(s, "sg-a", {tcp(80, cidr("0.0.0.0/0"))});
  const GroupIndex b = add_group(s, "sg-b", {tcp(22, group_peer(s, 0))});
  const AclIndex acl = add_acl(s, "acl-a", {acl_rule(100, RuleAction::kAllow, tcp(80, cidr("0.0.0.0/0")))});
  const InterfaceIndex i1 = add_interface(s, "i-1", "10.0.1.1", {a, b});
  const InterfaceIndex i2 = add_interface(s, "i-2", "10.0.1.2", {a, b});
  const InterfaceIndex i3 = add_interface(s, "i-3", "10.0.1.3", {b, a});
  const InterfaceIndex i4 = add_interface(s, "i-4", "10.0.1.4", {a});
  const SubnetIndex s1 = add_subnet(s, "sub-1", "10.0.1.0/24", acl);
  const SubnetIndex s2 = add_subnet(s, "sub-2", "10.0.2.0/24", acl);
  const SubnetIndex s3 = add_subnet(s, "sub-3", "10.0.3.0/24");
  const PolicySet set = compile(s);
  EXPECT_EQ(set.policy(ingress(i1)), set.policy(ingress(i2)));
  EXPECT_EQ(set.policy(egress(i1)), set.policy(egress(i2)));
  EXPECT_NE(set.policy(ingress(i1)), set.policy(egress(i1)));
  EXPECT_NE(set.policy(ingress(i1)), set.policy(ingress(i3)));
  EXPECT_NE(set.policy(ingress(i1)), set.policy(ingress(i4)));
  EXPECT_EQ(set.policy(nacl_in(s1)), set.policy(nacl_in(s2)));
  EXPECT_NE(set.policy(nacl_in(s1)), set.policy(nacl_in(s3)));
  // 3 group lists × 2 + 2 ACLs × 2.
  EXPECT_EQ(set.distinct_policies(), 10u);
}

// --- events ----------------------------------------------------------------------------------

Event event(bool authorize, GroupIndex group, FilterRule r, std::uint32_t line) {
  Event e;
  e.where = at(line);
  e.at_s = line;
  e.authorize = authorize;
  e.group = group;
  e.rule = std::move(r);
  return e;
}

// docs/scenario-format.md, events: "revoke" and "authorize" change a group's rules at a time;
// compile_policies(s, options, n) applies the first n.
TEST(PolicyEvents, AuthorizeAppendsAndRevokeRemovesTheEqualRule) {
  Scenario s;
  const GroupIndex lb = add_group(s, "sg-lb");
  FilterRule from_lb = tcp(8080, group_peer(s, lb), 5);
  from_lb.text = "tcp 8080 from sg-lb";
  from_lb.description = "from the ALB";
  const GroupIndex app = add_group(s, "sg-app", {from_lb});
  add_interface(s, "alb/lb-a", "10.0.3.5", {lb});
  const InterfaceIndex i = add_interface(s, "i-app1", "10.0.1.10", {app});
  FilterRule revoked = from_lb;
  revoked.description.clear();  // descriptions and locations do not identify a rule
  revoked.where = at(40);
  FilterRule added = tcp(8080, cidr("10.0.1.0/24"), 41);
  added.where = at(41);
  s.events = {event(false, app, revoked, 40), event(true, app, added, 41)};
  const FiveTuple from_node = tcp_key("10.0.3.5", "10.0.1.10", 8080);
  const FiveTuple from_subnet = tcp_key("10.0.1.20", "10.0.1.10", 8080);

  EXPECT_TRUE(allowed(compile(s, 0), ingress(i), from_node));
  EXPECT_FALSE(allowed(compile(s, 1), ingress(i), from_node));
  const PolicySet after = compile(s, 2);
  EXPECT_FALSE(allowed(after, ingress(i), from_node));
  EXPECT_TRUE(allowed(after, ingress(i), from_subnet));
  EXPECT_EQ(deciding_origin(after, ingress(i), from_subnet).where.line, 41u);
  EXPECT_EQ(deciding_origin(after, ingress(i), from_subnet).label, "inbound rule 1");
  // More events than exist: all of them.
  EXPECT_TRUE(allowed(compile(s, 99), ingress(i), from_subnet));
}

TEST(PolicyEvents, RevokingARuleTheGroupDoesNotHaveIsALocatedError) {
  Scenario s;
  const GroupIndex lb = add_group(s, "sg-lb");
  const GroupIndex app = add_group(s, "sg-app", {tcp(80, cidr("0.0.0.0/0"))});
  FilterRule missing = tcp(8080, group_peer(s, lb));
  missing.text = "tcp 8080 from sg-lb";
  s.events = {event(false, app, missing, 12)};
  add_interface(s, "i-app1", "10.0.1.10", {app});
  // Whichever epoch is compiled (check and explain compile the first, with no event applied).
  for (std::size_t n : {0u, 1u}) {
    auto set = compile_policies(s, {}, n);
    ASSERT_FALSE(set.ok());
    EXPECT_EQ(set.error().to_string(),
              "test.yaml:12:7: error: revoke of a rule sg-app does not have: tcp 8080 from sg-lb");
  }
}

// --- provenance and names ------------------------------------------------------------------

TEST(PolicyProvenance, TheDecidingRuleNamesWhereItWasWritten) {
  Scenario s;
  FilterRule r1 = tcp(22, cidr("10.0.0.0/8"), 10);
  FilterRule r2 = tcp(8080, cidr("10.0.3.0/24"), 11);
  r2.text = "tcp 8080 from 10.0.3.0/24";
  const GroupIndex g = add_group(s, "sg-app", {r1, r2});
  const AclIndex a = add_acl(s, "acl-priv",
                             {acl_rule(100, RuleAction::kDeny, tcp(8080, cidr("10.0.9.0/24"), 20)),
                              acl_rule(110, RuleAction::kAllow, tcp(8080, cidr("10.0.0.0/16"), 21))});
  const SubnetIndex sub = add_subnet(s, "app-a", "10.0.1.0/24", a);
  const InterfaceIndex i = add_interface(s, "i-app1", "10.0.1.10", {g}, sub);
  const PolicySet set = compile(s);
  const RuleOrigin sg = deciding_origin(set, ingress(i), tcp_key("10.0.3.7", "10.0.1.10", 8080));
  EXPECT_EQ(sg.owner, "sg-app");
  EXPECT_EQ(sg.label, "inbound rule 2");
  EXPECT_EQ(sg.text, "tcp 8080 from 10.0.3.0/24");
  EXPECT_EQ(sg.where.line, 11u);
  EXPECT_EQ(sg.action, RuleAction::kAllow);
  const RuleOrigin acl = deciding_origin(set, nacl_in(sub), tcp_key("10.0.9.7", "10.0.1.10", 8080));
  EXPECT_EQ(acl.owner, "acl-priv");
  EXPECT_EQ(acl.label, "rule 100");
  EXPECT_EQ(acl.where.line, 20u);
  EXPECT_EQ(acl.action, RuleAction::kDeny);
}

TEST(PolicyHookName, NamesTheInterfaceOrSubnet) {
  Scenario s;
  add_interface(s, "i-app1", "10.0.1.10", {});
  add_interface(s, "alb-web/lb-a", "10.0.3.5", {});
  add_subnet(s, "app-a", "10.0.1.0/24");
  add_subnet(s, "lb-a", "10.0.3.0/24");
  EXPECT_EQ(hook_name(s, ingress(0)), "sg-ingress(i-app1)");
  EXPECT_EQ(hook_name(s, egress(1)), "sg-egress(alb-web/lb-a)");
  EXPECT_EQ(hook_name(s, nacl_in(0)), "nacl-in(app-a)");
  EXPECT_EQ(hook_name(s, nacl_out(1)), "nacl-out(lb-a)");
}

TEST(PolicyCompile, AnUnknownAlgorithmIsAnError) {
  Scenario s;
  auto set = compile_policies(s, CompileOptions{"fast"});
  ASSERT_FALSE(set.ok());
  EXPECT_NE(set.error().message.find("unknown algorithm 'fast'"), std::string::npos);
}

// --- differential: linear against cuttree -----------------------------------------------------

// A random AWS scenario drawn from few values per field (so overlaps and ties are common, as in
// the classifier's differential test); every hook's decision on random keys must be the same
// with the linear oracle and with cuttree.
TEST(PolicyDifferential, LinearAndCutTreeDecideAlike) {
  for (const Provider provider : {Provider::kAws, Provider::kHuawei}) {
    std::mt19937 rng(20240611u + static_cast<unsigned>(provider));
    auto pick = [&rng](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); };
    const std::vector<std::string> cidrs = {"0.0.0.0/0",    "10.0.0.0/8", "10.0.1.0/24",  "10.0.1.5/32",
                                            "192.0.2.0/24", "::/0",       "2001:db8::/32"};
    const std::vector<std::uint8_t> protocols = {net::kProtoTcp, net::kProtoUdp, net::kProtoIcmp, 47};
    const std::vector<PortRange> ports = {{80, 80}, {443, 443}, {1024, 65535}, {0, 65535}, {22, 80}};
    Scenario s;
    s.provider = provider;
    constexpr std::size_t kGroups = 5;
    for (std::size_t g = 0; g < kGroups; ++g) add_group(s, "sg-" + std::to_string(g));
    auto random_rule = [&](bool group_peers) {
      FilterRule r;
      const std::size_t p = pick(protocols.size() + 1);
      r.protocol = p == protocols.size() ? all_protocols() : proto(protocols[p]);
      if (r.protocol.number == net::kProtoIcmp && pick(2) == 0)
        r.icmp = IcmpSpec{static_cast<std::uint8_t>(3 + pick(2)), std::nullopt};
      for (std::size_t n = pick(3); n > 0; --n) r.ports.push_back(ports[pick(ports.size())]);
      if (group_peers && pick(4) == 0)
        r.peer = group_peer(s, static_cast<GroupIndex>(pick(kGroups)));
      else
        r.peer = pick(6) == 0 ? anywhere() : cidr(cidrs[pick(cidrs.size())]);
      r.action = provider == Provider::kHuawei && pick(3) == 0 ? RuleAction::kDeny : RuleAction::kAllow;
      r.priority = static_cast<std::uint32_t>(1 + pick(3));
      r.text = "random";
      return r;
    };
    for (SecurityGroup& g : s.groups)
      for (std::size_t n = 0; n < 12; ++n) (pick(2) ? g.inbound : g.outbound).push_back(random_rule(true));
    for (std::size_t a = 0; a < 2; ++a) {
      std::vector<FilterRule> in, out;
      for (std::uint32_t n = 0; n < 14; ++n) {
        FilterRule r = random_rule(false);
        r.action = pick(3) == 0 ? RuleAction::kDeny : RuleAction::kAllow;
        r.number = 10 * (n + 1);
        (pick(2) ? in : out).push_back(r);
      }
      add_acl(s, "acl-" + std::to_string(a), std::move(in), std::move(out));
    }
    add_subnet(s, "sub-0", "10.0.1.0/24", 0);
    add_subnet(s, "sub-1", "10.0.2.0/24", 1);
    add_subnet(s, "sub-2", "10.0.3.0/24");
    const std::vector<std::string> hosts = {"10.0.1.5", "10.0.1.6", "10.0.2.5", "10.0.3.5", "10.9.9.9", "192.0.2.7"};
    for (std::size_t n = 0; n < 8; ++n) {
      std::vector<GroupIndex> bound;
      for (std::size_t k = pick(3) + 1; k > 0; --k) bound.push_back(static_cast<GroupIndex>(pick(kGroups)));
      const InterfaceIndex i =
          add_interface(s, "i-" + std::to_string(n), hosts[n % 4], bound, static_cast<SubnetIndex>(n % 3));
      if (pick(2)) s.interfaces[i].ipv6 = addr("2001:db8::" + std::to_string(n + 1));
    }

    const PolicySet linear = compile(s, 0, "linear");
    const PolicySet cuttree = compile(s, 0, "cuttree");
    ASSERT_EQ(linear.distinct_policies(), cuttree.distinct_policies());
    const std::vector<std::string> v4 = {"10.0.1.5", "10.0.1.6", "10.0.2.5", "10.9.9.9", "192.0.2.7", "198.51.100.1"};
    const std::vector<std::string> v6 = {"2001:db8::1", "2001:db8::3", "2600::1"};
    const std::vector<std::uint8_t> key_protocols = {net::kProtoTcp, net::kProtoUdp, net::kProtoIcmp, 47, 50};
    const std::vector<std::uint16_t> key_ports = {0, 3, 4, 22, 80, 443, 1023, 1024, 40000, 65535};
    std::vector<Hook> hooks;
    for (std::uint32_t i = 0; i < s.interfaces.size(); ++i) hooks.insert(hooks.end(), {ingress(i), egress(i)});
    for (std::uint32_t i = 0; i < s.subnets.size(); ++i) hooks.insert(hooks.end(), {nacl_in(i), nacl_out(i)});
    std::size_t compared = 0, allowed_count = 0;
    for (const Hook& hook : hooks) {
      const CompiledPolicy* a = linear.policy(hook);
      const CompiledPolicy* b = cuttree.policy(hook);
      ASSERT_TRUE(a && b) << hook_name(s, hook);
      EXPECT_EQ(b->classifier->algorithm(), "cuttree");
      for (int n = 0; n < 2000; ++n) {
        const bool six = pick(4) == 0;
        const auto& pool = six ? v6 : v4;
        const FiveTuple k =
            key(key_protocols[pick(key_protocols.size())], pool[pick(pool.size())], key_ports[pick(key_ports.size())],
                pool[pick(pool.size())], key_ports[pick(key_ports.size())]);
        const Decision da = decide(*a, k);
        const Decision db = decide(*b, k);
        ++compared;
        allowed_count += da.allowed ? 1 : 0;
        if (da.allowed != db.allowed || da.rule != db.rule) {
          ADD_FAILURE() << hook_name(s, hook) << ": linear rule " << static_cast<std::int64_t>(da.rule)
                        << ", cuttree rule " << static_cast<std::int64_t>(db.rule);
          break;
        }
      }
    }
    // The draw must exercise both verdicts, or the comparison proves little.
    EXPECT_GT(allowed_count, compared / 20);
    EXPECT_LT(allowed_count, compared - compared / 20);
  }
}

}  // namespace
}  // namespace pfsim::engine
