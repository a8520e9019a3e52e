// Unit tests of decode_packet on handcrafted packets: each link type, VLAN depths, IPv4
// options and flags, each IPv6 extension header, TCP/UDP/ICMP, ICMP errors and their quoted
// flows, fragments, tunnels, and every Malformed kind from a minimal packet at its offset.
#include "pcap/decode.h"

#include <gtest/gtest.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <set>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "net/address.h"
#include "net/five_tuple.h"
#include "pcap/encode.h"
#include "pcap/packet.h"
#include "tests/encoded_frame.h"

namespace pfsim::pcap {
namespace {

using Bytes = std::vector<std::uint8_t>;

// Packets come from pcap::encode_frame; a test that needs one broken cuts or overwrites the
// encoded bytes. Link headers the encoder does not write (SLL, NULL, MPLS, tunnels) are bytes.
Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}
Bytes u16(std::uint16_t v) { return {static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)}; }
Bytes u32(std::uint32_t v) {
  return cat({u16(static_cast<std::uint16_t>(v >> 16)), u16(static_cast<std::uint16_t>(v))});
}
Bytes zeros(std::size_t n) { return Bytes(n, 0); }
// The first n bytes of b: a truncated packet.
Bytes head(const Bytes& b, std::size_t n) { return Bytes(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(n)); }
// b with the 16-bit field at `at` overwritten.
Bytes with16(Bytes b, std::size_t at, std::uint16_t v) {
  b[at] = static_cast<std::uint8_t>(v >> 8);
  b[at + 1] = static_cast<std::uint8_t>(v);
  return b;
}

constexpr std::uint32_t kA4 = 0x0a000001;     // 10.0.0.1
constexpr std::uint32_t kB4 = 0xc0a80102;     // 192.168.1.2
const net::Ip128 kA6{0x20010db800000000, 1};  // 2001:db8::1
const net::Ip128 kB6{0x20010db800000000, 2};  // 2001:db8::2

// A bare IP packet (LinkType kRaw) from A to B; a TCP one has seq 1000 and no flags.
FrameSpec packet(net::Family family, std::uint8_t proto, std::uint16_t sport = 0, std::uint16_t dport = 0) {
  FrameSpec s;
  s.link = LinkType::kRaw;
  s.family = family;
  s.src = family == net::Family::kIpv4 ? net::ip4(kA4) : kA6;
  s.dst = family == net::Family::kIpv4 ? net::ip4(kB4) : kB6;
  s.proto = proto;
  s.ipv4_id = 0x1234;
  s.sport = sport;
  s.dport = dport;
  s.seq = 1000;
  return s;
}
FrameSpec packet4(std::uint8_t proto, std::uint16_t sport = 0, std::uint16_t dport = 0) {
  return packet(net::Family::kIpv4, proto, sport, dport);
}
FrameSpec packet6(std::uint8_t proto, std::uint16_t sport = 0, std::uint16_t dport = 0) {
  return packet(net::Family::kIpv6, proto, sport, dport);
}
// The same packet from B to A.
FrameSpec reversed(FrameSpec s) {
  std::swap(s.src, s.dst);
  return s;
}
FrameSpec on_ethernet(FrameSpec s, std::span<const VlanTag> tags = {}) {
  s.link = LinkType::kEthernet;
  s.dst_mac = {0, 1, 2, 3, 4, 5};
  s.src_mac = {6, 7, 8, 9, 10, 11};
  s.vlan_tags = tags;
  return s;
}
FrameSpec syn_spec(net::Family family = net::Family::kIpv4) {
  FrameSpec s = packet(family, net::kProtoTcp, 40000, 443);
  s.tcp_flags = 0x002;
  return s;
}
FrameSpec icmp_spec(FrameSpec s, std::uint8_t type, std::uint8_t code, std::uint32_t rest = 0,
                    std::span<const std::uint8_t> payload = {}) {
  s.icmp_type = type;
  s.icmp_code = code;
  s.icmp_rest = rest;
  s.payload = payload;
  return s;
}

Bytes encode(const FrameSpec& s) { return pfsim::test_support::encoded_frame(s); }

// 10.0.0.1:40000 -> 192.168.1.2:443 SYN as a bare IPv4 / IPv6 packet.
Bytes syn4() { return encode(syn_spec()); }
Bytes syn6() { return encode(syn_spec(net::Family::kIpv6)); }
// An Ethernet header with any EtherType: an encoded frame's first 14 bytes, its type rewritten.
Bytes ethernet(std::uint16_t ethertype) { return with16(head(encode(on_ethernet(syn_spec())), 14), 12, ethertype); }

DecodedPacket decode(LinkType link, const Bytes& b, bool tunnels = false) {
  return decode_packet(link, b, DecodeOptions{.decapsulate_tunnels = tunnels});
}

void expect_tcp_10_to_192(const DecodedPacket& p) {
  EXPECT_EQ(p.malformed, Malformed::kNone) << malformed_name(p.malformed);
  ASSERT_TRUE(p.has_ip);
  EXPECT_EQ(p.family, net::Family::kIpv4);
  EXPECT_EQ(p.src, net::ip4(10, 0, 0, 1));
  EXPECT_EQ(p.dst, net::ip4(192, 168, 1, 2));
  EXPECT_EQ(p.proto, net::kProtoTcp);
  ASSERT_TRUE(p.has_ports);
  EXPECT_EQ(p.sport, 40000);
  EXPECT_EQ(p.dport, 443);
}

// --- Link layers -------------------------------------------------------------------------

TEST(DecodeLink, EthernetIpv4Tcp) {
  const DecodedPacket p = decode(LinkType::kEthernet, encode(on_ethernet(syn_spec())));
  expect_tcp_10_to_192(p);
  EXPECT_EQ(p.link, LinkType::kEthernet);
  EXPECT_EQ(p.ttl, 64);
  EXPECT_EQ(p.ip_length, 40u);
  EXPECT_FALSE(p.fragment.is_fragment);
}

TEST(DecodeLink, VlanTagsAtDepthZeroToThree) {
  const std::vector<std::vector<std::uint16_t>> stacks = {{}, {0x8100}, {0x88a8, 0x8100}, {0x88a8, 0x9100, 0x8100}};
  for (const auto& stack : stacks) {
    std::vector<VlanTag> tags;
    for (std::uint16_t tpid : stack) tags.push_back({tpid, 7});
    SCOPED_TRACE(stack.size());
    expect_tcp_10_to_192(decode(LinkType::kEthernet, encode(on_ethernet(syn_spec(), tags))));
  }
}

TEST(DecodeLink, EthernetNonIpIsNotMalformed) {
  const DecodedPacket p = decode(LinkType::kEthernet, cat({ethernet(0x0806), zeros(28)}));  // ARP
  EXPECT_FALSE(p.has_ip);
  EXPECT_EQ(p.malformed, Malformed::kNone);
}

TEST(DecodeLink, LinuxSll) {
  const Bytes sll = cat({u16(0), u16(1), u16(6), zeros(8), u16(0x0800)});
  expect_tcp_10_to_192(decode(LinkType::kLinuxSll, cat({sll, syn4()})));
}

TEST(DecodeLink, LinuxSll2) {
  const Bytes sll2 = cat({u16(0x86dd), u16(0), u32(3), u16(1), Bytes{0, 6}, zeros(8)});
  const DecodedPacket p = decode(LinkType::kLinuxSll2, cat({sll2, encode(packet6(net::kProtoUdp, 5353, 53))}));
  ASSERT_TRUE(p.has_ip);
  EXPECT_EQ(p.family, net::Family::kIpv6);
  EXPECT_EQ(net::format_address(p.family, p.src), "2001:db8::1");
  EXPECT_EQ(p.proto, net::kProtoUdp);
  EXPECT_EQ(p.dport, 53);
}

TEST(DecodeLink, RawTellsVersionsApart) {
  expect_tcp_10_to_192(decode(LinkType::kRaw, syn4()));
  const DecodedPacket p = decode(LinkType::kRaw, syn6());
  EXPECT_EQ(p.family, net::Family::kIpv6);
  EXPECT_EQ(p.dport, 443);
}

TEST(DecodeLink, Ipv4AndIpv6LinkTypes) {
  expect_tcp_10_to_192(decode(LinkType::kIpv4, syn4()));
  const DecodedPacket p = decode(LinkType::kIpv6, syn6());
  EXPECT_EQ(p.family, net::Family::kIpv6);
  EXPECT_EQ(p.sport, 40000);
}

TEST(DecodeLink, NullInEitherByteOrderAndLoop) {
  // LINKTYPE_NULL: the writer's host order (little-endian here, then big-endian).
  expect_tcp_10_to_192(decode(LinkType::kNull, cat({Bytes{2, 0, 0, 0}, syn4()})));
  expect_tcp_10_to_192(decode(LinkType::kNull, cat({Bytes{0, 0, 0, 2}, syn4()})));
  for (std::uint8_t af6 : std::initializer_list<std::uint8_t>{24, 28, 30}) {
    const DecodedPacket p = decode(LinkType::kNull, cat({Bytes{af6, 0, 0, 0}, syn6()}));
    EXPECT_EQ(p.family, net::Family::kIpv6) << int{af6};
    EXPECT_TRUE(p.has_ports);
  }
  // LINKTYPE_LOOP: always network order.
  expect_tcp_10_to_192(decode(LinkType::kLoop, cat({Bytes{0, 0, 0, 2}, syn4()})));
  EXPECT_FALSE(decode(LinkType::kLoop, cat({Bytes{7, 0, 0, 0}, syn4()})).has_ip);
}

TEST(DecodeLink, MplsWithIpAndWithEthernetPseudowire) {
  const Bytes labels = cat({u32(0x00012040), u32(0x00101140)});  // second entry: bottom of stack
  expect_tcp_10_to_192(decode(LinkType::kEthernet, cat({ethernet(0x8847), labels, syn4()})));
  const std::array<VlanTag, 1> tag = {VlanTag{0x8100, 100}};
  const Bytes pw = cat({ethernet(0x8847), u32(0x00101140), u32(0), encode(on_ethernet(syn_spec(), tag))});
  expect_tcp_10_to_192(decode(LinkType::kEthernet, pw));
}

// --- IPv4 --------------------------------------------------------------------------------

TEST(DecodeIpv4, OptionsAreSkippedByIhl) {
  const Bytes options = {0x94, 0x04, 0x00, 0x00, 0x01, 0x01, 0x01, 0x00};  // router alert + NOPs + EOL
  FrameSpec s = syn_spec();
  s.ipv4_options = options;
  const DecodedPacket p = decode(LinkType::kRaw, encode(s));
  expect_tcp_10_to_192(p);
  EXPECT_EQ(p.ip_length, 48u);
}

TEST(DecodeIpv4, DontFragmentFlag) {
  FrameSpec s = syn_spec();
  s.dont_fragment = true;
  const DecodedPacket p = decode(LinkType::kRaw, encode(s));
  EXPECT_TRUE(p.dont_fragment);
  EXPECT_FALSE(p.fragment.is_fragment);
  EXPECT_FALSE(decode(LinkType::kRaw, syn4()).dont_fragment);
}

TEST(DecodeIpv4, EthernetPaddingIsNotTransportData) {
  // A 20-byte IPv4 header + 8-byte UDP padded to the 60-byte Ethernet minimum: total length
  // bounds the datagram, the padding is ignored.
  const DecodedPacket p =
      decode(LinkType::kEthernet, cat({encode(on_ethernet(packet4(net::kProtoUdp, 1, 2))), zeros(18)}));
  EXPECT_EQ(p.malformed, Malformed::kNone);
  EXPECT_EQ(p.ip_length, 28u);
  EXPECT_EQ(p.dport, 2);
}

TEST(DecodeIpv4, CaplenShorterThanLenAfterHeadersIsFine) {
  FrameSpec s = syn_spec();
  s.payload_bytes = 1460;  // cut by the snaplen after the TCP header
  const DecodedPacket p = decode(LinkType::kRaw, head(encode(s), 40));
  expect_tcp_10_to_192(p);
  EXPECT_EQ(p.ip_length, 1500u);
}

TEST(DecodeFragment, FirstFragmentCarriesPortsLaterOnesAreTied) {
  FrameSpec first = syn_spec();
  first.fragment.more = true;  // offset 0
  first.ipv4_id = 0xbeef;
  const DecodedPacket a = decode(LinkType::kRaw, encode(first));
  expect_tcp_10_to_192(a);
  EXPECT_TRUE(a.fragment.is_fragment);
  EXPECT_TRUE(a.fragment.more);
  EXPECT_EQ(a.fragment.offset_bytes, 0);
  EXPECT_EQ(a.fragment.id, 0xbeefu);

  FrameSpec later = first;
  later.fragment = {.offset_bytes = 24, .more = false};  // the last fragment
  later.payload_bytes = 16;
  const DecodedPacket b = decode(LinkType::kRaw, encode(later));
  EXPECT_EQ(b.malformed, Malformed::kNone);
  EXPECT_TRUE(b.fragment.is_fragment);
  EXPECT_FALSE(b.fragment.more);
  EXPECT_EQ(b.fragment.offset_bytes, 24);
  EXPECT_EQ(b.fragment.id, 0xbeefu);
  EXPECT_EQ(b.proto, net::kProtoTcp);
  EXPECT_EQ(b.src, a.src);
  EXPECT_FALSE(b.has_ports);
  EXPECT_FALSE(b.has_tcp_flags);
}

TEST(DecodeFragment, FirstFragmentOfEightBytesKeepsPortsWithoutFlags) {
  // The first 8 bytes of the TCP header, the IPv4 total length saying so.
  FrameSpec s = syn_spec();
  s.fragment.more = true;
  const DecodedPacket p = decode(LinkType::kRaw, with16(head(encode(s), 28), 2, 28));
  expect_tcp_10_to_192(p);
  EXPECT_FALSE(p.has_tcp_flags);
}

// --- IPv6 --------------------------------------------------------------------------------

// Hop-by-hop, routing or destination options of `total_bytes` (RFC 8200 §4.3); AH (RFC 4302)
// of 24 bytes.
Ipv6Extension ext(std::uint8_t type, std::size_t total_bytes) {
  static const Bytes kZeros(64, 0);
  return {type, std::span<const std::uint8_t>(kZeros).first(total_bytes - 2)};
}

TEST(DecodeIpv6, EachExtensionHeaderIsWalked) {
  const Ipv6Extension ah = ext(51, 24);  // RFC 4302: (4 + 2) * 4 = 24 bytes
  struct Case {
    const char* name;
    std::vector<Ipv6Extension> chain;
  };
  const std::vector<Case> cases = {
      {"hop-by-hop", {ext(0, 8)}},
      {"routing", {ext(43, 24)}},
      {"destination options", {ext(60, 16)}},
      {"AH", {ah}},
      {"all", {ext(0, 8), ext(43, 24), ext(60, 8), ah}},
  };
  for (const Case& c : cases) {
    FrameSpec s = syn_spec(net::Family::kIpv6);
    s.ipv6_extensions = c.chain;
    const DecodedPacket p = decode(LinkType::kRaw, encode(s));
    SCOPED_TRACE(c.name);
    EXPECT_EQ(p.malformed, Malformed::kNone) << malformed_name(p.malformed);
    EXPECT_EQ(p.proto, net::kProtoTcp);
    EXPECT_EQ(p.sport, 40000);
    EXPECT_EQ(p.dport, 443);
    EXPECT_TRUE(p.has_tcp_flags);
    EXPECT_FALSE(p.fragment.is_fragment);
  }
}

TEST(DecodeIpv6, FragmentHeaderFirstAndLater) {
  FrameSpec s = packet6(net::kProtoUdp, 1000, 53);
  s.fragment = {.is_fragment = true, .id = 77, .offset_bytes = 0, .more = true};
  const DecodedPacket first = decode(LinkType::kRaw, encode(s));
  EXPECT_EQ(first.malformed, Malformed::kNone);
  EXPECT_TRUE(first.fragment.is_fragment);
  EXPECT_TRUE(first.fragment.more);
  EXPECT_EQ(first.fragment.id, 77u);
  EXPECT_EQ(first.proto, net::kProtoUdp);
  EXPECT_EQ(first.dport, 53);

  s.fragment = {.is_fragment = true, .id = 77, .offset_bytes = 1232, .more = false};
  s.payload_bytes = 40;
  const DecodedPacket later = decode(LinkType::kRaw, encode(s));
  EXPECT_TRUE(later.fragment.is_fragment);
  EXPECT_FALSE(later.fragment.more);
  EXPECT_EQ(later.fragment.offset_bytes, 1232);
  EXPECT_EQ(later.fragment.id, 77u);
  EXPECT_EQ(later.proto, net::kProtoUdp);
  EXPECT_FALSE(later.has_ports);
}

TEST(DecodeIpv6, NoDontFragmentAndIpLength) {
  const DecodedPacket p = decode(LinkType::kRaw, syn6());
  EXPECT_FALSE(p.dont_fragment);
  EXPECT_EQ(p.ip_length, 60u);
  EXPECT_EQ(p.ttl, 64);
}

// --- Transport ---------------------------------------------------------------------------

TEST(DecodeTcp, FlagsAndOptions) {
  const Bytes options(12, 0);
  FrameSpec s = syn_spec();
  s.tcp_flags = 0x012;  // SYN+ACK
  s.tcp_options = options;
  const DecodedPacket p = decode(LinkType::kRaw, encode(s));
  expect_tcp_10_to_192(p);
  EXPECT_TRUE(p.has_tcp_flags);
  EXPECT_EQ(p.tcp_flags, 0x012);
  // All 12 bits, including AE (RFC 9768) and CWR/ECE.
  s.tcp_flags = 0x1c2;
  EXPECT_EQ(decode(LinkType::kRaw, encode(s)).tcp_flags, 0x1c2);
}

TEST(DecodeUdp, Ports) {
  const DecodedPacket p = decode(LinkType::kRaw, encode(packet4(net::kProtoUdp, 5000, 53)));
  EXPECT_TRUE(p.has_ports);
  EXPECT_FALSE(p.has_tcp_flags);
  EXPECT_EQ(p.sport, 5000);
  EXPECT_EQ(p.dport, 53);
}

TEST(DecodeIcmp, EchoIdentifier) {
  const DecodedPacket p =
      decode(LinkType::kRaw, encode(icmp_spec(packet4(net::kProtoIcmp), 8, 0, icmp_echo_rest(0x4242, 1))));
  EXPECT_TRUE(p.has_icmp);
  EXPECT_EQ(p.icmp_type, 8);
  EXPECT_EQ(p.icmp_id, 0x4242);
  EXPECT_FALSE(p.has_ports);
  EXPECT_FALSE(p.has_inner);
  const DecodedPacket r =
      decode(LinkType::kRaw, encode(icmp_spec(packet6(net::kProtoIcmpv6), 129, 0, icmp_echo_rest(0x0707, 1))));
  EXPECT_EQ(r.icmp_type, 129);
  EXPECT_EQ(r.icmp_id, 0x0707);
}

// The packet an ICMP error quotes: from 192.168.1.2:443 back to 10.0.0.1:40000.
// Its IP header and first 8 bytes of a 1500-byte datagram, as RFC 792 quotes.
Bytes quoted_v4(std::uint8_t proto = net::kProtoTcp) {
  FrameSpec s = reversed(packet4(proto, 443, 40000));
  s.tcp_flags = 0x010;
  s.payload_bytes = proto == net::kProtoTcp ? 1460 : 1472;
  return head(encode(s), 28);
}

// An ICMP(v6) error from `s` quoting `quote`.
Bytes icmp_error(FrameSpec s, std::uint8_t type, std::uint8_t code, std::uint32_t rest, const Bytes& quote) {
  return encode(icmp_spec(s, type, code, rest, quote));
}

TEST(DecodeIcmp, Ipv4ErrorsQuoteTheirFlow) {
  FrameSpec from_router = packet4(net::kProtoIcmp);
  from_router.src = net::ip4(1, 2, 3, 4);
  for (std::uint8_t type : std::initializer_list<std::uint8_t>{3, 11, 12}) {
    for (std::uint8_t proto : std::initializer_list<std::uint8_t>{net::kProtoTcp, net::kProtoUdp}) {
      const DecodedPacket p = decode(LinkType::kRaw, icmp_error(from_router, type, 1, 0, quoted_v4(proto)));
      SCOPED_TRACE(::testing::Message() << "type " << int{type} << " proto " << int{proto});
      EXPECT_EQ(p.malformed, Malformed::kNone);
      EXPECT_EQ(p.icmp_type, type);
      EXPECT_EQ(p.icmp_code, 1);
      ASSERT_TRUE(p.has_inner);
      EXPECT_EQ(p.inner.family, net::Family::kIpv4);
      EXPECT_EQ(p.inner.src, net::ip4(192, 168, 1, 2));
      EXPECT_EQ(p.inner.dst, net::ip4(10, 0, 0, 1));
      EXPECT_EQ(p.inner.proto, proto);
      EXPECT_TRUE(p.inner.has_ports);
      EXPECT_EQ(p.inner.sport, 443);
      EXPECT_EQ(p.inner.dport, 40000);
      EXPECT_FALSE(p.has_ports);
    }
  }
}

TEST(DecodeIcmp, FragmentationNeededCarriesNextHopMtu) {
  // RFC 1191 §4: type 3 code 4, next-hop MTU in the low 16 bits of the second word.
  const DecodedPacket p = decode(LinkType::kRaw, icmp_error(packet4(net::kProtoIcmp), 3, 4, 1492, quoted_v4()));
  EXPECT_EQ(p.icmp_mtu, 1492u);
  EXPECT_TRUE(p.inner.has_ports);
  EXPECT_EQ(decode(LinkType::kRaw, icmp_error(packet4(net::kProtoIcmp), 3, 1, 1492, quoted_v4())).icmp_mtu, 0u);
}

TEST(DecodeIcmp, QuotedEchoTiesByIdentifier) {
  const Bytes echo = encode(icmp_spec(reversed(packet4(net::kProtoIcmp)), 8, 0, icmp_echo_rest(0x55aa, 3)));
  const DecodedPacket p = decode(LinkType::kRaw, icmp_error(packet4(net::kProtoIcmp), 11, 0, 0, echo));
  ASSERT_TRUE(p.has_inner);
  EXPECT_EQ(p.inner.proto, net::kProtoIcmp);
  EXPECT_TRUE(p.inner.has_ports);
  EXPECT_EQ(p.inner.sport, 0x55aa);
}

TEST(DecodeIcmp, Icmpv6ErrorsQuoteTheirFlowAndPacketTooBigMtu) {
  const Bytes quoted = encode(reversed(packet6(net::kProtoUdp, 443, 40000)));
  for (std::uint8_t type : std::initializer_list<std::uint8_t>{1, 2, 3, 4}) {
    const std::uint16_t mtu_low = type == 2 ? 1280 : 0;
    const DecodedPacket p = decode(LinkType::kRaw, icmp_error(packet6(net::kProtoIcmpv6), type, 0, mtu_low, quoted));
    SCOPED_TRACE(int{type});
    EXPECT_EQ(p.malformed, Malformed::kNone);
    EXPECT_EQ(p.icmp_type, type);
    ASSERT_TRUE(p.has_inner);
    EXPECT_EQ(p.inner.family, net::Family::kIpv6);
    EXPECT_EQ(net::format_address(p.inner.family, p.inner.src), "2001:db8::2");
    EXPECT_EQ(p.inner.proto, net::kProtoUdp);
    EXPECT_EQ(p.inner.sport, 443);
    EXPECT_EQ(p.inner.dport, 40000);
    EXPECT_EQ(p.icmp_mtu, type == 2 ? 1280u : 0u);
  }
  // The quoted packet's extension headers are walked too.
  const std::array<Ipv6Extension, 1> destination_options = {ext(60, 8)};
  FrameSpec tcp = reversed(packet6(net::kProtoTcp, 443, 40000));
  tcp.tcp_flags = 0x10;
  tcp.ipv6_extensions = destination_options;
  const DecodedPacket q = decode(LinkType::kRaw, icmp_error(packet6(net::kProtoIcmpv6), 1, 4, 0, encode(tcp)));
  EXPECT_EQ(q.inner.proto, net::kProtoTcp);
  EXPECT_EQ(q.inner.dport, 40000);
}

TEST(DecodeIcmp, InformationalMessagesQuoteNothing) {
  const DecodedPacket p = decode(LinkType::kRaw, icmp_error(packet6(net::kProtoIcmpv6), 135, 0, 0, zeros(16)));
  EXPECT_TRUE(p.has_icmp);
  EXPECT_FALSE(p.has_inner);
  EXPECT_EQ(p.malformed, Malformed::kNone);
}

// --- Tunnels -----------------------------------------------------------------------------

Bytes inner_frame() { return encode(on_ethernet(syn_spec())); }

// 20.0.0.1:50000 -> 20.0.0.2:dport carrying `payload`.
Bytes outer_udp(std::uint16_t dport, const Bytes& payload) {
  FrameSpec s = on_ethernet(packet4(net::kProtoUdp, 50000, dport));
  s.src = net::ip4(20, 0, 0, 1);
  s.dst = net::ip4(20, 0, 0, 2);
  s.payload = payload;
  return encode(s);
}

TEST(DecodeTunnel, VxlanDecapsulatedOnlyWhenAsked) {
  const Bytes vxlan = cat({Bytes{0x08, 0, 0, 0}, u32(0x00123400), inner_frame()});
  const Bytes frame = outer_udp(4789, vxlan);
  const DecodedPacket outer = decode(LinkType::kEthernet, frame, false);
  EXPECT_EQ(outer.tunnel, Tunnel::kNone);
  EXPECT_EQ(outer.proto, net::kProtoUdp);
  EXPECT_EQ(outer.dport, 4789);
  const DecodedPacket inner = decode(LinkType::kEthernet, frame, true);
  EXPECT_EQ(inner.tunnel, Tunnel::kVxlan);
  EXPECT_TRUE(inner.has_vxlan_vni);
  EXPECT_EQ(inner.vxlan_vni, 0x1234u);
  EXPECT_FALSE(outer.has_vxlan_vni);
  expect_tcp_10_to_192(inner);
  EXPECT_EQ(inner.tcp_flags, 0x002);
}

TEST(DecodeTunnel, GeneveWithOptionsDecapsulatedOnlyWhenAsked) {
  // Version 0, 8 bytes of options (2 words), protocol Ethernet, VNI; AWS GWLB's options here.
  const Bytes geneve = cat({Bytes{0x02, 0}, u16(0x6558), u32(0x00000100), zeros(8), inner_frame()});
  const Bytes frame = outer_udp(6081, geneve);
  EXPECT_EQ(decode(LinkType::kEthernet, frame, false).dport, 6081);
  const DecodedPacket inner = decode(LinkType::kEthernet, frame, true);
  EXPECT_EQ(inner.tunnel, Tunnel::kGeneve);
  EXPECT_FALSE(inner.has_vxlan_vni);  // Gateway Load Balancer's VNI names no mirror session
  expect_tcp_10_to_192(inner);
  // Protocol type IPv4: the inner packet has no Ethernet header.
  const Bytes geneve_ip = cat({Bytes{0, 0}, u16(0x0800), u32(0x00000100), syn4()});
  expect_tcp_10_to_192(decode(LinkType::kEthernet, outer_udp(6081, geneve_ip), true));
}

TEST(DecodeTunnel, TheVniIsTheOutermostVxlanHeaders) {
  // VXLAN (VNI 9) carried in VXLAN (VNI 7): the inner packet is the innermost one, the VNI the
  // outermost header's, which a mirror session puts around what it copies.
  const Bytes vxlan_frame = outer_udp(4789, cat({Bytes{0x08, 0, 0, 0}, u32(0x00000900), inner_frame()}));
  const Bytes frame = outer_udp(4789, cat({Bytes{0x08, 0, 0, 0}, u32(0x00000700), vxlan_frame}));
  const DecodedPacket p = decode(LinkType::kEthernet, frame, true);
  EXPECT_EQ(p.tunnel, Tunnel::kVxlan);
  EXPECT_EQ(p.vxlan_vni, 7u);
  expect_tcp_10_to_192(p);
  // In Geneve (VNI 5): the VXLAN header's.
  const DecodedPacket g =
      decode(LinkType::kEthernet, outer_udp(6081, cat({Bytes{0, 0}, u16(0x6558), u32(0x00000500), vxlan_frame})), true);
  EXPECT_TRUE(g.has_vxlan_vni);
  EXPECT_EQ(g.vxlan_vni, 9u);
}

TEST(DecodeTunnel, AnInnerPacketCutShortAfterItsPortsIsJudgedOnWhatItHas) {
  // A mirror session's packet length (Huawei Cloud: 96 bytes by default) ends the inner packet
  // inside its headers: the ports are enough, the flags are kept when copied.
  const auto cut = [](const Bytes& inner, std::size_t bytes) {
    return outer_udp(4789, cat({Bytes{0x08, 0, 0, 0}, u32(0x00000500), head(inner, bytes)}));
  };
  const DecodedPacket ports = decode(LinkType::kEthernet, cut(inner_frame(), 14 + 20 + 4), true);
  expect_tcp_10_to_192(ports);
  EXPECT_FALSE(ports.has_tcp_flags);
  const DecodedPacket flags = decode(LinkType::kEthernet, cut(inner_frame(), 14 + 20 + 14), true);
  expect_tcp_10_to_192(flags);
  EXPECT_TRUE(flags.has_tcp_flags);
  EXPECT_EQ(flags.tcp_flags, 0x002);
  FrameSpec udp = on_ethernet(packet4(net::kProtoUdp, 40000, 53));
  const DecodedPacket datagram = decode(LinkType::kEthernet, cut(encode(udp), 14 + 20 + 4), true);
  EXPECT_EQ(datagram.malformed, Malformed::kNone);
  EXPECT_TRUE(datagram.has_ports);
  EXPECT_EQ(datagram.dport, 53);
  // Fewer bytes than the ports: still malformed, at the inner TCP header.
  const DecodedPacket short_of_ports = decode(LinkType::kEthernet, cut(inner_frame(), 14 + 20 + 3), true);
  EXPECT_EQ(short_of_ports.malformed, Malformed::kTruncatedTcp);
  EXPECT_EQ(short_of_ports.malformed_offset, 14u + 20u + 8u + 8u + 14u + 20u);
  // Outside a tunnel the same cut is malformed, as before (a capture's snap length keeps headers).
  EXPECT_EQ(decode(LinkType::kEthernet, head(inner_frame(), 14 + 20 + 4)).malformed, Malformed::kTruncatedTcp);
}

TEST(DecodeTunnel, HeadersThatAreNotTheSpecifiedOnesStayOuter) {
  // VXLAN without the I flag (RFC 7348 §5) and Geneve version 1 (RFC 8926 only defines 0).
  const DecodedPacket v =
      decode(LinkType::kEthernet, outer_udp(4789, cat({Bytes{0, 0, 0, 0}, u32(0), inner_frame()})), true);
  EXPECT_EQ(v.tunnel, Tunnel::kNone);
  EXPECT_EQ(v.dport, 4789);
  const DecodedPacket g =
      decode(LinkType::kEthernet, outer_udp(6081, cat({Bytes{0x40, 0}, u16(0x6558), u32(0), inner_frame()})), true);
  EXPECT_EQ(g.tunnel, Tunnel::kNone);
  EXPECT_EQ(g.malformed, Malformed::kNone);
}

TEST(DecodeTunnel, FaultInsideTheInnerPacketIsReportedAtItsOffsetInTheFrame) {
  const Bytes vxlan = cat({Bytes{0x08, 0, 0, 0}, u32(0x00123400), ethernet(0x0800), zeros(10)});
  const DecodedPacket p = decode(LinkType::kEthernet, outer_udp(4789, vxlan), true);
  EXPECT_EQ(p.tunnel, Tunnel::kVxlan);
  EXPECT_EQ(p.malformed, Malformed::kTruncatedIpv4);
  EXPECT_EQ(p.malformed_offset, 14u + 20u + 8u + 8u + 14u);
  EXPECT_FALSE(p.has_ip);  // the outer header is not reported as if it were the inner one
}

// --- Every Malformed kind, with the offset of the header at fault --------------------------

struct MalformedCase {
  Malformed kind;
  LinkType link;
  Bytes bytes;
  std::uint32_t offset;
  bool tunnels = false;
};

std::vector<MalformedCase> malformed_cases() {
  Bytes eth_ip = ethernet(0x0800);
  Bytes bad_version = syn4();
  bad_version[0] = 0x55;  // version 5, IHL 5
  static const Bytes kEight(8, 0);
  static const Bytes kTwenty(20, 0);
  FrameSpec long_ihl = syn_spec();
  long_ihl.ipv4_options = kEight;
  const Bytes short_total = with16(encode(on_ethernet(syn_spec())), 14 + 2, 19);
  Bytes tcp_offset_4 = syn4();
  tcp_offset_4[20 + 12] = 0x40;
  FrameSpec tcp_long = syn_spec();
  tcp_long.tcp_options = kTwenty;  // data offset 10
  static const std::array<Ipv6Extension, 1> routing = {ext(43, 8)};
  FrameSpec cut_fragment = syn_spec(net::Family::kIpv6);
  cut_fragment.ipv6_extensions = routing;
  cut_fragment.fragment.is_fragment = true;
  const Bytes quote = quoted_v4();
  return {
      {Malformed::kTruncatedLinkHeader, LinkType::kEthernet, zeros(13), 0},
      {Malformed::kTruncatedLinkHeader, LinkType::kEthernet, cat({ethernet(0x8100), Bytes{0, 1, 8}}), 12},
      {Malformed::kTruncatedLinkHeader, LinkType::kLinuxSll, zeros(15), 0},
      {Malformed::kTruncatedLinkHeader, LinkType::kLinuxSll2, zeros(19), 0},
      {Malformed::kTruncatedLinkHeader, LinkType::kNull, Bytes{2, 0, 0}, 0},
      {Malformed::kTruncatedIpv4, LinkType::kEthernet, cat({eth_ip, zeros(19)}), 14},
      {Malformed::kTruncatedIpv4, LinkType::kRaw, head(encode(long_ihl), 24), 0},
      {Malformed::kBadIpv4Header, LinkType::kIpv4, bad_version, 0},
      {Malformed::kBadIpv4Header, LinkType::kEthernet, cat({eth_ip, Bytes{0x44}, zeros(19)}), 14},
      {Malformed::kBadIpv4Length, LinkType::kEthernet, short_total, 14},
      {Malformed::kTruncatedIpv6, LinkType::kEthernet, cat({ethernet(0x86dd), zeros(39)}), 14},
      {Malformed::kBadIpVersion, LinkType::kRaw, cat({Bytes{0x50}, zeros(39)}), 0},
      {Malformed::kBadIpVersion, LinkType::kRaw, Bytes{}, 0},
      {Malformed::kTruncatedIpv6Extension, LinkType::kRaw, encode([] {
         FrameSpec s = packet6(0);  // hop-by-hop of 16 bytes in 8
         static const Bytes kHopByHop = {6, 1, 0, 0, 0, 0, 0, 0};
         s.payload = kHopByHop;
         return s;
       }()),
       40},
      {Malformed::kTruncatedIpv6Extension, LinkType::kRaw, head(encode(cut_fragment), 40 + 8 + 3), 48},
      {Malformed::kTruncatedTcp, LinkType::kRaw, head(syn4(), 20 + 19), 20},
      {Malformed::kTruncatedTcp, LinkType::kRaw, head(encode(tcp_long), 20 + 30), 20},
      {Malformed::kBadTcpHeader, LinkType::kRaw, tcp_offset_4, 20},
      {Malformed::kTruncatedUdp, LinkType::kRaw, head(encode(packet6(net::kProtoUdp, 53, 53)), 40 + 5), 40},
      {Malformed::kTruncatedIcmp, LinkType::kRaw, head(encode(icmp_spec(packet4(net::kProtoIcmp), 8, 0)), 20 + 7), 20},
      {Malformed::kTruncatedIcmpQuote, LinkType::kRaw,
       icmp_error(packet4(net::kProtoIcmp), 3, 4, 1492, head(quote, 27)), 28},
      {Malformed::kTruncatedTunnel, LinkType::kEthernet, outer_udp(4789, Bytes{0x08, 0, 0}), 42, true},
      {Malformed::kTruncatedTunnel, LinkType::kEthernet, outer_udp(6081, cat({Bytes{0x01, 0}, u16(0x6558), u32(0)})),
       42, true},
  };
}

TEST(DecodeMalformed, EachKindFromAMinimalPacketAtItsOffset) {
  std::set<Malformed> seen;
  for (const MalformedCase& c : malformed_cases()) {
    const DecodedPacket p = decode(c.link, c.bytes, c.tunnels);
    EXPECT_EQ(malformed_name(p.malformed), malformed_name(c.kind))
        << "expected " << malformed_name(c.kind) << " from " << c.bytes.size() << " bytes";
    EXPECT_EQ(p.malformed_offset, c.offset) << malformed_name(c.kind);
    seen.insert(c.kind);
  }
  EXPECT_EQ(seen.size(), kMalformedKinds - 1) << "a Malformed kind has no test case";
}

TEST(DecodeMalformed, FieldsBeforeTheFaultAreKept) {
  // Truncated TCP after the ports: the IP header and ports stay.
  const DecodedPacket p = decode(LinkType::kRaw, head(syn4(), 20 + 10));
  EXPECT_EQ(p.malformed, Malformed::kTruncatedTcp);
  EXPECT_TRUE(p.has_ip);
  EXPECT_TRUE(p.has_ports);
  EXPECT_EQ(p.dport, 443);
  EXPECT_FALSE(p.has_tcp_flags);
  // With tunnels off, a truncated VXLAN header is just UDP payload.
  EXPECT_EQ(decode(LinkType::kEthernet, outer_udp(4789, Bytes{0x08}), false).malformed, Malformed::kNone);
}

TEST(DecodeMalformed, NamesAreStableAndDistinct) {
  EXPECT_EQ(malformed_name(Malformed::kNone), "");
  EXPECT_EQ(malformed_name(Malformed::kTruncatedIpv4), "truncated-ipv4");
  std::set<std::string> names;
  for (std::size_t i = 1; i < kMalformedKinds; ++i)
    names.insert(std::string(malformed_name(static_cast<Malformed>(i))));
  EXPECT_EQ(names.size(), kMalformedKinds - 1);
  EXPECT_EQ(link_type_name(LinkType::kLinuxSll2), "LINUX_SLL2");
  EXPECT_EQ(link_type_name(LinkType::kEthernet), "EN10MB");
}

}  // namespace
}  // namespace pfsim::pcap
