// encode_frame against its oracles: byte-exact frames from real captures (tcpdump's and
// community-id's test fixtures, whose fields Wireshark reads in tests/data/pcaps/wireshark-
// fields), decode_packet for every protocol and family (encode then decode gives back the
// fields), and checksums recomputed here from the frame, independently of the encoder.
#include "pcap/encode.h"

#include <gtest/gtest.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "net/address.h"
#include "net/five_tuple.h"
#include "pcap/decode.h"
#include "pcap/packet.h"
#include "tests/encoded_frame.h"

namespace pfsim::pcap {
namespace {

using Bytes = std::vector<std::uint8_t>;
using pfsim::test_support::encoded_frame;

Bytes from_hex(std::string_view hex) {
  Bytes out;
  const auto nibble = [](char c) { return static_cast<std::uint8_t>(c <= '9' ? c - '0' : c - 'a' + 10); };
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>(nibble(hex[i]) << 4 | nibble(hex[i + 1])));
  }
  return out;
}

net::Ip128 address(const char* text) {
  auto a = net::parse_address(text);
  EXPECT_TRUE(a.ok()) << text;
  return a.ok() ? a->bits : net::Ip128{};
}

std::uint16_t u16_at(const Bytes& b, std::size_t at) { return static_cast<std::uint16_t>(b[at] << 8 | b[at + 1]); }

// --- Byte for byte against real frames --------------------------------------------------

// tcpdump tests/LINKTYPE_RAW_ipv4.pcap (tests/data/pcaps/raw-ipv4.pcap): a DNS query,
// 192.168.1.100:12345 -> 9.9.9.9:53, IP id 1, TTL 64.
constexpr std::string_view kDnsQuery = "123401000001000000000000076578616d706c6503636f6d0000010001";

TEST(EncodeKnownGood, RawIpv4UdpIsTcpdumpsFixture) {
  const Bytes query = from_hex(kDnsQuery);
  FrameSpec s{.link = LinkType::kRaw,
              .src = address("192.168.1.100"),
              .dst = address("9.9.9.9"),
              .proto = net::kProtoUdp,
              .ipv4_id = 1,
              .sport = 12345,
              .dport = 53,
              .payload = query};
  EXPECT_EQ(encoded_frame(s), from_hex("45000039000100004011a695c0a80164090909093039003500251976"
                                       "123401000001000000000000076578616d706c6503636f6d0000010001"));
}

// tcpdump tests/LINKTYPE_RAW_ipv6.pcap (raw-ipv6.pcap): the same query over IPv6.
TEST(EncodeKnownGood, RawIpv6UdpIsTcpdumpsFixture) {
  const Bytes query = from_hex(kDnsQuery);
  FrameSpec s{.link = LinkType::kRaw,
              .family = net::Family::kIpv6,
              .src = address("2001:db8::1"),
              .dst = address("2620:fe::9"),
              .proto = net::kProtoUdp,
              .sport = 12345,
              .dport = 53,
              .payload = query};
  EXPECT_EQ(encoded_frame(s),
            from_hex("600000000025114020010db8000000000000000000000001262000fe000000000000000000000009"
                     "30390035002598b3123401000001000000000000076578616d706c6503636f6d0000010001"));
}

// community-id-spec pcaps/tcp.pcap frame 1 (communityid-tcp.pcap): a SYN with MSS, SACK-
// permitted, timestamps and window-scale options, DF set.
TEST(EncodeKnownGood, EthernetIpv4TcpSynWithOptionsIsCommunityIdFrame1) {
  const Bytes options = from_hex("020405b40402080a05339f0e0000000001030300");
  FrameSpec s{.dst_mac = {0x00, 0x00, 0x0c, 0x07, 0xac, 0x01},
              .src_mac = {0x00, 0x60, 0x97, 0x94, 0x82, 0xdf},
              .src = address("128.232.110.120"),
              .dst = address("66.35.250.204"),
              .ipv4_id = 0x698b,
              .dont_fragment = true,
              .sport = 34855,
              .dport = 80,
              .seq = 0xbecbf685,
              .tcp_flags = 0x002,
              .window = 5840,
              .tcp_options = options};
  EXPECT_EQ(encoded_frame(s),
            from_hex("00000c07ac010060979482df08004500003c698b40004006a4e080e86e784223facc"
                     "88270050becbf68500000000a00216d022dc0000020405b40402080a05339f0e0000000001030300"));
}

// community-id-spec pcaps/icmp6.pcap frame 1 (communityid-icmp6.pcap): a neighbour
// solicitation, hop limit 255; the ICMPv6 checksum covers the pseudo-header.
TEST(EncodeKnownGood, Icmpv6NeighbourSolicitationIsCommunityIdFrame1) {
  const Bytes body = from_hex("fe80000000000000026097fffe0769ea01010000860580da");
  FrameSpec s{.dst_mac = {0x00, 0x60, 0x97, 0x07, 0x69, 0xea},
              .src_mac = {0x00, 0x00, 0x86, 0x05, 0x80, 0xda},
              .family = net::Family::kIpv6,
              .src = address("fe80::200:86ff:fe05:80da"),
              .dst = address("fe80::260:97ff:fe07:69ea"),
              .proto = net::kProtoIcmpv6,
              .ttl = 255,
              .icmp_type = 135,
              .payload = body};
  EXPECT_EQ(encoded_frame(s), from_hex("0060970769ea0000860580da86dd6000000000203afffe80000000000000020086fffe0580da"
                                       "fe80000000000000026097fffe0769ea870068bd00000000"
                                       "fe80000000000000026097fffe0769ea01010000860580da"));
}

// suricata-verify tests/bug-3616-smtp/input.pcap frame 26 (icmp-frag-needed-smtp.pcap).
constexpr std::string_view kFragmentationNeeded =
    "00e01c3c17c2001f33d98160080045c00240451900003f01672dc0a801010a0a01040304c94e000005d4450005dc254f40007e06"
    "eff00a0a01044a358c9905be00197ec45447aeec637e5010fe311fe6000046726f6d3a20224775727061727461702053696e6768"
    "22203c6775727061727461704070617472696f74732e696e3e0d0a546f3a203c72616a5f64656f6c32303032696e407961686f6f"
    "2e636f2e696e3e0d0a5375626a6563743a20534d54500d0a446174653a204d6f6e2c2035204f637420323030392031313a33363a"
    "3037202b303533300d0a4d6573736167652d49443a203c3030303330316361343538312465663965353766302463656462303764"
    "302440696e3e0d0a4d494d452d56657273696f6e3a20312e300d0a436f6e74656e742d547970653a206d756c7469706172742f6d"
    "697865643b0d0a09626f756e646172793d222d2d2d2d3d5f4e657874506172745f3030305f303030345f30314341343542302e30"
    "39353639334630220d0a582d4d61696c65723a204d6963726f736f6674204f6666696365204f75746c6f6f6b2031322e300d0a54"
    "68726561642d496e6465783a204163704667656d3942766a6a5a45446552314b6838692b685579566f30413d3d0d0a436f6e7465"
    "6e742d4c616e67756167653a20656e2d75730d0a782d63722d68617368656470757a7a6c653a205365413d204141523220414461"
    "48204270694f2043344731204431675720464e42312046506b5220466e2b57204846435020486e594a204a4f3773204b756d3620"
    "4b797457204c466349204c6a55743b313b63";

// "Fragmentation needed", next-hop MTU 1492 (RFC 1191), TOS 0xc0, quoting 548 bytes of the
// 1500-byte segment that did not fit.
TEST(EncodeKnownGood, Icmpv4FragmentationNeededIsSuricatasFrame) {
  const Bytes captured = from_hex(kFragmentationNeeded);
  ASSERT_EQ(captured.size(), 590u);
  const Bytes quote(captured.begin() + 14 + 20 + 8, captured.end());
  FrameSpec s{.dst_mac = {0x00, 0xe0, 0x1c, 0x3c, 0x17, 0xc2},
              .src_mac = {0x00, 0x1f, 0x33, 0xd9, 0x81, 0x60},
              .src = address("192.168.1.1"),
              .dst = address("10.10.1.4"),
              .proto = net::kProtoIcmp,
              .ttl = 63,
              .tos = 0xc0,
              .ipv4_id = 0x4519,
              .icmp_type = 3,
              .icmp_code = 4,
              .icmp_rest = 1492,
              .payload = quote};
  EXPECT_EQ(encoded_frame(s), captured);
}

// The tunnelled pings of tcpdump's fixtures below: an ICMP echo request with DF set, whose data
// is the captured frame's last 56 bytes, in Ethernet inside the tunnel, in UDP with DF set.
struct TunnelledPing {
  MacAddress outer_dst_mac, outer_src_mac;
  const char* outer_src;
  const char* outer_dst;
  std::uint16_t outer_ipv4_id, sport, dport;
  TunnelSpec tunnel;
  MacAddress inner_dst_mac, inner_src_mac;
  const char* inner_src;
  const char* inner_dst;
  std::uint16_t inner_ipv4_id;
  std::uint32_t echo_rest;
};

Bytes tunnelled_ping(const TunnelledPing& p, const Bytes& captured) {
  const Bytes ping_data(captured.end() - 56, captured.end());
  const Bytes inner = encoded_frame({.dst_mac = p.inner_dst_mac,
                                     .src_mac = p.inner_src_mac,
                                     .src = address(p.inner_src),
                                     .dst = address(p.inner_dst),
                                     .proto = net::kProtoIcmp,
                                     .ipv4_id = p.inner_ipv4_id,
                                     .dont_fragment = true,
                                     .icmp_type = 8,
                                     .icmp_rest = p.echo_rest,
                                     .payload = ping_data});
  return encoded_frame({.dst_mac = p.outer_dst_mac,
                        .src_mac = p.outer_src_mac,
                        .src = address(p.outer_src),
                        .dst = address(p.outer_dst),
                        .proto = net::kProtoUdp,
                        .ipv4_id = p.outer_ipv4_id,
                        .dont_fragment = true,
                        .sport = p.sport,
                        .dport = p.dport,
                        .tunnel = p.tunnel,
                        .payload = inner});
}

// tcpdump tests/vxlan.pcap (tests/data/pcaps/vxlan.pcap), frame 1: an ICMP echo request
// 192.168.203.3 -> 192.168.203.5 in VXLAN VNI 100 from 192.168.203.1:45149 to
// 192.168.202.1:4789, UDP checksum 0 (Wireshark: flags 0x0800, VNI 100, checksum 0x0000).
constexpr std::string_view kVxlanFrame =
    "00163e0871cf36dc851eb340080045000086d2c0400040115152c0a8cb01c0a8ca01b05d12b500720000080000000000640000"
    "308801000200163e37f604080045000054000040004001234fc0a8cb03c0a8cb050800f6f2050c0001fce2975100000000a6f8"
    "020000000000101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637";

TEST(EncodeKnownGood, VxlanIsTcpdumpsFixture) {
  const Bytes captured = from_hex(kVxlanFrame);
  ASSERT_EQ(captured.size(), 148u);
  EXPECT_EQ(tunnelled_ping({{0x00, 0x16, 0x3e, 0x08, 0x71, 0xcf},
                            {0x36, 0xdc, 0x85, 0x1e, 0xb3, 0x40},
                            "192.168.203.1",
                            "192.168.202.1",
                            0xd2c0,
                            45149,
                            net::kVxlanPort,
                            {.kind = Tunnel::kVxlan, .vni = 100},
                            {0x00, 0x30, 0x88, 0x01, 0x00, 0x02},
                            {0x00, 0x16, 0x3e, 0x37, 0xf6, 0x04},
                            "192.168.203.3",
                            "192.168.203.5",
                            0,
                            icmp_echo_rest(0x050c, 1)},
                           captured),
            captured);
}

// tcpdump tests/geneve.pcap (tests/data/pcaps/geneve.pcap), frame 1: an ICMP echo request
// 30.0.0.1 -> 30.0.0.2 in Geneve VNI 10 with one critical option (class 0x0000, type 0x80,
// data 0000000c) from 20.0.0.1:12618 to 20.0.0.2:6081 (Wireshark: flags 0x40, protocol type
// 0x6558, UDP checksum 0x0000).
constexpr std::string_view kGeneveFrame =
    "001b213cac30001b213cab6408004500008edfad4000401132af1400000114000002314a17c1007a00000240655800000a0000"
    "0080010000000cfe71d883724fb69ed2495148080045000054bda24000400141041e0000011e00000208002c5429520017f1a2"
    "ce540000000017780c0000000000101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334"
    "353637";

TEST(EncodeKnownGood, GeneveWithACriticalOptionIsTcpdumpsFixture) {
  const Bytes captured = from_hex(kGeneveFrame);
  ASSERT_EQ(captured.size(), 156u);
  Bytes options;
  const std::array<std::uint8_t, 4> data = {0x00, 0x00, 0x00, 0x0c};
  ASSERT_TRUE(append_geneve_option(0x0000, 0x80, data, options).ok());
  EXPECT_EQ(tunnelled_ping({{0x00, 0x1b, 0x21, 0x3c, 0xac, 0x30},
                            {0x00, 0x1b, 0x21, 0x3c, 0xab, 0x64},
                            "20.0.0.1",
                            "20.0.0.2",
                            0xdfad,
                            12618,
                            net::kGenevePort,
                            {.kind = Tunnel::kGeneve, .vni = 10, .geneve_options = options},
                            {0xfe, 0x71, 0xd8, 0x83, 0x72, 0x4f},
                            {0xb6, 0x9e, 0xd2, 0x49, 0x51, 0x48},
                            "30.0.0.1",
                            "30.0.0.2",
                            0xbda2,
                            icmp_echo_rest(0x2952, 0x17)},
                           captured),
            captured);
}

// --- Checksums, recomputed from the frame -----------------------------------------------

// The one's-complement sum of the transport segment with its pseudo-header, built here from
// the decoded addresses: 0xffff when the checksum is right.
std::uint16_t transport_sum(const DecodedPacket& p, const Bytes& frame, std::size_t l4_at) {
  Bytes pseudo;
  const auto push16 = [&](std::uint64_t v) {
    pseudo.push_back(static_cast<std::uint8_t>(v >> 8));
    pseudo.push_back(static_cast<std::uint8_t>(v));
  };
  const std::size_t segment = frame.size() - l4_at;
  if (p.proto != net::kProtoIcmp) {
    for (const net::Ip128& a : {p.src, p.dst}) {
      if (p.family == net::Family::kIpv4) {
        push16(a.lo >> 16);
        push16(a.lo);
      } else {
        for (int shift = 48; shift >= 0; shift -= 16) push16(a.hi >> shift);
        for (int shift = 48; shift >= 0; shift -= 16) push16(a.lo >> shift);
      }
    }
    push16(segment >> 16);
    push16(segment);
    push16(p.proto);
  }
  pseudo.insert(pseudo.end(), frame.begin() + static_cast<std::ptrdiff_t>(l4_at), frame.end());
  return ones_complement_sum(pseudo);
}

struct Case {
  const char* name;
  FrameSpec spec;
};

const Bytes kPayload = from_hex("48656c6c6f2c20776f726c64210a2a");  // 15 bytes: odd, "Hello, world!\n*"

std::vector<Case> cases() {
  const net::Ip128 a4 = net::ip4(10, 0, 0, 1);
  const net::Ip128 b4 = net::ip4(192, 168, 1, 2);
  const net::Ip128 a6 = address("2001:db8::1");
  const net::Ip128 b6 = address("2001:db8:ffff::2");
  const auto v6 = net::Family::kIpv6;
  return {
      {"tcp4",
       {.src = a4,
        .dst = b4,
        .ttl = 61,
        .ipv4_id = 7,
        .dont_fragment = true,
        .sport = 40000,
        .dport = 443,
        .seq = 0x01020304,
        .ack = 0xfffffffe,
        .tcp_flags = 0x018,
        .window = 64240,
        .payload = kPayload}},
      {"tcp6",
       {.family = v6,
        .src = a6,
        .dst = b6,
        .ttl = 63,
        .flow_label = 0xabcde,
        .sport = 40000,
        .dport = 443,
        .tcp_flags = 0x012,
        .payload = kPayload}},
      {"udp4", {.src = a4, .dst = b4, .proto = net::kProtoUdp, .sport = 5353, .dport = 53, .payload = kPayload}},
      {"udp6",
       {.family = v6,
        .src = a6,
        .dst = b6,
        .proto = net::kProtoUdp,
        .sport = 5353,
        .dport = 53,
        .payload = kPayload,
        .payload_bytes = 1000}},
      {"echo4",
       {.src = a4,
        .dst = b4,
        .proto = net::kProtoIcmp,
        .icmp_type = 8,
        .icmp_rest = icmp_echo_rest(0x4242, 1),
        .payload_bytes = 56}},
      {"echo6",
       {.family = v6,
        .src = a6,
        .dst = b6,
        .proto = net::kProtoIcmpv6,
        .icmp_type = 129,
        .icmp_rest = icmp_echo_rest(0x0707, 2),
        .payload = kPayload}},
  };
}

TEST(EncodeChecksum, EveryHeaderSumsToAllOnes) {
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.name);
    const Bytes frame = encoded_frame(c.spec);
    const DecodedPacket p = decode_packet(LinkType::kEthernet, frame, {});
    ASSERT_TRUE(p.has_ip);
    std::size_t l4_at = 14 + 40;
    if (p.family == net::Family::kIpv4) {
      l4_at = 14 + 20;
      EXPECT_EQ(ones_complement_sum(std::span<const std::uint8_t>(frame).subspan(14, 20)), 0xffff);
    }
    EXPECT_EQ(transport_sum(p, frame, l4_at), 0xffff);
    EXPECT_NE(u16_at(frame, l4_at + (p.proto == net::kProtoTcp ? 16 : p.proto == net::kProtoUdp ? 6 : 2)), 0);
  }
}

TEST(EncodeChecksum, UdpChecksumOfZeroIsSentAsAllOnes) {
  // RFC 768: a computed 0 is sent as 0xffff. Append the word that brings the sum to 0xffff.
  Bytes payload = {0, 0};
  FrameSpec s{.src = net::ip4(10, 0, 0, 1),
              .dst = net::ip4(10, 0, 0, 2),
              .proto = net::kProtoUdp,
              .sport = 1,
              .dport = 2,
              .payload = payload};
  const std::uint16_t first = u16_at(encoded_frame(s), 14 + 20 + 6);
  payload = {static_cast<std::uint8_t>(first >> 8), static_cast<std::uint8_t>(first)};
  const Bytes frame = encoded_frame(s);
  EXPECT_EQ(u16_at(frame, 14 + 20 + 6), 0xffff);
  EXPECT_EQ(transport_sum(decode_packet(LinkType::kEthernet, frame, {}), frame, 14 + 20), 0xffff);
}

// --- Round trip through decode_packet ---------------------------------------------------

TEST(EncodeRoundTrip, EachProtocolAndFamilyDecodesToItsFields) {
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.name);
    const FrameSpec& s = c.spec;
    const Bytes frame = encoded_frame(s);
    const DecodedPacket p = decode_packet(LinkType::kEthernet, frame, {});
    EXPECT_EQ(p.malformed, Malformed::kNone) << malformed_name(p.malformed);
    ASSERT_TRUE(p.has_ip);
    EXPECT_EQ(p.family, s.family);
    EXPECT_EQ(p.src, s.src);
    EXPECT_EQ(p.dst, s.dst);
    EXPECT_EQ(p.proto, s.proto);
    EXPECT_EQ(p.ttl, s.ttl);
    EXPECT_EQ(p.dont_fragment, s.dont_fragment);
    EXPECT_EQ(p.ip_length, frame.size() - 14);
    const bool icmp = s.proto == net::kProtoIcmp || s.proto == net::kProtoIcmpv6;
    EXPECT_EQ(p.has_ports, !icmp);
    EXPECT_EQ(p.has_icmp, icmp);
    if (icmp) {
      EXPECT_EQ(p.icmp_type, s.icmp_type);
      EXPECT_EQ(p.icmp_id, s.icmp_rest >> 16);
    } else {
      EXPECT_EQ(p.sport, s.sport);
      EXPECT_EQ(p.dport, s.dport);
    }
    EXPECT_EQ(p.has_tcp_flags, s.proto == net::kProtoTcp);
    if (s.proto == net::kProtoTcp) {
      EXPECT_EQ(p.tcp_flags, s.tcp_flags);
    }
  }
}

TEST(EncodeRoundTrip, VlanTagsAndFlowLabelAndTcpFieldsAreWhereDecodersReadThem) {
  const std::array<VlanTag, 2> tags = {VlanTag{0x88a8, 100}, VlanTag{0x8100, 7}};
  FrameSpec s{.dst_mac = {2, 0, 0, 0, 0, 1},
              .src_mac = {2, 0, 0, 0, 0, 2},
              .vlan_tags = tags,
              .family = net::Family::kIpv6,
              .src = address("2001:db8::1"),
              .dst = address("2001:db8::2"),
              .flow_label = 0x12345,
              .sport = 1,
              .dport = 2,
              .seq = 0x11223344,
              .ack = 0x55667788,
              .tcp_flags = 0x010,
              .window = 1234};
  const Bytes frame = encoded_frame(s);
  ASSERT_EQ(frame.size(), 14u + 8u + 40u + 20u);
  EXPECT_EQ(u16_at(frame, 12), 0x88a8);
  EXPECT_EQ(u16_at(frame, 14), 100);
  EXPECT_EQ(u16_at(frame, 16), 0x8100);
  EXPECT_EQ(u16_at(frame, 20), 0x86dd);
  EXPECT_EQ(u16_at(frame, 22) & 0x000f, 0x1);  // flow label's top nibble
  EXPECT_EQ(u16_at(frame, 24), 0x2345);
  EXPECT_EQ(u16_at(frame, 62 + 4), 0x1122);
  EXPECT_EQ(u16_at(frame, 62 + 10), 0x7788);
  EXPECT_EQ(u16_at(frame, 62 + 14), 1234);
  const DecodedPacket p = decode_packet(LinkType::kEthernet, frame, {});
  EXPECT_EQ(p.sport, 1);
  EXPECT_EQ(p.tcp_flags, 0x010);
  EXPECT_EQ(transport_sum(p, frame, 62), 0xffff);
}

TEST(EncodeRoundTrip, Ipv4FragmentsFirstAndLater) {
  FrameSpec first{.link = LinkType::kRaw,
                  .src = net::ip4(10, 0, 0, 1),
                  .dst = net::ip4(10, 0, 0, 2),
                  .ipv4_id = 0xbeef,
                  .fragment = {.more = true},
                  .sport = 40000,
                  .dport = 443,
                  .tcp_flags = 0x002};
  const DecodedPacket a = decode_packet(LinkType::kRaw, encoded_frame(first), {});
  EXPECT_TRUE(a.fragment.is_fragment);
  EXPECT_TRUE(a.fragment.more);
  EXPECT_EQ(a.fragment.id, 0xbeefu);
  EXPECT_EQ(a.dport, 443);

  FrameSpec later = first;
  later.fragment = {.offset_bytes = 24, .more = false};
  later.payload_bytes = 16;
  const Bytes frame = encoded_frame(later);
  EXPECT_EQ(frame.size(), 20u + 16u);  // no transport header
  const DecodedPacket b = decode_packet(LinkType::kRaw, frame, {});
  EXPECT_TRUE(b.fragment.is_fragment);
  EXPECT_EQ(b.fragment.offset_bytes, 24);
  EXPECT_FALSE(b.has_ports);
  EXPECT_EQ(ones_complement_sum(std::span<const std::uint8_t>(frame).first(20)), 0xffff);
}

TEST(EncodeRoundTrip, Ipv6ExtensionsAndFragmentHeaderAreChained) {
  const Bytes hop_by_hop(6, 0);
  const Bytes routing(22, 0);
  const std::array<Ipv6Extension, 2> chain = {Ipv6Extension{0, hop_by_hop}, Ipv6Extension{43, routing}};
  FrameSpec s{.link = LinkType::kIpv6,
              .family = net::Family::kIpv6,
              .src = address("2001:db8::1"),
              .dst = address("2001:db8::2"),
              .proto = net::kProtoUdp,
              .fragment = {.is_fragment = true, .id = 77, .more = true},
              .ipv6_extensions = chain,
              .sport = 1000,
              .dport = 53};
  const Bytes frame = encoded_frame(s);
  ASSERT_EQ(frame.size(), 40u + 8u + 24u + 8u + 8u);
  EXPECT_EQ(frame[6], 0);                // IPv6 -> hop-by-hop
  EXPECT_EQ(frame[40], 43);              // hop-by-hop -> routing
  EXPECT_EQ(frame[48], 44);              // routing -> fragment
  EXPECT_EQ(frame[49], 2);               // routing: 24 bytes = (2 + 1) * 8
  EXPECT_EQ(frame[72], net::kProtoUdp);  // fragment -> UDP
  const DecodedPacket p = decode_packet(LinkType::kIpv6, frame, {});
  EXPECT_EQ(p.malformed, Malformed::kNone) << malformed_name(p.malformed);
  EXPECT_EQ(p.proto, net::kProtoUdp);
  EXPECT_TRUE(p.fragment.is_fragment);
  EXPECT_EQ(p.fragment.id, 77u);
  EXPECT_EQ(p.dport, 53);
}

TEST(EncodeRoundTrip, IcmpErrorsQuoteAnEncodedPacket) {
  for (const net::Family family : {net::Family::kIpv4, net::Family::kIpv6}) {
    const bool v4 = family == net::Family::kIpv4;
    const net::Ip128 client = v4 ? net::ip4(10, 0, 0, 1) : address("2001:db8::1");
    const net::Ip128 server = v4 ? net::ip4(192, 168, 1, 2) : address("2001:db8::2");
    const net::Ip128 router = v4 ? net::ip4(1, 2, 3, 4) : address("2001:db8::99");
    // The packet that did not fit: 1500 bytes from the server, quoted by its first 64 (its headers).
    FrameSpec big{.link = LinkType::kRaw,
                  .family = family,
                  .src = server,
                  .dst = client,
                  .sport = 443,
                  .dport = 40000,
                  .tcp_flags = 0x010,
                  .payload_bytes = 1400};
    std::array<std::uint8_t, 64> quote{};
    ASSERT_TRUE(encode_frame(big, quote).ok());
    FrameSpec error{.link = LinkType::kRaw,
                    .family = family,
                    .src = router,
                    .dst = server,
                    .proto = v4 ? net::kProtoIcmp : net::kProtoIcmpv6,
                    .icmp_type = std::uint8_t(v4 ? 3 : 2),
                    .icmp_code = std::uint8_t(v4 ? 4 : 0),
                    .icmp_rest = 1280,
                    .payload = quote};
    const Bytes frame = encoded_frame(error);
    const DecodedPacket p = decode_packet(LinkType::kRaw, frame, {});
    SCOPED_TRACE(v4 ? "ICMPv4" : "ICMPv6");
    EXPECT_EQ(p.malformed, Malformed::kNone) << malformed_name(p.malformed);
    EXPECT_EQ(p.icmp_mtu, 1280u);
    ASSERT_TRUE(p.has_inner);
    EXPECT_EQ(p.inner.src, server);
    EXPECT_EQ(p.inner.dst, client);
    EXPECT_EQ(p.inner.sport, 443);
    EXPECT_EQ(p.inner.dport, 40000);
    EXPECT_EQ(transport_sum(p, frame, v4 ? 20 : 40), 0xffff);
  }
}

// --- The output span is the snaplen ------------------------------------------------------

TEST(EncodeSnaplen, PayloadIsCutHeadersAndChecksumsDescribeTheWholePacket) {
  FrameSpec s = cases()[0].spec;
  const Bytes whole = encoded_frame(s);
  std::array<std::uint8_t, 60> cut{};
  auto frame = encode_frame(s, cut);
  ASSERT_TRUE(frame.ok());
  EXPECT_EQ(frame->wire_bytes, whole.size());
  EXPECT_EQ(frame->captured_bytes, 60u);
  EXPECT_EQ(frame->ip_offset, 14u);
  EXPECT_EQ(Bytes(cut.begin(), cut.end()), Bytes(whole.begin(), whole.begin() + 60));
}

TEST(EncodeErrors, EachInvalidSpecSaysWhatIsWrong) {
  const std::array<std::uint8_t, 6> six{};
  const std::array<std::uint8_t, 44> forty_four{};
  std::array<std::uint8_t, 53> short_out{};
  const auto error_of = [&](const FrameSpec& s) {
    std::vector<std::uint8_t> out = {1, 2, 3};
    auto frame = append_frame(s, out);
    EXPECT_EQ(out, (std::vector<std::uint8_t>{1, 2, 3})) << "a failed append leaves the vector as it was";
    return frame.ok() ? std::string("ok") : frame.error().message;
  };
  EXPECT_EQ(error_of({.ipv4_options = six}), "ipv4_options: 6 bytes is not a multiple of 4 up to 40");
  EXPECT_EQ(error_of({.tcp_options = forty_four}), "tcp_options: 44 bytes is not a multiple of 4 up to 40");
  EXPECT_EQ(error_of({.family = net::Family::kIpv6, .proto = net::kProtoIcmp}), "protocol 1 (ICMP) in an IPv6 packet");
  EXPECT_EQ(error_of({.proto = net::kProtoIcmpv6}), "protocol 58 (ICMPv6) in an IPv4 packet");
  EXPECT_EQ(error_of({.link = LinkType::kLinuxSll}), "link type LINUX_SLL has no encoder");
  EXPECT_EQ(error_of({.fragment = {.offset_bytes = 12}}), "fragment offset 12 is not a multiple of 8 bytes");
  EXPECT_EQ(error_of({.payload_bytes = 65536}), "IPv4 total length 65576 exceeds 65535");
  const std::array<std::uint8_t, 10> ten{};
  const std::array<Ipv6Extension, 2> chain = {Ipv6Extension{0, six}, Ipv6Extension{43, ten}};
  EXPECT_EQ(error_of({.family = net::Family::kIpv6, .ipv6_extensions = chain}),
            "ipv6 extension #2 (type 43): 12 bytes is not a multiple of 8 up to 2048");
  EXPECT_EQ(error_of({.link = LinkType::kIpv4, .family = net::Family::kIpv6}),
            "link type IPV4 cannot carry an IPv6 packet");
  EXPECT_EQ(error_of({.tunnel = {.kind = Tunnel::kVxlan}}), "a tunnel header needs protocol 17 (UDP)");
  EXPECT_EQ(error_of({.proto = net::kProtoUdp, .tunnel = {.kind = Tunnel::kVxlan, .vni = 1u << 24}}),
            "VNI 16777216 exceeds 24 bits");
  EXPECT_EQ(error_of({.proto = net::kProtoUdp, .tunnel = {.kind = Tunnel::kGeneve, .geneve_options = six}}),
            "geneve options: 6 bytes are not whole options up to 252 bytes");
  std::vector<std::uint8_t> options = {9};
  const std::array<std::uint8_t, 5> five{};
  const net::Status refused = append_geneve_option(0x0108, 1, five, options);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message, "geneve option data: 5 bytes is not a multiple of 4 up to 124");
  EXPECT_EQ(options, (std::vector<std::uint8_t>{9})) << "a refused option leaves the vector as it was";
  auto frame = encode_frame(FrameSpec{}, short_out);
  ASSERT_FALSE(frame.ok());
  EXPECT_EQ(frame.error().message, "headers of 54 bytes do not fit in 53 bytes");
}

}  // namespace
}  // namespace pfsim::pcap
