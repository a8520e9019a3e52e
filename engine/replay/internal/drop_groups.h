// engine/replay/internal/drop_groups.h — the replay's drops grouped by where and why, with an
// example packet and a suggested fix each; and the group order and identity that
// merge_report() shares (engine/replay/replay_merge.cc).
//
// What: a drop group is (class, hook, deciding rule or the hook's default) as the report names
// them; it counts its packets and distinct flows and keeps one example: the first captured
// packet, failing one the earliest synthesized packet (ties by its text), so that merged shards
// pick the same one as a single run.
//
// Key idea: the report's key is made of strings (the hook's and the rule's names), which cost
// an allocation or more per drop, so each drop is first looked up by its DropGroupKey — the
// class, the hook, the policy and the rule index, all plain values — and only the first drop of
// each key makes the strings. Two keys may name one group (one rule text in two epochs' policies).
//
// Cost: a drop costs a map lookup by DropGroupKey and a hash-set insert of its flow; an example
// taken (the first of a group, a synthesized one earlier than the last) formats its flow,
// Community ID and fix. Memory: the groups and one flow key per distinct dropped flow.
//
// Thread-safety: none; one DropGroups per ReplayEngine.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <unordered_set>
#include <vector>

#include "engine/model/scenario.h"
#include "engine/replay/internal/replay_keys.h"
#include "engine/replay/replay.h"
#include "engine/sim/judge.h"
#include "engine/sim/packet.h"
#include "engine/sim/traffic_class.h"
#include "pcap/flow_key.h"
#include "pcap/packet.h"

namespace pfsim::engine::internal {

// What a drop is grouped by before its strings are known.
struct DropGroupKey {
  TrafficClass cls = TrafficClass::kOther;
  Hook hook;
  const CompiledPolicy* policy = nullptr;
  classifier::RuleIndex rule = classifier::kNoMatch;  // kNoMatch: the hook's default

  friend bool operator<(const DropGroupKey& a, const DropGroupKey& b) noexcept {
    return std::tie(a.cls, a.hook.kind, a.hook.owner, a.policy, a.rule) <
           std::tie(b.cls, b.hook.kind, b.hook.owner, b.policy, b.rule);
  }
};

// One dropped packet, as the judge saw it.
struct DroppedPacket {
  TrafficClass cls = TrafficClass::kOther;
  const HookVerdict& verdict;                     // the deciding hook's
  const Packet& packet;                           // as judged on the leg
  const pcap::FlowKey& flow;                      // its captured (or synthesized) flow
  bool reply = false;                             // a reply of its flow (for the fix)
  const pcap::DecodedPacket* captured = nullptr;  // null: synthesized
};

class DropGroups {
 public:
  explicit DropGroups(const Scenario& scenario) : scenario_(scenario) {}

  // Counts `drop` in its group and returns the group's index; `trace_start_ns`: the first
  // packet's time (example times).
  std::size_t record(const DroppedPacket& drop, std::int64_t trace_start_ns);

  // Group `index` broke a flow whose packet at `ts_ns` it dropped (the flow's opening), or a
  // packet of a flow it broke came at `ts_ns` after the drop (replay.h, "Dead flows").
  void broken(std::size_t index, std::int64_t ts_ns, std::int64_t trace_start_ns);
  void after_drop(std::size_t index, std::int64_t ts_ns, std::int64_t trace_start_ns);

  // The hook name of group `index` ("nacl-out(app-a)").
  const std::string& hook(std::size_t index) const noexcept { return groups_[index].hook; }

  // The groups, with their flow counts, in report order (drop_group_before); moved out.
  std::vector<DropGroup> finish();

 private:
  std::string owner_location(Hook hook) const;

  // The report's identity of a group: class, hook name, rule id.
  using GroupName = std::tuple<TrafficClass, std::string, std::string>;

  const Scenario& scenario_;
  std::map<DropGroupKey, std::size_t> by_key_;
  std::map<GroupName, std::size_t> by_name_;
  std::vector<DropGroup> groups_;
  std::vector<std::unordered_set<pcap::FlowKey, FlowKeyHash>> flows_;  // per group
  std::vector<bool> example_synthesized_;                              // the group's example has no capture index
};

// The order of a report's drop groups (replay.h): by class, hook, rule id.
bool drop_group_before(const DropGroup& a, const DropGroup& b) noexcept;
// Whether `a` and `b` (of two shards' reports) are the same group.
bool same_drop_group(const DropGroup& a, const DropGroup& b) noexcept;
// Whether `a`'s example comes before `b`'s: captured first (by index), then time, then text.
bool example_before(const DropGroup& a, const DropGroup& b) noexcept;

}  // namespace pfsim::engine::internal
