// engine/replay/replay_merge.cc — merge_report() and finish_merge() (engine/replay/replay.h): shard reports
// summed into one, for run_replay's flow shards and `pfsim merge`.
#include <algorithm>

#include "engine/replay/internal/drop_groups.h"
#include "engine/replay/internal/health_schedule.h"
#include "engine/replay/replay.h"

namespace pfsim::engine {
namespace {

int health_rank(Health h) {
  switch (h) {
    case Health::kUnhealthy:
      return 3;
    case Health::kHealthy:
      return 2;
    case Health::kUnknown:
      return 1;
    case Health::kUnused:
      return 0;
  }
  return 0;
}

}  // namespace

void merge_report(ReplayReport& into, ReplayReport part) {
  into.packets_read += part.packets_read;
  into.packets_evaluated += part.packets_evaluated;
  into.packets_malformed += part.packets_malformed;
  into.packets_non_ip += part.packets_non_ip;
  into.packets_unmatched += part.packets_unmatched;
  for (MalformedCount& malformed : part.malformed) {
    auto it = std::find_if(into.malformed.begin(), into.malformed.end(),
                           [&](const MalformedCount& kept) { return kept.kind == malformed.kind; });
    if (it == into.malformed.end()) {
      into.malformed.push_back(std::move(malformed));
      continue;
    }
    it->count += malformed.count;
    it->first.insert(it->first.end(), malformed.first.begin(), malformed.first.end());
    std::sort(it->first.begin(), it->first.end());
    if (it->first.size() > kMalformedSamples) it->first.resize(kMalformedSamples);
  }
  for (std::size_t c = 0; c < kTrafficClasses; ++c) {
    into.classes[c].allowed += part.classes[c].allowed;
    into.classes[c].dropped += part.classes[c].dropped;
    into.classes[c].after_drop += part.classes[c].after_drop;
  }
  for (DropGroup& group : part.drops) {
    auto it = std::find_if(into.drops.begin(), into.drops.end(),
                           [&](const DropGroup& kept) { return internal::same_drop_group(kept, group); });
    if (it == into.drops.end()) {
      into.drops.push_back(std::move(group));
      continue;
    }
    it->packets += group.packets;
    it->flows += group.flows;
    if (group.flows_broken > 0) {
      it->broken_first_s =
          it->flows_broken == 0 ? group.broken_first_s : std::min(it->broken_first_s, group.broken_first_s);
      it->broken_last_s =
          it->flows_broken == 0 ? group.broken_last_s : std::max(it->broken_last_s, group.broken_last_s);
    }
    it->flows_broken += group.flows_broken;
    it->after_drop += group.after_drop;
    it->seen_at.insert(it->seen_at.end(), group.seen_at.begin(), group.seen_at.end());
    std::sort(it->seen_at.begin(), it->seen_at.end());
    it->seen_at.erase(std::unique(it->seen_at.begin(), it->seen_at.end()), it->seen_at.end());
    if (internal::example_before(group, *it)) {
      it->example = std::move(group.example);
      it->first_packet = group.first_packet;
      it->fix = std::move(group.fix);
    }
  }
  for (ReplayTarget& target : part.targets) {
    auto it = std::find_if(into.targets.begin(), into.targets.end(), [&](const ReplayTarget& kept) {
      return kept.target_group == target.target_group && kept.target == target.target;
    });
    if (it == into.targets.end()) {
      into.targets.push_back(std::move(target));
      continue;
    }
    if (!target.checks.empty() || !it->checks.empty()) {
      internal::merge_target_checks(*it, target);  // exact: the nodes' last checks
      continue;
    }
    // Reports without the nodes' checks (of an earlier pfsim): the worst health.
    const int a = health_rank(target.health);
    const int b = health_rank(it->health);
    if (a > b || (a == b && a == 3 && target.reason < it->reason)) *it = std::move(target);
  }
  into.health_checks = part.health_checks;  // the same in every shard of one replay
  into.warnings.insert(into.warnings.end(), part.warnings.begin(), part.warnings.end());
  into.seconds += part.seconds;
  into.threads = std::max(into.threads, part.threads);
}

void finish_merge(ReplayReport& merged) {
  std::sort(merged.drops.begin(), merged.drops.end(), internal::drop_group_before);
  std::sort(merged.warnings.begin(), merged.warnings.end());
  merged.warnings.erase(std::unique(merged.warnings.begin(), merged.warnings.end()), merged.warnings.end());
  std::sort(merged.malformed.begin(), merged.malformed.end(),
            [](const MalformedCount& a, const MalformedCount& b) { return a.kind < b.kind; });
}

}  // namespace pfsim::engine
