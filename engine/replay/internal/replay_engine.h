// engine/replay/internal/replay_engine.h — the serial, in-order half of `pfsim replay`: connection
// tracking, final verdicts and accounting for one decoded packet at a time (engine/replay/replay.h
// states the semantics). engine/replay/replay_pipeline.cc feeds it batches decoded in parallel; the
// tests of engine/replay/replay.h exercise it through run_replay().
//
// Its parts, each in its own file under engine/replay/internal/:
//   lb_router.h        which legs a captured header crosses (LB routing)
//   route_cache.h      a route per flow direction, and the fast path past the judge
//   health_schedule.h  the health-check series: carried or synthesized, and the targets' health
//   drop_groups.h      the drops grouped by where and why, with examples and fixes
//   fragment_ports.h   later fragments given their datagram's ports (used by the pipeline)
// The engine itself judges: captured packets along their route's steps (the later packets of a
// flow whose opening SYN was dropped counted after that drop, unjudged), the synthesized
// health checks (at finish(), on their own connection tracking), and the router's ICMP errors
// where a DF packet is too long (PMTU), and counts.
//
// Not thread-safe: one ReplayEngine per flow shard, driven from one serial pipeline stage.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/model/scenario.h"
#include "engine/policy/policy.h"
#include "engine/replay/internal/drop_groups.h"
#include "engine/replay/internal/health_schedule.h"
#include "engine/replay/internal/lb_router.h"
#include "engine/replay/internal/replay_keys.h"
#include "engine/replay/internal/route_cache.h"
#include "engine/replay/replay.h"
#include "engine/sim/conntrack.h"
#include "engine/sim/judge.h"
#include "engine/sim/packet.h"
#include "engine/sim/traffic_class.h"
#include "pcap/flow_key.h"
#include "pcap/packet.h"

namespace pfsim::engine::internal {

// The hash a packet (decoded, record fields set, fragments resolved) is sharded by: its flow's
// symmetric hash (pcap::flow_key: ICMP errors by the quoted flow), or its index for a packet
// without a flow (not IP).
std::uint64_t flow_hash(const pcap::DecodedPacket& packet) noexcept;

// The shard (of `shard_count`) of a packet with this flow_hash(): the hash modulo shard_count.
std::uint64_t shard_of(std::uint64_t flow_hash, std::uint64_t shard_count) noexcept;

// The policies of every event epoch (the first n events applied for epoch n), compiled once
// and shared, read-only, by the replay's engines.
using Epochs = std::vector<PolicySet>;
net::Result<std::shared_ptr<const Epochs>> compile_epochs(const Scenario& scenario, const ReplayOptions& options);

class ReplayEngine {
 public:
  static std::unique_ptr<ReplayEngine> create(const Scenario& scenario, const ReplayOptions& options,
                                              std::shared_ptr<const Epochs> epochs);

  // Notes the time of the packets read (in or out of the shard), in order: starts the trace
  // and applies the events due up to `ts_ns`. Calling it with the running maximum of the
  // times read so far before each packet of the shard (and with the last one at the end) is
  // the same as calling it for every packet read, since it only ever looks at the largest time
  // it was given.
  void advance(std::int64_t ts_ns) {
    if (ts_ns >= due_ns_) advance_to(ts_ns);
  }

  // Judges and accounts one packet of the shard (shard_of() tells which packets are) and
  // returns whether any of its legs dropped it.
  bool process(const pcap::DecodedPacket& packet);

  // A batch of the pipeline: advance() and process() for the packets i with engine[i] == me,
  // in order, with upto_ns[i] the running maximum of the times read; dropped[i] set to 1 for
  // those some leg dropped. It prefetches the decoded packets a few ahead, since a packet's
  // first touch (decoded on another thread, or long ago) is a large share of process()'s
  // time (bench/RESULTS.md, "Replay: fewer cache lines a packet").
  void judge_batch(std::span<const pcap::DecodedPacket> decoded, std::span<const std::int64_t> upto_ns,
                   std::span<const std::uint32_t> engine, std::uint32_t me, std::span<std::uint8_t> dropped);

  // Ends the replay: the synthesized health checks of the series not in `carried` (those the
  // captures carry, indexed as HealthSchedule's series: from every packet read), the targets'
  // health and warnings; moves the report out.
  ReplayReport finish(const std::vector<bool>& carried, bool truncated_tail_warning, const std::string& truncated_file);

 private:
  ReplayEngine(const Scenario& scenario, const ReplayOptions& options, std::shared_ptr<const Epochs> epochs);

  struct PmtuHole {
    std::string flow;
    std::string community_id;
    std::string hook;
    std::uint64_t errors = 0;
    std::uint64_t first_packet = 0;
  };
  // The captured packet a leg judges, with what every leg of its route shares.
  struct CapturedPacket {
    const pcap::DecodedPacket& decoded;
    const pcap::FlowKey& flow;
    TrafficClass cls = TrafficClass::kOther;
    bool df = false;  // DF set (every IPv6 packet)
  };

  // A flow broken by the drop of its opening SYN (replay.h, "Dead flows").
  struct DeadFlow {
    std::size_t group = 0;  // the DropGroups index of the drop that broke it
    net::Ip128 initiator;   // the SYN's sender (its retransmissions are judged again)
    std::uint16_t initiator_port = 0;
    std::int64_t last_ns = 0;  // its newest packet
  };

  // advance() when something is due: the trace starts or an event applies.
  void advance_to(std::int64_t ts_ns);
  // A captured packet of a broken flow: counted after its drop; whether it was (true) or is a
  // retransmitted SYN to judge again (`retransmit` set).
  bool after_drop(const pcap::DecodedPacket& d, const pcap::FlowKey& flow, TrafficClass cls, bool opening,
                  bool& retransmit);
  // After judging an opening SYN: a drop breaks its flow, a pass revives a broken one.
  void note_opening(const pcap::DecodedPacket& d, const pcap::FlowKey& flow, bool retransmit);
  // A captured packet of a health-check series the captures carry (HealthSchedule::record_captured).
  void record_captured_check(const net::FiveTuple& header, const pcap::FlowKey& flow, std::int64_t ts_ns);
  const PolicySet& policies() const noexcept { return (*epochs_)[epoch_]; }
  static net::FiveTuple tuple_of(const pcap::DecodedPacket& d) noexcept;
  Packet to_packet(const pcap::DecodedPacket& d) const noexcept;
  void plan_route(Route& route);
  // The slot of `header`'s route, made (and the cache grown) when there is none, its plans
  // those of the current epoch.
  std::size_t route_for(const net::FiveTuple& header, std::uint64_t hash);
  // process() past the fast path: the packet's legs judged, its route's fast path armed.
  bool judge_captured(const pcap::DecodedPacket& d, bool df);
  // One step of a captured packet's route: `packet` with the step's header; whether it passed.
  bool judge_leg(Step& step, const Packet& packet, bool reply, const CapturedPacket& captured);
  // `too_big` (DF set, longer than its leg's MTU) makes the router send an ICMP error back.
  void pmtu(const Leg& leg, const Packet& too_big, const pcap::FlowKey& flow, const pcap::DecodedPacket* captured);
  void count(TrafficClass cls, bool allowed);
  HealthCheckResult run_health_check(const HealthSeries& series, std::int64_t ts_ns);

  const Scenario& scenario_;
  ReplayOptions options_;
  const bool fast_path_;  // options_.fast_path, read for every packet
  std::shared_ptr<const Epochs> epochs_;
  std::size_t epoch_ = 0;
  ConntrackTable conntrack_;
  ReplayReport report_;

  LbRouter router_;
  RouteCache routes_;
  HealthSchedule health_;
  // Whether captured health checks make health (HealthChecks kAuto, kCaptured).
  const bool record_checks_;
  // The synthesized checks' connection tracking: they are the LB's own connections and meet no
  // captured flow, and they run after the captures, in their own time order.
  ConntrackTable health_conntrack_;
  DropGroups drops_;

  bool started_ = false;
  std::int64_t first_ns_ = 0;
  std::int64_t latest_ns_ = std::numeric_limits<std::int64_t>::min();  // the largest time read
  // The earliest time at which advance() has something to do (the first call always has).
  std::int64_t due_ns_ = std::numeric_limits<std::int64_t>::min();
  std::vector<std::int64_t> event_ns_;

  std::unordered_map<pcap::FlowKey, PmtuHole, FlowKeyHash> holes_;
  std::unordered_map<pcap::FlowKey, DeadFlow, FlowKeyHash> dead_;
  std::array<MalformedCount, pcap::kMalformedKinds> malformed_{};
  bool current_dropped_ = false;
  std::size_t current_drop_group_ = 0;  // the DropGroups index of the current packet's drop
};

}  // namespace pfsim::engine::internal
