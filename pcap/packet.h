// pcap/packet.h — what the decoder reads from one captured packet: the value types shared by
// the capture reader, the decoder, the flow key and `pfsim decode`.
//
// A DecodedPacket holds the record's metadata (index, time, lengths, link type) and the header
// fields pfsim judges packets by: the IP addresses and protocol, transport ports, TCP flags,
// ICMP type/code and, for an ICMP error, the flow it quotes; IPv4/IPv6 fragment fields; and,
// when the packet cannot be read to its transport header, the named Malformed kind and where
// it was found. Fields that a packet does not carry stay at their zero value with their
// `has_*` flag false: a decoder never invents a value.
//
// ICMP errors (ICMPv4 types 3, 11, 12; ICMPv6 types 1-4) quote the start of the packet that
// caused them; `inner` is that packet's flow, as the sender of the quoted packet saw it
// (src = the host the error is about to reach). Fragments: the first fragment (offset 0, more
// set) carries the ports; later ones have `fragment.offset_bytes > 0`, no ports, and are tied
// to their datagram by (family, src, dst, proto, id).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <type_traits>

#include "net/address.h"

namespace pfsim::pcap {

// Link types by their LINKTYPE_ number (the value stored in pcap and pcapng files).
enum class LinkType : std::uint16_t {
  kNull = 0,         // BSD loopback: 4-byte address family in host order of the writer
  kEthernet = 1,     // with 802.1Q / 802.1ad tags at any depth, and PPPoE sessions in it
  kPpp = 9,          // PPP (RFC 1661), with or without the HDLC-like 0xff 0x03 (RFC 1662)
  kCiscoHdlc = 104,  // Cisco HDLC: address, control, then an EtherType
  kRaw = 101,        // bare IPv4 or IPv6, told apart by the version nibble
  kLoop = 108,       // OpenBSD loopback: 4-byte address family, network order
  kLinuxSll = 113,   // Linux cooked capture v1
  kIpv4 = 228,
  kIpv6 = 229,
  kLinuxSll2 = 276,  // Linux cooked capture v2
};

// "EN10MB", "LINUX_SLL2", ...: libpcap's names, as users see them in tcpdump.
std::string_view link_type_name(LinkType link) noexcept;

// Why a packet could not be read to the end of its headers. One table (packet.cc) pairs each
// kind with its report string ("truncated-ipv4"), which reports count by.
enum class Malformed : std::uint8_t {
  kNone,
  kTruncatedLinkHeader,     // shorter than its link-layer header (Ethernet, SLL, NULL, tags, MPLS)
  kTruncatedIpv4,           // shorter than 20 bytes, or than its IHL
  kBadIpv4Header,           // version is not 4, or IHL < 5
  kBadIpv4Length,           // total length shorter than the header
  kTruncatedIpv6,           // shorter than 40 bytes
  kBadIpVersion,            // RAW link: no version nibble, or neither 4 nor 6; IPv6 header not 6
  kTruncatedIpv6Extension,  // an extension header runs past the captured bytes
  kTruncatedTcp,            // shorter than 20 bytes, or than its data offset
  kBadTcpHeader,            // data offset < 5
  kTruncatedUdp,
  kTruncatedIcmp,
  kTruncatedIcmpQuote,  // an ICMP error too short to hold the quoted IP header + 8 bytes,
                        // or whose quoted IP header cannot be read (wrong version, IHL)
  kTruncatedTunnel,     // VXLAN / Geneve header runs past the captured bytes
};
inline constexpr std::size_t kMalformedKinds = 14;

// "truncated-ipv4", ...; "" for kNone.
std::string_view malformed_name(Malformed kind) noexcept;

struct Fragment {
  bool is_fragment = false;  // offset > 0 or more fragments follow
  std::uint32_t id = 0;      // IPv4 identification (16 bits) or IPv6 fragment id
  std::uint16_t offset_bytes = 0;
  bool more = false;  // MF flag / IPv6 M flag
};

// A flow as an ICMP error quotes it.
struct QuotedFlow {
  net::Family family = net::Family::kIpv4;
  net::Ip128 src;
  net::Ip128 dst;
  std::uint8_t proto = 0;
  bool has_ports = false;  // TCP/UDP ports (or ICMP echo id) were in the quote
  std::uint16_t sport = 0;
  std::uint16_t dport = 0;
};

enum class Tunnel : std::uint8_t { kNone, kVxlan, kGeneve };

struct DecodedPacket {
  // The record.
  std::uint64_t index = 0;  // 1-based position in the capture
  std::int64_t ts_ns = 0;   // nanoseconds since the Unix epoch
  std::uint32_t caplen = 0;
  std::uint32_t len = 0;  // length on the wire
  LinkType link = LinkType::kEthernet;
  // Why decoding stopped early (kNone: it did not). Here, in the first cache line with the
  // record and has_ip, rather than with malformed_offset: a replay reads it for every packet.
  Malformed malformed = Malformed::kNone;

  // The IP header (the innermost one decoded, when a tunnel was decapsulated).
  bool has_ip = false;
  net::Family family = net::Family::kIpv4;
  // The encapsulation that was removed, if any, and whether it carried a VXLAN VNI (vxlan_vni);
  // here, in the bytes before src's alignment, so that DecodedPacket keeps its size.
  Tunnel tunnel = Tunnel::kNone;
  bool has_vxlan_vni = false;
  net::Ip128 src;
  net::Ip128 dst;
  std::uint8_t proto = 0;       // the upper-layer protocol, after IPv6 extension headers
  std::uint8_t ttl = 0;         // TTL / hop limit
  std::uint32_t ip_length = 0;  // IPv4 total length, or 40 + IPv6 payload length
  bool dont_fragment = false;   // IPv4 DF (IPv6 routers never fragment: always false)
  Fragment fragment;

  // The transport header (first fragments and unfragmented packets only).
  bool has_ports = false;
  std::uint16_t sport = 0;
  std::uint16_t dport = 0;
  bool has_tcp_flags = false;
  std::uint16_t tcp_flags = 0;  // the 12 bits after the data offset, FIN = 0x001
  bool has_icmp = false;
  std::uint8_t icmp_type = 0;
  std::uint8_t icmp_code = 0;
  std::uint16_t icmp_id = 0;   // echo request/reply identifier
  std::uint32_t icmp_mtu = 0;  // next-hop MTU of "fragmentation needed" / "packet too big"
  bool has_inner = false;      // an ICMP error's quoted flow
  QuotedFlow inner;

  // The VNI (24 bits) of the outermost VXLAN tunnel removed (has_vxlan_vni): the one a mirror
  // session (AWS Traffic Mirroring, Huawei Cloud mirroring) puts around the packets it copies,
  // naming the session. Geneve's VNI (Gateway Load Balancer's) names no session and is not kept.
  std::uint32_t vxlan_vni = 0;

  std::uint32_t malformed_offset = 0;  // byte offset in the packet where decoding stopped (`malformed`)
};
static_assert(std::is_trivially_copyable_v<DecodedPacket>);

}  // namespace pfsim::pcap
