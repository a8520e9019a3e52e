// engine/policy/policy.cc — security groups and network ACLs lowered to one priority-ordered rule
// list per hook (engine/policy/policy.h), with the provider semantics of DESIGN.md §3. Each semantic
// decision cites its source where it is encoded; the research notes are
// ../shared/research/cloud-semantics-anchors.md (A1 AWS security groups, A2 AWS network ACLs,
// A4 Huawei Cloud, A5 E2E Networks).
//
// Lowering of one rule as written (FilterRule) to classifier rules:
//   peer     → one block per CIDR / per member private address; the source of an inbound rule,
//              the destination of an outbound one; the other address is any of its family.
//   protocol → proto_any, or one number.
//   ports    → one rule per destination port range (source port any) for tcp and udp;
//              ICMP type/code in sport/dport for icmp and icmpv6; all ports otherwise.
//   priority → per provider and filter kind, see sg_priority() and the ACL lowering.
// Every classifier rule's id is the index of its FilterRule's RuleOrigin.
#include "engine/policy/policy.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <utility>

namespace pfsim::engine {
namespace {

using classifier::Action;
using classifier::Rule;
using net::AddressRange;
using net::Family;
using net::IpRange;
using net::PortRange;

// Huawei SG priority encoding: rule priorities are 1-100, so priority * 2 + 1 stays below
// this stride and every rule of an earlier-bound group beats every rule of a later one.
constexpr std::uint32_t kHuaweiMaxPriority = 100;
constexpr std::uint32_t kHuaweiGroupStride = 1000;
static_assert(kHuaweiMaxPriority * 2 + 1 < kHuaweiGroupStride);
// AWS / e2e SG priority trick (see sg_priority()).
constexpr std::uint32_t kPriorityWholeSpacePeer = 0;
constexpr std::uint32_t kPriorityOtherPeer = 1;

constexpr std::size_t family_slot(Family f) noexcept { return f == Family::kIpv4 ? 0 : 1; }

bool is_whole_space(const IpRange& block) noexcept { return block.range == AddressRange::any(block.family); }

std::optional<IpRange> host_block(const std::optional<net::IpAddress>& address) {
  if (!address) return std::nullopt;
  return IpRange{address->family, AddressRange{address->bits, address->bits}};
}

// The private addresses (/32 and /128) of one interface. Never public_ip: EC2 guide, "Security
// group rules": "Incoming traffic is allowed based on the private IP addresses of the
// instances that are associated with the source security group (and not the public IP or
// Elastic IP addresses)."
void append_private_addresses(const NetworkInterface& eni, std::vector<IpRange>& out) {
  if (auto v4 = host_block(eni.ipv4)) out.push_back(*v4);
  if (auto v6 = host_block(eni.ipv6)) out.push_back(*v6);
}

// A kCidrs peer's blocks. `anywhere` with no CIDRs listed means both families (DESIGN.md §2:
// "Anywhere" → 0.0.0.0/0 and ::/0).
std::vector<IpRange> literal_blocks(const Peer& peer) {
  if (peer.cidrs.empty() && peer.anywhere)
    return {IpRange{Family::kIpv4, AddressRange::any(Family::kIpv4)},
            IpRange{Family::kIpv6, AddressRange::any(Family::kIpv6)}};
  return peer.cidrs;
}

// The address blocks a peer stands for, given the scenario's current group membership.
std::vector<IpRange> peer_blocks(const Scenario& s, const Peer& peer) {
  std::vector<IpRange> blocks;
  switch (peer.kind) {
    case Peer::Kind::kCidrs:
      blocks = literal_blocks(peer);
      break;
    case Peer::Kind::kGroup:
      // A referenced group = the private IPs of the interfaces it is attached to (EC2 guide,
      // "Security group rules", quoted above); referencing a group does not import its rules.
      // A group attached to nothing contributes no rule.
      for (const NetworkInterface& eni : s.interfaces)
        if (std::find(eni.groups.begin(), eni.groups.end(), peer.group) != eni.groups.end())
          append_private_addresses(eni, blocks);
      break;
    case Peer::Kind::kElbSourceGroup:
      // EC2-Classic `amazon-elb/amazon-elb-sg` (ELB Classic guide, "Security groups for load
      // balancers in EC2-Classic"): the source group of every Classic LB, i.e. its nodes.
      for (const NetworkInterface& eni : s.interfaces)
        if (eni.kind == NetworkInterface::Kind::kLbNode && eni.lb < s.load_balancers.size() &&
            s.load_balancers[eni.lb].type == LbType::kClassic)
          append_private_addresses(eni, blocks);
      break;
  }
  return blocks;
}

bool has_ports(const ProtocolSpec& p) noexcept { return !p.any && net::is_tcp_or_udp(p.number); }
bool names_icmp(const ProtocolSpec& p) noexcept { return !p.any && net::is_icmp(p.number); }

// The (sport, dport) pairs of a rule. EC2 guide / API IpPermission: "-1 or a protocol number
// other than tcp, udp, icmp, or icmpv6 allows traffic on all ports, regardless of any port
// range you specify" (for ACLs, API CreateNetworkAclEntry says the same of protocols other
// than 6, 17 and 1). Security groups and ACLs filter on the destination port only
// (VPC guide, security groups: source ports cannot be filtered; vpc-network-acls.md: the port
// range is the destination port), so sport is always any.
std::vector<std::pair<PortRange, PortRange>> port_fields(const FilterRule& rule) {
  if (names_icmp(rule.protocol)) {
    // IpPermission: for ICMP "FromPort" is the type and "ToPort" the code, -1 = all; omitted
    // ICMP fields allow all types and codes. classifier/rule.h carries the type in sport and
    // the code in dport (the Open vSwitch convention).
    PortRange type = PortRange::any();
    PortRange code = PortRange::any();
    if (rule.icmp) {
      if (rule.icmp->type) type = PortRange::single(*rule.icmp->type);
      if (rule.icmp->code) code = PortRange::single(*rule.icmp->code);
    }
    return {{type, code}};
  }
  if (!has_ports(rule.protocol) || rule.ports.empty()) return {{PortRange::any(), PortRange::any()}};
  std::vector<std::pair<PortRange, PortRange>> out;
  out.reserve(rule.ports.size());
  for (const PortRange& dport : rule.ports) out.emplace_back(PortRange::any(), dport);
  return out;
}

// Whether the rule's destination ports, for tcp or udp, cover 0-65535.
bool covers_all_ports(const FilterRule& rule) {
  if (rule.ports.empty()) return true;
  std::vector<PortRange> sorted = rule.ports;
  std::sort(sorted.begin(), sorted.end(), [](const PortRange& a, const PortRange& b) { return a.lo < b.lo; });
  std::uint32_t next = 0;  // the first port not yet covered
  for (const PortRange& r : sorted) {
    if (r.lo > next) return false;
    next = std::max(next, std::uint32_t{r.hi} + 1);
  }
  return next > 65535;
}

// Marks Policy::all_ports_anywhere for one allow rule. EC2 guide, "Untracked connections": "If
// a security group rule permits TCP or UDP flows for all traffic (0.0.0.0/0 or ::/0) and there
// is a corresponding rule in the other direction that permits all response traffic (0.0.0.0/0
// or ::/0) for all ports (0-65535), then that flow of traffic is not tracked." This records one
// direction's half; the engine pairs the two directions (and decides per provider whether the
// notion applies at all).
void note_all_ports_anywhere(const FilterRule& rule, const std::vector<IpRange>& blocks, Policy& policy) {
  if (rule.action != RuleAction::kAllow) return;
  const bool all_ports = rule.protocol.any || covers_all_ports(rule);
  if (!all_ports) return;
  for (const IpRange& block : blocks) {
    if (!is_whole_space(block)) continue;
    auto& slots = policy.all_ports_anywhere[family_slot(block.family)];
    if (rule.protocol.any || rule.protocol.number == net::kProtoTcp) slots[0] = true;
    if (rule.protocol.any || rule.protocol.number == net::kProtoUdp) slots[1] = true;
  }
}

// Appends the classifier rules of one FilterRule (its origin already pushed at `origin`).
// `priority_of(whole_space_peer)` gives each expanded rule's priority.
template <class PriorityOf>
void lower_rule(const Scenario& s, const FilterRule& rule, Direction direction, std::uint64_t origin,
                PriorityOf priority_of, Policy& policy) {
  const std::vector<IpRange> blocks = peer_blocks(s, rule.peer);
  note_all_ports_anywhere(rule, blocks, policy);
  const auto ports = port_fields(rule);
  for (const IpRange& block : blocks) {
    const bool whole = is_whole_space(block);
    for (const auto& [sport, dport] : ports) {
      Rule r;
      r.family = block.family;
      // Security groups: the peer is the source for inbound rules and the destination for
      // outbound rules (EC2 guide, "Security group rules"). ACLs: "Inbound rules match the
      // source CIDR. Outbound rules match the destination CIDR" (vpc-network-acls.md, A2).
      if (direction == Direction::kInbound) {
        r.src = block.range;
        r.dst = AddressRange::any(block.family);
      } else {
        r.src = AddressRange::any(block.family);
        r.dst = block.range;
      }
      r.proto_any = rule.protocol.any;
      r.proto = rule.protocol.any ? std::uint8_t{0} : rule.protocol.number;
      r.sport = sport;
      r.dport = dport;
      r.priority = priority_of(whole);
      r.action = rule.action == RuleAction::kAllow ? Action::kAllow : Action::kDeny;
      r.id = origin;
      policy.rules.rules.push_back(r);
      policy.rule_from_anywhere.push_back(whole);
    }
  }
}

std::uint64_t push_origin(Policy& policy, const FilterRule& rule, const std::string& owner, std::string label,
                          std::uint32_t number) {
  policy.origins.push_back(RuleOrigin{rule.where, owner, std::move(label), number, rule.text, rule.action});
  return policy.origins.size() - 1;
}

std::string join_ids(const std::vector<std::string>& ids) {
  std::string out;
  for (const std::string& id : ids) out += (out.empty() ? "" : ", ") + id;
  return out;
}

// The policy of one SG hook: the groups of an interface, in binding order.
Policy lower_security_groups(const Scenario& s, const std::vector<SecurityGroup>& groups,
                             const std::vector<GroupIndex>& bound, Direction direction) {
  Policy policy;
  // Security groups are stateful (VPC guide, "Security groups": "Responses to allowed inbound
  // traffic are allowed to flow out, regardless of outbound rules", and vice versa); so are
  // Huawei and E2E groups (research A4, A5).
  policy.stateful = true;
  const bool huawei = s.provider == Provider::kHuawei;
  for (std::size_t position = 0; position < bound.size(); ++position) {
    const SecurityGroup& group = groups[bound[position]];
    policy.owners.push_back(group.id);
    const auto& rules = direction == Direction::kInbound ? group.inbound : group.outbound;
    const char* const side = direction == Direction::kInbound ? "inbound rule " : "outbound rule ";
    for (std::size_t i = 0; i < rules.size(); ++i) {
      const FilterRule& rule = rules[i];
      const std::uint64_t origin =
          push_origin(policy, rule, group.id, side + std::to_string(i + 1), static_cast<std::uint32_t>(i + 1));
      if (huawei) {
        // Huawei VPC guide, "Security group rules" (research A4): priority 1-100, 1 first;
        // "at equal priority, deny beats allow"; with several groups, the earlier-bound group
        // is evaluated first — unless options.huawei_group_order is `union` (the Flexus pages
        // say the rules of several groups form a union), where only priority and action count.
        const std::uint32_t group_base = s.huawei_union ? 0 : static_cast<std::uint32_t>(position) * kHuaweiGroupStride;
        const std::uint32_t priority =
            group_base + std::min(rule.priority, kHuaweiMaxPriority) * 2 + (rule.action == RuleAction::kDeny ? 0 : 1);
        lower_rule(
            s, rule, direction, origin, [priority](bool) { return priority; }, policy);
      } else {
        // AWS (and E2E) groups allow only and form a union: "If there is more than one rule
        // for a specific port, Amazon EC2 applies the most permissive rule" (EC2 guide,
        // "Security group rules"). Any matching rule gives the same verdict, so priority is
        // free to say *which* rule is reported: a rule whose peer is the whole address space
        // wins, so a flow allowed from anywhere is attributed to such a rule — what the
        // untracked-flow logic needs (Policy::rule_from_anywhere of the deciding rule).
        lower_rule(
            s, rule, direction, origin, [](bool whole) { return whole ? kPriorityWholeSpacePeer : kPriorityOtherPeer; },
            policy);
      }
    }
  }
  // Default deny. AWS: "You can specify allow rules, but not deny rules", and a new group has
  // no inbound rules, so nothing comes in until a rule allows it (VPC guide, "Security
  // groups", research A1). Huawei and E2E: the research notes quote no sentence for the
  // no-match case; we read their groups as allow lists too [inferred] — Huawei's default group
  // allows inbound only from itself (A4) and a new E2E group "has no inbound rules" (A5), which
  // only makes sense if what no rule matches is denied.
  policy.rules.default_action = Action::kDeny;
  policy.default_text = "no rule of " + join_ids(policy.owners) + " allows it (security groups deny by default)";
  return policy;
}

// The policy of one ACL hook.
Policy lower_acl(const Scenario& s, const NetworkAcl& acl, Direction direction) {
  Policy policy;
  policy.owners.push_back(acl.id);
  const bool huawei = s.provider == Provider::kHuawei;
  // AWS: "Network ACLs are stateless, which means that responses to allowed inbound traffic
  // are subject to the rules for outbound traffic (and vice versa)" (vpc-network-acls.md, A2). Huawei's ACL default
  // rule text says "您无需单独添加放通响应流量的 规则" (you need not add rules for response traffic): stateful
  // (research A4).
  policy.stateful = huawei;
  const auto& rules = direction == Direction::kInbound ? acl.inbound : acl.outbound;
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const FilterRule& rule = rules[i];
    std::uint32_t priority = 0;
    std::string label;
    std::uint32_t number = 0;
    if (huawei) {
      // Huawei ACL rules take effect in the order listed ("生效顺序" 1..n, research A4).
      priority = static_cast<std::uint32_t>(i + 1);
      label = "rule " + std::to_string(i + 1);
      number = priority;
    } else {
      // AWS: "Rules are evaluated starting with the lowest numbered rule ... As soon as a
      // rule matches traffic, it's applied regardless of any higher-numbered rule that might
      // contradict it" (vpc-network-acls.md, A2): priority = rule number, first match wins.
      priority = rule.number;
      label = "rule " + std::to_string(rule.number);
      number = rule.number;
    }
    const std::uint64_t origin = push_origin(policy, rule, acl.id, std::move(label), number);
    lower_rule(
        s, rule, direction, origin, [priority](bool) { return priority; }, policy);
  }
  // The final `*` rule denies what no numbered rule matches ("You can't modify or remove this
  // rule", vpc-network-acls.md; Huawei: an unmodifiable `*` deny in each direction, A4).
  policy.rules.default_action = Action::kDeny;
  policy.default_text = huawei ? "the `*` rule of " + acl.id + " denies it (no rule matches)"
                               : "the `*` rule of " + acl.id + " denies it (no numbered rule matches)";
  return policy;
}

// A subnet with no ACL of its own. AWS VPC guide, "Network ACLs": "Each subnet in your VPC must
// be associated with a network ACL. If you don't explicitly associate a subnet with a network
// ACL, the subnet is automatically associated with the default network ACL"; "The default
// network ACL is configured to allow all traffic to flow in and out of the subnets with which
// it is associated" (rules 100 and 101 allow all IPv4 and IPv6, research A2). Huawei and E2E
// subnets without an ACL are not filtered at all, which is the same policy.
Policy default_acl_policy(const Scenario& s) {
  Policy policy;
  policy.stateful = s.provider == Provider::kHuawei;
  policy.rules.default_action = Action::kAllow;
  policy.default_text = s.provider == Provider::kAws
                            ? "the VPC default network ACL allows all"
                            : "no network ACL is associated with the subnet (all traffic passes)";
  // Allows all ports of everything from everywhere, in both families.
  policy.all_ports_anywhere = {{{true, true}, {true, true}}};
  return policy;
}

// --- events ----------------------------------------------------------------------------------

bool range_less(const IpRange& a, const IpRange& b) noexcept {
  return std::tie(a.family, a.range.lo, a.range.hi) < std::tie(b.family, b.range.lo, b.range.hi);
}

bool same_peer(const Peer& a, const Peer& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case Peer::Kind::kGroup:
      return a.group == b.group;
    case Peer::Kind::kElbSourceGroup:
      return true;
    case Peer::Kind::kCidrs: {
      std::vector<IpRange> x = literal_blocks(a);
      std::vector<IpRange> y = literal_blocks(b);
      std::sort(x.begin(), x.end(), range_less);
      std::sort(y.begin(), y.end(), range_less);
      return x == y;
    }
  }
  return false;
}

std::vector<PortRange> normalized_ports(const FilterRule& rule) {
  if (!has_ports(rule.protocol)) return {PortRange::any()};  // ports do not apply (see port_fields)
  std::vector<PortRange> ports = rule.ports.empty() ? std::vector<PortRange>{PortRange::any()} : rule.ports;
  std::sort(ports.begin(), ports.end(),
            [](const PortRange& p, const PortRange& q) { return std::tie(p.lo, p.hi) < std::tie(q.lo, q.hi); });
  return ports;
}

std::pair<std::optional<std::uint8_t>, std::optional<std::uint8_t>> normalized_icmp(const FilterRule& rule) {
  if (!names_icmp(rule.protocol) || !rule.icmp) return {std::nullopt, std::nullopt};
  return {rule.icmp->type, rule.icmp->code};
}

// Whether a revoke names this rule: AWS identifies a rule by what it matches (protocol, ports,
// ICMP type/code, peer), not by its description; Huawei rules also by priority and action.
bool same_rule(const FilterRule& a, const FilterRule& b) {
  return a.protocol.any == b.protocol.any && (a.protocol.any || a.protocol.number == b.protocol.number) &&
         normalized_ports(a) == normalized_ports(b) && normalized_icmp(a) == normalized_icmp(b) &&
         same_peer(a.peer, b.peer) && a.action == b.action && a.priority == b.priority;
}

net::Status apply_event(const Event& event, std::vector<SecurityGroup>& groups) {
  if (event.group >= groups.size())
    return error_at(event.where, "event refers to an unknown security group (#" + std::to_string(event.group) + ")");
  SecurityGroup& group = groups[event.group];
  auto& rules = event.direction == Direction::kInbound ? group.inbound : group.outbound;
  if (event.authorize) {
    rules.push_back(event.rule);
    return net::Ok{};
  }
  const auto removed =
      std::remove_if(rules.begin(), rules.end(), [&](const FilterRule& r) { return same_rule(r, event.rule); });
  if (removed != rules.end()) {
    rules.erase(removed, rules.end());
    return net::Ok{};
  }
  // A scenario rule with a list of ports is AWS's several rules, one per range
  // (IpPermission has one FromPort-ToPort), so a revoke may name some of them: those ranges
  // leave the rule, which keeps its place and label.
  const std::vector<PortRange> revoked = normalized_ports(event.rule);
  for (FilterRule& r : rules) {
    if (revoked.empty()) break;
    if (r.ports.empty()) continue;  // all ports, or icmp: not a list to take ranges from
    FilterRule same_ports = event.rule;
    same_ports.ports = r.ports;
    if (!same_rule(r, same_ports)) continue;
    std::vector<PortRange> rest;
    for (const PortRange& p : r.ports)
      if (std::find(revoked.begin(), revoked.end(), p) == revoked.end()) rest.push_back(p);
    if (rest.size() + revoked.size() != r.ports.size()) continue;
    r.ports = std::move(rest);
    return net::Ok{};
  }
  return error_at(event.where, "revoke of a rule " + group.id + " does not have: " + event.rule.text);
}

std::string hook_kind_name(HookKind kind) {
  switch (kind) {
    case HookKind::kSgEgress:
      return "sg-egress";
    case HookKind::kNaclOut:
      return "nacl-out";
    case HookKind::kNaclIn:
      return "nacl-in";
    case HookKind::kSgIngress:
      return "sg-ingress";
  }
  return "hook";
}

}  // namespace

std::string hook_name(const Scenario& scenario, Hook hook) {
  const bool sg = hook.kind == HookKind::kSgEgress || hook.kind == HookKind::kSgIngress;
  std::string owner;
  if (sg && hook.owner < scenario.interfaces.size())
    owner = scenario.interfaces[hook.owner].id;
  else if (!sg && hook.owner < scenario.subnets.size())
    owner = scenario.subnets[hook.owner].id;
  else
    owner = "#" + std::to_string(hook.owner);
  return hook_kind_name(hook.kind) + "(" + owner + ")";
}

Decision decide(const CompiledPolicy& policy, const net::FiveTuple& key) noexcept {
  classifier::RuleIndex best = classifier::kNoMatch;
  if (policy.classifier) policy.classifier->classify(std::span(&key, 1), std::span(&best, 1));
  if (best == classifier::kNoMatch) return {policy.policy.rules.default_action == Action::kAllow, best};
  return {policy.policy.rules.rules[best].action == Action::kAllow, best};
}

net::Result<PolicySet> compile_policies(const Scenario& scenario, const CompileOptions& options,
                                        std::size_t events_applied) {
  // An unknown algorithm is an error even for a scenario with nothing to filter.
  if (auto probe = classifier::build_classifier(classifier::RuleSet{}, options.algorithm); !probe)
    return std::move(probe).error();

  // Every event is applied, also past the first `events_applied`, so a revoke of a rule its
  // group does not have at that time is an error for every command, not for replay alone: "For
  // a non-default VPC, if the values you specify do not match the existing rule's values, an
  // InvalidPermission.NotFound client error is returned, and no rules are revoked." (EC2 API
  // reference, RevokeSecurityGroupIngress). In a default VPC AWS returns no error and revokes
  // nothing: a scenario's revoke that revokes nothing is a mistake either way.
  std::vector<SecurityGroup> groups = scenario.groups;
  std::vector<SecurityGroup> applied;
  const std::size_t n_events = std::min(events_applied, scenario.events.size());
  for (std::size_t i = 0; i <= scenario.events.size(); ++i) {
    if (i == n_events) applied = groups;
    if (i == scenario.events.size()) break;
    if (auto status = apply_event(scenario.events[i], groups); !status) return std::move(status).error();
  }
  groups = std::move(applied);

  PolicySet set;
  // Appends a policy, built with the options' algorithm; returns its index.
  auto add = [&](Policy policy, Hook first_user) -> net::Result<std::uint32_t> {
    auto built = classifier::build_classifier(policy.rules, options.algorithm);
    if (!built) {
      net::Error error = std::move(built).error();
      error.message = "cannot compile the policy of " + hook_name(scenario, first_user) + ": " + error.message;
      return error;
    }
    auto compiled = std::make_shared<CompiledPolicy>();
    compiled->policy = std::move(policy);
    compiled->classifier = std::move(*built);
    set.policies_.push_back(std::move(compiled));
    return static_cast<std::uint32_t>(set.policies_.size() - 1);
  };

  // Interfaces with the same ordered group list share both SG policies: a group reference
  // expands to the same member addresses whoever holds the rule, so the lists are equal.
  std::map<std::vector<GroupIndex>, std::array<std::uint32_t, 2>> by_groups;
  set.interface_policy_.assign(scenario.interfaces.size(), {kNone, kNone});
  for (std::size_t i = 0; i < scenario.interfaces.size(); ++i) {
    const auto& bound = scenario.interfaces[i].groups;
    // No groups: nothing filters (an NLB created without security groups: "all client traffic
    // can reach the listeners and all traffic can leave", ELB NLB guide, "Security groups").
    if (bound.empty()) continue;
    if (std::any_of(bound.begin(), bound.end(), [&](GroupIndex g) { return g >= groups.size(); }))
      return error_at(scenario.interfaces[i].where,
                      "interface " + scenario.interfaces[i].id + " refers to an unknown security group");
    auto [it, inserted] = by_groups.try_emplace(bound, std::array<std::uint32_t, 2>{kNone, kNone});
    if (inserted) {
      const auto owner = static_cast<std::uint32_t>(i);
      auto egress =
          add(lower_security_groups(scenario, groups, bound, Direction::kOutbound), Hook{HookKind::kSgEgress, owner});
      if (!egress) return std::move(egress).error();
      auto ingress =
          add(lower_security_groups(scenario, groups, bound, Direction::kInbound), Hook{HookKind::kSgIngress, owner});
      if (!ingress) return std::move(ingress).error();
      it->second = {*egress, *ingress};
    }
    set.interface_policy_[i] = it->second;
  }

  // Subnets with the same ACL (or both on the VPC default) share theirs. EC2-Classic has no
  // subnets, so no ACL hook.
  std::map<AclIndex, std::array<std::uint32_t, 2>> by_acl;
  set.subnet_policy_.assign(scenario.ec2_classic ? 0 : scenario.subnets.size(), {kNone, kNone});
  for (std::size_t i = 0; i < set.subnet_policy_.size(); ++i) {
    const Subnet& subnet = scenario.subnets[i];
    const AclIndex acl = subnet.acl < scenario.acls.size() ? subnet.acl : kNone;
    auto [it, inserted] = by_acl.try_emplace(acl, std::array<std::uint32_t, 2>{kNone, kNone});
    if (inserted) {
      const auto owner = static_cast<std::uint32_t>(i);
      auto out = add(
          acl == kNone ? default_acl_policy(scenario) : lower_acl(scenario, scenario.acls[acl], Direction::kOutbound),
          Hook{HookKind::kNaclOut, owner});
      if (!out) return std::move(out).error();
      auto in = add(
          acl == kNone ? default_acl_policy(scenario) : lower_acl(scenario, scenario.acls[acl], Direction::kInbound),
          Hook{HookKind::kNaclIn, owner});
      if (!in) return std::move(in).error();
      it->second = {*out, *in};
    }
    set.subnet_policy_[i] = it->second;
  }
  return set;
}

}  // namespace pfsim::engine
