// engine/replay/internal/replay_keys.h — the hashing vocabulary the replay's parts share: one
// mixing step and a hash for flow-keyed maps.
//
// A synthesized packet (health check, PMTU error, a route's header) is keyed by
// pcap::flow_key(FiveTuple), as a captured packet of the same header would be.
//
// Cost: a few arithmetic instructions each; no allocation. Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>

#include "net/hash.h"
#include "pcap/flow_key.h"

namespace pfsim::engine::internal {

// One splitmix64 step of `x`: the replay's keys, health-check series and derived ports.
constexpr std::uint64_t mix(std::uint64_t x) noexcept { return net::mix64(x + net::kGoldenGamma); }

struct FlowKeyHash {
  std::size_t operator()(const pcap::FlowKey& k) const noexcept { return pcap::symmetric_hash(k); }
};

}  // namespace pfsim::engine::internal
