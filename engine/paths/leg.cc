// engine/paths/leg.cc — see leg.h.
#include "engine/paths/leg.h"

namespace pfsim::engine {

Endpoint endpoint_of(const Scenario& scenario, InterfaceIndex interface) noexcept {
  return Endpoint{interface, scenario.interfaces[interface].subnet};
}

Endpoint endpoint_at(const Scenario& scenario, const net::IpAddress& address) noexcept {
  if (InterfaceIndex i = interface_at(scenario, address); i != kNone) return endpoint_of(scenario, i);
  return Endpoint{kNone, subnet_of(scenario, address)};
}

bool in_vpc(const Scenario& scenario, const net::IpAddress& address) noexcept {
  for (const net::IpRange& cidr : scenario.vpc_cidrs)
    if (cidr.family == address.family && cidr.range.contains(address.bits)) return true;
  return false;
}

std::uint32_t path_mtu_bytes(const Scenario& scenario, const Leg& leg, const net::FiveTuple& tuple) noexcept {
  const auto inside = [&](const Endpoint& e, const net::Ip128& address) {
    return e.interface != kNone || e.subnet != kNone || in_vpc(scenario, net::IpAddress{tuple.family, address});
  };
  // Into the VPC, the last segment is the VPC's; out of it, the internet's.
  const bool leaves = inside(leg.from, tuple.src) && !inside(leg.to, tuple.dst);
  return leaves ? scenario.mtu.internet_bytes : scenario.mtu.vpc_bytes;
}

Leg reversed(const Leg& leg) noexcept {
  Leg r = leg;
  r.from = leg.to;
  r.to = leg.from;
  // The Classic LB exception is about the node's outbound ACL; on the way back the node is
  // the receiver, and the target's outbound ACL applies only across the boundary.
  r.classic_lb_out = false;
  r.skip_to_filters = leg.skip_from_filters;
  r.skip_from_filters = leg.skip_to_filters;
  r.skip_to_acl = leg.skip_from_acl;
  r.skip_from_acl = leg.skip_to_acl;
  return r;
}

}  // namespace pfsim::engine
