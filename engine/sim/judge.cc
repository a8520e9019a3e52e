// engine/sim/judge.cc — see judge.h.
#include "engine/sim/judge.h"

namespace pfsim::engine {
namespace {

constexpr std::uint32_t kSubnetDomainBit = 0x8000'0000u;

bool is_sg(HookKind kind) noexcept { return kind == HookKind::kSgEgress || kind == HookKind::kSgIngress; }

std::size_t family_slot(net::Family family) noexcept { return family == net::Family::kIpv4 ? 0 : 1; }

}  // namespace

std::uint32_t conntrack_domain(Hook hook) noexcept {
  return is_sg(hook.kind) ? hook.owner : (hook.owner | kSubnetDomainBit);
}

HookList leg_hooks(const PolicySet& policies, const Leg& leg) noexcept {
  HookList hooks;
  auto add = [&](HookKind kind, std::uint32_t owner) {
    if (owner == kNone) return;
    Hook hook{kind, owner};
    if (policies.policy(hook) != nullptr) hooks.push_back(hook);
  };
  const bool crossing = leg.from.subnet != leg.to.subnet || leg.from.subnet == kNone;
  if (!leg.skip_from_filters) {
    add(HookKind::kSgEgress, leg.from.interface);
    if ((crossing || leg.classic_lb_out) && !leg.skip_from_acl) add(HookKind::kNaclOut, leg.from.subnet);
  }
  if (!leg.skip_to_filters) {
    if (crossing && !leg.skip_to_acl) add(HookKind::kNaclIn, leg.to.subnet);
    add(HookKind::kSgIngress, leg.to.interface);
  }
  return hooks;
}

LegPlan Judge::plan(const Leg& leg, const net::FiveTuple& tuple) const noexcept {
  LegPlan plan;
  for (Hook hook : leg_hooks(policies_, leg)) {
    const CompiledPolicy& policy = *policies_.policy(hook);
    HookPlan hp{hook, &policy, decide(policy, tuple), policy.policy.stateful};
    hp.untracked = hp.decision.allowed && hp.stateful && untracked(leg, hook, policy, hp.decision.rule, tuple);
    plan.push_back(hp);
  }
  return plan;
}

LegVerdict Judge::judge(LegPlan& plan, const Packet& packet, bool record_hops) {
  LegVerdict verdict;
  const std::size_t hooks = plan.size();
  for (std::size_t i = 0; i < hooks; ++i) {
    HookPlan& hook = plan.begin()[i];
    const Outcome o = decide_hook(hook, packet);
    // A verdict is built only where one is asked for: every hop, or the deciding hook (the one
    // that dropped the packet, else the last).
    if (record_hops) verdict.hops.push_back(verdict_of(hook, o));
    if (!o.allowed || i + 1 == hooks) {
      verdict.allowed = o.allowed;
      verdict.deciding = verdict_of(hook, o);
      break;
    }
  }
  return verdict;
}

HookVerdict Judge::verdict_of(const HookPlan& plan, const Outcome& o) noexcept {
  HookVerdict hv{plan.hook, plan.policy, o.how, o.allowed};
  if (o.how == DecidedBy::kRule) hv.rule = plan.decision.rule;
  hv.started_tracking = o.started_tracking;
  hv.untracked = o.untracked;
  return hv;
}

Judge::Outcome Judge::decide_hook(HookPlan& plan, const Packet& packet) {
  const std::uint32_t domain = conntrack_domain(plan.hook);
  plan.slot_generation = 0;
  if (plan.stateful && !packet.is_icmp_error && conntrack_.lookup(domain, packet, &plan.conntrack_slot)) {
    plan.slot_generation = conntrack_.generation();
    return Outcome{DecidedBy::kTracked, true};
  }
  const Decision d = plan.decision;
  Outcome o{d.rule == classifier::kNoMatch ? DecidedBy::kDefault : DecidedBy::kRule, d.allowed};
  if (packet.is_icmp_error) {
    // An ICMP error starts no flow of its own. The rules come first so that a report names the
    // rule that allows it; failing them, EC2 MTU guide: "security groups are stateful, therefore
    // ICMP responses to outbound requests are allowed to flow in, regardless of security group
    // rules" (switchable: conntrack.icmp_errors: rules).
    if (!o.allowed && plan.stateful && scenario_.conntrack.icmp_errors_related && conntrack_.related(domain, packet))
      o = Outcome{DecidedBy::kRelated, true};
    return o;
  }
  if (o.allowed && plan.stateful) {
    if (plan.untracked) {
      o.untracked = true;
    } else {
      conntrack_.track(domain, packet, &plan.conntrack_slot);
      plan.slot_generation = conntrack_.generation();
      o.started_tracking = true;
    }
  }
  return o;
}

bool Judge::untracked(const Leg& leg, Hook hook, const CompiledPolicy& policy, classifier::RuleIndex rule,
                      const net::FiveTuple& tuple) const noexcept {
  // Untracked flows are AWS semantics (EC2 guide, "Untracked connections"); Huawei and E2E
  // document no such exception, so their flows are always tracked.
  if (scenario_.provider != Provider::kAws || !is_sg(hook.kind) || leg.always_tracked) return false;
  const auto proto = tuple.proto;
  if (!net::is_tcp_or_udp(proto)) return false;  // "ICMP is always tracked"
  const HookKind other_kind = hook.kind == HookKind::kSgIngress ? HookKind::kSgEgress : HookKind::kSgIngress;
  const CompiledPolicy* other = policies_.policy(Hook{other_kind, hook.owner});
  if (other == nullptr) return false;
  const std::size_t family = family_slot(tuple.family);
  const std::size_t transport = proto == net::kProtoTcp ? 0 : 1;
  // "If a security group rule permits TCP or UDP flows for all traffic (0.0.0.0/0 or ::/0) and
  // there is a corresponding rule in the other direction that permits all response traffic
  // (0.0.0.0/0 or ::/0) for all ports (0-65535), then that flow of traffic is not tracked."
  if (rule != classifier::kNoMatch && policy.policy.rule_from_anywhere[rule] &&
      other->policy.all_ports_anywhere[family][transport])
    return true;
  // The same flow seen from its other end: this packet is the response of an untracked flow
  // when the other direction lets the flow's first packet in from anywhere and this direction
  // permits all response traffic. Without this, a server's reply to an untracked request would
  // start a tracked flow, and the request side would survive a revoke of its rule.
  if (!policy.policy.all_ports_anywhere[family][transport]) return false;
  const Decision reverse = decide(*other, net::reversed(tuple));
  return reverse.allowed && reverse.rule != classifier::kNoMatch && other->policy.rule_from_anywhere[reverse.rule];
}

}  // namespace pfsim::engine
