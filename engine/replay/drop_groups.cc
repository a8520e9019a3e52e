// engine/replay/drop_groups.cc — DropGroups (engine/replay/internal/drop_groups.h): drop
// grouping, example choice and the fix text a drop report suggests.
#include "engine/replay/internal/drop_groups.h"

#include <algorithm>
#include <limits>

#include "engine/paths/lb_paths.h"
#include "engine/replay/internal/lb_router.h"
#include "net/format.h"
#include "net/protocols.h"
#include "net/time_units.h"
#include "pcap/flow_key.h"

namespace pfsim::engine::internal {
namespace {

double seconds_after(std::int64_t ts_ns, std::int64_t start_ns) noexcept {
  return static_cast<double>(ts_ns - start_ns) / static_cast<double>(net::kNsPerSecond);
}

// The example order of replay.h: captured first (by index), then time, then text.
std::tuple<std::uint64_t, double, const std::string&> example_key(const DropGroup& g) {
  return {g.first_packet == 0 ? std::numeric_limits<std::uint64_t>::max() : g.first_packet, g.example.time_s,
          g.example.flow};
}

}  // namespace

bool drop_group_before(const DropGroup& a, const DropGroup& b) noexcept {
  return std::tie(a.cls, a.hook, a.rule.id) < std::tie(b.cls, b.hook, b.rule.id);
}

bool same_drop_group(const DropGroup& a, const DropGroup& b) noexcept {
  return a.cls == b.cls && a.hook == b.hook && a.rule.id == b.rule.id;
}

bool example_before(const DropGroup& a, const DropGroup& b) noexcept { return example_key(a) < example_key(b); }

void DropGroups::record(const DroppedPacket& drop, std::int64_t trace_start_ns) {
  const HookVerdict& verdict = drop.verdict;
  const Packet& packet = drop.packet;
  const Policy& policy = verdict.policy->policy;
  const DropGroupKey key{drop.cls, verdict.hook, verdict.policy,
                         verdict.how == HookHow::kRule ? verdict.rule : classifier::kNoMatch};
  std::size_t index = 0;
  if (auto it = by_key_.find(key); it != by_key_.end()) {
    index = it->second;
  } else {
    DropRule rule;
    if (verdict.how == HookHow::kRule) {
      const RuleOrigin& origin = policy.origins[policy.rules.rules[verdict.rule].id];
      rule = {false, origin.owner + " " + origin.label, format_location(origin.where), origin.text};
    } else {
      rule = {true, "default", "", policy.default_text};
    }
    const std::string hook = hook_name(scenario_, verdict.hook);
    auto [named, inserted] = by_name_.try_emplace(GroupName{drop.cls, hook, rule.id}, groups_.size());
    if (inserted) {
      DropGroup group;
      group.cls = drop.cls;
      group.hook = hook;
      group.at = owner_location(verdict.hook);
      group.rule = std::move(rule);
      groups_.push_back(std::move(group));
      flows_.emplace_back();
      example_synthesized_.push_back(true);
    }
    index = named->second;
    by_key_.emplace(key, index);
  }
  DropGroup& group = groups_[index];
  const bool fresh = group.packets == 0;
  ++group.packets;
  flows_[index].insert(drop.flow);
  // The example: the first captured packet; failing one, the earliest synthesized packet
  // (ties by its text), so that merged shards pick the same one as a single run.
  bool take = false;
  if (drop.captured != nullptr) {
    take = example_synthesized_[index];
    if (take) group.first_packet = drop.captured->index;
  } else if (example_synthesized_[index]) {
    const double t = seconds_after(packet.ts_ns, trace_start_ns);
    take = fresh || t < group.example.time_s ||
           (t == group.example.time_s && net::format_five_tuple(packet.tuple) < group.example.flow);
  }
  if (take) {
    example_synthesized_[index] = drop.captured == nullptr;
    group.example.flow = net::format_five_tuple(packet.tuple);
    group.example.community_id = pcap::community_id(drop.captured != nullptr ? *drop.captured : header_of(packet.tuple));
    group.example.time_s = seconds_after(packet.ts_ns, trace_start_ns);
    group.fix = fix_for(verdict, packet, drop.reply);
  }
}

std::vector<DropGroup> DropGroups::finish() {
  for (std::size_t i = 0; i < groups_.size(); ++i) groups_[i].flows = flows_[i].size();
  std::vector<DropGroup> groups = std::move(groups_);
  std::sort(groups.begin(), groups.end(), drop_group_before);
  return groups;
}

std::string DropGroups::owner_location(Hook hook) const {
  if (hook.kind == HookKind::kSgIngress || hook.kind == HookKind::kSgEgress) {
    const Interface& i = scenario_.interfaces[hook.owner];
    if (!i.groups.empty()) return format_location(scenario_.groups[i.groups.front()].where);
    if (i.lb != kNone && !scenario_.lbs[i.lb].groups.empty()) return format_location(scenario_.groups[scenario_.lbs[i.lb].groups.front()].where);
    return format_location(i.where);
  }
  const Subnet& subnet = scenario_.subnets[hook.owner];
  if (subnet.acl != kNone) return format_location(scenario_.acls[subnet.acl].where);
  return format_location(subnet.where);
}

std::string DropGroups::fix_for(const HookVerdict& hv, const Packet& p, bool reply) const {
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
    if (subnet_of(scenario_, peer_address) != kNone)
      for (const net::IpRange& r : scenario_.vpc_cidrs)
        if (r.family == t.family) {
          peer = net::format_range(r.family, r.range);
          break;
        }
  } else {
    const InterfaceIndex i = interface_at(scenario_, peer_address);
    if (i != kNone && !scenario_.interfaces[i].groups.empty()) peer = scenario_.groups[scenario_.interfaces[i].groups.front()].id;
    else if (i != kNone && scenario_.interfaces[i].lb != kNone && !scenario_.lbs[scenario_.interfaces[i].lb].groups.empty())
      peer = scenario_.groups[scenario_.lbs[scenario_.interfaces[i].lb].groups.front()].id;
    else if (subnet_of(scenario_, peer_address) != kNone)
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

}  // namespace pfsim::engine::internal
