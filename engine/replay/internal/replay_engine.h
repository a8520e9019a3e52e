// engine/replay/internal/replay_engine.h — the serial, in-order half of `pfsim replay`: connection
// tracking, final verdicts and accounting for one decoded packet at a time (engine/replay/replay.h
// states the semantics). engine/replay/replay_pipeline.cc feeds it batches decoded in parallel; the
// tests of engine/replay/replay.h exercise it through run_replay().
//
// Not thread-safe: one ReplayEngine per replay, driven from one serial pipeline stage.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "engine/model/scenario.h"
#include "engine/paths/lb_paths.h"
#include "engine/policy/policy.h"
#include "engine/replay/internal/chunked_vector.h"
#include "engine/replay/replay.h"
#include "engine/sim/conntrack.h"
#include "engine/sim/judge.h"
#include "engine/sim/packet.h"
#include "engine/sim/traffic_class.h"
#include "pcap/flow_key.h"
#include "pcap/packet.h"

namespace pfsim::engine::internal {

struct FlowKeyHash {
  std::size_t operator()(const pcap::FlowKey& k) const noexcept { return pcap::symmetric_hash(k); }
};

// The normalized flow of a header (both directions equal), as pcap::flow_key() would key it.
pcap::FlowKey flow_of(const net::FiveTuple& t) noexcept;

// Later fragments carry no ports: each gets its datagram's, from the first fragment with the
// same (family, addresses, protocol, IP id), so that it is judged, and sharded, with its flow.
// Fed every packet in capture order. Not thread-safe.
class FragmentPorts {
 public:
  // Gives a later fragment its first fragment's ports and returns whether it did (its flow
  // changed). Inline for the packets that are no fragment (nearly all): they only cost the test.
  bool resolve(pcap::DecodedPacket& packet) {
    return packet.has_ip && packet.fragment.is_fragment && resolve_fragment(packet);
  }

 private:
  bool resolve_fragment(pcap::DecodedPacket& packet);
  struct FragKey {
    net::Ip128 src, dst;
    std::uint32_t id = 0;
    std::uint8_t proto = 0;
    net::Family family = net::Family::kIpv4;
    friend bool operator==(const FragKey&, const FragKey&) = default;
  };
  struct FragKeyHash {
    std::size_t operator()(const FragKey& k) const noexcept;
  };
  std::unordered_map<FragKey, std::pair<std::uint16_t, std::uint16_t>, FragKeyHash> ports_;
};

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

  // Notes the time of the packets read (in or out of the shard), in order: applies events and
  // emits the health checks due up to `ts_ns`. Calling it with the running maximum of the
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
  // those some leg dropped. It prefetches the decoded packets a few ahead: their first touch
  // was half of process()'s time (perf, two threads).
  void judge_batch(std::span<const pcap::DecodedPacket> decoded, std::span<const std::int64_t> upto_ns,
                   std::span<const std::uint32_t> engine, std::uint32_t me, std::span<std::uint8_t> dropped);

  // Ends the replay: health and warnings; moves the report out.
  ReplayReport finish(bool truncated_tail_warning, const std::string& truncated_file);

 private:
  ReplayEngine(const Scenario& scenario, const ReplayOptions& options, std::shared_ptr<const Epochs> epochs);

  struct ListenerAt {
    InterfaceIndex node = kNone;
    const Listener* listener = nullptr;
  };
  struct AddrKey {
    net::Ip128 addr;
    std::uint16_t port = 0;
    std::uint8_t proto = 0;
    net::Family family = net::Family::kIpv4;
    friend bool operator==(const AddrKey&, const AddrKey&) = default;
  };
  struct AddrKeyHash {
    std::size_t operator()(const AddrKey& k) const noexcept;
  };
  struct HealthSeries {
    LbIndex lb = kNone;
    InterfaceIndex node = kNone;
    TargetGroupIndex tg = kNone;
    std::size_t target = 0;  // index in the group's targets
    const Listener* listener = nullptr;
    bool mine = true;        // in this shard
    std::int64_t next_ns = 0;
    std::uint64_t count = 0;
    bool ran = false;
    bool last_ok = true;
    std::string last_reason;
  };
  struct PmtuHole {
    std::string flow;
    std::string community_id;
    std::string hook;
    std::uint64_t errors = 0;
    std::uint64_t first_packet = 0;
  };
  // What a drop group is keyed by before its strings are known.
  using GroupCacheKey = std::tuple<int, int, std::uint32_t, const void*, std::uint32_t, int>;

  // A packet's way through the model, for one direction of a flow: up to two steps (through
  // the LB: the client leg and the backend leg, in the order the packet takes them), each a leg
  // with the header as it crosses it and its hooks' plan for an epoch. Everything in it is a
  // function of the packet's header (and of the epoch, for the plans), so it is made once per
  // flow direction and kept in the route cache; a packet then costs a cache probe and the
  // conntrack probes of its stateful hooks.
  struct Step {
    net::FiveTuple tuple;  // the header on this leg
    Leg leg;
    bool reply = false;    // a reply of its flow (for the fix a drop report suggests)
    bool src_is_b = false; // the tuple's src is side B of its conntrack key (ConntrackTable::src_is_b)
    std::uint64_t lb_connection = 0;  // the proxy's own backend connection (engine/sim/packet.h)
    std::uint32_t mtu = 0;            // of the segment the leg crosses (next_mtu)
    LegPlan plan{};
  };
  // A route's fast path (process()): when the last packet judged on it passed every hook, each
  // stateful hook by a flow seen at a known conntrack slot (HookPlan::conntrack_known_in), the
  // next one of the same header passes the same way — the stateless decisions are the plans',
  // fixed for the epoch — as long as those flows are live and neither the conntrack generation
  // nor the epoch changed (known_token()): it costs a liveness check and a refresh per stateful
  // hook instead of the judge. Not for ICMP headers, whose flows are keyed by more than the
  // header (the echo identifier).
  static constexpr std::size_t kMaxKnown = 4;
  struct Route {
    net::FiveTuple header;    // the captured header (the cache key)
    std::uint32_t epoch = 0;  // of the plans
    TrafficClass cls = TrafficClass::kOther;
    bool direct = false;      // judged between the endpoints its addresses name
    std::uint8_t steps = 0;
    std::array<Step, 2> step;
  };

  // The route cache's index: open addressing by route_hash(), at most half full, one cache line
  // a slot. A slot holds what a packet on the fast path reads besides its conntrack entries —
  // the header to compare, the class, the MTU bound and the known slots — so that such a packet
  // reads one line of the cache and nothing of its Route.
  struct alignas(64) RouteSlot {
    net::Ip128 src, dst;                 // the route's header (a FiveTuple's fields)
    std::uint16_t sport = 0, dport = 0;
    std::uint8_t proto = 0;
    net::Family family = net::Family::kIpv4;
    TrafficClass cls = TrafficClass::kOther;
    std::uint8_t known_hooks : 3 = 0;     // the fast path's stateful hooks, in known_slot
    std::uint8_t known_src_is_b : 4 = 0;  // bit k: hook k's packets come from side B of its key
    std::uint32_t route = 0;              // index in routes_ + 1; 0 = an empty slot
    std::uint16_t known_in = 0;           // the known_token() of the fast path; 0 = none
    // The least MTU of the route's steps, at most 65535: a longer DF packet goes to the judge,
    // which has a router send an ICMP error (a larger MTU only sends more packets there).
    std::uint16_t min_mtu = 0;
    std::array<ConntrackTable::Slot, kMaxKnown> known_slot{};

    bool holds(const net::FiveTuple& h) const noexcept {
      return route != 0 && src == h.src && dst == h.dst && sport == h.sport && dport == h.dport &&
             proto == h.proto && family == h.family;
    }
  };
  static_assert(sizeof(RouteSlot) == 64);

  // advance() when something is due: the trace starts, an event applies or a check runs.
  void advance_to(std::int64_t ts_ns);
  const PolicySet& policies() const noexcept { return (*epochs_)[epoch_]; }
  static net::FiveTuple tuple_of(const pcap::DecodedPacket& d) noexcept;
  Packet to_packet(const pcap::DecodedPacket& d) const noexcept;
  TrafficClass direct_class(const net::FiveTuple& t, Leg& leg) const;
  Route make_route(const net::FiveTuple& header) const;
  void make_direct_route(Route& route) const;
  void plan_route(Route& route);
  static std::uint64_t route_hash(const net::FiveTuple& header) noexcept;
  // The slot of `header`'s route, or the empty slot where it goes (`hash`: route_hash()).
  std::size_t route_slot(const net::FiveTuple& header, std::uint64_t hash) const noexcept;
  // The slot of `header`'s route, made (and the index grown) when there is none, its plans
  // those of the current epoch.
  std::size_t route_for(const net::FiveTuple& header, std::uint64_t hash);
  // What makes a fast path valid: changes whenever the conntrack generation or the epoch does;
  // never 0.
  std::uint16_t known_token() noexcept {
    if (conntrack_.generation() != token_generation_ || epoch_ != token_epoch_) renew_known_token();
    return known_token_;
  }
  void renew_known_token() noexcept;
  // Sets the fast path of `slot` after a packet of its route: the flows of the stateful hooks
  // when it passed (`ok`) and each of them is at a known slot, else none.
  void set_known(RouteSlot& slot, const Route& route, bool ok) noexcept;
  // Passes a packet of `slot`'s header (its time, TCP flags, DF bit and IP length) by the
  // route's fast path and returns true, or changes nothing and returns false when the judge
  // must decide it.
  bool pass_known(const RouteSlot& slot, std::int64_t ts_ns, std::uint16_t tcp_flags, bool df,
                  std::uint32_t ip_length) noexcept;
  // process() past the fast path: the packet's legs judged, its route's fast path set.
  bool judge_captured(const pcap::DecodedPacket& d, bool df);
  bool judge_leg(Step& step, const Packet& p, TrafficClass cls, const pcap::FlowKey& flow, bool reply,
                 const pcap::DecodedPacket* captured, std::uint32_t ip_length, bool df);
  // The MTU of the next segment a packet crossing `leg` meets.
  std::uint32_t next_mtu(const Leg& leg) const noexcept;
  // `too_big` (DF set, longer than its leg's MTU) makes the router send an ICMP error back.
  void pmtu(const Leg& leg, const Packet& too_big, const pcap::FlowKey& flow, const pcap::DecodedPacket* captured);
  void count(TrafficClass cls, bool allowed);
  void record_drop(TrafficClass cls, const HookVerdict& hv, const Packet& p, const pcap::FlowKey& flow, bool reply,
                   const pcap::DecodedPacket* captured);
  std::string fix_for(const HookVerdict& hv, const Packet& p, bool reply) const;
  std::string owner_location(Hook hook) const;
  void run_health_check(HealthSeries& series, std::int64_t ts_ns);
  double rel_s(std::int64_t ts_ns) const noexcept;

  const Scenario& s_;
  ReplayOptions options_;
  std::shared_ptr<const Epochs> epochs_;
  std::size_t epoch_ = 0;
  ConntrackTable conntrack_;
  ReplayReport report_;

  // The route cache: routes_ in insertion order, route_slots_ its index (RouteSlot). Bounded:
  // past kMaxRoutes it starts over empty.
  ChunkedVector<Route> routes_;
  std::vector<RouteSlot> route_slots_;
  std::uint16_t known_token_ = 0;
  std::uint32_t token_generation_ = 0;  // the conntrack generation and epoch of known_token_
  std::size_t token_epoch_ = 0;

  std::unordered_map<AddrKey, ListenerAt, AddrKeyHash> listeners_;
  net::AddressRange shared_pool_;  // Huawei's shared-ELB source pool (lb_paths.h)
  std::unordered_map<AddrKey, InterfaceIndex, AddrKeyHash> node_addresses_;  // port/proto 0

  bool started_ = false;
  std::int64_t first_ns_ = 0;
  // The earliest time at which advance() has something to do (the first call always has).
  std::int64_t due_ns_ = std::numeric_limits<std::int64_t>::min();
  std::vector<std::int64_t> event_ns_;
  std::vector<HealthSeries> series_;
  std::int64_t next_check_ns_ = 0;

  std::map<GroupCacheKey, std::size_t> group_cache_;
  std::map<std::tuple<int, std::string, std::string>, std::size_t> group_index_;
  std::vector<DropGroup> groups_;
  std::vector<std::unordered_set<pcap::FlowKey, FlowKeyHash>> group_flows_;
  std::vector<bool> group_example_synth_;  // the group's example is synthesized (no capture index)

  std::unordered_map<pcap::FlowKey, PmtuHole, FlowKeyHash> holes_;
  std::array<MalformedCount, pcap::kMalformedKinds> malformed_{};
  bool current_dropped_ = false;
};

}  // namespace pfsim::engine::internal
