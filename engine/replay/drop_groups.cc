// engine/replay/drop_groups.cc — DropGroups (engine/replay/internal/drop_groups.h): drop
// grouping and example choice; the fix text a drop report suggests is fix_for's
// (engine/analysis/fix.h).
#include "engine/replay/internal/drop_groups.h"

#include <algorithm>
#include <limits>
#include <optional>

#include "engine/analysis/fix.h"
#include "net/format.h"
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

// Where a packet that came in VXLAN was seen (replay.h, SeenAt).
SeenAt seen_at_of(const Scenario& scenario, std::uint32_t vni) {
  const TrafficMirrorSession* session = mirror_session_of(scenario, vni);
  return SeenAt{vni, session != nullptr ? scenario.interfaces[session->interface].id : ""};
}

}  // namespace

bool drop_group_before(const DropGroup& a, const DropGroup& b) noexcept {
  return std::tie(a.cls, a.hook, a.rule.id) < std::tie(b.cls, b.hook, b.rule.id);
}

bool same_drop_group(const DropGroup& a, const DropGroup& b) noexcept {
  return a.cls == b.cls && a.hook == b.hook && a.rule.id == b.rule.id;
}

bool example_before(const DropGroup& a, const DropGroup& b) noexcept { return example_key(a) < example_key(b); }

std::size_t DropGroups::record(const DroppedPacket& drop, std::int64_t trace_start_ns) {
  const HookVerdict& verdict = drop.verdict;
  const Packet& packet = drop.packet;
  const DropGroupKey key{drop.cls, verdict.hook, verdict.policy,
                         verdict.how == DecidedBy::kRule ? verdict.rule : classifier::kNoMatch};
  std::size_t index = 0;
  if (auto it = by_key_.find(key); it != by_key_.end()) {
    index = it->second;
  } else {
    DecidingRule rule = deciding_rule(verdict);
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
  const bool vxlan = drop.captured != nullptr && drop.captured->has_vxlan_vni;
  if (vxlan && std::none_of(group.seen_at.begin(), group.seen_at.end(),
                            [&](const SeenAt& s) { return s.vni == drop.captured->vxlan_vni; })) {
    group.seen_at.push_back(seen_at_of(scenario_, drop.captured->vxlan_vni));
    std::sort(group.seen_at.begin(), group.seen_at.end());
  }
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
    group.example.community_id =
        drop.captured != nullptr ? pcap::community_id(*drop.captured) : pcap::community_id(packet.tuple);
    group.example.time_s = seconds_after(packet.ts_ns, trace_start_ns);
    group.example.seen_at = vxlan ? std::optional(seen_at_of(scenario_, drop.captured->vxlan_vni)) : std::nullopt;
    const std::optional<Fix> fix = fix_for(scenario_, verdict, packet, drop.cls, drop.reply);
    group.fix = fix ? fix_text(*fix) : "";
  }
  return index;
}

void DropGroups::broken(std::size_t index, std::int64_t ts_ns, std::int64_t trace_start_ns) {
  DropGroup& group = groups_[index];
  const double t = seconds_after(ts_ns, trace_start_ns);
  group.broken_first_s = group.flows_broken == 0 ? t : std::min(group.broken_first_s, t);
  group.broken_last_s = group.flows_broken == 0 ? t : std::max(group.broken_last_s, t);
  ++group.flows_broken;
}

void DropGroups::after_drop(std::size_t index, std::int64_t ts_ns, std::int64_t trace_start_ns) {
  DropGroup& group = groups_[index];
  ++group.after_drop;
  group.broken_last_s = std::max(group.broken_last_s, seconds_after(ts_ns, trace_start_ns));
}

std::vector<DropGroup> DropGroups::finish() {
  for (std::size_t i = 0; i < groups_.size(); ++i) groups_[i].flows = flows_[i].size();
  std::vector<DropGroup> groups = std::move(groups_);
  std::sort(groups.begin(), groups.end(), drop_group_before);
  return groups;
}

std::string DropGroups::owner_location(Hook hook) const {
  if (hook.kind == HookKind::kSgIngress || hook.kind == HookKind::kSgEgress) {
    const NetworkInterface& i = scenario_.interfaces[hook.owner];
    if (!i.groups.empty()) return format_location(scenario_.groups[i.groups.front()].where);
    if (i.lb != kNone && !scenario_.load_balancers[i.lb].groups.empty())
      return format_location(scenario_.groups[scenario_.load_balancers[i.lb].groups.front()].where);
    return format_location(i.where);
  }
  const Subnet& subnet = scenario_.subnets[hook.owner];
  if (subnet.acl != kNone) return format_location(scenario_.acls[subnet.acl].where);
  return format_location(subnet.where);
}

}  // namespace pfsim::engine::internal
