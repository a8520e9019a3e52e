// engine/replay/internal/replay_keys.h — the hashing vocabulary the replay's parts share: one
// mixing step, the flow key of a synthesized header and a hash for flow-keyed maps.
//
// Key idea: a synthesized packet (health check, PMTU error, a route's header) has no decoded
// packet, so header_of() makes the DecodedPacket pcap::flow_key() and pcap::community_id()
// read, and flow_of() keys it as a captured packet of the same header would be keyed.
//
// Cost: a few arithmetic instructions each; no allocation. Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>

#include "net/hash.h"
#include "net/protocols.h"
#include "pcap/flow_key.h"
#include "pcap/packet.h"

namespace pfsim::engine::internal {

// One splitmix64 step of `x`: the replay's keys, health-check series and derived ports.
constexpr std::uint64_t mix(std::uint64_t x) noexcept { return net::mix64(x + net::kGoldenGamma); }

struct FlowKeyHash {
  std::size_t operator()(const pcap::FlowKey& k) const noexcept { return pcap::symmetric_hash(k); }
};

// The decoded packet a captured packet with header `t` would give (addresses, ports or ICMP
// type and code), for pcap::flow_key() and pcap::community_id().
inline pcap::DecodedPacket header_of(const net::FiveTuple& t) noexcept {
  pcap::DecodedPacket d;
  d.has_ip = true;
  d.family = t.family;
  d.src = t.src;
  d.dst = t.dst;
  d.proto = t.proto;
  if (net::is_tcp_or_udp(t.proto)) {
    d.has_ports = true;
    d.sport = t.sport;
    d.dport = t.dport;
  } else if (net::is_icmp(t.proto)) {
    d.has_icmp = true;
    d.icmp_type = static_cast<std::uint8_t>(t.sport);
    d.icmp_code = static_cast<std::uint8_t>(t.dport);
  }
  return d;
}

// The normalized flow of a header (both directions equal), as pcap::flow_key() would key it.
inline pcap::FlowKey flow_of(const net::FiveTuple& t) noexcept { return *pcap::flow_key(header_of(t)); }

}  // namespace pfsim::engine::internal
