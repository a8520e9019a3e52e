// engine/replay/replay.cc — the per-packet judging of `pfsim replay` (engine/replay/replay.h):
// ReplayEngine (engine/replay/internal/replay_engine.h) over its parts — routes, fast path,
// health-check schedule, drop groups — with the PMTU errors and the accounting. The pipeline that
// feeds it is engine/replay/replay_pipeline.cc.
#include <algorithm>
#include <cmath>
#include <limits>

#include "engine/analysis/fix.h"
#include "engine/paths/lb_paths.h"
#include "engine/replay/internal/replay_engine.h"
#include "net/format.h"
#include "net/protocols.h"
#include "net/time_units.h"

namespace pfsim::engine {

bool replay_flagged(const ReplayReport& report) noexcept {
  return report.classes[static_cast<std::size_t>(TrafficClass::kListener)].dropped > 0 ||
         report.classes[static_cast<std::size_t>(TrafficClass::kHealthCheck)].dropped > 0 ||
         report.classes[static_cast<std::size_t>(TrafficClass::kPmtu)].dropped > 0;
}

namespace internal {
namespace {

// How far ahead of the packet it judges judge_batch() prefetches a decoded packet.
constexpr std::size_t kPrefetchPackets = 8;

// A TCP SYN without ACK: the packet that opens a connection (replay.h, "Dead flows").
bool opens_flow(const pcap::DecodedPacket& d) noexcept {
  return d.proto == net::kProtoTcp && d.has_tcp_flags && (d.tcp_flags & (kTcpSyn | kTcpAck)) == kTcpSyn;
}

}  // namespace

net::Result<std::shared_ptr<const Epochs>> compile_epochs(const Scenario& scenario, const ReplayOptions& options) {
  auto epochs = std::make_shared<Epochs>();
  CompileOptions compile;
  compile.algorithm = options.algorithm;
  // Every epoch up front: switching at an event costs nothing on the packet path.
  for (std::size_t n = 0; n <= scenario.events.size(); ++n) {
    auto p = compile_policies(scenario, compile, n);
    if (!p) return p.error();
    epochs->push_back(std::move(*p));
  }
  return std::shared_ptr<const Epochs>(std::move(epochs));
}

ReplayEngine::ReplayEngine(const Scenario& scenario, const ReplayOptions& options, std::shared_ptr<const Epochs> epochs)
    : scenario_(scenario),
      options_(options),
      fast_path_(options.fast_path),
      epochs_(std::move(epochs)),
      conntrack_(scenario.conntrack),
      router_(scenario, options.mode),
      health_(scenario, options.shard_index, options.shard_count),
      record_checks_(options.health_checks == HealthChecks::kAuto || options.health_checks == HealthChecks::kCaptured),
      health_conntrack_(scenario.conntrack),
      drops_(scenario) {}

std::unique_ptr<ReplayEngine> ReplayEngine::create(const Scenario& scenario, const ReplayOptions& options,
                                                   std::shared_ptr<const Epochs> epochs) {
  std::unique_ptr<ReplayEngine> engine(new ReplayEngine(scenario, options, std::move(epochs)));
  for (std::size_t k = 0; k < pcap::kMalformedKinds; ++k)
    engine->malformed_[k].kind = std::string(pcap::malformed_name(static_cast<pcap::Malformed>(k)));
  return engine;
}

std::uint64_t flow_hash(const pcap::DecodedPacket& d) noexcept {
  const std::optional<pcap::FlowKey> key = pcap::flow_key(d);
  return key ? pcap::symmetric_hash(*key) : d.index;
}

std::uint64_t shard_of(std::uint64_t flow_hash, std::uint64_t shard_count) noexcept {
  // The same as flow_hash % shard_count; a power of two (the threads of one replay) needs no
  // division.
  return (shard_count & (shard_count - 1)) == 0 ? flow_hash & (shard_count - 1) : flow_hash % shard_count;
}

void ReplayEngine::advance_to(std::int64_t ts_ns) {
  if (!started_) {
    started_ = true;
    first_ns_ = ts_ns;
    for (const Event& event : scenario_.events)
      event_ns_.push_back(first_ns_ +
                          static_cast<std::int64_t>(std::llround(event.at_s * static_cast<double>(net::kNsPerSecond))));
  }
  while (epoch_ < event_ns_.size() && event_ns_[epoch_] <= ts_ns) ++epoch_;
  due_ns_ = epoch_ < event_ns_.size() ? event_ns_[epoch_] : std::numeric_limits<std::int64_t>::max();
}

HealthCheckResult ReplayEngine::run_health_check(const HealthSeries& series, std::int64_t ts_ns) {
  const TargetGroup& group = scenario_.target_groups[series.target_group];
  const Target& target = group.targets[series.target];
  const std::uint16_t dport = health_check_port(scenario_, series.target_group, target);
  const std::uint8_t proto = group.health_check.protocol == AppProtocol::kUdpConnect ? net::kProtoUdp : net::kProtoTcp;
  const auto sport = static_cast<std::uint16_t>(
      kEphemeralFirst +
      mix(mix(series.node ^ (std::uint64_t{target.interface} << 32)) ^ series.count) % kEphemeralCount);
  auto leg = backend_leg(scenario_, series.node, series.target_group, target, series.listener, std::nullopt, sport,
                         dport, proto);
  if (!leg) return {};
  const bool tcp = proto == net::kProtoTcp;
  const std::size_t drops_before = report_.classes[static_cast<std::size_t>(TrafficClass::kHealthCheck)].dropped;
  Judge judge(scenario_, policies(), health_conntrack_);
  // The checks are the LB's own connections (engine/sim/packet.h), one tag per series.
  const std::uint64_t lb_connection =
      mix(mix(mix(series.node) ^ (std::uint64_t{target.interface} << 32)) ^ series.target_group) | 1;
  // A request and its reply along the leg; the hook that dropped one of them, or "".
  const auto exchange = [&](Packet request, Packet reply) -> std::string {
    request.lb_connection = reply.lb_connection = lb_connection;
    const pcap::FlowKey flow = pcap::flow_key(request.tuple);
    const LegVerdict there = judge.judge(leg->leg, request);
    count(TrafficClass::kHealthCheck, there.allowed);
    if (!there.allowed) {
      const std::size_t dropped_by =
          drops_.record({TrafficClass::kHealthCheck, *there.deciding, request, flow, false, nullptr}, first_ns_);
      // A dropped SYN: the check's connection never forms (replay.h, "Dead flows").
      if (request.tuple.proto == net::kProtoTcp) drops_.broken(dropped_by, request.ts_ns, first_ns_);
      return hook_name(scenario_, there.deciding->hook);
    }
    const LegVerdict back = judge.judge(reversed(leg->leg), reply);
    count(TrafficClass::kHealthCheck, back.allowed);
    if (!back.allowed) {
      drops_.record({TrafficClass::kHealthCheck, *back.deciding, reply, flow, true, nullptr}, first_ns_);
      return hook_name(scenario_, back.deciding->hook) + " (replies)";
    }
    return "";
  };
  std::string hook = exchange(make_packet(leg->tuple, ts_ns, tcp ? kTcpSyn : 0),
                              make_packet(reversed(leg->tuple), ts_ns, tcp ? kTcpSyn | kTcpAck : 0));
  // UDP health checks need ICMP (lb_paths.h, health_check_echo): the echo and its reply.
  if (hook.empty() && group.health_check.protocol == AppProtocol::kUdpConnect) {
    Packet echo = make_packet(health_check_echo(leg->tuple), ts_ns);
    net::FiveTuple reply = reversed(echo.tuple);
    reply.sport = net::icmp_echo_reply_type(echo.tuple.proto);
    Packet pong = make_packet(reply, ts_ns);
    echo.icmp_id = pong.icmp_id = sport;
    hook = exchange(echo, pong);
  }
  HealthCheckResult result;
  result.ran = true;
  result.ok = report_.classes[static_cast<std::size_t>(TrafficClass::kHealthCheck)].dropped == drops_before;
  if (!result.ok)
    result.reason = "health checks from " + interface_name(scenario_, series.node) + " dropped at " + hook;
  return result;
}

net::FiveTuple ReplayEngine::tuple_of(const pcap::DecodedPacket& d) noexcept {
  net::FiveTuple t;
  t.family = d.family;
  t.src = d.src;
  t.dst = d.dst;
  t.proto = d.proto;
  if (net::is_icmp(d.proto)) {
    t.sport = d.icmp_type;
    t.dport = d.icmp_code;
  } else if (d.has_ports) {
    t.sport = d.sport;
    t.dport = d.dport;
  }
  return t;
}

Packet ReplayEngine::to_packet(const pcap::DecodedPacket& d) const noexcept {
  Packet p;
  p.tuple = tuple_of(d);
  p.ts_ns = d.ts_ns;
  if (net::is_icmp(d.proto)) {
    p.icmp_id = d.icmp_id;
    p.is_icmp_error = d.has_icmp && net::is_icmp_error_type(d.proto, d.icmp_type);
    if (p.is_icmp_error && d.has_inner)
      p.quoted = net::FiveTuple{d.inner.src, d.inner.dst, d.inner.sport, d.inner.dport, d.inner.proto, d.inner.family};
  }
  p.tcp_flags = d.has_tcp_flags ? d.tcp_flags : 0;
  return p;
}

void ReplayEngine::count(TrafficClass cls, bool allowed) {
  ClassCounts& c = report_.classes[static_cast<std::size_t>(cls)];
  (allowed ? c.allowed : c.dropped)++;
}

bool ReplayEngine::judge_leg(Step& step, const Packet& packet, bool reply, const CapturedPacket& captured) {
  Judge judge(scenario_, policies(), conntrack_);
  const LegVerdict verdict = judge.judge(step.plan, packet);
  if (!verdict.allowed) {
    current_drop_group_ =
        drops_.record({captured.cls, *verdict.deciding, packet, captured.flow, reply, &captured.decoded}, first_ns_);
    current_dropped_ = true;
    return false;
  }
  if (captured.df && captured.decoded.ip_length > step.mtu && !packet.is_icmp_error)
    pmtu(step.leg, packet, captured.flow, &captured.decoded);
  return true;
}

void ReplayEngine::pmtu(const Leg& leg, const Packet& too_big, const pcap::FlowKey& flow,
                        const pcap::DecodedPacket* captured) {
  // The router's error enters the sender's subnet and reaches the sender (check.cc, check_pmtu).
  Leg back;
  back.from = Endpoint{kNone, kNone};
  back.to = leg.from;
  back.skip_to_filters = leg.skip_from_filters;
  back.skip_to_acl = leg.skip_from_acl;
  const net::IpAddress router{too_big.tuple.family, too_big.tuple.dst};
  Packet error = pmtu_error(too_big.tuple, router, too_big.ts_ns);
  error.lb_connection = too_big.lb_connection;
  Judge judge(scenario_, policies(), conntrack_);
  const LegVerdict verdict = judge.judge(back, error);
  count(TrafficClass::kPmtu, verdict.allowed);
  if (verdict.allowed) return;
  drops_.record({TrafficClass::kPmtu, *verdict.deciding, error, flow, false, nullptr}, first_ns_);
  PmtuHole& hole = holes_[flow];
  if (hole.errors++ == 0) {
    hole.flow = net::format_five_tuple(too_big.tuple);
    hole.community_id = captured != nullptr ? pcap::community_id(*captured) : "";
    hole.hook = hook_name(scenario_, verdict.deciding->hook);
    hole.first_packet = captured != nullptr ? captured->index : 0;
  }
}

void ReplayEngine::plan_route(Route& route) {
  Judge judge(scenario_, policies(), conntrack_);
  for (std::size_t i = 0; i < route.steps; ++i) route.step[i].plan = judge.plan(route.step[i].leg, route.step[i].tuple);
  route.epoch = static_cast<std::uint32_t>(epoch_);
}

std::size_t ReplayEngine::route_for(const net::FiveTuple& header, std::uint64_t hash) {
  const std::size_t index = routes_.find(header, hash);
  if (const RouteSlot& slot = routes_.slot(index); slot.route != 0) {
    Route& route = routes_.route(slot);
    if (route.epoch != epoch_) plan_route(route);
    return index;
  }
  Route route = router_.make_route(header);
  for (std::size_t k = 0; k < route.steps; ++k) {
    Step& step = route.step[k];
    step.mtu = path_mtu_bytes(scenario_, step.leg, step.tuple);
    Packet packet;
    packet.tuple = step.tuple;
    step.src_is_hi = ConntrackTable::src_is_hi(packet);
  }
  plan_route(route);
  return routes_.insert(route, hash, index);
}

bool ReplayEngine::process(const pcap::DecodedPacket& d) {
  ++report_.packets_read;
  if (d.malformed != pcap::Malformed::kNone) {
    ++report_.packets_malformed;
    MalformedCount& malformed = malformed_[static_cast<std::size_t>(d.malformed)];
    if (malformed.count++ < kMalformedSamples) malformed.first.push_back(d.index);
    return false;
  }
  if (!d.has_ip) {
    ++report_.packets_non_ip;
    return false;
  }
  ++report_.packets_evaluated;
  const bool df = d.dont_fragment || d.family == net::Family::kIpv6;
  // The route's fast path first, before anything else is made for the packet (ICMP routes have
  // none: RouteCache::arm_fast_path()). An opening SYN always goes to the judge: it may break
  // its flow, or begin a captured health check.
  if (fast_path_ && !net::is_icmp(d.proto) && !opens_flow(d)) {
    const net::FiveTuple header = tuple_of(d);
    const RouteSlot& slot = routes_.slot(routes_.find(header, RouteCache::route_hash(header)));
    if (slot.route != 0 &&
        routes_.try_fast_path(slot, conntrack_, epoch_, d.ts_ns, d.has_tcp_flags ? d.tcp_flags : 0, df, d.ip_length)) {
      count(slot.cls, true);
      if (slot.unmatched != 0) ++report_.packets_unmatched;
      return false;
    }
  }
  return judge_captured(d, df);
}

bool ReplayEngine::judge_captured(const pcap::DecodedPacket& d, bool df) {
  current_dropped_ = false;
  Packet packet = to_packet(d);
  // Through the LB, an ICMP error to a node's public address reaches its private one (the
  // translation the client leg makes), quoting the translated flow.
  if (options_.mode == ReplayMode::kThroughLb && packet.is_icmp_error) {
    if (const InterfaceIndex node = router_.node_at(net::IpAddress{packet.tuple.family, packet.tuple.dst});
        node != kNone) {
      const NetworkInterface& n = scenario_.interfaces[node];
      if (n.public_ip && n.public_ip->bits == packet.tuple.dst && n.public_ip->family == packet.tuple.family)
        if (auto priv = private_address(n, packet.tuple.family)) {
          if (packet.quoted.src == packet.tuple.dst) packet.quoted.src = priv->bits;
          packet.tuple.dst = priv->bits;
        }
    }
  }
  // Judging makes no route, so the slot and the route stay put.
  RouteSlot& slot = routes_.slot(route_for(packet.tuple, RouteCache::route_hash(packet.tuple)));
  Route& route = routes_.route(slot);
  // The flow, for the drop reports; made here, past the fast path, rather than for every packet.
  const pcap::FlowKey flow = *pcap::flow_key(d);  // every IP packet has one
  const bool opening = opens_flow(d);
  bool retransmit = false;
  if (!dead_.empty() && after_drop(d, flow, route.cls, opening, retransmit)) {
    if (record_checks_ && route.cls == TrafficClass::kHealthCheck && route.direct)
      record_captured_check(route.header, flow, d.ts_ns);
    return false;
  }
  const CapturedPacket captured{d, flow, route.cls, df};
  // A direct packet is a reply when it is a SYN-ACK, or from a service port to an ephemeral one
  // (for the fix a drop report suggests).
  const bool direct_reply =
      (packet.tuple.proto == net::kProtoTcp && (packet.tcp_flags & (kTcpSyn | kTcpAck)) == (kTcpSyn | kTcpAck)) ||
      reply_by_ports(packet.tuple);
  bool passed = true;
  for (std::size_t i = 0; i < route.steps && passed; ++i) {
    Step& step = route.step[i];
    packet.tuple = step.tuple;  // the header on this leg
    packet.lb_connection = step.lb_connection;
    passed = judge_leg(step, packet, route.direct ? direct_reply : step.reply, captured);
  }
  if (fast_path_) routes_.arm_fast_path(slot, route, passed, conntrack_, epoch_);
  count(route.cls, passed);
  if (opening) note_opening(d, flow, retransmit);
  if (record_checks_ && route.cls == TrafficClass::kHealthCheck && route.direct)
    record_captured_check(route.header, flow, d.ts_ns);
  if (route.unmatched) ++report_.packets_unmatched;
  return current_dropped_;
}

bool ReplayEngine::after_drop(const pcap::DecodedPacket& d, const pcap::FlowKey& flow, TrafficClass cls, bool opening,
                              bool& retransmit) {
  const auto it = dead_.find(flow);
  if (it == dead_.end()) return false;
  DeadFlow& dead = it->second;
  // Within conntrack's idle timeout of a TCP flow that never got established, after the flow's
  // newest packet, the packet belongs to the broken flow; later it starts a new one.
  const std::int64_t lifetime_ns = static_cast<std::int64_t>(scenario_.conntrack.tcp_other_s) * net::kNsPerSecond;
  if (d.ts_ns > dead.last_ns + lifetime_ns) {
    dead_.erase(it);
    return false;
  }
  dead.last_ns = std::max(dead.last_ns, d.ts_ns);
  if (opening && d.src == dead.initiator && d.sport == dead.initiator_port) {
    retransmit = true;  // judged again: it may open the connection after all
    return false;
  }
  report_.classes[static_cast<std::size_t>(cls)].after_drop++;
  drops_.after_drop(dead.group, d.ts_ns, first_ns_);
  return true;
}

void ReplayEngine::note_opening(const pcap::DecodedPacket& d, const pcap::FlowKey& flow, bool retransmit) {
  if (!current_dropped_) {
    if (retransmit) dead_.erase(flow);  // the connection forms after all
    return;
  }
  if (retransmit) return;  // dropped again: the same broken flow
  dead_[flow] = DeadFlow{current_drop_group_, d.src, d.sport, d.ts_ns};
  drops_.broken(current_drop_group_, d.ts_ns, first_ns_);
  // Its later packets, both ways, must reach after_drop(): neither direction's route may pass
  // them by the fast path.
  const net::FiveTuple header = tuple_of(d);
  routes_.disarm(header);
  routes_.disarm(reversed(header));
}

void ReplayEngine::record_captured_check(const net::FiveTuple& header, const pcap::FlowKey& flow, std::int64_t ts_ns) {
  static const std::string kPassed;
  const std::string& hook = current_dropped_ ? drops_.hook(current_drop_group_) : kPassed;
  // The ICMP echoes of UDP_CONNECT checks are judged as health_check traffic but make no
  // check fail: their packets and the datagrams' may fall in different flow shards.
  if (net::is_icmp(header.proto)) return;
  health_.carried_by(header, [&](std::size_t series, bool from_node) {
    health_.record_captured(series, flow, from_node, ts_ns, hook);
  });
}

void ReplayEngine::judge_batch(std::span<const pcap::DecodedPacket> decoded, std::span<const std::int64_t> upto_ns,
                               std::span<const std::uint32_t> engine, std::uint32_t me,
                               std::span<std::uint8_t> dropped) {
  if (decoded.empty()) return;
  advance(upto_ns.front());  // in the first batch, the first time read: it starts the trace
  latest_ns_ = std::max(latest_ns_, upto_ns.back());
  for (std::size_t i = 0; i < decoded.size(); ++i) {
    if (i + kPrefetchPackets < decoded.size()) {
      // The fields process() reads, in the first 104 bytes of a packet decoded on another
      // thread or long enough ago to have left this core's caches.
      const auto* ahead = reinterpret_cast<const char*>(&decoded[i + kPrefetchPackets]);
      __builtin_prefetch(ahead);
      __builtin_prefetch(ahead + 103);
    }
    if (engine[i] != me) continue;
    advance(upto_ns[i]);
    if (process(decoded[i])) dropped[i] = 1;
  }
  advance(upto_ns.back());
}

ReplayReport ReplayEngine::finish(const std::vector<bool>& carried, bool truncated_tail_warning,
                                  const std::string& truncated_file) {
  report_.health_checks = options_.health_checks;
  if (options_.health_checks != HealthChecks::kOff) {
    // The series whose health the captures give: those they carry (auto), every one (captured)
    // or none (synthesize); the others are synthesized now.
    std::vector<bool> captured(health_.size(), options_.health_checks == HealthChecks::kCaptured);
    if (options_.health_checks == HealthChecks::kAuto && carried.size() == captured.size()) {
      captured = carried;
      // A UDP_CONNECT check also fails on its ICMP echo, which a captured check cannot be charged
      // with yet (the known limit above): auto synthesizes those series even when carried, so
      // that a dropped echo still makes the target unhealthy.
      for (std::size_t s = 0; s < captured.size(); ++s)
        if (scenario_.target_groups[health_.series(s).target_group].health_check.protocol == AppProtocol::kUdpConnect)
          captured[s] = false;
    }
    if (started_ && options_.health_checks != HealthChecks::kCaptured) {
      health_.run_all(
          first_ns_, latest_ns_, [&](std::size_t s) { return !captured[s]; },
          [this](const HealthSeries& series, std::int64_t at_ns) {
            // The policies of the check's epoch: an event at the same time as a check comes first.
            epoch_ = 0;
            while (epoch_ < event_ns_.size() && event_ns_[epoch_] <= at_ns) ++epoch_;
            return run_health_check(series, at_ns);
          });
    }
    report_.targets = health_.target_health(captured, first_ns_);
  }
  for (const MalformedCount& malformed : malformed_)
    if (malformed.count > 0) report_.malformed.push_back(malformed);
  std::sort(report_.malformed.begin(), report_.malformed.end(),
            [](const MalformedCount& a, const MalformedCount& b) { return a.kind < b.kind; });
  report_.drops = drops_.finish();
  std::vector<std::string>& warnings = report_.warnings;
  for (const auto& [key, hole] : holes_) {
    std::string text = "PMTU black hole: " + hole.flow + (hole.community_id.empty() ? "" : " " + hole.community_id) +
                       ": " + std::to_string(hole.errors) + " ICMP error" + (hole.errors == 1 ? "" : "s") +
                       " dropped at " + hole.hook;
    if (hole.first_packet != 0) text += ", first #" + std::to_string(hole.first_packet);
    warnings.push_back(std::move(text));
  }
  if (truncated_tail_warning)
    warnings.push_back(truncated_file + ": the capture ends inside a record (every record before it was replayed)");
  std::sort(warnings.begin(), warnings.end());
  warnings.erase(std::unique(warnings.begin(), warnings.end()), warnings.end());
  return std::move(report_);
}

}  // namespace internal
}  // namespace pfsim::engine
