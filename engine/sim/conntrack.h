// engine/sim/conntrack.h — connection tracking of stateful hooks, in trace time.
//
// What: a ConntrackTable remembers the flows a stateful hook owner (an interface's security
// groups; on huawei also a subnet's network ACL) has allowed, so that later packets of the
// flow, in either direction, pass without rule evaluation (EC2 guide, "Security group
// connection tracking": "Security groups are stateful — responses to allowed inbound traffic
// are allowed to leave the instance regardless of outbound security group rules, and vice
// versa"). Entries are keyed by (domain, normalized flow): the domain is the caller's name for
// the owner (e.g. an InterfaceIndex), so one table can serve many owners, or one table per
// shard can serve the owners' flows that hash to it.
//
// Flow identity: protocol, both addresses and both ports for TCP and UDP; ICMP echo by the
// echo identifier (request and reply pair up); other protocols by addresses and protocol only
// (EC2 guide: "For protocols other than TCP, UDP, or ICMP, only the IP address and protocol
// number is tracked"). And the packet's `lb_connection` tag (engine/sim/packet.h): a connection a
// load balancer opens itself is its own flow even when another flow has the same header. A
// real proxy never opens a connection with the addresses and ports of a live one; the
// simulation picks the proxy's ephemeral port by flow hash, which can repeat a live header,
// and the tag stands for the different port the proxy would have picked. (It also keeps the
// connections of one captured flow in the flow's own shard: DESIGN.md §4.)
//
// Idle timeouts (ConntrackConfig, AWS defaults): an entry lives until `ts + timeout` where the
// timeout depends on its state — TCP established (a packet seen in both directions, none of
// them a RST) tcp_established_s; other TCP states (SYN seen, one direction only, closing after
// FIN in both directions or a RST) tcp_other_s; UDP with more than one request-response
// exchange ("stream": at least three packets and both directions) udp_stream_s, other UDP udp_s;
// ICMP icmp_s; other protocols other_s. A packet after its entry expired finds nothing and is
// judged by the rules again.
//
// Untracked flows (EC2 guide, "Untracked connections": a TCP or UDP flow allowed from
// 0.0.0.0/0 or ::/0 whose responses the other direction allows for all ports) never enter the
// table: deciding to track() is the caller's (DESIGN.md §3); this table only remembers.
//
// Related ICMP errors: `related()` says whether an ICMP error's quoted flow (packet.quoted, with
// the error's own lb_connection tag) is a live flow of the domain (EC2 MTU guide: "ICMP responses to outbound requests
// are allowed to flow in, regardless of security group rules"). It does not refresh the entry. A quoted TCP or UDP flow
// must match exactly (either orientation). A quoted ICMP or ICMPv6 packet matches any live ICMP flow of the same
// protocol between the same two addresses, whatever its echo identifier: the quote's "ports" are the echo identifier in
// pcap/ (pcap/packet.h QuotedFlow) but the type and code in the FiveTuple convention, so they are not used.
//
// Expiry boundary: an entry last seen at L with timeout T is live for a packet (or `now_ns`)
// at t while t <= L + T*1e9, and absent from t > L + T*1e9 on. Expiry is judged with each
// packet's own time, so the answers depend only on the flow's own packets, never on which
// other flows share the table. Trace time may go slightly backwards: an entry's last-seen time
// is the largest it has seen. Precondition: between the packets given to one table, time
// goes backwards by at most kMaxReorderNs (60 s); entries expired longer ago than that,
// relative to the newest packet, are dropped when the table rehashes.
//
// Cost: one open-addressing hash probe per call (linear probing, load factor at most 1/2; the
// ICMP flows of one address pair share a probe chain), no allocation except when the table
// grows, and in forget(). A caller that meets the same flow again and again (replay, once per
// packet and hook) can keep a Slot per flow: lookup() and track() try that slot first and skip
// the hash and the probe when it still holds the flow. A slot is only a hint, checked against
// the flow's key on every use, so a stale or wrong one costs one ordinary probe, never a
// different answer. A caller that has seen where a flow is (a lookup() that found it, a track()
// that put it there) can go further while generation() is unchanged: entries move only when
// the table rebuilds (growth, forget()), and an occupied slot holds one flow until then, so
// refresh_known() at that slot needs no key at all (replay's per-packet fast path). Not
// thread-safe: one table per thread or shard (DESIGN.md §4).
//
// Example:
//   ConntrackTable table(scenario.conntrack);
//   if (!table.lookup(eni, packet)) {
//     if (rules_allow(packet)) table.track(eni, packet);   // a new tracked flow
//   }
//   if (packet.is_icmp_error && table.related(eni, packet)) { /* allowed as RELATED */ }
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "engine/model/scenario.h"
#include "engine/sim/packet.h"
#include "net/address.h"

namespace pfsim::engine {

class ConntrackTable {
 public:
  // How far trace time may go backwards between the packets given to one table (see above).
  static constexpr std::int64_t kMaxReorderNs = 60'000'000'000;

  // Where a flow's entry was last found or put (see Cost above); 0 is as good a start as any.
  using Slot = std::uint32_t;

  explicit ConntrackTable(const ConntrackConfig& config);

  // Whether `packet` belongs to a live flow of `domain`; if so the entry is refreshed with the
  // packet (its time, its direction, its TCP flags) and true is returned. An absent or expired
  // flow gives false and is not inserted. With `hint`, the slot tried first, and set to where
  // the flow's entry is (or would go).
  bool lookup(std::uint32_t domain, const Packet& packet, Slot* hint = nullptr) noexcept;

  // Records `packet` as the first packet of a new tracked flow of `domain` (its src is the
  // initiator). Replaces an expired entry of the same flow (and a live one: the flow starts
  // over). May allocate when the table grows. `hint` as for lookup().
  void track(std::uint32_t domain, const Packet& packet, Slot* hint = nullptr);

  // Changes whenever entries move (the table rebuilds); never 0, so 0 can mean "not known".
  std::uint32_t generation() const noexcept { return generation_; }

  // The known-slot fast path (see Cost above), for a packet that belongs to the flows at
  // `slots` (each seen there by a lookup() that returned true or by a track(), in the current
  // generation(); they may be of different domains), whose src is the higher endpoint of flow k's key when
  // bit k of `src_is_hi` is set (src_is_hi()). When every one of them is live at the packet's
  // time `ts_ns`, refreshes them all with it (its time and TCP flags), as lookup() would one by
  // one, and returns true; else changes nothing and returns false. Takes the two fields rather
  // than a Packet so that the caller's fast path need not build one.
  bool refresh_known(std::span<const Slot> slots, std::uint32_t src_is_hi, std::int64_t ts_ns,
                     std::uint16_t tcp_flags) noexcept;
  // Whether `packet`'s src is the higher endpoint of its flow's key (its greater endpoint).
  static bool src_is_hi(const Packet& packet) noexcept;

  // Whether the ICMP error `packet` quotes a live flow of `domain` (either direction), at
  // packet.ts_ns. False when packet.is_icmp_error is false.
  bool related(std::uint32_t domain, const Packet& packet) const noexcept;

  // Forgets every flow of `domain` (the tool for "cut immediately" semantics). Rebuilds the
  // table: linear in its capacity, allocates.
  void forget(std::uint32_t domain);

  // Live (not yet expired at `now_ns`) entries, for reports and memory accounting.
  std::size_t live_flows(std::int64_t now_ns) const noexcept;
  std::size_t memory_bytes() const noexcept;

 private:
  // One slot (engine/sim/conntrack.cc explains the key normalization and the state bits): one
  // cache line, aligned to one. (Unaligned, as a large allocation starts 16 bytes into a
  // page, every entry spanned two lines: twice the misses of a replay's refresh_known().)
  struct alignas(64) Entry {
    net::Ip128 addr_lo;  // the lower endpoint (address, then port)
    net::Ip128 addr_hi;
    std::int64_t last_ns = 0;  // newest packet time seen
    std::uint64_t lb_connection = 0;
    std::uint32_t domain = 0;
    std::uint16_t port_lo = 0;  // TCP/UDP port; ICMP echo identifier; else 0
    std::uint16_t port_hi = 0;
    std::uint8_t proto = 0;
    net::Family family = net::Family::kIpv4;
    std::uint8_t flags = 0;       // kOccupied, kInitiatorIsHi, kSeenReply, kFin*, kRst
    std::uint8_t packets = 0;     // capped at 255
    std::uint32_t timeout_s = 0;  // of its state (state_timeout_s()), set whenever that changes
  };
  static_assert(sizeof(Entry) == 64);

  // The key of a flow with these key ports (both endpoints ordered); `src_is_hi` tells whether
  // the tuple's src endpoint became the higher endpoint.
  static Entry key_of(std::uint32_t domain, const net::FiveTuple& tuple, std::uint16_t sport, std::uint16_t dport,
                      std::uint64_t lb_connection, bool& src_is_hi) noexcept;
  static bool same_addresses(const Entry& e, const Entry& key) noexcept;
  static bool same_flow(const Entry& e, const Entry& key) noexcept;
  static bool holds(const Entry& e, std::uint32_t domain, const Packet& packet, std::uint16_t sport,
                    std::uint16_t dport, bool& src_is_hi) noexcept;
  std::size_t home_slot(const Entry& key) const noexcept;
  std::size_t probe(const Entry& key) const noexcept;
  // probe(), trying *hint first when given (and setting it).
  std::size_t find(const Entry& key, Slot* hint) const noexcept;
  // The idle timeout of the entry's state (protocol, directions seen, TCP flags, UDP packets).
  std::uint32_t state_timeout_s(const Entry& entry) const noexcept;
  // When the entry expires: the last time seen plus its timeout_s (saturating).
  static std::int64_t expiry_ns(const Entry& entry) noexcept;
  // Refreshes the live entry `e` with a packet of its flow (time, direction, TCP flags) and
  // its timeout when its state changed.
  void update(Entry& e, std::int64_t ts_ns, std::uint16_t tcp_flags, bool src_is_hi) const noexcept;
  // Rebuilds the slots without long-expired entries (and without `domain`'s when drop_domain).
  void rehash(bool drop_domain, std::uint32_t domain);
  void note_time(std::int64_t ts_ns) noexcept;

  ConntrackConfig config_;
  std::vector<Entry> slots_;
  std::size_t used_ = 0;          // occupied slots, live or expired
  std::int64_t newest_ns_;        // the newest packet time given to lookup() or track()
  std::uint32_t generation_ = 1;  // bumped by rehash()
};

}  // namespace pfsim::engine
