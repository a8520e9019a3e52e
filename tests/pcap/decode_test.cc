// Unit tests of decode_packet on handcrafted packets: each link type, VLAN depths, IPv4
// options and flags, each IPv6 extension header, TCP/UDP/ICMP, ICMP errors and their quoted
// flows, fragments, tunnels, and every Malformed kind from a minimal packet at its offset.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <set>
#include <string>
#include <vector>

#include "net/address.h"
#include "net/five_tuple.h"
#include "pcap/decode.h"
#include "pcap/packet.h"

namespace pfsim::pcap {
namespace {

using Bytes = std::vector<std::uint8_t>;

// Packet building blocks, network order (RFC 791, 8200, 9293, 768, 792, 4443).
Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}
Bytes u16(std::uint16_t v) { return {static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)}; }
Bytes u32(std::uint32_t v) { return cat({u16(static_cast<std::uint16_t>(v >> 16)), u16(static_cast<std::uint16_t>(v))}); }
Bytes zeros(std::size_t n) { return Bytes(n, 0); }
// The first n bytes of b: a truncated packet.
Bytes head(const Bytes& b, std::size_t n) { return Bytes(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(n)); }

constexpr std::uint32_t kA4 = 0x0a000001;  // 10.0.0.1
constexpr std::uint32_t kB4 = 0xc0a80102;  // 192.168.1.2
const Bytes kA6 = cat({u32(0x20010db8), u32(0), u32(0), u32(1)});  // 2001:db8::1
const Bytes kB6 = cat({u32(0x20010db8), u32(0), u32(0), u32(2)});  // 2001:db8::2

Bytes ethernet(std::uint16_t ethertype, std::initializer_list<std::uint16_t> tpids = {}) {
  Bytes out = cat({Bytes{0, 1, 2, 3, 4, 5}, Bytes{6, 7, 8, 9, 10, 11}});
  std::uint16_t vid = 100;
  for (std::uint16_t tpid : tpids) out = cat({out, u16(tpid), u16(vid++)});
  return cat({out, u16(ethertype)});
}

struct Ipv4Spec {
  std::uint8_t proto = net::kProtoTcp;
  std::uint32_t src = kA4;
  std::uint32_t dst = kB4;
  std::uint16_t flags_offset = 0;  // DF 0x4000, MF 0x2000, offset in 8-byte units
  std::uint16_t id = 0x1234;
  Bytes options;
  int total_length = -1;  // -1: header + payload
  std::uint8_t version = 4;
};

Ipv4Spec spec(std::uint8_t proto, std::uint32_t src = kA4, std::uint32_t dst = kB4) {
  Ipv4Spec s;
  s.proto = proto;
  s.src = src;
  s.dst = dst;
  return s;
}

Bytes ipv4(const Ipv4Spec& s, const Bytes& payload) {
  const std::size_t header = 20 + s.options.size();
  const auto total = static_cast<std::uint16_t>(s.total_length >= 0 ? static_cast<std::size_t>(s.total_length) : header + payload.size());
  const auto version_ihl = static_cast<std::uint8_t>((std::size_t{s.version} << 4) | (header / 4));
  return cat({Bytes{version_ihl, 0}, u16(total), u16(s.id), u16(s.flags_offset), Bytes{64, s.proto}, u16(0), u32(s.src),
              u32(s.dst), s.options, payload});
}

Bytes ipv6(std::uint8_t next, const Bytes& payload, const Bytes& src = kA6, const Bytes& dst = kB6) {
  return cat({u32(0x60000000), u16(static_cast<std::uint16_t>(payload.size())), Bytes{next, 64}, src, dst, payload});
}

Bytes tcp(std::uint16_t sport, std::uint16_t dport, std::uint16_t flags, std::uint8_t words = 5) {
  Bytes out = cat({u16(sport), u16(dport), u32(1000), u32(0), u16(static_cast<std::uint16_t>((words << 12) | flags)), u16(65535),
                   u16(0), u16(0)});
  if (words > 5) out = cat({out, zeros((words - 5u) * 4u)});
  return out;
}

Bytes udp(std::uint16_t sport, std::uint16_t dport, const Bytes& payload = {}) {
  return cat({u16(sport), u16(dport), u16(static_cast<std::uint16_t>(8 + payload.size())), u16(0), payload});
}

Bytes icmp(std::uint8_t type, std::uint8_t code, std::uint16_t word1, std::uint16_t word2, const Bytes& payload = {}) {
  return cat({Bytes{type, code}, u16(0), u16(word1), u16(word2), payload});
}

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

const Bytes kTcpSyn = tcp(40000, 443, 0x002);

// --- Link layers -------------------------------------------------------------------------

TEST(DecodeLink, EthernetIpv4Tcp) {
  const DecodedPacket p = decode(LinkType::kEthernet, cat({ethernet(0x0800), ipv4({}, kTcpSyn)}));
  expect_tcp_10_to_192(p);
  EXPECT_EQ(p.link, LinkType::kEthernet);
  EXPECT_EQ(p.ttl, 64);
  EXPECT_EQ(p.ip_length, 40u);
  EXPECT_FALSE(p.fragment.is_fragment);
}

TEST(DecodeLink, VlanTagsAtDepthZeroToThree) {
  const std::vector<std::vector<std::uint16_t>> stacks = {{}, {0x8100}, {0x88a8, 0x8100}, {0x88a8, 0x9100, 0x8100}};
  for (const auto& stack : stacks) {
    Bytes frame = cat({Bytes{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}});
    for (std::uint16_t tpid : stack) frame = cat({frame, u16(tpid), u16(7)});
    frame = cat({frame, u16(0x0800), ipv4({}, kTcpSyn)});
    SCOPED_TRACE(stack.size());
    expect_tcp_10_to_192(decode(LinkType::kEthernet, frame));
  }
}

TEST(DecodeLink, EthernetNonIpIsNotMalformed) {
  const DecodedPacket p = decode(LinkType::kEthernet, cat({ethernet(0x0806), zeros(28)}));  // ARP
  EXPECT_FALSE(p.has_ip);
  EXPECT_EQ(p.malformed, Malformed::kNone);
}

TEST(DecodeLink, LinuxSll) {
  const Bytes sll = cat({u16(0), u16(1), u16(6), zeros(8), u16(0x0800)});
  expect_tcp_10_to_192(decode(LinkType::kLinuxSll, cat({sll, ipv4({}, kTcpSyn)})));
}

TEST(DecodeLink, LinuxSll2) {
  const Bytes sll2 = cat({u16(0x86dd), u16(0), u32(3), u16(1), Bytes{0, 6}, zeros(8)});
  const DecodedPacket p = decode(LinkType::kLinuxSll2, cat({sll2, ipv6(net::kProtoUdp, udp(5353, 53))}));
  ASSERT_TRUE(p.has_ip);
  EXPECT_EQ(p.family, net::Family::kIpv6);
  EXPECT_EQ(net::format_address(p.family, p.src), "2001:db8::1");
  EXPECT_EQ(p.proto, net::kProtoUdp);
  EXPECT_EQ(p.dport, 53);
}

TEST(DecodeLink, RawTellsVersionsApart) {
  expect_tcp_10_to_192(decode(LinkType::kRaw, ipv4({}, kTcpSyn)));
  const DecodedPacket p = decode(LinkType::kRaw, ipv6(net::kProtoTcp, kTcpSyn));
  EXPECT_EQ(p.family, net::Family::kIpv6);
  EXPECT_EQ(p.dport, 443);
}

TEST(DecodeLink, Ipv4AndIpv6LinkTypes) {
  expect_tcp_10_to_192(decode(LinkType::kIpv4, ipv4({}, kTcpSyn)));
  const DecodedPacket p = decode(LinkType::kIpv6, ipv6(net::kProtoTcp, kTcpSyn));
  EXPECT_EQ(p.family, net::Family::kIpv6);
  EXPECT_EQ(p.sport, 40000);
}

TEST(DecodeLink, NullInEitherByteOrderAndLoop) {
  // LINKTYPE_NULL: the writer's host order (little-endian here, then big-endian).
  expect_tcp_10_to_192(decode(LinkType::kNull, cat({Bytes{2, 0, 0, 0}, ipv4({}, kTcpSyn)})));
  expect_tcp_10_to_192(decode(LinkType::kNull, cat({Bytes{0, 0, 0, 2}, ipv4({}, kTcpSyn)})));
  for (std::uint8_t af6 : std::initializer_list<std::uint8_t>{24, 28, 30}) {
    const DecodedPacket p = decode(LinkType::kNull, cat({Bytes{af6, 0, 0, 0}, ipv6(net::kProtoTcp, kTcpSyn)}));
    EXPECT_EQ(p.family, net::Family::kIpv6) << int{af6};
    EXPECT_TRUE(p.has_ports);
  }
  // LINKTYPE_LOOP: always network order.
  expect_tcp_10_to_192(decode(LinkType::kLoop, cat({Bytes{0, 0, 0, 2}, ipv4({}, kTcpSyn)})));
  EXPECT_FALSE(decode(LinkType::kLoop, cat({Bytes{7, 0, 0, 0}, ipv4({}, kTcpSyn)})).has_ip);
}

TEST(DecodeLink, MplsWithIpAndWithEthernetPseudowire) {
  const Bytes labels = cat({u32(0x00012040), u32(0x00101140)});  // second entry: bottom of stack
  expect_tcp_10_to_192(decode(LinkType::kEthernet, cat({ethernet(0x8847), labels, ipv4({}, kTcpSyn)})));
  const Bytes pw = cat({ethernet(0x8847), u32(0x00101140), u32(0), ethernet(0x0800, {0x8100}), ipv4({}, kTcpSyn)});
  expect_tcp_10_to_192(decode(LinkType::kEthernet, pw));
}

// --- IPv4 --------------------------------------------------------------------------------

TEST(DecodeIpv4, OptionsAreSkippedByIhl) {
  Ipv4Spec s;
  s.options = {0x94, 0x04, 0x00, 0x00, 0x01, 0x01, 0x01, 0x00};  // router alert + NOPs + EOL
  const DecodedPacket p = decode(LinkType::kRaw, ipv4(s, kTcpSyn));
  expect_tcp_10_to_192(p);
  EXPECT_EQ(p.ip_length, 48u);
}

TEST(DecodeIpv4, DontFragmentFlag) {
  Ipv4Spec s;
  s.flags_offset = 0x4000;
  const DecodedPacket p = decode(LinkType::kRaw, ipv4(s, kTcpSyn));
  EXPECT_TRUE(p.dont_fragment);
  EXPECT_FALSE(p.fragment.is_fragment);
  EXPECT_FALSE(decode(LinkType::kRaw, ipv4({}, kTcpSyn)).dont_fragment);
}

TEST(DecodeIpv4, EthernetPaddingIsNotTransportData) {
  // A 20-byte IPv4 header + 8-byte UDP padded to the 60-byte Ethernet minimum: total length
  // bounds the datagram, the padding is ignored.
  const DecodedPacket p = decode(LinkType::kEthernet, cat({ethernet(0x0800), ipv4(spec(net::kProtoUdp), udp(1, 2)), zeros(18)}));
  EXPECT_EQ(p.malformed, Malformed::kNone);
  EXPECT_EQ(p.ip_length, 28u);
  EXPECT_EQ(p.dport, 2);
}

TEST(DecodeIpv4, CaplenShorterThanLenAfterHeadersIsFine) {
  Ipv4Spec s;
  s.total_length = 1500;  // the payload was cut by the snaplen
  const DecodedPacket p = decode(LinkType::kRaw, ipv4(s, kTcpSyn));
  expect_tcp_10_to_192(p);
  EXPECT_EQ(p.ip_length, 1500u);
}

TEST(DecodeFragment, FirstFragmentCarriesPortsLaterOnesAreTied) {
  Ipv4Spec first;
  first.flags_offset = 0x2000;  // MF, offset 0
  first.id = 0xbeef;
  const DecodedPacket a = decode(LinkType::kRaw, ipv4(first, kTcpSyn));
  expect_tcp_10_to_192(a);
  EXPECT_TRUE(a.fragment.is_fragment);
  EXPECT_TRUE(a.fragment.more);
  EXPECT_EQ(a.fragment.offset_bytes, 0);
  EXPECT_EQ(a.fragment.id, 0xbeefu);

  Ipv4Spec later = first;
  later.flags_offset = 0x0003;  // last fragment at 24 bytes
  const DecodedPacket b = decode(LinkType::kRaw, ipv4(later, zeros(16)));
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
  Ipv4Spec s;
  s.flags_offset = 0x2000;
  const Bytes eight(kTcpSyn.begin(), kTcpSyn.begin() + 8);
  const DecodedPacket p = decode(LinkType::kRaw, ipv4(s, eight));
  expect_tcp_10_to_192(p);
  EXPECT_FALSE(p.has_tcp_flags);
}

// --- IPv6 --------------------------------------------------------------------------------

Bytes ext(std::uint8_t next, std::size_t total_bytes) {
  // Hop-by-hop, routing or destination options: length in 8-octet units beyond the first 8.
  return cat({Bytes{next, static_cast<std::uint8_t>(total_bytes / 8 - 1)}, zeros(total_bytes - 2)});
}

TEST(DecodeIpv6, EachExtensionHeaderIsWalked) {
  const Bytes ah = cat({Bytes{net::kProtoTcp, 4}, zeros(22)});  // RFC 4302: (4 + 2) * 4 = 24 bytes
  struct Case {
    const char* name;
    std::uint8_t first;
    Bytes chain;
  };
  const std::vector<Case> cases = {
      {"hop-by-hop", 0, ext(net::kProtoTcp, 8)},
      {"routing", 43, ext(net::kProtoTcp, 24)},
      {"destination options", 60, ext(net::kProtoTcp, 16)},
      {"AH", 51, ah},
      {"all", 0, cat({ext(43, 8), ext(60, 24), ext(51, 8), ah})},
  };
  for (const Case& c : cases) {
    const DecodedPacket p = decode(LinkType::kRaw, ipv6(c.first, cat({c.chain, kTcpSyn})));
    SCOPED_TRACE(c.name);
    EXPECT_EQ(p.malformed, Malformed::kNone) << malformed_name(p.malformed);
    EXPECT_EQ(p.proto, net::kProtoTcp);
    EXPECT_EQ(p.sport, 40000);
    EXPECT_EQ(p.dport, 443);
    EXPECT_TRUE(p.has_tcp_flags);
    EXPECT_FALSE(p.fragment.is_fragment);
  }
}

Bytes frag6(std::uint8_t next, std::uint16_t offset_bytes, bool more, std::uint32_t id) {
  return cat({Bytes{next, 0}, u16(static_cast<std::uint16_t>(offset_bytes | (more ? 1 : 0))), u32(id)});
}

TEST(DecodeIpv6, FragmentHeaderFirstAndLater) {
  const DecodedPacket first = decode(LinkType::kRaw, ipv6(44, cat({frag6(net::kProtoUdp, 0, true, 77), udp(1000, 53)})));
  EXPECT_EQ(first.malformed, Malformed::kNone);
  EXPECT_TRUE(first.fragment.is_fragment);
  EXPECT_TRUE(first.fragment.more);
  EXPECT_EQ(first.fragment.id, 77u);
  EXPECT_EQ(first.proto, net::kProtoUdp);
  EXPECT_EQ(first.dport, 53);

  const DecodedPacket later = decode(LinkType::kRaw, ipv6(44, cat({frag6(net::kProtoUdp, 1232, false, 77), zeros(40)})));
  EXPECT_TRUE(later.fragment.is_fragment);
  EXPECT_FALSE(later.fragment.more);
  EXPECT_EQ(later.fragment.offset_bytes, 1232);
  EXPECT_EQ(later.fragment.id, 77u);
  EXPECT_EQ(later.proto, net::kProtoUdp);
  EXPECT_FALSE(later.has_ports);
}

TEST(DecodeIpv6, NoDontFragmentAndIpLength) {
  const DecodedPacket p = decode(LinkType::kRaw, ipv6(net::kProtoTcp, kTcpSyn));
  EXPECT_FALSE(p.dont_fragment);
  EXPECT_EQ(p.ip_length, 60u);
  EXPECT_EQ(p.ttl, 64);
}

// --- Transport ---------------------------------------------------------------------------

TEST(DecodeTcp, FlagsAndOptions) {
  const DecodedPacket p = decode(LinkType::kRaw, ipv4({}, tcp(40000, 443, 0x012, 8)));  // SYN+ACK, 12 option bytes
  expect_tcp_10_to_192(p);
  EXPECT_TRUE(p.has_tcp_flags);
  EXPECT_EQ(p.tcp_flags, 0x012);
  // All 12 bits, including AE (RFC 9768) and CWR/ECE.
  EXPECT_EQ(decode(LinkType::kRaw, ipv4({}, tcp(1, 2, 0x1c2))).tcp_flags, 0x1c2);
}

TEST(DecodeUdp, Ports) {
  const DecodedPacket p = decode(LinkType::kRaw, ipv4(spec(net::kProtoUdp), udp(5000, 53)));
  EXPECT_TRUE(p.has_ports);
  EXPECT_FALSE(p.has_tcp_flags);
  EXPECT_EQ(p.sport, 5000);
  EXPECT_EQ(p.dport, 53);
}

TEST(DecodeIcmp, EchoIdentifier) {
  const DecodedPacket p = decode(LinkType::kRaw, ipv4(spec(net::kProtoIcmp), icmp(8, 0, 0x4242, 1)));
  EXPECT_TRUE(p.has_icmp);
  EXPECT_EQ(p.icmp_type, 8);
  EXPECT_EQ(p.icmp_id, 0x4242);
  EXPECT_FALSE(p.has_ports);
  EXPECT_FALSE(p.has_inner);
  const DecodedPacket r = decode(LinkType::kRaw, ipv6(net::kProtoIcmpv6, icmp(129, 0, 0x0707, 1)));
  EXPECT_EQ(r.icmp_type, 129);
  EXPECT_EQ(r.icmp_id, 0x0707);
}

// The packet an ICMP error quotes: from 192.168.1.2:443 back to 10.0.0.1:40000.
Bytes quoted_v4(std::uint8_t proto = net::kProtoTcp) {
  Ipv4Spec s;
  s.proto = proto;
  s.src = kB4;
  s.dst = kA4;
  s.total_length = 1500;
  const Bytes transport = proto == net::kProtoTcp ? tcp(443, 40000, 0x010) : udp(443, 40000);
  return ipv4(s, head(transport, 8));
}

TEST(DecodeIcmp, Ipv4ErrorsQuoteTheirFlow) {
  for (std::uint8_t type : std::initializer_list<std::uint8_t>{3, 11, 12}) {
    for (std::uint8_t proto : std::initializer_list<std::uint8_t>{net::kProtoTcp, net::kProtoUdp}) {
      const DecodedPacket p = decode(LinkType::kRaw, ipv4(spec(net::kProtoIcmp, 0x01020304), icmp(type, 1, 0, 0, quoted_v4(proto))));
      SCOPED_TRACE(testing::Message() << "type " << int{type} << " proto " << int{proto});
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
  const DecodedPacket p = decode(LinkType::kRaw, ipv4(spec(net::kProtoIcmp), icmp(3, 4, 0, 1492, quoted_v4())));
  EXPECT_EQ(p.icmp_mtu, 1492u);
  EXPECT_TRUE(p.inner.has_ports);
  EXPECT_EQ(decode(LinkType::kRaw, ipv4(spec(net::kProtoIcmp), icmp(3, 1, 0, 1492, quoted_v4()))).icmp_mtu, 0u);
}

TEST(DecodeIcmp, QuotedEchoTiesByIdentifier) {
  const Bytes echo = icmp(8, 0, 0x55aa, 3);
  const DecodedPacket p =
      decode(LinkType::kRaw, ipv4(spec(net::kProtoIcmp), icmp(11, 0, 0, 0, ipv4(spec(net::kProtoIcmp, kB4, kA4), echo))));
  ASSERT_TRUE(p.has_inner);
  EXPECT_EQ(p.inner.proto, net::kProtoIcmp);
  EXPECT_TRUE(p.inner.has_ports);
  EXPECT_EQ(p.inner.sport, 0x55aa);
}

TEST(DecodeIcmp, Icmpv6ErrorsQuoteTheirFlowAndPacketTooBigMtu) {
  const Bytes quoted = ipv6(net::kProtoUdp, udp(443, 40000), kB6, kA6);
  for (std::uint8_t type : std::initializer_list<std::uint8_t>{1, 2, 3, 4}) {
    const std::uint16_t mtu_low = type == 2 ? 1280 : 0;
    const DecodedPacket p = decode(LinkType::kRaw, ipv6(net::kProtoIcmpv6, icmp(type, 0, 0, mtu_low, quoted)));
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
  const Bytes quoted_tcp = ipv6(60, cat({ext(net::kProtoTcp, 8), tcp(443, 40000, 0x10)}), kB6, kA6);
  const DecodedPacket q = decode(LinkType::kRaw, ipv6(net::kProtoIcmpv6, icmp(1, 4, 0, 0, quoted_tcp)));
  EXPECT_EQ(q.inner.proto, net::kProtoTcp);
  EXPECT_EQ(q.inner.dport, 40000);
}

TEST(DecodeIcmp, InformationalMessagesQuoteNothing) {
  const DecodedPacket p = decode(LinkType::kRaw, ipv6(net::kProtoIcmpv6, icmp(135, 0, 0, 0, zeros(16))));
  EXPECT_TRUE(p.has_icmp);
  EXPECT_FALSE(p.has_inner);
  EXPECT_EQ(p.malformed, Malformed::kNone);
}

// --- Tunnels -----------------------------------------------------------------------------

Bytes inner_frame() { return cat({ethernet(0x0800), ipv4({}, kTcpSyn)}); }

Bytes outer_udp(std::uint16_t dport, const Bytes& payload) {
  return cat({ethernet(0x0800), ipv4(spec(net::kProtoUdp, 0x14000001, 0x14000002), udp(50000, dport, payload))});
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
  expect_tcp_10_to_192(inner);
  // Protocol type IPv4: the inner packet has no Ethernet header.
  const Bytes geneve_ip = cat({Bytes{0, 0}, u16(0x0800), u32(0x00000100), ipv4({}, kTcpSyn)});
  expect_tcp_10_to_192(decode(LinkType::kEthernet, outer_udp(6081, geneve_ip), true));
}

TEST(DecodeTunnel, HeadersThatAreNotTheSpecifiedOnesStayOuter) {
  // VXLAN without the I flag (RFC 7348 §5) and Geneve version 1 (RFC 8926 only defines 0).
  const DecodedPacket v = decode(LinkType::kEthernet, outer_udp(4789, cat({Bytes{0, 0, 0, 0}, u32(0), inner_frame()})), true);
  EXPECT_EQ(v.tunnel, Tunnel::kNone);
  EXPECT_EQ(v.dport, 4789);
  const DecodedPacket g = decode(LinkType::kEthernet, outer_udp(6081, cat({Bytes{0x40, 0}, u16(0x6558), u32(0), inner_frame()})), true);
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
  Ipv4Spec bad_version;
  bad_version.version = 5;
  Ipv4Spec long_ihl;
  long_ihl.options = zeros(8);
  Ipv4Spec short_total;
  short_total.total_length = 19;
  Bytes tcp_offset_4 = kTcpSyn;
  tcp_offset_4[12] = 0x40;
  const Bytes tcp_long = tcp(40000, 443, 0x002, 10);
  const Bytes quote = quoted_v4();
  return {
      {Malformed::kTruncatedLinkHeader, LinkType::kEthernet, zeros(13), 0},
      {Malformed::kTruncatedLinkHeader, LinkType::kEthernet, cat({ethernet(0x8100), Bytes{0, 1, 8}}), 12},
      {Malformed::kTruncatedLinkHeader, LinkType::kLinuxSll, zeros(15), 0},
      {Malformed::kTruncatedLinkHeader, LinkType::kLinuxSll2, zeros(19), 0},
      {Malformed::kTruncatedLinkHeader, LinkType::kNull, Bytes{2, 0, 0}, 0},
      {Malformed::kTruncatedIpv4, LinkType::kEthernet, cat({eth_ip, zeros(19)}), 14},
      {Malformed::kTruncatedIpv4, LinkType::kRaw, head(ipv4(long_ihl, {}), 24), 0},
      {Malformed::kBadIpv4Header, LinkType::kIpv4, ipv4(bad_version, kTcpSyn), 0},
      {Malformed::kBadIpv4Header, LinkType::kEthernet, cat({eth_ip, Bytes{0x44}, zeros(19)}), 14},
      {Malformed::kBadIpv4Length, LinkType::kEthernet, cat({eth_ip, ipv4(short_total, kTcpSyn)}), 14},
      {Malformed::kTruncatedIpv6, LinkType::kEthernet, cat({ethernet(0x86dd), zeros(39)}), 14},
      {Malformed::kBadIpVersion, LinkType::kRaw, cat({Bytes{0x50}, zeros(39)}), 0},
      {Malformed::kBadIpVersion, LinkType::kRaw, Bytes{}, 0},
      {Malformed::kTruncatedIpv6Extension, LinkType::kRaw, ipv6(0, Bytes{6, 1, 0, 0, 0, 0, 0, 0}), 40},
      {Malformed::kTruncatedIpv6Extension, LinkType::kRaw, ipv6(43, cat({ext(44, 8), Bytes{6, 0, 0}})), 48},
      {Malformed::kTruncatedTcp, LinkType::kRaw, ipv4({}, head(kTcpSyn, 19)), 20},
      {Malformed::kTruncatedTcp, LinkType::kRaw, ipv4({}, head(tcp_long, 30)), 20},
      {Malformed::kBadTcpHeader, LinkType::kRaw, ipv4({}, tcp_offset_4), 20},
      {Malformed::kTruncatedUdp, LinkType::kRaw, ipv6(net::kProtoUdp, Bytes{0, 53, 0, 53, 0}), 40},
      {Malformed::kTruncatedIcmp, LinkType::kRaw, ipv4(spec(net::kProtoIcmp), Bytes{8, 0, 0, 0, 0, 0, 0}), 20},
      {Malformed::kTruncatedIcmpQuote, LinkType::kRaw, ipv4(spec(net::kProtoIcmp), icmp(3, 4, 0, 1492, head(quote, 27))), 28},
      {Malformed::kTruncatedTunnel, LinkType::kEthernet, outer_udp(4789, Bytes{0x08, 0, 0}), 42, true},
      {Malformed::kTruncatedTunnel, LinkType::kEthernet, outer_udp(6081, cat({Bytes{0x01, 0}, u16(0x6558), u32(0)})), 42, true},
  };
}

TEST(DecodeMalformed, EachKindFromAMinimalPacketAtItsOffset) {
  std::set<Malformed> seen;
  for (const MalformedCase& c : malformed_cases()) {
    const DecodedPacket p = decode(c.link, c.bytes, c.tunnels);
    EXPECT_EQ(malformed_name(p.malformed), malformed_name(c.kind)) << "expected " << malformed_name(c.kind) << " from " << c.bytes.size() << " bytes";
    EXPECT_EQ(p.malformed_offset, c.offset) << malformed_name(c.kind);
    seen.insert(c.kind);
  }
  EXPECT_EQ(seen.size(), kMalformedKinds - 1) << "a Malformed kind has no test case";
}

TEST(DecodeMalformed, FieldsBeforeTheFaultAreKept) {
  // Truncated TCP after the ports: the IP header and ports stay.
  const DecodedPacket p = decode(LinkType::kRaw, ipv4({}, head(kTcpSyn, 10)));
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
  for (std::size_t i = 1; i < kMalformedKinds; ++i) names.insert(std::string(malformed_name(static_cast<Malformed>(i))));
  EXPECT_EQ(names.size(), kMalformedKinds - 1);
  EXPECT_EQ(link_type_name(LinkType::kLinuxSll2), "LINUX_SLL2");
  EXPECT_EQ(link_type_name(LinkType::kEthernet), "EN10MB");
}

}  // namespace
}  // namespace pfsim::pcap
