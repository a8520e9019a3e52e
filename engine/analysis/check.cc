// engine/analysis/check.cc — see check.h.
#include "engine/analysis/check.h"

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <tuple>

#include "engine/sim/judge.h"
#include "net/format.h"

namespace pfsim::engine {
namespace {

// Where the ELB range (1024-65535) and the common Linux (32768) and Windows (49152) ephemeral
// ranges start and end (VPC guide, "Ephemeral ports").
constexpr std::array<std::uint16_t, 4> kEphemeralSamples{1024, 32768, 49152, 65535};

// What one exchange (a packet and its reply) is, for findings.
struct Exchange {
  TrafficClass cls = TrafficClass::kListener;
  std::string path;  // without the sampled ephemeral port
  std::string see;
  bool forward_ephemeral_sport = false;  // the forward packet's source port is a sample
};

std::string location_text(const Location& where) { return format_location(where); }

class Checker {
 public:
  Checker(const Scenario& s, const PolicySet& p) : scenario_(s), conntrack_(s.conntrack), judge_(s, p, conntrack_) {}

  CheckReport run();

 private:
  void check_listener(LbIndex lb, InterfaceIndex node, const Listener& listener);
  void check_backend(LbIndex lb, InterfaceIndex node, const Listener& listener, const net::IpAddress& client,
                     std::uint16_t client_port, std::uint8_t proto);
  void check_health(InterfaceIndex node, TargetGroupIndex tg, const Listener& listener);
  void check_pmtu(const Leg& toward_sender, const net::FiveTuple& too_big, const net::IpAddress& router,
                  const Exchange& about, bool real);

  // A packet and its reply; returns whether both passed (findings recorded for the first drop).
  bool exchange(const Leg& leg, const net::FiveTuple& tuple, const Exchange& x, bool warn_wide = false);
  bool pass(const Leg& leg, const Packet& p, const Exchange& x, bool reply, bool warn_wide);
  void record(Severity severity, const Exchange& x, const HookVerdict& hv, const Packet& p, bool reply,
              std::string message, const std::optional<Fix>& fix);
  std::string reason(const HookVerdict& hv) const;
  void mark_unhealthy(TargetGroupIndex tg, InterfaceIndex target, std::string reason);

  const Scenario& scenario_;
  ConntrackTable conntrack_;
  Judge judge_;
  CheckReport report_;
  // Grouping: (severity, hook, rule id, fix) -> index in report_.findings, plus the sampled
  // ports that failed.
  std::map<std::tuple<int, std::string, std::string, std::string>, std::size_t> seen_;
  std::string last_drop_hook_;  // of the last finding recorded
  std::vector<std::vector<std::uint16_t>> failed_ports_;
  std::map<std::pair<TargetGroupIndex, InterfaceIndex>, std::size_t> health_index_;
  std::int64_t clock_ns_ = 0;
};

CheckReport Checker::run() {
  for (LbIndex lb = 0; lb < scenario_.load_balancers.size(); ++lb) {
    const LoadBalancer& l = scenario_.load_balancers[lb];
    for (InterfaceIndex node : l.nodes) {
      for (const Listener& listener : l.listeners) check_listener(lb, node, listener);
      // Health checks: once per target group this LB serves ("from every node to every target").
      std::vector<TargetGroupIndex> done;
      for (const Listener& listener : l.listeners) {
        if (listener.target_group == kNone || std::find(done.begin(), done.end(), listener.target_group) != done.end())
          continue;
        done.push_back(listener.target_group);
        check_health(node, listener.target_group, listener);
      }
    }
  }
  // Targets of groups no listener uses are "unused" (ELB: a target group must be registered
  // with a load balancer for its targets to be checked).
  for (TargetGroupIndex tg = 0; tg < scenario_.target_groups.size(); ++tg)
    for (const Target& t : scenario_.target_groups[tg].targets)
      if (!health_index_.contains({tg, t.interface}))
        report_.targets.push_back(
            {scenario_.target_groups[tg].id, scenario_.interfaces[t.interface].id, Health::kUnused, "unused"});

  for (std::size_t i = 0; i < report_.findings.size(); ++i) {
    std::vector<std::uint16_t>& ports = failed_ports_[i];
    if (ports.empty() || ports.size() == kEphemeralSamples.size()) continue;
    std::sort(ports.begin(), ports.end());
    std::string list;
    for (std::uint16_t port : ports) list += (list.empty() ? "" : ", ") + std::to_string(port);
    report_.findings[i].message += " (of the sampled ephemeral ports, " + list + " fail)";
  }
  for (const Finding& f : report_.findings) (f.severity == Severity::kError ? report_.errors : report_.warnings)++;
  return std::move(report_);
}

void Checker::check_listener(LbIndex lb, InterfaceIndex node, const Listener& listener) {
  const LoadBalancer& l = scenario_.load_balancers[lb];
  const NetworkInterface& n = scenario_.interfaces[node];
  std::vector<std::uint8_t> protos;
  if (uses_tcp(listener.protocol)) protos.push_back(net::kProtoTcp);
  if (uses_udp(listener.protocol)) protos.push_back(net::kProtoUdp);
  for (const net::IpRange& range : l.clients) {
    const net::IpAddress client = representative(range);
    if (!private_address(n, client.family)) continue;  // the node does not serve this family
    for (std::uint8_t proto : protos) {
      for (std::uint16_t port : kEphemeralSamples) {
        auto leg = client_leg(scenario_, node, listener, client, port, proto);
        if (!leg) continue;
        Exchange x;
        x.cls = TrafficClass::kListener;
        x.path = "client " + net::format_address(client.family, client.bits) + " -> " +
                 interface_name(scenario_, node) + " " +
                 net::format_endpoint(client.family, leg->tuple.dst, listener.port) + "/" + net::protocol_name(proto);
        x.see = location_text(listener.where) + " (listener " + std::to_string(listener.port) + " of " + l.id + ")";
        x.forward_ephemeral_sport = true;
        if (!exchange(leg->leg, leg->tuple, x)) continue;
        // Responses to internet clients cross a smaller MTU (scenario `mtu`): the router's error
        // comes back to the node from outside.
        const bool real = path_mtu_bytes(scenario_, reversed(leg->leg), reversed(leg->tuple)) < scenario_.mtu.vpc_bytes;
        check_pmtu(leg->leg, reversed(leg->tuple), client, x, real);
        if (listener.target_group != kNone) check_backend(lb, node, listener, client, port, proto);
      }
    }
  }
}

void Checker::check_backend(LbIndex lb, InterfaceIndex node, const Listener& listener, const net::IpAddress& client,
                            std::uint16_t client_port, std::uint8_t proto) {
  const TargetGroupIndex tg = listener.target_group;
  const TargetGroup& group = scenario_.target_groups[tg];
  const bool pass_through = preserves_client_ip(scenario_, lb, tg);
  for (const Target& target : group.targets) {
    const std::uint16_t dport = target_port(scenario_, &listener, tg, target);
    // A proxy opens its own connection from an ephemeral port (ELB: 1024-65535); a pass-through
    // NLB keeps the client's.
    auto leg = backend_leg(scenario_, node, tg, target, &listener, client, client_port, dport, proto);
    if (!leg) continue;
    const net::Family f = leg->tuple.family;
    Exchange x;
    x.cls = TrafficClass::kListener;
    x.path = interface_name(scenario_, node) + " -> " + scenario_.interfaces[target.interface].id + " " +
             net::format_endpoint(f, leg->tuple.dst, dport) + "/" + net::protocol_name(proto) +
             (pass_through && leg->tuple.src == client.bits ? " (client address preserved)" : "");
    x.see =
        location_text(target.where) + " (target " + scenario_.interfaces[target.interface].id + " of " + group.id + ")";
    x.forward_ephemeral_sport = true;
    if (!exchange(leg->leg, leg->tuple, x, /*warn_wide=*/!pass_through)) continue;
    // PMTU on the backend leg: to the target about its responses, and to the sender about its
    // requests. Inside the VPC the MTU does not shrink; responses the target sends straight to
    // an internet client (pass-through) do cross the smaller internet MTU.
    const bool to_internet =
        leg->tuple.src == client.bits &&
        path_mtu_bytes(scenario_, reversed(leg->leg), reversed(leg->tuple)) < scenario_.mtu.vpc_bytes;
    const net::IpAddress sender_address{f, leg->tuple.src};
    const net::IpAddress target_address{f, leg->tuple.dst};
    check_pmtu(leg->leg, reversed(leg->tuple), sender_address, x, to_internet);
    if (leg->tuple.src != client.bits) check_pmtu(reversed(leg->leg), leg->tuple, target_address, x, false);
  }
}

void Checker::check_health(InterfaceIndex node, TargetGroupIndex tg, const Listener& listener) {
  const TargetGroup& group = scenario_.target_groups[tg];
  const HealthCheck& hc = group.health_check;
  for (const Target& target : group.targets) {
    health_index_.try_emplace({tg, target.interface}, report_.targets.size());
    if (health_index_[{tg, target.interface}] == report_.targets.size())
      report_.targets.push_back({group.id, scenario_.interfaces[target.interface].id, Health::kHealthy, ""});
    const std::uint16_t dport = health_check_port(scenario_, tg, target);
    const std::uint8_t proto = hc.protocol == AppProtocol::kUdpConnect ? net::kProtoUdp : net::kProtoTcp;
    for (std::uint16_t port : kEphemeralSamples) {
      auto leg = backend_leg(scenario_, node, tg, target, &listener, std::nullopt, port, dport, proto);
      if (!leg) continue;
      const net::Family f = leg->tuple.family;
      Exchange x;
      x.cls = TrafficClass::kHealthCheck;
      x.path = "health check " + interface_name(scenario_, node) + " -> " + scenario_.interfaces[target.interface].id +
               " " + net::format_endpoint(f, leg->tuple.dst, dport) + "/" + net::protocol_name(proto);
      x.see = location_text(hc.where) + " (target group " + group.id + ", health check)";
      x.forward_ephemeral_sport = true;
      bool ok = exchange(leg->leg, leg->tuple, x, /*warn_wide=*/true);
      // UDP health checks need ICMP (lb_paths.h, health_check_echo).
      if (ok && hc.protocol == AppProtocol::kUdpConnect) {
        const net::FiveTuple echo = health_check_echo(leg->tuple);
        Exchange ping = x;
        ping.path =
            "health check ICMP " + interface_name(scenario_, node) + " -> " + scenario_.interfaces[target.interface].id;
        ping.forward_ephemeral_sport = false;
        ok = exchange(leg->leg, echo, ping);
      }
      if (!ok)
        mark_unhealthy(tg, target.interface,
                       "health checks from " + interface_name(scenario_, node) + " dropped at " + last_drop_hook_);
    }
  }
}

void Checker::mark_unhealthy(TargetGroupIndex tg, InterfaceIndex target, std::string reason) {
  TargetHealth& h = report_.targets[health_index_.at({tg, target})];
  if (h.health == Health::kUnhealthy) return;
  h.health = Health::kUnhealthy;
  h.reason = std::move(reason);
}

void Checker::check_pmtu(const Leg& toward_sender, const net::FiveTuple& too_big, const net::IpAddress& router,
                         const Exchange& about, bool real) {
  // The router at the MTU change sits between the subnets: its error enters the sender's subnet
  // (nacl-in) and reaches the sender (sg-ingress); no hook of the far side applies.
  Leg leg;
  leg.from = Endpoint{kNone, kNone};
  leg.to = toward_sender.to;
  leg.skip_to_filters = toward_sender.skip_to_filters;
  leg.skip_to_acl = toward_sender.skip_to_acl;
  const Packet error = pmtu_error(too_big, router, clock_ns_);
  const bool v4 = too_big.family == net::Family::kIpv4;
  Exchange x;
  x.cls = TrafficClass::kPmtu;
  x.path = std::string(v4 ? "ICMP \"fragmentation needed\"" : "ICMPv6 \"packet too big\"") + " to " +
           (leg.to.interface != kNone ? interface_name(scenario_, leg.to.interface) : std::string("?")) + " about " +
           about.path.substr(0, about.path.find(" ("));
  x.see = about.see;
  ++report_.packets_judged;
  LegVerdict v = judge_.judge(leg, error, /*record_hops=*/true);
  if (!v.allowed) {
    const HookVerdict& hv = *v.deciding;
    std::string message =
        net::format_five_tuple(error.tuple) + " is dropped at " + hook_name(scenario_, hv.hook) + ": " + reason(hv);
    if (!real)
      message += "; no router sends it while the VPC MTU (" + std::to_string(scenario_.mtu.vpc_bytes) +
                 ") does not shrink on this path, but any smaller MTU would black-hole large packets";
    record(real ? Severity::kError : Severity::kWarning, x, hv, error, false, std::move(message),
           fix_for(scenario_, hv, error, TrafficClass::kPmtu, false));
    return;
  }
  for (const HookVerdict& hv : v.hops) {
    if (hv.how != DecidedBy::kRelated) continue;
    std::string message = net::format_five_tuple(error.tuple) + " passes " + hook_name(scenario_, hv.hook) +
                          " only as related traffic of a tracked flow; the ELB guides recommend an explicit "
                          "inbound ICMP rule for Path MTU Discovery";
    // Only worth a warning where the error is really sent.
    if (real)
      record(Severity::kWarning, x, hv, error, false, std::move(message),
             fix_for(scenario_, hv, error, TrafficClass::kPmtu, false));
  }
}

bool Checker::exchange(const Leg& leg, const net::FiveTuple& tuple, const Exchange& x, bool warn_wide) {
  ++clock_ns_;
  const bool tcp = tuple.proto == net::kProtoTcp;
  if (!pass(leg, make_packet(tuple, clock_ns_, tcp ? kTcpSyn : 0), x, false, warn_wide)) return false;
  return pass(reversed(leg), make_packet(reversed(tuple), clock_ns_, tcp ? kTcpSyn | kTcpAck : 0), x, true, false);
}

bool Checker::pass(const Leg& leg, const Packet& p, const Exchange& x, bool reply, bool warn_wide) {
  ++report_.packets_judged;
  // The wide-rule warning reads the hop that allowed the packet, so only it records the hops.
  LegVerdict v = judge_.judge(leg, p, /*record_hops=*/warn_wide);
  if (!v.allowed) {
    const HookVerdict& hv = *v.deciding;
    std::string message = (reply ? "the reply " : "") + net::format_five_tuple(p.tuple) + " is dropped at " +
                          hook_name(scenario_, hv.hook) + ": " + reason(hv);
    record(Severity::kError, x, hv, p, reply, std::move(message), fix_for(scenario_, hv, p, x.cls, reply));
    return false;
  }
  if (warn_wide && !v.hops.empty()) {
    const HookVerdict& last = v.hops.back();
    if (last.hook.kind == HookKind::kSgIngress && last.how == DecidedBy::kRule &&
        last.policy->policy.rule_from_anywhere[last.rule]) {
      // Only where the guides recommend a narrower source than the rule's own group.
      const Fix fix = fix_wide_rule(scenario_, last, p);
      if (fix.peer == fix.owner) return true;
      std::string message = net::format_five_tuple(p.tuple) + " is allowed at " + hook_name(scenario_, last.hook) +
                            " from " + anywhere_cidr(p.tuple.family) +
                            ", wider than the source the ELB guides recommend";
      record(Severity::kWarning, x, last, p, false, std::move(message), fix);
    }
  }
  return true;
}

std::string Checker::reason(const HookVerdict& hv) const {
  const Policy& policy = hv.policy->policy;
  if (hv.how == DecidedBy::kDefault) return policy.default_text;
  const RuleOrigin& o = policy.origins[policy.rules.rules[hv.rule].id];
  return o.owner + " " + o.label + " " + (o.action == RuleAction::kDeny ? "denies" : "allows") + " it (" + o.text + ")";
}

void Checker::record(Severity severity, const Exchange& x, const HookVerdict& hv, const Packet& p, bool reply,
                     std::string message, const std::optional<Fix>& fix) {
  std::string path = reply ? "reply of " + x.path : x.path;
  const std::string hook = hook_name(scenario_, hv.hook);
  last_drop_hook_ = hook;
  DecidingRule rule = deciding_rule(hv);
  std::string fix_words = fix ? fix_text(*fix) : "";
  // One finding per problem: the same hook, deciding rule and fix on many paths is one missing
  // (or wrong) rule.
  auto key = std::make_tuple(static_cast<int>(severity), hook, rule.id, fix_words);
  auto [it, inserted] = seen_.try_emplace(key, report_.findings.size());
  if (inserted) {
    Finding f;
    f.severity = severity;
    f.cls = x.cls;
    f.path = path;
    f.hook = hook;
    f.rule = std::move(rule);
    f.message = std::move(message);
    f.fix = std::move(fix_words);
    f.see = x.see;
    report_.findings.push_back(std::move(f));
    failed_ports_.emplace_back();
  }
  std::vector<std::string>& paths = report_.findings[it->second].paths;
  if (std::find(paths.begin(), paths.end(), path) == paths.end()) paths.push_back(std::move(path));
  const std::uint16_t sampled = reply ? p.tuple.dport : p.tuple.sport;
  const bool ephemeral = x.forward_ephemeral_sport && !p.is_icmp_error;
  auto& ports = failed_ports_[it->second];
  if (ephemeral && std::find(ports.begin(), ports.end(), sampled) == ports.end()) ports.push_back(sampled);
}

}  // namespace

std::string_view severity_name(Severity s) noexcept { return s == Severity::kError ? "error" : "warning"; }

net::Result<CheckReport> run_check(const Scenario& scenario, const CheckOptions& options) {
  CompileOptions compile;
  compile.algorithm = options.algorithm;
  auto policies = compile_policies(scenario, compile, 0);
  if (!policies) return policies.error();
  return Checker(scenario, *policies).run();
}

}  // namespace pfsim::engine
