// pcap/internal/flow_key_inline.h — the bodies of flow_key() and symmetric_hash()
// (pcap/flow_key.h), which run once per packet: inline, so a caller's loop pays no call, no
// optional returned through memory, and no branch on which endpoint is lower.
//
// Included at the end of pcap/flow_key.h and nowhere else. The rare cases (an ICMP error's
// quoted flow) stay out of line in flow_key.cc.
#pragma once

#include <cstdint>
#include <optional>

#include "net/address.h"
#include "net/five_tuple.h"
#include "net/hash.h"
#include "net/protocols.h"
#include "pcap/flow_key.h"  // FlowKey (when this file is included first)
#include "pcap/packet.h"

namespace pfsim::pcap {
namespace internal {

// `a`, or `b` when `pick_b`, by masking rather than branching (GCC turns a ternary on these
// words back into a branch).
constexpr std::uint64_t select(bool pick_b, std::uint64_t a, std::uint64_t b) noexcept {
  const std::uint64_t mask = std::uint64_t{0} - std::uint64_t{pick_b};
  return a ^ ((a ^ b) & mask);
}

// The key with the lower (address, port) endpoint first, so both directions give one key.
// Without a branch on which endpoint is lower: that is a coin toss per packet, and a
// mispredicted branch costs more than the whole ordering.
constexpr FlowKey ordered_key(net::Family family, std::uint8_t proto, net::Ip128 src, std::uint16_t sport,
                              net::Ip128 dst, std::uint16_t dport) noexcept {
  // (dst, dport) < (src, sport), as std::tie would compare them.
  const bool dst_first = dst.hi != src.hi ? dst.hi < src.hi : dst.lo != src.lo ? dst.lo < src.lo : dport < sport;
  FlowKey key;
  key.family = family;
  key.proto = proto;
  key.addr_lo = {select(dst_first, src.hi, dst.hi), select(dst_first, src.lo, dst.lo)};
  key.addr_hi = {select(dst_first, dst.hi, src.hi), select(dst_first, dst.lo, src.lo)};
  key.port_lo = static_cast<std::uint16_t>(select(dst_first, sport, dport));
  key.port_hi = static_cast<std::uint16_t>(select(dst_first, dport, sport));
  return key;
}

// An ICMP error's key: the key of the flow it quotes (flow_key.cc).
FlowKey quoted_key(const QuotedFlow& inner) noexcept;

inline constexpr std::uint64_t kHashSeed = net::kGoldenGamma;  // any fixed odd value

}  // namespace internal

inline std::optional<FlowKey> flow_key(const DecodedPacket& packet) noexcept {
  using internal::ordered_key;
  if (!packet.has_ip) return std::nullopt;
  if (packet.has_inner) return internal::quoted_key(packet.inner);
  if (net::is_icmp(packet.proto)) {
    if (packet.has_icmp && net::is_icmp_echo(packet.proto, packet.icmp_type)) {
      return ordered_key(packet.family, packet.proto, packet.src, packet.icmp_id, packet.dst, packet.icmp_id);
    }
    return ordered_key(packet.family, packet.proto, packet.src, 0, packet.dst, 0);
  }
  if (packet.has_ports) {
    return ordered_key(packet.family, packet.proto, packet.src, packet.sport, packet.dst, packet.dport);
  }
  return ordered_key(packet.family, packet.proto, packet.src, 0, packet.dst, 0);
}

inline std::uint64_t symmetric_hash(const FlowKey& key) noexcept {
  // The key is already direction-free, so hashing its fields in a fixed order is symmetric.
  // net::hash_words: one multiply per word and one finalizer, with the same spread over shards
  // as mixing word by word (HashSpreadsFlowsOverShards).
  const std::uint64_t rest = (std::uint64_t{key.port_lo} << 32) | (std::uint64_t{key.port_hi} << 16) |
                             (std::uint64_t{key.proto} << 8) | static_cast<std::uint64_t>(key.family);
  return net::hash_words(internal::kHashSeed, key.addr_lo.hi, key.addr_lo.lo, key.addr_hi.hi, key.addr_hi.lo, rest);
}

}  // namespace pfsim::pcap
