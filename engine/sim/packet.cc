// engine/sim/packet.cc — see packet.h.
#include "engine/sim/packet.h"

namespace pfsim::engine {

Packet make_packet(const net::FiveTuple& tuple, std::int64_t ts_ns, std::uint16_t tcp_flags) noexcept {
  Packet p;
  p.tuple = tuple;
  p.ts_ns = ts_ns;
  p.tcp_flags = tcp_flags;
  return p;
}

Packet pmtu_error(const net::FiveTuple& too_big, const net::IpAddress& router, std::int64_t ts_ns) noexcept {
  Packet p;
  const bool v4 = too_big.family == net::Family::kIpv4;
  p.tuple = net::FiveTuple{router.bits,
                           too_big.src,
                           v4 ? net::kIcmpDestinationUnreachable : net::kIcmpv6PacketTooBig,
                           v4 ? net::kIcmpFragmentationNeeded : std::uint16_t{0},
                           net::icmp_protocol(too_big.family),
                           too_big.family};
  p.ts_ns = ts_ns;
  p.is_icmp_error = true;
  p.quoted = too_big;
  return p;
}

}  // namespace pfsim::engine
