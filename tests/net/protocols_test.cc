// Tests of net/protocols.h: the ICMP predicates against the type lists of RFC 792 and RFC 4443,
// and the numbers the wire formats fix.
#include "net/protocols.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <set>

#include "net/time_units.h"

namespace pfsim::net {
namespace {

// RFC 792: destination unreachable (3), time exceeded (11), parameter problem (12) quote the
// offending datagram; RFC 4443 §3: ICMPv6 types 1-4 do. Every other type is checked too, so a
// predicate that answers true too often fails.
TEST(Protocols, IcmpErrorsAreTheTypesThatQuoteAPacket) {
  const std::set<std::uint16_t> v4_errors = {3, 11, 12};
  const std::set<std::uint16_t> v6_errors = {1, 2, 3, 4};
  for (std::uint16_t type = 0; type < 256; ++type) {
    EXPECT_EQ(is_icmp_error_type(kProtoIcmp, type), v4_errors.count(type) == 1) << "icmp type " << type;
    EXPECT_EQ(is_icmp_error_type(kProtoIcmpv6, type), v6_errors.count(type) == 1) << "icmpv6 type " << type;
    EXPECT_FALSE(is_icmp_error_type(kProtoTcp, type)) << "tcp, 'type' " << type;
    EXPECT_FALSE(is_icmp_error_type(kProtoUdp, type)) << "udp, 'type' " << type;
  }
}

// RFC 792 echo 8 / echo reply 0; RFC 4443 §4: echo request 128, reply 129.
TEST(Protocols, EchoIsRequestOrReplyOfItsOwnFamily) {
  for (std::uint16_t type = 0; type < 256; ++type) {
    EXPECT_EQ(is_icmp_echo(kProtoIcmp, type), type == 0 || type == 8) << "icmp type " << type;
    EXPECT_EQ(is_icmp_echo(kProtoIcmpv6, type), type == 128 || type == 129) << "icmpv6 type " << type;
    EXPECT_EQ(is_icmp_echo_request(kProtoIcmp, type), type == 8) << "icmp type " << type;
    EXPECT_EQ(is_icmp_echo_request(kProtoIcmpv6, type), type == 128) << "icmpv6 type " << type;
    EXPECT_FALSE(is_icmp_echo(kProtoUdp, type));
  }
  EXPECT_EQ(icmp_echo_request_type(kProtoIcmp), 8);
  EXPECT_EQ(icmp_echo_reply_type(kProtoIcmp), 0);
  EXPECT_EQ(icmp_echo_request_type(kProtoIcmpv6), 128);
  EXPECT_EQ(icmp_echo_reply_type(kProtoIcmpv6), 129);
}

// RFC 1191 §4: type 3 code 4 only; RFC 4443 §3.2: type 2, code 0 on the wire (any code accepted).
TEST(Protocols, PmtuMessagesAreFragmentationNeededAndPacketTooBig) {
  EXPECT_TRUE(is_pmtu_message(kProtoIcmp, 3, 4));
  EXPECT_FALSE(is_pmtu_message(kProtoIcmp, 3, 3));  // port unreachable
  EXPECT_FALSE(is_pmtu_message(kProtoIcmp, 2, 0));  // type 2 is not assigned in ICMPv4
  EXPECT_FALSE(is_pmtu_message(kProtoIcmp, 11, 4));
  EXPECT_TRUE(is_pmtu_message(kProtoIcmpv6, 2, 0));
  EXPECT_FALSE(is_pmtu_message(kProtoIcmpv6, 1, 4));
  EXPECT_FALSE(is_pmtu_message(kProtoIcmpv6, 3, 4));
  EXPECT_FALSE(is_pmtu_message(kProtoUdp, 3, 4));
}

TEST(Protocols, IcmpAndPortProtocolsAreToldApart) {
  for (unsigned proto = 0; proto < 256; ++proto) {
    const auto p = static_cast<std::uint8_t>(proto);
    EXPECT_EQ(is_icmp(p), proto == 1 || proto == 58) << proto;
    EXPECT_EQ(is_tcp_or_udp(p), proto == 6 || proto == 17) << proto;
  }
  EXPECT_EQ(icmp_protocol(Family::kIpv4), 1);
  EXPECT_EQ(icmp_protocol(Family::kIpv6), 58);
}

// The numbers the wire formats fix: IANA protocol numbers, the TCP header's flag bits in
// tcpdump's FSRPAUEWN order, and EtherTypes.
TEST(Protocols, NumbersAreTheAssignedOnes) {
  EXPECT_EQ(kProtoGre, 47);
  EXPECT_EQ(kProtoEsp, 50);
  EXPECT_EQ(kProtoSctp, 132);
  const std::uint16_t flags[] = {kTcpFin, kTcpSyn, kTcpRst, kTcpPsh, kTcpAck, kTcpUrg, kTcpEce, kTcpCwr, kTcpAe};
  for (std::size_t bit = 0; bit < std::size(flags); ++bit) EXPECT_EQ(flags[bit], 1u << bit) << bit;
  EXPECT_EQ(kEtherTypeIpv4, 0x0800);
  EXPECT_EQ(kEtherTypeIpv6, 0x86dd);
  EXPECT_TRUE(is_vlan_tpid(0x8100));
  EXPECT_TRUE(is_vlan_tpid(0x88a8));
  EXPECT_TRUE(is_vlan_tpid(0x9100));
  EXPECT_FALSE(is_vlan_tpid(kEtherTypeIpv4));
  EXPECT_FALSE(is_vlan_tpid(kEtherTypeArp));
  EXPECT_EQ(kNsPerSecond, 1000 * kNsPerMillisecond);
  EXPECT_EQ(kNsPerMillisecond, 1000 * kNsPerMicrosecond);
  EXPECT_EQ(kNsPerMicrosecond, 1000);
}

}  // namespace
}  // namespace pfsim::net
