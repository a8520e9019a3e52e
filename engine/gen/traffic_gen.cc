// engine/gen/traffic_gen.cc — see traffic_gen.h.
#include "engine/gen/traffic_gen.h"

#include <algorithm>
#include <array>
#include <numeric>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/paths/lb_paths.h"
#include "net/hash.h"
#include "net/protocols.h"
#include "net/text.h"
#include "pcap/encode.h"
#include "net/time_units.h"

namespace pfsim::engine {
namespace {

// Short names for the flow scripts' many timings (net/time_units.h).
constexpr std::int64_t kUs = net::kNsPerMicrosecond;
constexpr std::int64_t kMs = net::kNsPerMillisecond;

constexpr std::uint16_t kEphemeralLo = 32768;   // Linux ip_local_port_range
constexpr std::uint16_t kEphemeralHi = 60999;
constexpr std::uint32_t kEphemeralCount = kEphemeralHi - kEphemeralLo + 1;
constexpr std::size_t kMaxClientPool = 4096;    // addresses per client pool
constexpr std::uint32_t kMinSnaplen = 96;       // Ethernet + IPv6 + TCP = 74 bytes of headers
constexpr std::uint32_t kMaxPayload = 65000;

// TCP flags (net/protocols.h).
using net::kTcpAck;
using net::kTcpFin;
using net::kTcpPsh;
using net::kTcpSyn;

constexpr std::size_t kMaxHeaderBytes = 14 + 40 + 20;  // Ethernet + IPv6 + TCP
constexpr std::uint32_t kEchoPayload = 56;  // ping's default

// The MAC that stands for the VPC router (the client side of every listener flow, and the
// Huawei shared pool, which lies outside the VPC); interfaces get 02:00:00 + their index.
constexpr std::uint32_t kRouterMac = 0xffffff;

// SplitMix64: small, fast, and the same on every platform (std:: distributions are not).
struct Rng {
  std::uint64_t state;
  std::uint64_t next() noexcept { return net::splitmix64_next(state); }
  // Uniform enough in [lo, hi] (inclusive) for traffic shapes.
  std::uint64_t in(std::uint64_t lo, std::uint64_t hi) noexcept { return lo + next() % (hi - lo + 1); }
};

Rng rng_for(std::uint64_t seed, std::uint64_t stream, std::uint64_t index) noexcept {
  Rng r{seed ^ (stream * 0xd1b54a32d192ed03ull)};
  r.state ^= Rng{index * net::kGoldenGamma + stream}.next();
  r.next();
  return r;
}

enum class Kind : std::uint8_t { kTcp, kUdp };

enum class Phase : std::uint8_t {
  kSyn, kSynAck, kHandshakeAck, kRequest, kResponse, kExtra, kFinA, kFinB, kLastAck,
  kEchoRequest, kEchoReply, kUdp, kDone,
};

// A packet about to be written: who sends it and what it carries.
struct Pending {
  std::int64_t ts_ns = 0;
  bool from_a = true;          // a = initiator (client, or node for health checks)
  bool icmp_echo = false;
  std::uint16_t tcp_flags = 0;
  std::uint32_t seq = 0;
  std::uint32_t ack = 0;
  std::uint32_t payload = 0;   // bytes after the transport header
  std::uint16_t echo_seq = 0;
};

// One flow: its plan (fixed at planning) and its progress (while writing).
struct Flow {
  // plan
  net::Ip128 a_addr;
  net::Ip128 b_addr;
  std::int64_t start_ns = 0;
  std::uint64_t extra = 0;          // keep-alive packets (listener flows)
  std::uint64_t rng_state = 0;      // sizes and think times of the keep-alive exchanges
  std::uint32_t a_mac = kRouterMac;
  std::uint32_t b_mac = kRouterMac;
  std::uint32_t rtt_ns = 0;
  std::uint32_t server_ns = 0;      // responder's time to answer a request
  std::uint32_t think_ns = 0;       // initiator's pause before a keep-alive request / closing
  std::uint32_t isn_a = 0;
  std::uint32_t isn_b = 0;
  std::uint32_t label_a = 0;        // IPv6 flow labels
  std::uint32_t label_b = 0;
  std::uint16_t a_port = 0;
  std::uint16_t b_port = 0;
  std::uint16_t request_bytes = 0;  // 0: a connect-only TCP health check
  std::uint16_t last_seg_bytes = 0;
  std::uint16_t seg_bytes = 0;      // MSS towards the client (internet MTU)
  std::uint16_t large_bytes = 0;    // MSS of the VPC MTU; 0 = no large segment
  std::uint16_t ipid_a = 0;
  std::uint16_t ipid_b = 0;
  Kind kind = Kind::kTcp;
  net::Family family = net::Family::kIpv4;
  std::uint8_t segments = 0;        // TCP response segments; UDP request/response pairs
  std::uint8_t ttl_a = 64;
  std::uint8_t ttl_b = 64;
  bool echo = false;                // UDP health check preceded by an ICMP echo (Huawei)
  // progress
  Phase phase = Phase::kSyn;
  bool ack_due = false;
  std::uint8_t pos = 0;
  std::uint32_t index = 0;          // the flow's place in start order (tie-break)
  std::uint64_t count = 0;          // response segment or UDP packet counter
  std::uint32_t seq_a = 0;
  std::uint32_t seq_b = 0;
  std::int64_t ts = 0;
  Pending pending;
};

// Each end's initial sequence number, IPv6 flow label and first IPv4 id, drawn in this order
// (the order is part of what makes a seed reproduce a capture byte for byte).
void draw_identifiers(Flow& f, Rng& rng) noexcept {
  f.isn_a = static_cast<std::uint32_t>(rng.next());
  f.isn_b = static_cast<std::uint32_t>(rng.next());
  f.label_a = static_cast<std::uint32_t>(rng.next() & 0xfffff);
  f.label_b = static_cast<std::uint32_t>(rng.next() & 0xfffff);
  f.ipid_a = static_cast<std::uint16_t>(rng.next());
  f.ipid_b = static_cast<std::uint16_t>(rng.next());
}

// Packets a flow writes beyond its keep-alive share; must match step().
std::uint64_t base_packets(const Flow& f) noexcept {
  if (f.kind == Kind::kUdp) return (f.echo ? 2u : 0u) + 2u * f.segments;
  std::uint64_t n = 6;  // handshake, teardown
  if (f.request_bytes > 0) n += 1u + f.segments + f.segments / 2u;
  return n;
}

// Produces the flow's next packet into f.pending; false when the flow has ended.
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
        f.ts = first ? f.start_ns : f.ts + (f.count == 0 ? 100 * kUs : static_cast<std::int64_t>(rng.in(f.think_ns / 4, f.think_ns)));
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

// A payload pattern: every payload is a prefix of one of two.
struct Pattern {
  std::vector<std::uint8_t> bytes;

  void build(std::string_view head, std::size_t size) {
    bytes.resize(size);
    static constexpr std::string_view kFill = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-_\r\n";
    for (std::size_t i = 0; i < size; ++i) {
      bytes[i] = static_cast<std::uint8_t>(i < head.size() ? head[i] : kFill[(i - head.size()) % kFill.size()]);
    }
  }
};

// Locally administered unicast: 02:00:00:xx:xx:xx for interfaces, 0a:... for the router.
pcap::MacAddress mac_of(std::uint32_t id) noexcept {
  return {static_cast<std::uint8_t>(id == kRouterMac ? 0x0a : 0x02), 0, 0, static_cast<std::uint8_t>(id >> 16),
          static_cast<std::uint8_t>(id >> 8), static_cast<std::uint8_t>(id)};
}

}  // namespace

struct TrafficPlan::State {
  std::vector<Flow> flows;  // in start order
  Pattern a_pattern;        // what initiators send
  Pattern b_pattern;        // what responders send
  std::uint32_t internet_mtu = 1500;
  std::uint32_t snaplen = 0;
  std::uint64_t packets = 0;
  GenStats counts;          // the plan's share of the stats
};

namespace {

// The frame of f.pending; takes the sender's next IPv4 id.
pcap::FrameSpec frame_of(const TrafficPlan::State& plan, Flow& f) noexcept {
  const Pending& p = f.pending;
  const bool v4 = f.family == net::Family::kIpv4;
  // An echo reply carries the request's payload.
  const Pattern& pattern = p.from_a || p.icmp_echo ? plan.a_pattern : plan.b_pattern;
  pcap::FrameSpec s;
  s.dst_mac = mac_of(p.from_a ? f.b_mac : f.a_mac);
  s.src_mac = mac_of(p.from_a ? f.a_mac : f.b_mac);
  s.family = f.family;
  s.src = p.from_a ? f.a_addr : f.b_addr;
  s.dst = p.from_a ? f.b_addr : f.a_addr;
  s.ttl = p.from_a ? f.ttl_a : f.ttl_b;
  s.flow_label = p.from_a ? f.label_a : f.label_b;
  if (v4) {
    std::uint16_t& id = p.from_a ? f.ipid_a : f.ipid_b;
    s.ipv4_id = id++;
  }
  s.payload = std::span<const std::uint8_t>(pattern.bytes).first(p.payload);
  if (p.icmp_echo) {
    s.proto = v4 ? net::kProtoIcmp : net::kProtoIcmpv6;
    s.icmp_type = v4 ? (p.from_a ? 8 : 0) : (p.from_a ? 128 : 129);
    s.icmp_rest = pcap::icmp_echo_rest(f.a_port, p.echo_seq);
    return s;
  }
  s.proto = f.kind == Kind::kUdp ? net::kProtoUdp : net::kProtoTcp;
  s.sport = p.from_a ? f.a_port : f.b_port;
  s.dport = p.from_a ? f.b_port : f.a_port;
  if (s.proto == net::kProtoTcp) {
    s.dont_fragment = v4;
    s.seq = p.seq;
    s.ack = p.ack;
    s.tcp_flags = p.tcp_flags;
    s.window = p.from_a ? 64240 : 65535;
  }
  return s;
}

// The addresses a pool of clients is drawn from, and the bijection that picks one.
struct ClientPool {
  std::vector<std::uint32_t> ipv4;
  std::vector<net::IpRange> ipv6;      // internal LBs: their IPv6 client networks
  bool documentation_ipv6 = false;     // internet-facing: 2001:db8::/32
  std::uint64_t multiplier = 1;        // coprime with ipv4.size() × kEphemeralCount
  std::uint64_t offset = 0;
};

// Whether an interface of the scenario (only LB nodes with `nodes_only`) has address `a`.
bool used_by_scenario(const Scenario& s, net::Family family, const net::Ip128& a, bool nodes_only = false) {
  for (const Interface& i : s.interfaces) {
    if (nodes_only && i.kind != Interface::Kind::kLbNode) continue;
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

// The i-th IPv4 client of the pool: a bijection of i onto (address, port) pairs.
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

// A listener reachable at a node: where flow i goes is entries[i % entries.size()].
struct Entry {
  LbIndex lb = 0;
  std::uint32_t listener = 0;
  InterfaceIndex node = 0;
  std::optional<net::Ip128> v4;  // the address clients use: public, else private
  std::optional<net::Ip128> v6;
  std::uint32_t pool = 0;
};

}  // namespace

TrafficPlan::TrafficPlan(std::unique_ptr<State> state) noexcept : state_(std::move(state)) {}
TrafficPlan::TrafficPlan(TrafficPlan&&) noexcept = default;
TrafficPlan& TrafficPlan::operator=(TrafficPlan&&) noexcept = default;
TrafficPlan::~TrafficPlan() = default;
std::uint64_t TrafficPlan::packets() const noexcept { return state_->packets; }
std::uint64_t TrafficPlan::flows() const noexcept { return state_->counts.flows; }
std::uint64_t TrafficPlan::health_checks() const noexcept { return state_->counts.health_checks; }

net::Result<TrafficPlan> plan_traffic(const Scenario& s, const GenOptions& options) {
  const auto fail = [&](std::string message) { return net::text_error(s.file, 0, 0, std::move(message)); };
  if (options.flows == 0) return fail("--flows must be at least 1");
  if (options.snaplen_bytes != 0 && options.snaplen_bytes < kMinSnaplen) {
    return fail("--snaplen " + std::to_string(options.snaplen_bytes) + " would cut the headers (at least " +
                std::to_string(kMinSnaplen) + ")");
  }
  auto state = std::make_unique<TrafficPlan::State>();
  TrafficPlan::State& plan = *state;
  plan.internet_mtu = s.mtu.internet_bytes;
  plan.snaplen = options.snaplen_bytes;

  // Listeners at nodes, and the client pools.
  Rng setup = rng_for(options.seed, 1, 0);
  std::vector<ClientPool> pools;
  pools.push_back(internet_pool(s, setup));
  std::vector<Entry> entries;
  for (LbIndex l = 0; l < s.lbs.size(); ++l) {
    const LoadBalancer& lb = s.lbs[l];
    std::uint32_t pool = 0;
    if (!lb.internet_facing) {
      pools.push_back(internal_pool(s, lb, setup));
      pool = static_cast<std::uint32_t>(pools.size() - 1);
    }
    const bool pool_v4 = !pools[pool].ipv4.empty();
    const bool pool_v6 = pools[pool].documentation_ipv6 || !pools[pool].ipv6.empty();
    for (std::uint32_t li = 0; li < lb.listeners.size(); ++li) {
      for (InterfaceIndex n : lb.nodes) {
        const Interface& node = s.interfaces[n];
        Entry e{l, li, n, std::nullopt, std::nullopt, pool};
        if (pool_v4) {
          if (lb.internet_facing && node.public_ip && node.public_ip->family == net::Family::kIpv4) {
            e.v4 = node.public_ip->bits;
          } else if (node.ipv4) {
            e.v4 = node.ipv4->bits;
          }
        }
        if (pool_v6 && node.ipv6) e.v6 = node.ipv6->bits;
        if (e.v4 || e.v6) entries.push_back(e);
      }
    }
  }
  if (entries.empty()) {
    return fail("no load balancer has a listener and a node with an address to send client traffic to");
  }

  // Time span: listener flows start in order over it; health checks run through it.
  std::uint32_t max_interval_s = 0;
  for (const LoadBalancer& lb : s.lbs) {
    for (const Listener& li : lb.listeners) {
      if (li.target_group != kNone) {
        max_interval_s = std::max(max_interval_s, s.target_groups[li.target_group].health_check.interval_s);
      }
    }
  }
  const std::int64_t span_ns = std::max<std::int64_t>({10 * net::kNsPerSecond,
                                                      static_cast<std::int64_t>(options.flows) * 10 * kMs,
                                                      3 * static_cast<std::int64_t>(max_interval_s) * net::kNsPerSecond});
  const std::int64_t slot_ns = std::max<std::int64_t>(1, span_ns / static_cast<std::int64_t>(options.flows));

  const std::uint32_t vpc_mtu = std::clamp<std::uint32_t>(s.mtu.vpc_bytes, 576, kMaxPayload);
  const std::uint32_t inet_mtu = std::clamp<std::uint32_t>(s.mtu.internet_bytes, 576, kMaxPayload);
  std::uint32_t max_payload = std::max<std::uint32_t>(1500, inet_mtu);

  plan.flows.reserve(options.flows);
  for (std::uint64_t i = 0; i < options.flows; ++i) {
    Rng rng = rng_for(options.seed, 2, i);
    const Entry& e = entries[i % entries.size()];
    const LoadBalancer& lb = s.lbs[e.lb];
    const Listener& listener = lb.listeners[e.listener];
    const ClientPool& pool = pools[e.pool];
    Flow f;
    const std::uint64_t round = i / entries.size();
    const bool v6 = e.v6 && (!e.v4 || round % 3 == 1);
    f.family = v6 ? net::Family::kIpv6 : net::Family::kIpv4;
    if (v6) {
      f.a_addr = pick_v6(s, pool, rng);
      f.a_port = static_cast<std::uint16_t>(rng.in(kEphemeralLo, kEphemeralHi));
      f.b_addr = *e.v6;
    } else {
      const auto [addr, port] = pick_v4(pool, i);
      f.a_addr = net::Ip128{0, addr};
      f.a_port = port;
      f.b_addr = *e.v4;
    }
    f.b_port = listener.port;
    f.a_mac = kRouterMac;
    f.b_mac = e.node;
    const bool tcp = uses_tcp(listener.protocol) && (!uses_udp(listener.protocol) || round % 2 == 0);
    f.kind = tcp ? Kind::kTcp : Kind::kUdp;
    const bool internet = lb.internet_facing;
    f.rtt_ns = static_cast<std::uint32_t>(internet ? rng.in(5 * kMs, 120 * kMs) : rng.in(200 * kUs, 2 * kMs));
    f.server_ns = static_cast<std::uint32_t>(rng.in(1 * kMs, 30 * kMs));
    f.think_ns = static_cast<std::uint32_t>(rng.in(5 * kMs, 100 * kMs));
    draw_identifiers(f, rng);
    f.ttl_a = static_cast<std::uint8_t>((internet ? (rng.next() % 2 == 0 ? 64 : 128) - rng.in(5, 20) : 64));
    f.ttl_b = 64;
    const std::uint32_t ip_overhead = v6 ? 60 : 40;
    f.seg_bytes = static_cast<std::uint16_t>(inet_mtu - ip_overhead);
    if (tcp) {
      f.request_bytes = static_cast<std::uint16_t>(rng.in(200, 500));
      f.segments = static_cast<std::uint8_t>(rng.in(2, 4));
      f.last_seg_bytes = static_cast<std::uint16_t>(rng.in(100, f.seg_bytes));
      if (i % 4 == 0) {
        f.large_bytes = static_cast<std::uint16_t>(vpc_mtu - ip_overhead);
        max_payload = std::max(max_payload, std::uint32_t{f.large_bytes});
      }
      f.phase = Phase::kSyn;
    } else {
      f.request_bytes = 500;
      f.segments = static_cast<std::uint8_t>(rng.in(2, 4));
      f.phase = Phase::kUdp;
    }
    // The first flow starts at the epoch itself; the others at a random point of their slot.
    const std::uint64_t jitter = i == 0 ? 0 : rng.next() % static_cast<std::uint64_t>(slot_ns);
    f.start_ns = kGenEpochNs + static_cast<std::int64_t>(i) * slot_ns + static_cast<std::int64_t>(jitter);
    f.rng_state = rng.next();
    plan.counts.flows += 1;
    plan.counts.tcp_flows += tcp ? 1 : 0;
    plan.counts.udp_flows += tcp ? 0 : 1;
    plan.counts.ipv6_flows += v6 ? 1 : 0;
    plan.flows.push_back(f);
  }

  // Health checks: every node of an LB to every target of the groups its listeners use.
  std::uint64_t pair = 0;
  for (LbIndex l = 0; l < s.lbs.size(); ++l) {
    const LoadBalancer& lb = s.lbs[l];
    std::vector<TargetGroupIndex> groups;
    for (const Listener& li : lb.listeners) {
      if (li.target_group != kNone && std::find(groups.begin(), groups.end(), li.target_group) == groups.end()) {
        groups.push_back(li.target_group);
      }
    }
    for (InterfaceIndex n : lb.nodes) {
      for (TargetGroupIndex g : groups) {
        const TargetGroup& tg = s.target_groups[g];
        const HealthCheck& hc = tg.health_check;
        const bool udp = !uses_tcp(hc.protocol);
        for (const Target& target : tg.targets) {
          const auto leg = backend_leg(s, n, g, target, nullptr, std::nullopt, kEphemeralLo,
                                       health_check_port(s, g, target), udp ? net::kProtoUdp : net::kProtoTcp);
          Rng rng = rng_for(options.seed, 3, pair++);
          if (!leg) continue;
          const std::int64_t interval_ns = std::max<std::int64_t>(1, hc.interval_s) * net::kNsPerSecond;
          std::int64_t at = static_cast<std::int64_t>(rng.next() % static_cast<std::uint64_t>(interval_ns));
          std::uint32_t port_base = static_cast<std::uint32_t>(rng.in(0, kEphemeralCount - 1));
          for (std::uint32_t j = 0; at < span_ns; ++j, at += interval_ns) {
            Flow f;
            f.family = leg->tuple.family;
            f.a_addr = leg->tuple.src;
            f.b_addr = leg->tuple.dst;
            f.a_port = static_cast<std::uint16_t>(kEphemeralLo + (port_base + j) % kEphemeralCount);
            f.b_port = leg->tuple.dport;
            const bool from_pool = lb.type == LbType::kHuaweiShared;
            f.a_mac = from_pool ? kRouterMac : n;
            f.b_mac = target.interface;
            f.rtt_ns = static_cast<std::uint32_t>(rng.in(200 * kUs, 2 * kMs));
            f.server_ns = static_cast<std::uint32_t>(rng.in(500 * kUs, 5 * kMs));
            f.think_ns = static_cast<std::uint32_t>(rng.in(1 * kMs, 5 * kMs));
            draw_identifiers(f, rng);
            f.seg_bytes = 1400;
            if (udp) {
              f.kind = Kind::kUdp;
              f.segments = 1;
              f.echo = s.provider == Provider::kHuawei;
              f.phase = f.echo ? Phase::kEchoRequest : Phase::kUdp;
            } else {
              f.kind = Kind::kTcp;
              const bool http = hc.protocol == AppProtocol::kHttp || hc.protocol == AppProtocol::kHttps;
              if (http) {
                f.request_bytes = static_cast<std::uint16_t>(rng.in(90, 140));
                f.segments = 1;
                f.last_seg_bytes = static_cast<std::uint16_t>(rng.in(120, 400));
              }
              f.phase = Phase::kSyn;
            }
            f.start_ns = kGenEpochNs + at;
            f.rng_state = rng.next();
            plan.counts.health_checks += 1;
            plan.flows.push_back(f);
          }
        }
      }
    }
  }

  // Packet count: the flows' needs, then the surplus as keep-alive exchanges.
  std::uint64_t base = 0;
  for (const Flow& f : plan.flows) base += base_packets(f);
  std::uint64_t target = options.packets == 0 ? base : options.packets;
  if (target < base) {
    return fail("--packets " + net::grouped(options.packets) + " is fewer than the " + net::grouped(base) + " packets that " +
                net::grouped(options.flows) + (options.flows == 1 ? " flow" : " flows") + " and " +
                net::grouped(plan.counts.health_checks) + " health checks need");
  }
  const std::uint64_t surplus = target - base;
  const std::uint64_t share = surplus / options.flows;
  const std::uint64_t rest = surplus % options.flows;
  for (std::uint64_t i = 0; i < options.flows; ++i) plan.flows[i].extra = share + (i < rest ? 1 : 0);
  plan.packets = target;

  // Start order (ties: listener flows before health checks, each in planning order).
  std::vector<std::uint32_t> order(plan.flows.size());
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::uint32_t x, std::uint32_t y) { return plan.flows[x].start_ns < plan.flows[y].start_ns; });
  std::vector<Flow> sorted;
  sorted.reserve(plan.flows.size());
  for (std::uint32_t k = 0; k < order.size(); ++k) {
    sorted.push_back(plan.flows[order[k]]);
    sorted.back().index = k;
  }
  plan.flows = std::move(sorted);

  plan.a_pattern.build("GET /api/v1/items HTTP/1.1\r\nHost: pfsim.example\r\nUser-Agent: pfsim-gen-traffic\r\n", max_payload);
  plan.b_pattern.build("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nServer: pfsim\r\n\r\n", max_payload);
  return TrafficPlan(std::move(state));
}

net::Result<GenStats> write_traffic(const TrafficPlan& plan_handle, pcap::CaptureWriter& writer) {
  const TrafficPlan::State& plan = *plan_handle.state_;
  GenStats stats = plan.counts;
  std::vector<Flow> flows = plan.flows;  // progress is per write
  std::vector<std::uint8_t> frame(kMaxHeaderBytes + plan.a_pattern.bytes.size());
  const std::span<std::uint8_t> capture =
      std::span<std::uint8_t>(frame).first(plan.snaplen != 0 ? std::min<std::size_t>(plan.snaplen, frame.size()) : frame.size());

  // Min-heap of active flows by (next packet time, start order).
  const auto later = [&](std::uint32_t x, std::uint32_t y) {
    const Flow& fx = flows[x];
    const Flow& fy = flows[y];
    return fx.pending.ts_ns != fy.pending.ts_ns ? fx.pending.ts_ns > fy.pending.ts_ns : fx.index > fy.index;
  };
  std::vector<std::uint32_t> heap;
  heap.reserve(1024);
  std::size_t next_start = 0;
  bool first = true;
  while (true) {
    // Admit every flow that starts before the earliest pending packet.
    while (next_start < flows.size() &&
           (heap.empty() || flows[next_start].start_ns <= flows[heap.front()].pending.ts_ns)) {
      Flow& f = flows[next_start];
      if (step(f)) {
        heap.push_back(static_cast<std::uint32_t>(next_start));
        std::push_heap(heap.begin(), heap.end(), later);
      }
      ++next_start;
    }
    if (heap.empty()) break;
    std::pop_heap(heap.begin(), heap.end(), later);
    const std::uint32_t k = heap.back();
    Flow& f = flows[k];
    const pcap::FrameSpec spec = frame_of(plan, f);
    auto encoded = pcap::encode_frame(spec, capture);
    if (!encoded) return std::move(encoded).error();
    const auto wire = static_cast<std::uint32_t>(encoded->wire_bytes);
    const auto caplen = static_cast<std::uint32_t>(encoded->captured_bytes);
    // IPv6 has no DF bit: no router fragments it, so every large IPv6 packet counts too.
    const bool large_df = spec.proto == net::kProtoTcp && wire - encoded->ip_offset > plan.internet_mtu;
    auto written = writer.write(f.pending.ts_ns, wire, std::span<const std::uint8_t>(frame).first(caplen));
    if (!written) return std::move(written).error();
    if (first) stats.first_ts_ns = f.pending.ts_ns;
    first = false;
    stats.last_ts_ns = f.pending.ts_ns;
    stats.packets += 1;
    stats.wire_bytes += wire;
    stats.captured_bytes += caplen;
    stats.large_df_packets += large_df ? 1 : 0;
    if (step(f)) {
      std::push_heap(heap.begin(), heap.end(), later);
    } else {
      heap.pop_back();
    }
  }
  return stats;
}

}  // namespace pfsim::engine
