// engine/replay/health_schedule.cc — HealthSchedule (engine/replay/internal/health_schedule.h).
#include "engine/replay/internal/health_schedule.h"

#include <algorithm>

#include "engine/replay/internal/replay_keys.h"
#include "net/time_units.h"

namespace pfsim::engine::internal {
HealthSchedule::HealthSchedule(const Scenario& scenario, std::uint32_t shard_index, std::uint32_t shard_count)
    : scenario_(scenario) {
  for (LbIndex lb = 0; lb < scenario.load_balancers.size(); ++lb) {
    for (InterfaceIndex node : scenario.load_balancers[lb].nodes) {
      // Once per target group the LB serves, from every node to every target (check.cc does
      // the same).
      std::vector<TargetGroupIndex> done;
      for (const Listener& listener : scenario.load_balancers[lb].listeners) {
        if (listener.target_group == kNone || std::find(done.begin(), done.end(), listener.target_group) != done.end())
          continue;
        done.push_back(listener.target_group);
        for (std::size_t t = 0; t < scenario.target_groups[listener.target_group].targets.size(); ++t) {
          HealthSeries series;
          series.lb = lb;
          series.node = node;
          series.target_group = listener.target_group;
          series.target = t;
          series.listener = &listener;
          const InterfaceIndex target = scenario.target_groups[listener.target_group].targets[t].interface;
          const std::uint64_t h = mix(mix(node) ^ (std::uint64_t{target} << 32) ^ listener.target_group);
          series.mine = h % shard_count == shard_index;
          series_.push_back(std::move(series));
        }
      }
    }
  }
}

void HealthSchedule::start(std::int64_t first_ns) noexcept {
  for (HealthSeries& series : series_) series.next_ns = first_ns;
  next_ns_ = series_.empty() ? std::numeric_limits<std::int64_t>::max() : first_ns;
}

std::int64_t HealthSchedule::interval_ns(const HealthSeries& series) const noexcept {
  const std::uint32_t interval_s =
      std::max<std::uint32_t>(1, scenario_.target_groups[series.target_group].health_check.interval_s);
  return static_cast<std::int64_t>(interval_s) * net::kNsPerSecond;
}

void HealthSchedule::record(HealthSeries& series, HealthCheckResult result) {
  if (!result.ran) return;
  series.ran = true;
  series.last_ok = result.ok;
  series.last_reason = std::move(result.reason);
}

std::vector<ReplayTarget> HealthSchedule::target_health() const {
  std::vector<ReplayTarget> targets;
  for (TargetGroupIndex tg = 0; tg < scenario_.target_groups.size(); ++tg) {
    const TargetGroup& group = scenario_.target_groups[tg];
    for (std::size_t t = 0; t < group.targets.size(); ++t) {
      ReplayTarget out{group.id, scenario_.interfaces[group.targets[t].interface].id, Health::kUnused, ""};
      bool checked = false;
      bool ran = false;
      for (const HealthSeries& series : series_) {
        if (series.target_group != tg || series.target != t) continue;
        checked = true;
        if (!series.mine || !series.ran) continue;
        ran = true;
        if (!series.last_ok && (out.health != Health::kUnhealthy || series.last_reason < out.reason)) {
          out.health = Health::kUnhealthy;
          out.reason = series.last_reason;
        }
      }
      if (out.health != Health::kUnhealthy)
        out.health = !checked ? Health::kUnused : (ran ? Health::kHealthy : Health::kUnknown);
      targets.push_back(std::move(out));
    }
  }
  return targets;
}

}  // namespace pfsim::engine::internal
