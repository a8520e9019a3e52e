// Tests of engine/model/scenario_loader.h: the example (tests/data/examples) and provider
// scenarios load into the expected model; no input crashes. Each kind of bad input and its full
// located message is a file of tests/corpus/scenarios, run by scenario_corpus_test.cc.
#include "engine/model/scenario_loader.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <tuple>

#include "engine/model/scenario.h"
#include "net/address.h"

namespace pfsim::engine {
namespace {

const std::string kExample = std::string(PFSIM_TEST_DATA_DIR) + "/examples/alb-internet-facing.yaml";

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

// The forwards AWS allows load (API_CreateTargetGroup, Protocol: NLB groups TCP, TLS, UDP or
// TCP_UDP, a TCP_UDP listener's TCP_UDP; ALB groups HTTP or HTTPS); the refused ones are the
// corpus's nlb-*-listener-to-*-group and alb-listener-to-tcp-group. Classic is not checked.
TEST(ScenarioLoaderLoads, ListenersForwardToTheTargetGroupsTheirTypeAllows) {
  const auto forward = [](std::string_view type, std::string_view listener, std::string_view group) {
    return parse_scenario(
        "pfsim: 1\nvpc: {cidr: 10.0.0.0/16}\nsubnets: [{id: lb-a, cidr: 10.0.1.0/24}]\n"
        "target_groups: [{id: tg, protocol: " +
            std::string(group) + ", port: 80}]\nload_balancers:\n  - {id: lb, type: " + std::string(type) +
            ", scheme: internal, nodes: [{subnet: lb-a, ip: 10.0.1.5}], listeners: [{protocol: " +
            std::string(listener) + ", port: 80, target_group: tg}]}\n",
        "t.yaml");
  };
  for (const auto& [type, listener, group] : {std::tuple{"network", "TCP", "TCP"},
                                              {"network", "TCP", "TCP_UDP"},
                                              {"network", "TLS", "TCP"},
                                              {"network", "TLS", "TLS"},
                                              {"network", "UDP", "UDP"},
                                              {"network", "UDP", "TCP_UDP"},
                                              {"network", "TCP_UDP", "TCP_UDP"},
                                              {"application", "HTTPS", "HTTP"},
                                              {"classic", "TCP", "HTTP"}}) {
    auto s = forward(type, listener, group);
    EXPECT_TRUE(s.ok()) << type << " " << listener << " -> " << group << ": " << s.error().to_string();
  }
}

// "E2E Cloud offers two types: an Application Load Balancer (ALB) that works at Layer 7 for
// HTTP and HTTPS traffic, and a Network Load Balancer (NLB) that works at Layer 4 for TCP
// traffic." (docs.e2enetworks.com, "Load Balancer Documentation"). Both are today's e2e proxy;
// the refused listeners are the corpus's e2e-*-listener-*.
TEST(ScenarioLoaderLoads, E2eLoadBalancersTakeTheirProductNames) {
  for (const auto& [type, protocol] :
       {std::pair{"application", "HTTP"}, {"application", "HTTPS"}, {"network", "TCP"}, {"e2e", "UDP"}}) {
    auto s = parse_scenario(
        "pfsim: 1\nprovider: e2e\nvpc: {cidr: 10.10.0.0/16}\nsubnets: [{id: a, cidr: "
        "10.10.1.0/24}]\ntarget_groups: [{id: tg, protocol: " +
            std::string(protocol) + ", port: 80}]\nload_balancers: [{id: lb, type: " + type +
            ", nodes: [{subnet: a, ip: 10.10.1.5}], listeners: [{protocol: " + protocol +
            ", port: 80, target_group: tg}]}]\n",
        "t.yaml");
    ASSERT_TRUE(s.ok()) << type << " " << protocol << ": " << s.error().to_string();
    EXPECT_EQ(s->load_balancers[0].type, LbType::kE2e) << type;
  }
}

// "The first four IP addresses and the last IP address in each subnet CIDR block are not
// available for your use" (VPC guide, "Subnet CIDR blocks"): AWS only (corpus:
// aws-*-reserved-address*); the addresses next to them load, and Huawei's are not checked.
TEST(ScenarioLoaderLoads, AddressesNextToAwsReservedOnesAndHuaweiAddressesLoad) {
  EXPECT_TRUE(parse_scenario("pfsim: 1\nvpc: {cidr: 10.0.0.0/16}\nsubnets: [{id: a, cidr: 10.0.2.0/24}]\n"
                             "instances: [{id: i-1, subnet: a, ip: 10.0.2.4}, {id: i-2, subnet: a, ip: 10.0.2.254}]\n",
                             "t.yaml")
                  .ok());
  EXPECT_TRUE(parse_scenario("pfsim: 1\nprovider: huawei\nvpc: {cidr: 10.0.0.0/16}\nsubnets: [{id: a, cidr: "
                             "10.0.1.0/24}]\ninstances: [{id: i-1, subnet: a, ip: 10.0.1.2}]\n",
                             "t.yaml")
                  .ok());
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

TEST(ScenarioLoaderLoads, TrafficMirrorSessionsNameTheirInterface) {
  const auto s = parse_scenario(R"(pfsim: 1
vpc: {cidr: 10.0.0.0/16}
subnets:
  - {id: lb-a, cidr: 10.0.1.0/24}
  - {id: app-a, cidr: 10.0.2.0/24}
instances:
  - {id: i-web1, subnet: app-a, ip: 10.0.2.10}
load_balancers:
  - {id: alb, type: application, scheme: internal, nodes: [{subnet: lb-a, ip: 10.0.1.5}]}
traffic_mirror_sessions:
  - {vni: 7, interface: i-web1, description: web tier, packet_length: 8500}
  - {vni: 16777215, interface: alb/lb-a}
)",
                                "t.yaml");
  ASSERT_TRUE(s) << s.error().to_string();
  ASSERT_EQ(s->traffic_mirror_sessions.size(), 2u);
  const TrafficMirrorSession& web = s->traffic_mirror_sessions[0];
  EXPECT_EQ(web.vni, 7u);
  EXPECT_EQ(s->interfaces[web.interface].id, "i-web1");
  EXPECT_EQ(web.description, "web tier");
  EXPECT_EQ(web.packet_length, 8500u);
  EXPECT_EQ(format_location(web.where), "t.yaml:11");
  EXPECT_EQ(s->interfaces[s->traffic_mirror_sessions[1].interface].id, "alb/lb-a");
  EXPECT_EQ(s->traffic_mirror_sessions[1].packet_length, 0u);
  EXPECT_EQ(mirror_session_of(*s, 16777215), &s->traffic_mirror_sessions[1]);
  EXPECT_EQ(mirror_session_of(*s, 8), nullptr);
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

// ---- bad input ----
// Every "this YAML gives this message" case is a file of tests/corpus/scenarios (its README.md),
// run by scenario_corpus_test.cc. What stays here needs more than a file's content.

// Bytes that are not UTF-8: loaded (today: yaml-cpp does not check the encoding) or refused
// with a location, never a crash.
TEST(ScenarioLoaderBadInput, NonUtf8BytesLoadOrAreRefusedWithALocation) {
  const auto s = parse_scenario("pfsim: 1\nvpc: {cidr: 10.0.0.0/16}\nname: \xff\xfe\xc3\n", "t.yaml");
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

// ---- extensions for imported networks (docs/scenario-format.md) ----

// The load's error message, or "loaded".
std::string import_error_of(std::string_view yaml) {
  const net::Result<Scenario> s = parse_scenario(yaml, "t.yaml");
  return s ? std::string("loaded") : s.error().to_string();
}

constexpr std::string_view kImportBase = R"(pfsim: 1
vpc: {cidr: 10.0.0.0/16}
subnets:
  - {id: subnet-a, cidr: 10.0.1.0/24, public: true}
  - {id: subnet-b, cidr: 10.0.2.0/24}
security_groups:
  - {id: sg-1}
)";

TEST(ScenarioLoaderImportExtensions, SeveralInterfacesPerInstanceAndTargetsByInstanceId) {
  const std::string yaml = std::string(kImportBase) + R"(instances:
  - {id: eni-1, instance: i-1, subnet: subnet-b, ip: 10.0.2.10, security_groups: [sg-1]}
  - {id: eni-2, instance: i-1, subnet: subnet-b, ip: 10.0.2.11}
load_balancers:
  - id: nlb
    type: network
    scheme: internal
    nodes: [{subnet: subnet-a, ip: 10.0.1.5, eni: eni-node-a}]
    listeners: [{protocol: TCP, port: 80, target_group: tg}]
target_groups:
  - {id: tg, protocol: TCP, port: 80, targets: [i-1, {id: eni-2, port: 81}]}
)";
  const net::Result<Scenario> loaded = parse_scenario(yaml, "t.yaml");
  ASSERT_TRUE(loaded) << loaded.error().to_string();
  const Scenario& s = *loaded;
  EXPECT_TRUE(s.subnets[0].is_public);
  EXPECT_FALSE(s.subnets[1].is_public);
  EXPECT_EQ(s.interfaces[0].instance, "i-1");
  EXPECT_EQ(s.interfaces[1].instance, "i-1");
  EXPECT_EQ(s.interfaces[2].eni, "eni-node-a");
  ASSERT_EQ(s.target_groups[0].targets.size(), 2u);
  EXPECT_EQ(s.target_groups[0].targets[0].interface, 0u) << "i-1: its first (primary) interface";
  EXPECT_EQ(s.target_groups[0].targets[1].interface, 1u);
}

TEST(ScenarioLoaderImportExtensions, PerInterfaceConntrackHasTheEc2Ranges) {
  const std::string ok = std::string(kImportBase) +
                         "instances:\n  - {id: eni-1, subnet: subnet-b, ip: 10.0.2.10, conntrack: {tcp_established_s: "
                         "350, udp_stream_s: 60, udp_s: 30}}\n";
  const net::Result<Scenario> loaded = parse_scenario(ok, "t.yaml");
  ASSERT_TRUE(loaded) << loaded.error().to_string();
  EXPECT_EQ(loaded->interfaces[0].conntrack.tcp_established_s, 350u);
  EXPECT_EQ(loaded->interfaces[0].conntrack.udp_s, 30u);
  EXPECT_FALSE(
      parse_scenario(std::string(kImportBase) + "instances:\n  - {id: eni-1, subnet: subnet-b, ip: 10.0.2.10}\n",
                     "t.yaml")
          ->interfaces[0]
          .conntrack.tcp_established_s);
  EXPECT_NE(import_error_of(std::string(kImportBase) +
                            "instances:\n  - {id: eni-1, subnet: subnet-b, ip: 10.0.2.10, conntrack: {udp_s: 61}}\n")
                .find("t.yaml:9:"),
            std::string::npos);
  EXPECT_NE(import_error_of(std::string(kImportBase) +
                            "instances:\n  - {id: eni-1, subnet: subnet-b, ip: 10.0.2.10, conntrack: {icmp_s: 5}}\n")
                .find("unknown key 'icmp_s'"),
            std::string::npos);
}

TEST(ScenarioLoaderImportExtensions, BadUsesAreLocatedErrors) {
  EXPECT_NE(
      import_error_of(std::string(kImportBase) +
                      "instances:\n  - {id: i-1, subnet: subnet-b, ip: 10.0.2.10}\n  - {id: eni-2, instance: i-1, "
                      "subnet: subnet-b, ip: 10.0.2.11}\n")
          .find("t.yaml:10:27: error: instance 'i-1' is also an interface id"),
      std::string::npos);
  EXPECT_NE(
      import_error_of("pfsim: 1\nvpc: {cidr: 10.0.0.0/16}\nsubnets:\n  - {id: a, cidr: 10.0.1.0/24, public: maybe}\n")
          .find("t.yaml:4:"),
      std::string::npos);
  EXPECT_NE(
      import_error_of("pfsim: 1\nprovider: huawei\nvpc: {cidr: 10.0.0.0/16}\nsubnets:\n  - {id: a, cidr: 10.0.1.0/24, "
                      "public: true}\n")
          .find("t.yaml:5:"),
      std::string::npos);
}

}  // namespace
}  // namespace pfsim::engine
