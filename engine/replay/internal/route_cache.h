// engine/replay/internal/route_cache.h — the replay's route cache and its fast path.
//
// What: a Route is a packet's way through the model for one direction of a flow: up to two
// steps (through the LB: the client leg and the backend leg, in the order the packet takes
// them), each a leg with the header as it crosses it and its hooks' plan for an epoch.
// Everything in it is a function of the packet's header (and of the epoch, for the plans), so
// it is made once per flow direction (engine/replay/internal/lb_router.h) and kept here; a
// packet then costs a cache probe and the conntrack probes of its stateful hooks.
//
// Key idea, the fast path: when the last packet judged on a route passed every hook, each
// stateful hook by a flow seen at a known conntrack slot (HookPlan::slot_generation), the next
// packet of the same header passes the same way — the stateless decisions are the plans',
// fixed for the epoch — as long as those flows are live and neither the conntrack generation
// nor the epoch changed (the fast-path token): it costs a liveness check and a refresh per
// stateful hook (ConntrackTable::refresh_known) instead of the judge. Not for ICMP headers,
// whose flows are keyed by more than the header (the echo identifier), nor for a DF packet
// longer than the route's least MTU (the judge has a router answer it). The fast path is an
// optimisation only: ReplayOptions::fast_path = false sends every packet to the judge, and
// tests/engine/replay_fast_path_test.cc checks that the reports are the same.
//
// Cost: open addressing by route_hash(), at most half full, one 64-byte slot a route holding
// what the fast path reads (header, class, MTU bound, conntrack slots), so that a packet on the
// fast path reads one line of the index and nothing of its Route; find() and try_fast_path()
// are inline and allocate nothing. Routes (about 600 bytes) never move (ChunkedVector); past
// kMaxRoutes the cache starts over empty, which costs recomputation, never another answer.
// insert() may grow the index (rehashing every slot).
//
// Thread-safety: none; one cache per ReplayEngine (flow shard).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "engine/paths/leg.h"
#include "engine/replay/internal/chunked_vector.h"
#include "engine/sim/conntrack.h"
#include "engine/sim/judge.h"
#include "engine/sim/traffic_class.h"
#include "net/hash.h"

namespace pfsim::engine::internal {

struct Step {
  net::FiveTuple tuple;  // the header on this leg
  Leg leg;
  bool reply = false;      // a reply of its flow (for the fix a drop report suggests)
  bool src_is_hi = false;  // the tuple's src is the higher endpoint of its conntrack key (ConntrackTable::src_is_hi)
  std::uint64_t lb_connection = 0;  // the proxy's own backend connection (engine/sim/packet.h)
  std::uint32_t mtu = 0;            // of the segment the leg crosses (paths: path_mtu_bytes)
  LegPlan plan{};
};

struct Route {
  net::FiveTuple header;    // the captured header (the cache key)
  std::uint32_t epoch = 0;  // of the plans
  TrafficClass cls = TrafficClass::kOther;
  bool direct = false;     // judged between the endpoints its addresses name
  bool unmatched = false;  // no address of the header is in the scenario (replay.h)
  std::uint8_t steps = 0;
  std::array<Step, 2> step;
};

// The most stateful hooks a route's fast path covers (two legs of up to two stateful hooks).
inline constexpr std::size_t kMaxFastPathHooks = 4;

// One slot of the cache's index: what a packet on the fast path reads besides its conntrack
// entries.
struct alignas(64) RouteSlot {
  net::Ip128 src, dst;  // the route's header (a FiveTuple's fields)
  std::uint16_t sport = 0, dport = 0;
  std::uint8_t proto = 0;
  net::Family family = net::Family::kIpv4;
  TrafficClass cls = TrafficClass::kOther;
  std::uint8_t fast_path_hooks : 3 = 0;      // the fast path's stateful hooks, in fast_path_slots
  std::uint8_t fast_path_src_is_hi : 4 = 0;  // bit k: hook k's packets come from the higher endpoint of its key
  std::uint8_t unmatched : 1 = 0;            // Route::unmatched
  std::uint32_t route = 0;                   // index in the routes + 1; 0 = an empty slot
  std::uint16_t fast_path_token = 0;         // the token the fast path was armed with; 0 = none
  // The least MTU of the route's steps, at most 65535: a longer DF packet goes to the judge,
  // which has a router send an ICMP error (a larger MTU only sends more packets there).
  std::uint16_t min_mtu = 0;
  std::array<ConntrackTable::Slot, kMaxFastPathHooks> fast_path_slots{};

  bool holds(const net::FiveTuple& h) const noexcept {
    return route != 0 && src == h.src && dst == h.dst && sport == h.sport && dport == h.dport && proto == h.proto &&
           family == h.family;
  }
};
static_assert(sizeof(RouteSlot) == 64);

class RouteCache {
 public:
  RouteCache();

  static std::uint64_t route_hash(const net::FiveTuple& h) noexcept {
    return net::hash_words(kRouteSeed, h.src.hi, h.src.lo, h.dst.hi, h.dst.lo,
                           (std::uint64_t{h.sport} << 32) | (std::uint64_t{h.dport} << 16) |
                               (std::uint64_t{h.proto} << 8) | static_cast<std::uint64_t>(h.family));
  }

  // The slot of `header`'s route, or the empty slot where it goes (`hash`: route_hash()).
  std::size_t find(const net::FiveTuple& header, std::uint64_t hash) const noexcept {
    const std::size_t mask = slots_.size() - 1;
    std::size_t i = hash & mask;
    while (slots_[i].route != 0 && !slots_[i].holds(header)) i = (i + 1) & mask;
    return i;
  }
  RouteSlot& slot(std::size_t index) noexcept { return slots_[index]; }
  Route& route(const RouteSlot& slot) noexcept { return routes_[slot.route - 1]; }

  // Keeps `route` (complete: steps, MTUs, plans) for its header, which find() put at the empty
  // slot `empty` with `hash`, and returns the slot it is in (the cache may start over or grow
  // first). The slot's fast path is not armed.
  std::size_t insert(const Route& route, std::uint64_t hash, std::size_t empty);

  // Passes a packet of `slot`'s header (its time, TCP flags, DF bit and IP length) by the
  // route's fast path — refreshing its flows in `conntrack` — and returns true, or changes
  // nothing and returns false when the judge must decide it. `epoch`: the current one.
  bool try_fast_path(const RouteSlot& slot, ConntrackTable& conntrack, std::size_t epoch, std::int64_t ts_ns,
                     std::uint16_t tcp_flags, bool df, std::uint32_t ip_length) noexcept {
    // The token first: renewing it may disarm every slot (renew_fast_path_token()).
    const std::uint16_t token = current_fast_path_token(conntrack.generation(), epoch);
    if (slot.fast_path_token != token || (df && ip_length > slot.min_mtu)) return false;
    return conntrack.refresh_known(std::span(slot.fast_path_slots.data(), slot.fast_path_hooks),
                                   slot.fast_path_src_is_hi, ts_ns, tcp_flags);
  }

  // Arms the fast path of `slot` after the judge decided a packet of its route: the flows of
  // the stateful hooks when it passed every hook (`passed`) and each of them is at a known
  // conntrack slot in `conntrack`'s generation, else none.
  void arm_fast_path(RouteSlot& slot, const Route& route, bool passed, const ConntrackTable& conntrack,
                     std::size_t epoch) noexcept;

  // Disarms the fast path of `header`'s route, if it has one: its next packet goes to the judge
  // (a flow broken by a drop, whose packets the engine counts after the drop).
  void disarm(const net::FiveTuple& header) noexcept {
    RouteSlot& s = slots_[find(header, route_hash(header))];
    if (s.route != 0) s.fast_path_token = 0;
  }

 private:
  static constexpr std::uint64_t kRouteSeed = 0x726f757465ull;  // "route"

  // What makes an armed fast path valid: changes whenever the conntrack generation or the epoch
  // does; never 0.
  std::uint16_t current_fast_path_token(std::uint32_t generation, std::size_t epoch) noexcept {
    if (generation != token_generation_ || epoch != token_epoch_) renew_fast_path_token(generation, epoch);
    return fast_path_token_;
  }
  void renew_fast_path_token(std::uint32_t generation, std::size_t epoch) noexcept;

  ChunkedVector<Route> routes_;   // in insertion order
  std::vector<RouteSlot> slots_;  // the index
  std::uint16_t fast_path_token_ = 0;
  std::uint32_t token_generation_ = 0;  // the conntrack generation and epoch of fast_path_token_
  std::size_t token_epoch_ = 0;
};

}  // namespace pfsim::engine::internal
