// pcap/decode.h — one packet's bytes to a DecodedPacket (packet.h).
//
// The decoder walks the link layer (Ethernet with any number of 802.1Q/802.1ad tags, Linux
// SLL and SLL2, RAW, IPv4, IPv6, NULL/LOOP), then IPv4 (options skipped by IHL) or IPv6 with
// its extension headers (hop-by-hop, routing, fragment, destination options, AH), then TCP,
// UDP, ICMP or ICMPv6; for an ICMP error it decodes the quoted IP header and the first 8
// bytes after it into `inner`. With `decapsulate_tunnels`, UDP 4789 (VXLAN, whose inner
// frame is Ethernet) and UDP 6081 (Geneve, as AWS Gateway Load Balancer uses: its options
// skipped, the inner packet Ethernet or IP as its protocol type says) are followed and the
// inner packet is what is reported (`tunnel` says which encapsulation was removed,
// `vxlan_vni` the outermost VXLAN header's VNI). An inner TCP or UDP header cut short after its ports
// (a mirror session's packet length) is not malformed: decode.cc, Decoder::in_tunnel().
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
// check per header (its instruction count: bench/RESULTS.md, "Batch decoding, and a quiet
// machine"); every other packet takes the general walk, which gives the same result field for
// field (pcap/internal/decode_paths.h).
//
// decode_batch() decodes a whole RecordBatch (capture.h) into a caller-owned array that is
// recycled from batch to batch, with the same result per packet as decode_packet() (it is the
// same decoder), record fields included: the loop every reader of captures writes, done once,
// with the switch on the link type hoisted out of it and each packet written in place.
//
// Pure and thread-safe; no allocation.
//
// Example:
//   std::vector<DecodedPacket> packets;  // kept across batches
//   while (/* reader.read_batch(batch) delivered records */) {
//     packets.resize(batch.records.size());
//     decode_batch(reader.link_type(), batch, records_of_earlier_files, {}, packets);
//     for (const DecodedPacket& p : packets) use(p, flow_key(p));
//   }
#pragma once

#include <cstdint>
#include <span>

#include "pcap/capture.h"
#include "pcap/packet.h"

namespace pfsim::pcap {

struct DecodeOptions {
  bool decapsulate_tunnels = false;
};

// Decodes the header fields of `bytes` captured on `link`. The record fields of the result
// (index, ts_ns, caplen, len) are left for the caller; link is set.
DecodedPacket decode_packet(LinkType link, std::span<const std::uint8_t> bytes, const DecodeOptions& options) noexcept;

// Decodes every record of `batch` (captured on `link`) into out[i], i its position in
// batch.records, exactly as decode_packet() would, and sets its record fields: index =
// index_offset + the record's index (index_offset = the records of earlier files, for a
// replay of several), ts_ns, caplen, len. Each out[i] is overwritten whole, so what it held
// (the previous batch) does not matter.
// Precondition: out.size() >= batch.records.size(); only the first batch.records.size()
// elements are written.
void decode_batch(LinkType link, const RecordBatch& batch, std::uint64_t index_offset, const DecodeOptions& options,
                  std::span<DecodedPacket> out) noexcept;

// The same for the records [first, first + count) of `batch` only, into out[first...]: for a
// caller that goes on with each chunk of packets while they are still in the cache.
// Precondition: first + count <= batch.records.size() and <= out.size().
void decode_batch(LinkType link, const RecordBatch& batch, std::size_t first, std::size_t count,
                  std::uint64_t index_offset, const DecodeOptions& options, std::span<DecodedPacket> out) noexcept;

}  // namespace pfsim::pcap
