// engine/replay/internal/fragment_ports.h — the replay's IP fragment tracker: the ports of a
// datagram's first fragment, lent to its later fragments.
//
// What: later fragments carry no ports, so each gets its datagram's, from the first fragment
// with the same (family, addresses, protocol, IP id), so that it is judged, and sharded, with
// its flow (as Open vSwitch keeps its fragment handling apart from conntrack, lib/ipf.c).
// Fragments are not reassembled and their offsets are not checked: a later fragment whose
// first fragment was not seen (or came later) keeps no ports and is judged as it is.
//
// Key idea: only a first fragment with more to come is remembered, and its entry is forgotten
// with the datagram's last fragment, so the map holds the datagrams in flight.
//
// Cost: resolve() is inline and costs one test for a packet that is no fragment (nearly all);
// a fragment costs a hash probe, a first fragment may allocate. Memory: one entry per datagram
// whose last fragment was not seen.
//
// Thread-safety: none. Fed every packet read, in capture order, from one serial stage
// (engine/replay/replay_pipeline.cc, prepare).
#pragma once

#include <cstdint>
#include <unordered_map>
#include <utility>

#include "net/address.h"
#include "pcap/packet.h"

namespace pfsim::engine::internal {

class FragmentPorts {
 public:
  // Gives a later fragment its first fragment's ports and returns whether it did (its flow
  // changed).
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

}  // namespace pfsim::engine::internal
