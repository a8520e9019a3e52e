// Tests of net/format.h: protocols, endpoints and five-tuples as reports print them.
#include "net/format.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace pfsim::net {
namespace {

IpAddress ip(const char* text) { return *parse_address(text); }

FiveTuple tuple(std::uint8_t proto, const char* src, std::uint16_t sport, const char* dst, std::uint16_t dport) {
  const IpAddress s = ip(src);
  return FiveTuple{s.bits, ip(dst).bits, sport, dport, proto, s.family};
}

TEST(ProtocolName, EveryNameOfTheTable) {
  EXPECT_EQ(protocol_name(1), "icmp");
  EXPECT_EQ(protocol_name(6), "tcp");
  EXPECT_EQ(protocol_name(17), "udp");
  EXPECT_EQ(protocol_name(47), "gre");
  EXPECT_EQ(protocol_name(50), "esp");
  EXPECT_EQ(protocol_name(58), "icmpv6");
  EXPECT_EQ(protocol_name(132), "sctp");
}

// One fallback spelling for every unnamed number, the same in every report.
TEST(ProtocolName, OtherNumbersAreProtocolN) {
  EXPECT_EQ(protocol_name(0), "protocol 0");
  EXPECT_EQ(protocol_name(44), "protocol 44");
  EXPECT_EQ(protocol_name(51), "protocol 51");  // AH has no name in the table
  EXPECT_EQ(protocol_name(255), "protocol 255");
}

TEST(ProtocolName, NumberReadsBackEveryName) {
  for (unsigned proto = 0; proto < 256; ++proto) {
    const auto p = static_cast<std::uint8_t>(proto);
    const std::string name = protocol_name(p);
    if (name.starts_with("protocol ")) {
      EXPECT_EQ(protocol_number(name), std::nullopt) << name;
    } else {
      EXPECT_EQ(protocol_number(name), p) << name;
    }
  }
  EXPECT_EQ(protocol_number("TCP"), std::nullopt);  // the table is lowercase
  EXPECT_EQ(protocol_number(""), std::nullopt);
}

TEST(FormatEndpoint, Ipv6IsBracketedBeforeThePort) {
  EXPECT_EQ(format_endpoint(Family::kIpv4, ip("10.0.0.1").bits, 443), "10.0.0.1:443");
  EXPECT_EQ(format_endpoint(Family::kIpv4, ip("0.0.0.0").bits, 0), "0.0.0.0:0");
  EXPECT_EQ(format_endpoint(Family::kIpv6, ip("2001:db8::1").bits, 443), "[2001:db8::1]:443");
  EXPECT_EQ(format_endpoint(Family::kIpv6, ip("::").bits, 65535), "[::]:65535");
}

TEST(FormatFiveTuple, TcpAndUdpShowPorts) {
  EXPECT_EQ(format_five_tuple(tuple(kProtoTcp, "10.0.1.5", 1024, "10.0.2.10", 8080)),
            "tcp 10.0.1.5:1024 -> 10.0.2.10:8080");
  EXPECT_EQ(format_five_tuple(tuple(kProtoUdp, "2001:db8::1", 5353, "2600:1f18::1", 53)),
            "udp [2001:db8::1]:5353 -> [2600:1f18::1]:53");
}

// ICMP type and code travel in the port fields (net/five_tuple.h); IPv6 addresses without a
// port need no brackets.
TEST(FormatFiveTuple, IcmpShowsTypeAndCode) {
  EXPECT_EQ(format_five_tuple(tuple(kProtoIcmp, "192.0.2.1", 3, "10.0.1.5", 4)),
            "icmp 192.0.2.1 -> 10.0.1.5 type 3 code 4");
  EXPECT_EQ(format_five_tuple(tuple(kProtoIcmpv6, "2001:db8::1", 128, "2001:db8::2", 0)),
            "icmpv6 2001:db8::1 -> 2001:db8::2 type 128 code 0");
}

TEST(FormatFiveTuple, OtherProtocolsShowAddressesOnly) {
  EXPECT_EQ(format_five_tuple(tuple(kProtoGre, "10.0.0.1", 7, "10.0.0.2", 9)), "gre 10.0.0.1 -> 10.0.0.2");
  EXPECT_EQ(format_five_tuple(tuple(99, "2001:db8::1", 0, "2001:db8::2", 0)), "protocol 99 2001:db8::1 -> 2001:db8::2");
}

TEST(TcpFlagLetters, OneLetterPerSetFlagFinFirst) {
  EXPECT_EQ(tcp_flag_letters(0), "");
  EXPECT_EQ(tcp_flag_letters(kTcpSyn), "S");
  EXPECT_EQ(tcp_flag_letters(kTcpSyn | kTcpAck), "SA");
  EXPECT_EQ(tcp_flag_letters(kTcpFin | kTcpPsh | kTcpAck), "FPA");
  EXPECT_EQ(tcp_flag_letters(0x1ff), "FSRPAUEWN");
  EXPECT_EQ(tcp_flag_letters(0xe00), "");  // reserved bits have no letter
}

}  // namespace
}  // namespace pfsim::net
