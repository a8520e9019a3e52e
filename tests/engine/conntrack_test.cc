// Tests of engine/sim/conntrack.h: one entry for both directions of a flow, separate domains, the
// idle timeouts of each protocol and TCP/UDP state with AWS defaults (EC2 guide, "Idle
// connection tracking timeout"), the expiry boundary (live while t <= last + timeout), ICMP
// echo pairing by identifier, related ICMP errors, forget(), growth and reclamation, and a
// randomized comparison with a std::map model that implements the contract directly.
#include "engine/sim/conntrack.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <random>
#include <span>
#include <tuple>
#include <utility>

#include "engine/model/scenario.h"
#include "engine/sim/packet.h"
#include "net/address.h"
#include "net/five_tuple.h"

namespace pfsim::engine {
namespace {

using net::Family;
using net::Ip128;
using net::ip4;

constexpr std::int64_t kSec = 1'000'000'000;
constexpr std::uint8_t kGre = 47;

const Ip128 kClient = ip4(192, 0, 2, 10);
const Ip128 kServer = ip4(10, 0, 1, 20);
const Ip128 kOther = ip4(10, 0, 1, 21);
const Ip128 kClient6{0x20010db800000000u, 1};
const Ip128 kServer6{0x20010db800000000u, 2};

Packet make(std::uint8_t proto, Ip128 src, std::uint16_t sport, Ip128 dst, std::uint16_t dport, std::int64_t ts_ns,
            Family family = Family::kIpv4) {
  Packet p;
  p.tuple.src = src;
  p.tuple.dst = dst;
  p.tuple.sport = sport;
  p.tuple.dport = dport;
  p.tuple.proto = proto;
  p.tuple.family = family;
  p.ts_ns = ts_ns;
  return p;
}

Packet tcp(Ip128 src, std::uint16_t sport, Ip128 dst, std::uint16_t dport, std::int64_t ts_ns, std::uint16_t flags) {
  Packet p = make(net::kProtoTcp, src, sport, dst, dport, ts_ns);
  p.tcp_flags = flags;
  return p;
}

Packet udp(Ip128 src, std::uint16_t sport, Ip128 dst, std::uint16_t dport, std::int64_t ts_ns) {
  return make(net::kProtoUdp, src, sport, dst, dport, ts_ns);
}

// An ICMP message: type in sport, code in dport (net/five_tuple.h), identifier for echoes.
Packet icmp(Ip128 src, Ip128 dst, std::uint16_t type, std::uint16_t id, std::int64_t ts_ns,
            Family family = Family::kIpv4) {
  Packet p = make(family == Family::kIpv4 ? net::kProtoIcmp : net::kProtoIcmpv6, src, type, dst, 0, ts_ns, family);
  p.icmp_id = id;
  return p;
}

// An ICMP error (v4 3/4, "fragmentation needed") from `router` to `to`, quoting `quoted`.
Packet icmp_error(Ip128 router, Ip128 to, const net::FiveTuple& quoted, std::int64_t ts_ns) {
  Packet p = make(net::kProtoIcmp, router, 3, to, 4, ts_ns);
  p.is_icmp_error = true;
  p.quoted = quoted;
  return p;
}

// A quoted TCP flow as its packets travelled from `src` (the host the error goes back to).
net::FiveTuple quoted_tcp(Ip128 src, std::uint16_t sport, Ip128 dst, std::uint16_t dport) {
  return tcp(src, sport, dst, dport, 0, 0).tuple;
}

TEST(ConntrackBasics, BothDirectionsFindTheEntry) {
  ConntrackTable table(ConntrackConfig{});
  EXPECT_FALSE(table.lookup(1, tcp(kClient, 40000, kServer, 443, 0, kTcpSyn)));
  table.track(1, tcp(kClient, 40000, kServer, 443, 0, kTcpSyn));
  EXPECT_TRUE(table.lookup(1, tcp(kServer, 443, kClient, 40000, kSec, kTcpSyn | kTcpAck)));
  EXPECT_TRUE(table.lookup(1, tcp(kClient, 40000, kServer, 443, 2 * kSec, kTcpAck)));
  // Another port on either side is another flow.
  EXPECT_FALSE(table.lookup(1, tcp(kClient, 40001, kServer, 443, 2 * kSec, kTcpAck)));
  EXPECT_FALSE(table.lookup(1, tcp(kServer, 444, kClient, 40000, 2 * kSec, kTcpAck)));
  // So is UDP between the same endpoints.
  EXPECT_FALSE(table.lookup(1, udp(kClient, 40000, kServer, 443, 2 * kSec)));

  table.track(1, make(net::kProtoUdp, kServer6, 53, kClient6, 5353, 0, Family::kIpv6));
  EXPECT_TRUE(table.lookup(1, make(net::kProtoUdp, kClient6, 5353, kServer6, 53, kSec, Family::kIpv6)));
  // The same numbers in the IPv4 space are another flow.
  EXPECT_FALSE(table.lookup(1, make(net::kProtoUdp, kClient6, 5353, kServer6, 53, kSec, Family::kIpv4)));
  EXPECT_EQ(table.live_flows(2 * kSec), 2u);
}

TEST(ConntrackBasics, DomainsAreSeparate) {
  ConntrackTable table(ConntrackConfig{});
  table.track(7, tcp(kClient, 40000, kServer, 443, 0, kTcpSyn));
  EXPECT_FALSE(table.lookup(8, tcp(kServer, 443, kClient, 40000, kSec, kTcpSyn | kTcpAck)));
  EXPECT_FALSE(table.lookup(8, tcp(kClient, 40000, kServer, 443, kSec, kTcpAck)));
  EXPECT_TRUE(table.lookup(7, tcp(kServer, 443, kClient, 40000, kSec, kTcpSyn | kTcpAck)));
  table.track(8, tcp(kClient, 40000, kServer, 443, 0, kTcpSyn));
  EXPECT_EQ(table.live_flows(kSec), 2u);
}

TEST(ConntrackBasics, LoadBalancerConnectionsAreTheirOwnFlows) {
  ConntrackTable table(ConntrackConfig{});
  // A proxy's backend connection (tagged) with the same header as a flow of someone else.
  Packet proxied = tcp(kClient, 40000, kServer, 80, 0, kTcpSyn);
  proxied.lb_connection = 0x51;
  table.track(1, proxied);
  EXPECT_FALSE(table.lookup(1, tcp(kServer, 80, kClient, 40000, kSec, kTcpSyn | kTcpAck)));
  Packet reply = tcp(kServer, 80, kClient, 40000, kSec, kTcpSyn | kTcpAck);
  reply.lb_connection = 0x53;  // another client flow's backend connection
  EXPECT_FALSE(table.lookup(1, reply));
  reply.lb_connection = 0x51;
  EXPECT_TRUE(table.lookup(1, reply));
  // An ICMP error about it carries its tag.
  Packet error = icmp_error(kOther, kClient, quoted_tcp(kClient, 40000, kServer, 80), kSec);
  EXPECT_FALSE(table.related(1, error));
  error.lb_connection = 0x51;
  EXPECT_TRUE(table.related(1, error));
  table.track(1, tcp(kClient, 40000, kServer, 80, kSec, kTcpSyn));
  EXPECT_EQ(table.live_flows(kSec), 2u);
}

TEST(ConntrackTimeouts, TcpNotEstablishedExpiresAfterTcpOther) {
  ConntrackConfig config;  // tcp_other_s = 120
  ConntrackTable table(config);
  table.track(1, tcp(kClient, 40000, kServer, 443, 0, kTcpSyn));
  // Only the initiator's direction: a retransmitted SYN refreshes the entry, it stays short.
  EXPECT_TRUE(table.lookup(1, tcp(kClient, 40000, kServer, 443, 100 * kSec, kTcpSyn)));
  EXPECT_TRUE(table.lookup(1, tcp(kClient, 40000, kServer, 443, 220 * kSec, kTcpAck)));
  EXPECT_FALSE(table.lookup(1, tcp(kServer, 443, kClient, 40000, 340 * kSec + 1, kTcpAck)));
}

TEST(ConntrackTimeouts, TcpEstablishedLastsTcpEstablished) {
  ConntrackTable table(ConntrackConfig{});  // tcp_established_s = 432000
  table.track(1, tcp(kClient, 40000, kServer, 443, 0, kTcpSyn));
  ASSERT_TRUE(table.lookup(1, tcp(kServer, 443, kClient, 40000, kSec, kTcpSyn | kTcpAck)));
  EXPECT_TRUE(table.lookup(1, tcp(kClient, 40000, kServer, 443, 432001 * kSec, kTcpAck)));
  EXPECT_EQ(table.live_flows(864001 * kSec), 1u);
  EXPECT_EQ(table.live_flows(864001 * kSec + 1), 0u);
  EXPECT_FALSE(table.lookup(1, tcp(kServer, 443, kClient, 40000, 864001 * kSec + 1, kTcpAck)));
}

TEST(ConntrackTimeouts, TcpRstMakesTheTimeoutShort) {
  ConntrackTable table(ConntrackConfig{});
  table.track(1, tcp(kClient, 40000, kServer, 443, 0, kTcpSyn));
  ASSERT_TRUE(table.lookup(1, tcp(kServer, 443, kClient, 40000, kSec, kTcpSyn | kTcpAck)));
  ASSERT_TRUE(table.lookup(1, tcp(kServer, 443, kClient, 40000, 2 * kSec, kTcpRst)));
  EXPECT_EQ(table.live_flows(122 * kSec), 1u);
  EXPECT_EQ(table.live_flows(122 * kSec + 1), 0u);
  EXPECT_FALSE(table.lookup(1, tcp(kClient, 40000, kServer, 443, 200 * kSec, kTcpAck)));
}

TEST(ConntrackTimeouts, TcpFinFromBothSidesMakesTheTimeoutShort) {
  ConntrackTable table(ConntrackConfig{});
  table.track(1, tcp(kClient, 40000, kServer, 443, 0, kTcpSyn));
  ASSERT_TRUE(table.lookup(1, tcp(kServer, 443, kClient, 40000, kSec, kTcpSyn | kTcpAck)));
  ASSERT_TRUE(table.lookup(1, tcp(kClient, 40000, kServer, 443, 2 * kSec, kTcpFin | kTcpAck)));
  // A FIN from one side only: still established.
  EXPECT_EQ(table.live_flows(10000 * kSec), 1u);
  ASSERT_TRUE(table.lookup(1, tcp(kServer, 443, kClient, 40000, 3 * kSec, kTcpFin | kTcpAck)));
  EXPECT_EQ(table.live_flows(123 * kSec), 1u);
  EXPECT_EQ(table.live_flows(123 * kSec + 1), 0u);
}

TEST(ConntrackTimeouts, UdpSingleExchangeVersusStream) {
  ConntrackTable table(ConntrackConfig{});  // udp_s = 30, udp_stream_s = 180
  // One request and one response: UdpTimeout.
  table.track(1, udp(kClient, 5000, kServer, 53, 0));
  ASSERT_TRUE(table.lookup(1, udp(kServer, 53, kClient, 5000, kSec)));
  EXPECT_EQ(table.live_flows(31 * kSec), 1u);
  EXPECT_EQ(table.live_flows(31 * kSec + 1), 0u);
  // Three packets in one direction only: still UdpTimeout.
  table.track(1, udp(kClient, 5001, kServer, 514, 0));
  ASSERT_TRUE(table.lookup(1, udp(kClient, 5001, kServer, 514, kSec)));
  ASSERT_TRUE(table.lookup(1, udp(kClient, 5001, kServer, 514, 2 * kSec)));
  EXPECT_FALSE(table.lookup(1, udp(kClient, 5001, kServer, 514, 32 * kSec + 1)));
  // Three packets and both directions: a stream, UdpStreamTimeout.
  table.track(1, udp(kClient, 5002, kServer, 4789, 0));
  ASSERT_TRUE(table.lookup(1, udp(kServer, 4789, kClient, 5002, kSec)));
  ASSERT_TRUE(table.lookup(1, udp(kClient, 5002, kServer, 4789, 2 * kSec)));
  EXPECT_TRUE(table.lookup(1, udp(kServer, 4789, kClient, 5002, 182 * kSec)));
  EXPECT_FALSE(table.lookup(1, udp(kServer, 4789, kClient, 5002, 362 * kSec + 1)));
}

TEST(ConntrackTimeouts, ExpiryBoundary) {
  ConntrackConfig config;
  config.other_s = 600;
  ConntrackTable table(config);
  const std::int64_t t0 = 1'700'000'000 * kSec;  // an epoch-like capture time
  table.track(3, make(kGre, kClient, 0, kServer, 0, t0));
  EXPECT_EQ(table.live_flows(t0 + 600 * kSec), 1u);
  EXPECT_EQ(table.live_flows(t0 + 600 * kSec + 1), 0u);
  // Exactly at last + timeout the flow is still live (and is refreshed)...
  EXPECT_TRUE(table.lookup(3, make(kGre, kServer, 0, kClient, 0, t0 + 600 * kSec)));
  // ...one nanosecond after the new last + timeout it is gone.
  EXPECT_FALSE(table.lookup(3, make(kGre, kClient, 0, kServer, 0, t0 + 1200 * kSec + 1)));
  EXPECT_EQ(table.live_flows(t0 + 1200 * kSec + 1), 0u);
}

TEST(ConntrackTimeouts, TimeGoingBackwardsKeepsTheNewestLastSeen) {
  ConntrackTable table(ConntrackConfig{});
  table.track(1, udp(kClient, 5000, kServer, 53, 100 * kSec));
  ASSERT_TRUE(table.lookup(1, udp(kServer, 53, kClient, 5000, 99 * kSec)));  // out of order
  EXPECT_EQ(table.live_flows(130 * kSec), 1u);                               // still 100 s + udp_s
  EXPECT_EQ(table.live_flows(130 * kSec + 1), 0u);
}

TEST(ConntrackTimeouts, ExpiredFlowCanBeTrackedAgain) {
  ConntrackTable table(ConntrackConfig{});
  table.track(1, udp(kClient, 5000, kServer, 53, 0));
  EXPECT_FALSE(table.lookup(1, udp(kServer, 53, kClient, 5000, 31 * kSec)));
  // The server starts the flow this time: it is the initiator, and the client's packet a reply.
  table.track(1, udp(kServer, 53, kClient, 5000, 31 * kSec));
  EXPECT_TRUE(table.lookup(1, udp(kClient, 5000, kServer, 53, 32 * kSec)));
  EXPECT_TRUE(table.lookup(1, udp(kServer, 53, kClient, 5000, 33 * kSec)));
  EXPECT_EQ(table.live_flows(213 * kSec), 1u);  // a stream now: 180 s
  EXPECT_EQ(table.live_flows(213 * kSec + 1), 0u);
}

TEST(ConntrackIcmp, EchoRequestAndReplyPairByIdentifier) {
  ConntrackTable table(ConntrackConfig{});  // icmp_s = 30
  table.track(1, icmp(kServer, kClient, 8, 0x1234, 0));
  EXPECT_TRUE(table.lookup(1, icmp(kClient, kServer, 0, 0x1234, kSec)));
  EXPECT_FALSE(table.lookup(1, icmp(kClient, kServer, 0, 0x1235, kSec)));
  table.track(1, icmp(kServer, kClient, 8, 0x1235, kSec));
  EXPECT_TRUE(table.lookup(1, icmp(kClient, kServer, 0, 0x1235, 2 * kSec)));
  EXPECT_EQ(table.live_flows(2 * kSec), 2u);
  EXPECT_EQ(table.live_flows(31 * kSec), 2u);
  EXPECT_EQ(table.live_flows(32 * kSec), 1u);
  EXPECT_EQ(table.live_flows(32 * kSec + 1), 0u);

  table.track(1, icmp(kClient6, kServer6, 128, 9, 0, Family::kIpv6));
  EXPECT_TRUE(table.lookup(1, icmp(kServer6, kClient6, 129, 9, kSec, Family::kIpv6)));
  EXPECT_FALSE(table.lookup(1, icmp(kServer6, kClient6, 129, 10, kSec, Family::kIpv6)));
}

TEST(ConntrackIcmp, NonEchoMessagesAreKeyedByAddresses) {
  ConntrackTable table(ConntrackConfig{});
  table.track(1, icmp(kClient, kServer, 13, 0, 0));  // timestamp request
  EXPECT_TRUE(table.lookup(1, icmp(kServer, kClient, 14, 0, kSec)));
  EXPECT_FALSE(table.lookup(1, icmp(kServer, kOther, 14, 0, kSec)));
}

TEST(ConntrackOtherProtocols, KeyedByAddressesAndProtocol) {
  ConntrackTable table(ConntrackConfig{});  // other_s = 600
  table.track(1, make(kGre, kClient, 0, kServer, 0, 0));
  // Ports in the tuple (whatever a caller put there) do not matter.
  EXPECT_TRUE(table.lookup(1, make(kGre, kServer, 7, kClient, 9, 500 * kSec)));
  EXPECT_FALSE(table.lookup(1, make(50, kServer, 0, kClient, 0, 500 * kSec)));  // ESP
  EXPECT_FALSE(table.lookup(1, make(kGre, kOther, 0, kClient, 0, 500 * kSec)));
  EXPECT_EQ(table.live_flows(1100 * kSec), 1u);
  EXPECT_EQ(table.live_flows(1100 * kSec + 1), 0u);
}

TEST(ConntrackRelated, QuotedTcpFlowInEitherOrientation) {
  ConntrackTable table(ConntrackConfig{});
  table.track(1, tcp(kServer, 33000, kClient, 443, 0, kTcpSyn));
  // The server sent a large segment; a router tells the server "fragmentation needed".
  EXPECT_TRUE(table.related(1, icmp_error(kOther, kServer, quoted_tcp(kServer, 33000, kClient, 443), kSec)));
  // An error about the client's packets of the same flow.
  EXPECT_TRUE(table.related(1, icmp_error(kOther, kClient, quoted_tcp(kClient, 443, kServer, 33000), kSec)));
  // Another flow, another domain, not an error.
  EXPECT_FALSE(table.related(1, icmp_error(kOther, kServer, quoted_tcp(kServer, 33001, kClient, 443), kSec)));
  EXPECT_FALSE(table.related(2, icmp_error(kOther, kServer, quoted_tcp(kServer, 33000, kClient, 443), kSec)));
  Packet not_error = icmp_error(kOther, kServer, quoted_tcp(kServer, 33000, kClient, 443), kSec);
  not_error.is_icmp_error = false;
  EXPECT_FALSE(table.related(1, not_error));
  // A quoted UDP flow with the same numbers is not the TCP flow.
  net::FiveTuple as_udp = quoted_tcp(kServer, 33000, kClient, 443);
  as_udp.proto = net::kProtoUdp;
  EXPECT_FALSE(table.related(1, icmp_error(kOther, kServer, as_udp, kSec)));
}

TEST(ConntrackRelated, NotAfterExpiryAndNoRefresh) {
  ConntrackTable table(ConntrackConfig{});  // tcp_other_s = 120
  table.track(1, tcp(kServer, 33000, kClient, 443, 0, kTcpSyn));
  const net::FiveTuple q = quoted_tcp(kServer, 33000, kClient, 443);
  EXPECT_TRUE(table.related(1, icmp_error(kOther, kServer, q, 120 * kSec)));
  // related() did not refresh the entry: it still ends at 120 s.
  EXPECT_FALSE(table.related(1, icmp_error(kOther, kServer, q, 120 * kSec + 1)));
  EXPECT_EQ(table.live_flows(120 * kSec + 1), 0u);
}

TEST(ConntrackRelated, QuotedIcmpMatchesByAddresses) {
  ConntrackTable table(ConntrackConfig{});
  table.track(1, icmp(kServer, kClient, 8, 77, 0));
  net::FiveTuple q = icmp(kServer, kClient, 8, 77, 0).tuple;  // type/code in the ports
  EXPECT_TRUE(table.related(1, icmp_error(kOther, kServer, q, kSec)));
  q.sport = 77;  // pcap's QuotedFlow convention: the identifier in both ports
  q.dport = 77;
  EXPECT_TRUE(table.related(1, icmp_error(kOther, kServer, q, kSec)));
  std::swap(q.src, q.dst);
  EXPECT_TRUE(table.related(1, icmp_error(kOther, kClient, q, kSec)));
  q.dst = kOther;
  EXPECT_FALSE(table.related(1, icmp_error(kOther, kClient, q, kSec)));
  EXPECT_FALSE(table.related(1, icmp_error(kOther, kServer, icmp(kServer, kClient, 8, 77, 0).tuple, 31 * kSec)));
  // ICMPv6 between the same numbers is another protocol.
  net::FiveTuple q6 = icmp(kServer, kClient, 128, 77, 0, Family::kIpv6).tuple;
  q6.family = Family::kIpv4;
  EXPECT_FALSE(table.related(1, icmp_error(kOther, kServer, q6, kSec)));
}

TEST(ConntrackForget, DropsOnlyThatDomain) {
  ConntrackTable table(ConntrackConfig{});
  for (std::uint16_t port = 1000; port < 1200; ++port) {
    table.track(1, tcp(kClient, port, kServer, 443, 0, kTcpSyn));
    table.track(2, tcp(kClient, port, kServer, 443, 0, kTcpSyn));
  }
  table.forget(1);
  EXPECT_EQ(table.live_flows(kSec), 200u);
  for (std::uint16_t port = 1000; port < 1200; ++port) {
    EXPECT_FALSE(table.lookup(1, tcp(kServer, 443, kClient, port, kSec, kTcpAck))) << port;
    EXPECT_TRUE(table.lookup(2, tcp(kServer, 443, kClient, port, kSec, kTcpAck))) << port;
  }
  EXPECT_FALSE(table.related(1, icmp_error(kOther, kClient, quoted_tcp(kClient, 1000, kServer, 443), kSec)));
  table.track(1, tcp(kClient, 1000, kServer, 443, 2 * kSec, kTcpSyn));
  EXPECT_TRUE(table.lookup(1, tcp(kServer, 443, kClient, 1000, 3 * kSec, kTcpAck)));
}

TEST(ConntrackGrowth, HundredThousandFlowsStayFindable) {
  ConntrackTable table(ConntrackConfig{});
  const std::size_t empty_bytes = table.memory_bytes();
  constexpr std::uint32_t kFlows = 100'000;
  for (std::uint32_t i = 0; i < kFlows; ++i) {
    const Ip128 client = ip4(0x0a000000u + (i >> 4));
    table.track(i % 3, udp(client, static_cast<std::uint16_t>(1024 + (i & 15)), kServer, 53, 0));
  }
  EXPECT_EQ(table.live_flows(kSec), kFlows);
  EXPECT_GT(table.memory_bytes(), empty_bytes);
  for (std::uint32_t i = 0; i < kFlows; ++i) {
    const Ip128 client = ip4(0x0a000000u + (i >> 4));
    const auto port = static_cast<std::uint16_t>(1024 + (i & 15));
    ASSERT_TRUE(table.lookup(i % 3, udp(kServer, 53, client, port, kSec))) << i;
    ASSERT_FALSE(table.lookup((i + 1) % 3, udp(kServer, 53, client, port, kSec))) << i;
  }
}

TEST(ConntrackHints, AHintIsOnlyWhereToLookFirst) {
  ConntrackTable table(ConntrackConfig{});
  ConntrackTable::Slot web = 0;
  ConntrackTable::Slot dns = 0;
  table.track(1, tcp(kClient, 40000, kServer, 80, 0, kTcpSyn), &web);
  table.track(1, udp(kClient, 5353, kServer, 53, 0), &dns);
  ASSERT_NE(web, dns);
  // The flow's own hint finds it, in either direction; another flow's hint does not find it
  // for the wrong flow, and is reset to the right slot.
  EXPECT_TRUE(table.lookup(1, tcp(kServer, 80, kClient, 40000, kSec, kTcpSyn | kTcpAck), &web));
  ConntrackTable::Slot wrong = web;
  EXPECT_FALSE(table.lookup(1, udp(kClient, 5354, kServer, 53, kSec), &wrong));
  EXPECT_TRUE(table.lookup(1, udp(kServer, 53, kClient, 5353, kSec), &wrong));
  EXPECT_EQ(wrong, dns);
  // Another domain's packet of the same flow is not found through the flow's slot.
  ConntrackTable::Slot other_domain = web;
  EXPECT_FALSE(table.lookup(2, tcp(kClient, 40000, kServer, 80, kSec, kTcpAck), &other_domain));
  // Growth moves entries: an old hint still finds the flow (by probing), and an out-of-range
  // hint is harmless.
  for (std::uint32_t i = 0; i < 5'000; ++i) table.track(3, udp(ip4(0x0a000000u + i), 1024, kServer, 53, kSec));
  EXPECT_TRUE(table.lookup(1, tcp(kClient, 40000, kServer, 80, 2 * kSec, kTcpAck), &web));
  ConntrackTable::Slot far = 0xffffffffu;
  EXPECT_TRUE(table.lookup(1, udp(kClient, 5353, kServer, 53, 2 * kSec), &far));
  EXPECT_NE(far, 0xffffffffu);  // set to the flow's current slot
  EXPECT_TRUE(table.lookup(1, udp(kClient, 5353, kServer, 53, 2 * kSec), &far));
  // A forgotten flow is not found through its old slot.
  table.forget(1);
  EXPECT_FALSE(table.lookup(1, tcp(kClient, 40000, kServer, 80, 3 * kSec, kTcpAck), &web));
}

TEST(ConntrackKnown, RefreshesEveryFlowOrNone) {
  // A web flow (domain 1) and a DNS flow (domain 2), each put at a slot by track(); a reply
  // of each (the server's side) is later refreshed through those slots in one call.
  ConntrackConfig config;
  config.tcp_established_s = 60;
  config.tcp_other_s = 8;
  config.udp_s = 5;
  const Packet syn = tcp(kClient, 40000, kServer, 80, 0, kTcpSyn);
  const Packet query = udp(kClient, 5353, kServer, 53, 0);
  const auto setup = [&](ConntrackTable& table) {
    std::array<ConntrackTable::Slot, 2> slots{};
    table.track(1, syn, &slots[0]);
    table.track(2, query, &slots[1]);
    return slots;
  };
  const Packet syn_ack = tcp(kServer, 80, kClient, 40000, 0, kTcpSyn | kTcpAck);
  const std::uint32_t replies = (ConntrackTable::src_is_hi(syn_ack) ? 1u : 0u) |
                                (ConntrackTable::src_is_hi(udp(kServer, 53, kClient, 5353, 0)) ? 2u : 0u);
  EXPECT_NE(ConntrackTable::src_is_hi(syn), ConntrackTable::src_is_hi(syn_ack));

  // At 4 s both are live: both are refreshed, as replies (the web flow is now established).
  {
    ConntrackTable table(config);
    const auto slots = setup(table);
    const std::uint32_t generation = table.generation();
    Packet at4 = syn_ack;
    at4.ts_ns = 4 * kSec;
    EXPECT_TRUE(table.refresh_known(slots, replies, at4.ts_ns, at4.tcp_flags));
    EXPECT_EQ(table.generation(), generation);
    EXPECT_TRUE(table.lookup(2, udp(kClient, 5353, kServer, 53, 9 * kSec)));             // 4 s + udp_s
    EXPECT_TRUE(table.lookup(1, tcp(kClient, 40000, kServer, 80, 64 * kSec, kTcpAck)));  // 4 s + established
  }
  // At 6 s the DNS flow has expired (0 + 5 s): nothing is refreshed, so the web flow, still
  // only a SYN, expires at 8 s as before.
  {
    ConntrackTable table(config);
    const auto slots = setup(table);
    Packet at6 = syn_ack;
    at6.ts_ns = 6 * kSec;
    EXPECT_FALSE(table.refresh_known(slots, replies, at6.ts_ns, at6.tcp_flags));
    EXPECT_FALSE(table.lookup(1, tcp(kClient, 40000, kServer, 80, 9 * kSec, kTcpAck)));
  }
  // Rebuilding the table (growth, forget) moves entries and changes the generation.
  ConntrackTable table(config);
  setup(table);
  const std::uint32_t before = table.generation();
  EXPECT_NE(before, 0u);
  for (std::uint32_t i = 0; i < 100; ++i) table.track(3, udp(ip4(0x0a000000u + i), 1024, kServer, 53, kSec));
  EXPECT_NE(table.generation(), before);
  const std::uint32_t grown = table.generation();
  table.forget(3);
  EXPECT_NE(table.generation(), grown);
}

TEST(ConntrackGrowth, LongExpiredEntriesAreReclaimed) {
  ConntrackTable table(ConntrackConfig{});  // udp_s = 30
  std::size_t bytes_after_first_epoch = 0;
  for (std::uint32_t epoch = 0; epoch < 50; ++epoch) {
    const std::int64_t t = std::int64_t{epoch} * 1000 * kSec;
    for (std::uint32_t i = 0; i < 1000; ++i) {
      table.track(0, udp(ip4(0x0a000000u + epoch * 1000 + i), 1024, kServer, 53, t));
    }
    if (epoch == 0) bytes_after_first_epoch = table.memory_bytes();
    EXPECT_EQ(table.live_flows(t), 1000u);
  }
  // 50,000 flows in all, never more than 2,000 of them not long expired: the table stays small.
  EXPECT_LE(table.memory_bytes(), 4 * bytes_after_first_epoch);
}

// ---- The randomized comparison with a model ----

// The contract, written as directly as possible: one map entry per (domain, normalized flow).
class Model {
 public:
  explicit Model(const ConntrackConfig& config) : config_(config) {}

  bool lookup(std::uint32_t domain, const Packet& p) {
    const auto [key, src_first] = key_of(domain, p.tuple, p.icmp_id, p.lb_connection);
    auto it = flows_.find(key);
    if (it == flows_.end() || expiry(it->second) < p.ts_ns) return false;
    State& s = it->second;
    s.last = std::max(s.last, p.ts_ns);
    ++s.packets;
    const bool from_initiator = src_first == s.initiator_first;
    if (!from_initiator) s.reply = true;
    if (p.tuple.proto == net::kProtoTcp && (p.tcp_flags & kTcpRst) != 0) s.rst = true;
    if (p.tuple.proto == net::kProtoTcp && (p.tcp_flags & kTcpFin) != 0) (from_initiator ? s.fin_i : s.fin_r) = true;
    return true;
  }

  void track(std::uint32_t domain, const Packet& p) {
    const auto [key, src_first] = key_of(domain, p.tuple, p.icmp_id, p.lb_connection);
    State s;
    s.last = p.ts_ns;
    s.proto = p.tuple.proto;
    s.initiator_first = src_first;
    s.rst = p.tuple.proto == net::kProtoTcp && (p.tcp_flags & kTcpRst) != 0;
    s.fin_i = p.tuple.proto == net::kProtoTcp && (p.tcp_flags & kTcpFin) != 0;
    flows_[key] = s;
  }

  bool related(std::uint32_t domain, const Packet& p) const {
    if (!p.is_icmp_error) return false;
    const net::FiveTuple& q = p.quoted;
    if (q.proto == net::kProtoIcmp || q.proto == net::kProtoIcmpv6) {
      // Any ICMP flow of this protocol between the two addresses, whatever its "ports".
      const Ip128 a = std::min(q.src, q.dst);
      const Ip128 b = std::max(q.src, q.dst);
      const auto first = flows_.lower_bound(Key{domain, p.lb_connection, q.family, q.proto, a, b, 0, 0});
      const auto last = flows_.upper_bound(Key{domain, p.lb_connection, q.family, q.proto, a, b, 0xffff, 0xffff});
      return std::any_of(first, last, [&](const auto& kv) { return p.ts_ns <= expiry(kv.second); });
    }
    const auto it = flows_.find(key_of(domain, q, 0, p.lb_connection).first);
    return it != flows_.end() && p.ts_ns <= expiry(it->second);
  }

  void forget(std::uint32_t domain) {
    std::erase_if(flows_, [&](const auto& kv) { return std::get<0>(kv.first) == domain; });
  }

  std::size_t live_flows(std::int64_t now) const {
    std::size_t n = 0;
    for (const auto& kv : flows_) {
      if (now <= expiry(kv.second)) ++n;
    }
    return n;
  }

  using Key =
      std::tuple<std::uint32_t, std::uint64_t, Family, std::uint8_t, Ip128, Ip128, std::uint16_t, std::uint16_t>;
  static Key key(std::uint32_t domain, const Packet& p) {
    return key_of(domain, p.tuple, p.icmp_id, p.lb_connection).first;
  }

 private:
  struct State {
    std::int64_t last = 0;
    std::uint8_t proto = 0;
    bool initiator_first = true;  // the initiator is the first of the ordered endpoints
    bool reply = false;
    bool rst = false;
    bool fin_i = false;
    bool fin_r = false;
    int packets = 1;
  };

  static std::pair<Key, bool> key_of(std::uint32_t domain, const net::FiveTuple& t, std::uint16_t id,
                                     std::uint64_t lb_connection) {
    std::uint16_t sp = 0;
    std::uint16_t dp = 0;
    if (t.proto == net::kProtoTcp || t.proto == net::kProtoUdp) {
      sp = t.sport;
      dp = t.dport;
    } else if ((t.proto == net::kProtoIcmp && (t.sport == 8 || t.sport == 0)) ||
               (t.proto == net::kProtoIcmpv6 && (t.sport == 128 || t.sport == 129))) {
      sp = id;
      dp = id;
    }
    const bool src_first = std::tie(t.src, sp) <= std::tie(t.dst, dp);
    if (src_first) return {Key{domain, lb_connection, t.family, t.proto, t.src, t.dst, sp, dp}, true};
    return {Key{domain, lb_connection, t.family, t.proto, t.dst, t.src, dp, sp}, false};
  }

  std::int64_t expiry(const State& s) const {
    std::uint32_t timeout = config_.other_s;
    if (s.proto == net::kProtoTcp) {
      const bool closed = s.rst || (s.fin_i && s.fin_r);
      timeout = s.reply && !closed ? config_.tcp_established_s : config_.tcp_other_s;
    } else if (s.proto == net::kProtoUdp) {
      timeout = s.reply && s.packets >= 3 ? config_.udp_stream_s : config_.udp_s;
    } else if (s.proto == net::kProtoIcmp || s.proto == net::kProtoIcmpv6) {
      timeout = config_.icmp_s;
    }
    return s.last + std::int64_t{timeout} * kSec;
  }

  ConntrackConfig config_;
  std::map<Key, State> flows_;
};

TEST(ConntrackRandomized, AgreesWithTheMapModel) {
  // Short timeouts, so that flows expire, are tracked again and get reclaimed often.
  ConntrackConfig config;
  config.tcp_established_s = 60;
  config.tcp_other_s = 8;
  config.udp_stream_s = 25;
  config.udp_s = 5;
  config.icmp_s = 7;
  config.other_s = 15;
  ConntrackTable table(config);
  Model model(config);
  const std::size_t initial_bytes = table.memory_bytes();

  std::mt19937_64 rng(20240611);
  const auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  const std::array<Ip128, 6> v4 = {ip4(10, 0, 0, 1),  ip4(10, 0, 0, 2), ip4(10, 0, 0, 3),
                                   ip4(192, 0, 2, 1), ip4(0),           ip4(0xffffffffu)};
  const std::array<Ip128, 3> v6 = {Ip128{0x20010db800000000u, 1}, Ip128{0x20010db800000000u, 2},
                                   Ip128{0xfe80000000000000u, 1}};
  const std::array<std::uint8_t, 6> protos = {net::kProtoTcp,  net::kProtoTcp,    net::kProtoUdp,
                                              net::kProtoIcmp, net::kProtoIcmpv6, kGre};
  const std::array<std::uint16_t, 6> icmp_types = {8, 0, 128, 129, 13, 3};
  const std::array<std::uint16_t, 5> tcp_flags = {kTcpSyn, kTcpSyn | kTcpAck, kTcpAck, kTcpFin | kTcpAck, kTcpRst};

  // Half the packets belong to a few flows (two addresses, two ports: long-lived, many packets
  // each, both directions), half to many (so the table holds thousands of flows and rehashes).
  const auto random_packet = [&](std::int64_t ts) {
    Packet p;
    p.ts_ns = ts;
    p.tuple.proto = protos[pick(protos.size())];
    const bool few = pick(2) == 0;
    const bool use_v6 = p.tuple.proto == net::kProtoIcmpv6 || (p.tuple.proto != net::kProtoIcmp && pick(4) == 0);
    const std::size_t addresses = few ? 2 : (use_v6 ? v6.size() : v4.size());
    p.tuple.family = use_v6 ? Family::kIpv6 : Family::kIpv4;
    p.tuple.src = use_v6 ? v6[pick(addresses)] : v4[pick(addresses)];
    p.tuple.dst = use_v6 ? v6[pick(addresses)] : v4[pick(addresses)];
    if (p.tuple.proto == net::kProtoIcmp || p.tuple.proto == net::kProtoIcmpv6) {
      p.tuple.sport = icmp_types[pick(icmp_types.size())];
      p.icmp_id = static_cast<std::uint16_t>(pick(3));
    } else if (few) {
      const bool forward = pick(2) == 0;
      const auto client_port = static_cast<std::uint16_t>(1024 + pick(2));
      p.tuple.sport = forward ? client_port : 80;
      p.tuple.dport = forward ? 80 : client_port;
    } else {
      p.tuple.sport = static_cast<std::uint16_t>(1024 + pick(400));
      p.tuple.dport = static_cast<std::uint16_t>(1024 + pick(400));
    }
    if (p.tuple.proto == net::kProtoTcp) p.tcp_flags = tcp_flags[pick(tcp_flags.size())];
    if (pick(8) == 0) p.lb_connection = 1 + pick(2);  // a load balancer's own connection
    return p;
  };

  // Slot hints (conntrack.h): half the lookups and tracks pass one, from a small pool indexed
  // by the flow's addresses and ports, so a hint is often the flow's own slot, sometimes another
  // flow's, and sometimes stale after a rehash. None of that may change an answer.
  std::array<ConntrackTable::Slot, 32> hints{};
  const auto hint_for = [&](std::uint32_t domain, const Packet& p) -> ConntrackTable::Slot* {
    if (pick(2) == 0) return nullptr;
    const net::FiveTuple& t = p.tuple;
    const std::uint64_t h = domain + t.proto + t.sport + t.dport + (t.src.lo ^ t.dst.lo) + (t.src.hi ^ t.dst.hi);
    return &hints[h % hints.size()];
  };

  // Known slots (conntrack.h, refresh_known): where a hinted lookup() found a flow or a hinted
  // track() put it, and in which generation. A third of the lookups of a known flow whose key
  // is its header's (not ICMP) go through refresh_known() in the same generation instead.
  std::map<Model::Key, std::pair<ConntrackTable::Slot, std::uint32_t>> known;
  const auto note_known = [&](std::uint32_t domain, const Packet& p, const ConntrackTable::Slot* hint) {
    if (hint != nullptr) known[Model::key(domain, p)] = {*hint, table.generation()};
  };
  const auto known_slot = [&](std::uint32_t domain, const Packet& p) -> const ConntrackTable::Slot* {
    if (p.tuple.proto == net::kProtoIcmp || p.tuple.proto == net::kProtoIcmpv6 || pick(3) != 0) return nullptr;
    const auto it = known.find(Model::key(domain, p));
    return it != known.end() && it->second.second == table.generation() ? &it->second.first : nullptr;
  };
  std::size_t known_hits = 0;

  std::int64_t now = 1'000 * kSec;
  std::size_t hits = 0;
  std::size_t related_hits = 0;
  for (int op = 0; op < 200'000; ++op) {
    // Time mostly moves forward by up to 10 ms, sometimes jumps ahead, sometimes goes back a little.
    const std::size_t step = pick(1000);
    if (step < 5) {
      now += static_cast<std::int64_t>(pick(40)) * kSec;
    } else if (step < 15) {
      now -= static_cast<std::int64_t>(pick(3000)) * 1'000'000;  // up to 3 s back
    } else {
      now += static_cast<std::int64_t>(pick(10)) * 1'000'000;
    }
    const std::uint32_t domain = static_cast<std::uint32_t>(pick(3));
    const std::size_t what = pick(100);
    if (what < 55) {
      const Packet p = random_packet(now);
      bool got = false;
      if (const ConntrackTable::Slot* slot = known_slot(domain, p)) {
        got = table.refresh_known(std::span(slot, 1), ConntrackTable::src_is_hi(p) ? 1u : 0u, p.ts_ns, p.tcp_flags);
        known_hits += got ? 1 : 0;
      } else {
        ConntrackTable::Slot* hint = hint_for(domain, p);
        got = table.lookup(domain, p, hint);
        if (got) note_known(domain, p, hint);
      }
      ASSERT_EQ(got, model.lookup(domain, p)) << "lookup, op " << op;
      hits += got ? 1 : 0;
      if (!got && pick(2) == 0) {
        ConntrackTable::Slot* hint = hint_for(domain, p);
        table.track(domain, p, hint);
        note_known(domain, p, hint);
        model.track(domain, p);
      }
    } else if (what < 70) {
      const Packet p = random_packet(now);
      ConntrackTable::Slot* hint = hint_for(domain, p);
      table.track(domain, p, hint);
      note_known(domain, p, hint);
      model.track(domain, p);
    } else if (what < 97) {
      const Packet inner = random_packet(now);
      Packet error = make(net::kProtoIcmp, v4[pick(v4.size())], 3, v4[pick(v4.size())], 4, now);
      error.is_icmp_error = pick(10) != 0;
      error.quoted = inner.tuple;
      error.lb_connection = inner.lb_connection;
      if ((inner.tuple.proto == net::kProtoIcmp || inner.tuple.proto == net::kProtoIcmpv6) && pick(2) == 0) {
        error.quoted.sport = inner.icmp_id;  // pcap's convention for a quoted echo
        error.quoted.dport = inner.icmp_id;
      }
      const bool got = table.related(domain, error);
      ASSERT_EQ(got, model.related(domain, error)) << "related, op " << op;
      related_hits += got ? 1 : 0;
    } else if (what < 98 && pick(20) == 0) {
      table.forget(domain);
      model.forget(domain);
    } else {
      ASSERT_EQ(table.live_flows(now), model.live_flows(now)) << "live_flows, op " << op;
    }
  }
  // The comparison exercised both answers, and the table grew (rehashed) on the way.
  EXPECT_GT(hits, 10'000u);
  EXPECT_GT(known_hits, 1'000u);
  EXPECT_GT(related_hits, 1'000u);
  EXPECT_GT(table.memory_bytes(), initial_bytes);
}

}  // namespace
}  // namespace pfsim::engine
