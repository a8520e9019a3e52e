// engine/replay/health_schedule.cc — HealthSchedule (engine/replay/internal/health_schedule.h).
#include "engine/replay/internal/health_schedule.h"

#include <algorithm>
#include <tuple>

#include "engine/paths/lb_paths.h"
#include "engine/replay/internal/replay_keys.h"
#include "net/hash.h"
#include "net/protocols.h"
#include "net/time_units.h"

namespace pfsim::engine {

std::string_view health_checks_name(HealthChecks h) noexcept {
  switch (h) {
    case HealthChecks::kAuto:
      return "auto";
    case HealthChecks::kSynthesize:
      return "synthesize";
    case HealthChecks::kCaptured:
      return "captured";
    case HealthChecks::kOff:
      return "off";
  }
  return "auto";
}

std::optional<HealthChecks> parse_health_checks(std::string_view name) noexcept {
  for (HealthChecks h : {HealthChecks::kAuto, HealthChecks::kSynthesize, HealthChecks::kCaptured, HealthChecks::kOff})
    if (health_checks_name(h) == name) return h;
  return std::nullopt;
}

std::string health_from(const ReplayTarget& target) {
  bool captured = false;
  bool synthesized = false;
  for (const TargetCheck& c : target.checks) {
    if (c.checks == 0) continue;
    (c.captured ? captured : synthesized) = true;
  }
  if (captured && synthesized) return "captured+synthesized";
  return captured ? "captured" : (synthesized ? "synthesized" : "");
}

}  // namespace pfsim::engine

namespace pfsim::engine::internal {
namespace {

double seconds_after(std::int64_t ts_ns, std::int64_t start_ns) noexcept {
  return static_cast<double>(ts_ns - start_ns) / static_cast<double>(net::kNsPerSecond);
}

}  // namespace

std::size_t HealthSchedule::HeaderHash::operator()(const Header& h) const noexcept {
  return net::hash_words(
      0x6863 /* "hc" */, h.src.hi, h.src.lo, h.dst.hi, h.dst.lo,
      (std::uint64_t{h.dport} << 16) | (std::uint64_t{h.proto} << 8) | static_cast<std::uint64_t>(h.family));
}

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
        const TargetGroup& group = scenario.target_groups[listener.target_group];
        for (std::size_t t = 0; t < group.targets.size(); ++t) {
          HealthSeries series;
          series.lb = lb;
          series.node = node;
          series.target_group = listener.target_group;
          series.target = t;
          series.listener = &listener;
          const InterfaceIndex target = group.targets[t].interface;
          const std::uint64_t h = mix(mix(node) ^ (std::uint64_t{target} << 32) ^ listener.target_group);
          series.mine = h % shard_count == shard_index;
          // The header its checks take (the source port aside), as run_health_check() makes it.
          const std::uint16_t dport = health_check_port(scenario, listener.target_group, group.targets[t]);
          const std::uint8_t proto =
              group.health_check.protocol == AppProtocol::kUdpConnect ? net::kProtoUdp : net::kProtoTcp;
          if (auto leg = backend_leg(scenario, node, listener.target_group, group.targets[t], &listener, std::nullopt,
                                     0, dport, proto)) {
            index_[Header{leg->tuple.src, leg->tuple.dst, dport, proto, leg->tuple.family}].push_back(
                static_cast<std::uint32_t>(series_.size()));
            ports_.set(dport);
          }
          series_.push_back(std::move(series));
        }
      }
    }
  }
}

std::int64_t HealthSchedule::interval_ns(const HealthSeries& series) const noexcept {
  const std::uint32_t interval_s =
      std::max<std::uint32_t>(1, scenario_.target_groups[series.target_group].health_check.interval_s);
  return static_cast<std::int64_t>(interval_s) * net::kNsPerSecond;
}

void HealthSchedule::record(HealthSeries& series, HealthCheckResult result, std::int64_t ts_ns) {
  if (!result.ran) return;
  ++series.ran;
  series.last_ns = ts_ns;
  series.last_ok = result.ok;
  series.last_reason = std::move(result.reason);
}

void HealthSchedule::record_captured(std::size_t s, const pcap::FlowKey& flow, bool from_node, std::int64_t ts_ns,
                                     const std::string& drop_hook) {
  HealthSeries& series = series_[s];
  // A flow from the node other than the last check's starts the next check, unless it comes
  // within half an interval of that check's start.
  const bool known = series.captured > 0 && flow == series.captured_flow;
  if (from_node && !known) {
    if (series.captured == 0 || ts_ns - series.captured_last_ns >= interval_ns(series) / 2) {
      ++series.captured;
      series.captured_last_ns = ts_ns;
      series.captured_ok = true;
      series.captured_reason.clear();
    }
    series.captured_flow = flow;
  }
  if (series.captured == 0 || drop_hook.empty() || !series.captured_ok) return;
  series.captured_ok = false;
  series.captured_reason = "health checks from " + interface_name(scenario_, series.node) + " dropped at " + drop_hook +
                           (from_node ? "" : " (replies)");
}

std::vector<ReplayTarget> HealthSchedule::target_health(const std::vector<bool>& captured,
                                                        std::int64_t first_ns) const {
  std::vector<ReplayTarget> targets;
  for (TargetGroupIndex tg = 0; tg < scenario_.target_groups.size(); ++tg) {
    const TargetGroup& group = scenario_.target_groups[tg];
    for (std::size_t t = 0; t < group.targets.size(); ++t) {
      ReplayTarget out{group.id, scenario_.interfaces[group.targets[t].interface].id, Health::kUnused, "", {}};
      for (std::size_t s = 0; s < series_.size(); ++s) {
        const HealthSeries& series = series_[s];
        if (series.target_group != tg || series.target != t) continue;
        TargetCheck check;
        check.node = scenario_.interfaces[series.node].id;
        check.captured = captured[s];
        if (check.captured) {
          check.checks = series.captured;
          check.ok = series.captured_ok;
          check.reason = series.captured_reason;
          if (series.captured > 0) check.last_s = seconds_after(series.captured_last_ns, first_ns);
        } else if (series.mine && series.ran > 0) {
          check.checks = series.ran;
          check.ok = series.last_ok;
          check.reason = series.last_reason;
          check.last_s = seconds_after(series.last_ns, first_ns);
        }
        out.checks.push_back(std::move(check));
      }
      health_of(out);
      targets.push_back(std::move(out));
    }
  }
  return targets;
}

void health_of(ReplayTarget& target) {
  target.health = target.checks.empty() ? Health::kUnused : Health::kUnknown;
  target.reason.clear();
  for (const TargetCheck& c : target.checks) {
    if (c.checks == 0) continue;
    if (!c.ok) {
      if (target.health != Health::kUnhealthy || c.reason < target.reason) target.reason = c.reason;
      target.health = Health::kUnhealthy;
    } else if (target.health != Health::kUnhealthy) {
      target.health = Health::kHealthy;
    }
  }
}

void merge_target_checks(ReplayTarget& into, const ReplayTarget& part) {
  for (const TargetCheck& c : part.checks) {
    auto it = std::find_if(into.checks.begin(), into.checks.end(),
                           [&](const TargetCheck& kept) { return kept.node == c.node && kept.captured == c.captured; });
    if (it == into.checks.end()) {
      into.checks.push_back(c);
      continue;
    }
    if (c.checks == 0) continue;
    const std::uint64_t checks = it->checks + c.checks;
    // The later last check; at equal times a failed one, then the smaller reason.
    if (it->checks == 0 ||
        std::make_tuple(c.last_s, !c.ok, it->reason) > std::make_tuple(it->last_s, !it->ok, c.reason))
      *it = c;
    it->checks = checks;
  }
  health_of(into);
}

}  // namespace pfsim::engine::internal
