// net/protocols.h — the numbers of the wire protocols pfsim reads, judges and writes: IP
// protocol numbers, ICMP and ICMPv6 message types, TCP flag bits and EtherTypes, with the
// predicates every part asks of them ("is this an ICMP error?", "an echo?", "a PMTU message?").
//
// Key idea: one definition of each number, cited to the document that assigns it, so the
// decoder, connection tracking, the reports and the generator cannot drift apart. Names for
// people ("tcp", "icmpv6") are in net/format.h.
//
// Semantics: ICMP type and code are taken as plain numbers; a predicate asked about a protocol
// that is not ICMP (1) or ICMPv6 (58) answers false. Types are std::uint16_t because the
// engine carries them in FiveTuple's port fields (net/five_tuple.h); the decoder's 8-bit
// fields convert without loss.
//
// Example:
//   if (is_icmp(p.proto) && is_icmp_error_type(p.proto, p.icmp_type)) follow_quote(p);
//   const std::uint8_t proto = icmp_protocol(family);   // 1 or 58
//
// Everything here is constexpr, free of allocation and safe from any thread: the decoder's and
// the judge's per-packet paths call it.
#pragma once

#include <cstdint>

#include "net/address.h"

namespace pfsim::net {

// --- IP protocol numbers (IANA "Assigned Internet Protocol Numbers") ---

inline constexpr std::uint8_t kProtoIcmp = 1;     // RFC 792
inline constexpr std::uint8_t kProtoTcp = 6;      // RFC 9293
inline constexpr std::uint8_t kProtoUdp = 17;     // RFC 768
inline constexpr std::uint8_t kProtoGre = 47;     // RFC 2784
inline constexpr std::uint8_t kProtoEsp = 50;     // RFC 4303
inline constexpr std::uint8_t kProtoIcmpv6 = 58;  // RFC 4443
inline constexpr std::uint8_t kProtoSctp = 132;   // RFC 9260

// ICMP for IPv4 or ICMPv6.
constexpr bool is_icmp(std::uint8_t proto) noexcept { return proto == kProtoIcmp || proto == kProtoIcmpv6; }

// TCP or UDP: the protocols whose ports filters and connection tracking match.
constexpr bool is_tcp_or_udp(std::uint8_t proto) noexcept { return proto == kProtoTcp || proto == kProtoUdp; }

// The ICMP protocol of an address family: 1 for IPv4, 58 for IPv6.
constexpr std::uint8_t icmp_protocol(Family family) noexcept {
  return family == Family::kIpv4 ? kProtoIcmp : kProtoIcmpv6;
}

// --- ICMP for IPv4 message types and codes (RFC 792) ---

inline constexpr std::uint16_t kIcmpEchoReply = 0;               // RFC 792
inline constexpr std::uint16_t kIcmpDestinationUnreachable = 3;  // RFC 792
inline constexpr std::uint16_t kIcmpFragmentationNeeded = 4;     // code of type 3 (RFC 1191 §4)
inline constexpr std::uint16_t kIcmpEchoRequest = 8;             // RFC 792
inline constexpr std::uint16_t kIcmpTimeExceeded = 11;           // RFC 792
inline constexpr std::uint16_t kIcmpParameterProblem = 12;       // RFC 792

// --- ICMPv6 message types (RFC 4443 §2.1: errors 0-127, informational 128-255) ---

inline constexpr std::uint16_t kIcmpv6DestinationUnreachable = 1;  // RFC 4443 §3.1
inline constexpr std::uint16_t kIcmpv6PacketTooBig = 2;            // RFC 4443 §3.2
inline constexpr std::uint16_t kIcmpv6TimeExceeded = 3;            // RFC 4443 §3.3
inline constexpr std::uint16_t kIcmpv6ParameterProblem = 4;        // RFC 4443 §3.4
inline constexpr std::uint16_t kIcmpv6EchoRequest = 128;           // RFC 4443 §4.1
inline constexpr std::uint16_t kIcmpv6EchoReply = 129;             // RFC 4443 §4.2

// Whether an ICMP or ICMPv6 message of this type is an error that quotes a packet: ICMPv4
// destination unreachable, time exceeded, parameter problem (RFC 792); ICMPv6 types 1-4
// (RFC 4443 §3). Redirect (ICMPv4 5) and source quench (4) quote too but are not errors a
// filter relates to a flow.
constexpr bool is_icmp_error_type(std::uint8_t proto, std::uint16_t type) noexcept {
  if (proto == kProtoIcmp) {
    return type == kIcmpDestinationUnreachable || type == kIcmpTimeExceeded || type == kIcmpParameterProblem;
  }
  if (proto == kProtoIcmpv6) return type >= kIcmpv6DestinationUnreachable && type <= kIcmpv6ParameterProblem;
  return false;
}

// Whether an ICMP or ICMPv6 message of this type is an echo request or reply, whose identifier
// tells one ping flow from another (RFC 792, RFC 4443 §4).
constexpr bool is_icmp_echo(std::uint8_t proto, std::uint16_t type) noexcept {
  if (proto == kProtoIcmp) return type == kIcmpEchoRequest || type == kIcmpEchoReply;
  if (proto == kProtoIcmpv6) return type == kIcmpv6EchoRequest || type == kIcmpv6EchoReply;
  return false;
}

// Whether this is an echo request (ICMPv4 8, ICMPv6 128): the one ICMP message with a reply.
constexpr bool is_icmp_echo_request(std::uint8_t proto, std::uint16_t type) noexcept {
  return (proto == kProtoIcmp && type == kIcmpEchoRequest) || (proto == kProtoIcmpv6 && type == kIcmpv6EchoRequest);
}

// The echo request and reply types of an ICMP protocol (`proto` is 1 or 58).
constexpr std::uint16_t icmp_echo_request_type(std::uint8_t proto) noexcept {
  return proto == kProtoIcmp ? kIcmpEchoRequest : kIcmpv6EchoRequest;
}
constexpr std::uint16_t icmp_echo_reply_type(std::uint8_t proto) noexcept {
  return proto == kProtoIcmp ? kIcmpEchoReply : kIcmpv6EchoReply;
}

// Whether this is a Path MTU Discovery message, which carries the next hop's MTU: ICMPv4
// type 3 code 4 "fragmentation needed and DF set" (RFC 1191 §4) or ICMPv6 type 2 "packet too
// big" (RFC 8201, RFC 4443 §3.2).
constexpr bool is_pmtu_message(std::uint8_t proto, std::uint16_t type, std::uint16_t code) noexcept {
  return (proto == kProtoIcmp && type == kIcmpDestinationUnreachable && code == kIcmpFragmentationNeeded) ||
         (proto == kProtoIcmpv6 && type == kIcmpv6PacketTooBig);
}

// --- TCP flags: the 9 bits after the data offset (RFC 9293 §3.1), FIN the lowest ---

inline constexpr std::uint16_t kTcpFin = 0x001;  // RFC 9293
inline constexpr std::uint16_t kTcpSyn = 0x002;  // RFC 9293
inline constexpr std::uint16_t kTcpRst = 0x004;  // RFC 9293
inline constexpr std::uint16_t kTcpPsh = 0x008;  // RFC 9293
inline constexpr std::uint16_t kTcpAck = 0x010;  // RFC 9293
inline constexpr std::uint16_t kTcpUrg = 0x020;  // RFC 9293
inline constexpr std::uint16_t kTcpEce = 0x040;  // RFC 3168 §6.1
inline constexpr std::uint16_t kTcpCwr = 0x080;  // RFC 3168 §6.1
inline constexpr std::uint16_t kTcpAe = 0x100;   // RFC 9768 (formerly NS, RFC 3540)

// --- EtherTypes (IEEE 802 Numbers registry) ---

inline constexpr std::uint16_t kEtherTypeIpv4 = 0x0800;                 // RFC 894
inline constexpr std::uint16_t kEtherTypeArp = 0x0806;                  // RFC 826
inline constexpr std::uint16_t kEtherTypeTransparentBridging = 0x6558;  // RFC 1701; Geneve's Ethernet, RFC 8926
inline constexpr std::uint16_t kEtherTypeVlan = 0x8100;                 // IEEE 802.1Q C-tag
inline constexpr std::uint16_t kEtherTypeIpv6 = 0x86dd;                 // RFC 2464 §3
inline constexpr std::uint16_t kEtherTypeMplsUnicast = 0x8847;          // RFC 3032 §5
inline constexpr std::uint16_t kEtherTypeMplsMulticast = 0x8848;        // RFC 3032 §5
inline constexpr std::uint16_t kEtherTypePppoeDiscovery = 0x8863;       // RFC 2516 §4
inline constexpr std::uint16_t kEtherTypePppoeSession = 0x8864;         // RFC 2516 §4
inline constexpr std::uint16_t kEtherTypeQinq = 0x88a8;                 // IEEE 802.1ad S-tag
inline constexpr std::uint16_t kEtherTypeQinqLegacy = 0x9100;           // pre-standard S-tag, still common

// --- PPP protocol numbers (RFC 1661 §2, IANA PPP DLL Protocol Numbers) ---

inline constexpr std::uint16_t kPppIpv4 = 0x0021;           // RFC 1332
inline constexpr std::uint16_t kPppIpv6 = 0x0057;           // RFC 5072
inline constexpr std::uint16_t kPppMplsUnicast = 0x0281;    // RFC 3032 §4.3
inline constexpr std::uint16_t kPppMplsMulticast = 0x0283;  // RFC 3032 §4.3

// --- Tunnel UDP ports (IANA Service Name and Transport Protocol Port Number Registry) ---

inline constexpr std::uint16_t kVxlanPort = 4789;   // RFC 7348 §5
inline constexpr std::uint16_t kGenevePort = 6081;  // RFC 8926 §3.3

// Whether an EtherType is a VLAN tag's TPID (802.1Q, 802.1ad or the legacy S-tag).
constexpr bool is_vlan_tpid(std::uint16_t ethertype) noexcept {
  return ethertype == kEtherTypeVlan || ethertype == kEtherTypeQinq || ethertype == kEtherTypeQinqLegacy;
}

}  // namespace pfsim::net
