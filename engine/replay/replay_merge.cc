// engine/replay/replay_merge.cc — merge_report() and finish_merge() (engine/replay/replay.h): shard reports
// summed into one, for run_replay's flow shards and `pfsim merge`.
#include <algorithm>
#include <limits>
#include <tuple>

#include "engine/replay/replay.h"

namespace pfsim::engine {
namespace {

int health_rank(const std::string& h) {
  if (h == "unhealthy") return 3;
  if (h == "healthy") return 2;
  if (h == "unknown") return 1;
  return 0;
}

// The example order of replay.h: captured first (by index), then time, then text.
std::tuple<std::uint64_t, double, const std::string&> example_key(const DropGroup& g) {
  return {g.first_packet == 0 ? std::numeric_limits<std::uint64_t>::max() : g.first_packet, g.example.time_s,
          g.example.flow};
}

}  // namespace

void merge_report(ReplayReport& into, ReplayReport part) {
  into.packets_read += part.packets_read;
  into.packets_evaluated += part.packets_evaluated;
  into.packets_malformed += part.packets_malformed;
  into.packets_non_ip += part.packets_non_ip;
  for (MalformedCount& m : part.malformed) {
    auto it = std::find_if(into.malformed.begin(), into.malformed.end(), [&](const auto& x) { return x.kind == m.kind; });
    if (it == into.malformed.end()) {
      into.malformed.push_back(std::move(m));
      continue;
    }
    it->count += m.count;
    it->first.insert(it->first.end(), m.first.begin(), m.first.end());
    std::sort(it->first.begin(), it->first.end());
    if (it->first.size() > kMalformedSamples) it->first.resize(kMalformedSamples);
  }
  for (std::size_t c = 0; c < kTrafficClasses; ++c) {
    into.classes[c].allowed += part.classes[c].allowed;
    into.classes[c].dropped += part.classes[c].dropped;
  }
  for (DropGroup& g : part.drops) {
    auto it = std::find_if(into.drops.begin(), into.drops.end(), [&](const DropGroup& m) {
      return m.cls == g.cls && m.hook == g.hook && m.rule.id == g.rule.id;
    });
    if (it == into.drops.end()) {
      into.drops.push_back(std::move(g));
      continue;
    }
    it->packets += g.packets;
    it->flows += g.flows;
    if (example_key(g) < example_key(*it)) {
      it->example = std::move(g.example);
      it->first_packet = g.first_packet;
      it->fix = std::move(g.fix);
    }
  }
  for (ReplayTarget& t : part.targets) {
    auto it = std::find_if(into.targets.begin(), into.targets.end(), [&](const ReplayTarget& m) {
      return m.target_group == t.target_group && m.target == t.target;
    });
    if (it == into.targets.end()) {
      into.targets.push_back(std::move(t));
      continue;
    }
    const int a = health_rank(t.health);
    const int b = health_rank(it->health);
    if (a > b || (a == b && a == 3 && t.reason < it->reason)) *it = std::move(t);
  }
  into.warnings.insert(into.warnings.end(), part.warnings.begin(), part.warnings.end());
  into.seconds += part.seconds;
  into.threads = std::max(into.threads, part.threads);
}

void finish_merge(ReplayReport& merged) {
  std::sort(merged.drops.begin(), merged.drops.end(), [](const DropGroup& a, const DropGroup& b) {
    return std::tie(a.cls, a.hook, a.rule.id) < std::tie(b.cls, b.hook, b.rule.id);
  });
  std::sort(merged.warnings.begin(), merged.warnings.end());
  merged.warnings.erase(std::unique(merged.warnings.begin(), merged.warnings.end()), merged.warnings.end());
  std::sort(merged.malformed.begin(), merged.malformed.end(),
            [](const MalformedCount& a, const MalformedCount& b) { return a.kind < b.kind; });
}

}  // namespace pfsim::engine
