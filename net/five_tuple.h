// net/five_tuple.h — the header fields a filter matches on.
//
// FiveTuple is what the classifier is asked about: address family, protocol, source and
// destination address, source and destination port. It is fixed-size, trivially copyable and
// in host order, so batches of it are flat arrays. For ICMP (protocol 1) and ICMPv6 (58) the
// port fields carry the ICMP type (sport) and code (dport), as classifier/rule.h explains.
#pragma once

#include <cstdint>
#include <type_traits>

#include "net/address.h"
#include "net/protocols.h"

namespace pfsim::net {

struct FiveTuple {
  Ip128 src;
  Ip128 dst;
  std::uint16_t sport = 0;  // ICMP: type
  std::uint16_t dport = 0;  // ICMP: code
  std::uint8_t proto = 0;
  Family family = Family::kIpv4;
  friend constexpr bool operator==(const FiveTuple&, const FiveTuple&) = default;
};
static_assert(std::is_trivially_copyable_v<FiveTuple>);

// The same flow's header in the other direction (the reply's): addresses and ports swapped.
constexpr FiveTuple reversed(const FiveTuple& t) noexcept {
  return FiveTuple{t.dst, t.src, t.dport, t.sport, t.proto, t.family};
}

}  // namespace pfsim::net
