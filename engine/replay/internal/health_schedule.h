// engine/replay/internal/health_schedule.h — the replay's health-check series: which ones the
// captures carry, when the others are synthesized, and what the last checks say about each
// target (engine/replay/replay.h, "Health checks", states the semantics).
//
// What: one series per (LB node, target) for every target group the node's LB serves (once
// per group, however many listeners use it; check.cc does the same), with the header its
// checks take (the node's backend-leg address to the target's address, health-check protocol
// and port). A series carried by the captures (carried_by(): at least one captured packet of
// its header, either way) gets its checks from the captured packets (record_captured(), a
// check per flow from the node); a series to synthesize is checked at the trace's first packet
// and every interval_s after it (at least 1 s) while the trace lasts (run_all()). A target is
// unhealthy when the last check of some node failed; the reason is the lexically smallest of
// those nodes' reasons, so that merged shards agree with one run.
//
// Key idea: the synthesized checks meet no captured flow (they are the LB's own connections),
// so they run after the captures, once every packet has said which series it carries; a
// captured packet costs a bit test of its ports (carried_by(), check_port()) and, on a
// health-check port, a hash probe per direction. Each series is synthesized in one shard by a
// fixed hash of (node, target, group), and its captured checks are counted in the shards of
// their flows, with their times, so that shards' reports merge exactly (merge_target_checks()).
//
// Cost: run_all() is linear in the checks it runs; memory one series per (node, target) pair
// and one index entry per distinct header. target_health() is linear in targets × series, once
// per replay.
//
// Thread-safety: const member functions may run concurrently (the pipeline's prepare stage
// asks carried_by() of its own schedule); one schedule per ReplayEngine otherwise.
#pragma once

#include <bitset>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/model/scenario.h"
#include "engine/replay/replay.h"
#include "net/five_tuple.h"
#include "pcap/flow_key.h"

namespace pfsim::engine::internal {

struct HealthSeries {
  LbIndex lb = kNone;
  InterfaceIndex node = kNone;
  TargetGroupIndex target_group = kNone;
  std::size_t target = 0;  // index in the group's targets
  const Listener* listener = nullptr;
  bool mine = true;  // synthesized in this shard
  // Synthesized checks.
  std::uint64_t count = 0;  // checks due so far (in or out of this shard)
  std::uint64_t ran = 0;    // checks of this shard that could be synthesized
  std::int64_t last_ns = 0;
  bool last_ok = true;
  std::string last_reason;
  // Captured checks (in this shard's flows).
  std::uint64_t captured = 0;
  std::int64_t captured_last_ns = 0;
  bool captured_ok = true;
  std::string captured_reason;
  pcap::FlowKey captured_flow{};  // the TCP or UDP flow of the last captured check
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

  std::size_t size() const noexcept { return series_.size(); }
  const HealthSeries& series(std::size_t i) const noexcept { return series_[i]; }

  // Whether `port` is some series' health-check port: a packet on none is carried by no series.
  bool check_port(std::uint16_t port) const noexcept { return ports_[port]; }

  // Calls `f(series index, from_node)` for every series whose header `t` is (from_node: the
  // node's request direction) or answers (the target's reply direction).
  template <typename F>
  void carried_by(const net::FiveTuple& t, F&& f) const {
    if (!ports_[t.dport] && !ports_[t.sport]) return;
    const auto visit = [&](const net::Ip128& src, const net::Ip128& dst, std::uint16_t dport, bool from_node) {
      if (!ports_[dport]) return;
      const auto it = index_.find(Header{src, dst, dport, t.proto, t.family});
      if (it == index_.end()) return;
      for (std::uint32_t s : it->second) f(std::size_t{s}, from_node);
    };
    visit(t.src, t.dst, t.dport, true);
    visit(t.dst, t.src, t.sport, false);
  }

  // A captured packet of series `s` (carried_by()) at `ts_ns`, of `flow` (TCP or UDP), from
  // the node or not; `drop_hook`: the hook that dropped it, or "" when it passed (or came after
  // a drop). A flow from the node other than the last check's starts the next check, unless it
  // comes within half an interval of that check's start.
  void record_captured(std::size_t s, const pcap::FlowKey& flow, bool from_node, std::int64_t ts_ns,
                       const std::string& drop_hook);

  // Runs the synthesized checks of this shard's series for which `synthesize(series index)`
  // holds, from `first_ns` every interval up to `last_ns`, in time order (series in scenario
  // order at equal times): `check(series, ts_ns)` -> HealthCheckResult.
  template <typename Synthesize, typename Check>
  void run_all(std::int64_t first_ns, std::int64_t last_ns, Synthesize&& synthesize, Check&& check) {
    std::vector<std::int64_t> next(series_.size(), std::numeric_limits<std::int64_t>::max());
    for (std::size_t i = 0; i < series_.size(); ++i)
      if (synthesize(i)) next[i] = first_ns;
    for (;;) {
      std::int64_t due = std::numeric_limits<std::int64_t>::max();
      for (std::int64_t n : next) due = std::min(due, n);
      if (due > last_ns) break;
      for (std::size_t i = 0; i < series_.size(); ++i) {
        if (next[i] != due) continue;
        HealthSeries& series = series_[i];
        if (series.mine) record(series, check(static_cast<const HealthSeries&>(series), due), due);
        ++series.count;
        next[i] += interval_ns(series);
      }
    }
  }

  // The targets of every target group, in scenario order, each with its nodes' checks: those
  // of series `captured[i]` from the captures, the others synthesized (health_of() then
  // decides). `first_ns`: the first packet's time (the checks' times are after it).
  std::vector<ReplayTarget> target_health(const std::vector<bool>& captured, std::int64_t first_ns) const;

 private:
  struct Header {
    net::Ip128 src, dst;
    std::uint16_t dport = 0;
    std::uint8_t proto = 0;
    net::Family family = net::Family::kIpv4;
    friend bool operator==(const Header&, const Header&) = default;
  };
  struct HeaderHash {
    std::size_t operator()(const Header& h) const noexcept;
  };

  std::int64_t interval_ns(const HealthSeries& series) const noexcept;
  static void record(HealthSeries& series, HealthCheckResult result, std::int64_t ts_ns);

  const Scenario& scenario_;
  std::vector<HealthSeries> series_;
  std::unordered_map<Header, std::vector<std::uint32_t>, HeaderHash> index_;
  std::bitset<65536> ports_;
};

// A target's health from its checks: "unhealthy" (with the lexically smallest reason) when the
// last check of some node failed, "healthy" when checks ran, "unknown" when none did, "unused"
// when it has none.
void health_of(ReplayTarget& target);

// Adds the checks of `part` (another shard's report of the same target) into `into`, node by
// node and source by source: counts add up and the later last check wins (at equal times a
// failed one, then the smaller reason); then health_of().
void merge_target_checks(ReplayTarget& into, const ReplayTarget& part);

}  // namespace pfsim::engine::internal
