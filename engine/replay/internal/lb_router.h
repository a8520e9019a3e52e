// engine/replay/internal/lb_router.h — which legs a captured header crosses: through a load
// balancer's listener and on to its target, or between the endpoints its addresses name.
//
// What: make_route() gives the Route (engine/replay/internal/route_cache.h) of a header, its
// steps' legs and headers but not their plans or MTUs (the engine adds those). Through the LB
// (ReplayMode::kThroughLb, TCP and UDP): a packet to a listener (a node's address and a
// listener port and protocol) crosses its client leg, then the backend leg to the target
// choose_target() picks for its flow (lb_paths.h: a proxy connects from the node and an
// ephemeral port derived from the flow hash, tagged as the LB's own connection; NLB keeps the
// client address per preserves_client_ip); a reply from the listener to its client crosses the
// backend reply first, then node → client. Every other header, and every header as captured,
// crosses one leg between the endpoints its addresses name, classed by direct_class() (node ↔
// target on the health-check or traffic port; replay.h states the classes).
//
// Key idea: every answer is a function of the header alone (the flow hash picks the target and
// the port), so the engine asks once per flow direction and caches the route.
//
// Cost: make_route() does two hash probes (listener by destination, then by source) and, for a
// direct header between an LB node and a target, a walk of the LB's listeners and targets;
// it allocates nothing but the legs' fields. Made once per replay: a map entry per node address
// and listener port.
//
// Thread-safety: const after construction; each ReplayEngine has its own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include "engine/model/scenario.h"
#include "engine/paths/leg.h"
#include "engine/replay/internal/route_cache.h"
#include "engine/replay/replay.h"
#include "net/address.h"

namespace pfsim::engine::internal {

inline constexpr std::uint16_t kEphemeralFirst = 1024;  // the ELB ephemeral range 1024-65535
inline constexpr std::size_t kEphemeralCount = 65536 - kEphemeralFirst;

class LbRouter {
 public:
  LbRouter(const Scenario& scenario, ReplayMode mode);

  // The route of `header`: steps with their tuples and legs (plans and MTUs left empty).
  Route make_route(const net::FiveTuple& header) const;

  // Whether `address` is in the scenario: an interface's address (private, public, Huawei
  // backend), or inside a VPC CIDR, a subnet's CIDR or an LB's clients (replay.h, "Unmatched").
  bool in_scenario(const net::IpAddress& address) const noexcept;

  // The LB node one of whose addresses is `address`, or kNone.
  InterfaceIndex node_at(const net::IpAddress& address) const noexcept;

 private:
  struct ListenerAt {
    InterfaceIndex node = kNone;
    const Listener* listener = nullptr;
  };
  struct AddrKey {
    net::Ip128 addr;
    std::uint16_t port = 0;
    std::uint8_t proto = 0;
    net::Family family = net::Family::kIpv4;
    friend bool operator==(const AddrKey&, const AddrKey&) = default;
  };
  struct AddrKeyHash {
    std::size_t operator()(const AddrKey& k) const noexcept;
  };

  void make_direct_route(Route& route) const;
  TrafficClass direct_class(const net::FiveTuple& t, Leg& leg) const;

  const Scenario& scenario_;
  ReplayMode mode_;
  std::unordered_map<AddrKey, ListenerAt, AddrKeyHash> listeners_;
  std::unordered_map<AddrKey, InterfaceIndex, AddrKeyHash> node_addresses_;  // port/proto 0
  std::unordered_map<AddrKey, InterfaceIndex, AddrKeyHash> addresses_;       // every interface's; port/proto 0
  std::vector<net::IpRange> ranges_;  // the VPC's, subnets' and LB clients' CIDRs
};

}  // namespace pfsim::engine::internal
