// engine/replay/replay.h — `pfsim replay`: captured traffic through a scenario's filters.
//
// What: run_replay() reads one or more captures in order and judges every IP packet on the
// legs it crosses (engine/sim/judge.h), with connection tracking per interface in trace time, and
// reports what was allowed and dropped per traffic class, the drops grouped by where and why,
// the targets' health and the Path MTU black holes (DESIGN.md §4, §5).
//
// Modes:
//   through-lb (default)  a packet to a listener (a node's private or public address and a
//       listener port/protocol) is judged on its client leg and, if allowed, carried to the
//       target choose_target() picks for its flow on its backend leg (lb_paths.h: proxies from
//       the node address and an ephemeral port derived from the flow hash, as explain does,
//       tracked as the LB's own connection (Packet::lb_connection, one per captured flow);
//       NLB keeps or replaces the client address per preserves_client_ip). A reply from the
//       listener to the client crosses the backend reply (target → node) first, then node →
//       client. Every other packet is judged as captured.
//   as-captured           every packet between the endpoints its addresses name (endpoint_at).
// Classes (DESIGN.md §2): listener for listener flows and node ↔ target traffic on the traffic
// port; health_check for node → target health-check port and its replies (checked first, as
// explain does, so a traffic-port health check counts as health_check); pmtu for ICMPv4 3/4
// and ICMPv6 2; other otherwise.
//
// Synthesized traffic (judged in trace-time order with the captured packets, on the same
// connection tracking):
//   health checks  from every node to every target of each target group its LB serves, at
//       the first packet's time and every interval_s after it while the trace lasts: a SYN
//       (UDP datagram for UDP_CONNECT) and its reply, tracked as the LB's own connections.
//       A target is unhealthy when the last check of some node failed; the reason names the
//       node and hook (the lexically smallest, so that merged shards agree with one run).
//   PMTU errors    where a packet with DF set (every IPv6 packet: IPv6 routers never
//       fragment) is longer than the next segment's MTU — mtu.internet_bytes when the leg
//       leaves the VPC for an outside address, mtu.vpc_bytes otherwise — the router at the far
//       side (the packet's destination address, as check does) sends pmtu_error(), judged on
//       its way back into the sender's subnet and to the sender. Dropped: a pmtu drop, and the
//       flow is a PMTU black hole (reported as a warning per flow).
// Events: scenario events apply at first packet time + at_s: the policies of every epoch are
// compiled up front and the judge switches as trace time passes each event (tracked flows
// survive a revoke; untracked flows are judged by the new rules at once).
//
// Sharding (--shard I/N): only the packets whose flow (pcap::flow_key, ICMP errors by the
// quoted flow; later fragments with their datagram) has symmetric_hash % N == I are judged;
// each health-check series (node, target) belongs to one shard by a fixed hash. Times (first
// packet, events, health-check schedule) come from every packet read, and the LB's own
// connections are tracked apart from other flows, so N shards merged (merge_report) equal one
// run — except where two captured flows are one connection on a leg (README, "Splitting the
// work"), which one run tracks together and shards may not.
//
// Output is a pure function of the inputs: identical for any thread count (timing aside).
// Memory is bounded by the flows (connection tracking, drop-group flow sets, fragment map),
// not the packets.
//
// Errors: a scenario event that fails to compile, a capture that cannot be opened or is
// corrupt, or a --dropped-pcap that cannot be written: a located net::Error. Malformed packets
// are data: counted by kind with sample indices; the replay goes on.
//
// Thread-safety: run_replay() keeps no state between calls and runs its own task arena of
// `threads` threads, but for its duration it sets TBB's process-wide max_allowed_parallelism
// (oneapi::tbb::global_control, so that `threads` beyond the machine's cores are granted).
// Calls may overlap, e.g. from two threads; while they do, TBB applies the smallest of their
// limits to all of them, so one may run with fewer threads than it asked for. Its report is
// the same either way (it does not depend on the thread count), only slower.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/analysis/fix.h"
#include "engine/model/scenario.h"
#include "engine/sim/traffic_class.h"
#include "net/error.h"

namespace pfsim::engine {

enum class ReplayMode : std::uint8_t { kThroughLb, kAsCaptured };

struct ReplayOptions {
  ReplayMode mode = ReplayMode::kThroughLb;
  std::uint32_t threads = 1;
  std::uint32_t shard_index = 0;  // keep flows with symmetric hash % shard_count == shard_index
  std::uint32_t shard_count = 1;
  std::string dropped_pcap;  // write every dropped captured packet here ("" = no)
  std::string algorithm = "auto";
  // Records per pipeline batch. 4096 rather than DESIGN.md §4's ~1K: the judge stage's flow
  // shards synchronize once per batch, and smaller batches measured slower (bench/RESULTS.md,
  // "Replay: mapped reading, flow-shard judging, leaner path" and "fewer cache lines a packet").
  std::size_t batch_records = 4096;
  // A route's fast path past the judge (engine/replay/internal/route_cache.h): a packet of a
  // flow direction whose last packet passed every hook by known connection-tracking entries is
  // passed by refreshing them. Off, every packet is judged; the report is the same (a switch
  // for testing the fast path against the judge, and for measuring it).
  bool fast_path = true;
  // Called from the in-order accounting stage after each batch: bytes of the captures
  // consumed so far (records with their 16-byte headers) and the total size of the files
  // (0 when unknown, e.g. standard input).
  std::function<void(std::uint64_t done_bytes, std::uint64_t total_bytes)> progress;
};

struct ClassCounts {
  std::uint64_t allowed = 0;
  std::uint64_t dropped = 0;
};

struct MalformedCount {
  std::string kind;  // pcap::malformed_name: "truncated-ipv4"
  std::uint64_t count = 0;
  std::vector<std::uint64_t> first;  // the first few packet indices (kMalformedSamples)
};
inline constexpr std::size_t kMalformedSamples = 5;

// One example packet of a drop group.
struct DropExample {
  std::string flow;          // the packet as judged on the leg: "tcp 10.20.1.10:8080 -> 10.20.0.5:2000"
  std::string community_id;  // of the captured packet (of the judged header when synthesized)
  double time_s = 0;         // seconds after the first packet
};

struct DropGroup {
  TrafficClass cls = TrafficClass::kListener;
  std::string hook;                // "nacl-out(app-a)"
  std::string at;                  // where the hook's owner (group or ACL) is defined: "file.yaml:33"
  DecidingRule rule;               // engine/analysis/fix.h
  std::uint64_t packets = 0;       // packets dropped (captured and synthesized)
  std::uint64_t flows = 0;         // distinct flows among them
  std::uint64_t first_packet = 0;  // the first captured packet index; 0 = synthesized only
  DropExample example;
  std::string fix;  // fix_text of fix_for (engine/analysis/fix.h), as check and explain say it
};

struct ReplayTarget {
  std::string target_group;
  std::string target;
  Health health = Health::kUnused;  // kUnused: no LB checks it
  std::string reason;
};

struct ReplayReport {
  std::uint64_t packets_read = 0;
  std::uint64_t packets_evaluated = 0;  // captured IP packets judged (in this shard)
  std::uint64_t packets_malformed = 0;
  std::uint64_t packets_non_ip = 0;
  std::vector<MalformedCount> malformed;  // by kind name
  std::array<ClassCounts, kTrafficClasses> classes{};
  std::vector<DropGroup> drops;       // sorted by (class, hook, rule id)
  std::vector<ReplayTarget> targets;  // in scenario order
  std::vector<std::string> warnings;  // sorted, unique
  double seconds = 0;
  std::uint32_t threads = 1;
};

// Whether the report flags drops of the listener, health-check or PMTU classes (exit code 1).
bool replay_flagged(const ReplayReport& report) noexcept;

net::Result<ReplayReport> run_replay(const Scenario& scenario, const std::vector<std::string>& captures,
                                     const ReplayOptions& options);

// Adds the report of one shard into `into` (run_replay's flow shards, `pfsim merge`): counts
// add up; drop groups of the same class, hook and rule add up and keep the earliest example
// (captured first, by index; then time; then text) with its fix; a target keeps its worst
// health (among unhealthy ones, the lexically smallest reason, as one run picks it); malformed
// samples keep the first few; warnings are united. Exact when the shards split the flows of
// the same captures. finish_merge() sorts the merged report as one run's is sorted.
void merge_report(ReplayReport& into, ReplayReport part);
void finish_merge(ReplayReport& merged);

}  // namespace pfsim::engine
