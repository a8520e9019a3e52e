// pcap/decode.h — one packet's bytes to a DecodedPacket (packet.h).
//
// The decoder walks the link layer (Ethernet with any number of 802.1Q/802.1ad tags, Linux
// SLL and SLL2, RAW, IPv4, IPv6, NULL/LOOP), then IPv4 (options skipped by IHL) or IPv6 with
// its extension headers (hop-by-hop, routing, fragment, destination options, AH), then TCP,
// UDP, ICMP or ICMPv6; for an ICMP error it decodes the quoted IP header and the first 8
// bytes after it into `inner`. With `decapsulate_tunnels`, UDP 4789 (VXLAN) and UDP 6081
// (Geneve, as AWS Gateway Load Balancer uses) are followed to the inner Ethernet frame and
// the inner packet is what is reported (`tunnel` says which encapsulation was removed).
//
// MPLS label stacks (EtherType 0x8847/0x8848) are followed too: to IP by its version nibble,
// or, after a zero control word, to an Ethernet pseudowire.
//
// Untrusted input: every byte is read through a bounds-checked reader; a packet that ends
// early, or whose header fields contradict its length, yields the Malformed kind and, in
// malformed_offset, the offset from the start of the packet of the header at fault (e.g. the
// IPv4 header's first byte for truncated-ipv4), with every field decoded before it kept. When
// a tunnel was decapsulated, the outer fields are replaced by the inner packet's. A packet
// that is not IP (ARP, LLDP) is not malformed: has_ip stays false. Payload beyond the captured
// bytes (caplen < len) is not an error as long as the headers were captured.
//
// Cost: the common packet (Ethernet with up to two VLAN tags, or RAW/IPV4/IPV6, then
// unfragmented IPv4 or IPv6 straight to TCP or UDP) takes a straight-line path with one bounds
// check per header, about 145 instructions with the zeroing of the result; every other packet
// takes the general walk, which gives the same result field for field
// (pcap/internal/decode_paths.h).
//
// Pure and thread-safe; no allocation.
#pragma once

#include <cstdint>
#include <span>

#include "pcap/packet.h"

namespace pfsim::pcap {

struct DecodeOptions {
  bool decapsulate_tunnels = false;
};

// Decodes the header fields of `bytes` captured on `link`. The record fields of the result
// (index, ts_ns, caplen, len) are left for the caller; link is set.
DecodedPacket decode_packet(LinkType link, std::span<const std::uint8_t> bytes, const DecodeOptions& options) noexcept;

}  // namespace pfsim::pcap
