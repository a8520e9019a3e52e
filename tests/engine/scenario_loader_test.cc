// Tests of engine/model/scenario_loader.h: the example (tests/data/examples) and provider
// scenarios load into the expected model; every kind of bad input gives its full located message; no input crashes.
#include "engine/model/scenario_loader.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <string_view>

#include "engine/model/scenario.h"
#include "net/address.h"

namespace pfsim::engine {
namespace {

const std::string kExample = std::string(PFSIM_TEST_DATA_DIR) + "/examples/alb-internet-facing.yaml";

// The error as a user sees it, or "loaded".
std::string error_of(std::string_view yaml) {
  const net::Result<Scenario> s = parse_scenario(yaml, "t.yaml");
  return s ? std::string("loaded") : s.error().to_string();
}

net::IpAddress ip(std::string_view text) { return *net::parse_address(text); }
net::IpRange cidr(std::string_view text) { return *net::parse_prefix(text); }

// ---- the example (tests/data/examples) ----

TEST(ScenarioLoaderExample, LoadsTheSharedAlbExample) {
  const net::Result<Scenario> loaded = load_scenario(kExample);
  ASSERT_TRUE(loaded) << loaded.error().to_string();
  const Scenario& s = *loaded;
  EXPECT_EQ(s.file, kExample);
  EXPECT_EQ(s.provider, Provider::kAws);
  EXPECT_EQ(s.name, "internet-facing ALB with the recommended rules");
  EXPECT_FALSE(s.ec2_classic);
  ASSERT_EQ(s.vpc_cidrs.size(), 2u);
  EXPECT_EQ(s.vpc_cidrs[1], cidr("2600:1f18:abcd::/56"));

  // Subnets and their ACLs: app-b has none (the VPC default ACL).
  ASSERT_EQ(s.subnets.size(), 3u);
  EXPECT_EQ(s.subnets[0].acl, 0u);
  EXPECT_EQ(s.subnets[1].acl, 1u);
  EXPECT_EQ(s.subnets[2].acl, kNone);
  EXPECT_EQ(s.subnets[2].cidrs.size(), 2u);
  EXPECT_EQ(s.subnets[1].where.line, 10u);
  EXPECT_EQ(s.subnets[1].where.column, 5u);

  // Network ACLs: numbers, text, actions and the ICMP spec.
  ASSERT_EQ(s.acls.size(), 2u);
  const NetworkAcl& lb_acl = s.acls[0];
  EXPECT_EQ(lb_acl.id, "acl-lb");
  ASSERT_EQ(lb_acl.inbound.size(), 3u);
  EXPECT_EQ(lb_acl.inbound[0].number, 100u);
  EXPECT_EQ(lb_acl.inbound[1].number, 110u);
  EXPECT_EQ(lb_acl.inbound[1].text, "allow tcp 1024-65535 from 10.0.0.0/16");
  EXPECT_EQ(lb_acl.inbound[1].where.line, 17u);
  EXPECT_EQ(lb_acl.inbound[2].text, "allow icmp type 3 code 4 from 0.0.0.0/0");
  ASSERT_TRUE(lb_acl.inbound[2].icmp);
  EXPECT_EQ(lb_acl.inbound[2].icmp->type, 3);
  EXPECT_EQ(lb_acl.inbound[2].icmp->code, 4);
  EXPECT_TRUE(lb_acl.inbound[2].peer.anywhere);
  EXPECT_EQ(lb_acl.outbound[0].text, "allow tcp 80,8080 to 10.0.0.0/16");
  EXPECT_EQ(lb_acl.outbound[0].ports.size(), 2u);
  EXPECT_EQ(lb_acl.outbound[0].protocol.number, 6);
  EXPECT_FALSE(lb_acl.outbound[0].protocol.any);

  // Security groups: group peers resolve to indices; texts are canonical.
  ASSERT_EQ(s.groups.size(), 2u);
  const SecurityGroup& lb_sg = s.groups[0];
  const SecurityGroup& app_sg = s.groups[1];
  EXPECT_EQ(lb_sg.inbound[0].text, "tcp 443 from 0.0.0.0/0");
  EXPECT_EQ(lb_sg.inbound[0].description, "listener");
  EXPECT_TRUE(lb_sg.inbound[0].peer.anywhere);
  EXPECT_EQ(lb_sg.outbound[0].peer.kind, Peer::Kind::kGroup);
  EXPECT_EQ(lb_sg.outbound[0].peer.group, 1u);
  EXPECT_EQ(lb_sg.outbound[1].text, "tcp 8080 to sg-app");
  EXPECT_EQ(app_sg.inbound[0].text, "tcp 80,8080 from sg-lb");
  EXPECT_EQ(app_sg.inbound[0].peer.group, 0u);
  EXPECT_EQ(app_sg.inbound[1].text, "icmp type 3 code 4 from 0.0.0.0/0");
  EXPECT_EQ(app_sg.outbound[0].text, "all to 0.0.0.0/0");
  EXPECT_TRUE(app_sg.outbound[0].protocol.any);
  EXPECT_EQ(app_sg.inbound[0].where.line, 39u);
  EXPECT_EQ(app_sg.inbound[0].where.column, 9u);

  ASSERT_EQ(s.prefix_lists.size(), 1u);
  EXPECT_EQ(s.prefix_lists[0].cidrs[0], cidr("198.51.100.0/24"));

  // Interfaces: the instances, then one per LB node.
  ASSERT_EQ(s.interfaces.size(), 3u);
  EXPECT_EQ(s.interfaces[0].id, "i-app1");
  EXPECT_EQ(s.interfaces[0].subnet, 1u);
  EXPECT_EQ(s.interfaces[0].ipv4, ip("10.0.2.10"));
  EXPECT_EQ(s.interfaces[1].ipv6, ip("2600:1f18:abcd:3::10"));
  EXPECT_EQ(s.interfaces[1].groups, std::vector<GroupIndex>{1});
  const NetworkInterface& node = s.interfaces[2];
  EXPECT_EQ(node.kind, NetworkInterface::Kind::kLbNode);
  EXPECT_EQ(node.id, "alb-web/lb-a");
  EXPECT_EQ(node.lb, 0u);
  EXPECT_EQ(node.subnet, 0u);
  EXPECT_EQ(node.groups, std::vector<GroupIndex>{0});
  EXPECT_EQ(node.public_ip, ip("203.0.113.10"));

  ASSERT_EQ(s.load_balancers.size(), 1u);
  const LoadBalancer& lb = s.load_balancers[0];
  EXPECT_EQ(lb.type, LbType::kApplication);
  EXPECT_TRUE(lb.internet_facing);
  EXPECT_EQ(lb.nodes, std::vector<InterfaceIndex>{2});
  ASSERT_EQ(lb.listeners.size(), 1u);
  EXPECT_EQ(lb.listeners[0].protocol, AppProtocol::kHttps);
  EXPECT_EQ(lb.listeners[0].port, 443);
  EXPECT_EQ(lb.listeners[0].target_group, 0u);
  EXPECT_EQ(lb.clients, (std::vector<net::IpRange>{cidr("192.0.2.1/32"), cidr("2001:db8::1/128")}));

  ASSERT_EQ(s.target_groups.size(), 1u);
  const TargetGroup& tg = s.target_groups[0];
  EXPECT_EQ(tg.protocol, AppProtocol::kHttp);
  EXPECT_EQ(tg.port, 80);
  EXPECT_FALSE(tg.ip_targets);
  EXPECT_EQ(tg.health_check.protocol, AppProtocol::kHttp);
  EXPECT_EQ(tg.health_check.port, 8080);
  EXPECT_EQ(tg.health_check.interval_s, 30u);
  EXPECT_EQ(tg.preserve_client_ip, false);
  ASSERT_EQ(tg.targets.size(), 2u);
  EXPECT_EQ(tg.targets[0].interface, 0u);
  EXPECT_EQ(tg.targets[0].port, 0);
  EXPECT_EQ(tg.targets[1].interface, 1u);
  EXPECT_EQ(tg.targets[1].port, 80);

  EXPECT_EQ(s.mtu.vpc_bytes, 9001u);
  EXPECT_EQ(s.conntrack.tcp_established_s, 432000u);
  EXPECT_TRUE(s.conntrack.icmp_errors_related);

  ASSERT_EQ(s.events.size(), 2u);
  EXPECT_EQ(s.events[0].at_s, 10);
  EXPECT_FALSE(s.events[0].authorize);
  EXPECT_EQ(s.events[0].group, 1u);
  EXPECT_EQ(s.events[0].direction, Direction::kInbound);
  EXPECT_EQ(s.events[0].rule.text, "tcp 8080 from sg-lb");
  EXPECT_TRUE(s.events[1].authorize);
  EXPECT_EQ(s.events[1].rule.text, "tcp 8080 from 10.0.1.0/24");

  // The helpers of scenario.h on the loaded example.
  EXPECT_EQ(subnet_of(s, ip("10.0.3.99")), 2u);
  EXPECT_EQ(subnet_of(s, ip("2600:1f18:abcd:3::1")), 2u);
  EXPECT_EQ(subnet_of(s, ip("10.0.9.1")), kNone);
  EXPECT_EQ(interface_at(s, ip("10.0.1.5")), 2u);
  EXPECT_EQ(interface_at(s, ip("2600:1f18:abcd:3::10")), 1u);
  EXPECT_EQ(interface_at(s, ip("203.0.113.10")), kNone);  // public addresses are not interfaces' own
  EXPECT_EQ(format_location(s.subnets[1].where), kExample + ":10");
}

TEST(ScenarioLoaderExample, ScenarioHelpers) {
  EXPECT_TRUE(uses_tcp(AppProtocol::kHttps));
  EXPECT_TRUE(uses_tcp(AppProtocol::kTcpUdp));
  EXPECT_FALSE(uses_tcp(AppProtocol::kUdpConnect));
  EXPECT_TRUE(uses_udp(AppProtocol::kTcpUdp));
  EXPECT_TRUE(uses_udp(AppProtocol::kUdp));
  EXPECT_FALSE(uses_udp(AppProtocol::kTls));
  EXPECT_EQ(format_location(Location{"a.yaml", 3, 7}), "a.yaml:3");
}

TEST(ScenarioLoaderExample, MissingFileIsAnErrorNamingIt) {
  const auto s = load_scenario("/nonexistent/x.yaml");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().to_string(), "error: cannot read '/nonexistent/x.yaml': No such file or directory");
}

// ---- more scenarios that load ----

TEST(ScenarioLoaderLoads, AwsAclRulesAreSortedAndPeersVary) {
  const auto s = parse_scenario(R"(pfsim: 1
vpc: {cidr: 10.0.0.0/16}
network_acls:
  - id: acl
    inbound:
      - {rule: 200, protocol: all, source: anywhere, action: deny}
      - {rule: 100, protocol: udp, ports: [53, 1024-2048], source: "10.0.0.0/8", action: allow}
      - {rule: 150, protocol: 47, source: ::/0, action: allow}
subnets:
  - {id: a, cidr: 10.0.1.0/24, network_acl: acl}
prefix_lists:
  - {id: pl-office, cidrs: [198.51.100.0/24, "2001:db8:1::/48"]}
security_groups:
  - id: sg
    inbound:
      - {protocol: tcp, ports: all, source: pl-office}
      - {protocol: "-1", source: anywhere}
      - {protocol: icmpv6, icmp: {type: 2}, source: "::/0"}
      - {protocol: ICMP, source: 10.0.0.5}
instances:
  - {id: i-1, subnet: a, ip: 10.0.1.10, public_ip: 198.51.100.7, security_groups: sg}
)",
                                "t.yaml");
  ASSERT_TRUE(s) << s.error().to_string();
  const NetworkAcl& acl = s->acls[0];
  ASSERT_EQ(acl.inbound.size(), 3u);
  EXPECT_EQ(acl.inbound[0].number, 100u);
  EXPECT_EQ(acl.inbound[0].text, "allow udp 53,1024-2048 from 10.0.0.0/8");
  EXPECT_EQ(acl.inbound[0].where.line, 7u);
  EXPECT_EQ(acl.inbound[1].number, 150u);
  EXPECT_EQ(acl.inbound[1].text, "allow gre from ::/0");
  EXPECT_TRUE(acl.inbound[1].peer.anywhere);
  EXPECT_EQ(acl.inbound[2].text, "deny all from anywhere");
  EXPECT_EQ(acl.inbound[2].action, RuleAction::kDeny);
  EXPECT_EQ(acl.inbound[2].peer.cidrs.size(), 2u);
  const SecurityGroup& sg = s->groups[0];
  EXPECT_EQ(sg.inbound[0].text, "tcp 0-65535 from pl-office");
  EXPECT_TRUE(sg.inbound[0].ports.empty());
  EXPECT_EQ(sg.inbound[0].peer.kind, Peer::Kind::kCidrs);
  EXPECT_EQ(sg.inbound[0].peer.cidrs.size(), 2u);
  EXPECT_FALSE(sg.inbound[0].peer.anywhere);
  EXPECT_EQ(sg.inbound[1].text, "all from anywhere");
  EXPECT_TRUE(sg.inbound[1].peer.anywhere);
  EXPECT_EQ(sg.inbound[2].text, "icmpv6 type 2 from ::/0");
  EXPECT_FALSE(sg.inbound[2].icmp->code);
  EXPECT_EQ(sg.inbound[3].text, "icmp from 10.0.0.5");
  EXPECT_EQ(sg.inbound[3].peer.cidrs[0], cidr("10.0.0.5/32"));
  EXPECT_EQ(s->interfaces[0].public_ip, ip("198.51.100.7"));
  EXPECT_EQ(s->interfaces[0].groups, std::vector<GroupIndex>{0});
}

TEST(ScenarioLoaderLoads, NlbWithIpTargetsInternalClientsAndSettings) {
  const auto s = parse_scenario(R"(pfsim: 1
vpc: {cidr: [10.0.0.0/16]}
subnets:
  - {id: a, cidr: 10.0.1.0/24}
  - {id: b, cidr: 10.0.2.0/24}
instances:
  - {id: i-1, subnet: b, ip: 10.0.2.10}
load_balancers:
  - id: nlb
    type: network
    scheme: internal
    nodes: [{subnet: a, ip: 10.0.1.5}, {subnet: b, ip: 10.0.2.5}]
    listeners: [{protocol: tcp_udp, port: 53, target_group: tg}]
target_groups:
  - id: tg
    protocol: TCP_UDP
    port: 53
    target_type: ip
    preserve_client_ip: true
    health_check: {port: traffic-port, interval_s: 10, path: /, timeout_s: 5, healthy_threshold: 3, unhealthy_threshold: 3}
    targets: [{ip: 10.0.2.10, port: 5353}, i-1]
mtu: {vpc: 1500, internet: 1500}
conntrack: {tcp_established_s: 60, udp_stream_s: 60, udp_s: 60, icmp_errors: rules, tcp_other_s: 5, icmp_s: 7, other_s: 9}
events:
  - {at_s: 5.5, authorize: {security_group: allow, outbound: {protocol: udp, ports: 53, destination: 10.0.0.0/16}}}
  - {at_s: 1, revoke: {security_group: allow, outbound: {destination: anywhere}}}
security_groups:
  - {id: allow}
)",
                                "t.yaml");
  ASSERT_TRUE(s) << s.error().to_string();
  const LoadBalancer& lb = s->load_balancers[0];
  EXPECT_EQ(lb.type, LbType::kNetwork);
  EXPECT_FALSE(lb.internet_facing);
  EXPECT_EQ(lb.clients, std::vector<net::IpRange>{cidr("10.0.0.0/16")});
  EXPECT_EQ(lb.nodes, (std::vector<InterfaceIndex>{1, 2}));
  EXPECT_EQ(s->interfaces[2].id, "nlb/b");
  EXPECT_TRUE(lb.groups.empty());
  EXPECT_EQ(lb.listeners[0].protocol, AppProtocol::kTcpUdp);
  const TargetGroup& tg = s->target_groups[0];
  EXPECT_TRUE(tg.ip_targets);
  EXPECT_EQ(tg.health_check.protocol, AppProtocol::kTcp);  // default for a non-HTTP group
  EXPECT_EQ(tg.health_check.port, 0);
  EXPECT_EQ(tg.health_check.interval_s, 10u);
  EXPECT_EQ(tg.preserve_client_ip, true);
  EXPECT_EQ(tg.targets[0].interface, 0u);
  EXPECT_EQ(tg.targets[0].port, 5353);
  EXPECT_EQ(tg.targets[1].port, 0);
  EXPECT_EQ(s->mtu.vpc_bytes, 1500u);
  EXPECT_FALSE(s->conntrack.icmp_errors_related);
  EXPECT_EQ(s->conntrack.other_s, 9u);
  EXPECT_EQ(s->conntrack.icmp_s, 7u);
  // Events are ordered by time.
  ASSERT_EQ(s->events.size(), 2u);
  EXPECT_EQ(s->events[0].at_s, 1);
  EXPECT_EQ(s->events[0].rule.text, "all to anywhere");
  EXPECT_EQ(s->events[1].at_s, 5.5);
  EXPECT_EQ(s->events[1].direction, Direction::kOutbound);
  EXPECT_EQ(s->events[1].rule.text, "udp 53 to 10.0.0.0/16");
}

TEST(ScenarioLoaderLoads, Huawei) {
  const auto s = parse_scenario(R"(pfsim: 1
provider: huawei
vpc: {cidr: 192.168.0.0/16}
subnets:
  - {id: elb, cidr: 192.168.1.0/24, network_acl: acl}
  - {id: backend, cidr: 192.168.2.0/24}
  - {id: app, cidr: 192.168.3.0/24}
network_acls:
  - id: acl
    inbound:
      - {protocol: tcp, ports: 80, source: 192.168.0.0/16, action: allow}
      - {protocol: all, source: anywhere, action: deny}
security_groups:
  - id: sg-app
    inbound:
      - {protocol: tcp, ports: 80, source: 192.168.2.0/24, priority: 1, action: allow}
      - {protocol: tcp, ports: 80, source: anywhere, priority: 5, action: deny}
      - {protocol: udp, ports: 53, source: anywhere, action: deny}
instances:
  - {id: ecs-1, subnet: app, ip: 192.168.3.10, security_groups: [sg-app]}
load_balancers:
  - id: elb-ded
    type: dedicated
    backend_subnet: backend
    nodes: [{subnet: elb, ip: 192.168.1.5}]
    listeners: [{protocol: UDP, port: 53, target_group: tg}]
  - id: elb-ded2
    type: dedicated
    ip_as_backend: false
    nodes: [{subnet: elb, ip: 192.168.1.6, backend_ip: 192.168.1.77}]
    listeners: [{protocol: TCP, port: 80, target_group: tg}]
  - id: elb-shared
    type: shared
    scheme: internal
    nodes: [{subnet: elb, ip: 192.168.1.7}]
    listeners: [{protocol: HTTP, port: 80, target_group: tg}]
target_groups:
  - id: tg
    protocol: UDP
    port: 53
    health_check: {protocol: UDP_CONNECT}
    targets: [ecs-1]
options: {huawei_group_order: union}
)",
                                "t.yaml");
  ASSERT_TRUE(s) << s.error().to_string();
  EXPECT_EQ(s->provider, Provider::kHuawei);
  EXPECT_TRUE(s->huawei_union);
  const NetworkAcl& acl = s->acls[0];
  EXPECT_EQ(acl.inbound[0].number, 1u);  // position as listed
  EXPECT_EQ(acl.inbound[1].number, 2u);
  EXPECT_EQ(acl.inbound[1].text, "deny all from anywhere");
  const SecurityGroup& sg = s->groups[0];
  EXPECT_EQ(sg.inbound[0].text, "tcp 80 from 192.168.2.0/24");
  EXPECT_EQ(sg.inbound[1].text, "tcp 80 from anywhere (priority 5, deny)");
  EXPECT_EQ(sg.inbound[1].priority, 5u);
  EXPECT_EQ(sg.inbound[1].action, RuleAction::kDeny);
  EXPECT_EQ(sg.inbound[2].text, "udp 53 from anywhere (priority 1, deny)");
  const LoadBalancer& ded = s->load_balancers[0];
  EXPECT_EQ(ded.type, LbType::kHuaweiDedicated);
  EXPECT_EQ(ded.backend_subnet, 1u);
  EXPECT_TRUE(ded.ip_as_backend);
  // The node is not in the backend subnet: the second-to-last address of the backend subnet.
  EXPECT_EQ(s->interfaces[ded.nodes[0]].backend_ip, ip("192.168.2.254"));
  EXPECT_TRUE(ded.internet_facing);
  EXPECT_FALSE(s->interfaces[ded.nodes[0]].public_ip);  // optional on huawei
  const LoadBalancer& ded2 = s->load_balancers[1];
  EXPECT_EQ(ded2.backend_subnet, 0u);  // default: the first node's subnet
  EXPECT_FALSE(ded2.ip_as_backend);
  EXPECT_EQ(s->interfaces[ded2.nodes[0]].backend_ip, ip("192.168.1.77"));
  const LoadBalancer& shared = s->load_balancers[2];
  EXPECT_EQ(shared.type, LbType::kHuaweiShared);
  EXPECT_EQ(shared.backend_subnet, kNone);
  EXPECT_FALSE(s->interfaces[shared.nodes[0]].backend_ip);
  EXPECT_EQ(s->target_groups[0].health_check.protocol, AppProtocol::kUdpConnect);
}

TEST(ScenarioLoaderLoads, HuaweiDedicatedNodeInItsBackendSubnetUsesItsOwnAddress) {
  const auto s = parse_scenario(R"(pfsim: 1
provider: huawei
vpc: {cidr: 192.168.0.0/16}
subnets: [{id: elb, cidr: 192.168.1.0/24}]
load_balancers:
  - {id: e, type: dedicated, nodes: [{subnet: elb, ip: 192.168.1.5}]}
)",
                                "t.yaml");
  ASSERT_TRUE(s) << s.error().to_string();
  EXPECT_EQ(s->interfaces[0].backend_ip, ip("192.168.1.5"));
}

TEST(ScenarioLoaderLoads, E2e) {
  const auto s = parse_scenario(R"(pfsim: 1
provider: e2e
vpc: {cidr: 10.10.0.0/16}
subnets: [{id: s, cidr: 10.10.1.0/24}]
security_groups:
  - id: base
    default: true
    inbound:
      - {protocol: tcp, ports: 22, source: {first_ip: 10.10.0.0, size: 16}}
  - id: web
    inbound:
      - {protocol: tcp, ports: 443, source: anywhere}
instances:
  - {id: node-1, subnet: s, ip: 10.10.1.10, security_groups: [allow-all]}
load_balancers:
  - id: lb
    security_groups: [web]
    nodes: [{subnet: s, ip: 10.10.1.5}]
    listeners: [{protocol: https, port: 443, target_group: tg}]
target_groups:
  - {id: tg, protocol: HTTP, port: 80, targets: [node-1]}
)",
                                "t.yaml");
  ASSERT_TRUE(s) << s.error().to_string();
  EXPECT_EQ(s->provider, Provider::kE2e);
  ASSERT_EQ(s->groups.size(), 3u);
  EXPECT_TRUE(s->groups[0].is_default);
  EXPECT_EQ(s->groups[0].inbound[0].peer.cidrs[0], cidr("10.10.0.0/16"));
  EXPECT_EQ(s->groups[0].inbound[0].text, "tcp 22 from 10.10.0.0/16");
  const SecurityGroup& allow_all = s->groups[2];
  EXPECT_EQ(allow_all.id, "allow-all");
  EXPECT_TRUE(allow_all.allow_all);
  ASSERT_EQ(allow_all.inbound.size(), 1u);
  EXPECT_EQ(allow_all.inbound[0].text, "all from anywhere");
  EXPECT_EQ(allow_all.outbound[0].text, "all to anywhere");
  EXPECT_TRUE(allow_all.outbound[0].peer.anywhere);
  EXPECT_EQ(s->interfaces[0].groups, std::vector<GroupIndex>{2});
  const LoadBalancer& lb = s->load_balancers[0];
  EXPECT_EQ(lb.type, LbType::kE2e);
  EXPECT_EQ(lb.groups, (std::vector<GroupIndex>{1, 0}));  // listed, then the default group
  EXPECT_EQ(s->interfaces[1].groups, lb.groups);
  EXPECT_FALSE(s->interfaces[1].public_ip);
}

TEST(ScenarioLoaderLoads, E2eFileMayDefineAllowAll) {
  const auto s = parse_scenario(
      "pfsim: 1\nprovider: e2e\nsecurity_groups: [{id: allow-all}]\nvpc: {cidr: 10.0.0.0/8}\n", "t.yaml");
  ASSERT_TRUE(s) << s.error().to_string();
  ASSERT_EQ(s->groups.size(), 1u);
  EXPECT_FALSE(s->groups[0].allow_all);
}

TEST(ScenarioLoaderLoads, Ec2Classic) {
  const auto s = parse_scenario(R"(pfsim: 1
network: ec2-classic
security_groups:
  - id: sg-web
    inbound: [{protocol: tcp, ports: 80, source: amazon-elb/amazon-elb-sg}]
instances:
  - {id: i-1, ip: 10.1.2.3, security_groups: [sg-web]}
load_balancers:
  - id: clb
    type: classic
    nodes: [{ip: 10.200.0.1, public_ip: 203.0.113.5}]
    listeners: [{protocol: HTTP, port: 80, target_group: tg, instance_port: 8080}]
target_groups:
  - {id: tg, protocol: HTTP, port: 80, targets: [i-1]}
)",
                                "t.yaml");
  ASSERT_TRUE(s) << s.error().to_string();
  EXPECT_TRUE(s->ec2_classic);
  EXPECT_TRUE(s->vpc_cidrs.empty());
  EXPECT_EQ(s->interfaces[0].subnet, kNone);
  EXPECT_EQ(s->groups[0].inbound[0].peer.kind, Peer::Kind::kElbSourceGroup);
  EXPECT_EQ(s->interfaces[1].id, "clb/1");
  EXPECT_EQ(s->interfaces[1].subnet, kNone);
  EXPECT_EQ(s->load_balancers[0].listeners[0].instance_port, 8080);
}

// ---- errors: each with its full located message ----

constexpr std::string_view kHead = R"(pfsim: 1
vpc: {cidr: [10.0.0.0/16, "2600:1f18::/56"]}
subnets:
  - {id: lb-a, cidr: 10.0.1.0/24}
  - {id: app-a, cidr: 10.0.2.0/24}
)";  // 5 lines: snippets appended to it start on line 6

std::string with_head(std::string_view rest) { return std::string(kHead) + std::string(rest); }

TEST(ScenarioLoaderErrors, YamlSyntaxErrorIsLocated) {
  EXPECT_EQ(error_of("pfsim: 1\nsubnets:\n  - {id: a, cidr: [10.0.0.0/8}\n"),
            "t.yaml:3:30: error: invalid YAML: illegal flow end");
  EXPECT_EQ(error_of("pfsim: 1\n  bad: indentation\n"), "t.yaml:2:6: error: invalid YAML: illegal map value");
}

TEST(ScenarioLoaderErrors, EmptyOrNotAScenario) {
  EXPECT_EQ(error_of(""), "t.yaml:1:1: error: empty scenario (expected a map that starts with 'pfsim: 1')");
  EXPECT_EQ(error_of("# only a comment\n"),
            "t.yaml:1:1: error: empty scenario (expected a map that starts with 'pfsim: 1')");
  EXPECT_EQ(error_of("- 1\n- 2\n"),
            "t.yaml:1:1: error: expected a map (a scenario starts with 'pfsim: 1'), got a list");
  EXPECT_EQ(error_of("pfsim: 1\n---\npfsim: 1\n"),
            "t.yaml:3:1: error: a scenario file holds one YAML document (found a second one)");
}

TEST(ScenarioLoaderErrors, VersionAndProvider) {
  EXPECT_EQ(error_of("provider: aws\n"), "t.yaml:1:1: error: missing 'pfsim: 1' (the format version)");
  EXPECT_EQ(error_of("pfsim: 2\n"), "t.yaml:1:8: error: unsupported format version '2' (allowed: 1)");
  EXPECT_EQ(error_of("pfsim: 1\nprovider: gcp\n"),
            "t.yaml:2:11: error: unknown provider 'gcp' (allowed: aws, huawei, e2e)");
}

TEST(ScenarioLoaderErrors, UnknownKeys) {
  EXPECT_EQ(error_of(with_head("subnet: []\n")),
            "t.yaml:6:1: error: unknown key 'subnet' in the scenario (allowed: pfsim, provider, name, network, vpc, "
            "subnets, network_acls, security_groups, prefix_lists, instances, load_balancers, target_groups, mtu, "
            "conntrack, events, options)");
  EXPECT_EQ(error_of(with_head("security_groups:\n  - id: sg\n    inbound:\n      - {prot: tcp, source: anywhere}\n")),
            "t.yaml:9:10: error: unknown key 'prot' in security group rule (allowed: protocol, ports, icmp, source, "
            "description)");
  EXPECT_EQ(error_of(with_head("security_groups:\n  - {id: sg, inbound: [], inbound: []}\n")),
            "t.yaml:7:27: error: duplicate key 'inbound' in security group");
}

TEST(ScenarioLoaderErrors, ProviderSpecificKeys) {
  EXPECT_EQ(
      error_of(with_head(
          "security_groups:\n  - id: sg\n    inbound: [{protocol: tcp, ports: 80, source: anywhere, priority: 2}]\n")),
      "t.yaml:8:60: error: 'priority' is a huawei key (provider is aws)");
  EXPECT_EQ(error_of("pfsim: 1\nprovider: huawei\nnetwork: ec2-classic\n"),
            "t.yaml:3:1: error: 'network' is an aws key (provider is huawei)");
  EXPECT_EQ(error_of(with_head("options: {huawei_group_order: union}\n")),
            "t.yaml:6:11: error: 'huawei_group_order' is a huawei key (provider is aws)");
  EXPECT_EQ(error_of(with_head("security_groups: [{id: sg, default: true}]\n")),
            "t.yaml:6:28: error: 'default' is an e2e key (provider is aws)");
  EXPECT_EQ(error_of("pfsim: 1\nprovider: huawei\nvpc: {cidr: 10.0.0.0/16}\nnetwork_acls:\n  - id: acl\n    inbound:\n"
                     "      - {rule: 100, protocol: all, source: anywhere, action: allow}\n"),
            "t.yaml:7:10: error: 'rule' is not used on huawei: huawei network ACL rules are ordered as listed");
  EXPECT_EQ(error_of("pfsim: 1\nprovider: e2e\nvpc: {cidr: 10.0.0.0/16}\nnetwork_acls: []\n"),
            "t.yaml:4:1: error: network_acls are not available on e2e (E2E Networks documents security groups only, "
            "no network ACLs)");
  EXPECT_EQ(error_of("pfsim: 1\nprovider: e2e\nvpc: {cidr: 10.0.0.0/16}\ntarget_groups:\n"
                     "  - {id: tg, protocol: TCP, port: 80, preserve_client_ip: true}\n"),
            "t.yaml:5:39: error: 'preserve_client_ip' is an aws key (provider is e2e)");
}

TEST(ScenarioLoaderErrors, DirectionOfThePeerKey) {
  EXPECT_EQ(error_of(with_head("security_groups:\n  - id: sg\n    outbound: [{protocol: all, source: anywhere}]\n")),
            "t.yaml:8:32: error: 'source' is not used in an outbound rule (an outbound rule matches its destination)");
  EXPECT_EQ(error_of(with_head("security_groups:\n  - id: sg\n    inbound: [{protocol: all}]\n")),
            "t.yaml:8:15: error: missing 'source' in security group rule");
}

TEST(ScenarioLoaderErrors, DuplicateIds) {
  EXPECT_EQ(error_of(with_head("security_groups: [{id: sg-a}, {id: sg-b}, {id: sg-a}]\n")),
            "t.yaml:6:48: error: duplicate security group id 'sg-a'");
  EXPECT_EQ(
      error_of(
          "pfsim: 1\nvpc: {cidr: 10.0.0.0/16}\nsubnets: [{id: a, cidr: 10.0.1.0/24}, {id: a, cidr: 10.0.2.0/24}]\n"),
      "t.yaml:3:44: error: duplicate subnet id 'a'");
}

TEST(ScenarioLoaderErrors, UnresolvedReferences) {
  EXPECT_EQ(error_of(with_head("security_groups:\n  - id: sg-lb\n  - id: sg-app\n    inbound: [{protocol: tcp, ports: "
                               "80, source: sg-ap}]\n")),
            "t.yaml:9:50: error: unresolved security group 'sg-ap' (defined: sg-lb, sg-app)");
  EXPECT_EQ(
      error_of(with_head("prefix_lists: [{id: pl-a, cidrs: 10.9.0.0/16}]\nsecurity_groups:\n  - id: sg\n"
                         "    inbound: [{source: pl-b}]\n")),
      "t.yaml:9:24: error: unresolved security group or prefix list 'pl-b' (security groups: sg; prefix lists: pl-a)");
  EXPECT_EQ(error_of(with_head("instances: [{id: i-1, subnet: app-b, ip: 10.0.2.1}]\n")),
            "t.yaml:6:31: error: unresolved subnet 'app-b' (defined: lb-a, app-a)");
  EXPECT_EQ(error_of("pfsim: 1\nvpc: {cidr: 10.0.0.0/16}\nsubnets: [{id: a, cidr: 10.0.1.0/24, network_acl: acl-x}]\n"),
            "t.yaml:3:51: error: unresolved network ACL 'acl-x' (defined: none)");
  EXPECT_EQ(error_of(with_head("instances: [{id: i-1, subnet: app-a, ip: 10.0.2.1, security_groups: [sg]}]\n")),
            "t.yaml:6:70: error: unresolved security group 'sg' (defined: none)");
  EXPECT_EQ(error_of(with_head(
                "load_balancers:\n  - {id: lb, type: network, scheme: internal, nodes: [{subnet: lb-a, ip: 10.0.1.5}],"
                " listeners: [{protocol: TCP, port: 80, target_group: tg}]}\n")),
            "t.yaml:7:138: error: unresolved target group 'tg' (defined: none)");
  EXPECT_EQ(error_of(with_head("instances: [{id: i-1, subnet: app-a, ip: 10.0.2.1}]\n"
                               "target_groups: [{id: tg, protocol: TCP, port: 80, targets: [i-1, i-2]}]\n")),
            "t.yaml:7:66: error: unresolved instance 'i-2' (defined: i-1)");
  EXPECT_EQ(error_of(with_head("target_groups: [{id: tg, protocol: TCP, port: 80, target_type: ip, targets: [{ip: "
                               "10.0.2.9, port: 80}]}]\n")),
            "t.yaml:6:83: error: no instance or load-balancer node has the private address 10.0.2.9");
  EXPECT_EQ(error_of(with_head("instances: [{id: i-1, subnet: app-a, ip: 10.0.2.1}]\n"
                               "target_groups: [{id: tg, protocol: TCP, port: 80, targets: [{ip: 10.0.2.1}]}]\n")),
            "t.yaml:7:62: error: 'ip' targets need target_type: ip (this group registers instances)");
  EXPECT_EQ(error_of(with_head("events: [{at_s: 1, revoke: {security_group: sg, inbound: {source: anywhere}}}]\n")),
            "t.yaml:6:45: error: unresolved security group 'sg' (defined: none)");
}

TEST(ScenarioLoaderErrors, PortsAndProtocols) {
  const auto rule = [](std::string_view r) {
    return error_of(with_head("security_groups:\n  - id: sg\n    inbound:\n      - " + std::string(r) + "\n"));
  };
  // Snippet rules start at line 9, column 9.
  EXPECT_EQ(rule("{protocol: tcp, ports: 443-80, source: anywhere}"), "t.yaml:9:32: error: port range 443-80 is empty");
  EXPECT_EQ(rule("{protocol: tcp, ports: [80, 70000], source: anywhere}"),
            "t.yaml:9:37: error: port 70000 is out of range (allowed: 0-65535)");
  EXPECT_EQ(rule("{protocol: tcp, ports: http, source: anywhere}"),
            "t.yaml:9:32: error: expected a port 0-65535 or a range a-b in ports, got 'http'");
  EXPECT_EQ(rule("{protocol: icmp, ports: 80, source: anywhere}"),
            "t.yaml:9:26: error: 'ports' is not used with icmp (write icmp: {type, code})");
  EXPECT_EQ(rule("{ports: 80, source: anywhere}"),
            "t.yaml:9:10: error: 'ports' needs protocol tcp or udp (protocol all matches every port)");
  EXPECT_EQ(rule("{protocol: 47, ports: 80, source: anywhere}"),
            "t.yaml:9:24: error: 'ports' is not used with gre: AWS ignores port ranges for protocols other "
            "than tcp and udp (EC2 API reference, IpPermission); remove 'ports'");
  EXPECT_EQ(rule("{protocol: 256, source: anywhere}"),
            "t.yaml:9:20: error: protocol number 256 is out of range (allowed: 0-255)");
  EXPECT_EQ(
      rule("{protocol: sctp, source: anywhere}"),
      "t.yaml:9:20: error: unknown protocol 'sctp' (allowed: tcp, udp, icmp, icmpv6, all, -1, or a number 0-255)");
  EXPECT_EQ(rule("{protocol: icmp, icmp: {code: 4}, source: anywhere}"),
            "t.yaml:9:33: error: icmp code without type (if the type is any, the code must be any too)");
  EXPECT_EQ(rule("{protocol: icmp, icmp: {type: 300}, source: anywhere}"),
            "t.yaml:9:39: error: icmp type 300 is out of range (allowed: 0-255)");
  EXPECT_EQ(rule("{protocol: tcp, icmp: {type: 3}, source: anywhere}"),
            "t.yaml:9:25: error: 'icmp' needs protocol icmp or icmpv6");
}

TEST(ScenarioLoaderErrors, WrongNodeTypesAndNumbers) {
  EXPECT_EQ(error_of(with_head("security_groups: {id: sg}\n")),
            "t.yaml:6:18: error: expected a list for security_groups, got a map");
  EXPECT_EQ(error_of(with_head("security_groups: [sg]\n")),
            "t.yaml:6:19: error: expected a map for security group, got a value");
  EXPECT_EQ(error_of(with_head("security_groups:\n  - id: [sg]\n")),
            "t.yaml:7:9: error: expected a value for security group id, got a list");
  EXPECT_EQ(error_of(with_head("mtu: {vpc: 99999999999999999999999999}\n")),
            "t.yaml:6:12: error: mtu vpc 99999999999999999999999999 is out of range (allowed: 68-65535)");
  EXPECT_EQ(error_of(with_head("mtu: {vpc: -1500}\n")),
            "t.yaml:6:12: error: mtu vpc -1500 is out of range (allowed: 68-65535)");
  EXPECT_EQ(error_of(with_head("mtu: {vpc: 1.5k}\n")),
            "t.yaml:6:12: error: expected a number for mtu vpc (allowed: 68-65535), got '1.5k'");
  EXPECT_EQ(error_of(with_head("conntrack: {udp_s: 120}\n")),
            "t.yaml:6:20: error: udp_s 120 is out of range (allowed: 30-60)");
  EXPECT_EQ(error_of(with_head("conntrack: {icmp_errors: maybe}\n")),
            "t.yaml:6:26: error: unknown icmp_errors 'maybe' (allowed: related, rules)");
  EXPECT_EQ(error_of(with_head("events: [{at_s: -3, revoke: {}}]\n")),
            "t.yaml:6:17: error: at_s must be a number of seconds >= 0, got '-3'");
}

TEST(ScenarioLoaderErrors, AclRules) {
  const auto acl = [](std::string_view rules) {
    return error_of(with_head("network_acls:\n  - id: acl-lb\n    inbound:\n" + std::string(rules)));
  };
  // Rules start at line 9.
  EXPECT_EQ(acl("      - {rule: 100, protocol: all, source: anywhere, action: allow}\n"
                "      - {rule: 100, protocol: tcp, source: anywhere, action: deny}\n"),
            "t.yaml:10:16: error: duplicate rule number 100 in acl-lb inbound");
  // 32767 and 32768 are the `*` rule's numbers in AWS's JSON: the message says to omit it.
  EXPECT_EQ(acl("      - {rule: 32767, source: anywhere, action: deny}\n"),
            "t.yaml:9:16: error: rule number 32767 is out of range (allowed: 1-32766); omit it: the `*` rule is "
            "implicit");
  EXPECT_EQ(acl("      - {rule: 32768, source: \"::/0\", action: deny}\n"),
            "t.yaml:9:16: error: rule number 32768 is out of range (allowed: 1-32766); omit it: the `*` rule is "
            "implicit");
  EXPECT_EQ(acl("      - {rule: 32769, source: anywhere, action: allow}\n"),
            "t.yaml:9:16: error: rule number 32769 is out of range (allowed: 1-32766)");
  EXPECT_EQ(acl("      - {rule: 0, source: anywhere, action: allow}\n"),
            "t.yaml:9:16: error: rule number 0 is out of range (allowed: 1-32766)");
  EXPECT_EQ(acl("      - {source: anywhere, action: allow}\n"),
            "t.yaml:9:9: error: missing 'rule' in network ACL rule");
  EXPECT_EQ(acl("      - {rule: 1, source: anywhere}\n"), "t.yaml:9:9: error: missing 'action' in network ACL rule");
  EXPECT_EQ(acl("      - {rule: 1, source: anywhere, action: permit}\n"),
            "t.yaml:9:45: error: unknown action 'permit' (allowed: allow, deny)");
  EXPECT_EQ(error_of(with_head("security_groups: [{id: sg-lb}]\nnetwork_acls:\n  - id: acl\n    inbound:\n"
                               "      - {rule: 1, source: sg-lb, action: allow}\n")),
            "t.yaml:10:27: error: 'sg-lb' is a security group: network ACL rules match a CIDR or anywhere only");
  EXPECT_EQ(acl("      - {rule: 1, source: 10.0.0.1/8, action: allow}\n"),
            "t.yaml:9:27: error: '10.0.0.1/8' has host bits set (did you mean 10.0.0.0/8?)");
  EXPECT_EQ(acl("      - {rule: 1, destination: 10.0.0.0/8, action: allow}\n"),
            "t.yaml:9:19: error: 'destination' is not used in an inbound rule (an inbound rule matches its source)");
}

TEST(ScenarioLoaderErrors, SubnetsAndAddresses) {
  EXPECT_EQ(error_of("pfsim: 1\nvpc: {cidr: 10.0.0.0/16}\nsubnets:\n  - {id: app-a, cidr: 10.0.2.0/24}\n"
                     "  - {id: app-b, cidr: 10.0.2.128/25}\n"),
            "t.yaml:5:23: error: subnets app-a (10.0.2.0/24) and app-b (10.0.2.128/25) overlap");
  EXPECT_EQ(error_of("pfsim: 1\nvpc: {cidr: 10.0.0.0/16}\nsubnets:\n  - {id: a, cidr: [10.1.0.0/24]}\n"),
            "t.yaml:4:20: error: subnet a CIDR 10.1.0.0/24 is outside the VPC (10.0.0.0/16)");
  EXPECT_EQ(error_of("pfsim: 1\nvpc: {cidr: 10.0.0.0/16}\nsubnets:\n  - {id: a, cidr: \"2600::/64\"}\n"),
            "t.yaml:4:19: error: subnet a CIDR 2600::/64 is outside the VPC (10.0.0.0/16)");
  EXPECT_EQ(error_of("pfsim: 1\nsubnets: []\n"),
            "t.yaml:1:1: error: missing 'vpc' (with its cidr; only network: ec2-classic has no VPC)");
  EXPECT_EQ(error_of("pfsim: 1\nvpc: {cidr: 10.0.0.0/33}\n"),
            "t.yaml:2:13: error: vpc cidr: prefix length 33 exceeds 32 in '10.0.0.0/33'");
  EXPECT_EQ(error_of(with_head("instances: [{id: i-1, subnet: app-a, ip: 10.0.5.10}]\n")),
            "t.yaml:6:42: error: 10.0.5.10 is outside subnet app-a (10.0.2.0/24)");
  EXPECT_EQ(error_of(with_head("instances: [{id: i-1, subnet: app-a, ip: \"2600:1f18::1\"}]\n")),
            "t.yaml:6:42: error: ip 2600:1f18::1 is not an IPv4 address (use 'ipv6' for IPv6)");
  EXPECT_EQ(error_of(with_head("instances: [{id: i-1, subnet: app-a}]\n")),
            "t.yaml:6:13: error: instance i-1 needs 'ip' or 'ipv6' (its private address)");
  EXPECT_EQ(
      error_of(with_head(
          "instances:\n  - {id: i-1, subnet: app-a, ip: 10.0.2.10}\n  - {id: i-2, subnet: app-a, ip: 10.0.2.10}\n")),
      "t.yaml:8:34: error: private address 10.0.2.10 of i-2 is already used by i-1");
  EXPECT_EQ(error_of(with_head("instances: [{id: i-1, subnet: app-a, ip: 10.0.2.300}]\n")),
            "t.yaml:6:42: error: ip: '10.0.2.300' is not an IPv4 address");
}

TEST(ScenarioLoaderErrors, LoadBalancers) {
  const auto lb = [](std::string_view body) {
    return error_of(with_head("load_balancers:\n  - " + std::string(body) + "\n"));
  };
  // The LB map starts at line 7, column 5.
  EXPECT_EQ(lb("{id: alb, type: application, nodes: [{subnet: lb-a, ip: 10.0.1.5}]}"),
            "t.yaml:7:42: error: node alb/lb-a of internet-facing load balancer alb needs a public_ip");
  EXPECT_EQ(lb("{id: alb, type: gateway, nodes: []}"),
            "t.yaml:7:21: error: unknown load balancer type 'gateway' (allowed: application, network, classic)");
  EXPECT_EQ(lb("{id: alb, nodes: []}"), "t.yaml:7:5: error: missing 'type' in load balancer");
  EXPECT_EQ(lb("{id: alb, type: network, scheme: internal, nodes: [{subnet: lb-a, ip: 10.0.2.5}]}"),
            "t.yaml:7:75: error: 10.0.2.5 is outside subnet lb-a (10.0.1.0/24)");
  EXPECT_EQ(lb("{id: alb, type: network, scheme: internal, nodes: [{subnet: lb-a, ip: 10.0.1.5}, {subnet: lb-a, ip: "
               "10.0.1.6}]}"),
            "t.yaml:7:95: error: load balancer alb has two nodes in subnet lb-a (one node per subnet)");
  EXPECT_EQ(
      lb("{id: alb, type: application, scheme: internal, nodes: [{subnet: lb-a, ip: 10.0.1.5}], "
         "listeners: [{protocol: TCP, port: 80, target_group: tg}]}"),
      "t.yaml:7:114: error: listener protocol TCP is not available on an application load balancer (allowed: HTTP, "
      "HTTPS)");
  EXPECT_EQ(lb("{id: nlb, type: network, scheme: internal, nodes: [{subnet: lb-a, ip: 10.0.1.5}], "
               "listeners: [{protocol: QUIC, port: 80, target_group: tg}]}"),
            "t.yaml:7:110: error: unknown listener protocol 'QUIC' (allowed: HTTP, HTTPS, TCP, UDP, TCP_UDP, TLS)");
  EXPECT_EQ(lb("{id: nlb, type: network, scheme: internal, backend_subnet: lb-a, nodes: []}"),
            "t.yaml:7:48: error: 'backend_subnet' is a huawei key (provider is aws)");
  EXPECT_EQ(lb("{id: nlb, type: network, scheme: internal, nodes: [{subnet: lb-a, ip: 10.0.1.5, public_ip: 1.2.3.4}]}"),
            "t.yaml:7:85: error: the nodes of internal load balancer nlb have no public_ip");
  EXPECT_EQ(error_of(with_head("target_groups: [{id: tg, protocol: TCP, port: 80}]\nload_balancers:\n"
                               "  - {id: nlb, type: network, scheme: internal, nodes: [{subnet: lb-a, ip: 10.0.1.5}], "
                               "listeners: [{protocol: TCP, port: 80, target_group: tg, instance_port: 80}]}\n")),
            "t.yaml:8:143: error: 'instance_port' is for classic load balancers (others forward to the target "
            "group's port)");
}

TEST(ScenarioLoaderErrors, HuaweiLoadBalancers) {
  const std::string head =
      "pfsim: 1\nprovider: huawei\nvpc: {cidr: 10.0.0.0/16}\nsubnets: [{id: a, cidr: 10.0.1.0/24}]\n";
  EXPECT_EQ(error_of(head + "load_balancers: [{id: e, type: shared, backend_subnet: a, nodes: []}]\n"),
            "t.yaml:5:40: error: 'backend_subnet' is for dedicated load balancers (a shared ELB reaches backends from "
            "100.125.0.0/16)");
  EXPECT_EQ(error_of(head + "load_balancers: [{id: e, type: application, nodes: []}]\n"),
            "t.yaml:5:32: error: unknown load balancer type 'application' (allowed: dedicated, shared)");
  EXPECT_EQ(
      error_of(
          head +
          "load_balancers: [{id: e, type: dedicated, nodes: [{subnet: a, ip: 10.0.1.5, backend_ip: 10.0.9.9}]}]\n"),
      "t.yaml:5:89: error: 10.0.9.9 is outside subnet a (10.0.1.0/24)");
}

TEST(ScenarioLoaderErrors, TargetGroupsAndHealthChecks) {
  const auto tg = [](std::string_view body) {
    return error_of(with_head("target_groups:\n  - " + std::string(body) + "\n"));
  };
  EXPECT_EQ(tg("{id: tg, protocol: UDP, port: 53, health_check: {protocol: UDP}}"),
            "t.yaml:7:64: error: health-check protocol UDP is not supported on aws (allowed: HTTP, HTTPS, TCP; ELB API "
            "reference, API_CreateTargetGroup)");
  EXPECT_EQ(tg("{id: tg, protocol: UDP, port: 53, health_check: {protocol: UDP_CONNECT}}"),
            "t.yaml:7:64: error: unknown health-check protocol 'UDP_CONNECT' (allowed: HTTP, HTTPS, TCP)");
  EXPECT_EQ(tg("{id: tg, protocol: HTTP, port: 80, health_check: {interval_s: 1}}"),
            "t.yaml:7:67: error: interval_s 1 is out of range (allowed: 5-300)");
  EXPECT_EQ(tg("{id: tg, protocol: HTTP, port: 80, health_check: {port: traffic}}"),
            "t.yaml:7:61: error: expected a port 1-65535 or traffic-port for health_check port, got 'traffic'");
  EXPECT_EQ(tg("{id: tg, protocol: HTTP, port: 0}"),
            "t.yaml:7:36: error: target group port 0 is out of range (allowed: 1-65535)");
  EXPECT_EQ(tg("{id: tg, protocol: HTTP, port: 80, target_type: lambda}"),
            "t.yaml:7:53: error: unknown target_type 'lambda' (allowed: instance, ip)");
}

TEST(ScenarioLoaderErrors, PeersByProvider) {
  EXPECT_EQ(
      error_of(with_head("security_groups:\n  - id: sg\n    inbound: [{source: {first_ip: 10.0.0.0, size: 8}}]\n")),
      "t.yaml:8:24: error: {first_ip, size} peers are an e2e form (provider is aws; write a CIDR)");
  const std::string e2e = "pfsim: 1\nprovider: e2e\nvpc: {cidr: 10.0.0.0/16}\nsecurity_groups:\n  - id: sg\n";
  EXPECT_EQ(error_of(e2e + "    inbound: [{source: {first_ip: 10.0.0.5, size: 24}}]\n"),
            "t.yaml:6:35: error: first_ip 10.0.0.5 is not the first address of a /24 (did you mean 10.0.0.0?)");
  EXPECT_EQ(error_of(e2e + "    inbound: [{source: {first_ip: 10.0.0.0, size: 33}}]\n"),
            "t.yaml:6:51: error: size (a prefix length) 33 is out of range (allowed: 0-32)");
  EXPECT_EQ(error_of(e2e + "    inbound: [{source: amazon-elb/amazon-elb-sg}]\n"),
            "t.yaml:6:24: error: 'amazon-elb/amazon-elb-sg' is an aws built-in (provider is e2e)");
}

TEST(ScenarioLoaderErrors, Ec2Classic) {
  EXPECT_EQ(error_of("pfsim: 1\nnetwork: ec2-classic\nvpc: {cidr: 10.0.0.0/16}\n"),
            "t.yaml:3:1: error: 'vpc' cannot be used with network: ec2-classic (EC2-Classic has no VPC)");
  EXPECT_EQ(error_of("pfsim: 1\nnetwork: ec2-classic\ninstances: [{id: i, subnet: a, ip: 10.0.0.1}]\n"),
            "t.yaml:3:21: error: 'subnet' cannot be used with network: ec2-classic (EC2-Classic has no subnets)");
  EXPECT_EQ(error_of("pfsim: 1\nnetwork: ec2-classic\nload_balancers: [{id: l, type: application, nodes: []}]\n"),
            "t.yaml:3:32: error: network: ec2-classic has classic load balancers only");
}

TEST(ScenarioLoaderErrors, Events) {
  EXPECT_EQ(error_of(with_head("security_groups: [{id: sg}]\nevents: [{at_s: 1, revoke: {security_group: sg}, "
                               "authorize: {security_group: sg}}]\n")),
            "t.yaml:7:10: error: an event has one of 'revoke' or 'authorize'");
  EXPECT_EQ(error_of(with_head("security_groups: [{id: sg}]\nevents: [{at_s: 1, revoke: {security_group: sg}}]\n")),
            "t.yaml:7:28: error: 'revoke' has one of 'inbound' or 'outbound' (a rule)");
  EXPECT_EQ(error_of(with_head("security_groups: [{id: sg}]\nevents: [{at_s: 1, revoke: {security_group: sg, inbound: "
                               "{destination: anywhere}}}]\n")),
            "t.yaml:7:59: error: 'destination' is not used in an inbound rule (an inbound rule matches its source)");
}

TEST(ScenarioLoaderErrors, ControlBytesAndNonUtf8AreShownEscapedOrRejected) {
  const std::string text =
      with_head(std::string("name: \"a\\x01b\"\nsecurity_groups: [{id: sg, inbound: [{source: \"x\\x02\"}]}]\n"));
  EXPECT_EQ(error_of(text), "t.yaml:7:47: error: unresolved security group 'x\\x02' (defined: sg)");
  // Bytes that are not UTF-8: rejected or loaded, never a crash, always located.
  const auto s = parse_scenario(with_head("name: \xff\xfe\xc3\n"), "t.yaml");
  if (!s) {
    EXPECT_GT(s.error().line, 0u) << s.error().to_string();
  }
}

// ---- robustness ----

// Every prefix of the example and many single-byte mutations of it: no crash, no exception,
// and every error located.
TEST(ScenarioLoaderRobustness, TruncatedAndMutatedExampleNeverCrashes) {
  const auto example = load_scenario(kExample);
  ASSERT_TRUE(example) << example.error().to_string();
  std::string text;
  {
    std::FILE* f = std::fopen(kExample.c_str(), "rb");
    ASSERT_NE(f, nullptr);
    char buffer[4096];
    std::size_t n = 0;
    while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) text.append(buffer, n);
    std::fclose(f);
  }
  ASSERT_GT(text.size(), 1000u);
  std::size_t loaded = 0;
  std::size_t failed = 0;
  const auto check = [&](const std::string& input) {
    net::Result<Scenario> s = net::error_message("not run");
    EXPECT_NO_THROW(s = parse_scenario(input, "fuzz.yaml"));
    if (s) {
      ++loaded;
    } else {
      ++failed;
      EXPECT_GT(s.error().line, 0u) << s.error().to_string();
      EXPECT_EQ(s.error().file, "fuzz.yaml");
      EXPECT_FALSE(s.error().message.empty());
    }
  };
  for (std::size_t cut = 0; cut <= text.size(); ++cut) check(text.substr(0, cut));

  std::mt19937 rng(20240611);
  constexpr std::string_view kSpecial = ":-[]{},#&*!|>'\"%@`?\n\t 0123456789/.";
  for (int round = 0; round < 600; ++round) {
    std::string mutated = text;
    const int flips = 1 + static_cast<int>(rng() % 3);
    for (int k = 0; k < flips; ++k) {
      const std::size_t at = rng() % mutated.size();
      const unsigned pick = static_cast<unsigned>(rng() % 4);
      if (pick == 0) {
        mutated[at] = static_cast<char>(rng() % 256);
      } else if (pick == 1) {
        mutated.erase(at, 1);
      } else {
        mutated[at] = kSpecial[rng() % kSpecial.size()];
      }
    }
    check(mutated);
  }
  // Both outcomes happen: the mutations are not all fatal, nor all harmless.
  RecordProperty("loaded", static_cast<int>(loaded));
  RecordProperty("failed", static_cast<int>(failed));
  EXPECT_GT(loaded, 10u);
  EXPECT_GT(failed, 1000u);
}

TEST(ScenarioLoaderRobustness, PathologicalYaml) {
  const std::string deep = "pfsim: 1\nname: " + std::string(5000, '[') + "\n";
  const auto d = parse_scenario(deep, "t.yaml");
  ASSERT_FALSE(d);
  EXPECT_GT(d.error().line, 0u);
  // A self-referencing alias and a billion-laughs style expansion are not walked blindly.
  EXPECT_NE(error_of("pfsim: 1\nsecurity_groups: &a [*a]\n"), "loaded");
  std::string laughs = "pfsim: 1\na: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char c = 'b'; c <= 'j'; ++c) {
    laughs += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 10; ++i) laughs += std::string(i ? ", *" : "*") + static_cast<char>(c - 1);
    laughs += "]\n";
  }
  EXPECT_EQ(error_of(laughs),
            "t.yaml:2:1: error: unknown key 'a' in the scenario (allowed: pfsim, provider, name, "
            "network, vpc, subnets, network_acls, security_groups, prefix_lists, instances, "
            "load_balancers, target_groups, mtu, conntrack, events, options)");
  EXPECT_NE(error_of(std::string("pfsim: 1\nname: a\0b\n", 17)), "crash");
}

}  // namespace
}  // namespace pfsim::engine
