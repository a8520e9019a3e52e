// engine/paths/lb_paths.cc — see lb_paths.h.
#include "engine/paths/lb_paths.h"

#include <algorithm>
#include <string>
#include <vector>

#include "net/hash.h"
#include "net/protocols.h"

namespace pfsim::engine {
namespace {

bool is_huawei_shared(const Scenario& s, const NetworkInterface& node) noexcept {
  return node.lb != kNone && s.load_balancers[node.lb].type == LbType::kHuaweiShared;
}

// The address backend connections and health checks of `node` come from, in `family`.
std::optional<net::IpAddress> node_backend_source(const Scenario& s, const NetworkInterface& node, net::Family family) {
  if (is_huawei_shared(s, node)) {
    if (family != net::Family::kIpv4) return std::nullopt;
    return representative(*net::parse_prefix(kHuaweiSharedPool));
  }
  if (node.backend_ip && node.backend_ip->family == family) return node.backend_ip;
  return private_address(node, family);
}

}  // namespace

InterfaceIndex lb_node_at(const Scenario& s, const net::IpAddress& a) noexcept {
  for (InterfaceIndex i = 0; i < s.interfaces.size(); ++i) {
    const NetworkInterface& n = s.interfaces[i];
    if (n.kind != NetworkInterface::Kind::kLbNode) continue;
    if ((n.public_ip && *n.public_ip == a) || (n.ipv4 && *n.ipv4 == a) || (n.ipv6 && *n.ipv6 == a)) return i;
  }
  return kNone;
}

std::optional<net::IpAddress> private_address(const NetworkInterface& interface, net::Family family) noexcept {
  return family == net::Family::kIpv4 ? interface.ipv4 : interface.ipv6;
}

bool in_huawei_shared_pool(const net::IpAddress& address) noexcept {
  static const net::IpRange pool = *net::parse_prefix(kHuaweiSharedPool);
  return address.family == pool.family && pool.range.contains(address.bits);
}

net::IpAddress representative(const net::IpRange& range) noexcept {
  const net::AddressRange& r = range.range;
  if (r.lo == r.hi) return {range.family, r.lo};
  net::Ip128 a = r.hi;
  if (a.lo == 0) --a.hi;
  --a.lo;
  return {range.family, a};
}

std::uint16_t target_port(const Scenario& s, const Listener* listener, TargetGroupIndex tg,
                          const Target& target) noexcept {
  if (target.port != 0) return target.port;
  if (listener != nullptr && listener->instance_port != 0) return listener->instance_port;
  return s.target_groups[tg].port;
}

std::uint16_t health_check_port(const Scenario& s, TargetGroupIndex tg, const Target& target) noexcept {
  // ELB API, HealthCheckPort: "The default is traffic-port, which is the port on which each
  // target receives traffic from the load balancer."
  const std::uint16_t port = s.target_groups[tg].health_check.port;
  return port != 0 ? port : target_port(s, nullptr, tg, target);
}

bool preserves_client_ip(const Scenario& s, LbIndex lb, TargetGroupIndex tg) noexcept {
  if (s.load_balancers[lb].type != LbType::kNetwork) return false;
  const TargetGroup& group = s.target_groups[tg];
  if (group.preserve_client_ip) return *group.preserve_client_ip;
  if (!group.ip_targets) return true;
  return group.protocol == AppProtocol::kUdp || group.protocol == AppProtocol::kTcpUdp;
}

bool bypasses_target_filters(const Scenario& s, LbIndex lb, const Listener& listener) noexcept {
  const LoadBalancer& l = s.load_balancers[lb];
  const bool l4 = listener.protocol == AppProtocol::kTcp || listener.protocol == AppProtocol::kUdp ||
                  listener.protocol == AppProtocol::kTcpUdp;
  return l.type == LbType::kHuaweiDedicated && l4 && !l.ip_as_backend;
}

bool acl_bypassed(const Scenario& s, InterfaceIndex node, const Listener& listener) noexcept {
  if (s.provider != Provider::kHuawei || listener.target_group == kNone) return false;
  const SubnetIndex subnet = s.interfaces[node].subnet;
  const std::vector<Target>& targets = s.target_groups[listener.target_group].targets;
  return subnet != kNone && !targets.empty() && std::all_of(targets.begin(), targets.end(), [&](const Target& t) {
           return s.interfaces[t.interface].subnet == subnet;
         });
}

std::optional<LbLeg> client_leg(const Scenario& s, InterfaceIndex node, const Listener& listener,
                                const net::IpAddress& client, std::uint16_t client_port, std::uint8_t proto) {
  const NetworkInterface& n = s.interfaces[node];
  const auto node_address = private_address(n, client.family);
  if (!node_address) return std::nullopt;
  LbLeg out;
  out.leg.from = endpoint_at(s, client);
  out.leg.to = endpoint_of(s, node);
  out.leg.always_tracked = s.load_balancers[n.lb].type == LbType::kNetwork;
  out.leg.skip_to_acl = acl_bypassed(s, node, listener);
  out.tuple = net::FiveTuple{client.bits, node_address->bits, client_port, listener.port, proto, client.family};
  return out;
}

std::optional<LbLeg> backend_leg(const Scenario& s, InterfaceIndex node, TargetGroupIndex tg, const Target& target,
                                 const Listener* listener, const std::optional<net::IpAddress>& client,
                                 std::uint16_t sport, std::uint16_t dport, std::uint8_t proto) {
  const NetworkInterface& n = s.interfaces[node];
  const NetworkInterface& t = s.interfaces[target.interface];
  const LoadBalancer& lb = s.load_balancers[n.lb];
  // The target's family: IPv4 when it has an address of it (an IPv6 client reaching an IPv4
  // target through an NLB: "the target sees the LB address").
  const net::Family family = t.ipv4 ? net::Family::kIpv4 : net::Family::kIpv6;
  const auto target_address = private_address(t, family);
  if (!target_address) return std::nullopt;

  std::optional<net::IpAddress> source;
  const bool pass_through = client && client->family == family && preserves_client_ip(s, n.lb, tg);
  if (pass_through) {
    source = client;
  } else {
    source = node_backend_source(s, n, family);
  }
  if (!source) return std::nullopt;

  LbLeg out;
  if (is_huawei_shared(s, n)) {
    out.leg.from = endpoint_at(s, *source);  // the shared pool lies outside the VPC
  } else {
    out.leg.from = endpoint_of(s, node);
  }
  out.leg.to = endpoint_of(s, target.interface);
  out.leg.classic_lb_out = lb.type == LbType::kClassic;
  out.leg.always_tracked = lb.type == LbType::kNetwork;
  out.leg.skip_to_filters = listener != nullptr ? bypasses_target_filters(s, n.lb, *listener) : false;
  // acl_bypassed(): a shared ELB's pool reaches a target in the node's subnet without its ACL
  // (a dedicated ELB's node is in that subnet already, and crosses no ACL).
  out.leg.skip_to_acl = s.provider == Provider::kHuawei && n.subnet != kNone && n.subnet == t.subnet;
  out.tuple = net::FiveTuple{source->bits, target_address->bits, sport, dport, proto, family};
  return out;
}

std::size_t choose_target(const net::FiveTuple& flow, std::size_t count) noexcept {
  // SplitMix64 over the endpoints, combined order-independently.
  const auto mix = [](std::uint64_t x) { return net::mix64(x + net::kGoldenGamma); };
  const auto end = [&](const net::Ip128& a, std::uint16_t port) {
    return mix(a.hi ^ mix(a.lo ^ (std::uint64_t{port} << 48)));
  };
  const std::uint64_t h = mix((end(flow.src, flow.sport) + end(flow.dst, flow.dport)) ^ flow.proto);
  return static_cast<std::size_t>(h % count);
}

net::FiveTuple health_check_echo(const net::FiveTuple& probe) noexcept {
  const std::uint8_t icmp = net::icmp_protocol(probe.family);
  return net::FiveTuple{probe.src, probe.dst, net::icmp_echo_request_type(icmp), 0, icmp, probe.family};
}

std::string anywhere_cidr(net::Family family) { return family == net::Family::kIpv4 ? "0.0.0.0/0" : "::/0"; }

std::string interface_name(const Scenario& s, InterfaceIndex i) {
  const NetworkInterface& iface = s.interfaces[i];
  if (iface.kind == NetworkInterface::Kind::kLbNode) {
    // Nodes are told apart by subnet; in EC2-Classic, which has none, by address.
    if (iface.subnet != kNone) return s.load_balancers[iface.lb].id + " node " + s.subnets[iface.subnet].id;
    const auto& address = iface.ipv4 ? iface.ipv4 : iface.ipv6;
    return s.load_balancers[iface.lb].id + " node " +
           (address ? net::format_address(address->family, address->bits) : iface.id);
  }
  return iface.id;
}

}  // namespace pfsim::engine
