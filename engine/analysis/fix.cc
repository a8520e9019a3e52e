// engine/analysis/fix.cc — see fix.h.
#include "engine/analysis/fix.h"

#include <algorithm>
#include <optional>
#include <vector>

#include "engine/paths/lb_paths.h"
#include "net/address.h"
#include "net/format.h"
#include "net/protocols.h"

namespace pfsim::engine {
namespace {

// The first port of the ELB ephemeral range and of the clients' range the VPC guide advises
// opening ("Ephemeral ports": "you can open ephemeral ports 1024-65535").
constexpr std::uint16_t kEphemeralLo = 1024;
constexpr std::uint16_t kEphemeralHi = 65535;

// The first of `ranges` in family `f`, as a rule writes it.
std::optional<std::string> first_cidr(const std::vector<net::IpRange>& ranges, net::Family f) {
  for (const net::IpRange& r : ranges)
    if (r.family == f) return net::format_range(r.family, r.range);
  return std::nullopt;
}

std::string vpc_cidr(const Scenario& s, net::Family f) { return first_cidr(s.vpc_cidrs, f).value_or(anywhere_cidr(f)); }

// What the scenario says about the path of a request.
struct PathFacts {
  LbIndex lb = kNone;               // an LB path of this LB
  TargetGroupIndex tg = kNone;      // a backend leg or health check of this target group
  std::uint16_t listener_port = 0;  // a client leg to this listener
};

PathFacts path_facts(const Scenario& s, const net::FiveTuple& request) {
  const net::IpAddress src{request.family, request.src};
  const net::IpAddress dst{request.family, request.dst};
  if (const InterfaceIndex node = lb_node_at(s, dst); node != kNone)
    return {s.interfaces[node].lb, kNone, request.dport};
  const InterfaceIndex from_node = lb_node_at(s, src);
  const bool pool = from_node == kNone && in_huawei_shared_pool(src);
  const InterfaceIndex target = interface_at(s, dst);
  const bool echo = net::is_icmp(request.proto);
  for (LbIndex lb = 0; lb < s.load_balancers.size() && target != kNone; ++lb) {
    if (from_node != kNone && s.interfaces[from_node].lb != lb) continue;
    if (pool && s.load_balancers[lb].type != LbType::kHuaweiShared) continue;
    for (const Listener& listener : s.load_balancers[lb].listeners) {
      const TargetGroupIndex tg = listener.target_group;
      if (tg == kNone) continue;
      const TargetGroup& group = s.target_groups[tg];
      for (const Target& t : group.targets) {
        if (t.interface != target) continue;
        const bool traffic = !echo && target_port(s, &listener, tg, t) == request.dport;
        if (from_node != kNone || pool) {
          // UDP health checks need ICMP (lb_paths.h, health_check_echo).
          const bool check = echo ? group.health_check.protocol == AppProtocol::kUdpConnect
                                  : health_check_port(s, tg, t) == request.dport;
          if (check || traffic) return {lb, tg, 0};
        } else if (traffic && preserves_client_ip(s, lb, tg)) {
          return {lb, tg, 0};  // a client's packet an NLB passes through with its address
        }
      }
    }
  }
  return {from_node != kNone ? s.interfaces[from_node].lb : kNone, kNone, 0};
}

// How a fix names one end of a packet: as a security-group peer and as an ACL CIDR.
struct PeerNames {
  std::string sg;
  std::string cidr;
};

PeerNames node_peer(const Scenario& s, InterfaceIndex node, net::Family f) {
  const LoadBalancer& l = s.load_balancers[s.interfaces[node].lb];
  const auto subnet_cidr = [&](SubnetIndex subnet) -> std::optional<std::string> {
    return subnet == kNone ? std::nullopt : first_cidr(s.subnets[subnet].cidrs, f);
  };
  // Huawei ELB guide, "Configuring Security Group Rules for Backend Servers": shared load
  // balancers reach backends from 100.125.0.0/16, dedicated ones from their backend subnet.
  if (l.type == LbType::kHuaweiShared) return {std::string(kHuaweiSharedPool), std::string(kHuaweiSharedPool)};
  if (l.type == LbType::kHuaweiDedicated)
    if (auto cidr = subnet_cidr(l.backend_subnet)) return {*cidr, *cidr};
  // E2E rules name networks (first IP and size), never groups: the LB's network.
  if (l.type == LbType::kE2e)
    if (auto cidr = subnet_cidr(s.interfaces[node].subnet)) return {*cidr, vpc_cidr(s, f)};
  // ELB Classic guide, EC2-Classic: instances authorize the source group amazon-elb/amazon-elb-sg.
  if (s.ec2_classic && l.type == LbType::kClassic && l.groups.empty())
    return {"amazon-elb/amazon-elb-sg", vpc_cidr(s, f)};
  // ELB guides: the instance group allows "the security group of the load balancer"; NLB guide,
  // "Target security groups": without one, health checks and proxied traffic from the "VPC
  // CIDR". ACLs: the VPC CIDR.
  const std::string peer = !l.groups.empty() ? s.groups[l.groups.front()].id : vpc_cidr(s, f);
  return {peer, vpc_cidr(s, f)};
}

std::string host_cidr(const net::IpAddress& a) {
  return net::format_address(a.family, a.bits) + (a.family == net::Family::kIpv4 ? "/32" : "/128");
}

PeerNames name_peer(const Scenario& s, const PathFacts& facts, const net::IpAddress& a) {
  const net::Family f = a.family;
  if (const InterfaceIndex node = lb_node_at(s, a); node != kNone) return node_peer(s, node, f);
  if (facts.lb != kNone && s.load_balancers[facts.lb].type == LbType::kHuaweiShared && in_huawei_shared_pool(a))
    return {std::string(kHuaweiSharedPool), std::string(kHuaweiSharedPool)};
  if (const InterfaceIndex i = interface_at(s, a); i != kNone) {
    const NetworkInterface& iface = s.interfaces[i];
    if (!iface.groups.empty() && s.provider != Provider::kE2e)
      return {s.groups[iface.groups.front()].id, vpc_cidr(s, f)};
    return {host_cidr(a), vpc_cidr(s, f)};
  }
  // A client of an LB path. ELB guides: LB inbound on the listener "from 0.0.0.0/0
  // (internet-facing) or the VPC CIDR (internal)"; with NLB client IP preservation the targets
  // allow the same clients.
  if (facts.lb != kNone) {
    const std::string peer = s.load_balancers[facts.lb].internet_facing ? anywhere_cidr(f) : vpc_cidr(s, f);
    return {peer, peer};
  }
  if (subnet_of(s, a) != kNone) return {host_cidr(a), vpc_cidr(s, f)};
  return {anywhere_cidr(f), anywhere_cidr(f)};
}

// Why a request of class `cls` on this path needs its rule.
std::pair<FixNote, std::string> purpose(const Scenario& s, const PathFacts& facts, TrafficClass cls, bool icmp) {
  if (cls == TrafficClass::kHealthCheck && facts.tg != kNone)
    return {icmp ? FixNote::kHealthCheckIcmp : FixNote::kHealthCheckPort, s.target_groups[facts.tg].id};
  if (cls == TrafficClass::kListener && facts.tg != kNone) return {FixNote::kTrafficPort, s.target_groups[facts.tg].id};
  if (cls == TrafficClass::kListener && facts.listener_port != 0)
    return {FixNote::kListener, std::to_string(facts.listener_port) + " of " + s.load_balancers[facts.lb].id};
  return {FixNote::kPlain, ""};
}

const RuleOrigin& origin_of(const HookVerdict& hv) {
  const Policy& policy = hv.policy->policy;
  return policy.origins[policy.rules.rules[hv.rule].id];
}

std::string note_text(FixNote note, const std::string& subject) {
  switch (note) {
    case FixNote::kPlain:
      return "";
    case FixNote::kListener:
      return " (listener " + subject + ")";
    case FixNote::kTrafficPort:
      return " (the traffic port of " + subject + ")";
    case FixNote::kHealthCheckPort:
      return " (the health-check port of " + subject + ")";
    case FixNote::kHealthCheckIcmp:
      return " (UDP health checks of " + subject + " need ICMP)";
    case FixNote::kPmtu:
      return " (recommended for Path MTU Discovery)";
    case FixNote::kElbEphemeral:
      return " (the ELB ephemeral range, for replies)";
    case FixNote::kClientEphemeral:
      return " (the clients' ephemeral ports, for replies)";
  }
  return "";
}

}  // namespace

std::string fix_text(const Fix& fix) {
  std::string what = net::protocol_name(fix.proto);
  if (fix.port_lo != 0 || fix.port_hi != 0)
    what += " " + std::to_string(fix.port_lo) + (fix.port_hi != fix.port_lo ? "-" + std::to_string(fix.port_hi) : "");
  if (fix.icmp_type) what += " type " + std::to_string(*fix.icmp_type);
  if (fix.icmp_code) what += " code " + std::to_string(*fix.icmp_code);
  const std::string rule = what + (fix.inbound ? " from " : " to ") + fix.peer + note_text(fix.note, fix.note_subject);
  const std::string add_to = "add to " + fix.owner + (fix.inbound ? " inbound: " : " outbound: ");
  switch (fix.action) {
    case FixAction::kAdd:
      return add_to + (fix.acl ? "allow " : "") + rule;
    case FixAction::kAddBelow:
      return add_to + "a rule numbered below " + std::to_string(fix.rule_number) + " (which denies it): allow " + rule;
    case FixAction::kRemoveOrOverride:
      return "remove " + fix.rule_id + " (" + fix.rule_text + ") or add a higher-priority allow rule: " + rule;
    case FixAction::kRestrict:
      return "restrict " + fix.rule_id + " (" + fix.rule_text + ") to " + rule;
    case FixAction::kDetach:
      return "detach " + fix.owner + " (meant for troubleshooting) and allow " + rule;
  }
  return rule;
}

std::optional<Fix> fix_for(const Scenario& s, const HookVerdict& hv, const Packet& p, TrafficClass cls, bool reply) {
  const Policy& policy = hv.policy->policy;
  if (policy.owners.empty()) return std::nullopt;
  const net::FiveTuple& t = p.tuple;
  const bool hook_inbound = hv.hook.kind == HookKind::kSgIngress || hv.hook.kind == HookKind::kNaclIn;
  Fix fix;
  fix.owner = policy.owners.front();
  fix.acl = hv.hook.kind == HookKind::kNaclIn || hv.hook.kind == HookKind::kNaclOut;
  fix.inbound = hook_inbound;
  fix.proto = t.proto;
  const bool ports = net::is_tcp_or_udp(t.proto);
  const net::IpAddress peer_address{t.family, hook_inbound ? t.src : t.dst};
  const bool stateful_reply = reply && policy.stateful && !p.is_icmp_error;

  if (p.is_icmp_error) {
    // EC2 MTU guide: PMTUD is ICMPv4 type 3 code 4 and ICMPv6 type 2; the router sending it is
    // inside the VPC or anywhere outside.
    fix.icmp_type = static_cast<std::uint8_t>(t.proto == net::kProtoIcmp ? net::kIcmpDestinationUnreachable
                                                                         : net::kIcmpv6PacketTooBig);
    if (t.proto == net::kProtoIcmp) fix.icmp_code = static_cast<std::uint8_t>(net::kIcmpFragmentationNeeded);
    fix.note = FixNote::kPmtu;
    const bool from_vpc = in_vpc(s, peer_address);
    fix.peer = hook_inbound ? (from_vpc ? vpc_cidr(s, t.family) : anywhere_cidr(t.family))
                            : (fix.acl ? name_peer(s, {}, peer_address).cidr : name_peer(s, {}, peer_address).sg);
  } else {
    const PathFacts facts = path_facts(s, reply ? reversed(t) : t);
    const PeerNames peer = name_peer(s, facts, peer_address);
    fix.peer = fix.acl ? peer.cidr : peer.sg;
    auto [note, subject] = purpose(s, facts, cls, net::is_icmp(t.proto));
    if (stateful_reply) {
      // The request's rule, in the other direction: a stateful hook lets the reply of an allowed
      // request through whatever its rules say (fix.h).
      fix.inbound = !hook_inbound;
      if (ports) fix.port_lo = fix.port_hi = t.sport;
      if (net::is_icmp(t.proto) && note != FixNote::kHealthCheckIcmp)
        fix.icmp_type = static_cast<std::uint8_t>(net::icmp_echo_request_type(t.proto));
      fix.note = note;
      fix.note_subject = std::move(subject);
    } else if (reply && ports && t.dport >= kEphemeralLo) {
      fix.port_lo = kEphemeralLo;
      fix.port_hi = kEphemeralHi;
      fix.note = facts.lb != kNone ? FixNote::kElbEphemeral : FixNote::kClientEphemeral;
    } else {
      if (ports) fix.port_lo = fix.port_hi = t.dport;
      if (net::is_icmp(t.proto) && note != FixNote::kHealthCheckIcmp)
        fix.icmp_type = static_cast<std::uint8_t>(t.sport);
      if (!reply) {
        fix.note = note;
        fix.note_subject = std::move(subject);
      }
    }
  }
  // A deny rule decided in this direction: the new allow must come before it. A stateful
  // reply's fix is in the other direction, where no rule of this one is in the way.
  if (hv.how == DecidedBy::kRule && !stateful_reply) {
    const RuleOrigin& o = origin_of(hv);
    if (fix.acl) {
      fix.action = FixAction::kAddBelow;
      fix.rule_number = o.number;
    } else {
      fix.action = FixAction::kRemoveOrOverride;
      fix.rule_id = o.owner + " " + o.label;
      fix.rule_text = o.text;
    }
  }
  return fix;
}

Fix fix_wide_rule(const Scenario& s, const HookVerdict& hv, const Packet& p) {
  const RuleOrigin& o = origin_of(hv);
  const net::FiveTuple& t = p.tuple;
  Fix fix;
  fix.owner = o.owner;
  fix.inbound = true;
  fix.proto = t.proto;
  if (net::is_tcp_or_udp(t.proto)) fix.port_lo = fix.port_hi = t.dport;
  fix.peer = name_peer(s, path_facts(s, t), net::IpAddress{t.family, t.src}).sg;
  // E2E's built-in "Allow All Traffic" group exists for troubleshooting: detach it rather than
  // edit it.
  const bool builtin = std::any_of(s.groups.begin(), s.groups.end(),
                                   [&](const SecurityGroup& g) { return g.id == o.owner && g.allow_all; });
  fix.action = builtin ? FixAction::kDetach : FixAction::kRestrict;
  fix.rule_id = o.owner + " " + o.label;
  fix.rule_text = o.text;
  return fix;
}

bool reply_by_ports(const net::FiveTuple& t) noexcept {
  return (net::is_tcp_or_udp(t.proto)) && t.sport < kEphemeralLo && t.dport >= kEphemeralLo;
}

DecidingRule deciding_rule(const HookVerdict& hv) {
  switch (hv.how) {
    case DecidedBy::kRule: {
      const RuleOrigin& o = origin_of(hv);
      return {false, o.owner + " " + o.label, format_location(o.where), o.text};
    }
    case DecidedBy::kDefault:
      return {true, "default", "", hv.policy->policy.default_text};
    case DecidedBy::kRelated:
      return {true, "related", "", "connection tracking"};
    case DecidedBy::kTracked:
      return {true, "tracked", "", "connection tracking"};
  }
  return {};
}

std::string_view health_name(Health h) noexcept {
  switch (h) {
    case Health::kHealthy:
      return "healthy";
    case Health::kUnhealthy:
      return "unhealthy";
    case Health::kUnused:
      return "unused";
    case Health::kUnknown:
      return "unknown";
  }
  return "unknown";
}

std::optional<Health> parse_health(std::string_view name) noexcept {
  for (Health h : {Health::kHealthy, Health::kUnhealthy, Health::kUnused, Health::kUnknown})
    if (health_name(h) == name) return h;
  return std::nullopt;
}

}  // namespace pfsim::engine
