// engine/sim/packet.h — one packet as the engine judges it: what the hooks and connection
// tracking need, whether it came from a capture (replay) or was synthesized (check, explain).
//
// `tuple` is what classifiers see (ICMP type in sport, code in dport: classifier/rule.h).
// An ICMP error carries the flow it quotes in `quoted`, as that flow's packets travelled:
// src = the host the error is sent to. Echo request/reply carry their identifier in icmp_id,
// which, like ports, tells one ping flow from another.
#pragma once

#include <cstdint>
#include <type_traits>

#include "net/five_tuple.h"

namespace pfsim::engine {

inline constexpr std::uint16_t kTcpFin = 0x001;
inline constexpr std::uint16_t kTcpSyn = 0x002;
inline constexpr std::uint16_t kTcpRst = 0x004;
inline constexpr std::uint16_t kTcpAck = 0x010;

struct Packet {
  net::FiveTuple tuple;
  std::int64_t ts_ns = 0;          // trace time
  std::uint16_t tcp_flags = 0;
  std::uint16_t icmp_id = 0;       // echo request/reply identifier
  bool is_icmp_error = false;      // ICMPv4 3, 11, 12; ICMPv6 1-4
  net::FiveTuple quoted;           // for ICMP errors: the quoted flow (ports as quoted)
  // Nonzero on a connection the load balancer opens itself (a proxy's backend connection for
  // one client flow, a health check), and on ICMP errors about one: it keeps the connection
  // apart from every other flow with the same header in connection tracking (conntrack.h).
  std::uint64_t lb_connection = 0;
};
static_assert(std::is_trivially_copyable_v<Packet>);

// Whether an ICMP (proto 1) or ICMPv6 (58) message of this type is an error that quotes a
// packet: ICMPv4 destination unreachable (3), time exceeded (11), parameter problem (12);
// ICMPv6 destination unreachable (1), packet too big (2), time exceeded (3), parameter problem (4).
constexpr bool is_icmp_error_type(std::uint8_t proto, std::uint16_t type) noexcept {
  if (proto == net::kProtoIcmp) return type == 3 || type == 11 || type == 12;
  if (proto == net::kProtoIcmpv6) return type >= 1 && type <= 4;
  return false;
}

// Whether an ICMP (1) or ICMPv6 (58) message of this type is an echo request or reply (v4 8/0,
// v6 128/129), whose identifier tells one ping flow from another.
constexpr bool is_icmp_echo(std::uint8_t proto, std::uint16_t type) noexcept {
  if (proto == net::kProtoIcmp) return type == 8 || type == 0;
  if (proto == net::kProtoIcmpv6) return type == 128 || type == 129;
  return false;
}

// Whether this is a Path MTU Discovery message: ICMPv4 3/4 "fragmentation needed and DF set"
// or ICMPv6 2 "packet too big" (EC2 guide, "Path MTU Discovery").
constexpr bool is_pmtu_message(const net::FiveTuple& t) noexcept {
  return (t.proto == net::kProtoIcmp && t.sport == 3 && t.dport == 4) ||
         (t.proto == net::kProtoIcmpv6 && t.sport == 2);
}

// A packet of `tuple` at time `ts_ns` (TCP flags as given).
Packet make_packet(const net::FiveTuple& tuple, std::int64_t ts_ns, std::uint16_t tcp_flags = 0) noexcept;

// The ICMP error a router at `router` sends to the sender of `too_big` when it exceeds the next
// MTU: ICMPv4 type 3 code 4, or ICMPv6 type 2 (EC2 guide, "Path MTU Discovery").
Packet pmtu_error(const net::FiveTuple& too_big, const net::IpAddress& router, std::int64_t ts_ns) noexcept;

}  // namespace pfsim::engine
