// pcap/flow_key.h — the flow a packet belongs to, its shard, and its Community ID.
//
// FlowKey is the normalized 5-tuple plus family: the two endpoints are ordered (lower address,
// then lower port, first), so a packet and its reply have the same key. ICMP echo flows use
// the echo identifier as both "ports"; ICMP errors are keyed by the flow they quote, so an
// error lands on the connection it is about (a quoted echo: by its identifier); other ICMP
// and non-port protocols key by addresses and protocol only. A packet whose ports were not
// captured or do not exist in it (a later fragment, a truncated transport header) also keys
// by addresses and protocol only: tying a later fragment to its flow needs the fragment id
// (packet.h), which is the caller's state, not the packet's. Fixed-size, trivially copyable,
// host order.
//
// symmetric_hash() is a 64-bit hash of the key (so equal for both directions), for sharding
// flows across threads and processes (`--shard I/N`). It mixes the key's words with fixed
// constants (SplitMix64's finalizer), so it is stable across runs, builds and machines, and
// flows that differ in one port spread evenly over shards.
//
// community_id() is the Community ID v1 string of the packet's flow ("1:" + base64 of SHA-1),
// as specified by Corelight's community-id-spec, seed 0 unless given; reports print it so a
// flow can be found in Zeek, Suricata or Wireshark. Like the spec (and unlike FlowKey) it
// describes the packet itself: an ICMP error gets the ID of its own ICMP "flow" (type and
// code, one-way), not of the flow it quotes; request/reply ICMP types pair up as Zeek pairs
// them. TCP, UDP and SCTP are defined by their ports, so a packet of theirs without ports
// gets no ID (empty), nor does an ICMP packet whose type was not captured, nor a packet cut
// short inside its IPv6 extension headers (its upper-layer protocol is unknown).
//
// Example:
//   DecodedPacket p = decode_packet(link, bytes, {});
//   if (auto key = flow_key(p)) shard = symmetric_hash(*key) % shards;
//   std::string id = community_id(p);  // "1:LQU9qZlK+B5F3KDmev6m5PMibrg=" or ""
//
// All functions are pure and thread-safe; flow_key() and symmetric_hash() do not allocate and
// are inline (for the packet path), community_id() returns a new string (for reports).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>

#include "net/address.h"
#include "net/five_tuple.h"
#include "pcap/packet.h"

namespace pfsim::pcap {

struct FlowKey {
  net::Ip128 addr_lo;  // the lower endpoint's address
  net::Ip128 addr_hi;
  std::uint16_t port_lo = 0;  // its port (or ICMP echo id)
  std::uint16_t port_hi = 0;
  std::uint8_t proto = 0;
  net::Family family = net::Family::kIpv4;
  friend constexpr bool operator==(const FlowKey&, const FlowKey&) = default;
};
static_assert(std::is_trivially_copyable_v<FlowKey>);

// The flow of a decoded packet; nullopt when it has no IP header.
inline std::optional<FlowKey> flow_key(const DecodedPacket& packet) noexcept;

inline std::uint64_t symmetric_hash(const FlowKey& key) noexcept;

// "1:LQU9qZlK+B5F3KDmev6m5PMibrg="; empty when the packet has no IP header, or lacks the
// protocol, ports or ICMP type its ID is defined by.
std::string community_id(const DecodedPacket& packet, std::uint16_t seed = 0);

// The key and the ID of a header that was made, not captured (a health check, a PMTU error, a
// load balancer's backend leg): what a captured packet with header `tuple` would get — ports,
// or the ICMP type and code that net::FiveTuple carries in sport and dport. A FiveTuple holds
// no ICMP echo identifier and no quoted flow, so its ICMP keys by addresses and protocol.
FlowKey flow_key(const net::FiveTuple& tuple) noexcept;
std::string community_id(const net::FiveTuple& tuple, std::uint16_t seed = 0);

}  // namespace pfsim::pcap

// flow_key() and symmetric_hash() run once per packet, so they are defined inline.
#include "pcap/internal/flow_key_inline.h"  // IWYU pragma: export
