// engine/replay/replay.cc — the per-packet logic of `pfsim replay` (engine/replay/replay.h): legs through the
// load balancer, classes, health-check and PMTU synthesis, accounting. The pipeline that feeds
// it is engine/replay/replay_pipeline.cc.
#include <algorithm>
#include <cmath>
#include <limits>

#include "engine/replay/internal/replay_engine.h"
#include "net/format.h"
#include "net/hash.h"
#include "net/time_units.h"

namespace pfsim::engine {

bool replay_flagged(const ReplayReport& report) noexcept {
  return report.classes[static_cast<std::size_t>(TrafficClass::kListener)].dropped > 0 ||
         report.classes[static_cast<std::size_t>(TrafficClass::kHealthCheck)].dropped > 0 ||
         report.classes[static_cast<std::size_t>(TrafficClass::kPmtu)].dropped > 0;
}

namespace internal {
namespace {

constexpr std::uint16_t kEphemeralFirst = 1024;  // the ELB ephemeral range 1024-65535
constexpr std::size_t kEphemeralCount = 65536 - kEphemeralFirst;
// The route cache (replay_engine.h): a power-of-two slot count, at most half full, and a bound
// on the routes it keeps (about 600 bytes each, and two 64-byte slots) so that memory stays
// bounded on any capture.
constexpr std::size_t kInitialRouteSlots = 1024;
constexpr std::size_t kMaxRoutes = std::size_t{1} << 20;
constexpr std::uint64_t kRouteSeed = 0x726f757465ull;  // "route"
// How far ahead of the packet it judges judge_batch() prefetches a decoded packet.
constexpr std::size_t kPrefetchPackets = 8;

std::uint64_t mix(std::uint64_t x) noexcept { return net::mix64(x + net::kGoldenGamma); }

pcap::DecodedPacket header_of(const net::FiveTuple& t) noexcept {
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




}  // namespace

pcap::FlowKey flow_of(const net::FiveTuple& t) noexcept { return *pcap::flow_key(header_of(t)); }

std::size_t ReplayEngine::AddrKeyHash::operator()(const AddrKey& k) const noexcept {
  return mix(k.addr.hi ^ mix(k.addr.lo ^ (std::uint64_t{k.port} << 16) ^ (std::uint64_t{k.proto} << 8) ^
                             static_cast<std::uint64_t>(k.family)));
}

std::size_t FragmentPorts::FragKeyHash::operator()(const FragKey& k) const noexcept {
  return mix(k.src.hi ^ mix(k.src.lo ^ mix(k.dst.hi ^ mix(k.dst.lo ^ (std::uint64_t{k.id} << 16) ^ k.proto))));
}

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

bool FragmentPorts::resolve_fragment(pcap::DecodedPacket& d) {
  const FragKey fk{d.src, d.dst, d.fragment.id, d.proto, d.family};
  if (d.fragment.offset_bytes == 0) {
    if (d.has_ports && d.fragment.more) ports_[fk] = {d.sport, d.dport};
    return false;
  }
  const auto it = ports_.find(fk);
  if (it == ports_.end()) return false;
  d.has_ports = true;
  d.sport = it->second.first;
  d.dport = it->second.second;
  if (!d.fragment.more) ports_.erase(it);
  return true;
}

ReplayEngine::ReplayEngine(const Scenario& scenario, const ReplayOptions& options, std::shared_ptr<const Epochs> epochs)
    : s_(scenario), options_(options), epochs_(std::move(epochs)), conntrack_(scenario.conntrack),
      route_slots_(kInitialRouteSlots) {}

std::unique_ptr<ReplayEngine> ReplayEngine::create(const Scenario& scenario, const ReplayOptions& options,
                                                   std::shared_ptr<const Epochs> epochs) {
  std::unique_ptr<ReplayEngine> e(new ReplayEngine(scenario, options, std::move(epochs)));
  const Scenario& s = scenario;
  for (LbIndex lb = 0; lb < s.lbs.size(); ++lb) {
    for (InterfaceIndex node : s.lbs[lb].nodes) {
      const Interface& n = s.interfaces[node];
      for (const auto& address : {n.ipv4, n.ipv6, n.public_ip, n.backend_ip}) {
        if (!address) continue;
        e->node_addresses_.try_emplace(AddrKey{address->bits, 0, 0, address->family}, node);
        for (const Listener& listener : s.lbs[lb].listeners) {
          for (std::uint8_t proto : {net::kProtoTcp, net::kProtoUdp}) {
            if (proto == net::kProtoTcp ? !uses_tcp(listener.protocol) : !uses_udp(listener.protocol)) continue;
            e->listeners_.try_emplace(AddrKey{address->bits, listener.port, proto, address->family},
                                      ListenerAt{node, &listener});
          }
        }
      }
      // Health checks: once per target group the LB serves, from every node to every target
      // (check.cc does the same).
      std::vector<TargetGroupIndex> done;
      for (const Listener& listener : s.lbs[lb].listeners) {
        if (listener.target_group == kNone ||
            std::find(done.begin(), done.end(), listener.target_group) != done.end())
          continue;
        done.push_back(listener.target_group);
        for (std::size_t t = 0; t < s.target_groups[listener.target_group].targets.size(); ++t) {
          HealthSeries series;
          series.lb = lb;
          series.node = node;
          series.tg = listener.target_group;
          series.target = t;
          series.listener = &listener;
          const InterfaceIndex target = s.target_groups[listener.target_group].targets[t].interface;
          const std::uint64_t h = mix(mix(node) ^ (std::uint64_t{target} << 32) ^ listener.target_group);
          series.mine = h % options.shard_count == options.shard_index;
          e->series_.push_back(std::move(series));
        }
      }
    }
  }
  e->shared_pool_ = net::parse_prefix(kHuaweiSharedPool)->range;
  for (std::size_t k = 0; k < pcap::kMalformedKinds; ++k)
    e->malformed_[k].kind = std::string(pcap::malformed_name(static_cast<pcap::Malformed>(k)));
  return e;
}

double ReplayEngine::rel_s(std::int64_t ts_ns) const noexcept {
  return static_cast<double>(ts_ns - first_ns_) / static_cast<double>(net::kNsPerSecond);
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
    for (const Event& ev : s_.events)
      event_ns_.push_back(first_ns_ +
                          static_cast<std::int64_t>(std::llround(ev.at_s * static_cast<double>(net::kNsPerSecond))));
    for (HealthSeries& series : series_) series.next_ns = first_ns_;
    next_check_ns_ = series_.empty() ? std::numeric_limits<std::int64_t>::max() : first_ns_;
  }
  while (next_check_ns_ <= ts_ns || (epoch_ < event_ns_.size() && event_ns_[epoch_] <= ts_ns)) {
    // Events and checks in time order; an event at the same time as a check comes first.
    if (epoch_ < event_ns_.size() && event_ns_[epoch_] <= ts_ns && event_ns_[epoch_] <= next_check_ns_) {
      ++epoch_;
      continue;
    }
    std::int64_t next = std::numeric_limits<std::int64_t>::max();
    for (HealthSeries& series : series_) {
      if (series.next_ns == next_check_ns_) {
        if (series.mine) run_health_check(series, series.next_ns);
        const std::uint32_t interval_s = std::max<std::uint32_t>(1, s_.target_groups[series.tg].health_check.interval_s);
        series.next_ns += static_cast<std::int64_t>(interval_s) * net::kNsPerSecond;
        ++series.count;
      }
      next = std::min(next, series.next_ns);
    }
    next_check_ns_ = next;
  }
  due_ns_ = epoch_ < event_ns_.size() ? std::min(next_check_ns_, event_ns_[epoch_]) : next_check_ns_;
}

void ReplayEngine::run_health_check(HealthSeries& series, std::int64_t ts_ns) {
  const TargetGroup& group = s_.target_groups[series.tg];
  const Target& target = group.targets[series.target];
  const std::uint16_t dport = health_check_port(s_, series.tg, target);
  const std::uint8_t proto = group.health_check.protocol == AppProtocol::kUdpConnect ? net::kProtoUdp : net::kProtoTcp;
  const auto sport = static_cast<std::uint16_t>(
      kEphemeralFirst + mix(mix(series.node ^ (std::uint64_t{target.interface} << 32)) ^ series.count) % kEphemeralCount);
  auto leg = backend_leg(s_, series.node, series.tg, target, series.listener, std::nullopt, sport, dport, proto);
  if (!leg) return;
  series.ran = true;
  const bool tcp = proto == net::kProtoTcp;
  const std::size_t drops_before = report_.classes[static_cast<std::size_t>(TrafficClass::kHealthCheck)].dropped;
  Judge judge(s_, policies(), conntrack_);
  // The checks are the LB's own connections (engine/sim/packet.h), one tag per series.
  const std::uint64_t lb_connection =
      mix(mix(mix(series.node) ^ (std::uint64_t{target.interface} << 32)) ^ series.tg) | 1;
  // A request and its reply along the leg; the hook that dropped one of them, or "".
  const auto exchange = [&](Packet request, Packet reply) -> std::string {
    request.lb_connection = reply.lb_connection = lb_connection;
    const pcap::FlowKey flow = flow_of(request.tuple);
    LegVerdict v = judge.judge(leg->leg, request);
    count(TrafficClass::kHealthCheck, v.allowed);
    if (!v.allowed) {
      record_drop(TrafficClass::kHealthCheck, *v.deciding, request, flow, false, nullptr);
      return hook_name(s_, v.deciding->hook);
    }
    LegVerdict r = judge.judge(reversed(leg->leg), reply);
    count(TrafficClass::kHealthCheck, r.allowed);
    if (!r.allowed) {
      record_drop(TrafficClass::kHealthCheck, *r.deciding, reply, flow, true, nullptr);
      return hook_name(s_, r.deciding->hook) + " (replies)";
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
  series.last_ok = report_.classes[static_cast<std::size_t>(TrafficClass::kHealthCheck)].dropped == drops_before;
  series.last_reason = series.last_ok ? "" : "health checks from " + interface_name(s_, series.node) + " dropped at " + hook;
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

std::string ReplayEngine::owner_location(Hook hook) const {
  if (hook.kind == HookKind::kSgIngress || hook.kind == HookKind::kSgEgress) {
    const Interface& i = s_.interfaces[hook.owner];
    if (!i.groups.empty()) return format_location(s_.groups[i.groups.front()].where);
    if (i.lb != kNone && !s_.lbs[i.lb].groups.empty()) return format_location(s_.groups[s_.lbs[i.lb].groups.front()].where);
    return format_location(i.where);
  }
  const Subnet& subnet = s_.subnets[hook.owner];
  if (subnet.acl != kNone) return format_location(s_.acls[subnet.acl].where);
  return format_location(subnet.where);
}

std::string ReplayEngine::fix_for(const HookVerdict& hv, const Packet& p, bool reply) const {
  const Policy& policy = hv.policy->policy;
  if (policy.owners.empty()) return "";
  const std::string& owner = policy.owners.front();
  const bool inbound = hv.hook.kind == HookKind::kSgIngress || hv.hook.kind == HookKind::kNaclIn;
  const bool acl = hv.hook.kind == HookKind::kNaclIn || hv.hook.kind == HookKind::kNaclOut;
  const net::FiveTuple& t = p.tuple;
  const net::Ip128& peer_bits = inbound ? t.src : t.dst;
  const net::IpAddress peer_address{t.family, peer_bits};
  std::string peer;
  if (acl) {
    peer = anywhere_cidr(t.family);
    if (subnet_of(s_, peer_address) != kNone)
      for (const net::IpRange& r : s_.vpc_cidrs)
        if (r.family == t.family) {
          peer = net::format_range(r.family, r.range);
          break;
        }
  } else {
    const InterfaceIndex i = interface_at(s_, peer_address);
    if (i != kNone && !s_.interfaces[i].groups.empty()) peer = s_.groups[s_.interfaces[i].groups.front()].id;
    else if (i != kNone && s_.interfaces[i].lb != kNone && !s_.lbs[s_.interfaces[i].lb].groups.empty())
      peer = s_.groups[s_.lbs[s_.interfaces[i].lb].groups.front()].id;
    else if (subnet_of(s_, peer_address) != kNone)
      peer = net::format_address(t.family, peer_bits) + (t.family == net::Family::kIpv4 ? "/32" : "/128");
    else
      peer = anywhere_cidr(t.family);
  }
  std::string what;
  std::string note;
  if (p.is_icmp_error) {
    what = t.proto == net::kProtoIcmp ? "icmp type 3 code 4" : "icmpv6 type 2";
    note = " (Path MTU Discovery)";
  } else if (net::is_icmp(t.proto)) {
    what = net::protocol_name(t.proto) + " type " + std::to_string(t.sport);
  } else if (reply && t.dport >= kEphemeralFirst) {
    what = net::protocol_name(t.proto) + " 1024-65535";
    note = " (the ELB ephemeral range, for replies)";
  } else {
    what = net::protocol_name(t.proto) + " " + std::to_string(t.dport);
  }
  const std::string dir = inbound ? " inbound" : " outbound";
  const std::string rule = what + (inbound ? " from " : " to ") + peer + note;
  if (hv.how == HookHow::kRule) {
    const RuleOrigin& o = policy.origins[policy.rules.rules[hv.rule].id];
    if (acl) return "add to " + owner + dir + ": a rule numbered below " + o.label.substr(o.label.find(' ') + 1) +
                    " (which denies it): allow " + rule;
    return "remove " + o.owner + " " + o.label + " (" + o.text + ") or allow at a higher priority: " + rule;
  }
  return "add to " + owner + dir + ": " + (acl ? "allow " : "") + rule;
}

void ReplayEngine::record_drop(TrafficClass cls, const HookVerdict& hv, const Packet& p, const pcap::FlowKey& flow,
                               bool reply, const pcap::DecodedPacket* captured) {
  const Policy& policy = hv.policy->policy;
  const GroupCacheKey cache_key{static_cast<int>(cls), static_cast<int>(hv.hook.kind), hv.hook.owner, hv.policy,
                                hv.how == HookHow::kRule ? hv.rule : classifier::kNoMatch, 0};
  std::size_t index = 0;
  if (auto it = group_cache_.find(cache_key); it != group_cache_.end()) {
    index = it->second;
  } else {
    DropRule rule;
    if (hv.how == HookHow::kRule) {
      const RuleOrigin& o = policy.origins[policy.rules.rules[hv.rule].id];
      rule = {false, o.owner + " " + o.label, format_location(o.where), o.text};
    } else {
      rule = {true, "default", "", policy.default_text};
    }
    const std::string hook = hook_name(s_, hv.hook);
    auto [git, inserted] = group_index_.try_emplace(std::make_tuple(static_cast<int>(cls), hook, rule.id), groups_.size());
    if (inserted) {
      DropGroup g;
      g.cls = cls;
      g.hook = hook;
      g.at = owner_location(hv.hook);
      g.rule = std::move(rule);
      groups_.push_back(std::move(g));
      group_flows_.emplace_back();
      group_example_synth_.push_back(true);
    }
    index = git->second;
    group_cache_.emplace(cache_key, index);
  }
  DropGroup& g = groups_[index];
  const bool fresh = g.packets == 0;
  ++g.packets;
  group_flows_[index].insert(flow);
  // The example: the first captured packet; failing one, the earliest synthesized packet
  // (ties by its text), so that merged shards pick the same one as a single run.
  bool take = false;
  if (captured != nullptr) {
    take = group_example_synth_[index];
    if (take) g.first_packet = captured->index;
  } else if (group_example_synth_[index]) {
    const double t = rel_s(p.ts_ns);
    take = fresh || t < g.example.time_s || (t == g.example.time_s && net::format_five_tuple(p.tuple) < g.example.flow);
  }
  if (take) {
    group_example_synth_[index] = captured == nullptr;
    g.example.flow = net::format_five_tuple(p.tuple);
    g.example.community_id = pcap::community_id(captured != nullptr ? *captured : header_of(p.tuple));
    g.example.time_s = rel_s(p.ts_ns);
    g.fix = fix_for(hv, p, reply);
  }
}

bool ReplayEngine::judge_leg(Step& step, const Packet& p, TrafficClass cls, const pcap::FlowKey& flow,
                             bool reply, const pcap::DecodedPacket* captured, std::uint32_t ip_length, bool df) {
  Judge judge(s_, policies(), conntrack_);
  LegVerdict v = judge.judge(step.plan, p);
  if (!v.allowed) {
    record_drop(cls, *v.deciding, p, flow, reply, captured);
    current_dropped_ = true;
    return false;
  }
  if (df && ip_length > step.mtu && !p.is_icmp_error) pmtu(step.leg, p, flow, captured);
  return true;
}

std::uint32_t ReplayEngine::next_mtu(const Leg& leg) const noexcept {
  // Out of the VPC to an outside address crosses the internet MTU.
  const bool leaves_vpc = leg.to.interface == kNone && leg.to.subnet == kNone &&
                          (leg.from.interface != kNone || leg.from.subnet != kNone);
  return leaves_vpc ? s_.mtu.internet_bytes : s_.mtu.vpc_bytes;
}

void ReplayEngine::pmtu(const Leg& leg, const Packet& too_big, const pcap::FlowKey& flow,
                        const pcap::DecodedPacket* captured) {
  // The router's error enters the sender's subnet and reaches the sender (check.cc, check_pmtu).
  Leg back;
  back.from = Endpoint{kNone, kNone};
  back.to = leg.from;
  back.skip_to_filters = leg.skip_from_filters;
  const net::IpAddress router{too_big.tuple.family, too_big.tuple.dst};
  Packet error = pmtu_error(too_big.tuple, router, too_big.ts_ns);
  error.lb_connection = too_big.lb_connection;
  Judge judge(s_, policies(), conntrack_);
  LegVerdict v = judge.judge(back, error);
  count(TrafficClass::kPmtu, v.allowed);
  if (v.allowed) return;
  record_drop(TrafficClass::kPmtu, *v.deciding, error, flow, false, nullptr);
  PmtuHole& hole = holes_[flow];
  if (hole.errors++ == 0) {
    hole.flow = net::format_five_tuple(too_big.tuple);
    hole.community_id = captured != nullptr ? pcap::community_id(*captured) : "";
    hole.hook = hook_name(s_, v.deciding->hook);
    hole.first_packet = captured != nullptr ? captured->index : 0;
  }
}

TrafficClass ReplayEngine::direct_class(const net::FiveTuple& t, Leg& leg) const {
  if (net::is_pmtu_message(t.proto, t.sport, t.dport)) return TrafficClass::kPmtu;
  const auto node_of = [&](const Endpoint& e) -> InterfaceIndex {
    return e.interface != kNone && s_.interfaces[e.interface].kind == Interface::Kind::kLbNode ? e.interface : kNone;
  };
  const InterfaceIndex from_node = node_of(leg.from);
  const InterfaceIndex to_node = node_of(leg.to);
  if (from_node != kNone) {
    const LoadBalancer& lb = s_.lbs[s_.interfaces[from_node].lb];
    leg.classic_lb_out = lb.type == LbType::kClassic;
    leg.always_tracked = lb.type == LbType::kNetwork;
  } else if (to_node != kNone) {
    leg.always_tracked = s_.lbs[s_.interfaces[to_node].lb].type == LbType::kNetwork;
  }
  // The LB end of the packet: a node, or Huawei's shared pool, which stands for every shared
  // ELB's nodes (lb_paths.h).
  const auto in_pool = [&](const net::Ip128& address) {
    return t.family == net::Family::kIpv4 && shared_pool_.contains(address);
  };
  const bool from_lb = from_node != kNone || in_pool(t.src);
  const bool to_lb = to_node != kNone || in_pool(t.dst);
  if (from_lb == to_lb) return TrafficClass::kOther;
  const InterfaceIndex other = from_lb ? leg.to.interface : leg.from.interface;
  if (other == kNone) return TrafficClass::kOther;
  const bool icmp = net::is_icmp(t.proto);
  // An echo request or reply is a health check where the target group checks with
  // UDP_CONNECT (Huawei: UDP health checks need ICMP, as check.cc and gen-traffic model).
  const bool echo = net::is_icmp_echo(t.proto, t.sport);
  if (icmp && !echo) return TrafficClass::kOther;
  // Node -> target (or the target's reply) on the health-check or the traffic port.
  const InterfaceIndex node = from_node != kNone ? from_node : to_node;
  const std::uint16_t port = from_lb ? t.dport : t.sport;
  TrafficClass cls = TrafficClass::kOther;
  for (LbIndex lb = 0; lb < s_.lbs.size(); ++lb) {
    if (node != kNone ? lb != s_.interfaces[node].lb : s_.lbs[lb].type != LbType::kHuaweiShared) continue;
    for (const Listener& listener : s_.lbs[lb].listeners) {
      if (listener.target_group == kNone) continue;
      const TargetGroup& group = s_.target_groups[listener.target_group];
      for (const Target& target : group.targets) {
        if (target.interface != other) continue;
        if (echo) {
          if (group.health_check.protocol == AppProtocol::kUdpConnect) return TrafficClass::kHealthCheck;
          continue;
        }
        const bool health_check = health_check_port(s_, listener.target_group, target) == port;
        if (!health_check && target_port(s_, &listener, listener.target_group, target) != port) continue;
        // As on the synthesized legs (lb_paths.h backend_leg): a Huawei L4 listener without IP
        // as a backend bypasses the target's filters, both ways.
        if (bypasses_target_filters(s_, lb, listener)) {
          if (from_lb) leg.skip_to_filters = true;
          else leg.skip_from_filters = true;
        }
        if (health_check) return TrafficClass::kHealthCheck;
        cls = TrafficClass::kListener;
      }
    }
  }
  return cls;
}

void ReplayEngine::make_direct_route(Route& route) const {
  const net::FiveTuple& t = route.header;
  Step& step = route.step[0];
  step.leg.from = endpoint_at(s_, net::IpAddress{t.family, t.src});
  step.leg.to = endpoint_at(s_, net::IpAddress{t.family, t.dst});
  step.tuple = t;
  route.cls = direct_class(t, step.leg);
  route.direct = true;
  route.steps = 1;
}

ReplayEngine::Route ReplayEngine::make_route(const net::FiveTuple& t) const {
  Route route;
  route.header = t;
  if (options_.mode != ReplayMode::kThroughLb || !net::is_tcp_or_udp(t.proto)) {
    make_direct_route(route);
    return route;
  }
  const auto target_for = [&](const Listener& listener) -> const Target* {
    if (listener.target_group == kNone) return nullptr;
    const TargetGroup& group = s_.target_groups[listener.target_group];
    if (group.targets.empty()) return nullptr;
    return &group.targets[choose_target(t, group.targets.size())];
  };
  // The backend step, or nothing when the listener has no target. As explain does, a proxy
  // connects from an ephemeral port the flow hash picks; that connection is tagged as the LB's
  // own (engine/sim/packet.h), with a tag both directions of the captured flow share.
  const auto backend_for = [&](InterfaceIndex node, const Listener& listener, const net::IpAddress& client,
                               std::uint16_t client_port, bool reply) -> std::optional<Step> {
    const Target* target = target_for(listener);
    if (target == nullptr) return std::nullopt;
    const TargetGroupIndex tg = listener.target_group;
    const bool keeps_client = preserves_client_ip(s_, s_.interfaces[node].lb, tg);
    const auto sport = static_cast<std::uint16_t>(kEphemeralFirst + choose_target(t, kEphemeralCount));
    auto leg = backend_leg(s_, node, tg, *target, &listener, client, keeps_client ? client_port : sport,
                           target_port(s_, &listener, tg, *target), t.proto);
    if (!leg) return std::nullopt;
    Step step{.tuple = leg->tuple, .leg = leg->leg, .reply = reply};
    if (reply) {
      step.tuple = reversed(step.tuple);
      step.leg = reversed(step.leg);
    }
    if (!keeps_client) step.lb_connection = pcap::symmetric_hash(flow_of(t)) | 1;
    return step;
  };
  route.cls = TrafficClass::kListener;
  // To a listener: the client leg, then the backend leg.
  if (auto it = listeners_.find(AddrKey{t.dst, t.dport, t.proto, t.family}); it != listeners_.end()) {
    const ListenerAt at = it->second;
    const net::IpAddress client{t.family, t.src};
    if (auto cl = client_leg(s_, at.node, *at.listener, client, t.sport, t.proto)) {
      route.step[route.steps++] = Step{.tuple = cl->tuple, .leg = cl->leg, .reply = false};
      if (auto bl = backend_for(at.node, *at.listener, client, t.sport, false)) route.step[route.steps++] = *bl;
      return route;
    }
  } else if (auto from = listeners_.find(AddrKey{t.src, t.sport, t.proto, t.family}); from != listeners_.end()) {
    // From a listener to its client: the backend reply, then node -> client. A node's own
    // traffic to another node is judged directly.
    const ListenerAt at = from->second;
    const net::IpAddress client{t.family, t.dst};
    if (!node_addresses_.contains(AddrKey{t.dst, 0, 0, t.family})) {
      if (auto cl = client_leg(s_, at.node, *at.listener, client, t.dport, t.proto)) {
        if (auto bl = backend_for(at.node, *at.listener, client, t.dport, true)) route.step[route.steps++] = *bl;
        route.step[route.steps++] = Step{.tuple = reversed(cl->tuple), .leg = reversed(cl->leg), .reply = true};
        return route;
      }
    }
  }
  make_direct_route(route);
  return route;
}

void ReplayEngine::plan_route(Route& route) {
  Judge judge(s_, policies(), conntrack_);
  for (std::size_t i = 0; i < route.steps; ++i) route.step[i].plan = judge.plan(route.step[i].leg, route.step[i].tuple);
  route.epoch = static_cast<std::uint32_t>(epoch_);
}

void ReplayEngine::renew_known_token() noexcept {
  token_generation_ = conntrack_.generation();
  token_epoch_ = epoch_;
  if (++known_token_ == 0) {
    // Wrapped: a slot still holding an old token must not pass for the new one.
    for (RouteSlot& slot : route_slots_) slot.known_in = 0;
    known_token_ = 1;
  }
}

void ReplayEngine::set_known(RouteSlot& slot, const Route& route, bool ok) noexcept {
  slot.known_in = 0;
  const net::FiveTuple& h = route.header;
  if (!ok || net::is_icmp(h.proto)) return;
  std::uint8_t hooks = 0;
  std::uint8_t src_is_b = 0;
  for (std::size_t i = 0; i < route.steps; ++i) {
    for (const HookPlan& hook : route.step[i].plan) {
      if (!hook.stateful) continue;
      if (hook.conntrack_known_in != conntrack_.generation() || hooks == kMaxKnown) return;
      if (route.step[i].src_is_b) src_is_b |= static_cast<std::uint8_t>(1u << hooks);
      slot.known_slot[hooks++] = hook.conntrack_slot;
    }
  }
  slot.known_hooks = hooks & 7u;
  slot.known_src_is_b = src_is_b & 15u;
  slot.known_in = known_token();
}

bool ReplayEngine::pass_known(const RouteSlot& slot, std::int64_t ts_ns, std::uint16_t tcp_flags, bool df,
                              std::uint32_t ip_length) noexcept {
  // The token first: renewing it may clear every slot's known_in (renew_known_token()).
  const std::uint16_t token = known_token();
  if (slot.known_in != token || (df && ip_length > slot.min_mtu)) return false;
  return conntrack_.refresh_known(std::span(slot.known_slot.data(), slot.known_hooks), slot.known_src_is_b, ts_ns,
                                  tcp_flags);
}

std::uint64_t ReplayEngine::route_hash(const net::FiveTuple& h) noexcept {
  return net::hash_words(kRouteSeed, h.src.hi, h.src.lo, h.dst.hi, h.dst.lo,
                         (std::uint64_t{h.sport} << 32) | (std::uint64_t{h.dport} << 16) |
                             (std::uint64_t{h.proto} << 8) | static_cast<std::uint64_t>(h.family));
}

std::size_t ReplayEngine::route_slot(const net::FiveTuple& h, std::uint64_t hash) const noexcept {
  const std::size_t mask = route_slots_.size() - 1;
  std::size_t i = hash & mask;
  while (route_slots_[i].route != 0 && !route_slots_[i].holds(h)) i = (i + 1) & mask;
  return i;
}

std::size_t ReplayEngine::route_for(const net::FiveTuple& h, std::uint64_t hash) {
  std::size_t i = route_slot(h, hash);
  if (route_slots_[i].route != 0) {
    Route& route = routes_[route_slots_[i].route - 1];
    if (route.epoch != epoch_) plan_route(route);
    return i;
  }
  if (routes_.size() == kMaxRoutes) {
    // A cache: starting over costs recomputation, never a different answer.
    routes_.clear();
    std::fill(route_slots_.begin(), route_slots_.end(), RouteSlot{});
    i = route_slot(h, hash);
  } else if ((routes_.size() + 1) * 2 > route_slots_.size()) {
    std::vector<RouteSlot> old(route_slots_.size() * 2);
    old.swap(route_slots_);
    for (const RouteSlot& slot : old) {
      if (slot.route == 0) continue;
      const net::FiveTuple& header = routes_[slot.route - 1].header;
      route_slots_[route_slot(header, route_hash(header))] = slot;
    }
    i = route_slot(h, hash);
  }
  Route& route = routes_.push_back(make_route(h));
  std::uint32_t min_mtu = std::numeric_limits<std::uint16_t>::max();
  for (std::size_t k = 0; k < route.steps; ++k) {
    Step& step = route.step[k];
    step.mtu = next_mtu(step.leg);
    min_mtu = std::min(min_mtu, step.mtu);
    Packet p;
    p.tuple = step.tuple;
    step.src_is_b = ConntrackTable::src_is_b(p);
  }
  plan_route(route);
  RouteSlot& slot = route_slots_[i];
  slot = RouteSlot{};
  slot.src = h.src;
  slot.dst = h.dst;
  slot.sport = h.sport;
  slot.dport = h.dport;
  slot.proto = h.proto;
  slot.family = h.family;
  slot.cls = route.cls;
  slot.route = static_cast<std::uint32_t>(routes_.size());
  slot.min_mtu = static_cast<std::uint16_t>(min_mtu);
  return i;
}

bool ReplayEngine::process(const pcap::DecodedPacket& d) {
  ++report_.packets_read;
  if (d.malformed != pcap::Malformed::kNone) {
    ++report_.packets_malformed;
    MalformedCount& m = malformed_[static_cast<std::size_t>(d.malformed)];
    if (m.count++ < kMalformedSamples) m.first.push_back(d.index);
    return false;
  }
  if (!d.has_ip) {
    ++report_.packets_non_ip;
    return false;
  }
  ++report_.packets_evaluated;
  const bool df = d.dont_fragment || d.family == net::Family::kIpv6;
  // The route's fast path first, before anything else is made for the packet (ICMP routes have
  // none: set_known()).
  if (!net::is_icmp(d.proto)) {
    const net::FiveTuple header = tuple_of(d);
    const RouteSlot& slot = route_slots_[route_slot(header, route_hash(header))];
    if (slot.route != 0 && pass_known(slot, d.ts_ns, d.has_tcp_flags ? d.tcp_flags : 0, df, d.ip_length)) {
      count(slot.cls, true);
      return false;
    }
  }
  return judge_captured(d, df);
}

bool ReplayEngine::judge_captured(const pcap::DecodedPacket& d, bool df) {
  current_dropped_ = false;
  Packet p = to_packet(d);
  // Through the LB, an ICMP error to a node's public address reaches its private one (the
  // translation the client leg makes), quoting the translated flow.
  if (options_.mode == ReplayMode::kThroughLb && p.is_icmp_error) {
    if (auto it = node_addresses_.find(AddrKey{p.tuple.dst, 0, 0, p.tuple.family}); it != node_addresses_.end()) {
      const Interface& n = s_.interfaces[it->second];
      if (n.public_ip && n.public_ip->bits == p.tuple.dst && n.public_ip->family == p.tuple.family)
        if (auto priv = private_address(n, p.tuple.family)) {
          if (p.quoted.src == p.tuple.dst) p.quoted.src = priv->bits;
          p.tuple.dst = priv->bits;
        }
    }
  }
  RouteSlot& slot = route_slots_[route_for(p.tuple, route_hash(p.tuple))];  // (judging makes no route: it stays put)
  Route& route = routes_[slot.route - 1];
  // The flow, for the drop reports; made here, past the fast path, rather than for every packet.
  const pcap::FlowKey flow = *pcap::flow_key(d);  // every IP packet has one
  // A direct packet is a reply when it is a SYN-ACK (for the fix a drop report suggests).
  const bool syn_ack =
      p.tuple.proto == net::kProtoTcp && (p.tcp_flags & (kTcpSyn | kTcpAck)) == (kTcpSyn | kTcpAck);
  bool ok = true;
  for (std::size_t i = 0; i < route.steps && ok; ++i) {
    Step& step = route.step[i];
    p.tuple = step.tuple;  // the header on this leg
    p.lb_connection = step.lb_connection;
    ok = judge_leg(step, p, route.cls, flow, route.direct ? syn_ack : step.reply, &d, d.ip_length, df);
  }
  set_known(slot, route, ok);
  count(route.cls, ok);
  return current_dropped_;
}

void ReplayEngine::judge_batch(std::span<const pcap::DecodedPacket> decoded, std::span<const std::int64_t> upto_ns,
                               std::span<const std::uint32_t> engine, std::uint32_t me, std::span<std::uint8_t> dropped) {
  if (decoded.empty()) return;
  advance(upto_ns.front());  // in the first batch, the first time read: it starts the trace
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

ReplayReport ReplayEngine::finish(bool truncated_tail_warning, const std::string& truncated_file) {
  for (const MalformedCount& m : malformed_)
    if (m.count > 0) report_.malformed.push_back(m);
  std::sort(report_.malformed.begin(), report_.malformed.end(),
            [](const MalformedCount& a, const MalformedCount& b) { return a.kind < b.kind; });
  for (std::size_t i = 0; i < groups_.size(); ++i) {
    groups_[i].flows = group_flows_[i].size();
    report_.drops.push_back(std::move(groups_[i]));
  }
  std::sort(report_.drops.begin(), report_.drops.end(), [](const DropGroup& a, const DropGroup& b) {
    return std::tie(a.cls, a.hook, a.rule.id) < std::tie(b.cls, b.hook, b.rule.id);
  });
  // Targets, in scenario order: unhealthy when the last check of some node failed.
  for (TargetGroupIndex tg = 0; tg < s_.target_groups.size(); ++tg) {
    for (std::size_t t = 0; t < s_.target_groups[tg].targets.size(); ++t) {
      ReplayTarget out{s_.target_groups[tg].id, s_.interfaces[s_.target_groups[tg].targets[t].interface].id, "unused", ""};
      bool checked = false;
      bool ran = false;
      for (const HealthSeries& series : series_) {
        if (series.tg != tg || series.target != t) continue;
        checked = true;
        if (!series.mine || !series.ran) continue;
        ran = true;
        if (!series.last_ok && (out.health != "unhealthy" || series.last_reason < out.reason)) {
          out.health = "unhealthy";
          out.reason = series.last_reason;
        }
      }
      if (out.health != "unhealthy") out.health = !checked ? "unused" : (ran ? "healthy" : "unknown");
      report_.targets.push_back(std::move(out));
    }
  }
  std::vector<std::string>& w = report_.warnings;
  for (const auto& [key, hole] : holes_) {
    std::string text = "PMTU black hole: " + hole.flow + (hole.community_id.empty() ? "" : " " + hole.community_id) +
                       ": " + std::to_string(hole.errors) + " ICMP error" + (hole.errors == 1 ? "" : "s") +
                       " dropped at " + hole.hook;
    if (hole.first_packet != 0) text += ", first #" + std::to_string(hole.first_packet);
    w.push_back(std::move(text));
  }
  if (truncated_tail_warning) w.push_back(truncated_file + ": the capture ends inside a record (every record before it was replayed)");
  std::sort(w.begin(), w.end());
  w.erase(std::unique(w.begin(), w.end()), w.end());
  return std::move(report_);
}

}  // namespace internal
}  // namespace pfsim::engine
