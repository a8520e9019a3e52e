// pcap/decode.cc — link layer → IP → transport, reading every byte through ByteReader.
//
// Conventions of this file:
//   - malformed_offset is the offset (from the start of the packet) of the header in which the
//     problem was found, e.g. the first byte of the IPv4 header for truncated-ipv4, the first
//     byte of the offending extension header for truncated-ipv6-extension;
//   - a header's own length field narrows the reader (ByteReader::limit) for what follows, so
//     Ethernet padding is never read as transport data and a length that claims more than was
//     captured is simply bounded by the capture (caplen < len is normal);
//   - fields are written into the result as soon as they are read, so a packet that stops
//     early keeps everything decoded before the fault.
//
// decode_packet() first tries the fast path at the end of this file, a straight line for the
// common Ethernet/IP/TCP-UDP packet that gives up on anything unusual; the general decoder
// (the Decoder below) handles what it gives up on and is the reference the fast path is
// tested against (internal/decode_paths.h).
#include "pcap/decode.h"

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include "net/five_tuple.h"
#include "net/protocols.h"
#include "pcap/capture.h"
#include "pcap/internal/byte_reader.h"
#include "pcap/internal/decode_paths.h"

namespace pfsim::pcap {
namespace {

using internal::ByteReader;
using internal::HeaderBytes;

// Header sizes.
constexpr std::size_t kMacAddressesBytes = 12;  // destination + source MAC
constexpr std::size_t kVlanTciBytes = 2;
constexpr std::size_t kSllSkipBytes = 14;            // SLL v1 before its protocol field
constexpr std::size_t kSll2AfterProtocolBytes = 18;  // SLL v2 after its protocol field
constexpr std::size_t kIpv4MinHeaderBytes = 20;
constexpr std::size_t kIpv6HeaderBytes = 40;
constexpr std::size_t kTcpMinHeaderBytes = 20;
constexpr std::size_t kUdpHeaderBytes = 8;
constexpr std::size_t kQuotedTransportBytes = 8;  // RFC 792: the quote holds 64 bits of data
constexpr std::size_t kPseudowireControlWordBytes = 4;
constexpr std::size_t kCiscoHdlcAddressControlBytes = 2;  // address (0x0f, 0x8f), control (0x00)
constexpr std::size_t kPppoeHeaderBytes = 6;              // RFC 2516 §4: ver/type, code, session id, length
constexpr std::uint8_t kPppoeVersionType = 0x11;          // version 1, type 1
constexpr std::uint8_t kPppoeSessionCode = 0x00;          // session data
constexpr std::uint8_t kPppHdlcAddress = 0xff;            // RFC 1662 §3.1: all-stations address, then
constexpr std::uint8_t kPppHdlcControl = 0x03;            // the Unnumbered Information control byte

// BSD loopback address families (values differ per OS; these are the ones libpcap accepts).
constexpr std::uint32_t kBsdAfInet = 2;
constexpr std::uint32_t kBsdAfInet6NetBsd = 24;
constexpr std::uint32_t kBsdAfInet6FreeBsd = 28;
constexpr std::uint32_t kBsdAfInet6Darwin = 30;

// IPv6 extension headers (RFC 8200 §4, AH: RFC 4302).
constexpr std::uint8_t kIpv6HopByHop = 0;
constexpr std::uint8_t kIpv6Routing = 43;
constexpr std::uint8_t kIpv6Fragment = 44;
constexpr std::uint8_t kIpv6DestinationOptions = 60;
constexpr std::uint8_t kIpv6AuthenticationHeader = 51;

using net::kGenevePort;
using net::kVxlanPort;
// Nested encapsulations (a tunnel in a tunnel, Ethernet over MPLS over Ethernet) are followed
// this many levels deep at most; deeper ones are reported as the outer packet. Bounds the
// recursion on crafted input.
constexpr int kMaxTunnelDepth = 4;

struct Decoder {
  DecodedPacket& out;
  const DecodeOptions& options;

  void fail(Malformed kind, std::size_t offset) noexcept {
    out.malformed = kind;
    out.malformed_offset = static_cast<std::uint32_t>(offset);
  }

  void ethertype_payload(std::uint16_t ethertype, ByteReader r, int depth) noexcept;
  // A link header of `skip` bytes ending in an EtherType (Linux cooked v1, Cisco HDLC), then
  // its payload; a header cut short is a truncated link header.
  void ethertype_after(std::size_t skip, ByteReader r) noexcept {
    std::uint16_t protocol = 0;
    if (!r.skip(skip) || !r.read_u16be(protocol)) return fail(Malformed::kTruncatedLinkHeader, 0);
    ethertype_payload(protocol, r, 0);
  }
  void ethernet(ByteReader r, int depth) noexcept;
  void mpls(ByteReader r, int depth) noexcept;
  void ppp(ByteReader r, int depth) noexcept;
  void pppoe(ByteReader r, int depth) noexcept;
  void ip_by_version(ByteReader r, int depth) noexcept;
  void ipv4(ByteReader r, int depth) noexcept;
  void ipv6(ByteReader r, int depth) noexcept;
  void transport(std::uint8_t proto, ByteReader r, int depth) noexcept;
  void tcp(ByteReader r) noexcept;
  void udp(ByteReader r, int depth) noexcept;
  void icmp(ByteReader r, bool v6) noexcept;
  bool quote(ByteReader r, bool v6) noexcept;
  void vxlan(ByteReader r, int depth) noexcept;
  void geneve(ByteReader r, int depth) noexcept;
  void start_inner_packet(Tunnel tunnel) noexcept;
  // Whether the packet being decoded is the inner packet of a tunnel (decapsulate_tunnels).
  //
  // Inside a tunnel, a TCP or UDP header cut short after its ports is judged on what it has
  // rather than reported malformed: a mirror session copies only the first bytes of each packet
  // (AWS Traffic Mirroring's PacketLength, 1-8500 bytes after the VXLAN header; Huawei Cloud's
  // packet_length, 1-1460, 96 by default: real-inputs-anchors.md §4), so a mirrored inner packet
  // often ends inside its headers while the outer packet is whole. "Enough" is what filters and
  // connection tracking key a packet by: the IP addresses and protocol, and for TCP and UDP the
  // ports (their first 4 bytes). TCP flags are kept when their 14 bytes were copied; without them
  // the packet counts as one in the middle of its flow (flags only end tracked flows). ICMP still
  // needs its 8-byte header, and an ICMP error the start of the packet it quotes: without the
  // flow it quotes it cannot be tied to that flow, so it stays malformed (truncated-icmp-quote).
  bool in_tunnel() const noexcept { return out.tunnel != Tunnel::kNone; }
};

// Reads a 16-byte IPv6 address as two 64-bit halves.
bool read_ipv6_address(ByteReader& r, net::Ip128& out) noexcept { return r.read_u64be(out.hi) && r.read_u64be(out.lo); }

// The first fragment of a datagram carries the start of the transport header; a later one
// (offset > 0) carries none.
bool is_later_fragment(const Fragment& f) noexcept { return f.offset_bytes > 0; }

void Decoder::ethertype_payload(std::uint16_t ethertype, ByteReader r, int depth) noexcept {
  switch (ethertype) {
    case net::kEtherTypeIpv4:
      ipv4(r, depth);
      return;
    case net::kEtherTypeIpv6:
      ipv6(r, depth);
      return;
    case net::kEtherTypeMplsUnicast:
    case net::kEtherTypeMplsMulticast:
      mpls(r, depth);
      return;
    case net::kEtherTypePppoeSession:
      pppoe(r, depth);
      return;
    default:
      return;  // ARP, LLDP, PPPoE discovery, ...: not IP, not malformed
  }
}

void Decoder::ppp(ByteReader r, int depth) noexcept {
  // RFC 1661 §2: the Protocol field, 2 bytes, or 1 when compressed (Protocol-Field-Compression,
  // §6.5: a compressed value is odd, an uncompressed first byte even). LINKTYPE_PPP may carry
  // the HDLC-like address and control bytes first (RFC 1662 §3.1), as Wireshark reads it.
  const std::size_t start = r.offset();
  std::uint8_t first = 0;
  std::uint8_t second = 0;
  if (!r.peek_u8(0, first)) return fail(Malformed::kTruncatedLinkHeader, start);
  if (first == kPppHdlcAddress && r.peek_u8(1, second) && second == kPppHdlcControl && !r.skip(2))
    return fail(Malformed::kTruncatedLinkHeader, start);
  std::uint8_t high = 0;
  if (!r.read_u8(high)) return fail(Malformed::kTruncatedLinkHeader, start);
  std::uint16_t protocol = high;
  if ((high & 1u) == 0) {
    std::uint8_t low = 0;
    if (!r.read_u8(low)) return fail(Malformed::kTruncatedLinkHeader, start);
    protocol = static_cast<std::uint16_t>(high << 8 | low);
  }
  switch (protocol) {
    case net::kPppIpv4:
      ipv4(r, depth);
      return;
    case net::kPppIpv6:
      ipv6(r, depth);
      return;
    case net::kPppMplsUnicast:
    case net::kPppMplsMulticast:
      mpls(r, depth);
      return;
    default:
      return;  // LCP, IPCP, CHAP, ...: not IP, not malformed
  }
}

void Decoder::pppoe(ByteReader r, int depth) noexcept {
  // RFC 2516 §4-5: a 6-byte header (ver/type 0x11, code 0x00 in a session), then one PPP frame
  // without address and control bytes. Another version or code is not IP, as in Wireshark.
  const std::size_t start = r.offset();
  std::uint8_t version_type = 0;
  std::uint8_t code = 0;
  if (!r.read_u8(version_type) || !r.read_u8(code) || !r.skip(kPppoeHeaderBytes - 2))
    return fail(Malformed::kTruncatedLinkHeader, start);
  if (version_type != kPppoeVersionType || code != kPppoeSessionCode) return;
  ppp(r, depth);
}

void Decoder::mpls(ByteReader r, int depth) noexcept {
  // RFC 3032 §2.1: 4-byte label stack entries, the last with the bottom-of-stack bit (0x100).
  // The payload type is not signalled; like Wireshark, pfsim reads a first nibble of 4 or 6
  // as IP and 0 as the control word of an Ethernet pseudowire (RFC 4385 §3, RFC 4448 §4.6),
  // anything else as not IP.
  std::uint32_t entry = 0;
  do {
    const std::size_t start = r.offset();
    if (!r.read_u32be(entry)) return fail(Malformed::kTruncatedLinkHeader, start);
  } while ((entry & 0x100u) == 0);
  std::uint8_t first = 0;
  if (!r.peek_u8(0, first)) return;
  switch (first >> 4) {
    case 4:
      ipv4(r, depth);
      return;
    case 6:
      ipv6(r, depth);
      return;
    case 0: {
      // Ethernet inside MPLS inside Ethernet can nest; the depth bounds the recursion.
      const std::size_t start = r.offset();
      if (depth >= kMaxTunnelDepth) return;
      if (!r.skip(kPseudowireControlWordBytes)) return fail(Malformed::kTruncatedLinkHeader, start);
      ethernet(r, depth + 1);
      return;
    }
    default:
      return;
  }
}

void Decoder::ethernet(ByteReader r, int depth) noexcept {
  // IEEE 802.3 header, then any number of 802.1Q / 802.1ad tags, each a TPID (read as the
  // EtherType) followed by 2 bytes of TCI and the next EtherType.
  const std::size_t start = r.offset();
  std::uint16_t ethertype = 0;
  if (!r.skip(kMacAddressesBytes) || !r.read_u16be(ethertype)) return fail(Malformed::kTruncatedLinkHeader, start);
  while (net::is_vlan_tpid(ethertype)) {
    const std::size_t tag = r.offset() - 2;
    if (!r.skip(kVlanTciBytes) || !r.read_u16be(ethertype)) return fail(Malformed::kTruncatedLinkHeader, tag);
  }
  ethertype_payload(ethertype, r, depth);
}

void Decoder::ip_by_version(ByteReader r, int depth) noexcept {
  std::uint8_t first = 0;
  if (!r.peek_u8(0, first)) return fail(Malformed::kBadIpVersion, r.offset());
  switch (first >> 4) {
    case 4:
      ipv4(r, depth);
      return;
    case 6:
      ipv6(r, depth);
      return;
    default:
      fail(Malformed::kBadIpVersion, r.offset());
      return;
  }
}

void Decoder::ipv4(ByteReader r, int depth) noexcept {
  // RFC 791 §3.1: version/IHL, TOS, total length, id, flags/fragment offset, TTL, protocol,
  // checksum, source, destination, then options up to IHL * 4 bytes.
  const std::size_t start = r.offset();
  if (!r.has(kIpv4MinHeaderBytes)) return fail(Malformed::kTruncatedIpv4, start);
  std::uint8_t version_ihl = 0;
  std::uint8_t tos = 0;
  std::uint16_t total_length = 0;
  std::uint16_t id = 0;
  std::uint16_t flags_offset = 0;
  std::uint8_t ttl = 0;
  std::uint8_t proto = 0;
  std::uint16_t checksum = 0;
  std::uint32_t src = 0;
  std::uint32_t dst = 0;
  r.read_u8(version_ihl);
  r.read_u8(tos);
  r.read_u16be(total_length);
  r.read_u16be(id);
  r.read_u16be(flags_offset);
  r.read_u8(ttl);
  r.read_u8(proto);
  r.read_u16be(checksum);
  r.read_u32be(src);
  r.read_u32be(dst);
  const std::size_t header_bytes = std::size_t{version_ihl & 0x0fu} * 4;
  if ((version_ihl >> 4) != 4 || header_bytes < kIpv4MinHeaderBytes) return fail(Malformed::kBadIpv4Header, start);

  out.has_ip = true;
  out.family = net::Family::kIpv4;
  out.src = net::ip4(src);
  out.dst = net::ip4(dst);
  out.proto = proto;
  out.ttl = ttl;
  out.ip_length = total_length;
  out.dont_fragment = (flags_offset & 0x4000u) != 0;
  out.fragment.more = (flags_offset & 0x2000u) != 0;
  out.fragment.offset_bytes = static_cast<std::uint16_t>((flags_offset & 0x1fffu) * 8u);
  out.fragment.is_fragment = out.fragment.more || out.fragment.offset_bytes > 0;
  out.fragment.id = out.fragment.is_fragment ? id : 0u;

  if (!r.skip(header_bytes - kIpv4MinHeaderBytes)) return fail(Malformed::kTruncatedIpv4, start);
  if (total_length < header_bytes) return fail(Malformed::kBadIpv4Length, start);
  if (is_later_fragment(out.fragment)) return;
  transport(proto, r.limit(total_length - header_bytes), depth);
}

void Decoder::ipv6(ByteReader r, int depth) noexcept {
  // RFC 8200 §3: version/class/flow label (4 bytes), payload length, next header, hop limit,
  // source, destination; then the extension header chain (§4).
  const std::size_t start = r.offset();
  if (!r.has(kIpv6HeaderBytes)) return fail(Malformed::kTruncatedIpv6, start);
  std::uint32_t version_class_flow = 0;
  std::uint16_t payload_length = 0;
  std::uint8_t next = 0;
  std::uint8_t hop_limit = 0;
  r.read_u32be(version_class_flow);
  r.read_u16be(payload_length);
  r.read_u8(next);
  r.read_u8(hop_limit);
  net::Ip128 src;
  net::Ip128 dst;
  read_ipv6_address(r, src);
  read_ipv6_address(r, dst);
  if ((version_class_flow >> 28) != 6) return fail(Malformed::kBadIpVersion, start);

  out.has_ip = true;
  out.family = net::Family::kIpv6;
  out.src = src;
  out.dst = dst;
  out.proto = next;
  out.ttl = hop_limit;
  out.ip_length = std::uint32_t{payload_length} + kIpv6HeaderBytes;
  // A payload length of 0 is a jumbogram (RFC 2675) or a TSO capture: bounded by the capture.
  if (payload_length != 0) r = r.limit(payload_length);

  // Each extension header is at least 8 bytes long, so the chain ends within the datagram.
  while (true) {
    const std::size_t ext = r.offset();
    if (next == kIpv6HopByHop || next == kIpv6Routing || next == kIpv6DestinationOptions) {
      // RFC 8200 §4.3-4.6: next header, length in 8-octet units not counting the first 8.
      std::uint8_t following = 0;
      std::uint8_t units = 0;
      if (!r.read_u8(following) || !r.read_u8(units) || !r.skip((std::size_t{units} + 1) * 8 - 2)) {
        return fail(Malformed::kTruncatedIpv6Extension, ext);
      }
      next = following;
    } else if (next == kIpv6AuthenticationHeader) {
      // RFC 4302 §2.2: payload length in 4-octet units minus 2.
      std::uint8_t following = 0;
      std::uint8_t units = 0;
      if (!r.read_u8(following) || !r.read_u8(units) || !r.skip((std::size_t{units} + 2) * 4 - 2)) {
        return fail(Malformed::kTruncatedIpv6Extension, ext);
      }
      next = following;
    } else if (next == kIpv6Fragment) {
      // RFC 8200 §4.5: next header, reserved, offset (13 bits, 8-octet units) / res / M, id.
      std::uint8_t following = 0;
      std::uint8_t reserved = 0;
      std::uint16_t offset_flags = 0;
      std::uint32_t id = 0;
      if (!r.read_u8(following) || !r.read_u8(reserved) || !r.read_u16be(offset_flags) || !r.read_u32be(id)) {
        return fail(Malformed::kTruncatedIpv6Extension, ext);
      }
      next = following;
      out.fragment.id = id;
      out.fragment.more = (offset_flags & 0x0001u) != 0;
      out.fragment.offset_bytes = static_cast<std::uint16_t>(offset_flags & 0xfff8u);
      out.fragment.is_fragment = true;  // RFC 8200 §4.5: even an atomic fragment (RFC 6946)
      out.proto = next;
      if (is_later_fragment(out.fragment)) return;
    } else {
      break;
    }
    out.proto = next;
  }
  transport(next, r, depth);
}

void Decoder::transport(std::uint8_t proto, ByteReader r, int depth) noexcept {
  switch (proto) {
    case net::kProtoTcp:
      tcp(r);
      return;
    case net::kProtoUdp:
      udp(r, depth);
      return;
    case net::kProtoIcmp:
      icmp(r, false);
      return;
    case net::kProtoIcmpv6:
      icmp(r, true);
      return;
    default:
      return;
  }
}

void Decoder::tcp(ByteReader r) noexcept {
  // RFC 9293 §3.1: ports, sequence, acknowledgment, data offset (4 bits) + 12 bits of flags
  // (reserved, AE per RFC 9768, CWR, ECE, URG, ACK, PSH, RST, SYN, FIN).
  const std::size_t start = r.offset();
  std::uint16_t sport = 0;
  std::uint16_t dport = 0;
  if (!r.read_u16be(sport) || !r.read_u16be(dport)) {
    return fail(Malformed::kTruncatedTcp, start);
  }
  out.has_ports = true;
  out.sport = sport;
  out.dport = dport;
  if (!r.has(kTcpMinHeaderBytes - 4)) {
    // A first fragment may end inside the TCP header (RFC 791 allows 8-byte fragments); the
    // ports are what a filter needs, the rest is in the next fragment. Not malformed.
    if (out.fragment.more) return;
    // A mirrored inner packet cut short (in_tunnel()): the ports, and the flags if copied.
    if (in_tunnel()) {
      std::uint16_t offset_flags = 0;
      if (r.skip(8) && r.read_u16be(offset_flags)) {
        out.has_tcp_flags = true;
        out.tcp_flags = static_cast<std::uint16_t>(offset_flags & 0x0fffu);
      }
      return;
    }
    return fail(Malformed::kTruncatedTcp, start);
  }
  std::uint32_t sequence = 0;
  std::uint32_t acknowledgment = 0;
  std::uint16_t offset_flags = 0;
  r.read_u32be(sequence);
  r.read_u32be(acknowledgment);
  r.read_u16be(offset_flags);
  out.has_tcp_flags = true;
  out.tcp_flags = static_cast<std::uint16_t>(offset_flags & 0x0fffu);
  const std::size_t header_bytes = (std::size_t{offset_flags} >> 12) * 4;
  if (header_bytes < kTcpMinHeaderBytes) return fail(Malformed::kBadTcpHeader, start);
  // Window, checksum and urgent pointer (6 bytes) are not needed, but the options are part of
  // the header its data offset promises.
  const std::size_t read_so_far = r.offset() - start;
  if (!r.has(header_bytes - read_so_far) && !out.fragment.more && !in_tunnel()) {
    return fail(Malformed::kTruncatedTcp, start);
  }
}

void Decoder::udp(ByteReader r, int depth) noexcept {
  // RFC 768: source port, destination port, length, checksum.
  const std::size_t start = r.offset();
  std::uint16_t sport = 0;
  std::uint16_t dport = 0;
  std::uint16_t length = 0;
  std::uint16_t checksum = 0;
  if (!r.read_u16be(sport) || !r.read_u16be(dport)) {
    return fail(Malformed::kTruncatedUdp, start);
  }
  out.has_ports = true;
  out.sport = sport;
  out.dport = dport;
  if (!r.read_u16be(length) || !r.read_u16be(checksum)) {
    // A first fragment ending inside the header, as for TCP; a mirrored inner packet cut short.
    if (out.fragment.more || in_tunnel()) return;
    return fail(Malformed::kTruncatedUdp, start);
  }
  // A tunnel's payload of a fragmented datagram is incomplete here: report the outer packet.
  if (!options.decapsulate_tunnels || depth >= kMaxTunnelDepth || out.fragment.is_fragment) return;
  if (dport == kVxlanPort) vxlan(r, depth);
  if (dport == kGenevePort) geneve(r, depth);
}

void Decoder::start_inner_packet(Tunnel tunnel) noexcept {
  // The inner packet replaces the outer one; the record fields and link type stay, and so does
  // the VNI of an outer VXLAN tunnel (packet.h).
  DecodedPacket inner;
  inner.has_vxlan_vni = out.has_vxlan_vni;
  inner.vxlan_vni = out.vxlan_vni;
  inner.index = out.index;
  inner.ts_ns = out.ts_ns;
  inner.caplen = out.caplen;
  inner.len = out.len;
  inner.link = out.link;
  inner.tunnel = tunnel;
  out = inner;
}

void Decoder::vxlan(ByteReader r, int depth) noexcept {
  // RFC 7348 §5: flags (I = 0x08 says the VNI is valid), 24 reserved bits, VNI, 8 reserved
  // bits; then the inner Ethernet frame.
  const std::size_t start = r.offset();
  std::uint8_t flags = 0;
  std::uint32_t vni_reserved = 0;
  if (!r.read_u8(flags) || !r.skip(3) || !r.read_u32be(vni_reserved)) {
    return fail(Malformed::kTruncatedTunnel, start);
  }
  // Without the I flag this is not VXLAN as RFC 7348 defines it: keep the outer packet.
  if ((flags & 0x08u) == 0) return;
  start_inner_packet(Tunnel::kVxlan);
  if (!out.has_vxlan_vni) {
    out.has_vxlan_vni = true;
    out.vxlan_vni = vni_reserved >> 8;
  }
  ethernet(r, depth + 1);
}

void Decoder::geneve(ByteReader r, int depth) noexcept {
  // RFC 8926 §3.4: version (2 bits) + option length (6 bits, 4-octet units), flags, protocol
  // type (an EtherType), VNI (24 bits), reserved; then the options and the inner packet.
  const std::size_t start = r.offset();
  std::uint8_t version_options = 0;
  std::uint8_t flags = 0;
  std::uint16_t protocol = 0;
  std::uint32_t vni_reserved = 0;  // not kept (packet.h, vxlan_vni)
  if (!r.read_u8(version_options) || !r.read_u8(flags) || !r.read_u16be(protocol) || !r.read_u32be(vni_reserved)) {
    return fail(Malformed::kTruncatedTunnel, start);
  }
  // Only version 0 exists; a later version may lay out its header differently.
  if ((version_options >> 6) != 0) return;
  if (!r.skip(std::size_t{version_options & 0x3fu} * 4)) return fail(Malformed::kTruncatedTunnel, start);
  if (protocol != net::kEtherTypeTransparentBridging && protocol != net::kEtherTypeIpv4 &&
      protocol != net::kEtherTypeIpv6) {
    return;
  }
  start_inner_packet(Tunnel::kGeneve);
  if (protocol == net::kEtherTypeTransparentBridging) {
    ethernet(r, depth + 1);
  } else {
    ethertype_payload(protocol, r, depth + 1);
  }
}

void Decoder::icmp(ByteReader r, bool v6) noexcept {
  // RFC 792 / RFC 4443 §2.1: type, code, checksum, then 4 bytes whose meaning depends on the
  // type (echo: identifier + sequence; frag-needed: unused + next-hop MTU; packet too big:
  // MTU), then for errors the quoted packet.
  const std::size_t start = r.offset();
  std::uint8_t type = 0;
  std::uint8_t code = 0;
  if (!r.read_u8(type) || !r.read_u8(code)) return fail(Malformed::kTruncatedIcmp, start);
  out.has_icmp = true;
  out.icmp_type = type;
  out.icmp_code = code;
  std::uint16_t checksum = 0;
  std::uint16_t word1 = 0;
  std::uint16_t word2 = 0;
  if (!r.read_u16be(checksum) || !r.read_u16be(word1) || !r.read_u16be(word2)) {
    return fail(Malformed::kTruncatedIcmp, start);
  }
  const std::uint8_t proto = v6 ? net::kProtoIcmpv6 : net::kProtoIcmp;
  if (net::is_icmp_echo(proto, type)) out.icmp_id = word1;
  if (net::is_pmtu_message(proto, type, code)) {
    out.icmp_mtu = v6 ? (std::uint32_t{word1} << 16) | word2 : word2;  // RFC 4443 §3.2; RFC 1191 §4
  }
  if (!net::is_icmp_error_type(proto, type)) return;
  // A quote that cannot be read is reported at its first byte; the outer fields stay.
  if (!quote(r, v6)) fail(Malformed::kTruncatedIcmpQuote, r.offset());
}

bool Decoder::quote(ByteReader r, bool v6) noexcept {
  // The quoted packet: its IP header (IPv4 with options; IPv6 with extension headers) and at
  // least 8 bytes after it (RFC 792; RFC 4443 §2.4(c) quotes as much as fits). Its ports, or
  // its echo identifier, tie the error to the flow. The quoted IP version follows the outer
  // one: an ICMPv4 error quotes IPv4, an ICMPv6 error IPv6.
  QuotedFlow q;
  std::uint8_t proto = 0;
  bool later_fragment = false;
  if (!v6) {
    std::uint8_t version_ihl = 0;
    std::uint16_t flags_offset = 0;
    std::uint32_t src = 0;
    std::uint32_t dst = 0;
    if (!r.read_u8(version_ihl) || !r.skip(5) || !r.read_u16be(flags_offset) || !r.skip(1) || !r.read_u8(proto) ||
        !r.skip(2) || !r.read_u32be(src) || !r.read_u32be(dst)) {
      return false;
    }
    const std::size_t header_bytes = std::size_t{version_ihl & 0x0fu} * 4;
    if ((version_ihl >> 4) != 4 || header_bytes < kIpv4MinHeaderBytes) return false;
    if (!r.skip(header_bytes - kIpv4MinHeaderBytes)) return false;
    q.family = net::Family::kIpv4;
    q.src = net::ip4(src);
    q.dst = net::ip4(dst);
    later_fragment = (flags_offset & 0x1fffu) != 0;
  } else {
    std::uint32_t version_class_flow = 0;
    if (!r.read_u32be(version_class_flow) || !r.skip(2) || !r.read_u8(proto) || !r.skip(1) ||
        !read_ipv6_address(r, q.src) || !read_ipv6_address(r, q.dst)) {
      return false;
    }
    if ((version_class_flow >> 28) != 6) return false;
    q.family = net::Family::kIpv6;
    while (proto == kIpv6HopByHop || proto == kIpv6Routing || proto == kIpv6DestinationOptions ||
           proto == kIpv6AuthenticationHeader || proto == kIpv6Fragment) {
      std::uint8_t following = 0;
      std::uint8_t units = 0;
      if (!r.read_u8(following) || !r.read_u8(units)) return false;
      std::size_t rest = 6;  // the fragment header is 8 bytes; its second byte is reserved
      if (proto == kIpv6HopByHop || proto == kIpv6Routing || proto == kIpv6DestinationOptions) {
        rest = (std::size_t{units} + 1) * 8 - 2;
      } else if (proto == kIpv6AuthenticationHeader) {
        rest = (std::size_t{units} + 2) * 4 - 2;
      } else {
        std::uint16_t offset_flags = 0;
        if (!r.read_u16be(offset_flags)) return false;
        later_fragment = (offset_flags & 0xfff8u) != 0;
        rest = 4;
      }
      if (!r.skip(rest)) return false;
      proto = following;
    }
  }
  q.proto = proto;
  out.has_inner = true;
  out.inner = q;
  if (later_fragment) return true;  // no transport header was in the quoted fragment
  const bool echo_quote = proto == (v6 ? net::kProtoIcmpv6 : net::kProtoIcmp);
  if (!net::is_tcp_or_udp(proto) && !echo_quote) return true;
  if (!r.has(kQuotedTransportBytes)) return false;
  std::uint16_t a = 0;
  std::uint16_t b = 0;
  std::uint16_t c = 0;
  r.read_u16be(a);
  r.read_u16be(b);
  r.read_u16be(c);
  if (echo_quote) {
    // The quoted packet is ICMP: only an echo has a flow to relate to (its identifier).
    const auto type = static_cast<std::uint8_t>(a >> 8);
    if (!net::is_icmp_echo(proto, type)) return true;
    out.inner.has_ports = true;
    out.inner.sport = c;
    out.inner.dport = c;
    return true;
  }
  out.inner.has_ports = true;
  out.inner.sport = a;
  out.inner.dport = b;
  return true;
}

std::uint32_t read_null_family(ByteReader& r, bool writer_order) noexcept {
  std::uint32_t family = 0;
  if (!r.read_u32be(family)) return 0;
  // LINKTYPE_NULL stores the family in the writer's byte order; the families are small
  // numbers, so a value with only its top byte set was written little-endian.
  if (writer_order && family > 0xffffu) {
    family = ((family & 0xffu) << 24) | ((family & 0xff00u) << 8) | ((family >> 8) & 0xff00u) | (family >> 24);
  }
  return family;
}

// --- The fast path (internal/decode_paths.h) ---
//
// Each step reads one whole header with a single bounds check and returns false at the first
// thing the general decoder would treat specially, so an accepted packet is one whose general
// decoding is the plain sequence of field copies done here. The conditions mirror the general
// decoder's ipv4(), ipv6(), tcp() and udp() above; tests/pcap/decode_fast_path_test.cc holds
// the two against each other. The functions are forced inline into decode_packet(): GCC
// otherwise keeps some of them as calls, which cost as much as the header reads they wrap.

// The EtherType of what follows the link header (its version nibble's for RAW), with `r` past
// the link header; 0 for anything but Ethernet with at most two tags, RAW, IPV4 and IPV6.
[[gnu::always_inline]] inline std::uint16_t fast_link(LinkType link, ByteReader& r) noexcept {
  constexpr int kMaxFastTags = 2;  // 802.1ad S-tag + 802.1Q C-tag covers nearly all captures
  switch (link) {
    case LinkType::kEthernet: {
      HeaderBytes<kMacAddressesBytes + 2> ethernet;
      if (!r.read_header(ethernet)) return 0;
      std::uint16_t ethertype = ethernet.u16be<kMacAddressesBytes>();
      for (int tags = 0; net::is_vlan_tpid(ethertype); ++tags) {
        HeaderBytes<kVlanTciBytes + 2> tag;
        if (tags == kMaxFastTags || !r.read_header(tag)) return 0;
        ethertype = tag.u16be<kVlanTciBytes>();
      }
      return ethertype;
    }
    case LinkType::kRaw: {
      std::uint8_t first = 0;
      if (!r.peek_u8(0, first)) return 0;
      if (first >> 4 == 4) return net::kEtherTypeIpv4;
      return first >> 4 == 6 ? net::kEtherTypeIpv6 : 0;
    }
    case LinkType::kIpv4:
      return net::kEtherTypeIpv4;
    case LinkType::kIpv6:
      return net::kEtherTypeIpv6;
    default:
      return 0;
  }
}

// An unfragmented IPv4 header whose lengths agree; `r` becomes its payload.
[[gnu::always_inline]] inline bool fast_ipv4(ByteReader& r, DecodedPacket& out) noexcept {
  HeaderBytes<kIpv4MinHeaderBytes> ip;
  if (!r.read_header(ip)) return false;
  const std::uint8_t version_ihl = ip.u8<0>();
  const std::uint16_t total_length = ip.u16be<2>();
  const std::uint16_t flags_offset = ip.u16be<6>();
  const std::size_t header_bytes = std::size_t{version_ihl & 0x0fu} * 4;
  // Not version 4, IHL < 5, total length < IHL, MF set or offset > 0: general decoder.
  if ((version_ihl >> 4) != 4 || header_bytes < kIpv4MinHeaderBytes || total_length < header_bytes ||
      (flags_offset & 0x3fffu) != 0) {
    return false;
  }
  if (!r.skip(header_bytes - kIpv4MinHeaderBytes)) return false;
  r = r.limit(total_length - header_bytes);
  out.has_ip = true;
  out.family = net::Family::kIpv4;
  out.src = net::ip4(ip.u32be<12>());
  out.dst = net::ip4(ip.u32be<16>());
  out.proto = ip.u8<9>();
  out.ttl = ip.u8<8>();
  out.ip_length = total_length;
  out.dont_fragment = (flags_offset & 0x4000u) != 0;
  return true;
}

// An IPv6 header; `r` becomes its payload. Extension headers are left to fast_transport to
// refuse (they are not TCP or UDP).
[[gnu::always_inline]] inline bool fast_ipv6(ByteReader& r, DecodedPacket& out) noexcept {
  HeaderBytes<kIpv6HeaderBytes> ip;
  if (!r.read_header(ip) || (ip.u8<0>() >> 4) != 6) return false;
  const std::uint16_t payload_length = ip.u16be<4>();
  if (payload_length != 0) r = r.limit(payload_length);  // 0: jumbogram or TSO, as in ipv6()
  out.has_ip = true;
  out.family = net::Family::kIpv6;
  out.src = net::Ip128{ip.u64be<8>(), ip.u64be<16>()};
  out.dst = net::Ip128{ip.u64be<24>(), ip.u64be<32>()};
  out.proto = ip.u8<6>();
  out.ttl = ip.u8<7>();
  out.ip_length = std::uint32_t{payload_length} + kIpv6HeaderBytes;
  return true;
}

// A complete TCP header (options included) or UDP header that is not a tunnel to follow.
[[gnu::always_inline]] inline bool fast_transport(ByteReader r, const DecodeOptions& options,
                                                  DecodedPacket& out) noexcept {
  if (out.proto == net::kProtoTcp) {
    HeaderBytes<kTcpMinHeaderBytes> tcp;
    if (!r.read_header(tcp)) return false;
    const std::uint16_t offset_flags = tcp.u16be<12>();
    const std::size_t header_bytes = (std::size_t{offset_flags} >> 12) * 4;
    if (header_bytes < kTcpMinHeaderBytes || !r.has(header_bytes - kTcpMinHeaderBytes)) return false;
    out.has_ports = true;
    out.sport = tcp.u16be<0>();
    out.dport = tcp.u16be<2>();
    out.has_tcp_flags = true;
    out.tcp_flags = static_cast<std::uint16_t>(offset_flags & 0x0fffu);
    return true;
  }
  if (out.proto == net::kProtoUdp) {
    HeaderBytes<kUdpHeaderBytes> udp;
    if (!r.read_header(udp)) return false;
    const std::uint16_t dport = udp.u16be<2>();
    if (options.decapsulate_tunnels && (dport == kVxlanPort || dport == kGenevePort)) return false;
    out.has_ports = true;
    out.sport = udp.u16be<0>();
    out.dport = dport;
    return true;
  }
  return false;
}

[[gnu::always_inline]] inline bool fast_decode(LinkType link, std::span<const std::uint8_t> bytes,
                                               const DecodeOptions& options, DecodedPacket& out) noexcept {
  out.link = link;
  ByteReader r(bytes);
  const std::uint16_t ethertype = fast_link(link, r);
  if (ethertype == net::kEtherTypeIpv4) {
    if (!fast_ipv4(r, out)) return false;
  } else if (ethertype == net::kEtherTypeIpv6) {
    if (!fast_ipv6(r, out)) return false;
  } else {
    return false;
  }
  return fast_transport(r, options, out);
}

// Sets `out` to DecodedPacket{}. Copied from a constant rather than assigned: GCC expands the
// copy of a known 168-byte constant into eleven straight 16-byte stores, where `out =
// DecodedPacket{}` becomes a memset, which it emits as a store loop costing twice as many
// instructions (or as `rep stosq`, see pcap/CMakeLists.txt).
[[gnu::always_inline]] inline void reset(DecodedPacket& out) noexcept {
  static constexpr DecodedPacket kEmpty{};
  std::memcpy(&out, &kEmpty, sizeof out);
}

// The general decoder, into `out` from scratch (whatever the fast path left in it). Not inlined
// into decode_batch()'s loops, where it is the rare case and would crowd the fast one.
[[gnu::noinline]] void decode_general(LinkType link, std::span<const std::uint8_t> bytes, const DecodeOptions& options,
                                      DecodedPacket& out) noexcept {
  reset(out);
  out.link = link;
  Decoder d{out, options};
  ByteReader r(bytes);
  switch (link) {
    case LinkType::kEthernet:
      d.ethernet(r, 0);
      break;
    case LinkType::kRaw:
      d.ip_by_version(r, 0);
      break;
    case LinkType::kIpv4:
      d.ipv4(r, 0);
      break;
    case LinkType::kIpv6:
      d.ipv6(r, 0);
      break;
    case LinkType::kNull:
    case LinkType::kLoop: {
      if (!r.has(4)) {
        d.fail(Malformed::kTruncatedLinkHeader, 0);
        break;
      }
      const std::uint32_t family = read_null_family(r, link == LinkType::kNull);
      if (family == kBsdAfInet) {
        d.ipv4(r, 0);
      } else if (family == kBsdAfInet6NetBsd || family == kBsdAfInet6FreeBsd || family == kBsdAfInet6Darwin) {
        d.ipv6(r, 0);
      }
      break;
    }
    case LinkType::kLinuxSll: {
      // https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html: packet type, ARPHRD type,
      // address length, 8 bytes of address, protocol (an EtherType for ARPHRD Ethernet).
      d.ethertype_after(kSllSkipBytes, r);
      break;
    }
    case LinkType::kPpp:
      // https://www.tcpdump.org/linktypes/LINKTYPE_PPP.html
      d.ppp(r, 0);
      break;
    case LinkType::kCiscoHdlc: {
      // https://www.tcpdump.org/linktypes/LINKTYPE_C_HDLC.html: address, control, then the
      // protocol as an EtherType.
      d.ethertype_after(kCiscoHdlcAddressControlBytes, r);
      break;
    }
    case LinkType::kLinuxSll2: {
      // https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL2.html: protocol, reserved,
      // interface index, ARPHRD type, packet type, address length, 8 bytes of address.
      std::uint16_t protocol = 0;
      if (!r.read_u16be(protocol) || !r.skip(kSll2AfterProtocolBytes)) {
        d.fail(Malformed::kTruncatedLinkHeader, 0);
        break;
      }
      d.ethertype_payload(protocol, r, 0);
      break;
    }
  }
}

// Decodes into `out`, which must hold DecodedPacket{}. The fast path writes into `out` as it
// goes; when it gives up, the general decoder starts `out` over.
[[gnu::always_inline]] inline void decode_into(LinkType link, std::span<const std::uint8_t> bytes,
                                               const DecodeOptions& options, DecodedPacket& out) noexcept {
  if (!fast_decode(link, bytes, options, out)) decode_general(link, bytes, options, out);
}

// The loop of decode_batch(), inlined into each of its callers there with `link` constant, so
// that the fast path's switch on the link type folds away.
[[gnu::always_inline]] inline void decode_records(LinkType link, const RecordBatch& batch, std::size_t first,
                                                  std::size_t end, std::uint64_t index_offset,
                                                  const DecodeOptions& options, std::span<DecodedPacket> out) noexcept {
  for (std::size_t i = first; i < end; ++i) {
    const Record& r = batch.records[i];
    DecodedPacket& p = out[i];
    reset(p);  // it holds the previous batch's packet
    decode_into(link, batch.data(r), options, p);
    p.index = index_offset + r.index;
    p.ts_ns = r.ts_ns;
    p.caplen = r.caplen;
    p.len = r.len;
  }
}

}  // namespace

namespace internal {

bool decode_packet_fast(LinkType link, std::span<const std::uint8_t> bytes, const DecodeOptions& options,
                        DecodedPacket& out) noexcept {
  return fast_decode(link, bytes, options, out);
}

DecodedPacket decode_packet_general(LinkType link, std::span<const std::uint8_t> bytes,
                                    const DecodeOptions& options) noexcept {
  DecodedPacket packet;
  decode_general(link, bytes, options, packet);
  return packet;
}

}  // namespace internal

DecodedPacket decode_packet(LinkType link, std::span<const std::uint8_t> bytes, const DecodeOptions& options) noexcept {
  DecodedPacket packet;  // zero by its initializers
  decode_into(link, bytes, options, packet);
  return packet;
}

void decode_batch(LinkType link, const RecordBatch& batch, std::size_t first, std::size_t count,
                  std::uint64_t index_offset, const DecodeOptions& options, std::span<DecodedPacket> out) noexcept {
  const std::size_t end = first + count;
  assert(end <= batch.records.size() && out.size() >= end);
  // One copy of the loop per link type the fast path reads; the others have no fast path to
  // specialise and share one.
  switch (link) {
    case LinkType::kEthernet:
      return decode_records(LinkType::kEthernet, batch, first, end, index_offset, options, out);
    case LinkType::kRaw:
      return decode_records(LinkType::kRaw, batch, first, end, index_offset, options, out);
    case LinkType::kIpv4:
      return decode_records(LinkType::kIpv4, batch, first, end, index_offset, options, out);
    case LinkType::kIpv6:
      return decode_records(LinkType::kIpv6, batch, first, end, index_offset, options, out);
    default:
      return decode_records(link, batch, first, end, index_offset, options, out);
  }
}

void decode_batch(LinkType link, const RecordBatch& batch, std::uint64_t index_offset, const DecodeOptions& options,
                  std::span<DecodedPacket> out) noexcept {
  decode_batch(link, batch, 0, batch.records.size(), index_offset, options, out);
}

}  // namespace pfsim::pcap
