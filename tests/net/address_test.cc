// Tests of net/address.h (parsing, blocks, formatting) and net/error.h (message layout).
#include "net/address.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>

#include "net/error.h"

namespace pfsim::net {
namespace {

constexpr Ip128 kIpv6Max{~std::uint64_t{0}, ~std::uint64_t{0}};

// 2001:db8:: followed by `lo` in the low 64 bits.
constexpr Ip128 doc_v6(std::uint64_t lo) { return Ip128{0x20010db800000000u, lo}; }

// Whether `result` failed with a message containing `words`.
template <class T>
::testing::AssertionResult fails_with(const Result<T>& result, std::string_view words) {
  if (result) return ::testing::AssertionFailure() << "parsed, expected an error containing '" << words << "'";
  if (result.error().message.find(words) == std::string::npos)
    return ::testing::AssertionFailure() << "message '" << result.error().message << "' lacks '" << words << "'";
  return ::testing::AssertionSuccess();
}

// ---- parse_address ----

TEST(ParseAddress, ReadsIpv4DottedQuads) {
  auto a = parse_address("10.1.2.3");
  ASSERT_TRUE(a) << a.error().to_string();
  EXPECT_EQ(a->family, Family::kIpv4);
  EXPECT_EQ(a->bits, ip4(10, 1, 2, 3));
  EXPECT_EQ(parse_address("0.0.0.0")->bits, Ip128{});
  EXPECT_EQ(parse_address("255.255.255.255")->bits, max_address(Family::kIpv4));
  EXPECT_EQ(max_address(Family::kIpv4), ip4(0xffffffffu));
}

TEST(ParseAddress, ReadsIpv6Text) {
  auto a = parse_address("2001:db8::1");
  ASSERT_TRUE(a) << a.error().to_string();
  EXPECT_EQ(a->family, Family::kIpv6);
  EXPECT_EQ(a->bits, doc_v6(1));
  EXPECT_EQ(parse_address("::")->bits, Ip128{});
  EXPECT_EQ(parse_address("::")->family, Family::kIpv6);
  EXPECT_EQ(parse_address("::1")->bits, (Ip128{0, 1}));
  EXPECT_EQ(parse_address("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")->bits, kIpv6Max);
  EXPECT_EQ(parse_address("FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF")->bits, kIpv6Max);
  // The IPv4-mapped form stays IPv6: the families never share addresses.
  auto mapped = parse_address("::ffff:1.2.3.4");
  ASSERT_TRUE(mapped);
  EXPECT_EQ(mapped->family, Family::kIpv6);
  EXPECT_EQ(mapped->bits, (Ip128{0, 0x0000ffff01020304u}));
}

TEST(ParseAddress, RejectsMalformedText) {
  EXPECT_TRUE(fails_with(parse_address(""), "empty address"));
  EXPECT_TRUE(fails_with(parse_address("256.0.0.1"), "'256.0.0.1' is not an IPv4 address"));
  EXPECT_TRUE(fails_with(parse_address("1.2.3"), "is not an IPv4 address"));
  EXPECT_TRUE(fails_with(parse_address("1.2.3.4.5"), "is not an IPv4 address"));
  EXPECT_TRUE(fails_with(parse_address("01.2.3.4"), "is not an IPv4 address"));
  EXPECT_TRUE(fails_with(parse_address("1.2.3.4 "), "is not an IPv4 address"));
  EXPECT_TRUE(fails_with(parse_address("host"), "is not an IPv4 address"));
  EXPECT_TRUE(fails_with(parse_address("2001:db8:::1"), "'2001:db8:::1' is not an IPv6 address"));
  EXPECT_TRUE(fails_with(parse_address("1:2:3:4:5:6:7:8:9"), "is not an IPv6 address"));
  EXPECT_TRUE(fails_with(parse_address("2001:db8::g"), "is not an IPv6 address"));
  EXPECT_TRUE(fails_with(parse_address(std::string(46, '1')), "is not an IP address"));
}

TEST(ParseAddress, RejectsAnEmbeddedNulInsteadOfStoppingThere) {
  EXPECT_TRUE(fails_with(parse_address(std::string_view("1.2.3.4\0junk", 12)), "NUL"));
  EXPECT_TRUE(fails_with(parse_address(std::string_view("::1\0", 4)), "NUL"));
}

// ---- parse_prefix ----

TEST(ParsePrefix, ReadsBlocks) {
  auto p = parse_prefix("10.0.0.0/8");
  ASSERT_TRUE(p) << p.error().to_string();
  EXPECT_EQ(p->family, Family::kIpv4);
  EXPECT_EQ(p->range, (AddressRange{ip4(10, 0, 0, 0), ip4(10, 255, 255, 255)}));

  auto v6 = parse_prefix("2001:db8::/32");
  ASSERT_TRUE(v6) << v6.error().to_string();
  EXPECT_EQ(v6->family, Family::kIpv6);
  EXPECT_EQ(v6->range, (AddressRange{Ip128{0x20010db800000000u, 0}, Ip128{0x20010db8ffffffffu, ~std::uint64_t{0}}}));
}

TEST(ParsePrefix, EdgeLengths) {
  EXPECT_EQ(parse_prefix("0.0.0.0/0")->range, AddressRange::any(Family::kIpv4));
  EXPECT_EQ(parse_prefix("255.255.255.255/32")->range,
            (AddressRange{max_address(Family::kIpv4), max_address(Family::kIpv4)}));
  EXPECT_EQ(parse_prefix("::/0")->range, AddressRange::any(Family::kIpv6));
  EXPECT_EQ(parse_prefix("::/0")->family, Family::kIpv6);
  EXPECT_EQ(parse_prefix("2001:db8::1/128")->range, (AddressRange{doc_v6(1), doc_v6(1)}));
  EXPECT_EQ(parse_prefix("2001:db8::/64")->range, (AddressRange{doc_v6(0), doc_v6(~std::uint64_t{0})}));
  EXPECT_EQ(parse_prefix("8000::/1")->range, (AddressRange{Ip128{std::uint64_t{1} << 63, 0}, kIpv6Max}));
}

TEST(ParsePrefix, AnAddressAloneIsOneHost) {
  EXPECT_EQ(parse_prefix("1.2.3.4")->range, (AddressRange{ip4(1, 2, 3, 4), ip4(1, 2, 3, 4)}));
  EXPECT_EQ(parse_prefix("2001:db8::7")->range, (AddressRange{doc_v6(7), doc_v6(7)}));
}

TEST(ParsePrefix, HostBitsAreRejectedWithTheBlockMeant) {
  EXPECT_TRUE(fails_with(parse_prefix("10.1.0.0/8"), "'10.1.0.0/8' has host bits set (did you mean 10.0.0.0/8?)"));
  EXPECT_TRUE(fails_with(parse_prefix("2001:db8::1/64"), "has host bits set (did you mean 2001:db8::/64?)"));
  EXPECT_TRUE(fails_with(parse_prefix("0.0.0.1/0"), "did you mean 0.0.0.0/0?"));
}

TEST(ParsePrefix, HostBitsAreClearedWhenAllowed) {
  auto p = parse_prefix("10.1.2.3/8", true);
  ASSERT_TRUE(p) << p.error().to_string();
  EXPECT_EQ(p->range, (AddressRange{ip4(10, 0, 0, 0), ip4(10, 255, 255, 255)}));
  auto v6 = parse_prefix("2001:db8::1:2/112", true);
  ASSERT_TRUE(v6) << v6.error().to_string();
  EXPECT_EQ(v6->range, (AddressRange{doc_v6(0x10000), doc_v6(0x1ffff)}));
}

TEST(ParsePrefix, RejectsBadLengths) {
  EXPECT_TRUE(fails_with(parse_prefix("10.0.0.0/33"), "prefix length 33 exceeds 32 in '10.0.0.0/33'"));
  EXPECT_TRUE(fails_with(parse_prefix("2001:db8::/129"), "prefix length 129 exceeds 128"));
  EXPECT_TRUE(fails_with(parse_prefix("10.0.0.0/"), "bad prefix length in '10.0.0.0/'"));
  EXPECT_TRUE(fails_with(parse_prefix("10.0.0.0/x"), "bad prefix length"));
  EXPECT_TRUE(fails_with(parse_prefix("10.0.0.0/-1"), "bad prefix length"));
  EXPECT_TRUE(fails_with(parse_prefix("10.0.0.0/8/8"), "bad prefix length"));
  EXPECT_TRUE(fails_with(parse_prefix("10.0.0.0/0008"), "bad prefix length"));
  EXPECT_TRUE(fails_with(parse_prefix("/8"), "empty address"));
  EXPECT_TRUE(fails_with(parse_prefix("10.0.0/8"), "'10.0.0' is not an IPv4 address"));
}

// ---- prefix_range and prefix_length ----

TEST(PrefixRange, ClearsAndSetsHostBits) {
  EXPECT_EQ(prefix_range(Family::kIpv4, ip4(192, 168, 7, 9), 24),
            (AddressRange{ip4(192, 168, 7, 0), ip4(192, 168, 7, 255)}));
  EXPECT_EQ(prefix_range(Family::kIpv4, ip4(192, 168, 7, 9), 0), AddressRange::any(Family::kIpv4));
  EXPECT_EQ(prefix_range(Family::kIpv4, ip4(192, 168, 7, 9), 32),
            (AddressRange{ip4(192, 168, 7, 9), ip4(192, 168, 7, 9)}));
  const Ip128 a{0x0123456789abcdefu, 0xfedcba9876543210u};
  EXPECT_EQ(prefix_range(Family::kIpv6, a, 0), AddressRange::any(Family::kIpv6));
  EXPECT_EQ(prefix_range(Family::kIpv6, a, 128), (AddressRange{a, a}));
  EXPECT_EQ(prefix_range(Family::kIpv6, a, 64), (AddressRange{Ip128{a.hi, 0}, Ip128{a.hi, ~std::uint64_t{0}}}));
  EXPECT_EQ(prefix_range(Family::kIpv6, a, 63),
            (AddressRange{Ip128{a.hi & ~std::uint64_t{1}, 0}, Ip128{a.hi | 1, ~std::uint64_t{0}}}));
  EXPECT_EQ(prefix_range(Family::kIpv6, a, 65), (AddressRange{Ip128{a.hi, a.lo & (std::uint64_t{1} << 63)},
                                                              Ip128{a.hi, a.lo | ~(std::uint64_t{1} << 63)}}));
}

TEST(PrefixLength, OfEveryBlockLength) {
  const Ip128 v4 = ip4(203, 0, 113, 77);
  for (unsigned length = 0; length <= 32; ++length)
    EXPECT_EQ(prefix_range(Family::kIpv4, v4, length).prefix_length(Family::kIpv4), length) << length;
  const Ip128 v6{0x20010db812345678u, 0x9abcdef012345678u};
  for (unsigned length = 0; length <= 128; ++length)
    EXPECT_EQ(prefix_range(Family::kIpv6, v6, length).prefix_length(Family::kIpv6), length) << length;
}

TEST(PrefixLength, OfRangesThatAreNotBlocks) {
  EXPECT_EQ((AddressRange{ip4(10, 0, 0, 3), ip4(10, 0, 0, 9)}).prefix_length(Family::kIpv4), std::nullopt);
  EXPECT_EQ((AddressRange{ip4(0, 0, 0, 0), ip4(0, 0, 0, 5)}).prefix_length(Family::kIpv4), std::nullopt);
  // Aligned at the start but one address short of the block.
  EXPECT_EQ((AddressRange{ip4(10, 0, 0, 0), ip4(10, 255, 255, 254)}).prefix_length(Family::kIpv4), std::nullopt);
  // Right size, wrong alignment.
  EXPECT_EQ((AddressRange{ip4(10, 0, 0, 2), ip4(10, 0, 0, 5)}).prefix_length(Family::kIpv4), std::nullopt);
  // Spans the boundary between the two 64-bit words.
  EXPECT_EQ((AddressRange{Ip128{0, ~std::uint64_t{0}}, Ip128{1, 0}}).prefix_length(Family::kIpv6), std::nullopt);
  EXPECT_EQ((AddressRange{Ip128{}, Ip128{1, 0}}).prefix_length(Family::kIpv6), std::nullopt);
}

TEST(PrefixLength, DependsOnTheFamily) {
  // The whole IPv4 space is /0 as IPv4 but ::/96 as IPv6.
  EXPECT_EQ(AddressRange::any(Family::kIpv4).prefix_length(Family::kIpv4), 0u);
  EXPECT_EQ(AddressRange::any(Family::kIpv4).prefix_length(Family::kIpv6), 96u);
  EXPECT_EQ(AddressRange::any(Family::kIpv6).prefix_length(Family::kIpv6), 0u);
}

TEST(AddressRange, ContainsIsInclusive) {
  const AddressRange r{ip4(10, 0, 0, 3), ip4(10, 0, 0, 9)};
  EXPECT_FALSE(r.contains(ip4(10, 0, 0, 2)));
  EXPECT_TRUE(r.contains(ip4(10, 0, 0, 3)));
  EXPECT_TRUE(r.contains(ip4(10, 0, 0, 9)));
  EXPECT_FALSE(r.contains(ip4(10, 0, 0, 10)));
  EXPECT_TRUE(AddressRange::any(Family::kIpv6).contains(kIpv6Max));
  EXPECT_TRUE(AddressRange::any(Family::kIpv4).contains(max_address(Family::kIpv4)));
  EXPECT_FALSE(AddressRange::any(Family::kIpv4).contains(Ip128{0, std::uint64_t{1} << 32}));
}

// ---- formatting ----

TEST(FormatAddress, Ipv4) {
  EXPECT_EQ(format_address(Family::kIpv4, ip4(10, 1, 2, 3)), "10.1.2.3");
  EXPECT_EQ(format_address(Family::kIpv4, Ip128{}), "0.0.0.0");
  EXPECT_EQ(format_address(Family::kIpv4, max_address(Family::kIpv4)), "255.255.255.255");
}

TEST(FormatAddress, Ipv6FollowsRfc5952) {
  EXPECT_EQ(format_address(Family::kIpv6, Ip128{}), "::");
  EXPECT_EQ(format_address(Family::kIpv6, Ip128{0, 1}), "::1");
  EXPECT_EQ(format_address(Family::kIpv6, doc_v6(1)), "2001:db8::1");
  EXPECT_EQ(format_address(Family::kIpv6, Ip128{0x20010db800000000u, 0}), "2001:db8::");
  EXPECT_EQ(format_address(Family::kIpv6, kIpv6Max), "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
  // §4.2.2: a single zero word is not compressed.
  EXPECT_EQ(format_address(Family::kIpv6, Ip128{0x20010db800000001u, 0x0001000100010001u}), "2001:db8:0:1:1:1:1:1");
  // §4.2.3: the longest run is compressed, the first one on a tie.
  EXPECT_EQ(format_address(Family::kIpv6, Ip128{0x0001000000000001u, 0x0000000000000001u}), "1:0:0:1::1");
  EXPECT_EQ(format_address(Family::kIpv6, Ip128{0x20010db800000000u, 0x0001000000000001u}), "2001:db8::1:0:0:1");
  // §4.1: no leading zeros; §4.3: lowercase.
  EXPECT_EQ(format_address(Family::kIpv6, Ip128{0x00ab0cd000000000u, 0x000000000000000fu}), "ab:cd0::f");
  // Not the deprecated IPv4-compatible form that inet_ntop prints for these.
  EXPECT_EQ(format_address(Family::kIpv6, Ip128{0, 0x20000}), "::2:0");
  EXPECT_EQ(format_address(Family::kIpv6, Ip128{0, 0x01020304}), "::102:304");
  // §5: IPv4-mapped addresses keep the dotted quad.
  EXPECT_EQ(format_address(Family::kIpv6, Ip128{0, 0x0000ffff01020304u}), "::ffff:1.2.3.4");
}

TEST(FormatAddress, Ipv6TextReadsBack) {
  // Words drawn from few values so that zero runs of every length and position occur.
  std::mt19937_64 rng(20240601);
  constexpr std::array<std::uint16_t, 4> kWords = {0, 0, 1, 0xffff};
  for (int i = 0; i < 20000; ++i) {
    Ip128 a;
    for (int w = 0; w < 8; ++w) {
      const std::uint16_t word = (rng() % 5 == 4) ? static_cast<std::uint16_t>(rng()) : kWords[rng() % kWords.size()];
      if (w < 4) {
        a.hi = (a.hi << 16) | word;
      } else {
        a.lo = (a.lo << 16) | word;
      }
    }
    const std::string text = format_address(Family::kIpv6, a);
    auto back = parse_address(text);
    ASSERT_TRUE(back) << text << ": " << back.error().to_string();
    EXPECT_EQ(back->bits, a) << text;
    EXPECT_EQ(text.find(":::"), std::string::npos) << text;
  }
}

TEST(FormatRange, BlocksAndRanges) {
  EXPECT_EQ(format_range(Family::kIpv4, prefix_range(Family::kIpv4, ip4(10, 0, 0, 0), 8)), "10.0.0.0/8");
  EXPECT_EQ(format_range(Family::kIpv4, AddressRange{ip4(10, 0, 0, 3), ip4(10, 0, 0, 9)}), "10.0.0.3-10.0.0.9");
  EXPECT_EQ(format_range(Family::kIpv4, AddressRange::any(Family::kIpv4)), "0.0.0.0/0");
  EXPECT_EQ(format_range(Family::kIpv4, AddressRange{ip4(1, 2, 3, 4), ip4(1, 2, 3, 4)}), "1.2.3.4/32");
  EXPECT_EQ(format_range(Family::kIpv4, AddressRange{max_address(Family::kIpv4), max_address(Family::kIpv4)}),
            "255.255.255.255/32");
  EXPECT_EQ(format_range(Family::kIpv6, AddressRange::any(Family::kIpv6)), "::/0");
  EXPECT_EQ(format_range(Family::kIpv6, AddressRange{kIpv6Max, kIpv6Max}),
            "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128");
  EXPECT_EQ(format_range(Family::kIpv6, AddressRange{doc_v6(1), doc_v6(0xff)}), "2001:db8::1-2001:db8::ff");
  EXPECT_EQ(format_range(Family::kIpv6, prefix_range(Family::kIpv6, doc_v6(0), 32)), "2001:db8::/32");
}

TEST(FormatRange, ReadsBackThroughParsePrefix) {
  for (const char* text : {"0.0.0.0/0", "10.0.0.0/8", "192.168.1.128/25", "1.2.3.4/32", "::/0", "2001:db8::/32",
                           "fe80::/10", "::1/128", "2001:db8:0:1::/64"}) {
    auto p = parse_prefix(text);
    ASSERT_TRUE(p) << text;
    EXPECT_EQ(format_range(p->family, p->range), text);
  }
}

TEST(PortRange, Basics) {
  EXPECT_TRUE(PortRange::any().is_any());
  EXPECT_TRUE(PortRange{}.is_any());
  EXPECT_FALSE(PortRange::single(443).is_any());
  EXPECT_TRUE(PortRange::single(443).contains(443));
  EXPECT_FALSE(PortRange::single(443).contains(444));
  EXPECT_TRUE((PortRange{1024, 65535}).contains(65535));
  EXPECT_FALSE((PortRange{1024, 65535}).contains(1023));
}

// ---- Error::to_string ----

TEST(ErrorToString, TextPositions) {
  EXPECT_EQ(text_error("rules/acl1", 14, 9, "port range 443 : 80 is empty").to_string(),
            "rules/acl1:14:9: error: port range 443 : 80 is empty");
  EXPECT_EQ(text_error("web.yaml", 14, 0, "bad line").to_string(), "web.yaml:14: error: bad line");
  EXPECT_EQ(text_error("web.yaml", 0, 0, "unreadable").to_string(), "web.yaml: error: unreadable");
  // Without a file name the position still reads as a position, not ":14:9".
  EXPECT_EQ(text_error("", 14, 9, "m").to_string(), "14:9: error: m");
}

TEST(ErrorToString, CapturePositions) {
  Error e = error_message("caplen 70000 > snaplen 65535");
  e.file = "lb.pcap";
  e.packet_index = 1207;
  e.byte_offset = 0x9c40;
  EXPECT_EQ(e.to_string(), "lb.pcap: packet 1207 (offset 0x9c40): error: caplen 70000 > snaplen 65535");

  Error packet_only = error_message("truncated");
  packet_only.packet_index = 5;
  EXPECT_EQ(packet_only.to_string(), "packet 5: error: truncated");

  Error offset_only = error_message("bad magic");
  offset_only.file = "x.pcap";
  offset_only.byte_offset = 0;
  EXPECT_EQ(offset_only.to_string(), "x.pcap: offset 0x0: error: bad magic");

  Error bare_offset = error_message("bad magic");
  bare_offset.byte_offset = 16;
  EXPECT_EQ(bare_offset.to_string(), "offset 0x10: error: bad magic");
}

TEST(ErrorToString, MessageOnly) {
  const Error e = error_message("unknown algorithm 'x'");
  EXPECT_EQ(e.file, "");
  EXPECT_EQ(e.line, 0u);
  EXPECT_EQ(e.column, 0u);
  EXPECT_FALSE(e.packet_index);
  EXPECT_FALSE(e.byte_offset);
  EXPECT_EQ(e.to_string(), "error: unknown algorithm 'x'");
}

TEST(Result, HoldsValueOrError) {
  Result<int> ok = 7;
  ASSERT_TRUE(ok);
  EXPECT_TRUE(ok.ok());
  EXPECT_EQ(*ok, 7);
  Result<int> bad = error_message("no");
  EXPECT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "no");
  Status done = Ok{};
  EXPECT_TRUE(done);
}

}  // namespace
}  // namespace pfsim::net
