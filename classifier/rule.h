// classifier/rule.h — multi-field rules and rule sets, the classifier's input.
//
// A Rule matches a FiveTuple when every field is inside the rule's range:
//   family      equal (an IPv4 rule never matches IPv6 traffic, and the reverse);
//   src, dst    inclusive address ranges (CIDR blocks or arbitrary ranges);
//   proto       exact value, or any (`proto_any`);
//   sport, dport inclusive 16-bit ranges.
// ICMP type/code: for ICMP (1) and ICMPv6 (58) the port fields carry the ICMP message type
// (sport) and code (dport), so "ICMP type 3 code 4" is sport [3,3], dport [4,4] and "any ICMP"
// is both ranges full (the Open vSwitch convention: tp_src = type, tp_dst = code). Keys carry
// types and codes of 0..255, so the part of a rule's range above 255 simply never matches.
//
// Best match: among the matching rules, the lowest `priority` number wins; equal priorities go
// to the lower index in the RuleSet. No match: the RuleSet's default action applies.
//
// `id` is opaque to the classifier: it leads back to where the rule came from (a ClassBench
// line number, a scenario rule) and is reported, never interpreted.
//
// Example:
//   RuleSet set;
//   Rule r;                       // any-any, all ports
//   r.family = Family::kIpv4;
//   r.src = AddressRange::any(Family::kIpv4); r.dst = prefix_range(Family::kIpv4, ip4(10,0,0,0), 8);
//   r.proto = kProtoTcp; r.dport = PortRange::single(443); r.priority = 100; r.action = Action::kAllow;
//   set.rules.push_back(r);
//   if (auto status = validate(set); !status) report(status.error());
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "net/address.h"
#include "net/error.h"
#include "net/five_tuple.h"

namespace pfsim::classifier {

using net::AddressRange;
using net::Family;
using net::FiveTuple;
using net::PortRange;

enum class Action : std::uint8_t { kAllow, kDeny };

// Index of a rule in its RuleSet; kNoMatch when no rule matches.
using RuleIndex = std::uint32_t;
inline constexpr RuleIndex kNoMatch = ~RuleIndex{0};

struct Rule {
  Family family = Family::kIpv4;
  AddressRange src = AddressRange::any(Family::kIpv4);
  AddressRange dst = AddressRange::any(Family::kIpv4);
  PortRange sport = PortRange::any();
  PortRange dport = PortRange::any();
  std::uint8_t proto = 0;
  bool proto_any = true;
  std::uint32_t priority = 0;  // lower wins
  Action action = Action::kAllow;
  std::uint64_t id = 0;  // provenance, opaque here

  friend bool operator==(const Rule&, const Rule&) = default;
};

// Whether `rule` matches `key` (the definition every algorithm must agree with).
constexpr bool matches(const Rule& rule, const FiveTuple& key) noexcept {
  return rule.family == key.family && rule.src.contains(key.src) && rule.dst.contains(key.dst) &&
         (rule.proto_any || rule.proto == key.proto) && rule.sport.contains(key.sport) &&
         rule.dport.contains(key.dport);
}

// Whether rule a beats rule b (a at index ia, b at index ib) when both match.
constexpr bool beats(std::uint32_t priority_a, RuleIndex ia, std::uint32_t priority_b, RuleIndex ib) noexcept {
  return priority_a < priority_b || (priority_a == priority_b && ia < ib);
}

// An ordered list of rules plus the action taken when none matches. Editing a RuleSet does
// not change classifiers already built from it: rebuild (classifier.h) to apply changes.
struct RuleSet {
  std::vector<Rule> rules;
  Action default_action = Action::kDeny;
};

// Checks every rule's invariants: lo <= hi in each range, addresses inside their family's
// space. The error names the rule ("rule #12 (id 40):
// source range is empty"); it has no file position, which belongs to whoever read the rules.
net::Status validate(const RuleSet& set);

// "tcp 10.0.0.0/8 -> 192.168.1.0/24 sport 0-65535 dport 443 allow prio 5" — for messages.
std::string describe(const Rule& rule);

}  // namespace pfsim::classifier
