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

Leg reversed(const Leg& leg) noexcept {
  Leg r = leg;
  r.from = leg.to;
  r.to = leg.from;
  // The Classic LB exception is about the node's outbound ACL; on the way back the node is
  // the receiver, and the target's outbound ACL applies only across the boundary.
  r.classic_lb_out = false;
  r.skip_to_filters = leg.skip_from_filters;
  r.skip_from_filters = leg.skip_to_filters;
  return r;
}

}  // namespace pfsim::engine
