// engine/gen/internal/client_pool.h — the clients of a generated capture's listener flows.
//
// Internet-facing load balancers share one pool: IPv4 clients from 198.51.100.0/24 and
// 203.0.113.0/24 (.1 to .254, minus every address the scenario uses) and IPv6 clients from
// 2001:db8::/32. An internal load balancer gets a pool of its own from its `clients` networks
// (default: the VPC CIDRs): IPv4 from the highest address but one downwards, as `check`'s
// canonical client (engine/paths/lb_paths.h), skipping the LB nodes' addresses (instances may
// well be clients), at most kMaxClientPool addresses; IPv6 from random host bits of its
// networks.
//
// IPv4 (address, port) pairs are a bijection of the flow index (ports kEphemeralLo to
// kEphemeralHi), so no 4-tuple is reused while there are fewer flows than pairs. IPv6 clients
// are random addresses, so a flow's port is drawn with them.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "engine/gen/internal/rng.h"
#include "engine/model/scenario.h"
#include "net/address.h"

namespace pfsim::engine::gen_internal {

inline constexpr std::uint16_t kEphemeralLo = 32768;  // Linux ip_local_port_range
inline constexpr std::uint16_t kEphemeralHi = 60999;
inline constexpr std::uint32_t kEphemeralCount = kEphemeralHi - kEphemeralLo + 1;
inline constexpr std::size_t kMaxClientPool = 4096;  // IPv4 addresses of an internal pool

// The addresses a pool of clients is drawn from, and the bijection that picks one.
struct ClientPool {
  std::vector<std::uint32_t> ipv4;
  std::vector<net::IpRange> ipv6;   // internal LBs: their IPv6 client networks
  bool documentation_ipv6 = false;  // internet-facing: 2001:db8::/32
  std::uint64_t multiplier = 1;     // coprime with ipv4.size() × kEphemeralCount
  std::uint64_t offset = 0;
};

// The pools draw their bijection from `rng`, so they must be made in the same order each time.
ClientPool internet_pool(const Scenario& s, Rng& rng);
ClientPool internal_pool(const Scenario& s, const LoadBalancer& lb, Rng& rng);

// The i-th IPv4 client of the pool: a bijection of i onto (address, port) pairs.
// Precondition: !pool.ipv4.empty().
std::pair<std::uint32_t, std::uint16_t> pick_v4(const ClientPool& pool, std::uint64_t i) noexcept;

// A random IPv6 client of the pool that no interface of the scenario uses and whose low 64
// bits are neither all zeros nor all ones; a network the scenario fills (after 64 draws), or a single host,
// is used as it is. Precondition: the pool has IPv6 (documentation_ipv6 or ipv6 not empty).
net::Ip128 pick_v6(const Scenario& s, const ClientPool& pool, Rng& rng);

}  // namespace pfsim::engine::gen_internal
