// pcap/internal/decode_paths.h — the two decoders behind decode_packet() (decode.h).
//
// decode_packet_general() walks every layout decode.h promises, one bounds-checked field at a
// time; it is the single source of truth. decode_packet_fast() is a straight line for the
// packets a capture is mostly made of — Ethernet with up to two VLAN tags (or a RAW, IPV4 or
// IPV6 link), then unfragmented IPv4 (any IHL) or IPv6 whose next header is TCP or UDP, then a
// complete TCP or UDP header — with one bounds check per header. It accepts a packet only
// when it would give exactly what the general decoder gives; for anything else (fragments,
// extension headers, ICMP, MPLS, tunnels to decapsulate, truncated or contradictory headers)
// it returns false and decode_packet() asks the general decoder.
//
// Internal to pcap/: exposed so tests/pcap/decode_fast_path_test.cc can hold the two against
// each other. Pure, thread-safe, no allocation.
#pragma once

#include <cstdint>
#include <span>

#include "pcap/decode.h"
#include "pcap/packet.h"

namespace pfsim::pcap::internal {

DecodedPacket decode_packet_general(LinkType link, std::span<const std::uint8_t> bytes,
                                    const DecodeOptions& options) noexcept;

// True with `out` set as decode_packet_general would set it (`out` must start as a
// default-constructed DecodedPacket with `link` set); false, with `out` partly written, when
// the packet is not one the fast path reads.
bool decode_packet_fast(LinkType link, std::span<const std::uint8_t> bytes, const DecodeOptions& options,
                        DecodedPacket& out) noexcept;

}  // namespace pfsim::pcap::internal
