// engine/gen/internal/flow_script.cc — see flow_script.h.
#include "engine/gen/internal/flow_script.h"

#include "net/protocols.h"

namespace pfsim::engine::gen_internal {
namespace {

using net::kTcpAck;
using net::kTcpFin;
using net::kTcpPsh;
using net::kTcpSyn;

constexpr std::uint32_t kEchoPayload = 56;  // ping's default

}  // namespace

void draw_identifiers(Flow& f, Rng& rng) noexcept {
  f.isn_a = static_cast<std::uint32_t>(rng.next());
  f.isn_b = static_cast<std::uint32_t>(rng.next());
  f.label_a = static_cast<std::uint32_t>(rng.next() & 0xfffff);
  f.label_b = static_cast<std::uint32_t>(rng.next() & 0xfffff);
  f.ipid_a = static_cast<std::uint16_t>(rng.next());
  f.ipid_b = static_cast<std::uint16_t>(rng.next());
}

// Must match step().
std::uint64_t base_packets(const Flow& f) noexcept {
  if (f.kind == Kind::kUdp) return (f.echo ? 2u : 0u) + 2u * f.segments;
  std::uint64_t n = 6;  // handshake, teardown
  if (f.request_bytes > 0) n += 1u + f.segments + f.segments / 2u;
  return n;
}

bool step(Flow& f) noexcept {
  Pending& p = f.pending;
  p = Pending{};
  Rng rng{f.rng_state};
  bool produced = true;
  const auto from_a = [&](std::uint16_t flags, std::uint32_t len) {
    p.from_a = true;
    p.tcp_flags = flags;
    p.seq = f.seq_a;
    p.ack = (flags & kTcpAck) ? f.seq_b : 0;
    p.payload = len;
    f.seq_a += len + ((flags & (kTcpSyn | kTcpFin)) ? 1u : 0u);
  };
  const auto from_b = [&](std::uint16_t flags, std::uint32_t len) {
    p.from_a = false;
    p.tcp_flags = flags;
    p.seq = f.seq_b;
    p.ack = f.seq_a;
    p.payload = len;
    f.seq_b += len + ((flags & (kTcpSyn | kTcpFin)) ? 1u : 0u);
  };
  const auto after_response = [&] { return f.extra > 0 ? Phase::kExtra : Phase::kFinA; };
  switch (f.phase) {
    case Phase::kSyn:
      f.ts = f.start_ns;
      f.seq_a = f.isn_a;
      from_a(kTcpSyn, 0);
      f.phase = Phase::kSynAck;
      break;
    case Phase::kSynAck:
      f.ts += 30 * kUs;
      f.seq_b = f.isn_b;
      from_b(kTcpSyn | kTcpAck, 0);
      f.phase = Phase::kHandshakeAck;
      break;
    case Phase::kHandshakeAck:
      f.ts += f.rtt_ns;
      from_a(kTcpAck, 0);
      f.phase = f.request_bytes > 0 ? Phase::kRequest : Phase::kFinA;
      break;
    case Phase::kRequest:
      f.ts += 40 * kUs;
      from_a(kTcpPsh | kTcpAck, f.request_bytes);
      f.phase = Phase::kResponse;
      f.count = 0;
      break;
    case Phase::kResponse:
      if (f.ack_due) {
        f.ts += f.rtt_ns;
        from_a(kTcpAck, 0);
        f.ack_due = false;
        if (f.count == f.segments) f.phase = after_response();
        break;
      } else {
        const bool last = f.count + 1 == f.segments;
        std::uint32_t len = last ? f.last_seg_bytes : f.seg_bytes;
        if (f.count == 0 && f.large_bytes > 0) len = f.large_bytes;
        f.ts += f.count == 0 ? f.server_ns : 12 * kUs;
        from_b(last ? (kTcpPsh | kTcpAck) : kTcpAck, len);
        ++f.count;
        if (f.count % 2 == 0) f.ack_due = true;
        if (f.count == f.segments && !f.ack_due) f.phase = after_response();
      }
      break;
    case Phase::kExtra:
      if (f.pos == 0) {
        f.ts += static_cast<std::int64_t>(rng.in(f.think_ns / 4, f.think_ns));
        from_a(kTcpPsh | kTcpAck, static_cast<std::uint32_t>(rng.in(60, 300)));
      } else if (f.pos == 1) {
        f.ts += f.server_ns;
        from_b(kTcpPsh | kTcpAck, static_cast<std::uint32_t>(rng.in(100, 1000)));
      } else {
        f.ts += f.rtt_ns;
        from_a(kTcpAck, 0);
      }
      f.pos = static_cast<std::uint8_t>((f.pos + 1) % 3);
      if (--f.extra == 0) f.phase = Phase::kFinA;
      break;
    case Phase::kFinA:
      f.ts += f.request_bytes > 0 ? f.think_ns : 60 * kUs;
      from_a(kTcpFin | kTcpAck, 0);
      f.phase = Phase::kFinB;
      break;
    case Phase::kFinB:
      f.ts += 30 * kUs;
      from_b(kTcpFin | kTcpAck, 0);
      f.phase = Phase::kLastAck;
      break;
    case Phase::kLastAck:
      f.ts += f.rtt_ns;
      from_a(kTcpAck, 0);
      f.phase = Phase::kDone;
      break;
    case Phase::kEchoRequest:
      f.ts = f.start_ns;
      p.from_a = true;
      p.icmp_echo = true;
      p.payload = kEchoPayload;
      p.echo_seq = 1;
      f.phase = Phase::kEchoReply;
      break;
    case Phase::kEchoReply:
      f.ts += f.rtt_ns;
      p.from_a = false;
      p.icmp_echo = true;
      p.payload = kEchoPayload;
      p.echo_seq = 1;
      f.phase = Phase::kUdp;
      f.count = 0;
      break;
    case Phase::kUdp: {
      // Requests and responses alternate: the planned pairs, then the keep-alive share.
      const bool request = f.count % 2 == 0;
      const bool first = f.count == 0 && !f.echo;
      if (request) {
        const std::int64_t pause =
            f.count == 0 ? 100 * kUs : static_cast<std::int64_t>(rng.in(f.think_ns / 4, f.think_ns));
        f.ts = first ? f.start_ns : f.ts + pause;
        p.from_a = true;
        p.payload = f.request_bytes > 0 ? static_cast<std::uint32_t>(rng.in(40, f.request_bytes)) : 32;
      } else {
        f.ts += f.server_ns;
        p.from_a = false;
        p.payload = f.request_bytes > 0 ? static_cast<std::uint32_t>(rng.in(40, 1200)) : 32;
      }
      ++f.count;
      const std::uint64_t total = 2u * f.segments + f.extra;
      if (f.count == total) f.phase = Phase::kDone;
      break;
    }
    case Phase::kDone:
      produced = false;
      break;
  }
  f.rng_state = rng.state;
  p.ts_ns = f.ts;
  return produced;
}

}  // namespace pfsim::engine::gen_internal
