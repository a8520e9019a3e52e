// The paths of load-balanced flows (engine/paths/lb_paths.h): which addresses a flow has on
// each side of a load balancer, per provider and option, each test quoting its source.
#include "engine/paths/lb_paths.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "engine/model/scenario_loader.h"

namespace pfsim::engine {
namespace {

net::IpAddress ip(const char* text) { return *net::parse_address(text); }

// Subnets a and b of one VPC, and `instance` at 10.0.2.10 in b, open to tcp 80 from a; each
// test adds its load balancers and target groups.
std::string two_subnets(const std::string& provider, const std::string& instance) {
  return "pfsim: 1\nprovider: " + provider + "\n" + R"(vpc: {cidr: 10.0.0.0/16}
subnets:
  - {id: a, cidr: 10.0.1.0/24}
  - {id: b, cidr: 10.0.2.0/24}
security_groups:
  - id: sg-b
    inbound: [{protocol: tcp, ports: 80, source: 10.0.1.0/24}]
    outbound: [{protocol: all, destination: 0.0.0.0/0}]
instances:
  - {id: )" +
         instance + R"(, subnet: b, ip: 10.0.2.10, security_groups: [sg-b]}
)";
}

TEST(LbPaths, ClientIpPreservationDefaults) {
  // ELB NLB guide, "Client IP preservation": instance targets on; IP targets with UDP or
  // TCP_UDP on; IP targets with TCP or TLS off.
  const std::string yaml = two_subnets("aws", "i-b") + R"(load_balancers:
  - id: nlb
    type: network
    nodes: [{subnet: a, ip: 10.0.1.5, public_ip: 203.0.113.5}]
    listeners:
      - {protocol: TCP, port: 80, target_group: tg-inst}
      - {protocol: TCP, port: 81, target_group: tg-ip-tcp}
      - {protocol: UDP, port: 82, target_group: tg-ip-udp}
      - {protocol: TCP, port: 83, target_group: tg-ip-set}
target_groups:
  - {id: tg-inst, protocol: TCP, port: 80, targets: [i-b]}
  - {id: tg-ip-tcp, protocol: TCP, port: 80, target_type: ip, targets: [{ip: 10.0.2.10, port: 80}]}
  - {id: tg-ip-udp, protocol: UDP, port: 80, target_type: ip, health_check: {protocol: TCP, port: 80}, targets: [{ip: 10.0.2.10, port: 80}]}
  - {id: tg-ip-set, protocol: TCP, port: 80, preserve_client_ip: true, target_type: ip, targets: [{ip: 10.0.2.10, port: 80}]}
)";
  auto s = parse_scenario(yaml, "test.yaml");
  ASSERT_TRUE(s) << s.error().to_string();
  EXPECT_TRUE(preserves_client_ip(*s, 0, 0));
  EXPECT_FALSE(preserves_client_ip(*s, 0, 1));
  EXPECT_TRUE(preserves_client_ip(*s, 0, 2));
  EXPECT_TRUE(preserves_client_ip(*s, 0, 3));  // as written
  // With preservation the target sees the client; without, the node.
  const net::IpAddress client = ip("198.51.100.7");
  auto kept = backend_leg(*s, s->load_balancers[0].nodes[0], 0, s->target_groups[0].targets[0],
                          &s->load_balancers[0].listeners[0], client, 5000, 80, net::kProtoTcp);
  auto replaced = backend_leg(*s, s->load_balancers[0].nodes[0], 1, s->target_groups[1].targets[0],
                              &s->load_balancers[0].listeners[1], client, 5000, 80, net::kProtoTcp);
  ASSERT_TRUE(kept && replaced);
  EXPECT_EQ(kept->tuple.src, client.bits);
  EXPECT_EQ(replaced->tuple.src, ip("10.0.1.5").bits);
  EXPECT_TRUE(kept->leg.always_tracked);
}

TEST(LbPaths, HuaweiBackendSources) {
  // Huawei ELB guide: shared load balancers reach backends from 100.125.0.0/16; dedicated ones
  // from their backend subnet; "If the load balancer has a TCP or UDP listener and IP as a
  // backend is disabled, security group rules and firewall rules will not take effect."
  const std::string yaml = two_subnets("huawei", "ecs-b") + R"(load_balancers:
  - id: shared
    type: shared
    nodes: [{subnet: a, ip: 10.0.1.5}]
    listeners: [{protocol: HTTP, port: 80, target_group: pool}]
  - id: l4
    type: dedicated
    ip_as_backend: false
    nodes: [{subnet: a, ip: 10.0.1.6}]
    listeners: [{protocol: TCP, port: 80, target_group: pool}]
target_groups:
  - {id: pool, protocol: HTTP, port: 80, targets: [ecs-b]}
)";
  auto s = parse_scenario(yaml, "test.yaml");
  ASSERT_TRUE(s) << s.error().to_string();
  const Target& t = s->target_groups[0].targets[0];
  auto shared = backend_leg(*s, s->load_balancers[0].nodes[0], 0, t, &s->load_balancers[0].listeners[0], std::nullopt,
                            1024, 80, net::kProtoTcp);
  ASSERT_TRUE(shared);
  EXPECT_TRUE(net::parse_prefix(kHuaweiSharedPool)->range.contains(shared->tuple.src));
  EXPECT_EQ(shared->leg.from.interface, kNone);
  auto l4 = backend_leg(*s, s->load_balancers[1].nodes[0], 0, t, &s->load_balancers[1].listeners[0], std::nullopt, 1024,
                        80, net::kProtoTcp);
  ASSERT_TRUE(l4);
  EXPECT_TRUE(l4->leg.skip_to_filters);
  EXPECT_TRUE(bypasses_target_filters(*s, 1, s->load_balancers[1].listeners[0]));
  EXPECT_FALSE(bypasses_target_filters(*s, 0, s->load_balancers[0].listeners[0]));
}

// EC2 guide, "Network maximum transmission unit (MTU) for your EC2 instance": "Traffic over an
// internet gateway" is limited to 1500 bytes; "any traffic that leaves a VPC" likewise. Inside
// the VPC (also at an address outside every subnet) and into it: the VPC MTU.
TEST(LbPaths, PathMtuIsTheVpcsUntilThePacketLeavesTheVpc) {
  auto s = parse_scenario(two_subnets("aws", "i-b"), "test.yaml");
  ASSERT_TRUE(s) << s.error().to_string();
  const auto mtu = [&](const char* src, const char* dst) {
    const net::IpAddress a = ip(src);
    const net::IpAddress b = ip(dst);
    Leg leg{endpoint_at(*s, a), endpoint_at(*s, b)};
    return path_mtu_bytes(*s, leg, net::FiveTuple{a.bits, b.bits, 80, 40000, net::kProtoTcp, a.family});
  };
  EXPECT_EQ(mtu("10.0.2.10", "10.0.1.20"), 9001u);     // subnet to subnet
  EXPECT_EQ(mtu("10.0.2.10", "10.0.200.7"), 9001u);    // to a VPC address outside every subnet
  EXPECT_EQ(mtu("10.0.2.10", "198.51.100.7"), 1500u);  // out of the VPC
  EXPECT_EQ(mtu("198.51.100.7", "10.0.2.10"), 9001u);  // into it: the last segment is the VPC's
  EXPECT_TRUE(in_vpc(*s, ip("10.0.200.7")));
  EXPECT_FALSE(in_vpc(*s, ip("10.1.0.1")));
}

// Huawei ELB guide, "Configuring Network ACL Rules": "If the load balancer is in the same
// subnet as the backend servers, network ACL rules will not take effect." Every target of the
// listener's group in the node's subnet: the client leg skips that subnet's ACL.
TEST(LbPaths, HuaweiAclIsOffWhenTheLbSharesItsBackendsSubnet) {
  const std::string yaml = two_subnets("huawei", "ecs-b") + R"(  - {id: ecs-a, subnet: a, ip: 10.0.1.20}
load_balancers:
  - id: elb
    type: dedicated
    nodes: [{subnet: a, ip: 10.0.1.6}]
    listeners:
      - {protocol: TCP, port: 80, target_group: same}
      - {protocol: TCP, port: 81, target_group: mixed}
target_groups:
  - {id: same, protocol: TCP, port: 80, targets: [ecs-a]}
  - {id: mixed, protocol: TCP, port: 80, targets: [ecs-a, ecs-b]}
)";
  auto s = parse_scenario(yaml, "test.yaml");
  ASSERT_TRUE(s) << s.error().to_string();
  const InterfaceIndex node = s->load_balancers[0].nodes[0];
  EXPECT_TRUE(acl_bypassed(*s, node, s->load_balancers[0].listeners[0]));
  EXPECT_FALSE(acl_bypassed(*s, node, s->load_balancers[0].listeners[1]));
  auto same = client_leg(*s, node, s->load_balancers[0].listeners[0], ip("198.51.100.7"), 40000, net::kProtoTcp);
  auto mixed = client_leg(*s, node, s->load_balancers[0].listeners[1], ip("198.51.100.7"), 40000, net::kProtoTcp);
  ASSERT_TRUE(same && mixed);
  EXPECT_TRUE(same->leg.skip_to_acl);
  EXPECT_TRUE(reversed(same->leg).skip_from_acl);
  EXPECT_FALSE(mixed->leg.skip_to_acl);
}

}  // namespace
}  // namespace pfsim::engine
