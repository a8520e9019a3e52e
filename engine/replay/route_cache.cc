// engine/replay/route_cache.cc — RouteCache (engine/replay/internal/route_cache.h).
#include "engine/replay/internal/route_cache.h"

#include <algorithm>
#include <limits>

#include "net/protocols.h"

namespace pfsim::engine::internal {
namespace {

// A power-of-two slot count, at most half full, and a bound on the routes kept (about 600
// bytes each, and two 64-byte slots) so that memory stays bounded on any capture.
constexpr std::size_t kInitialRouteSlots = 1024;
constexpr std::size_t kMaxRoutes = std::size_t{1} << 20;

}  // namespace

RouteCache::RouteCache() : slots_(kInitialRouteSlots) {}

std::size_t RouteCache::insert(const Route& route, std::uint64_t hash, std::size_t empty) {
  const net::FiveTuple& header = route.header;
  std::size_t index = empty;
  if (routes_.size() == kMaxRoutes) {
    // A cache: starting over costs recomputation, never a different answer.
    routes_.clear();
    std::fill(slots_.begin(), slots_.end(), RouteSlot{});
    index = find(header, hash);
  } else if ((routes_.size() + 1) * 2 > slots_.size()) {
    std::vector<RouteSlot> old(slots_.size() * 2);
    old.swap(slots_);
    for (const RouteSlot& slot : old) {
      if (slot.route == 0) continue;
      const net::FiveTuple& kept = routes_[slot.route - 1].header;
      slots_[find(kept, route_hash(kept))] = slot;
    }
    index = find(header, hash);
  }
  const Route& kept = routes_.push_back(route);
  std::uint32_t min_mtu = std::numeric_limits<std::uint16_t>::max();
  for (std::size_t k = 0; k < kept.steps; ++k) min_mtu = std::min(min_mtu, kept.step[k].mtu);
  RouteSlot& slot = slots_[index];
  slot = RouteSlot{};
  slot.src = header.src;
  slot.dst = header.dst;
  slot.sport = header.sport;
  slot.dport = header.dport;
  slot.proto = header.proto;
  slot.family = header.family;
  slot.cls = kept.cls;
  slot.unmatched = kept.unmatched ? 1 : 0;
  slot.route = static_cast<std::uint32_t>(routes_.size());
  slot.min_mtu = static_cast<std::uint16_t>(min_mtu);
  return index;
}

void RouteCache::renew_fast_path_token(std::uint32_t generation, std::size_t epoch) noexcept {
  token_generation_ = generation;
  token_epoch_ = epoch;
  if (++fast_path_token_ == 0) {
    // Wrapped: a slot still armed with an old token must not pass for the new one.
    for (RouteSlot& slot : slots_) slot.fast_path_token = 0;
    fast_path_token_ = 1;
  }
}

void RouteCache::arm_fast_path(RouteSlot& slot, const Route& route, bool passed, const ConntrackTable& conntrack,
                               std::size_t epoch) noexcept {
  slot.fast_path_token = 0;
  const net::FiveTuple& header = route.header;
  if (!passed || net::is_icmp(header.proto)) return;
  std::uint8_t hooks = 0;
  std::uint8_t src_is_hi = 0;
  for (std::size_t i = 0; i < route.steps; ++i) {
    for (const HookPlan& hook : route.step[i].plan) {
      if (!hook.stateful) continue;
      if (hook.slot_generation != conntrack.generation() || hooks == kMaxFastPathHooks) return;
      if (route.step[i].src_is_hi) src_is_hi |= static_cast<std::uint8_t>(1u << hooks);
      slot.fast_path_slots[hooks++] = hook.conntrack_slot;
    }
  }
  slot.fast_path_hooks = hooks & 7u;
  slot.fast_path_src_is_hi = src_is_hi & 15u;
  slot.fast_path_token = current_fast_path_token(conntrack.generation(), epoch);
}

}  // namespace pfsim::engine::internal
