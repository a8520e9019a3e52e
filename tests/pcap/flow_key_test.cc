// Tests of pcap/flow_key.h and its SHA-1 (pcap/internal/sha1.h): one key and one hash for
// both directions of a flow, ICMP errors keyed by the flow they quote, echo request and reply
// together, stable sharding; Community IDs equal to the spec's published baseline
// (tests/data/pcaps/communityid-baseline.json) for every packet of its two captures; SHA-1 equal
// to the FIPS 180-2 examples.
#include "pcap/flow_key.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "net/address.h"
#include "net/five_tuple.h"
#include "net/format.h"
#include "net/protocols.h"
#include "pcap/capture.h"
#include "pcap/decode.h"
#include "pcap/encode.h"
#include "pcap/internal/sha1.h"
#include "tests/encoded_frame.h"
#include "tests/read_whole_file.h"

namespace pfsim::pcap {
namespace {

using internal::Sha1;
using internal::Sha1Digest;
using net::Family;
using net::Ip128;

const std::string kPcaps = std::string(PFSIM_TEST_DATA_DIR) + "/pcaps";

// --- SHA-1 ---

std::string hex(const Sha1Digest& digest) {
  std::string text;
  for (std::uint8_t byte : digest) {
    char pair[3];
    std::snprintf(pair, sizeof pair, "%02x", unsigned{byte});
    text += pair;
  }
  return text;
}

std::span<const std::uint8_t> bytes_of(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

// FIPS 180-2 Appendix A: one block, the empty message, and a message whose padding needs a
// second block.
TEST(Sha1, FipsExamples) {
  EXPECT_EQ(hex(internal::sha1(bytes_of("abc"))), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(hex(internal::sha1(bytes_of(""))), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(hex(internal::sha1(bytes_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
}

// FIPS 180-2 Appendix A.3: one million 'a', fed whole and in uneven pieces that straddle
// block boundaries.
TEST(Sha1, MillionA) {
  const std::string million(1'000'000, 'a');
  const std::string expected = "34aa973cd4c4daa4f61eeb2bdbad27316534016f";
  EXPECT_EQ(hex(internal::sha1(bytes_of(million))), expected);
  Sha1 hasher;
  std::span<const std::uint8_t> rest = bytes_of(million);
  for (std::size_t piece = 1; !rest.empty(); piece = piece % 97 + 1) {
    std::size_t take = std::min(piece, rest.size());
    hasher.update(rest.first(take));
    rest = rest.subspan(take);
  }
  EXPECT_EQ(hex(hasher.finish()), expected);
}

// Lengths around the padding boundary (55 bytes: length fits; 56: one more block; 64: a whole
// block). Expected values from Python's hashlib.
TEST(Sha1, PaddingBoundaries) {
  const std::vector<std::pair<std::size_t, std::string>> cases = {
      {55, "c1c8bbdc22796e28c0e15163d20899b65621d65a"}, {56, "c2db330f6083854c99d4b5bfb6e8f29f201be699"},
      {63, "03f09f5b158a7a8cdad920bddc29b81c18a551f5"}, {64, "0098ba824b5c16427bd7a1122a5a442a25ec644d"},
      {65, "11655326c708d70319be2610e8a57d9a5b959d3b"}, {119, "ee971065aaa017e0632a8ca6c77bb3bf8b1dfc56"},
      {120, "f34c1488385346a55709ba056ddd08280dd4c6d6"}};
  for (const auto& [length, expected] : cases) {
    EXPECT_EQ(hex(internal::sha1(bytes_of(std::string(length, 'a')))), expected) << length << " bytes";
  }
}

TEST(Sha1, FinishStartsANewMessage) {
  Sha1 hasher;
  hasher.update(bytes_of("not this"));
  (void)hasher.finish();
  hasher.update(bytes_of("abc"));
  EXPECT_EQ(hex(hasher.finish()), "a9993e364706816aba3e25717850c26c9cd0d89d");
}

// --- Packets built by hand ---

net::IpAddress address(std::string_view text) {
  auto parsed = net::parse_address(text);
  EXPECT_TRUE(parsed) << text;
  return parsed ? *parsed : net::IpAddress{};
}

DecodedPacket ip_packet(std::string_view src, std::string_view dst, std::uint8_t proto) {
  DecodedPacket p;
  net::IpAddress s = address(src);
  p.has_ip = true;
  p.family = s.family;
  p.src = s.bits;
  p.dst = address(dst).bits;
  p.proto = proto;
  return p;
}

DecodedPacket with_ports(std::string_view src, std::uint16_t sport, std::string_view dst, std::uint16_t dport,
                         std::uint8_t proto) {
  DecodedPacket p = ip_packet(src, dst, proto);
  p.has_ports = true;
  p.sport = sport;
  p.dport = dport;
  if (proto == net::kProtoTcp) p.has_tcp_flags = true;
  return p;
}

DecodedPacket tcp(std::string_view src, std::uint16_t sport, std::string_view dst, std::uint16_t dport) {
  return with_ports(src, sport, dst, dport, net::kProtoTcp);
}

DecodedPacket icmp(std::string_view src, std::string_view dst, std::uint8_t type, std::uint8_t code,
                   std::uint16_t id = 0) {
  DecodedPacket p = ip_packet(src, dst, address(src).family == Family::kIpv4 ? net::kProtoIcmp : net::kProtoIcmpv6);
  p.has_icmp = true;
  p.icmp_type = type;
  p.icmp_code = code;
  p.icmp_id = id;
  return p;
}

// An ICMP error from `router` to `quoted.src`, quoting the packet `quoted`, as packet.h
// describes it: inner.src is the host the error goes to.
DecodedPacket error_quoting(std::string_view router, const DecodedPacket& quoted, std::uint8_t type,
                            std::uint8_t code) {
  DecodedPacket p = icmp(router, net::format_address(quoted.family, quoted.src), type, code);
  p.has_inner = true;
  p.inner.family = quoted.family;
  p.inner.src = quoted.src;
  p.inner.dst = quoted.dst;
  p.inner.proto = quoted.proto;
  if (quoted.has_ports) {
    p.inner.has_ports = true;
    p.inner.sport = quoted.sport;
    p.inner.dport = quoted.dport;
  } else if (quoted.has_icmp) {
    p.inner.has_ports = true;  // a quoted echo: its identifier in both ports (decode.cc)
    p.inner.sport = quoted.icmp_id;
    p.inner.dport = quoted.icmp_id;
  }
  return p;
}

FlowKey key_of(const DecodedPacket& packet) {
  std::optional<FlowKey> key = flow_key(packet);
  EXPECT_TRUE(key.has_value());
  return key.value_or(FlowKey{});
}

// --- FlowKey ---

TEST(FlowKey, BothDirectionsGiveOneKeyAndOneHash) {
  const DecodedPacket out = tcp("10.0.0.2", 51000, "10.0.0.1", 443);
  const DecodedPacket back = tcp("10.0.0.1", 443, "10.0.0.2", 51000);
  EXPECT_EQ(key_of(out), key_of(back));
  EXPECT_EQ(symmetric_hash(key_of(out)), symmetric_hash(key_of(back)));
  FlowKey key = key_of(out);
  EXPECT_EQ(key.addr_lo, net::ip4(10, 0, 0, 1));  // the lower address first, with its port
  EXPECT_EQ(key.port_lo, 443);
  EXPECT_EQ(key.addr_hi, net::ip4(10, 0, 0, 2));
  EXPECT_EQ(key.port_hi, 51000);
  EXPECT_EQ(key.proto, net::kProtoTcp);
  EXPECT_EQ(key.family, Family::kIpv4);

  const DecodedPacket v6_out = with_ports("2001:db8::20", 5353, "2001:db8::1", 53, net::kProtoUdp);
  const DecodedPacket v6_back = with_ports("2001:db8::1", 53, "2001:db8::20", 5353, net::kProtoUdp);
  EXPECT_EQ(key_of(v6_out), key_of(v6_back));
  EXPECT_EQ(symmetric_hash(key_of(v6_out)), symmetric_hash(key_of(v6_back)));
  EXPECT_EQ(key_of(v6_out).family, Family::kIpv6);
}

TEST(FlowKey, SameAddressOrdersByPort) {
  const DecodedPacket a = tcp("127.0.0.1", 40000, "127.0.0.1", 8080);
  const DecodedPacket b = tcp("127.0.0.1", 8080, "127.0.0.1", 40000);
  EXPECT_EQ(key_of(a), key_of(b));
  EXPECT_EQ(key_of(a).port_lo, 8080);
}

TEST(FlowKey, DifferentFlowsDiffer) {
  const DecodedPacket base = tcp("10.0.0.2", 51000, "10.0.0.1", 443);
  std::vector<DecodedPacket> others = {
      tcp("10.0.0.2", 51001, "10.0.0.1", 443),                         // another source port
      tcp("10.0.0.2", 51000, "10.0.0.1", 444),                         // another destination port
      tcp("10.0.0.3", 51000, "10.0.0.1", 443),                         // another address
      with_ports("10.0.0.2", 51000, "10.0.0.1", 443, net::kProtoUdp),  // another protocol
      tcp("::a00:2", 51000, "::a00:1", 443),                           // same bits, IPv6
      tcp("10.0.0.2", 443, "10.0.0.1", 51000),                         // ports swapped, not mirrored
  };
  std::set<std::uint64_t> hashes = {symmetric_hash(key_of(base))};
  for (const DecodedPacket& other : others) {
    EXPECT_NE(key_of(other), key_of(base));
    hashes.insert(symmetric_hash(key_of(other)));
  }
  EXPECT_EQ(hashes.size(), others.size() + 1);
}

TEST(FlowKey, EchoRequestAndReplyShareAKeyByIdentifier) {
  const DecodedPacket request = icmp("192.168.0.89", "192.168.0.1", 8, 0, 0x1234);
  const DecodedPacket reply = icmp("192.168.0.1", "192.168.0.89", 0, 0, 0x1234);
  EXPECT_EQ(key_of(request), key_of(reply));
  EXPECT_EQ(key_of(request).port_lo, 0x1234);
  EXPECT_EQ(key_of(request).port_hi, 0x1234);
  EXPECT_NE(key_of(icmp("192.168.0.89", "192.168.0.1", 8, 0, 0x1235)), key_of(request));

  const DecodedPacket request6 = icmp("2001:db8::1", "2001:db8::2", 128, 0, 7);
  const DecodedPacket reply6 = icmp("2001:db8::2", "2001:db8::1", 129, 0, 7);
  EXPECT_EQ(key_of(request6), key_of(reply6));
  EXPECT_EQ(key_of(request6).proto, net::kProtoIcmpv6);
}

TEST(FlowKey, IcmpErrorIsKeyedByTheFlowItQuotes) {
  // The server's large segment to the client needs fragmentation at a router: the router's
  // "fragmentation needed" goes back to the server and quotes the server's packet.
  const DecodedPacket to_client = tcp("10.0.0.1", 443, "10.0.0.2", 51000);
  const DecodedPacket to_server = tcp("10.0.0.2", 51000, "10.0.0.1", 443);
  const DecodedPacket frag_needed = error_quoting("192.0.2.254", to_client, 3, 4);
  EXPECT_EQ(key_of(frag_needed), key_of(to_client));
  EXPECT_EQ(key_of(frag_needed), key_of(to_server));
  EXPECT_EQ(symmetric_hash(key_of(frag_needed)), symmetric_hash(key_of(to_server)));
  // The same kind of error about the other direction lands on the same flow too.
  EXPECT_EQ(key_of(error_quoting("192.0.2.254", to_server, 11, 0)), key_of(to_client));
  // Not keyed by the error's own addresses.
  EXPECT_NE(key_of(frag_needed).addr_lo, net::ip4(192, 0, 2, 254));
  EXPECT_NE(key_of(frag_needed).addr_hi, net::ip4(192, 0, 2, 254));

  const DecodedPacket v6 = with_ports("2001:db8::2", 51000, "2001:db8::1", 443, net::kProtoTcp);
  EXPECT_EQ(key_of(error_quoting("2001:db8::fe", v6, 2, 0)), key_of(v6));  // packet too big
}

TEST(FlowKey, IcmpErrorQuotingAnEchoIsKeyedLikeTheEcho) {
  const DecodedPacket request = icmp("10.0.0.2", "10.0.0.1", 8, 0, 99);
  const DecodedPacket reply = icmp("10.0.0.1", "10.0.0.2", 0, 0, 99);
  EXPECT_EQ(key_of(error_quoting("10.0.0.254", request, 11, 0)), key_of(reply));
}

TEST(FlowKey, PortlessTrafficKeysByAddressesAndProtocol) {
  const DecodedPacket gre = ip_packet("10.1.12.1", "10.1.12.2", 47);
  const DecodedPacket gre_back = ip_packet("10.1.12.2", "10.1.12.1", 47);
  EXPECT_EQ(key_of(gre), key_of(gre_back));
  EXPECT_EQ(key_of(gre).port_lo, 0);
  EXPECT_EQ(key_of(gre).port_hi, 0);
  // An ICMP message that is neither an echo nor an error: addresses and protocol only.
  const DecodedPacket solicit = icmp("fe80::1", "ff02::2", 133, 0);
  EXPECT_EQ(key_of(solicit).port_lo, 0);
  EXPECT_EQ(key_of(solicit).port_hi, 0);
  // A later fragment has no ports: it keys by addresses and protocol.
  DecodedPacket later = ip_packet("10.0.0.2", "10.0.0.1", net::kProtoTcp);
  later.fragment = {true, 4321, 1480, false};
  EXPECT_EQ(key_of(later), key_of(ip_packet("10.0.0.1", "10.0.0.2", net::kProtoTcp)));
}

TEST(FlowKey, NoIpHeaderNoKey) {
  DecodedPacket arp;
  EXPECT_FALSE(flow_key(arp).has_value());
  EXPECT_EQ(community_id(arp), "");
}

// The hash decides which shard (thread or process) owns a flow, so it must not change between
// runs, builds or machines: a changed value here breaks `--shard I/N` across versions. The
// value is from a Python rendering of the documented mix (SplitMix64's finalizer per word).
TEST(FlowKey, HashIsStable) {
  const FlowKey key = key_of(tcp("10.0.0.2", 51000, "10.0.0.1", 443));
  EXPECT_EQ(symmetric_hash(key), symmetric_hash(key));
  EXPECT_EQ(symmetric_hash(key), 0x7af5bcaecd7e9069u) << std::hex << symmetric_hash(key);
}

// Flows that differ only in their client port (the common case behind a load balancer) spread
// evenly over shards.
TEST(FlowKey, HashSpreadsFlowsOverShards) {
  constexpr std::size_t kShards = 16;
  constexpr std::size_t kFlows = 16000;
  std::array<std::size_t, kShards> counts{};
  for (std::size_t i = 0; i < kFlows; ++i) {
    FlowKey key = key_of(tcp("10.0.0.2", static_cast<std::uint16_t>(32768 + i), "10.0.0.1", 443));
    ++counts[symmetric_hash(key) % kShards];
  }
  for (std::size_t shard = 0; shard < kShards; ++shard) {
    EXPECT_GT(counts[shard], kFlows / kShards * 8 / 10) << "shard " << shard;
    EXPECT_LT(counts[shard], kFlows / kShards * 12 / 10) << "shard " << shard;
  }
}

// --- Community ID ---

// The spec's example (community-id-spec README, "Technical details"): both directions order
// into 10.0.0.1, 127.0.0.1, 1234, 80. Values from an independent Python rendering of the
// pseudo code (hashlib).
TEST(CommunityId, SpecExampleBothDirectionsAndSeed) {
  const DecodedPacket out = tcp("10.0.0.1", 1234, "127.0.0.1", 80);
  const DecodedPacket back = tcp("127.0.0.1", 80, "10.0.0.1", 1234);
  EXPECT_EQ(community_id(out), "1:F/BCgQTUT/FXrTnSBgdsKwJ26iE=");
  EXPECT_EQ(community_id(back), "1:F/BCgQTUT/FXrTnSBgdsKwJ26iE=");
  EXPECT_EQ(community_id(out, 1), "1:KXW93/jAcpeBncylgsTkLvvHFIU=");
}

TEST(CommunityId, NoIdWithoutTheFieldsItIsDefinedBy) {
  DecodedPacket later = ip_packet("10.0.0.2", "10.0.0.1", net::kProtoTcp);  // a later fragment
  later.fragment = {true, 4321, 1480, false};
  EXPECT_EQ(community_id(later), "");
  DecodedPacket cut_icmp = ip_packet("10.0.0.2", "10.0.0.1", net::kProtoIcmp);  // truncated-icmp
  cut_icmp.malformed = Malformed::kTruncatedIcmp;
  EXPECT_EQ(community_id(cut_icmp), "");
  DecodedPacket cut_extensions = ip_packet("2001:db8::1", "2001:db8::2", 44);  // stopped at a fragment header
  cut_extensions.malformed = Malformed::kTruncatedIpv6Extension;
  EXPECT_EQ(community_id(cut_extensions), "");
  // The same packet not cut short has an ID: the malformed kind alone makes the difference.
  EXPECT_NE(community_id(ip_packet("2001:db8::1", "2001:db8::2", 44)), "");
}

struct BaselineEntry {
  int proto = 0;
  net::IpAddress saddr;
  net::IpAddress daddr;
  std::optional<int> sport;  // ICMP: the type
  std::optional<int> dport;  // ICMP: the counterpart type (two-way) or the code (one-way)
  std::string community_id;
};

using pfsim::test_support::read_whole_file;

// communityid-baseline.json is the spec's baseline_deflt.json: a list of objects with proto,
// saddr, daddr, sport, dport (null for protocols without ports) and communityid.
std::vector<BaselineEntry> read_baseline() {
  const auto json = nlohmann::json::parse(read_whole_file(kPcaps + "/communityid-baseline.json"));
  auto port = [](const nlohmann::json& value) -> std::optional<int> {
    if (value.is_null()) return std::nullopt;
    return value.get<int>();
  };
  std::vector<BaselineEntry> entries;
  for (const auto& e : json) {
    entries.push_back({e.at("proto").get<int>(), address(e.at("saddr").get<std::string>()),
                       address(e.at("daddr").get<std::string>()), port(e.at("sport")), port(e.at("dport")),
                       e.at("communityid").get<std::string>()});
  }
  EXPECT_EQ(entries.size(), 23u) << "the baseline has 23 entries";
  return entries;
}

std::vector<DecodedPacket> decode_capture(const std::string& path) {
  std::vector<DecodedPacket> packets;
  auto reader = CaptureReader::open(path);
  EXPECT_TRUE(reader) << (reader ? "" : reader.error().to_string());
  if (!reader) return packets;
  RecordBatch batch;
  while (true) {
    auto n = reader->read_batch(batch);
    EXPECT_TRUE(n) << (n ? "" : n.error().to_string());
    if (!n || *n == 0) break;
    for (const Record& record : batch.records) {
      DecodedPacket p = decode_packet(reader->link_type(), batch.data(record), DecodeOptions{});
      p.index = record.index;
      packets.push_back(p);
    }
  }
  return packets;
}

// The baseline entry of a packet: same protocol, addresses in the packet's direction, and
// ports (TCP, UDP) or ICMP type.
const BaselineEntry* find_entry(const std::vector<BaselineEntry>& entries, const DecodedPacket& p) {
  for (const BaselineEntry& e : entries) {
    const bool same_hosts = e.saddr == net::IpAddress{p.family, p.src} && e.daddr == net::IpAddress{p.family, p.dst};
    if (e.proto != p.proto || !same_hosts) continue;
    if (p.has_icmp ? e.sport == p.icmp_type : (e.sport == p.sport && e.dport == p.dport)) return &e;
  }
  return nullptr;
}

void expect_capture_matches_baseline(const std::string& name, std::size_t packets_expected) {
  const std::vector<BaselineEntry> entries = read_baseline();
  const std::vector<DecodedPacket> packets = decode_capture(kPcaps + "/" + name);
  ASSERT_EQ(packets.size(), packets_expected) << name;
  for (const DecodedPacket& p : packets) {
    ASSERT_TRUE(p.has_ip) << name << " packet " << p.index;
    const BaselineEntry* entry = find_entry(entries, p);
    ASSERT_NE(entry, nullptr) << name << " packet " << p.index << ": no baseline entry for its flow";
    EXPECT_EQ(community_id(p), entry->community_id) << name << " packet " << p.index;
  }
}

TEST(CommunityId, TcpCaptureEqualsBaseline) { expect_capture_matches_baseline("communityid-tcp.pcap", 12); }

// Neighbor discovery (two-way: solicit and advert meet), ICMPv6 errors (one-way: type and
// code, never reordered), echo request and reply, router solicit and advert.
TEST(CommunityId, Icmp6CaptureEqualsBaseline) { expect_capture_matches_baseline("communityid-icmp6.pcap", 20); }

// The baseline's flows from the spec's other captures (ICMPv4, SCTP, UDP, IPv6 TCP, RSVP),
// rebuilt from their tuples. An ICMP entry's dport is the code of a one-way message and the
// counterpart type of a two-way one, whose ID does not depend on its code: passing dport as
// the code is right for both.
TEST(CommunityId, EveryBaselineTupleEqualsBaseline) {
  const std::vector<BaselineEntry> entries = read_baseline();
  ASSERT_FALSE(entries.empty());
  for (const BaselineEntry& e : entries) {
    const std::string src = net::format_address(e.saddr.family, e.saddr.bits);
    const std::string dst = net::format_address(e.daddr.family, e.daddr.bits);
    DecodedPacket p = ip_packet(src, dst, static_cast<std::uint8_t>(e.proto));
    if (e.proto == net::kProtoIcmp || e.proto == net::kProtoIcmpv6) {
      p = icmp(src, dst, static_cast<std::uint8_t>(e.sport.value_or(0)),
               static_cast<std::uint8_t>(e.dport.value_or(0)));
    } else if (e.sport) {
      p = with_ports(src, static_cast<std::uint16_t>(*e.sport), dst, static_cast<std::uint16_t>(e.dport.value_or(0)),
                     static_cast<std::uint8_t>(e.proto));
    }
    EXPECT_EQ(community_id(p), e.community_id) << "proto " << e.proto << " " << src << " -> " << dst;
  }
}

// A made header keys and is named as the captured packet of that header: the oracle is the
// encoder and the decoder (pcap/encode.h, pcap/decode.h), for every protocol a FiveTuple carries.
TEST(FlowKeyOfHeader, EqualsTheDecodedPacketOfThatHeader) {
  const auto v4 = [](const char* text) { return net::parse_address(text)->bits; };
  const std::vector<net::FiveTuple> headers{
      {v4("10.0.1.5"), v4("10.0.2.10"), 40000, 8080, net::kProtoTcp, Family::kIpv4},
      {v4("10.0.2.10"), v4("10.0.1.5"), 8080, 40000, net::kProtoTcp, Family::kIpv4},
      {v4("192.0.2.1"), v4("10.0.1.5"), 5353, 53, net::kProtoUdp, Family::kIpv4},
      {v4("10.0.1.1"), v4("10.0.1.5"), net::kIcmpDestinationUnreachable, net::kIcmpFragmentationNeeded, net::kProtoIcmp,
       Family::kIpv4},
      {net::parse_address("2001:db8::1")->bits, net::parse_address("2001:db8::2")->bits, 443, 1025, net::kProtoTcp,
       Family::kIpv6},
      {net::parse_address("2001:db8::1")->bits, net::parse_address("2001:db8::2")->bits, net::kIcmpv6PacketTooBig, 0,
       net::kProtoIcmpv6, Family::kIpv6},
      {v4("10.0.1.5"), v4("10.0.2.10"), 0, 0, net::kProtoGre, Family::kIpv4},
  };
  for (const net::FiveTuple& t : headers) {
    FrameSpec spec;
    spec.family = t.family;
    spec.src = t.src;
    spec.dst = t.dst;
    spec.proto = t.proto;
    spec.sport = t.sport;
    spec.dport = t.dport;
    spec.icmp_type = static_cast<std::uint8_t>(t.sport);
    spec.icmp_code = static_cast<std::uint8_t>(t.dport);
    const std::vector<std::uint8_t> frame = pfsim::test_support::encoded_frame(spec);
    const DecodedPacket decoded = decode_packet(LinkType::kEthernet, frame, {});
    SCOPED_TRACE(net::format_five_tuple(t));
    EXPECT_EQ(flow_key(t), *flow_key(decoded));
    EXPECT_EQ(community_id(t), community_id(decoded));
  }
  // Both directions of a header have one key.
  EXPECT_EQ(flow_key(headers[0]), flow_key(headers[1]));
}

}  // namespace
}  // namespace pfsim::pcap
