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
#include "net/protocols.h"

namespace pfsim::engine {

// The TCP flags the engine sets and tests (net/protocols.h).
using net::kTcpAck;
using net::kTcpFin;
using net::kTcpRst;
using net::kTcpSyn;

struct Packet {
  net::FiveTuple tuple;
  std::int64_t ts_ns = 0;  // trace time
  std::uint16_t tcp_flags = 0;
  std::uint16_t icmp_id = 0;   // echo request/reply identifier
  bool is_icmp_error = false;  // net::is_icmp_error_type: ICMPv4 3, 11, 12; ICMPv6 1-4
  net::FiveTuple quoted;       // for ICMP errors: the quoted flow (ports as quoted)
  // Nonzero on a connection the load balancer opens itself (a proxy's backend connection for
  // one client flow, a health check), and on ICMP errors about one: it keeps the connection
  // apart from every other flow with the same header in connection tracking (conntrack.h).
  std::uint64_t lb_connection = 0;
};
static_assert(std::is_trivially_copyable_v<Packet>);

// A packet of `tuple` at time `ts_ns` (TCP flags as given).
Packet make_packet(const net::FiveTuple& tuple, std::int64_t ts_ns, std::uint16_t tcp_flags = 0) noexcept;

// The ICMP error a router at `router` sends to the sender of `too_big` when it exceeds the next
// MTU: ICMPv4 type 3 code 4, or ICMPv6 type 2 (EC2 guide, "Path MTU Discovery").
Packet pmtu_error(const net::FiveTuple& too_big, const net::IpAddress& router, std::int64_t ts_ns) noexcept;

}  // namespace pfsim::engine
