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
// Dead flows: a TCP flow whose opening packet (a SYN without ACK) is dropped never forms, so its
// later captured packets, both directions, would never have been sent: they are counted
// "after a drop" (ClassCounts::after_drop, DropGroup::after_drop) under the drop group of the
// SYN that killed the flow, never judged (so never allowed, and never opening a tracked flow
// from the other side, as a captured SYN-ACK otherwise would). The flow is the five-tuple both
// ways (pcap::flow_key) while its packets keep coming within conntrack's idle timeout of a TCP
// flow that is not established (ConntrackConfig::tcp_other_s) after the last one; a later
// packet starts a new flow. A SYN without ACK from the flow's initiator within that time is a
// retransmission: judged again (dropped again, it counts as a drop of the same broken flow;
// passed, e.g. after an event allowed it, the flow lives and is judged from then on). The drop
// group counts its broken flows (DropGroup::flows_broken, with the first and last time any of
// them was seen). Through the LB, a SYN dropped on the backend leg kills the captured flow too:
// the proxy's client connection may form, but nothing of it reaches the target. UDP and other
// protocols have no opening packet a capture can tell, and each of their packets is judged.
//
// Health checks (ReplayOptions::health_checks, --health-checks): a series is the checks of
// one LB node to one target of one target group (its health-check port and protocol). The
// captures carry a series when they hold at least one packet, either way, of a flow between
// the series' source address (the node's, as a synthesized check leaves it: lb_paths.h
// backend_leg) and the target's address, with the health-check protocol and port (for
// UDP_CONNECT, the UDP datagrams), anywhere in their time span; the whole series is then
// taken from the captures. kAuto (the default) synthesizes the series the captures do not
// carry and judges the others' health from the captured checks; kSynthesize synthesizes every
// series (captured checks are judged as traffic but say nothing of health); kCaptured
// synthesizes none (a target without a carried series is "unknown"); kOff synthesizes none
// and reports no target health at all (captured checks are still judged and counted as
// health_check traffic). A captured check is the TCP or UDP flows from the node that start
// within half an interval of each other: it fails when a packet of it is dropped. The ICMP
// echoes of a UDP_CONNECT check are judged as health_check traffic but make no captured check
// fail (they may fall in another flow shard than the datagram: a known limit), so kAuto
// synthesizes UDP_CONNECT series even when the captures carry them. A check
// fails or passes as a whole. A target is unhealthy when the last check of some node failed (captured or
// synthesized); the reason names the node and hook (the lexically smallest, so that merged
// shards agree with one run); each target lists its nodes' checks and where they came from.
//
// Synthesized traffic:
//   health checks  from every node to every target of each target group its LB serves (the
//       series to synthesize, above), at the first packet's time and every interval_s after it
//       while the trace lasts: a SYN (UDP datagram for UDP_CONNECT) and its reply, tracked as
//       the LB's own connections. They meet no captured flow (their own connection tracking,
//       which the LB's own connections are anyway: engine/sim/packet.h), so they are judged
//       after the captures, when it is known which series the captures carry, with the
//       policies of the event epoch of each check's time.
//   PMTU errors    where a packet with DF set (every IPv6 packet: IPv6 routers never
//       fragment) is longer than the next segment's MTU — mtu.internet_bytes when the leg
//       leaves the VPC for an outside address, mtu.vpc_bytes otherwise — the router at the far
//       side (the packet's destination address, as check does) sends pmtu_error(), judged on
//       its way back into the sender's subnet and to the sender. Dropped: a pmtu drop, and the
//       flow is a PMTU black hole (reported as a warning per flow).
// Tunnels (ReplayOptions::decapsulate): the inner packet of VXLAN (UDP 4789, inner Ethernet)
//   and Geneve (UDP 6081, inner Ethernet or IP, options skipped, as AWS Gateway Load Balancer
//   sends) is judged as if it had been captured, on every link type pcap decodes (pcap/decode.h;
//   an inner packet cut short by a mirror session's packet length is judged on its addresses and
//   ports). A drop of a packet that came in VXLAN says where it was seen: the VNI and the
//   interface of the scenario's traffic mirror session with that VNI (DropGroup::seen_at). A
//   mirrored packet already passed the filters of the interface it was copied at ("Packets that
//   are dropped at the traffic mirror source by security group rules or by network ACL rules are
//   not mirrored", AWS Traffic Mirroring guide): a replay tells what the scenario, perhaps a
//   changed one, would do to that traffic.
// Unmatched packets (ReplayReport::packets_unmatched): captured IP packets neither of whose
//   addresses is in the scenario — an address of an interface (an instance or an LB node:
//   private IPv4 or IPv6, public, Huawei backend address), or inside a VPC CIDR, a subnet's CIDR
//   or an LB's `clients`. No hook of the scenario applies to them, so they count as `other`,
//   allowed, for want of anything to judge them by; most of a capture unmatched is the sign of a
//   capture of another network (the command warns).
// Events: scenario events apply at first packet time + at_s: the policies of every epoch are
// compiled up front and the judge switches as trace time passes each event (tracked flows
// survive a revoke; untracked flows are judged by the new rules at once).
//
// Sharding (--shard I/N): only the packets whose flow (pcap::flow_key, ICMP errors by the
// quoted flow; later fragments with their datagram) has symmetric_hash % N == I are judged;
// each synthesized health-check series (node, target) belongs to one shard by a fixed hash,
// while a captured check counts in its flow's shard with its time (the report lists each
// node's last check, so merged shards pick the last). Times (first packet, events,
// health-check schedule) and the series the captures carry come from every packet read, and the LB's own
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
#include <string_view>
#include <vector>

#include "engine/analysis/fix.h"
#include "engine/model/scenario.h"
#include "engine/sim/traffic_class.h"
#include "net/error.h"

namespace pfsim::engine {

enum class ReplayMode : std::uint8_t { kThroughLb, kAsCaptured };

// Where the targets' health comes from (--health-checks; "Health checks" above).
enum class HealthChecks : std::uint8_t {
  kAuto,        // captured series from the captures, the others synthesized
  kSynthesize,  // every series synthesized; captured checks are judged as traffic only
  kCaptured,    // no synthesis: health from the captured series only
  kOff,         // no synthesis and no target health (the report's targets are empty)
};
std::string_view health_checks_name(HealthChecks h) noexcept;  // "auto", "synthesize", "captured", "off"
std::optional<HealthChecks> parse_health_checks(std::string_view name) noexcept;

struct ReplayOptions {
  ReplayMode mode = ReplayMode::kThroughLb;
  HealthChecks health_checks = HealthChecks::kAuto;
  std::uint32_t threads = 1;
  std::uint32_t shard_index = 0;  // keep flows with symmetric hash % shard_count == shard_index
  std::uint32_t shard_count = 1;
  std::string dropped_pcap;  // write every dropped captured packet here ("" = no)
  std::string algorithm = "auto";
  // Judge the inner packet of VXLAN and Geneve tunnels (pcap::DecodeOptions::decapsulate_tunnels).
  bool decapsulate = false;
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
  // Captured packets of broken flows ("Dead flows" above): neither allowed nor dropped, since
  // they would never have been sent.
  std::uint64_t after_drop = 0;
};

struct MalformedCount {
  std::string kind;  // pcap::malformed_name: "truncated-ipv4"
  std::uint64_t count = 0;
  std::vector<std::uint64_t> first;  // the first few packet indices (kMalformedSamples)
};
inline constexpr std::size_t kMalformedSamples = 5;

// Where a captured packet was seen: the VNI of the VXLAN header it came in (--decapsulate) and
// the interface of the scenario's traffic mirror session with that VNI ("" when none has it).
struct SeenAt {
  std::uint32_t vni = 0;
  std::string interface;
  friend auto operator<=>(const SeenAt&, const SeenAt&) = default;
};

// One example packet of a drop group.
struct DropExample {
  std::string flow;               // the packet as judged on the leg: "tcp 10.20.1.10:8080 -> 10.20.0.5:2000"
  std::string community_id;       // of the captured packet (of the judged header when synthesized)
  double time_s = 0;              // seconds after the first packet
  std::optional<SeenAt> seen_at;  // a captured packet that came in VXLAN
};

struct DropGroup {
  TrafficClass cls = TrafficClass::kListener;
  std::string hook;                // "nacl-out(app-a)"
  std::string at;                  // where the hook's owner (group or ACL) is defined: "file.yaml:33"
  DecidingRule rule;               // engine/analysis/fix.h
  std::uint64_t packets = 0;       // packets dropped (captured and synthesized)
  std::uint64_t flows = 0;         // distinct flows among them
  std::uint64_t first_packet = 0;  // the first captured packet index; 0 = synthesized only
  // The flows this group broke (their TCP SYN dropped: "Dead flows" above), when the first and
  // the last packet of any of them was seen (seconds after the first packet), and their
  // captured packets after the drop, counted here and nowhere else.
  std::uint64_t flows_broken = 0;
  double broken_first_s = 0;
  double broken_last_s = 0;
  std::uint64_t after_drop = 0;
  DropExample example;
  std::string fix;              // fix_text of fix_for (engine/analysis/fix.h), as check and explain say it
  std::vector<SeenAt> seen_at;  // where its captured packets that came in VXLAN were seen, by VNI
};

// The health checks of one LB node to a target (one series), as far as one report saw them.
struct TargetCheck {
  std::string node;          // the node's interface id
  bool captured = false;     // from the captures (else synthesized)
  std::uint64_t checks = 0;  // checks seen (captured) or run (synthesized); 0 = none
  double last_s = 0;         // the last check's time, seconds after the first packet
  bool ok = true;            // the last check passed
  std::string reason;        // when not ok: "health checks from <node> dropped at <hook>"
};

struct ReplayTarget {
  std::string target_group;
  std::string target;
  Health health = Health::kUnused;  // kUnused: no LB checks it
  std::string reason;
  std::vector<TargetCheck> checks;  // per node, in scenario order (empty: unused, or --health-checks off)
};

// Where a target's health came from: "captured", "synthesized", "captured+synthesized" (by
// the nodes whose checks ran), or "" when none ran.
std::string health_from(const ReplayTarget& target);

struct ReplayReport {
  std::uint64_t packets_read = 0;
  std::uint64_t packets_evaluated = 0;  // captured IP packets judged (in this shard)
  std::uint64_t packets_malformed = 0;
  std::uint64_t packets_non_ip = 0;
  std::uint64_t packets_unmatched = 0;    // evaluated packets with no endpoint in the scenario (above)
  std::vector<MalformedCount> malformed;  // by kind name
  std::array<ClassCounts, kTrafficClasses> classes{};
  std::vector<DropGroup> drops;  // sorted by (class, hook, rule id)
  HealthChecks health_checks = HealthChecks::kAuto;
  std::vector<ReplayTarget> targets;  // in scenario order; empty with HealthChecks::kOff
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
