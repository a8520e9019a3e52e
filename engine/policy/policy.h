// engine/policy/policy.h — provider semantics lowered to one priority-ordered policy per hook, and
// the classifiers compiled from them.
//
// What: a Hook is a place where a filter applies (DESIGN.md §2): `sg-ingress(eni)`,
// `sg-egress(eni)`, `nacl-in(subnet)`, `nacl-out(subnet)`. compile_policies() turns the
// scenario's security groups and network ACLs, with the semantics of the scenario's provider
// (DESIGN.md §3; each decision cites its source where it is encoded, in policy.cc), into one
// flat classifier::RuleSet per hook, and builds a classifier for each. Interfaces with the
// same groups in the same order share their two SG policies; subnets with the same ACL share
// theirs.
//
// Key idea: every provider lowers to the same form — rules with a priority (lowest wins, ties
// to the lower index) and an allow/deny action, plus a default action — and every compiled
// rule's `id` indexes `origins`, which say where the rule was written (file:line, group or
// ACL id, rule number or position, the rule as written). So a verdict can always name the
// line to edit. Expansion: a referenced group becomes one rule per member interface private
// address (/32 or /128; never public addresses, EC2 guide "Security group rules": "based on
// the private IP addresses of the instances"), a prefix list one rule per entry, `anywhere`
// one rule per family, a list of ports one rule per range; ICMP type/code go into the
// sport/dport fields (classifier/rule.h).
//
// Decide: `decide()` classifies one FiveTuple; batch users call the classifier directly.
//
// Thread-safety: a PolicySet is immutable once built; lookups may run on any number of
// threads. Events (rules authorized or revoked at a time) are applied by compiling again with
// more events applied: compile_policies(scenario, options, n) applies the first n events.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "classifier/classifier.h"
#include "engine/model/scenario.h"
#include "net/error.h"
#include "net/five_tuple.h"

namespace pfsim::engine {

enum class HookKind : std::uint8_t { kSgEgress, kNaclOut, kNaclIn, kSgIngress };

// owner: an InterfaceIndex for sg-*, a SubnetIndex for nacl-*.
struct Hook {
  HookKind kind = HookKind::kSgIngress;
  std::uint32_t owner = kNone;
  friend constexpr bool operator==(const Hook&, const Hook&) = default;
};

// "sg-ingress(i-web1)", "nacl-out(priv-a)".
std::string hook_name(const Scenario& scenario, Hook hook);

// Where a compiled rule came from.
struct RuleOrigin {
  Location where;
  std::string owner;         // "sg-app", "acl-lb"
  std::string label;         // "rule 100" (ACL), "inbound rule 2" (SG, 1-based as listed)
  std::uint32_t number = 0;  // the number in the label: the ACL rule number (Huawei: its
                             // place in the list), the SG rule's 1-based place
  std::string text;          // the rule as written: "tcp 8080 from sg-lb"
  RuleAction action = RuleAction::kAllow;
};

// The rules of one hook.
struct Policy {
  classifier::RuleSet rules;  // rules[i].id indexes origins
  std::vector<RuleOrigin> origins;
  // What the default action is, in words, for reports: "no rule of sg-app, sg-web allows it
  // (security groups deny by default)", "the `*` rule of acl-priv denies it (no numbered rule
  // matches)", "the VPC default network ACL allows all".
  std::string default_text;
  std::vector<std::string> owners;  // the groups (in binding order) or the ACL of this hook;
                                    // empty for a subnet on the VPC default ACL
  bool stateful = false;            // SGs always; huawei network ACLs too
  // AWS untracked flows (EC2 guide, "Untracked connections"): whether this policy allows all
  // ports of tcp / udp to or from the whole address space of a family; [family v4=0 v6=1][tcp=0 udp=1].
  std::array<std::array<bool, 2>, 2> all_ports_anywhere{};
  // Per compiled rule: its peer is the whole address space of its family (0.0.0.0/0, ::/0).
  std::vector<bool> rule_from_anywhere;
};

struct CompiledPolicy {
  Policy policy;
  std::unique_ptr<const classifier::Classifier> classifier;
};

// A decision at one hook.
struct Decision {
  bool allowed = false;
  classifier::RuleIndex rule = classifier::kNoMatch;  // index into policy.rules; kNoMatch = default
};

Decision decide(const CompiledPolicy& policy, const net::FiveTuple& key) noexcept;

struct CompileOptions {
  std::string algorithm = "auto";
};

// All hooks of a scenario. policy(hook) is nullptr where nothing filters: an interface with no
// security groups (an NLB created without them: "all client traffic can reach the listeners",
// ELB NLB guide, "Security groups"), or a subnet in EC2-Classic.
class PolicySet {
 public:
  const CompiledPolicy* policy(Hook hook) const noexcept;
  std::size_t distinct_policies() const noexcept { return policies_.size(); }

 private:
  friend net::Result<PolicySet> compile_policies(const Scenario&, const CompileOptions&, std::size_t);
  std::vector<std::shared_ptr<const CompiledPolicy>> policies_;
  // Per interface: [egress, ingress] policy index; per subnet: [out, in]; kNone = unfiltered.
  std::vector<std::array<std::uint32_t, 2>> interface_policy_;
  std::vector<std::array<std::uint32_t, 2>> subnet_policy_;
};

// Lowers and compiles every hook of `scenario` with its first `events_applied` events applied.
// Errors: an event, applied or not, that revokes a rule its group does not have at that time
// (located at the event); rules the classifier rejects (a bug in lowering, reported, not
// asserted).
net::Result<PolicySet> compile_policies(const Scenario& scenario, const CompileOptions& options = {},
                                        std::size_t events_applied = 0);

// Inline: judging a packet asks for a hook's policy at every hook it crosses.
inline const CompiledPolicy* PolicySet::policy(Hook hook) const noexcept {
  const bool sg = hook.kind == HookKind::kSgEgress || hook.kind == HookKind::kSgIngress;
  const auto& table = sg ? interface_policy_ : subnet_policy_;
  if (hook.owner >= table.size()) return nullptr;
  const std::size_t side = hook.kind == HookKind::kSgEgress || hook.kind == HookKind::kNaclOut ? 0 : 1;
  const std::uint32_t index = table[hook.owner][side];
  return index < policies_.size() ? policies_[index].get() : nullptr;
}

}  // namespace pfsim::engine
