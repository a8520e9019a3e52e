// engine/replay/lb_router.cc — LbRouter (engine/replay/internal/lb_router.h).
#include "engine/replay/internal/lb_router.h"

#include <algorithm>

#include "engine/paths/lb_paths.h"
#include "engine/replay/internal/replay_keys.h"
#include "net/protocols.h"
#include "pcap/flow_key.h"

namespace pfsim::engine::internal {

std::size_t LbRouter::AddrKeyHash::operator()(const AddrKey& k) const noexcept {
  return mix(k.addr.hi ^ mix(k.addr.lo ^ (std::uint64_t{k.port} << 16) ^ (std::uint64_t{k.proto} << 8) ^
                             static_cast<std::uint64_t>(k.family)));
}

LbRouter::LbRouter(const Scenario& scenario, ReplayMode mode) : scenario_(scenario), mode_(mode) {
  for (InterfaceIndex i = 0; i < scenario.interfaces.size(); ++i) {
    const NetworkInterface& n = scenario.interfaces[i];
    for (const auto& address : {n.ipv4, n.ipv6, n.public_ip, n.backend_ip})
      if (address) addresses_.try_emplace(AddrKey{address->bits, 0, 0, address->family}, i);
  }
  ranges_ = scenario.vpc_cidrs;
  for (const Subnet& subnet : scenario.subnets) ranges_.insert(ranges_.end(), subnet.cidrs.begin(), subnet.cidrs.end());
  for (const LoadBalancer& lb : scenario.load_balancers)
    ranges_.insert(ranges_.end(), lb.clients.begin(), lb.clients.end());
  for (LbIndex lb = 0; lb < scenario.load_balancers.size(); ++lb) {
    for (InterfaceIndex node : scenario.load_balancers[lb].nodes) {
      const NetworkInterface& n = scenario.interfaces[node];
      for (const auto& address : {n.ipv4, n.ipv6, n.public_ip, n.backend_ip}) {
        if (!address) continue;
        node_addresses_.try_emplace(AddrKey{address->bits, 0, 0, address->family}, node);
        for (const Listener& listener : scenario.load_balancers[lb].listeners) {
          for (std::uint8_t proto : {net::kProtoTcp, net::kProtoUdp}) {
            if (proto == net::kProtoTcp ? !uses_tcp(listener.protocol) : !uses_udp(listener.protocol)) continue;
            listeners_.try_emplace(AddrKey{address->bits, listener.port, proto, address->family},
                                   ListenerAt{node, &listener});
          }
        }
      }
    }
  }
}

bool LbRouter::in_scenario(const net::IpAddress& address) const noexcept {
  if (addresses_.contains(AddrKey{address.bits, 0, 0, address.family})) return true;
  return std::any_of(ranges_.begin(), ranges_.end(), [&](const net::IpRange& r) {
    return r.family == address.family && r.range.contains(address.bits);
  });
}

InterfaceIndex LbRouter::node_at(const net::IpAddress& address) const noexcept {
  const auto it = node_addresses_.find(AddrKey{address.bits, 0, 0, address.family});
  return it == node_addresses_.end() ? kNone : it->second;
}

TrafficClass LbRouter::direct_class(const net::FiveTuple& t, Leg& leg) const {
  if (net::is_pmtu_message(t.proto, t.sport, t.dport)) return TrafficClass::kPmtu;
  const auto node_of = [&](const Endpoint& e) -> InterfaceIndex {
    return e.interface != kNone && scenario_.interfaces[e.interface].kind == NetworkInterface::Kind::kLbNode ? e.interface : kNone;
  };
  const InterfaceIndex from_node = node_of(leg.from);
  const InterfaceIndex to_node = node_of(leg.to);
  if (from_node != kNone) {
    const LoadBalancer& lb = scenario_.load_balancers[scenario_.interfaces[from_node].lb];
    leg.classic_lb_out = lb.type == LbType::kClassic;
    leg.always_tracked = lb.type == LbType::kNetwork;
  } else if (to_node != kNone) {
    leg.always_tracked = scenario_.load_balancers[scenario_.interfaces[to_node].lb].type == LbType::kNetwork;
  }
  // A client's packet to a listener, or the node's reply: as on client_leg(), a Huawei LB in
  // its backends' subnet is not filtered by that subnet's ACL (lb_paths.h, acl_bypassed()).
  const InterfaceIndex node_end = to_node != kNone ? to_node : from_node;
  const std::uint16_t listener_port = to_node != kNone ? t.dport : t.sport;
  if (node_end != kNone && scenario_.provider == Provider::kHuawei) {
    for (const Listener& listener : scenario_.load_balancers[scenario_.interfaces[node_end].lb].listeners) {
      const bool carried = (t.proto == net::kProtoTcp && uses_tcp(listener.protocol)) ||
                           (t.proto == net::kProtoUdp && uses_udp(listener.protocol));
      if (listener.port != listener_port || !carried || !acl_bypassed(scenario_, node_end, listener)) continue;
      (to_node != kNone ? leg.skip_to_acl : leg.skip_from_acl) = true;
    }
  }
  // The LB end of the packet: a node, or Huawei's shared pool, which stands for every shared
  // ELB's nodes (lb_paths.h).
  const auto in_pool = [&](const net::Ip128& address) { return in_huawei_shared_pool({t.family, address}); };
  const bool from_lb = from_node != kNone || in_pool(t.src);
  const bool to_lb = to_node != kNone || in_pool(t.dst);
  if (from_lb == to_lb) return TrafficClass::kOther;
  const InterfaceIndex other = from_lb ? leg.to.interface : leg.from.interface;
  if (other == kNone) return TrafficClass::kOther;
  const bool icmp = net::is_icmp(t.proto);
  // An echo request or reply is a health check where the target group checks with
  // UDP_CONNECT (Huawei: UDP health checks need ICMP, as check.cc and gen-traffic model).
  const bool echo = net::is_icmp_echo(t.proto, t.sport);
  if (icmp && !echo) return TrafficClass::kOther;
  // Node -> target (or the target's reply) on the health-check or the traffic port.
  const InterfaceIndex node = from_node != kNone ? from_node : to_node;
  const std::uint16_t port = from_lb ? t.dport : t.sport;
  TrafficClass cls = TrafficClass::kOther;
  for (LbIndex lb = 0; lb < scenario_.load_balancers.size(); ++lb) {
    if (node != kNone ? lb != scenario_.interfaces[node].lb
                      : scenario_.load_balancers[lb].type != LbType::kHuaweiShared)
      continue;
    for (const Listener& listener : scenario_.load_balancers[lb].listeners) {
      if (listener.target_group == kNone) continue;
      const TargetGroup& group = scenario_.target_groups[listener.target_group];
      for (const Target& target : group.targets) {
        if (target.interface != other) continue;
        if (echo) {
          if (group.health_check.protocol == AppProtocol::kUdpConnect) return TrafficClass::kHealthCheck;
          continue;
        }
        const bool health_check = health_check_port(scenario_, listener.target_group, target) == port;
        if (!health_check && target_port(scenario_, &listener, listener.target_group, target) != port) continue;
        // As on the synthesized legs (lb_paths.h backend_leg): a Huawei L4 listener without IP
        // as a backend bypasses the target's filters, both ways.
        if (bypasses_target_filters(scenario_, lb, listener)) {
          if (from_lb)
            leg.skip_to_filters = true;
          else
            leg.skip_from_filters = true;
        }
        if (health_check) return TrafficClass::kHealthCheck;
        cls = TrafficClass::kListener;
      }
    }
  }
  return cls;
}

void LbRouter::make_direct_route(Route& route) const {
  const net::FiveTuple& t = route.header;
  Step& step = route.step[0];
  step.leg.from = endpoint_at(scenario_, net::IpAddress{t.family, t.src});
  step.leg.to = endpoint_at(scenario_, net::IpAddress{t.family, t.dst});
  step.tuple = t;
  route.cls = direct_class(t, step.leg);
  route.direct = true;
  route.steps = 1;
}

Route LbRouter::make_route(const net::FiveTuple& t) const {
  Route route;
  route.header = t;
  route.unmatched = !in_scenario({t.family, t.src}) && !in_scenario({t.family, t.dst});
  if (mode_ != ReplayMode::kThroughLb || !net::is_tcp_or_udp(t.proto)) {
    make_direct_route(route);
    return route;
  }
  const auto target_for = [&](const Listener& listener) -> const Target* {
    if (listener.target_group == kNone) return nullptr;
    const TargetGroup& group = scenario_.target_groups[listener.target_group];
    if (group.targets.empty()) return nullptr;
    return &group.targets[choose_target(t, group.targets.size())];
  };
  // The backend step, or nothing when the listener has no target. As explain does, a proxy
  // connects from an ephemeral port the flow hash picks; that connection is tagged as the LB's
  // own (engine/sim/packet.h), with a tag both directions of the captured flow share.
  const auto backend_for = [&](InterfaceIndex node, const Listener& listener, const net::IpAddress& client,
                               std::uint16_t client_port, bool reply) -> std::optional<Step> {
    const Target* target = target_for(listener);
    if (target == nullptr) return std::nullopt;
    const TargetGroupIndex tg = listener.target_group;
    const bool keeps_client = preserves_client_ip(scenario_, scenario_.interfaces[node].lb, tg);
    const auto sport = static_cast<std::uint16_t>(kEphemeralFirst + choose_target(t, kEphemeralCount));
    auto leg = backend_leg(scenario_, node, tg, *target, &listener, client, keeps_client ? client_port : sport,
                           target_port(scenario_, &listener, tg, *target), t.proto);
    if (!leg) return std::nullopt;
    Step step{.tuple = leg->tuple, .leg = leg->leg, .reply = reply};
    if (reply) {
      step.tuple = reversed(step.tuple);
      step.leg = reversed(step.leg);
    }
    if (!keeps_client) step.lb_connection = pcap::symmetric_hash(pcap::flow_key(t)) | 1;
    return step;
  };
  route.cls = TrafficClass::kListener;
  // To a listener: the client leg, then the backend leg.
  if (auto it = listeners_.find(AddrKey{t.dst, t.dport, t.proto, t.family}); it != listeners_.end()) {
    const ListenerAt at = it->second;
    const net::IpAddress client{t.family, t.src};
    if (auto cl = client_leg(scenario_, at.node, *at.listener, client, t.sport, t.proto)) {
      route.step[route.steps++] = Step{.tuple = cl->tuple, .leg = cl->leg, .reply = false};
      if (auto bl = backend_for(at.node, *at.listener, client, t.sport, false)) route.step[route.steps++] = *bl;
      return route;
    }
  } else if (auto from = listeners_.find(AddrKey{t.src, t.sport, t.proto, t.family}); from != listeners_.end()) {
    // From a listener to its client: the backend reply, then node -> client. A node's own
    // traffic to another node is judged directly.
    const ListenerAt at = from->second;
    const net::IpAddress client{t.family, t.dst};
    if (!node_addresses_.contains(AddrKey{t.dst, 0, 0, t.family})) {
      if (auto cl = client_leg(scenario_, at.node, *at.listener, client, t.dport, t.proto)) {
        if (auto bl = backend_for(at.node, *at.listener, client, t.dport, true)) route.step[route.steps++] = *bl;
        route.step[route.steps++] = Step{.tuple = reversed(cl->tuple), .leg = reversed(cl->leg), .reply = true};
        return route;
      }
    }
  }
  make_direct_route(route);
  return route;
}

}  // namespace pfsim::engine::internal
