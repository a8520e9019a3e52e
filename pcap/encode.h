// pcap/encode.h — a packet description to its frame bytes: the inverse of decode.h.
//
// A FrameSpec names the headers of one packet: an Ethernet header with any 802.1Q/802.1ad
// tags and optionally a PPPoE session header (or no link header, for LINKTYPE_RAW/IPV4/IPV6;
// PPP in HDLC-like framing for LINKTYPE_PPP; Cisco HDLC's for LINKTYPE_C_HDLC), IPv4 (options, DF, fragment fields)
// or IPv6 (flow label, extension headers, a fragment header), then TCP, UDP, ICMP or ICMPv6,
// then, for UDP, a VXLAN or Geneve header (`tunnel`), then a payload. encode_frame() writes the frame in network order
// with every length field and checksum a receiver checks: the IPv4 header checksum (RFC 791) and the TCP, UDP and
// ICMPv6 checksums over their pseudo-headers (RFC 9293 §3.1, RFC 768, RFC 8200 §8.1), the
// ICMPv4 one over the message only (RFC 792). A frame it writes decodes (decode_packet) to the
// fields it was given.
//
// Key idea: the frame on the wire is always complete and correct; the output span is the
// capture. Its size plays the snaplen: the headers must fit in it, the payload is cut where it
// ends, and the lengths and checksums still describe the whole packet (as a capture cut by a
// snaplen does). Bytes a test wants broken (a wrong version, a short length) it overwrites
// after encoding; truncated headers it gets by cutting the encoded frame.
//
// The payload is `payload` followed by zeros up to `payload_bytes`, so a caller that only
// needs a size passes no bytes; zeros add nothing to a checksum, so the cost is a pass over
// the given payload bytes (the checksum) plus the bytes written.
//
// Semantics worth knowing:
// - proto TCP/UDP/ICMP/ICMPv6 get their header; any other protocol number gets none (the
//   payload follows the IP header, as for an unknown protocol or an extension chain).
// - A later fragment (fragment.offset_bytes > 0) carries no transport header: its payload
//   follows the IP (or IPv6 fragment) header. A first fragment's transport checksum covers
//   that fragment's bytes only.
// - The pseudo-header uses `dst` even when a routing header names another final hop.
// - A UDP checksum that computes to 0 is sent as 0xffff (RFC 768: 0 means "no checksum").
// - An ICMP error's quoted packet is its payload: encode the offending packet with LinkType
//   kRaw and pass (the start of) it.
// - A tunnel's inner packet is its payload too: encode it first (kEthernet for VXLAN; for
//   Geneve kEthernet or kRaw as tunnel.protocol says), then the outer UDP datagram to
//   net::kVxlanPort or net::kGenevePort around it. Over IPv4 a tunnel's UDP checksum is 0
//   (RFC 7348 §5: it "SHOULD be transmitted as zero"; RFC 8926 §3.3 allows zero over IPv4; the
//   real frames of tests/data/pcaps/vxlan.pcap and geneve.pcap carry zero); over IPv6 it is
//   computed (RFC 8200 §8.1).
//
// Errors (net::Error with the message only; the caller adds the packet's position):
// "headers of 54 bytes do not fit in 53 bytes", "ipv4_options: 6 bytes is not a multiple of 4
// up to 40" (tcp_options alike), "ipv6 extension #2 (type 43): 12 bytes is not a multiple of 8
// up to 2048", "fragment offset 12 is not a multiple of 8 bytes", "IPv4 total length 65576
// exceeds 65535" (IPv6 payload length alike), "link type LINUX_SLL has no encoder", "link type
// IPV4 cannot carry an IPv6 packet", "protocol 1 (ICMP) in an IPv6 packet" (58 in IPv4 alike),
// "a tunnel header needs protocol 17 (UDP)", "geneve options: 6 bytes are not whole options up
// to 252 bytes", "geneve option data: 5 bytes is not a multiple of 4 up to 124", "VNI 16777216
// exceeds 24 bits".
//
// Pure and thread-safe; encode_frame() does not allocate unless it fails.
//
// Example:
//   std::array<std::uint8_t, 128> buf;
//   FrameSpec syn{.src = net::ip4(10, 0, 0, 1), .dst = net::ip4(192, 0, 2, 1), .sport = 40000,
//                 .dport = 443, .tcp_flags = 0x002};
//   net::Result<EncodedFrame> frame = encode_frame(syn, buf);
//   if (frame) writer.write(ts_ns, frame->wire_bytes, std::span(buf).first(frame->captured_bytes));
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "net/address.h"
#include "net/error.h"
#include "net/five_tuple.h"
#include "net/protocols.h"
#include "pcap/capture.h"
#include "pcap/packet.h"

namespace pfsim::pcap {

using MacAddress = std::array<std::uint8_t, 6>;

// One 802.1Q (TPID 0x8100) or 802.1ad (0x88a8) tag: TPID, then PCP/DEI/VID.
struct VlanTag {
  std::uint16_t tpid = 0x8100;
  std::uint16_t tci = 0;
};

// An IPv6 extension header other than Fragment (which `fragment` produces): hop-by-hop (0),
// routing (43), destination options (60) or AH (51). `body` is what follows its next-header
// and length bytes, so 2 + body.size() must be a multiple of 8 (of 4 for AH); the encoder
// writes the next-header and length bytes.
struct Ipv6Extension {
  std::uint8_t type = 0;
  std::span<const std::uint8_t> body{};
};

// A tunnel header at the start of a UDP datagram's payload: VXLAN (RFC 7348 §5: flags with the
// I bit, the VNI) or Geneve (RFC 8926 §3.4: version 0, the options' length, the C flag when an
// option's type has its critical bit, the protocol type, the VNI, then the options).
struct TunnelSpec {
  Tunnel kind = Tunnel::kNone;
  std::uint32_t vni = 0;                                        // 24 bits
  std::uint16_t protocol = net::kEtherTypeTransparentBridging;  // Geneve: the inner packet's EtherType
  std::span<const std::uint8_t> geneve_options{};               // whole options (append_geneve_option)
};

// One packet's headers and payload. Spans are views: what they show must outlive the call.
struct FrameSpec {
  // Link: kEthernet; kRaw/kIpv4/kIpv6 for a bare IP packet; kPpp (0xff 0x03 and a 2-byte
  // protocol, RFC 1662 §3.1); kCiscoHdlc (address 0x0f, control 0x00, an EtherType).
  LinkType link = LinkType::kEthernet;
  MacAddress dst_mac{};
  MacAddress src_mac{};
  std::span<const VlanTag> vlan_tags{};  // outermost first
  // Ethernet only: a PPPoE session (EtherType 0x8864, RFC 2516 §4) carries the packet in PPP.
  bool pppoe = false;
  std::uint16_t pppoe_session_id = 0;

  // IP.
  net::Family family = net::Family::kIpv4;
  net::Ip128 src{};
  net::Ip128 dst{};
  std::uint8_t proto = net::kProtoTcp;
  std::uint8_t ttl = 64;         // IPv6: hop limit
  std::uint8_t tos = 0;          // IPv6: traffic class
  std::uint32_t flow_label = 0;  // IPv6, 20 bits
  std::uint16_t ipv4_id = 0;     // IPv4 identification
  bool dont_fragment = false;    // IPv4 only
  // offset_bytes (a multiple of 8) and more; IPv6: is_fragment adds a fragment header, whose
  // identification is `id` (IPv4 takes ipv4_id).
  Fragment fragment{};
  std::span<const std::uint8_t> ipv4_options{};      // a multiple of 4, at most 40 bytes
  std::span<const Ipv6Extension> ipv6_extensions{};  // in order, before any fragment header

  // Transport.
  std::uint16_t sport = 0;
  std::uint16_t dport = 0;
  std::uint32_t seq = 0;
  std::uint32_t ack = 0;
  std::uint16_t tcp_flags = 0;  // the 12 bits after the data offset
  std::uint16_t window = 65535;
  std::span<const std::uint8_t> tcp_options{};  // a multiple of 4, at most 40 bytes
  std::uint8_t icmp_type = 0;
  std::uint8_t icmp_code = 0;
  // The ICMP header's second word: (identifier << 16) | sequence for an echo, the next-hop
  // MTU for "fragmentation needed" (RFC 1191) or "packet too big" (RFC 4443), else 0.
  std::uint32_t icmp_rest = 0;

  // Tunnel header (proto UDP only), between the UDP header and the payload.
  TunnelSpec tunnel{};

  // Payload: these bytes, then zeros up to payload_bytes (if that is more).
  std::span<const std::uint8_t> payload{};
  std::uint32_t payload_bytes = 0;
};

// The second word of an ICMP echo request or reply.
constexpr std::uint32_t icmp_echo_rest(std::uint16_t identifier, std::uint16_t sequence) noexcept {
  return (std::uint32_t{identifier} << 16) | sequence;
}

struct EncodedFrame {
  std::size_t wire_bytes = 0;      // the whole frame (a capture record's len)
  std::size_t captured_bytes = 0;  // written to the output: min(wire_bytes, out.size())
  std::size_t ip_offset = 0;       // where the IP header starts (the link header's length)
};

// Writes the frame of `spec` into `out`, cut at out.size() bytes (the snaplen). Fails, with
// `out` in an unspecified state, when the spec is invalid or its headers do not fit in `out`.
net::Result<EncodedFrame> encode_frame(const FrameSpec& spec, std::span<std::uint8_t> out);

// Appends the whole frame of `spec` to `out`; on failure `out` is unchanged.
net::Result<EncodedFrame> append_frame(const FrameSpec& spec, std::vector<std::uint8_t>& out);

// Appends one Geneve option (RFC 8926 §3.5: class, type — its high bit "critical" — and the
// length of `data` in 4-byte units) and its data to `out`, for TunnelSpec::geneve_options. AWS
// Gateway Load Balancer's options are of class 0x0108: type 1 the endpoint id (8 bytes), 2 the
// attachment id (8 bytes), 3 the flow cookie (4 bytes) (real-inputs-anchors.md §4). Fails, with
// `out` unchanged, when data is not a multiple of 4 bytes up to 124.
net::Status append_geneve_option(std::uint16_t option_class, std::uint8_t type, std::span<const std::uint8_t> data,
                                 std::vector<std::uint8_t>& out);

// The one's-complement sum of `bytes` as 16-bit big-endian words (an odd last byte padded
// with a zero), folded to 16 bits: 0xffff over a header or segment whose checksum is right
// (with its pseudo-header prepended for TCP/UDP/ICMPv6).
std::uint16_t ones_complement_sum(std::span<const std::uint8_t> bytes) noexcept;

}  // namespace pfsim::pcap
