// engine/paths/lb_paths.h — how traffic crosses a load balancer: the legs and addresses of client,
// backend and health-check flows, per LB type and provider (DESIGN.md §3, §4). `check`,
// `explain` and `replay` all build their legs here, so they agree on every address.
//
// Address handling:
//   client leg   client:port → node private address:listener port. An internet-facing node's
//                public address is translated to its private one before the filters see it.
//   backend leg  proxies (ALB, CLB, E2E, Huawei): a new connection from the node — AWS: the
//                node's private address ("targets see the node private IP", ELB guides);
//                Huawei dedicated: its backend-subnet address; Huawei shared: the
//                100.125.0.0/16 pool ("shared load balancers ... 100.125.0.0/16", ELB guide,
//                "Configuring Security Group Rules for Backend Servers"). NLB (pass-through):
//                the client's address when client IP preservation is on, else the node's.
//   health check from the same source as the backend leg, except that an NLB always checks
//                from its node address; to the health-check port (traffic-port = the target's).
//
// Pure functions of the scenario; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/model/scenario.h"
#include "engine/paths/leg.h"
#include "net/address.h"
#include "net/five_tuple.h"

namespace pfsim::engine {

// A leg with the first packet's header as it crosses it.
struct LbLeg {
  Leg leg;
  net::FiveTuple tuple;
};

// Huawei's shared-ELB source pool, and the address check uses to stand for it.
inline constexpr std::string_view kHuaweiSharedPool = "100.125.0.0/16";

// Whether `address` lies in that pool (IPv4 only).
bool in_huawei_shared_pool(const net::IpAddress& address) noexcept;

// The load balancer node with this public or private address, or kNone.
InterfaceIndex lb_node_at(const Scenario& s, const net::IpAddress& address) noexcept;

// The private address of `interface` in `family`, if it has one.
std::optional<net::IpAddress> private_address(const NetworkInterface& interface, net::Family family) noexcept;

// An address that stands for a client network in canonical flows: the address itself for a
// host prefix, otherwise the highest address but one of the range (documented in README.md).
net::IpAddress representative(const net::IpRange& range) noexcept;

// The port a target receives listener traffic on: the target's own, else the listener's
// instance port (Classic), else the target group's.
std::uint16_t target_port(const Scenario& s, const Listener* listener, TargetGroupIndex tg,
                          const Target& target) noexcept;

// The health-check port of `target` (traffic-port = target_port with no listener override).
std::uint16_t health_check_port(const Scenario& s, TargetGroupIndex tg, const Target& target) noexcept;

// AWS NLB client IP preservation, resolved: as written, else "instance targets: enabled; IP
// targets with UDP/TCP_UDP: enabled; IP targets with TCP/TLS: disabled" (ELB NLB guide,
// "Client IP preservation"). Always false for other LB types.
bool preserves_client_ip(const Scenario& s, LbIndex lb, TargetGroupIndex tg) noexcept;

// Whether backend traffic of `listener` skips the targets' filters: a Huawei dedicated L4
// listener without "IP as a backend" ("If the load balancer has a TCP or UDP listener and IP as
// a backend is disabled, security group rules and firewall rules will not take effect").
bool bypasses_target_filters(const Scenario& s, LbIndex lb, const Listener& listener) noexcept;

// Whether the network ACL of `node`'s subnet is off for traffic of `listener`: "If the load
// balancer is in the same subnet as the backend servers, network ACL rules will not take
// effect. In this case, the backend servers will be considered healthy and can be accessed by
// the clients." (Huawei ELB guide, "Configuring Network ACL Rules"). Huawei only; "the backend
// servers" read as every target of the listener's group (one elsewhere keeps the ACL on, as
// it does for that target's own subnet). The client leg skips it (client_leg); a backend leg
// into that subnet from outside it (a shared ELB's pool) too (backend_leg).
bool acl_bypassed(const Scenario& s, InterfaceIndex node, const Listener& listener) noexcept;

// The client leg: client:client_port → node:listener port (proto tcp or udp).
std::optional<LbLeg> client_leg(const Scenario& s, InterfaceIndex node, const Listener& listener,
                                const net::IpAddress& client, std::uint16_t client_port, std::uint8_t proto);

// The backend leg of a listener flow (client given) or of a health check (client nullopt) from
// `node` to `target`, to `dport` with source port `sport`. nullopt when the node has no address
// of the target's family.
std::optional<LbLeg> backend_leg(const Scenario& s, InterfaceIndex node, TargetGroupIndex tg, const Target& target,
                                 const Listener* listener, const std::optional<net::IpAddress>& client,
                                 std::uint16_t sport, std::uint16_t dport, std::uint8_t proto);

// The target a flow goes to among `count` (count > 0): a hash of the flow that is the same for
// both directions and every run, so explain and replay pick the same target.
std::size_t choose_target(const net::FiveTuple& flow, std::size_t count) noexcept;

// The ICMP echo request (type 8, or 128 for IPv6) between the endpoints of a UDP health
// check's `probe`, which Huawei's UDP checks need: "If you use UDP for health checks,
// configure inbound rules to allow ICMP traffic. Otherwise, health checks cannot be performed
// on the added backend server" (Huawei ELB guide).
net::FiveTuple health_check_echo(const net::FiveTuple& probe) noexcept;

// "0.0.0.0/0" or "::/0": the whole address space of a family, as rules and fixes write it.
std::string anywhere_cidr(net::Family family);

// The display name of an interface: "i-app1", "alb-web node lb-a".
std::string interface_name(const Scenario& s, InterfaceIndex i);

}  // namespace pfsim::engine
