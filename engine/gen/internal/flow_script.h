// engine/gen/internal/flow_script.h — one flow of a generated capture, packet by packet: the
// TCP and UDP scripts that listener flows and health checks follow.
//
// A Flow holds its plan (addresses, ports, sizes, round-trip and think times, fixed when the
// capture is planned) and its progress; step() advances the progress by one packet and leaves
// that packet, with its time, in Flow::pending. The scripts (a = initiator, b = responder):
//   TCP   SYN, SYN-ACK, ACK; with a request (request_bytes > 0): the request, `segments`
//         response segments with a's ACK after every second one, then the keep-alive share
//         (`extra` packets: a's request of 60-300 bytes, b's response of 100-1000 bytes, a's
//         ACK, cut wherever the share ends); then FIN-ACK, FIN-ACK, ACK (a closes). The first
//         response segment is `large_bytes` long when that is set, to exercise Path MTU.
//         A connect-only health check (request_bytes == 0) closes after the handshake.
//   UDP   `segments` request/response pairs, then the keep-alive share as more of them;
//         with `echo`, an ICMP echo and its reply first (Huawei UDP health checks).
// Times advance from start_ns by the flow's rtt_ns, server_ns and think_ns and a few fixed
// host delays; sequence and acknowledgement numbers stay consistent with the bytes sent.
//
// Cost: a Flow is ~100 bytes and step() allocates nothing, so a capture of 10M packets holds
// only its flows.
#pragma once

#include <cstdint>

#include "engine/gen/internal/rng.h"
#include "net/address.h"
#include "net/time_units.h"

namespace pfsim::engine::gen_internal {

// Short names for the scripts' and the plan's many timings (net/time_units.h).
inline constexpr std::int64_t kUs = net::kNsPerMicrosecond;
inline constexpr std::int64_t kMs = net::kNsPerMillisecond;

// The MAC that stands for the VPC router (the client side of every listener flow, and the
// Huawei shared pool, which lies outside the VPC); interfaces get 02:00:00 + their index.
inline constexpr std::uint32_t kRouterMac = 0xffffff;

enum class Kind : std::uint8_t { kTcp, kUdp };

enum class Phase : std::uint8_t {
  kSyn,
  kSynAck,
  kHandshakeAck,
  kRequest,
  kResponse,
  kExtra,
  kFinA,
  kFinB,
  kLastAck,
  kEchoRequest,
  kEchoReply,
  kUdp,
  kDone,
};

// A packet about to be written: who sends it and what it carries.
struct Pending {
  std::int64_t ts_ns = 0;
  bool from_a = true;  // a = initiator (client, or node for health checks)
  bool icmp_echo = false;
  std::uint16_t tcp_flags = 0;
  std::uint32_t seq = 0;
  std::uint32_t ack = 0;
  std::uint32_t payload = 0;  // bytes after the transport header
  std::uint16_t echo_seq = 0;
};

// One flow: its plan (fixed at planning) and its progress (while writing).
struct Flow {
  // plan
  net::Ip128 a_addr;
  net::Ip128 b_addr;
  std::int64_t start_ns = 0;
  std::uint64_t extra = 0;      // keep-alive packets (listener flows)
  std::uint64_t rng_state = 0;  // sizes and think times of the keep-alive exchanges
  std::uint32_t a_mac = kRouterMac;
  std::uint32_t b_mac = kRouterMac;
  std::uint32_t rtt_ns = 0;
  std::uint32_t server_ns = 0;  // responder's time to answer a request
  std::uint32_t think_ns = 0;   // initiator's pause before a keep-alive request / closing
  std::uint32_t isn_a = 0;
  std::uint32_t isn_b = 0;
  std::uint32_t label_a = 0;  // IPv6 flow labels
  std::uint32_t label_b = 0;
  std::uint16_t a_port = 0;
  std::uint16_t b_port = 0;
  std::uint16_t request_bytes = 0;  // 0: a connect-only TCP health check
  std::uint16_t last_seg_bytes = 0;
  std::uint16_t seg_bytes = 0;    // MSS towards the client (internet MTU)
  std::uint16_t large_bytes = 0;  // MSS of the VPC MTU; 0 = no large segment
  std::uint16_t ipid_a = 0;
  std::uint16_t ipid_b = 0;
  Kind kind = Kind::kTcp;
  net::Family family = net::Family::kIpv4;
  std::uint8_t segments = 0;  // TCP response segments; UDP request/response pairs
  std::uint8_t ttl_a = 64;
  std::uint8_t ttl_b = 64;
  bool echo = false;  // UDP health check preceded by an ICMP echo (Huawei)
  // progress
  Phase phase = Phase::kSyn;
  bool ack_due = false;
  std::uint8_t pos = 0;
  std::uint32_t index = 0;  // the flow's place in start order (tie-break)
  std::uint64_t count = 0;  // response segment or UDP packet counter
  std::uint32_t seq_a = 0;
  std::uint32_t seq_b = 0;
  std::int64_t ts = 0;
  Pending pending;
};

// Draws each end's initial sequence number, IPv6 flow label and first IPv4 id, in this order
// (the order is part of what makes a seed reproduce a capture byte for byte).
void draw_identifiers(Flow& f, Rng& rng) noexcept;

// The packets a flow writes beyond its keep-alive share (`extra`), as step() produces them.
std::uint64_t base_packets(const Flow& f) noexcept;

// Produces the flow's next packet into f.pending; false when the flow has ended.
bool step(Flow& f) noexcept;

}  // namespace pfsim::engine::gen_internal
