// engine/gen/traffic_gen.cc — see traffic_gen.h. Planning draws every flow and health check
// (engine/gen/internal/flow_script.h, client_pool.h); writing runs their scripts, merged in
// time order, through pcap::encode_frame.
#include "engine/gen/traffic_gen.h"

#include <algorithm>
#include <limits>
#include <numeric>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/gen/internal/client_pool.h"
#include "engine/gen/internal/flow_script.h"
#include "engine/gen/internal/rng.h"
#include "engine/paths/lb_paths.h"
#include "net/protocols.h"
#include "net/text.h"
#include "net/time_units.h"
#include "pcap/encode.h"

namespace pfsim::engine {
namespace {

using gen_internal::ClientPool;
using gen_internal::Flow;
using gen_internal::kEphemeralCount;
using gen_internal::kEphemeralHi;
using gen_internal::kEphemeralLo;
using gen_internal::Kind;
using gen_internal::kMs;
using gen_internal::kRouterMac;
using gen_internal::kUs;
using gen_internal::Pending;
using gen_internal::Phase;
using gen_internal::Rng;
using gen_internal::rng_for;

constexpr std::uint32_t kMaxPayload = 65000;
constexpr std::size_t kMaxHeaderBytes = 14 + 40 + 20;  // Ethernet + IPv6 + TCP

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
  return {static_cast<std::uint8_t>(id == kRouterMac ? 0x0a : 0x02),
          0,
          0,
          static_cast<std::uint8_t>(id >> 16),
          static_cast<std::uint8_t>(id >> 8),
          static_cast<std::uint8_t>(id)};
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

// Where listener flows go (flow i to entries[i % entries.size()]) and who sends them.
struct Listeners {
  std::vector<ClientPool> pools;  // [0]: the internet's; then one per internal LB
  std::vector<Entry> entries;
};

// Step 1: every (listener, node) pair with an address its clients can reach, and the client
// pools, drawn in LB order from the setup stream.
Listeners listeners_at_nodes(const Scenario& s, std::uint64_t seed) {
  Listeners out;
  Rng setup = rng_for(seed, gen_internal::kClientPoolStream, 0);
  out.pools.push_back(gen_internal::internet_pool(s, setup));
  for (LbIndex l = 0; l < s.load_balancers.size(); ++l) {
    const LoadBalancer& lb = s.load_balancers[l];
    std::uint32_t pool = 0;
    if (!lb.internet_facing) {
      out.pools.push_back(gen_internal::internal_pool(s, lb, setup));
      pool = static_cast<std::uint32_t>(out.pools.size() - 1);
    }
    const bool pool_v4 = !out.pools[pool].ipv4.empty();
    const bool pool_v6 = out.pools[pool].documentation_ipv6 || !out.pools[pool].ipv6.empty();
    for (std::uint32_t li = 0; li < lb.listeners.size(); ++li) {
      for (InterfaceIndex n : lb.nodes) {
        const NetworkInterface& node = s.interfaces[n];
        Entry e{l, li, n, std::nullopt, std::nullopt, pool};
        if (pool_v4) {
          if (lb.internet_facing && node.public_ip && node.public_ip->family == net::Family::kIpv4) {
            e.v4 = node.public_ip->bits;
          } else if (node.ipv4) {
            e.v4 = node.ipv4->bits;
          }
        }
        if (pool_v6 && node.ipv6) e.v6 = node.ipv6->bits;
        if (e.v4 || e.v6) out.entries.push_back(e);
      }
    }
  }
  return out;
}

// Step 2: the time span. Listener flows start in order over it; health checks run through it.
std::int64_t time_span_ns(const Scenario& s, std::uint64_t flows) {
  std::uint32_t max_interval_s = 0;
  for (const LoadBalancer& lb : s.load_balancers) {
    for (const Listener& li : lb.listeners) {
      if (li.target_group != kNone) {
        max_interval_s = std::max(max_interval_s, s.target_groups[li.target_group].health_check.interval_s);
      }
    }
  }
  return std::max<std::int64_t>({10 * net::kNsPerSecond, static_cast<std::int64_t>(flows) * 10 * kMs,
                                 3 * static_cast<std::int64_t>(max_interval_s) * net::kNsPerSecond});
}

// Step 3, per flow: listener flow i, started at a random point of its slot of the span (the
// first one at the epoch itself).
Flow listener_flow(const Scenario& s, const Listeners& listeners, std::uint64_t seed, std::uint64_t i,
                   std::int64_t slot_ns) {
  const std::uint32_t vpc_mtu = std::clamp<std::uint32_t>(s.mtu.vpc_bytes, 576, kMaxPayload);
  const std::uint32_t inet_mtu = std::clamp<std::uint32_t>(s.mtu.internet_bytes, 576, kMaxPayload);
  Rng rng = rng_for(seed, gen_internal::kListenerFlowStream, i);
  const Entry& e = listeners.entries[i % listeners.entries.size()];
  const LoadBalancer& lb = s.load_balancers[e.lb];
  const Listener& listener = lb.listeners[e.listener];
  const ClientPool& pool = listeners.pools[e.pool];
  Flow f;
  const std::uint64_t round = i / listeners.entries.size();
  const bool v6 = e.v6 && (!e.v4 || round % 3 == 1);
  f.family = v6 ? net::Family::kIpv6 : net::Family::kIpv4;
  if (v6) {
    f.a_addr = gen_internal::pick_v6(s, pool, rng);
    f.a_port = static_cast<std::uint16_t>(rng.in(kEphemeralLo, kEphemeralHi));
    f.b_addr = *e.v6;
  } else {
    const auto [addr, port] = gen_internal::pick_v4(pool, i);
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
  gen_internal::draw_identifiers(f, rng);
  f.ttl_a = static_cast<std::uint8_t>((internet ? (rng.next() % 2 == 0 ? 64 : 128) - rng.in(5, 20) : 64));
  f.ttl_b = 64;
  const std::uint32_t ip_overhead = v6 ? 60 : 40;
  f.seg_bytes = static_cast<std::uint16_t>(inet_mtu - ip_overhead);
  if (tcp) {
    f.request_bytes = static_cast<std::uint16_t>(rng.in(200, 500));
    f.segments = static_cast<std::uint8_t>(rng.in(2, 4));
    f.last_seg_bytes = static_cast<std::uint16_t>(rng.in(100, f.seg_bytes));
    if (i % 4 == 0) f.large_bytes = static_cast<std::uint16_t>(vpc_mtu - ip_overhead);
    f.phase = Phase::kSyn;
  } else {
    f.request_bytes = 500;
    f.segments = static_cast<std::uint8_t>(rng.in(2, 4));
    f.phase = Phase::kUdp;
  }
  const std::uint64_t jitter = i == 0 ? 0 : rng.next() % static_cast<std::uint64_t>(slot_ns);
  f.start_ns = kGenEpochNs + static_cast<std::int64_t>(i) * slot_ns + static_cast<std::int64_t>(jitter);
  f.rng_state = rng.next();
  return f;
}

// Step 3: the listener flows, in planning order.
std::vector<Flow> listener_flows(const Scenario& s, const Listeners& listeners, const GenOptions& options,
                                 std::int64_t span_ns) {
  const std::int64_t slot_ns = std::max<std::int64_t>(1, span_ns / static_cast<std::int64_t>(options.flows));
  std::vector<Flow> flows;
  flows.reserve(options.flows);
  for (std::uint64_t i = 0; i < options.flows; ++i) {
    flows.push_back(listener_flow(s, listeners, options.seed, i, slot_ns));
  }
  return flows;
}

// Step 4: the health checks of every node of an LB to every target of the groups its
// listeners use, each from the backend-leg source of engine/paths/lb_paths.h, at a random
// phase in [0, interval) and then every interval while the check starts inside the span.
// Each (node, target) pair draws from its own stream, numbered in planning order whether or
// not the pair has a leg.
void add_health_checks(const Scenario& s, std::uint64_t seed, std::int64_t span_ns, std::vector<Flow>& flows) {
  std::uint64_t pair = 0;
  for (LbIndex l = 0; l < s.load_balancers.size(); ++l) {
    const LoadBalancer& lb = s.load_balancers[l];
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
          Rng rng = rng_for(seed, gen_internal::kHealthCheckStream, pair++);
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
            gen_internal::draw_identifiers(f, rng);
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
            flows.push_back(f);
          }
        }
      }
    }
  }
}

// Step 5: the packet count. The flows need a fixed number; the surplus of a larger
// options.packets goes to the first options.flows flows (the listener flows) as keep-alive
// packets, an equal share each and one more for the first ones.
net::Result<std::uint64_t> share_out_packets(const Scenario& s, const GenOptions& options, std::uint64_t health_checks,
                                             std::vector<Flow>& flows) {
  std::uint64_t base = 0;
  for (const Flow& f : flows) base += gen_internal::base_packets(f);
  const std::uint64_t target = options.packets == 0 ? base : options.packets;
  if (target < base) {
    return net::text_error(s.file, 0, 0,
                           "--packets " + net::grouped(options.packets) + " is fewer than the " + net::grouped(base) +
                               " packets that " + net::grouped(options.flows) +
                               (options.flows == 1 ? " flow" : " flows") + " and " + net::grouped(health_checks) +
                               " health checks need");
  }
  const std::uint64_t surplus = target - base;
  const std::uint64_t share = surplus / options.flows;
  const std::uint64_t rest = surplus % options.flows;
  for (std::uint64_t i = 0; i < options.flows; ++i) flows[i].extra = share + (i < rest ? 1 : 0);
  return target;
}

// Step 6: the flows in start order, numbered (ties: listener flows before health checks,
// each in planning order).
std::vector<Flow> in_start_order(const std::vector<Flow>& flows) {
  std::vector<std::uint32_t> order(flows.size());
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::uint32_t x, std::uint32_t y) { return flows[x].start_ns < flows[y].start_ns; });
  std::vector<Flow> sorted;
  sorted.reserve(flows.size());
  for (std::uint32_t k = 0; k < order.size(); ++k) {
    sorted.push_back(flows[order[k]]);
    sorted.back().index = k;
  }
  return sorted;
}

// Step 7: the payload patterns' length: the longest payload of any packet.
std::uint32_t longest_payload_bytes(const Scenario& s, const std::vector<Flow>& flows) {
  const std::uint32_t inet_mtu = std::clamp<std::uint32_t>(s.mtu.internet_bytes, 576, kMaxPayload);
  std::uint32_t bytes = std::max<std::uint32_t>(1500, inet_mtu);
  for (const Flow& f : flows) bytes = std::max(bytes, std::uint32_t{f.large_bytes});
  return bytes;
}

// The plan's share of the stats: what kinds of flow it holds.
GenStats flow_counts(std::span<const Flow> listener_flows, std::uint64_t health_checks) noexcept {
  GenStats counts;
  counts.flows = listener_flows.size();
  for (const Flow& f : listener_flows) {
    ++(f.kind == Kind::kTcp ? counts.tcp_flows : counts.udp_flows);
    if (f.family == net::Family::kIpv6) ++counts.ipv6_flows;
  }
  counts.health_checks = health_checks;
  return counts;
}

// The frame of f.pending; takes the sender's next IPv4 id.
pcap::FrameSpec frame_of(const Pattern& a_pattern, const Pattern& b_pattern, Flow& f) noexcept {
  const Pending& p = f.pending;
  const bool v4 = f.family == net::Family::kIpv4;
  // An echo reply carries the request's payload.
  const Pattern& pattern = p.from_a || p.icmp_echo ? a_pattern : b_pattern;
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

}  // namespace

struct TrafficPlan::State {
  std::vector<Flow> flows;  // in start order
  Pattern a_pattern;        // what initiators send
  Pattern b_pattern;        // what responders send
  std::uint32_t internet_mtu = 1500;
  std::uint32_t snaplen = 0;
  std::uint64_t packets = 0;
  GenStats counts;  // the plan's share of the stats
};

TrafficPlan::TrafficPlan(std::unique_ptr<State> state) noexcept : state_(std::move(state)) {}
TrafficPlan::TrafficPlan(TrafficPlan&&) noexcept = default;
TrafficPlan& TrafficPlan::operator=(TrafficPlan&&) noexcept = default;
TrafficPlan::~TrafficPlan() = default;
std::uint64_t TrafficPlan::packets() const noexcept { return state_->packets; }
std::uint64_t TrafficPlan::min_file_bytes() const noexcept {
  constexpr std::uint64_t kMinFrameBytes = 14 + 20 + 8;  // Ethernet + IPv4 + UDP, no payload
  constexpr std::uint64_t kPerPacket = pcap::kPcapRecordHeaderBytes + kMinFrameBytes;
  const std::uint64_t n = state_->packets;
  const std::uint64_t most = std::numeric_limits<std::uint64_t>::max();
  if (n > (most - pcap::kPcapFileHeaderBytes) / kPerPacket) return most;
  return pcap::kPcapFileHeaderBytes + n * kPerPacket;
}
std::uint64_t TrafficPlan::flows() const noexcept { return state_->counts.flows; }
std::uint64_t TrafficPlan::health_checks() const noexcept { return state_->counts.health_checks; }

net::Result<TrafficPlan> plan_traffic(const Scenario& s, const GenOptions& options) {
  const auto fail = [&](std::string message) { return net::text_error(s.file, 0, 0, std::move(message)); };
  if (options.flows == 0) return fail("--flows must be at least 1");
  if (options.snaplen_bytes != 0 && options.snaplen_bytes < kGenMinSnaplenBytes) {
    return fail("--snaplen " + std::to_string(options.snaplen_bytes) + " would cut the headers (at least " +
                std::to_string(kGenMinSnaplenBytes) + ")");
  }
  const Listeners listeners = listeners_at_nodes(s, options.seed);
  if (listeners.entries.empty()) {
    return fail("no load balancer has a listener and a node with an address to send client traffic to");
  }
  const std::int64_t span_ns = time_span_ns(s, options.flows);
  std::vector<Flow> flows = listener_flows(s, listeners, options, span_ns);
  add_health_checks(s, options.seed, span_ns, flows);
  const std::uint64_t health_checks = flows.size() - options.flows;
  auto packets = share_out_packets(s, options, health_checks, flows);
  if (!packets) return std::move(packets).error();

  auto state = std::make_unique<TrafficPlan::State>();
  TrafficPlan::State& plan = *state;
  plan.internet_mtu = s.mtu.internet_bytes;
  plan.snaplen = options.snaplen_bytes;
  plan.packets = *packets;
  plan.counts = flow_counts(std::span<const Flow>(flows).first(options.flows), health_checks);
  const std::uint32_t pattern_bytes = longest_payload_bytes(s, flows);
  plan.flows = in_start_order(flows);
  plan.a_pattern.build("GET /api/v1/items HTTP/1.1\r\nHost: pfsim.example\r\nUser-Agent: pfsim-gen-traffic\r\n",
                       pattern_bytes);
  plan.b_pattern.build("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nServer: pfsim\r\n\r\n", pattern_bytes);
  return TrafficPlan(std::move(state));
}

net::Result<GenStats> write_traffic(const TrafficPlan& plan_handle, pcap::CaptureWriter& writer) {
  const TrafficPlan::State& plan = *plan_handle.state_;
  GenStats stats = plan.counts;
  std::vector<Flow> flows = plan.flows;  // progress is per write
  std::vector<std::uint8_t> frame(kMaxHeaderBytes + plan.a_pattern.bytes.size());
  const std::size_t captured = plan.snaplen != 0 ? std::min<std::size_t>(plan.snaplen, frame.size()) : frame.size();
  const std::span<std::uint8_t> capture = std::span<std::uint8_t>(frame).first(captured);

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
      if (gen_internal::step(f)) {
        heap.push_back(static_cast<std::uint32_t>(next_start));
        std::push_heap(heap.begin(), heap.end(), later);
      }
      ++next_start;
    }
    if (heap.empty()) break;
    std::pop_heap(heap.begin(), heap.end(), later);
    const std::uint32_t k = heap.back();
    Flow& f = flows[k];
    const pcap::FrameSpec spec = frame_of(plan.a_pattern, plan.b_pattern, f);
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
    if (gen_internal::step(f)) {
      std::push_heap(heap.begin(), heap.end(), later);
    } else {
      heap.pop_back();
    }
  }
  return stats;
}

}  // namespace pfsim::engine
