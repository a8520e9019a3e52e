// engine/replay/internal/health_schedule.h — when the replay synthesizes health checks, and
// what the last ones say about each target.
//
// What: one series per (LB node, target) for every target group the node's LB serves (once
// per group, however many listeners use it; check.cc does the same), checked at the trace's
// first packet and every interval_s after it (at least 1 s) while the trace lasts. A target is
// unhealthy when the last check of some node failed; the reason is the lexically smallest of
// those nodes' reasons, so that merged shards agree with one run (engine/replay/replay.h).
//
// Key idea: the series are kept in scenario order with the earliest time any of them is due,
// so that a packet costs the replay one compare (ReplayEngine::advance) until a check is due;
// each series belongs to one shard by a fixed hash of (node, target, group), so that shards
// run disjoint checks and their reports merge exactly.
//
// Cost: run_next() is linear in the series; memory one series per (node, target) pair.
// target_health() is linear in targets × series, once per replay.
//
// Thread-safety: none; one schedule per ReplayEngine.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "engine/model/scenario.h"
#include "engine/replay/replay.h"

namespace pfsim::engine::internal {

struct HealthSeries {
  LbIndex lb = kNone;
  InterfaceIndex node = kNone;
  TargetGroupIndex target_group = kNone;
  std::size_t target = 0;  // index in the group's targets
  const Listener* listener = nullptr;
  bool mine = true;  // in this shard
  std::int64_t next_ns = 0;
  std::uint64_t count = 0;  // checks due so far (in or out of this shard)
  bool ran = false;         // some check of this shard could be synthesized
  bool last_ok = true;
  std::string last_reason;
};

// What one synthesized check found.
struct HealthCheckResult {
  bool ran = false;  // false: no path to the target (nothing was judged)
  bool ok = true;
  std::string reason;  // when not ok: "health checks from <node> dropped at <hook>"
};

class HealthSchedule {
 public:
  // The series of `scenario`, those of shard `shard_index` of `shard_count` marked mine.
  HealthSchedule(const Scenario& scenario, std::uint32_t shard_index, std::uint32_t shard_count);

  // The trace starts at `first_ns`: every series is first due then.
  void start(std::int64_t first_ns) noexcept;

  // When the next check is due (after start()); the largest time when there are none.
  std::int64_t next_ns() const noexcept { return next_ns_; }

  // Runs the checks due at next_ns(): `check(series, ts_ns)` -> HealthCheckResult for each
  // series of this shard due then, in scenario order; schedules every due series' next check.
  template <typename Check>
  void run_next(Check&& check) {
    std::int64_t next = std::numeric_limits<std::int64_t>::max();
    for (HealthSeries& series : series_) {
      if (series.next_ns == next_ns_) {
        if (series.mine) record(series, check(static_cast<const HealthSeries&>(series), series.next_ns));
        series.next_ns += interval_ns(series);
        ++series.count;
      }
      next = std::min(next, series.next_ns);
    }
    next_ns_ = next;
  }

  // The targets of every target group, in scenario order: "unhealthy" (with the reason) when
  // the last check of some node failed, "healthy" when checks ran, "unknown" when the series
  // are in other shards or never found a path, "unused" when no LB checks the target.
  std::vector<ReplayTarget> target_health() const;

 private:
  std::int64_t interval_ns(const HealthSeries& series) const noexcept;
  static void record(HealthSeries& series, HealthCheckResult result);

  const Scenario& scenario_;
  std::vector<HealthSeries> series_;
  std::int64_t next_ns_ = std::numeric_limits<std::int64_t>::max();
};

}  // namespace pfsim::engine::internal
