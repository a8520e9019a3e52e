// engine/sim/judge.h — one packet along one leg: the hooks it crosses, in order, each decided by
// connection tracking or by its policy.
//
// What: a Leg is a packet's trip between two endpoints in the VPC model — an interface (an
// instance or an LB node) or an outside address (an internet client, a router, Huawei's shared
// ELB pool). Its hooks are, in order (DESIGN.md §2):
//   sg-egress(from)      when `from` is an interface with security groups
//   nacl-out(from.subnet) when the packet leaves from's subnet
//   nacl-in(to.subnet)   when it enters to's subnet
//   sg-ingress(to)       when `to` is an interface with security groups
// Network ACLs apply only across a subnet boundary (VPC guide, "Control subnet traffic with
// network access control lists": "We evaluate the network ACL rules when traffic enters and
// leaves the subnet, not as it is routed within a subnet"), except that "Classic Load
// Balancers apply network ACLs to outbound traffic, even if it's destined for a target in the
// same subnet" (Reachability Analyzer explanation code ELB_ACL_RESTRICTION): Leg::classic_lb_out.
//
// At a stateful hook (security groups; huawei network ACLs) a packet of a live tracked flow of
// the hook's owner passes without rule evaluation, as does an ICMP error quoting one (unless
// `conntrack.icmp_errors: rules`); otherwise the policy decides, and an allowed packet starts a
// tracked flow — unless the flow is *untracked* (AWS: "If a security group rule permits TCP or
// UDP flows for all traffic (0.0.0.0/0 or ::/0) and there is a corresponding rule in the other
// direction that permits all response traffic (0.0.0.0/0 or ::/0) for all ports (0-65535),
// then that flow of traffic is not tracked", EC2 guide, "Untracked connections"), which is then
// judged by the rules on every packet. "ICMP traffic is always tracked", and so are flows
// through Network Load Balancers ("Automatically tracked connections"): Leg::always_tracked.
//
// Plans: what a hook's verdict needs from the header alone — the policy's decision and, for a
// flow the rules allow at a stateful hook, whether it is untracked — is a LegPlan, made by
// Judge::plan(). Replay makes it once per flow direction and epoch and judges each packet with
// it (engine/replay/internal/replay_engine.h); judge(leg, packet) plans and judges in one call.
//
// Cost: at most four classifier lookups (plus one for an untracked check) when planning, and
// one conntrack probe per stateful hook when judging (none when the plan's slot hint still holds
// the flow, as it does for the later packets of a flow); no allocation unless the caller asks for
// the hop list (explain). Not thread-safe (it owns no state, but the
// ConntrackTable it writes to is single-threaded).
#pragma once

#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "engine/model/scenario.h"
#include "engine/paths/leg.h"
#include "engine/policy/policy.h"
#include "engine/sim/conntrack.h"
#include "engine/sim/packet.h"

namespace pfsim::engine {

// How a hook decided.
enum class DecidedBy : std::uint8_t {
  kRule,     // a rule of the policy matched
  kDefault,  // no rule matched: the policy's default action
  kTracked,  // a live tracked flow of the owner
  kRelated,  // an ICMP error quoting a live tracked flow of the owner
};

struct HookVerdict {
  Hook hook;
  const CompiledPolicy* policy = nullptr;
  DecidedBy how = DecidedBy::kDefault;
  bool allowed = false;
  classifier::RuleIndex rule = classifier::kNoMatch;  // for kRule
  bool started_tracking = false;                      // an allowed new flow was recorded
  bool untracked = false;                             // allowed by rules but untracked (AWS untracked flow)
};

struct LegVerdict {
  bool allowed = true;
  std::optional<HookVerdict> deciding;  // the hook that dropped it, else the last one
  std::vector<HookVerdict> hops;        // every hook, when asked for
};

// A vector of at most `N` items held inline, for the hooks of a leg (at most four): judging
// runs for every packet and allocates nothing. push_back() beyond N is a bug (asserted).
template <typename T, std::size_t N>
class InlineVector {
 public:
  void push_back(const T& item) noexcept {
    assert(size_ < N);
    items_[size_++] = item;
  }
  const T* begin() const noexcept { return items_.data(); }
  const T* end() const noexcept { return items_.data() + size_; }
  T* begin() noexcept { return items_.data(); }
  T* end() noexcept { return items_.data() + size_; }
  std::size_t size() const noexcept { return size_; }

 private:
  std::array<T, N> items_{};
  std::uint8_t size_ = 0;
};

// The hooks a leg crosses, in order.
using HookList = InlineVector<Hook, 4>;

// The hooks `leg` crosses, in order (only those with a policy).
HookList leg_hooks(const PolicySet& policies, const Leg& leg) noexcept;

// What judging one hook needs that depends on the header alone, and where its flow's
// connection-tracking entry was last seen (a hint: ConntrackTable::Slot).
struct HookPlan {
  Hook hook;
  const CompiledPolicy* policy = nullptr;
  Decision decision;       // the policy's rules on the header
  bool stateful = false;   // the policy's
  bool untracked = false;  // allowed at a stateful hook, but an AWS untracked flow
  ConntrackTable::Slot conntrack_slot = 0;
  // The ConntrackTable::generation() in which the last packet judged with this plan was seen
  // (found or tracked) at conntrack_slot, else 0. For a header whose flow key is the header's
  // own (not ICMP: an echo's key is its identifier), that slot holds the flow of every later
  // packet while the generation lasts: ConntrackTable::refresh_known() needs no key.
  std::uint32_t slot_generation = 0;
};

// A leg's hooks in order, with their plans.
using LegPlan = InlineVector<HookPlan, 4>;

class Judge {
 public:
  Judge(const Scenario& scenario, const PolicySet& policies, ConntrackTable& conntrack) noexcept
      : scenario_(scenario), policies_(policies), conntrack_(conntrack) {}

  // The plan of `leg` for packets with header `tuple`; reads no connection-tracking state.
  LegPlan plan(const Leg& leg, const net::FiveTuple& tuple) const noexcept;

  // Judges `packet` along `leg`, updating connection tracking; with `record_hops`, every hook's
  // verdict is returned in order.
  LegVerdict judge(const Leg& leg, const Packet& packet, bool record_hops = false) {
    LegPlan p = plan(leg, packet.tuple);
    return judge(p, packet, record_hops);
  }
  // The same with a plan made earlier by plan(leg, packet.tuple) with these policies; updates
  // the plan's conntrack slot hints.
  LegVerdict judge(LegPlan& plan, const Packet& packet, bool record_hops = false);

 private:
  // A hook's verdict without what its plan holds.
  struct Outcome {
    DecidedBy how = DecidedBy::kDefault;
    bool allowed = false;
    bool started_tracking = false;
    bool untracked = false;
  };
  Outcome decide_hook(HookPlan& plan, const Packet& packet);
  static HookVerdict verdict_of(const HookPlan& plan, const Outcome& outcome) noexcept;
  bool untracked(const Leg& leg, Hook hook, const CompiledPolicy& policy, classifier::RuleIndex rule,
                 const net::FiveTuple& tuple) const noexcept;

  const Scenario& scenario_;
  const PolicySet& policies_;
  ConntrackTable& conntrack_;
};

// The conntrack domain of a stateful hook's owner: its interface, or (huawei ACLs) its subnet.
std::uint32_t conntrack_domain(Hook hook) noexcept;

}  // namespace pfsim::engine
