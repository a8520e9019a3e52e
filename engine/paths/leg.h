// engine/paths/leg.h — a packet's trip between two endpoints of the VPC model, and what it
// crosses on the way: the subnet boundary (network ACLs) and, at each end, an interface's
// security groups. engine/sim/judge.h turns a leg into its hooks; engine/paths/lb_paths.h
// builds the legs of traffic through a load balancer.
//
// Pure value types and functions of the scenario; thread-safe.
#pragma once

#include <cstdint>

#include "engine/model/scenario.h"
#include "net/address.h"
#include "net/five_tuple.h"

namespace pfsim::engine {

// One end of a leg: an interface, or an outside address (interface == kNone).
struct Endpoint {
  InterfaceIndex interface = kNone;
  SubnetIndex subnet = kNone;  // the subnet of the interface, or that contains the address
};

// The endpoint of a scenario address: its interface if one has it, else outside (with the
// subnet whose CIDR contains it, if any).
Endpoint endpoint_at(const Scenario& scenario, const net::IpAddress& address) noexcept;
Endpoint endpoint_of(const Scenario& scenario, InterfaceIndex interface) noexcept;

struct Leg {
  Endpoint from;
  Endpoint to;
  bool classic_lb_out = false;  // `from` is a Classic LB node: nacl-out even within the subnet
  bool always_tracked = false;  // through an NLB: never untracked
  // Huawei L4 listener without IP as backend: the target's SG and ACL do not apply, on the
  // way to it (skip_to) and back from it (skip_from).
  bool skip_to_filters = false;
  bool skip_from_filters = false;
  // Huawei, LB in the same subnet as its backends: that subnet's network ACL does not apply at
  // `to`'s end (skip_to_acl) or `from`'s (skip_from_acl). lb_paths.h, acl_bypassed().
  bool skip_to_acl = false;
  bool skip_from_acl = false;
};

// Whether `address` lies in the VPC's CIDRs (also outside every subnet: an internal LB's client
// reached over peering or a VPN keeps its VPC address). EC2-Classic has no VPC: false.
bool in_vpc(const Scenario& scenario, const net::IpAddress& address) noexcept;

// The MTU of the last segment a packet of `tuple` crosses on `leg`. "Jumbo frames should be
// used with caution for internet-bound traffic or any traffic that leaves a VPC", and the MTU
// is "limited to 1500 bytes" for "Traffic over an internet gateway" (EC2 guide, "Network
// maximum transmission unit (MTU) for your EC2 instance", "Jumbo frames (9001 MTU)"): traffic
// between two addresses of the VPC, and into it, ends on a segment of mtu.vpc_bytes; traffic
// from the VPC to an address outside it, on one of mtu.internet_bytes. EC2-Classic (no VPC):
// from an interface to an outside address is the internet's.
std::uint32_t path_mtu_bytes(const Scenario& scenario, const Leg& leg, const net::FiveTuple& tuple) noexcept;

// The reverse of a leg (the reply's way); net::reversed() reverses a header.
Leg reversed(const Leg& leg) noexcept;
using net::reversed;

}  // namespace pfsim::engine
