// engine/gen/internal/client_pool.cc — see client_pool.h.
#include "engine/gen/internal/client_pool.h"

#include <algorithm>
#include <numeric>

namespace pfsim::engine::gen_internal {
namespace {

// Whether an interface of the scenario (only LB nodes with `nodes_only`) has address `a`.
bool used_by_scenario(const Scenario& s, net::Family family, const net::Ip128& a, bool nodes_only = false) {
  for (const NetworkInterface& i : s.interfaces) {
    if (nodes_only && i.kind != NetworkInterface::Kind::kLbNode) continue;
    for (const auto& addr : {i.ipv4, i.ipv6, i.public_ip, i.backend_ip}) {
      if (addr && addr->family == family && addr->bits == a) return true;
    }
  }
  return false;
}

void add_range_v4(const Scenario& s, const net::AddressRange& r, std::size_t want, std::vector<std::uint32_t>& out) {
  // Highest address but one downwards, as check's canonical client (lb_paths.h representative).
  std::uint64_t a = r.hi.lo;
  if (r.lo.lo != r.hi.lo) --a;
  for (; a >= r.lo.lo && out.size() < want; --a) {
    // Instances may well be an internal LB's clients; only the nodes themselves are not.
    if (!used_by_scenario(s, net::Family::kIpv4, net::Ip128{0, a}, true)) out.push_back(static_cast<std::uint32_t>(a));
    if (a == 0) break;
  }
}

void finish_pool(ClientPool& pool, Rng& rng) {
  const std::uint64_t m = std::max<std::uint64_t>(1, pool.ipv4.size()) * kEphemeralCount;
  std::uint64_t a = rng.in(m / 3, m) | 1u;
  while (std::gcd(a, m) != 1) ++a;
  pool.multiplier = a;
  pool.offset = rng.next() % m;
}

}  // namespace

ClientPool internet_pool(const Scenario& s, Rng& rng) {
  ClientPool pool;
  for (std::uint32_t base : {0xc6336400u /* 198.51.100.0 */, 0xcb007100u /* 203.0.113.0 */}) {
    for (std::uint32_t host = 1; host <= 254; ++host) {
      if (!used_by_scenario(s, net::Family::kIpv4, net::Ip128{0, base + host})) pool.ipv4.push_back(base + host);
    }
  }
  pool.documentation_ipv6 = true;
  finish_pool(pool, rng);
  return pool;
}

ClientPool internal_pool(const Scenario& s, const LoadBalancer& lb, Rng& rng) {
  ClientPool pool;
  std::size_t v4_ranges = 0;
  for (const net::IpRange& r : lb.clients) v4_ranges += r.family == net::Family::kIpv4 ? 1 : 0;
  for (const net::IpRange& r : lb.clients) {
    if (r.family == net::Family::kIpv4) {
      add_range_v4(s, r.range, pool.ipv4.size() + kMaxClientPool / v4_ranges, pool.ipv4);
    } else {
      pool.ipv6.push_back(r);
    }
  }
  finish_pool(pool, rng);
  return pool;
}

std::pair<std::uint32_t, std::uint16_t> pick_v4(const ClientPool& pool, std::uint64_t i) noexcept {
  const std::uint64_t m = pool.ipv4.size() * std::uint64_t{kEphemeralCount};
  // m < 2^27 (at most ~4,100 addresses × 28,232 ports), so the product fits in 64 bits.
  const std::uint64_t k = ((i % m) * pool.multiplier + pool.offset) % m;
  return {pool.ipv4[k / kEphemeralCount], static_cast<std::uint16_t>(kEphemeralLo + k % kEphemeralCount)};
}

net::Ip128 pick_v6(const Scenario& s, const ClientPool& pool, Rng& rng) {
  for (int attempt = 0;; ++attempt) {
    net::Ip128 a;
    if (pool.documentation_ipv6) {
      a = net::Ip128{0x20010db800000000ull | (rng.next() & 0xffffffffull), rng.next()};
    } else {
      const net::IpRange& r = pool.ipv6[rng.next() % pool.ipv6.size()];
      a = r.range.lo;
      // Random host bits below the range's prefix (a range of size 1 keeps its address).
      const net::Ip128 span{r.range.hi.hi - r.range.lo.hi, r.range.hi.lo - r.range.lo.lo};
      a.lo += rng.next() & span.lo;
      if (span.hi != 0) a.hi += rng.next() & span.hi;
      if (!r.range.contains(a) || r.range.lo == r.range.hi) return r.range.lo;
    }
    // A bounded retry: a network the scenario fills (or a single host) is used as it is.
    if (attempt >= 64) return a;
    if (a.lo == 0 || a.lo == ~std::uint64_t{0}) continue;
    if (!used_by_scenario(s, net::Family::kIpv6, a)) return a;
  }
}

}  // namespace pfsim::engine::gen_internal
