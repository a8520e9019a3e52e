// engine/sim/conntrack.cc — the connection-tracking table: one open-addressing hash table with
// linear probing, a power-of-two capacity and a load factor of at most 1/2.
//
// Key normalization: a flow's two endpoints (address, port) are stored ordered, the lower
// (address first, then port) as the lower endpoint, so a packet and its reply build the same key; the
// entry remembers which side sent the first packet (kInitiatorIsHi). "Ports" are the TCP/UDP
// ports; for ICMP echo (v4 8/0, v6 128/129) both are the echo identifier, and the type is not
// part of the key, so request and reply pair up; for other ICMP messages and other protocols
// both are 0 (EC2 guide, "Security group connection tracking": "For protocols other than TCP,
// UDP, or ICMP, only the IP address and protocol number is tracked").
//
// Probing: the hash of an ICMP key leaves out the identifier, so every ICMP flow of one address
// pair lies on one probe chain; related() walks that chain to match a quoted ICMP packet by
// addresses alone (engine/sim/conntrack.h). Entries are never removed one by one: an expired entry
// stays occupied for probing (so chains stay unbroken), is overwritten in place when its flow
// is tracked again, and is dropped when the table rehashes. forget() rebuilds the table.
#include "engine/sim/conntrack.h"

#include <algorithm>
#include <limits>

#include "net/hash.h"
#include "net/protocols.h"
#include "net/time_units.h"

namespace pfsim::engine {
namespace {

constexpr std::size_t kInitialCapacity = 64;  // a power of two

// Entry::flags.
constexpr std::uint8_t kOccupied = 0x01;
constexpr std::uint8_t kInitiatorIsHi = 0x02;  // the first packet came from the higher endpoint
constexpr std::uint8_t kSeenReply = 0x04;      // a packet came from the other side
constexpr std::uint8_t kFinInitiator = 0x08;   // TCP FIN seen from the initiator
constexpr std::uint8_t kFinResponder = 0x10;   // TCP FIN seen from the responder
constexpr std::uint8_t kRst = 0x20;            // TCP RST seen (either side)

// A UDP flow counts as a stream from this many packets on (with both directions seen): more
// than one request-response exchange, API_ConnectionTrackingConfiguration "UdpStreamTimeout":
// "Timeout (in seconds) for idle UDP flows classified as streams which have seen more than one
// request-response transaction".
constexpr std::uint8_t kUdpStreamPackets = 3;

// The key ports of a tuple (see the file comment).
struct KeyPorts {
  std::uint16_t sport = 0;
  std::uint16_t dport = 0;
};

constexpr KeyPorts key_ports(const net::FiveTuple& t, std::uint16_t icmp_id) noexcept {
  if (net::is_tcp_or_udp(t.proto)) return {t.sport, t.dport};
  if (net::is_icmp_echo(t.proto, t.sport)) return {icmp_id, icmp_id};
  return {};
}

}  // namespace

ConntrackTable::ConntrackTable(const ConntrackConfig& config)
    : config_(config), slots_(kInitialCapacity), newest_ns_(std::numeric_limits<std::int64_t>::min()) {}

// Equal endpoints (a host talking to itself on one port) make src the lower endpoint: every packet then
// counts as the initiator's.
ConntrackTable::Entry ConntrackTable::key_of(std::uint32_t domain, const net::FiveTuple& tuple, std::uint16_t sport,
                                             std::uint16_t dport, std::uint64_t lb_connection,
                                             bool& src_is_hi) noexcept {
  src_is_hi = tuple.dst < tuple.src || (tuple.dst == tuple.src && dport < sport);
  Entry key;
  key.addr_lo = src_is_hi ? tuple.dst : tuple.src;
  key.addr_hi = src_is_hi ? tuple.src : tuple.dst;
  key.domain = domain;
  key.lb_connection = lb_connection;
  key.port_lo = src_is_hi ? dport : sport;
  key.port_hi = src_is_hi ? sport : dport;
  key.proto = tuple.proto;
  key.family = tuple.family;
  return key;
}

// The first slot of the key's probe chain. The hash leaves ICMP "ports" out (see above) and is
// the same for both directions because the key is normalized.
std::size_t ConntrackTable::home_slot(const Entry& key) const noexcept {
  const std::uint64_t ports = net::is_icmp(key.proto) ? 0 : (std::uint64_t{key.port_lo} << 16) | key.port_hi;
  const std::uint64_t h =
      net::hash_words(key.domain ^ key.lb_connection, key.addr_lo.hi, key.addr_lo.lo, key.addr_hi.hi, key.addr_hi.lo,
                      (ports << 32) | (std::uint64_t{key.proto} << 8) | static_cast<std::uint64_t>(key.family));
  return static_cast<std::size_t>(h) & (slots_.size() - 1);
}

// Whether the occupied entry `e` joins the same endpoint addresses as `key`, in the same
// domain, protocol and connection (related() matches quoted ICMP flows by this alone).
bool ConntrackTable::same_addresses(const Entry& e, const Entry& key) noexcept {
  return e.domain == key.domain && e.lb_connection == key.lb_connection && e.proto == key.proto &&
         e.family == key.family && e.addr_lo == key.addr_lo && e.addr_hi == key.addr_hi;
}

// Whether the occupied entry `e` is `key`'s flow.
bool ConntrackTable::same_flow(const Entry& e, const Entry& key) noexcept {
  return same_addresses(e, key) && e.port_lo == key.port_lo && e.port_hi == key.port_hi;
}

// The slot holding `key`'s flow, or the empty slot where it would go. The table is never full
// (load factor <= 1/2), so the walk ends.
std::size_t ConntrackTable::probe(const Entry& key) const noexcept {
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = home_slot(key);; i = (i + 1) & mask) {
    const Entry& e = slots_[i];
    if ((e.flags & kOccupied) == 0 || same_flow(e, key)) return i;
  }
}

// Keys are unique in the table, so a hinted slot holding the key's flow is the slot probe()
// would find.
std::size_t ConntrackTable::find(const Entry& key, Slot* hint) const noexcept {
  if (hint == nullptr) return probe(key);
  if (*hint < slots_.size()) {
    const Entry& e = slots_[*hint];
    if ((e.flags & kOccupied) != 0 && same_flow(e, key)) return *hint;
  }
  const std::size_t slot = probe(key);
  *hint = static_cast<Slot>(slot);
  return slot;
}

// The last instant the entry is live: last-seen + its state's idle timeout (EC2 guide, "Idle
// connection tracking timeout"; API_ConnectionTrackingConfiguration).
std::uint32_t ConntrackTable::state_timeout_s(const Entry& entry) const noexcept {
  std::uint32_t timeout_s = config_.other_s;  // EC2 guide: other protocols, 600 s by default
  const bool both_directions = (entry.flags & kSeenReply) != 0;
  switch (entry.proto) {
    case net::kProtoTcp: {
      // TcpEstablishedTimeout, "for idle TCP connections in an established state": here a packet
      // seen in each direction without a RST, and not yet closed by a FIN from each side. Other
      // TCP states are not documented by AWS: tcp_other_s (DESIGN.md §3).
      const bool closed = (entry.flags & kRst) != 0 ||
                          (entry.flags & (kFinInitiator | kFinResponder)) == (kFinInitiator | kFinResponder);
      timeout_s = both_directions && !closed ? config_.tcp_established_s : config_.tcp_other_s;
      break;
    }
    case net::kProtoUdp:
      // UdpStreamTimeout: "idle UDP flows classified as streams which have seen more than one
      // request-response transaction"; UdpTimeout: "idle UDP flows that have seen traffic only
      // in a single direction or a single request-response transaction".
      timeout_s = both_directions && entry.packets >= kUdpStreamPackets ? config_.udp_stream_s : config_.udp_s;
      break;
    case net::kProtoIcmp:
    case net::kProtoIcmpv6:
      timeout_s = config_.icmp_s;  // not documented by AWS: a parameter (DESIGN.md §3)
      break;
    default:
      break;
  }
  return timeout_s;
}

std::int64_t ConntrackTable::expiry_ns(const Entry& entry) noexcept {
  const std::int64_t timeout_ns = std::int64_t{entry.timeout_s} * net::kNsPerSecond;
  if (entry.last_ns > std::numeric_limits<std::int64_t>::max() - timeout_ns) {
    return std::numeric_limits<std::int64_t>::max();
  }
  return entry.last_ns + timeout_ns;
}

void ConntrackTable::note_time(std::int64_t ts_ns) noexcept { newest_ns_ = std::max(newest_ns_, ts_ns); }

// Whether the entry `e` is the flow of a packet with this header and key ports, compared in
// both orientations without building the normalized key; `src_is_hi` as key_of() sets it.
bool ConntrackTable::holds(const Entry& e, std::uint32_t domain, const Packet& packet, std::uint16_t sport,
                           std::uint16_t dport, bool& src_is_hi) noexcept {
  const net::FiveTuple& t = packet.tuple;
  if ((e.flags & kOccupied) == 0 || e.domain != domain || e.lb_connection != packet.lb_connection ||
      e.proto != t.proto || e.family != t.family)
    return false;
  // key_of() puts src on the lower endpoint unless it is the greater endpoint, so when both orientations
  // match (a host talking to itself on one port) src is the lower endpoint.
  if (e.addr_lo == t.src && e.addr_hi == t.dst && e.port_lo == sport && e.port_hi == dport) {
    src_is_hi = false;
    return true;
  }
  if (e.addr_lo == t.dst && e.addr_hi == t.src && e.port_lo == dport && e.port_hi == sport) {
    src_is_hi = true;
    return true;
  }
  return false;
}

bool ConntrackTable::lookup(std::uint32_t domain, const Packet& packet, Slot* hint) noexcept {
  note_time(packet.ts_ns);
  const net::FiveTuple& t = packet.tuple;
  const KeyPorts ports = key_ports(t, packet.icmp_id);
  bool src_is_hi = false;
  // The hinted slot is compared with the header directly: the common case, a later packet of
  // a flow, then costs no key building, hashing or probing.
  std::size_t slot = 0;
  if (hint != nullptr && *hint < slots_.size() &&
      holds(slots_[*hint], domain, packet, ports.sport, ports.dport, src_is_hi)) {
    slot = *hint;
  } else {
    slot = probe(key_of(domain, t, ports.sport, ports.dport, packet.lb_connection, src_is_hi));
    if (hint != nullptr) *hint = static_cast<Slot>(slot);
  }
  Entry& e = slots_[slot];
  if ((e.flags & kOccupied) == 0 || expiry_ns(e) < packet.ts_ns) return false;
  update(e, packet.ts_ns, packet.tcp_flags, src_is_hi);
  return true;
}

// Every flow live first, then the refreshes: refreshing one flow keeps it live for a packet of
// the same time, so this is what lookup() would do hook by hook.
bool ConntrackTable::refresh_known(std::span<const Slot> slots, std::uint32_t src_is_hi, std::int64_t ts_ns,
                                   std::uint16_t tcp_flags) noexcept {
  for (const Slot slot : slots)
    if (ts_ns > expiry_ns(slots_[slot])) return false;
  note_time(ts_ns);
  for (std::size_t k = 0; k < slots.size(); ++k)
    update(slots_[slots[k]], ts_ns, tcp_flags, ((src_is_hi >> k) & 1u) != 0);
  return true;
}

bool ConntrackTable::src_is_hi(const Packet& packet) noexcept {
  const KeyPorts ports = key_ports(packet.tuple, packet.icmp_id);
  bool src_is_hi = false;
  key_of(0, packet.tuple, ports.sport, ports.dport, 0, src_is_hi);
  return src_is_hi;
}

void ConntrackTable::update(Entry& e, std::int64_t ts_ns, std::uint16_t tcp_flags, bool src_is_hi) const noexcept {
  e.last_ns = std::max(e.last_ns, ts_ns);
  const std::uint8_t flags_before = e.flags;
  if (e.packets < std::numeric_limits<std::uint8_t>::max()) ++e.packets;
  const bool from_initiator = src_is_hi == ((e.flags & kInitiatorIsHi) != 0);
  if (!from_initiator) e.flags |= kSeenReply;
  if (e.proto == net::kProtoTcp) {
    if ((tcp_flags & kTcpRst) != 0) e.flags |= kRst;
    if ((tcp_flags & kTcpFin) != 0) e.flags |= from_initiator ? kFinInitiator : kFinResponder;
  }
  // The state changed (its flags, or a UDP flow reaching the packets of a stream): its timeout.
  if (e.flags != flags_before || e.packets == kUdpStreamPackets) e.timeout_s = state_timeout_s(e);
}

void ConntrackTable::track(std::uint32_t domain, const Packet& packet, Slot* hint) {
  note_time(packet.ts_ns);
  const net::FiveTuple& t = packet.tuple;
  const KeyPorts ports = key_ports(t, packet.icmp_id);
  bool src_is_hi = false;
  Entry fresh = key_of(domain, t, ports.sport, ports.dport, packet.lb_connection, src_is_hi);
  fresh.last_ns = packet.ts_ns;
  fresh.packets = 1;
  fresh.flags = kOccupied;
  if (src_is_hi) fresh.flags |= kInitiatorIsHi;
  if (t.proto == net::kProtoTcp) {
    if ((packet.tcp_flags & kTcpRst) != 0) fresh.flags |= kRst;
    if ((packet.tcp_flags & kTcpFin) != 0) fresh.flags |= kFinInitiator;
  }
  fresh.timeout_s = state_timeout_s(fresh);

  std::size_t slot = find(fresh, hint);
  if ((slots_[slot].flags & kOccupied) == 0) {
    if ((used_ + 1) * 2 > slots_.size()) {
      rehash(false, 0);
      slot = probe(fresh);
      if (hint != nullptr) *hint = static_cast<Slot>(slot);
    }
    ++used_;
  }
  slots_[slot] = fresh;
}

bool ConntrackTable::related(std::uint32_t domain, const Packet& packet) const noexcept {
  if (!packet.is_icmp_error) return false;
  const net::FiveTuple& q = packet.quoted;
  bool src_is_hi = false;
  if (!net::is_icmp(q.proto)) {
    const bool ports = net::is_tcp_or_udp(q.proto);
    const Entry& e = slots_[probe(key_of(domain, q, ports ? q.sport : std::uint16_t{0},
                                         ports ? q.dport : std::uint16_t{0}, packet.lb_connection, src_is_hi))];
    return (e.flags & kOccupied) != 0 && packet.ts_ns <= expiry_ns(e);
  }
  // A quoted ICMP packet: any live ICMP flow of this protocol between the two addresses. All of
  // them lie on this chain, since the hash leaves ICMP ports out.
  const Entry key = key_of(domain, q, 0, 0, packet.lb_connection, src_is_hi);
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = home_slot(key);; i = (i + 1) & mask) {
    const Entry& e = slots_[i];
    if ((e.flags & kOccupied) == 0) return false;
    if (same_addresses(e, key) && packet.ts_ns <= expiry_ns(e)) {
      return true;
    }
  }
}

void ConntrackTable::forget(std::uint32_t domain) { rehash(true, domain); }

// Rebuilds the table into a capacity that holds the surviving entries at a load factor of at
// most 1/4 (so at least as many insertions follow before the next rehash: amortized O(1)), never
// smaller than now. Entries expired more than kMaxReorderNs before the newest packet time can
// never be live again for a packet that respects the reorder bound, and are dropped.
void ConntrackTable::rehash(bool drop_domain, std::uint32_t domain) {
  const std::int64_t horizon = newest_ns_ < std::numeric_limits<std::int64_t>::min() + kMaxReorderNs
                                   ? std::numeric_limits<std::int64_t>::min()
                                   : newest_ns_ - kMaxReorderNs;
  const auto survives = [&](const Entry& e) {
    return (e.flags & kOccupied) != 0 && !(drop_domain && e.domain == domain) && expiry_ns(e) >= horizon;
  };
  std::size_t survivors = 0;
  for (const Entry& e : slots_) {
    if (survives(e)) ++survivors;
  }
  const std::size_t needed = survivors + 1;  // the entry about to be inserted
  std::size_t capacity = std::max(slots_.size(), kInitialCapacity);
  while (needed * 4 > capacity) capacity *= 2;

  std::vector<Entry> old(capacity);
  old.swap(slots_);
  if (++generation_ == 0) generation_ = 1;
  used_ = 0;
  for (const Entry& e : old) {
    if (!survives(e)) continue;
    slots_[probe(e)] = e;
    ++used_;
  }
}

std::size_t ConntrackTable::live_flows(std::int64_t now_ns) const noexcept {
  std::size_t live = 0;
  for (const Entry& e : slots_) {
    if ((e.flags & kOccupied) != 0 && now_ns <= expiry_ns(e)) ++live;
  }
  return live;
}

std::size_t ConntrackTable::memory_bytes() const noexcept { return slots_.capacity() * sizeof(Entry); }

}  // namespace pfsim::engine
