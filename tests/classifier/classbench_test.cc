// Tests of classifier/classbench.h: located errors for each kind of bad line, the fields of
// good lines, the IPv6 and range extensions, writer/reader round trips, and
// the real files: the bundled 1K sets, and the large shared ones in the extended tests.
#include "classifier/classbench.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "tests/read_whole_file.h"
#include "tests/test_inputs.h"

namespace pfsim::classifier {
namespace {

using net::Ip128;
using net::ip4;

constexpr std::uint64_t kAllOnes = ~std::uint64_t{0};

// Columns:   1 2         12 13            27 28  32    38  44  48        58
constexpr std::string_view kGoodRule = "@10.0.0.0/8 192.168.1.0/24 0 : 65535 443 : 443 0x06/0xFF 0x0000/0x0000";

std::string rule_error(std::string_view text) {
  auto rules = parse_classbench_rules(text, "acl1");
  return rules ? std::string("(parsed without error)") : rules.error().to_string();
}

std::string trace_error(std::string_view text) {
  auto trace = parse_classbench_trace(text, "acl1_trace");
  return trace ? std::string("(parsed without error)") : trace.error().to_string();
}

// Whether `message` starts with the location `prefix` (through "error: ") and contains every
// one of `words`.
::testing::AssertionResult located(const std::string& message, std::string_view prefix,
                                   std::initializer_list<std::string_view> words) {
  if (message.rfind(prefix, 0) != 0)
    return ::testing::AssertionFailure() << "'" << message << "' does not start with '" << prefix << "'";
  for (std::string_view word : words) {
    if (message.find(word) == std::string::npos)
      return ::testing::AssertionFailure() << "'" << message << "' lacks '" << word << "'";
  }
  return ::testing::AssertionSuccess();
}

Rule parse_one_rule(std::string_view line) {
  auto rules = parse_classbench_rules(line, "one");
  EXPECT_TRUE(rules) << rules.error().to_string();
  if (!rules || rules->rules.size() != 1) {
    ADD_FAILURE() << "expected one rule from '" << line << "'";
    return Rule{};
  }
  return rules->rules.front();
}

AddressRange block4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d, unsigned length) {
  return net::prefix_range(Family::kIpv4, ip4(a, b, c, d), length);
}

// ---- rules: good lines ----

TEST(ClassbenchRules, ReadsTheFieldsOfALine) {
  auto rules = parse_classbench_rules(
      "@208.129.40.42/32\t4.232.2.220/32\t0 : 65535\t1724 : 1724\t0x06/0xFF\t0x1000/0x1000\t\n", "acl1");
  ASSERT_TRUE(rules) << rules.error().to_string();
  EXPECT_EQ(rules->default_action, Action::kDeny);
  ASSERT_EQ(rules->rules.size(), 1u);
  const Rule& r = rules->rules[0];
  EXPECT_EQ(r.family, Family::kIpv4);
  EXPECT_EQ(r.src, block4(208, 129, 40, 42, 32));
  EXPECT_EQ(r.dst, block4(4, 232, 2, 220, 32));
  EXPECT_EQ(r.sport, PortRange::any());
  EXPECT_EQ(r.dport, PortRange::single(1724));
  EXPECT_EQ(r.proto, net::kProtoTcp);
  EXPECT_FALSE(r.proto_any);
  EXPECT_EQ(r.priority, 0u);
  EXPECT_EQ(r.id, 1u);
  EXPECT_EQ(r.action, Action::kAllow);
}

TEST(ClassbenchRules, PriorityCountsRulesAndIdIsTheLineNumber) {
  auto rules = parse_classbench_rules(
      "# header comment\n"
      "@10.0.0.0/8 0.0.0.0/0 0 : 65535 0 : 65535 0x06/0xFF\n"
      "\n"
      "   \t \n"
      "  # indented comment\n"
      "@10.0.0.0/16 0.0.0.0/0 0 : 65535 0 : 65535 0x11/0xFF\n"
      "@0.0.0.0/0 0.0.0.0/0 0 : 65535 0 : 65535 0x00/0x00\n",
      "acl1");
  ASSERT_TRUE(rules) << rules.error().to_string();
  ASSERT_EQ(rules->rules.size(), 3u);
  EXPECT_EQ(rules->rules[0].priority, 0u);
  EXPECT_EQ(rules->rules[0].id, 2u);
  EXPECT_EQ(rules->rules[1].priority, 1u);
  EXPECT_EQ(rules->rules[1].id, 6u);
  EXPECT_EQ(rules->rules[1].proto, net::kProtoUdp);
  EXPECT_EQ(rules->rules[2].priority, 2u);
  EXPECT_EQ(rules->rules[2].id, 7u);
  EXPECT_TRUE(rules->rules[2].proto_any);
  EXPECT_EQ(rules->rules[2].src, AddressRange::any(Family::kIpv4));
}

TEST(ClassbenchRules, ProtocolValueAndMask) {
  EXPECT_TRUE(parse_one_rule("@0.0.0.0/0 0.0.0.0/0 0 : 65535 0 : 65535 0x00/0x00").proto_any);
  EXPECT_EQ(parse_one_rule("@0.0.0.0/0 0.0.0.0/0 0 : 65535 0 : 65535 0x00/0x00").proto, 0);
  const Rule gre = parse_one_rule("@0.0.0.0/0 0.0.0.0/0 0 : 65535 0 : 65535 0x2f/0xFF");
  EXPECT_FALSE(gre.proto_any);
  EXPECT_EQ(gre.proto, 47);
  EXPECT_EQ(parse_one_rule("@0.0.0.0/0 0.0.0.0/0 0 : 65535 0 : 65535 0X2F/0xff").proto, 47);
  EXPECT_EQ(parse_one_rule("@0.0.0.0/0 0.0.0.0/0 0 : 65535 0 : 65535 0xff/0xFF").proto, 255);
  EXPECT_EQ(parse_one_rule("@0.0.0.0/0 0.0.0.0/0 0 : 65535 0 : 65535 0x1/0xFF").proto, 1);
  // Mask 0x00 ignores the value: any protocol.
  const Rule masked = parse_one_rule("@0.0.0.0/0 0.0.0.0/0 0 : 65535 0 : 65535 0x06/0x00");
  EXPECT_TRUE(masked.proto_any);
  EXPECT_EQ(masked.proto, 0);
}

TEST(ClassbenchRules, IcmpPortsAreKeptAsWritten) {
  const Rule icmp = parse_one_rule("@1.2.3.0/24 0.0.0.0/0 0 : 65535 0 : 65535 0x01/0xFF 0x0000/0x0000");
  EXPECT_EQ(icmp.proto, net::kProtoIcmp);
  EXPECT_EQ(icmp.sport, PortRange::any());
  EXPECT_EQ(icmp.dport, PortRange::any());
}

TEST(ClassbenchRules, SpacingVariants) {
  const Rule expected = parse_one_rule(kGoodRule);
  EXPECT_EQ(parse_one_rule("@10.0.0.0/8\t192.168.1.0/24\t0 : 65535\t443 : 443\t0x06/0xFF\t0x0000/0x0000\t"), expected);
  EXPECT_EQ(parse_one_rule("  @10.0.0.0/8   192.168.1.0/24 \t 0:65535 443:443 0x06/0xFF 0x0000/0x0000  "), expected);
  EXPECT_EQ(parse_one_rule("@10.0.0.0/8 192.168.1.0/24 0 :65535 443: 443 0x06/0xFF 0x0000/0x0000"), expected);
  EXPECT_EQ(parse_one_rule("@ 10.0.0.0/8 192.168.1.0/24 0 : 65535 443 : 443 0x06/0xFF 0x0000/0x0000"), expected);
  // The flags column is optional.
  EXPECT_EQ(parse_one_rule("@10.0.0.0/8 192.168.1.0/24 0 : 65535 443 : 443 0x06/0xFF"), expected);
}

TEST(ClassbenchRules, CrlfAndMissingFinalNewline) {
  const std::string line(kGoodRule);
  for (const std::string& text : {line + "\r\n" + line + "\r\n", line + "\n" + line, line + "\r\n" + line + "\r",
                                  "\r\n" + line + "\r\n\r\n" + line}) {
    auto rules = parse_classbench_rules(text, "crlf");
    ASSERT_TRUE(rules) << rules.error().to_string();
    ASSERT_EQ(rules->rules.size(), 2u);
    EXPECT_EQ(rules->rules[1].sport, PortRange::any());
    EXPECT_EQ(rules->rules[1].dport, PortRange::single(443));
  }
  // Line numbers count CRLF lines like LF lines.
  EXPECT_TRUE(located(rule_error(line + "\r\n# c\r\n\r\n@bad"), "acl1:4:2: error: ", {"bad source address"}));
}

TEST(ClassbenchRules, EmptyInputIsAnEmptySet) {
  for (std::string_view text : {"", "\n", "# only a comment\n", "  \r\n\t\n"}) {
    auto rules = parse_classbench_rules(text, "empty");
    ASSERT_TRUE(rules) << rules.error().to_string();
    EXPECT_TRUE(rules->rules.empty());
    EXPECT_EQ(rules->default_action, Action::kDeny);
  }
}

TEST(ClassbenchRules, AnAddressWithoutLengthIsOneHost) {
  EXPECT_EQ(parse_one_rule("@10.0.0.1 10.0.0.2 0 : 65535 0 : 65535 0x00/0x00").src, block4(10, 0, 0, 1, 32));
}

TEST(ClassbenchRules, Ipv6PrefixesExtension) {
  const Rule r = parse_one_rule("@2001:db8::/32\t::/0\t1024 : 65535\t53 : 53\t0x11/0xFF\t0x0000/0x0000\t");
  EXPECT_EQ(r.family, Family::kIpv6);
  EXPECT_EQ(r.src, (AddressRange{Ip128{0x20010db800000000u, 0}, Ip128{0x20010db8ffffffffu, kAllOnes}}));
  EXPECT_EQ(r.dst, AddressRange::any(Family::kIpv6));
  EXPECT_EQ(r.sport, (PortRange{1024, 65535}));
  EXPECT_EQ(r.dport, PortRange::single(53));
  EXPECT_EQ(r.proto, net::kProtoUdp);
  const Rule host = parse_one_rule("@::1/128 fe80::/10 0 : 65535 0 : 255 0x3a/0xFF");
  EXPECT_EQ(host.src, (AddressRange{Ip128{0, 1}, Ip128{0, 1}}));
  EXPECT_EQ(host.dst, (AddressRange{Ip128{0xfe80000000000000u, 0}, Ip128{0xfebfffffffffffffu, kAllOnes}}));
}

TEST(ClassbenchRules, AddressRangesExtension) {
  const Rule r = parse_one_rule("@10.0.0.3-10.0.0.9 192.168.0.0-192.168.0.255 0 : 65535 0 : 65535 0x06/0xFF");
  EXPECT_EQ(r.family, Family::kIpv4);
  EXPECT_EQ(r.src, (AddressRange{ip4(10, 0, 0, 3), ip4(10, 0, 0, 9)}));
  EXPECT_EQ(r.dst, block4(192, 168, 0, 0, 24));
  const Rule single = parse_one_rule("@10.0.0.3-10.0.0.3 0.0.0.0/0 0 : 65535 0 : 65535 0x06/0xFF");
  EXPECT_EQ(single.src, block4(10, 0, 0, 3, 32));
  const Rule v6 = parse_one_rule("@2001:db8::1-2001:db8::ff ::/0 0 : 65535 0 : 65535 0x06/0xFF");
  EXPECT_EQ(v6.family, Family::kIpv6);
  EXPECT_EQ(v6.src, (AddressRange{Ip128{0x20010db800000000u, 1}, Ip128{0x20010db800000000u, 0xff}}));
}

// ---- rules: one located error per kind of bad line ----

TEST(ClassbenchRuleErrors, MustStartWithAt) {
  EXPECT_EQ(rule_error("10.0.0.0/8 192.168.1.0/24 0 : 65535 443 : 443 0x06/0xFF"),
            "acl1:1:1: error: rule must start with '@'");
  const std::string text = "# comment\n\n" + std::string(kGoodRule.substr(1)) + "\n";
  EXPECT_EQ(rule_error(text), "acl1:3:1: error: rule must start with '@'");
  EXPECT_EQ(rule_error(std::string(kGoodRule) + "\n   x"), "acl1:2:4: error: rule must start with '@'");
}

TEST(ClassbenchRuleErrors, MissingFields) {
  EXPECT_TRUE(located(rule_error("@"), "acl1:1:2: error: ", {"missing source address"}));
  EXPECT_TRUE(located(rule_error("@10.0.0.0/8"), "acl1:1:12: error: ", {"missing destination address"}));
  EXPECT_TRUE(located(rule_error("@10.0.0.0/8\t"), "acl1:1:13: error: ", {"missing destination address"}));
  EXPECT_TRUE(located(rule_error("@10.0.0.0/8 192.168.1.0/24"),
                      "acl1:1:27: error: ", {"missing source port range", "lo : hi"}));
  EXPECT_TRUE(located(rule_error("@10.0.0.0/8 192.168.1.0/24 0 : 65535"),
                      "acl1:1:37: error: ", {"missing destination port range"}));
  EXPECT_TRUE(located(rule_error("@10.0.0.0/8 192.168.1.0/24 0 : 65535 443 : 443"),
                      "acl1:1:47: error: ", {"missing protocol", "0x06/0xFF"}));
  EXPECT_TRUE(located(rule_error("@10.0.0.0/8 192.168.1.0/24 0 :"),
                      "acl1:1:31: error: ", {"missing upper bound of source port range"}));
  EXPECT_TRUE(located(rule_error("@10.0.0.0/8 192.168.1.0/24 : 65535 443 : 443 0x06/0xFF"),
                      "acl1:1:28: error: ", {"missing lower bound of source port range"}));
}

TEST(ClassbenchRuleErrors, BadAddresses) {
  EXPECT_TRUE(located(rule_error("@10.0.0.300/8 192.168.1.0/24 0 : 65535 443 : 443 0x06/0xFF"),
                      "acl1:1:2: error: ", {"bad source address", "'10.0.0.300' is not an IPv4 address"}));
  EXPECT_TRUE(located(rule_error("@10.0.0.0/8 192.168.1/24 0 : 65535 443 : 443 0x06/0xFF"),
                      "acl1:1:13: error: ", {"bad destination address", "'192.168.1' is not an IPv4 address"}));
  EXPECT_TRUE(located(rule_error("@10.0.0.0/8 2001:db8:::/32 0 : 65535 443 : 443 0x06/0xFF"),
                      "acl1:1:13: error: ", {"bad destination address", "is not an IPv6 address"}));
  EXPECT_TRUE(located(rule_error("@10.0.0.0/8 192.168.1.0/x 0 : 65535 443 : 443 0x06/0xFF"),
                      "acl1:1:13: error: ", {"bad destination address", "bad prefix length"}));
}

TEST(ClassbenchRuleErrors, PrefixLengthTooLong) {
  EXPECT_TRUE(located(rule_error("@10.0.0.0/33 192.168.1.0/24 0 : 65535 443 : 443 0x06/0xFF"),
                      "acl1:1:2: error: ", {"bad source address", "prefix length 33 exceeds 32"}));
  EXPECT_TRUE(located(rule_error("@2001:db8::/129 ::/0 0 : 65535 443 : 443 0x06/0xFF"),
                      "acl1:1:2: error: ", {"bad source address", "prefix length 129 exceeds 128"}));
}

TEST(ClassbenchRuleErrors, HostBitsSet) {
  EXPECT_TRUE(located(rule_error("@10.1.0.0/8 192.168.1.0/24 0 : 65535 443 : 443 0x06/0xFF"),
                      "acl1:1:2: error: ", {"bad source address", "host bits set", "did you mean 10.0.0.0/8?"}));
  EXPECT_TRUE(located(rule_error("@::/0 2001:db8::1/32 0 : 65535 443 : 443 0x06/0xFF"), "acl1:1:7: error: ",
                      {"bad destination address", "host bits set", "did you mean 2001:db8::/32?"}));
}

TEST(ClassbenchRuleErrors, MixedFamilies) {
  EXPECT_TRUE(located(rule_error("@10.0.0.0/8 2001:db8::/32 0 : 65535 443 : 443 0x06/0xFF"),
                      "acl1:1:13: error: ", {"destination address '2001:db8::/32' is IPv6 but the source is IPv4"}));
  EXPECT_TRUE(located(rule_error("@::/0 10.0.0.0-10.0.0.9 0 : 65535 443 : 443 0x06/0xFF"),
                      "acl1:1:7: error: ", {"is IPv4 but the source is IPv6"}));
}

TEST(ClassbenchRuleErrors, BadAddressRanges) {
  EXPECT_TRUE(located(rule_error("@10.0.0.9-10.0.0.3 0.0.0.0/0 0 : 65535 0 : 65535 0x06/0xFF"),
                      "acl1:1:2: error: ", {"bad source address", "range '10.0.0.9-10.0.0.3' is empty"}));
  EXPECT_TRUE(located(rule_error("@10.0.0.1-::1 0.0.0.0/0 0 : 65535 0 : 65535 0x06/0xFF"),
                      "acl1:1:2: error: ", {"bad source address", "range '10.0.0.1-::1' mixes IPv4 and IPv6"}));
  EXPECT_TRUE(located(rule_error("@0.0.0.0/0 10.0.0.1-10.0.0.x 0 : 65535 0 : 65535 0x06/0xFF"),
                      "acl1:1:12: error: ", {"bad destination address", "'10.0.0.x' is not an IPv4 address"}));
  EXPECT_TRUE(located(rule_error("@0.0.0.0/0 10.0.0.1- 0 : 65535 0 : 65535 0x06/0xFF"),
                      "acl1:1:12: error: ", {"bad destination address", "empty address"}));
}

TEST(ClassbenchRuleErrors, BadPorts) {
  EXPECT_TRUE(located(rule_error("@10.0.0.0/8 192.168.1.0/24 x : 65535 443 : 443 0x06/0xFF"),
                      "acl1:1:28: error: ", {"source port 'x' is not a number"}));
  EXPECT_TRUE(located(rule_error("@10.0.0.0/8 192.168.1.0/24 0 : 65536 443 : 443 0x06/0xFF"),
                      "acl1:1:32: error: ", {"source port 65536 exceeds 65535"}));
  EXPECT_TRUE(located(rule_error("@10.0.0.0/8 192.168.1.0/24 0 : 99999999999999999999999 443 : 443 0x06/0xFF"),
                      "acl1:1:32: error: ", {"source port 99999999999999999999999 exceeds 65535"}));
  EXPECT_TRUE(located(rule_error("@10.0.0.0/8 192.168.1.0/24 0 : 65535 -1 : 443 0x06/0xFF"),
                      "acl1:1:38: error: ", {"destination port '-1' is not a number"}));
  EXPECT_TRUE(located(rule_error("@10.0.0.0/8 192.168.1.0/24 0 : 65535 443 : 44x 0x06/0xFF"),
                      "acl1:1:44: error: ", {"destination port '44x' is not a number"}));
}

TEST(ClassbenchRuleErrors, MissingColonInPortRange) {
  EXPECT_TRUE(located(rule_error("@10.0.0.0/8 192.168.1.0/24 0 65535 443 : 443 0x06/0xFF"),
                      "acl1:1:30: error: ", {"missing ':' between source port 0 and the upper bound"}));
  EXPECT_TRUE(located(rule_error("@10.0.0.0/8 192.168.1.0/24 0 - 65535 443 : 443 0x06/0xFF"),
                      "acl1:1:30: error: ", {"missing ':'"}));
  EXPECT_TRUE(located(rule_error("@10.0.0.0/8 192.168.1.0/24 0 : 65535 443"),
                      "acl1:1:41: error: ", {"missing ':' between destination port 443"}));
}

TEST(ClassbenchRuleErrors, EmptyPortRange) {
  EXPECT_EQ(rule_error("@10.0.0.0/8 192.168.1.0/24 0 : 65535 443 : 80 0x06/0xFF"),
            "acl1:1:38: error: destination port range 443 : 80 is empty");
  EXPECT_TRUE(located(rule_error("@10.0.0.0/8 192.168.1.0/24 2:1 0 : 65535 0x06/0xFF"),
                      "acl1:1:28: error: ", {"source port range 2 : 1 is empty"}));
}

TEST(ClassbenchRuleErrors, BadProtocol) {
  EXPECT_TRUE(located(rule_error("@10.0.0.0/8 192.168.1.0/24 0 : 65535 443 : 443 6/255"),
                      "acl1:1:48: error: ", {"protocol '6/255' is not hex value/mask"}));
  EXPECT_TRUE(located(rule_error("@10.0.0.0/8 192.168.1.0/24 0 : 65535 443 : 443 0x06"),
                      "acl1:1:48: error: ", {"protocol '0x06' is not hex value/mask"}));
  EXPECT_TRUE(located(rule_error("@10.0.0.0/8 192.168.1.0/24 0 : 65535 443 : 443 0xZZ/0xFF"),
                      "acl1:1:48: error: ", {"is not hex value/mask"}));
  EXPECT_TRUE(located(rule_error("@10.0.0.0/8 192.168.1.0/24 0 : 65535 443 : 443 0x/0xFF"),
                      "acl1:1:48: error: ", {"is not hex value/mask"}));
  EXPECT_TRUE(located(rule_error("@10.0.0.0/8 192.168.1.0/24 0 : 65535 443 : 443 0x106/0xFF"),
                      "acl1:1:48: error: ", {"protocol '0x106/0xFF' exceeds 0xFF"}));
}

TEST(ClassbenchRuleErrors, UnsupportedProtocolMask) {
  EXPECT_TRUE(located(rule_error("@10.0.0.0/8 192.168.1.0/24 0 : 65535 443 : 443 0x06/0x0F"),
                      "acl1:1:48: error: ", {"unsupported protocol mask", "'0x06/0x0F'", "only 0xFF", "0x00"}));
  EXPECT_TRUE(located(rule_error("@10.0.0.0/8 192.168.1.0/24 0 : 65535 443 : 443 0x06/0xFE"),
                      "acl1:1:48: error: ", {"unsupported protocol mask"}));
}

TEST(ClassbenchRuleErrors, MalformedFlags) {
  EXPECT_TRUE(located(rule_error("@10.0.0.0/8 192.168.1.0/24 0 : 65535 443 : 443 0x06/0xFF 0x0000"),
                      "acl1:1:58: error: ", {"flags '0x0000' are not hex value/mask"}));
  EXPECT_TRUE(located(rule_error("@10.0.0.0/8 192.168.1.0/24 0 : 65535 443 : 443 0x06/0xFF ack"),
                      "acl1:1:58: error: ", {"flags 'ack' are not hex value/mask"}));
  EXPECT_TRUE(located(rule_error("@10.0.0.0/8 192.168.1.0/24 0 : 65535 443 : 443 0x06/0xFF 0x10000/0xFFFF"),
                      "acl1:1:58: error: ", {"flags '0x10000/0xFFFF' exceed 0xFFFF"}));
}

TEST(ClassbenchRuleErrors, ExtraTrailingTokens) {
  EXPECT_TRUE(located(rule_error(std::string(kGoodRule) + " extra"),
                      "acl1:1:72: error: ", {"unexpected 'extra' after the flags column"}));
  EXPECT_TRUE(located(rule_error(std::string(kGoodRule) + "\t# comment"), "acl1:1:72: error: ", {"unexpected '#'"}));
}

TEST(ClassbenchRuleErrors, ControlBytesAreEscapedInMessages) {
  const std::string text = "@10.0.0.0/8 192.168.1.0/24 0 : 65535 443 : 443 0x06/0xFF 0x0000/0x0000 \x01\x7f";
  EXPECT_TRUE(located(rule_error(text), "acl1:1:72: error: ", {"unexpected '\\x01\\x7f'"}));
}

TEST(ClassbenchRuleErrors, StopsAtTheFirstBadLine) {
  const std::string good(kGoodRule);
  EXPECT_TRUE(
      located(rule_error(good + "\n" + good + "\n@10.0.0.0/99\n@x\n"), "acl1:3:2: error: ", {"prefix length 99"}));
}

TEST(ClassbenchRuleErrors, ErrorFieldsAreSet) {
  auto rules = parse_classbench_rules("\n@10.0.0.0/8 192.168.1.0/24 0 : 70000", "rules/acl1_1000");
  ASSERT_FALSE(rules);
  EXPECT_EQ(rules.error().file, "rules/acl1_1000");
  EXPECT_EQ(rules.error().line, 2u);
  EXPECT_EQ(rules.error().column, 32u);
  EXPECT_EQ(rules.error().message, "source port 70000 exceeds 65535");
}

// ---- traces ----

TEST(ClassbenchTrace, ReadsTheColumnsOfALine) {
  auto trace = parse_classbench_trace("3498125823\t1310573442\t65535\t1521\t6\t4294967295\t883\n", "t");
  ASSERT_TRUE(trace) << trace.error().to_string();
  ASSERT_EQ(trace->packets.size(), 1u);
  ASSERT_EQ(trace->generator_rules.size(), 1u);
  const FiveTuple& p = trace->packets[0];
  EXPECT_EQ(p.family, Family::kIpv4);
  EXPECT_EQ(p.src, ip4(3498125823u));
  EXPECT_EQ(p.dst, ip4(1310573442u));
  EXPECT_EQ(p.sport, 65535);
  EXPECT_EQ(p.dport, 1521);
  EXPECT_EQ(p.proto, 6);
  EXPECT_EQ(trace->generator_rules[0], 883u);
}

TEST(ClassbenchTrace, OptionalColumnsAndNoMatch) {
  auto trace = parse_classbench_trace(
      "# src dst sport dport proto flags rule\n"
      "1 2 3 4 5\n"
      "1 2 3 4 5 0\n"
      "1 2 3 4 5 0 -1\n"
      "\n"
      "0 4294967295 0 65535 255 0 0\r\n"
      "1 2 3 4 5 0 17",
      "t");
  ASSERT_TRUE(trace) << trace.error().to_string();
  ASSERT_EQ(trace->packets.size(), 5u);
  EXPECT_EQ(trace->generator_rules, (std::vector<RuleIndex>{kNoMatch, kNoMatch, kNoMatch, 0, 17}));
  EXPECT_EQ(trace->packets[0].src, ip4(1));
  EXPECT_EQ(trace->packets[0].proto, 5);
  EXPECT_EQ(trace->packets[3].src, Ip128{});
  EXPECT_EQ(trace->packets[3].dst, net::max_address(Family::kIpv4));
  EXPECT_EQ(trace->packets[3].dport, 65535);
  EXPECT_EQ(trace->packets[3].proto, 255);
}

TEST(ClassbenchTrace, AddressTextExtension) {
  auto trace = parse_classbench_trace("10.0.0.1 192.168.1.9 1234 80 6\n2001:db8::1 ::1 53 53 17 0 -1\n", "t");
  ASSERT_TRUE(trace) << trace.error().to_string();
  ASSERT_EQ(trace->packets.size(), 2u);
  EXPECT_EQ(trace->packets[0].family, Family::kIpv4);
  EXPECT_EQ(trace->packets[0].src, ip4(10, 0, 0, 1));
  EXPECT_EQ(trace->packets[0].dst, ip4(192, 168, 1, 9));
  EXPECT_EQ(trace->packets[1].family, Family::kIpv6);
  EXPECT_EQ(trace->packets[1].src, (Ip128{0x20010db800000000u, 1}));
  EXPECT_EQ(trace->packets[1].dst, (Ip128{0, 1}));
}

TEST(ClassbenchTraceErrors, WrongNumberOfColumns) {
  EXPECT_TRUE(located(trace_error("1 2 3 4"), "acl1_trace:1:8: error: ", {"missing protocol"}));
  EXPECT_TRUE(located(trace_error("1"), "acl1_trace:1:2: error: ", {"missing destination address"}));
  EXPECT_TRUE(located(trace_error("1 2 3 4 5 0\n1 2 3"), "acl1_trace:2:6: error: ", {"missing destination port"}));
  EXPECT_TRUE(
      located(trace_error("1 2 3 4 5 0 7 8"), "acl1_trace:1:15: error: ", {"unexpected '8'", "at most 7 columns"}));
}

TEST(ClassbenchTraceErrors, BadAddresses) {
  EXPECT_TRUE(located(trace_error("abc 2 3 4 5"),
                      "acl1_trace:1:1: error: ", {"bad source address", "'abc' is not an address"}));
  EXPECT_TRUE(located(trace_error("1 4294967296 3 4 5"),
                      "acl1_trace:1:3: error: ", {"bad destination address", "4294967296 exceeds 4294967295"}));
  EXPECT_TRUE(located(trace_error("1.2.3.256 2 3 4 5"),
                      "acl1_trace:1:1: error: ", {"bad source address", "is not an IPv4 address"}));
  EXPECT_TRUE(located(trace_error("1 2001:db8::g 3 4 5"),
                      "acl1_trace:1:3: error: ", {"bad destination address", "is not an IPv6 address"}));
  EXPECT_TRUE(located(trace_error("-1 2 3 4 5"), "acl1_trace:1:1: error: ", {"is not an address"}));
}

TEST(ClassbenchTraceErrors, MixedFamilies) {
  EXPECT_TRUE(located(trace_error("10.0.0.1 ::1 3 4 5"),
                      "acl1_trace:1:10: error: ", {"destination address '::1' is IPv6 but the source is IPv4"}));
  EXPECT_TRUE(
      located(trace_error("::1 167772161 3 4 5"), "acl1_trace:1:5: error: ", {"is IPv4 but the source is IPv6"}));
}

TEST(ClassbenchTraceErrors, BadNumbers) {
  EXPECT_EQ(trace_error("1 2 65536 4 5"), "acl1_trace:1:5: error: source port 65536 exceeds 65535");
  EXPECT_TRUE(
      located(trace_error("1 2 3 http 5"), "acl1_trace:1:7: error: ", {"destination port 'http' is not a number"}));
  EXPECT_EQ(trace_error("1 2 3 4 256"), "acl1_trace:1:9: error: protocol 256 exceeds 255");
  EXPECT_TRUE(located(trace_error("1 2 3 4 tcp"), "acl1_trace:1:9: error: ", {"protocol 'tcp' is not a number"}));
  EXPECT_TRUE(located(trace_error("1 2 3 4 5 0x10"), "acl1_trace:1:11: error: ", {"flags '0x10' is not a number"}));
  EXPECT_TRUE(located(trace_error("1 2 3 4 5 4294967296"), "acl1_trace:1:11: error: ", {"flags 4294967296 exceeds"}));
}

TEST(ClassbenchTraceErrors, BadRuleIndex) {
  EXPECT_TRUE(located(trace_error("1 2 3 4 5 0 abc"),
                      "acl1_trace:1:13: error: ", {"rule index 'abc' is not a rule number", "-1 for none"}));
  EXPECT_TRUE(located(trace_error("1 2 3 4 5 0 -2"), "acl1_trace:1:13: error: ", {"rule index '-2'"}));
  EXPECT_TRUE(located(trace_error("1 2 3 4 5 0 4294967296"), "acl1_trace:1:13: error: ", {"rule index"}));
}

TEST(ClassbenchTraceErrors, LineNumbersSkipCommentsAndBlankLines) {
  EXPECT_TRUE(located(trace_error("# c\r\n1 2 3 4 5\r\n\r\n1 2 3 4 x\r\n"),
                      "acl1_trace:4:9: error: ", {"protocol 'x' is not a number"}));
}

// ---- writing ----

TEST(ClassbenchWriter, WritesTheGeneratorLayout) {
  RuleSet set;
  Rule tcp;
  tcp.family = Family::kIpv4;
  tcp.src = block4(10, 0, 0, 0, 8);
  tcp.dst = block4(192, 168, 1, 0, 24);
  tcp.dport = PortRange::single(443);
  tcp.proto = net::kProtoTcp;
  tcp.proto_any = false;
  set.rules.push_back(tcp);
  Rule any;
  any.priority = 1;
  any.proto = 9;  // ignored under proto_any
  set.rules.push_back(any);
  EXPECT_EQ(format_classbench_rules(set),
            "@10.0.0.0/8\t192.168.1.0/24\t0 : 65535\t443 : 443\t0x06/0xFF\t0x0000/0x0000\t\n"
            "@0.0.0.0/0\t0.0.0.0/0\t0 : 65535\t0 : 65535\t0x00/0x00\t0x0000/0x0000\t\n");
}

TEST(ClassbenchWriter, WritesExtensionsAndPriorityOrder) {
  RuleSet set;
  Rule v6;
  v6.family = Family::kIpv6;
  v6.src = net::prefix_range(Family::kIpv6, Ip128{0x20010db800000000u, 0}, 32);
  v6.dst = AddressRange{Ip128{0, 1}, Ip128{0, 0xff}};
  v6.sport = PortRange{1024, 65535};
  v6.proto = 0x2f;
  v6.proto_any = false;
  v6.priority = 7;
  Rule range4;
  range4.src = AddressRange{ip4(10, 0, 0, 3), ip4(10, 0, 0, 9)};
  range4.priority = 3;
  Rule tie = range4;
  tie.src = block4(10, 0, 0, 0, 8);
  set.rules = {v6, range4, tie};
  EXPECT_EQ(format_classbench_rules(set),
            "@10.0.0.3-10.0.0.9\t0.0.0.0/0\t0 : 65535\t0 : 65535\t0x00/0x00\t0x0000/0x0000\t\n"
            "@10.0.0.0/8\t0.0.0.0/0\t0 : 65535\t0 : 65535\t0x00/0x00\t0x0000/0x0000\t\n"
            "@2001:db8::/32\t::1-::ff\t1024 : 65535\t0 : 65535\t0x2f/0xFF\t0x0000/0x0000\t\n");
}

TEST(ClassbenchWriter, TraceLayout) {
  std::vector<FiveTuple> packets(2);
  packets[0].src = ip4(3498125823u);
  packets[0].dst = ip4(1310573442u);
  packets[0].sport = 65535;
  packets[0].dport = 1521;
  packets[0].proto = 6;
  packets[1].family = Family::kIpv6;
  packets[1].src = Ip128{0x20010db800000000u, 1};
  packets[1].dst = Ip128{0, 1};
  packets[1].proto = 58;
  EXPECT_EQ(format_classbench_trace(packets, {}),
            "3498125823\t1310573442\t65535\t1521\t6\t0\n"
            "2001:db8::1\t::1\t0\t0\t58\t0\n");
  const std::vector<RuleIndex> rules = {883, kNoMatch};
  EXPECT_EQ(format_classbench_trace(packets, rules),
            "3498125823\t1310573442\t65535\t1521\t6\t0\t883\n"
            "2001:db8::1\t::1\t0\t0\t58\t0\t-1\n");
  EXPECT_EQ(format_classbench_trace({}, {}), "");
}

// Random rules over few values per field, so that ties in priority and equal fields are common.
RuleSet random_rule_set(std::mt19937_64& rng, std::size_t count) {
  const auto pick = [&](std::uint64_t n) { return rng() % n; };
  const auto random_address = [&](Family family) {
    // Few distinct high parts, random low bits: blocks of every length and nearby ranges.
    if (family == Family::kIpv4) return ip4(static_cast<std::uint32_t>((pick(4) << 30) | (rng() & 0xff)));
    return Ip128{(pick(3) << 62) | 0x20010db8u, pick(2) == 0 ? (rng() & 0xffff) : rng()};
  };
  const auto random_range = [&](Family family) {
    const Ip128 a = random_address(family);
    if (pick(3) != 0) {
      const auto length = static_cast<unsigned>(pick(net::address_bits(family) + 1));
      return net::prefix_range(family, a, length);
    }
    const Ip128 b = random_address(family);
    return a < b ? AddressRange{a, b} : AddressRange{b, a};
  };
  const auto random_ports = [&](std::uint16_t max) {
    switch (pick(4)) {
      case 0:
        return PortRange::any();
      case 1:
        return PortRange::single(static_cast<std::uint16_t>(pick(std::uint64_t{max} + 1)));
      default: {
        const auto a = static_cast<std::uint16_t>(pick(std::uint64_t{max} + 1));
        const auto b = static_cast<std::uint16_t>(pick(std::uint64_t{max} + 1));
        return PortRange{std::min(a, b), std::max(a, b)};
      }
    }
  };
  constexpr std::uint8_t kProtos[] = {net::kProtoTcp, net::kProtoUdp, net::kProtoIcmp, net::kProtoIcmpv6, 0, 47, 255};
  RuleSet set;
  set.default_action = pick(2) == 0 ? Action::kAllow : Action::kDeny;
  for (std::size_t i = 0; i < count; ++i) {
    Rule r;
    r.family = pick(3) == 0 ? Family::kIpv6 : Family::kIpv4;
    r.src = random_range(r.family);
    r.dst = random_range(r.family);
    r.proto_any = pick(4) == 0;
    r.proto = kProtos[pick(std::size(kProtos))];
    r.sport = random_ports(pick(2) == 0 ? 255 : 65535);
    r.dport = random_ports(pick(2) == 0 ? 255 : 65535);
    r.priority = static_cast<std::uint32_t>(pick(10));
    r.action = pick(2) == 0 ? Action::kAllow : Action::kDeny;
    r.id = rng();
    set.rules.push_back(r);
  }
  return set;
}

TEST(ClassbenchRoundTrip, RandomRuleSets) {
  std::mt19937_64 rng(1234567);
  for (int round = 0; round < 20; ++round) {
    const RuleSet set = random_rule_set(rng, 1 + static_cast<std::size_t>(round) * 37);
    ASSERT_TRUE(validate(set)) << validate(set).error().to_string();
    const std::string text = format_classbench_rules(set);
    auto back = parse_classbench_rules(text, "round-trip");
    ASSERT_TRUE(back) << back.error().to_string() << "\n" << text;

    // What the reader must give: the rules in priority order (ties by index), numbered anew,
    // allow, with the protocol value cleared under proto_any.
    std::vector<Rule> expected = set.rules;
    std::stable_sort(expected.begin(), expected.end(),
                     [](const Rule& a, const Rule& b) { return a.priority < b.priority; });
    for (std::size_t i = 0; i < expected.size(); ++i) {
      expected[i].priority = static_cast<std::uint32_t>(i);
      expected[i].id = i + 1;
      expected[i].action = Action::kAllow;
      if (expected[i].proto_any) expected[i].proto = 0;
    }
    ASSERT_EQ(back->rules.size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i)
      EXPECT_EQ(back->rules[i], expected[i])
          << "rule " << i << ": " << describe(back->rules[i]) << " vs " << describe(expected[i]);
    EXPECT_EQ(back->default_action, Action::kDeny);
    // Writing what was read gives the same text again.
    EXPECT_EQ(format_classbench_rules(*back), text);
  }
}

TEST(ClassbenchRoundTrip, RandomTraces) {
  std::mt19937_64 rng(7654321);
  std::vector<FiveTuple> packets;
  std::vector<RuleIndex> rules;
  for (int i = 0; i < 3000; ++i) {
    FiveTuple p;
    p.family = rng() % 3 == 0 ? Family::kIpv6 : Family::kIpv4;
    if (p.family == Family::kIpv4) {
      p.src = ip4(static_cast<std::uint32_t>(rng()));
      p.dst = ip4(i % 7 == 0 ? 0u : static_cast<std::uint32_t>(rng()));
    } else {
      p.src = Ip128{rng(), rng()};
      p.dst = Ip128{i % 5 == 0 ? 0 : rng(), rng() & 0xffff};
    }
    p.sport = static_cast<std::uint16_t>(rng());
    p.dport = static_cast<std::uint16_t>(rng());
    p.proto = static_cast<std::uint8_t>(rng());
    packets.push_back(p);
    rules.push_back(rng() % 4 == 0 ? kNoMatch : static_cast<RuleIndex>(rng() % 100000));
  }
  auto back = parse_classbench_trace(format_classbench_trace(packets, rules), "round-trip");
  ASSERT_TRUE(back) << back.error().to_string();
  EXPECT_EQ(back->packets, packets);
  EXPECT_EQ(back->generator_rules, rules);

  auto without = parse_classbench_trace(format_classbench_trace(packets, {}), "round-trip");
  ASSERT_TRUE(without) << without.error().to_string();
  EXPECT_EQ(without->packets, packets);
  EXPECT_EQ(without->generator_rules, std::vector<RuleIndex>(packets.size(), kNoMatch));
}

// ---- robustness ----

// Mutated good lines: every outcome is a rule/packet or an error that points into the line
// (run under ASan/UBSan, this also shows that no input reads out of bounds).
TEST(ClassbenchRobustness, MutatedLinesGiveErrorsInsideTheLine) {
  constexpr std::string_view kAlphabet{"0123456789abcdefxX.:/@-# \t\r\0\x7f", 30};
  const std::string seeds[] = {std::string(kGoodRule), "@2001:db8::/32 ::1-::ff 0 : 65535 53 : 53 0x11/0xFF",
                               "3498125823\t1310573442\t65535\t1521\t6\t4294967295\t883",
                               "2001:db8::1 ::1 53 53 17 0 -1"};
  std::mt19937_64 rng(99);
  int errors = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string line = seeds[rng() % std::size(seeds)];
    for (int edits = 1 + static_cast<int>(rng() % 3); edits > 0; --edits) {
      const std::size_t at = rng() % (line.size() + 1);
      const char c = kAlphabet[rng() % kAlphabet.size()];
      switch (rng() % 3) {
        case 0:
          if (at < line.size()) line[at] = c;
          break;
        case 1:
          line.insert(at, 1, c);
          break;
        default:
          if (at < line.size()) line.erase(at, 1);
          break;
      }
    }
    auto rules = parse_classbench_rules(line, "fuzz");
    auto trace = parse_classbench_trace(line, "fuzz");
    for (const net::Error* e : {rules ? nullptr : &rules.error(), trace ? nullptr : &trace.error()}) {
      if (e == nullptr) continue;
      ++errors;
      EXPECT_EQ(e->file, "fuzz");
      EXPECT_EQ(e->line, 1u) << line;
      EXPECT_GE(e->column, 1u) << line;
      EXPECT_LE(e->column, line.size() + 1) << line;
      EXPECT_FALSE(e->message.empty()) << line;
    }
    if (rules) {
      EXPECT_LE(rules->rules.size(), 1u);
      EXPECT_TRUE(validate(*rules)) << line;
    }
  }
  EXPECT_GT(errors, 10000);
}

// ---- the real ClassBench files: the 1K sets bundled in scenarios/classbench, the large ones in
// the shared inputs (extended tests, tests/test_inputs.h) ----

std::string bundled_set(const std::string& name) { return std::string(PFSIM_BUNDLED_CLASSBENCH_DIR) + "/" + name; }

std::string large_set(const std::string& name) { return pfsim::test_support::shared_input("classbench/" + name); }

std::string read_set(const std::string& path) {
  EXPECT_TRUE(std::filesystem::exists(path)) << "cannot open " << path;
  return pfsim::test_support::read_whole_file(path);
}

std::size_t count_non_blank_lines(std::string_view text) {
  std::size_t count = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    if (text.substr(start, end - start).find_first_not_of(" \t\r") != std::string_view::npos) ++count;
    start = end + 1;
  }
  return count;
}

// The text with the sixth tab-separated column of every line replaced by `column`.
std::string replace_sixth_column(std::string_view text, std::string_view column) {
  std::string out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    std::size_t at = 0;
    for (int tabs = 0; tabs < 5; ++tabs) at = line.find('\t', at) + 1;
    const std::size_t stop = std::min(line.find('\t', at), line.size());
    out.append(line.substr(0, at)).append(column).append(line.substr(stop)).append("\n");
    start = end + 1;
  }
  return out;
}

// A rule set and its trace, as full paths.
struct SetFiles {
  std::string rules;
  std::string trace;
};

std::vector<SetFiles> bundled_sets() {
  std::vector<SetFiles> sets;
  for (const char* name : {"acl1_1000", "fw1_1000", "ipc1_1000"})
    sets.push_back({bundled_set(name), bundled_set(std::string(name) + "_trace")});
  return sets;
}

std::vector<SetFiles> large_sets() {
  std::vector<SetFiles> sets;
  for (const char* name : {"acl1_10000", "acl1_100000", "fw1_10000", "ipc1_10000"})
    sets.push_back({large_set(name), large_set(std::string(name) + "_trace")});
  return sets;
}

// Each file parses, has one rule (packet) per line, and writes back as it was read.
void expect_parse_and_write_back(const SetFiles& set) {
  SCOPED_TRACE(set.rules);
  const std::string rule_text = read_set(set.rules);
  auto rules = parse_classbench_rules(rule_text, set.rules);
  ASSERT_TRUE(rules) << rules.error().to_string();
  EXPECT_EQ(rules->rules.size(), count_non_blank_lines(rule_text));
  EXPECT_GT(rules->rules.size(), 800u);
  // Every generated line is one rule, so ids are 1..N.
  EXPECT_EQ(rules->rules.back().id, rules->rules.size());
  // Writing the set back reproduces the file but for the flags column.
  EXPECT_TRUE(format_classbench_rules(*rules) == replace_sixth_column(rule_text, "0x0000/0x0000"))
      << "the writer differs from " << set.rules;

  const std::string trace_text = read_set(set.trace);
  auto trace = parse_classbench_trace(trace_text, set.trace);
  ASSERT_TRUE(trace) << trace.error().to_string();
  EXPECT_EQ(trace->packets.size(), count_non_blank_lines(trace_text));
  EXPECT_EQ(trace->generator_rules.size(), trace->packets.size());
  EXPECT_TRUE(std::all_of(trace->generator_rules.begin(), trace->generator_rules.end(),
                          [&](RuleIndex r) { return r < rules->rules.size(); }));
  EXPECT_TRUE(format_classbench_trace(trace->packets, trace->generator_rules) == replace_sixth_column(trace_text, "0"))
      << "the trace writer differs from " << set.trace;
}

TEST(ClassbenchBundledFiles, EveryFileParses) {
  for (const SetFiles& set : bundled_sets()) expect_parse_and_write_back(set);
}

TEST(ClassbenchSharedFilesExtended, EveryFileParses) {
  for (const SetFiles& set : large_sets()) PFSIM_SKIP_UNLESS_SHARED(set.rules, set.trace);
  for (const SetFiles& set : large_sets()) expect_parse_and_write_back(set);
}

TEST(ClassbenchBundledFiles, SpotChecks) {
  // head -1 / tail -1 of the files.
  auto acl = parse_classbench_rules(read_set(bundled_set("acl1_1000")), "acl1_1000");
  ASSERT_TRUE(acl) << acl.error().to_string();
  ASSERT_EQ(acl->rules.size(), 945u);
  // @208.129.40.42/32  4.232.2.220/32  0 : 65535  1724 : 1724  0x06/0xFF  0x1000/0x1000
  EXPECT_EQ(acl->rules[0].src, block4(208, 129, 40, 42, 32));
  EXPECT_EQ(acl->rules[0].dst, block4(4, 232, 2, 220, 32));
  EXPECT_EQ(acl->rules[0].dport, PortRange::single(1724));
  EXPECT_EQ(acl->rules[0].proto, net::kProtoTcp);
  // @0.0.0.0/1  170.192.0.0/12  0 : 65535  0 : 65535  0x06/0xFF  0x0000/0x0000
  const Rule& last = acl->rules.back();
  EXPECT_EQ(last.src, block4(0, 0, 0, 0, 1));
  EXPECT_EQ(last.dst, block4(170, 192, 0, 0, 12));
  EXPECT_EQ(last.sport, PortRange::any());
  EXPECT_EQ(last.dport, PortRange::any());
  EXPECT_EQ(last.proto, net::kProtoTcp);
  EXPECT_EQ(last.priority, 944u);
  EXPECT_EQ(last.id, 945u);

  auto fw = parse_classbench_rules(read_set(bundled_set("fw1_1000")), "fw1_1000");
  ASSERT_TRUE(fw) << fw.error().to_string();
  EXPECT_EQ(fw->rules.size(), 840u);
  // @253.245.194.160/29  255.139.132.240/28  123 : 123  162 : 162  0x11/0xFF  0x0000/0x0000
  EXPECT_EQ(fw->rules[0].src, block4(253, 245, 194, 160, 29));
  EXPECT_EQ(fw->rules[0].dst, block4(255, 139, 132, 240, 28));
  EXPECT_EQ(fw->rules[0].sport, PortRange::single(123));
  EXPECT_EQ(fw->rules[0].dport, PortRange::single(162));
  EXPECT_EQ(fw->rules[0].proto, net::kProtoUdp);

  auto trace = parse_classbench_trace(read_set(bundled_set("acl1_1000_trace")), "acl1_1000_trace");
  ASSERT_TRUE(trace) << trace.error().to_string();
  ASSERT_EQ(trace->packets.size(), 9450u);
  // 3498125823  1310573442  65535  65535  0  0  883
  EXPECT_EQ(trace->packets[0].src, ip4(3498125823u));
  EXPECT_EQ(trace->packets[0].dst, ip4(1310573442u));
  EXPECT_EQ(trace->packets[0].sport, 65535);
  EXPECT_EQ(trace->packets[0].dport, 65535);
  EXPECT_EQ(trace->packets[0].proto, 0);
  EXPECT_EQ(trace->generator_rules[0], 883u);
  // 3498125359  2719530343  0  14753  6  0  371
  EXPECT_EQ(trace->packets.back().src, ip4(3498125359u));
  EXPECT_EQ(trace->packets.back().dport, 14753);
  EXPECT_EQ(trace->generator_rules.back(), 371u);
}

TEST(ClassbenchSharedFilesExtended, SpotChecks) {
  PFSIM_SKIP_UNLESS_SHARED(large_set("ipc1_10000"), large_set("acl1_100000"), large_set("acl1_100000_trace"));
  // head -1 of the files.
  auto ipc = parse_classbench_rules(read_set(large_set("ipc1_10000")), "ipc1_10000");
  ASSERT_TRUE(ipc) << ipc.error().to_string();
  EXPECT_EQ(ipc->rules.size(), 9529u);
  // @5.130.83.59/32  26.43.163.192/32  5500 : 5500  514 : 514  0x11/0xFF
  EXPECT_EQ(ipc->rules[0].src, block4(5, 130, 83, 59, 32));
  EXPECT_EQ(ipc->rules[0].sport, PortRange::single(5500));

  auto big = parse_classbench_rules(read_set(large_set("acl1_100000")), "acl1_100000");
  ASSERT_TRUE(big) << big.error().to_string();
  EXPECT_EQ(big->rules.size(), 99807u);
  // @40.249.9.205/32  238.234.238.98/32  0 : 65535  80 : 80  0x06/0xFF
  EXPECT_EQ(big->rules[0].src, block4(40, 249, 9, 205, 32));
  EXPECT_EQ(big->rules[0].dst, block4(238, 234, 238, 98, 32));
  EXPECT_EQ(big->rules[0].dport, PortRange::single(80));

  auto big_trace = parse_classbench_trace(read_set(large_set("acl1_100000_trace")), "acl1_100000_trace");
  ASSERT_TRUE(big_trace) << big_trace.error().to_string();
  EXPECT_EQ(big_trace->packets.size(), 199629u);
  // 2785533202  1111969028  0  65535  6  0  78244
  EXPECT_EQ(big_trace->packets[0].src, ip4(2785533202u));
  EXPECT_EQ(big_trace->packets[0].dport, 65535);
  EXPECT_EQ(big_trace->generator_rules[0], 78244u);
}

}  // namespace
}  // namespace pfsim::classifier
