// Every algorithm against the linear oracle (Open vSwitch's test-classifier idea): rule sets
// drawn from two or three values per field, so overlaps and priority ties are common, plus
// every real ClassBench set and trace (the large ones in the extended tests).
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "classifier/classbench.h"
#include "classifier/classifier.h"
#include "tests/read_whole_file.h"
#include "tests/test_inputs.h"

namespace pfsim::classifier {
namespace {

using net::Ip128;

std::vector<std::string_view> fast_algorithms() {
  std::vector<std::string_view> names;
  for (std::string_view n : algorithm_names())
    if (n != "linear") names.push_back(n);
  return names;
}

std::unique_ptr<const Classifier> build(const RuleSet& set, std::string_view algorithm) {
  auto built = build_classifier(set, algorithm);
  EXPECT_TRUE(built.ok()) << (built ? "" : built.error().to_string());
  return built ? std::move(*built) : nullptr;
}

// Classifies `keys` with `algorithm` in batches of `batch` and compares each answer with linear.
void expect_same_as_linear(const RuleSet& set, const std::vector<FiveTuple>& keys, std::string_view algorithm,
                           std::size_t batch) {
  const auto oracle = build(set, "linear");
  const auto candidate = build(set, algorithm);
  ASSERT_TRUE(oracle && candidate);
  std::vector<RuleIndex> expected(keys.size());
  oracle->classify(keys, expected);
  std::vector<RuleIndex> got(keys.size(), kNoMatch - 1);
  for (std::size_t start = 0; start < keys.size(); start += std::max<std::size_t>(batch, 1)) {
    const std::size_t n = std::min(batch, keys.size() - start);
    candidate->classify(std::span(keys).subspan(start, n), std::span(got).subspan(start, n));
    if (batch == 0) break;
  }
  if (batch == 0) return;  // a zero-sized batch must simply do nothing (checked by not crashing)
  std::size_t mismatches = 0;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (got[i] != expected[i] && ++mismatches <= 5)
      ADD_FAILURE() << algorithm << ": key #" << i << " got rule " << static_cast<std::int64_t>(got[i])
                    << ", linear says " << static_cast<std::int64_t>(expected[i]);
  }
  EXPECT_EQ(mismatches, 0u) << algorithm << " on " << set.rules.size() << " rules, batch " << batch;
}

// A small domain of values per field, from which rules and keys are drawn.
struct Domain {
  net::Family family;
  std::vector<AddressRange> addresses;
  std::vector<PortRange> ports;
  std::vector<int> protos;  // -1 = any
};

AddressRange v6_block(std::uint64_t hi, std::uint64_t lo, unsigned length) {
  return net::prefix_range(net::Family::kIpv6, Ip128{hi, lo}, length);
}

Domain make_domain(std::mt19937_64& rng, net::Family family) {
  std::vector<AddressRange> address_pool;
  if (family == net::Family::kIpv4) {
    address_pool = {AddressRange::any(family),
                    net::prefix_range(family, net::ip4(10, 0, 0, 0), 8),
                    net::prefix_range(family, net::ip4(10, 1, 0, 0), 16),
                    net::prefix_range(family, net::ip4(10, 1, 2, 0), 24),
                    net::prefix_range(family, net::ip4(10, 1, 2, 3), 32),
                    net::prefix_range(family, net::ip4(192, 168, 0, 0), 16),
                    {net::ip4(10, 0, 0, 5), net::ip4(10, 1, 2, 200)},  // an arbitrary range
                    {net::ip4(0, 0, 0, 0), net::ip4(127, 255, 255, 255)}};
  } else {
    address_pool = {AddressRange::any(family),
                    v6_block(0x20010db800000000ull, 0, 32),
                    v6_block(0x20010db800010000ull, 0, 48),
                    v6_block(0x20010db800010002ull, 0, 64),
                    v6_block(0x20010db800010002ull, 0x5, 128),
                    v6_block(0x20010db800010002ull, 0x100, 120),
                    {Ip128{0x20010db800000000ull, 7}, Ip128{0x20010db800010002ull, 3}},  // crosses words
                    {Ip128{0x20010db800010002ull, 1}, Ip128{0x20010db800010002ull, 0x80}}};
  }
  const std::vector<PortRange> port_pool = {
      PortRange::any(), PortRange::single(80), PortRange::single(443),  {1024, 65535}, {0, 1023},
      {3, 4},           PortRange::single(0),  PortRange::single(65535)};
  const std::vector<int> proto_pool = {-1, net::kProtoTcp, net::kProtoUdp, net::kProtoIcmp};
  Domain domain{family, {}, {}, {}};
  std::sample(address_pool.begin(), address_pool.end(), std::back_inserter(domain.addresses), 3, rng);
  std::sample(port_pool.begin(), port_pool.end(), std::back_inserter(domain.ports), 3, rng);
  std::sample(proto_pool.begin(), proto_pool.end(), std::back_inserter(domain.protos), 2, rng);
  return domain;
}

template <class T>
const T& pick(std::mt19937_64& rng, const std::vector<T>& values) {
  return values[std::uniform_int_distribution<std::size_t>(0, values.size() - 1)(rng)];
}

Rule random_rule(std::mt19937_64& rng, const Domain& domain, std::uint64_t id) {
  Rule r;
  r.family = domain.family;
  r.src = pick(rng, domain.addresses);
  r.dst = pick(rng, domain.addresses);
  r.sport = pick(rng, domain.ports);
  r.dport = pick(rng, domain.ports);
  const int proto = pick(rng, domain.protos);
  r.proto_any = proto < 0;
  r.proto = proto < 0 ? 0 : static_cast<std::uint8_t>(proto);
  r.priority = static_cast<std::uint32_t>(std::uniform_int_distribution<int>(0, 3)(rng));  // many ties
  r.action = std::bernoulli_distribution(0.5)(rng) ? Action::kAllow : Action::kDeny;
  r.id = id;
  return r;
}

// Values at and around the edges of a range: where off-by-one errors live.
Ip128 address_near(std::mt19937_64& rng, const AddressRange& r, net::Family family) {
  const Ip128 top = net::max_address(family);
  switch (std::uniform_int_distribution<int>(0, 4)(rng)) {
    case 0:
      return r.lo;
    case 1:
      return r.hi;
    case 2:
      return r.lo == Ip128{} ? r.lo : Ip128{r.lo.lo == 0 ? r.lo.hi - 1 : r.lo.hi, r.lo.lo - 1};
    case 3:
      return r.hi == top ? r.hi : Ip128{r.hi.lo == ~std::uint64_t{0} ? r.hi.hi + 1 : r.hi.hi, r.hi.lo + 1};
    default:
      return Ip128{r.lo.hi, r.lo.lo + (r.hi.lo - r.lo.lo) / 2};
  }
}

std::uint16_t port_near(std::mt19937_64& rng, const PortRange& r) {
  switch (std::uniform_int_distribution<int>(0, 3)(rng)) {
    case 0:
      return r.lo;
    case 1:
      return r.hi;
    case 2:
      return static_cast<std::uint16_t>(r.lo == 0 ? 0 : r.lo - 1);
    default:
      return static_cast<std::uint16_t>(r.hi == 65535 ? 65535 : r.hi + 1);
  }
}

FiveTuple random_key(std::mt19937_64& rng, const Domain& domain) {
  FiveTuple k;
  k.family = domain.family;
  k.src = address_near(rng, pick(rng, domain.addresses), domain.family);
  k.dst = address_near(rng, pick(rng, domain.addresses), domain.family);
  k.sport = port_near(rng, pick(rng, domain.ports));
  k.dport = port_near(rng, pick(rng, domain.ports));
  const int proto = pick(rng, domain.protos);
  k.proto = proto < 0 ? static_cast<std::uint8_t>(net::kProtoUdp + 30) : static_cast<std::uint8_t>(proto);
  return k;
}

// One domain per family; every `ipv6_every`-th rule and key is IPv6, the rest IPv4.
struct MixedCase {
  RuleSet set;
  std::vector<FiveTuple> keys;
};
MixedCase mixed_case(std::uint64_t seed, std::size_t rule_count, std::size_t key_count, std::size_t ipv6_every) {
  std::mt19937_64 rng(seed);
  const Domain v4 = make_domain(rng, net::Family::kIpv4);
  const Domain v6 = make_domain(rng, net::Family::kIpv6);
  MixedCase c;
  for (std::size_t i = 0; i < rule_count; ++i) c.set.rules.push_back(random_rule(rng, i % ipv6_every ? v4 : v6, i));
  for (std::size_t i = 0; i < key_count; ++i) c.keys.push_back(random_key(rng, i % ipv6_every ? v4 : v6));
  return c;
}

// Rule sets of both families in one set; keys of both families.
void run_random_sets(std::uint64_t seed, std::size_t rule_count, std::size_t sets) {
  std::mt19937_64 rng(seed);
  for (std::size_t s = 0; s < sets; ++s) {
    const Domain v4 = make_domain(rng, net::Family::kIpv4);
    const Domain v6 = make_domain(rng, net::Family::kIpv6);
    RuleSet set;
    for (std::size_t i = 0; i < rule_count; ++i)
      set.rules.push_back(random_rule(rng, std::bernoulli_distribution(0.5)(rng) ? v4 : v6, i + 1));
    std::vector<FiveTuple> keys;
    for (std::size_t i = 0; i < 400; ++i)
      keys.push_back(random_key(rng, std::bernoulli_distribution(0.5)(rng) ? v4 : v6));
    for (std::string_view algorithm : fast_algorithms()) expect_same_as_linear(set, keys, algorithm, 64);
  }
}

TEST(Differential, RandomSmallSets) { run_random_sets(1, 12, 200); }
TEST(Differential, RandomMediumSets) { run_random_sets(2, 60, 100); }
TEST(Differential, RandomLargeSets) { run_random_sets(3, 400, 20); }

TEST(Differential, EmptyRuleSetMatchesNothing) {
  RuleSet set;
  std::mt19937_64 rng(4);
  const Domain v4 = make_domain(rng, net::Family::kIpv4);
  std::vector<FiveTuple> keys;
  for (int i = 0; i < 50; ++i) keys.push_back(random_key(rng, v4));
  for (std::string_view algorithm : algorithm_names()) {
    const auto c = build(set, algorithm);
    ASSERT_TRUE(c);
    std::vector<RuleIndex> out(keys.size(), 0);
    c->classify(keys, out);
    EXPECT_TRUE(std::all_of(out.begin(), out.end(), [](RuleIndex r) { return r == kNoMatch; })) << algorithm;
  }
}

TEST(Differential, WildcardOnlyRulesTieOnIndex) {
  RuleSet set;
  for (std::uint64_t i = 0; i < 40; ++i) {
    Rule r;  // IPv4 any-any
    r.priority = 7;
    r.id = i;
    set.rules.push_back(r);
    Rule r6 = r;
    r6.family = net::Family::kIpv6;
    r6.src = r6.dst = AddressRange::any(net::Family::kIpv6);
    set.rules.push_back(r6);
  }
  std::mt19937_64 rng(5);
  std::vector<FiveTuple> keys;
  for (int i = 0; i < 100; ++i)
    keys.push_back(random_key(rng, make_domain(rng, i % 2 ? net::Family::kIpv4 : net::Family::kIpv6)));
  for (std::string_view algorithm : fast_algorithms()) {
    const auto c = build(set, algorithm);
    std::vector<RuleIndex> out(keys.size());
    c->classify(keys, out);
    for (std::size_t i = 0; i < keys.size(); ++i)
      EXPECT_EQ(out[i], keys[i].family == net::Family::kIpv4 ? 0u : 1u) << algorithm;
  }
}

TEST(Differential, SinglePointRanges) {
  std::mt19937_64 rng(6);
  RuleSet set;
  std::vector<FiveTuple> keys;
  for (std::uint32_t i = 0; i < 300; ++i) {
    FiveTuple k;
    k.family = i % 3 ? net::Family::kIpv4 : net::Family::kIpv6;
    k.src = k.family == net::Family::kIpv4 ? net::ip4(static_cast<std::uint32_t>(rng() >> 32)) : Ip128{rng(), rng()};
    k.dst = k.family == net::Family::kIpv4 ? net::ip4(static_cast<std::uint32_t>(rng() >> 32)) : Ip128{rng(), rng()};
    k.sport = static_cast<std::uint16_t>(rng());
    k.dport = static_cast<std::uint16_t>(rng());
    k.proto = static_cast<std::uint8_t>(rng());
    Rule r;
    r.family = k.family;
    r.src = {k.src, k.src};
    r.dst = {k.dst, k.dst};
    r.sport = PortRange::single(k.sport);
    r.dport = PortRange::single(k.dport);
    r.proto_any = false;
    r.proto = k.proto;
    r.priority = 300 - i;  // reverse order: the last rule is the best
    set.rules.push_back(r);
    keys.push_back(k);
    FiveTuple miss = k;
    miss.dport = static_cast<std::uint16_t>(k.dport + 1);
    keys.push_back(miss);
  }
  for (std::string_view algorithm : fast_algorithms()) expect_same_as_linear(set, keys, algorithm, 32);
}

// classify() takes spans of any size; the tools classify in batches of 256 (tools/).
TEST(Differential, BatchSizesZeroOneAndAroundTheToolsBatch) {
  const auto [set, keys] = mixed_case(7, 200, 1000, 4);
  constexpr std::size_t kB = 256;
  for (std::size_t batch : {std::size_t{0}, std::size_t{1}, kB - 1, kB, kB + 1, 2 * kB + 3, std::size_t{999}})
    for (std::string_view algorithm : fast_algorithms()) expect_same_as_linear(set, keys, algorithm, batch);
}

// A built classifier is immutable: threads sharing one instance get the answers one thread gets.
TEST(Differential, ConcurrentQueriesOnOneInstanceAgree) {
  const auto [set, keys] = mixed_case(8, 300, 4000, 3);
  for (std::string_view algorithm : algorithm_names()) {
    const auto shared = build(set, algorithm);
    ASSERT_TRUE(shared);
    std::vector<RuleIndex> expected(keys.size());
    shared->classify(keys, expected);
    constexpr int kThreads = 4;
    std::vector<std::vector<RuleIndex>> got(kThreads, std::vector<RuleIndex>(keys.size()));
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
      threads.emplace_back([&, t] {
        for (int pass = 0; pass < 5; ++pass) shared->classify(keys, got[static_cast<std::size_t>(t)]);
      });
    for (std::thread& thread : threads) thread.join();
    for (const auto& answers : got) EXPECT_EQ(answers, expected) << algorithm;
  }
}

// Every real ClassBench set and trace, whole, against linear: the 1K sets bundled in
// scenarios/classbench, and (extended tests) the large ones in the shared inputs.
using pfsim::test_support::read_whole_file;

class ClassbenchDifferential : public ::testing::TestWithParam<const char*> {};
class ClassbenchDifferentialExtended : public ::testing::TestWithParam<const char*> {};

void expect_set_same_as_linear(const std::string& base) {
  const std::string rules_text = read_whole_file(base);
  const std::string trace_text = read_whole_file(base + "_trace");
  ASSERT_FALSE(rules_text.empty()) << "missing " << base;
  auto rules = parse_classbench_rules(rules_text, base);
  ASSERT_TRUE(rules.ok()) << rules.error().to_string();
  auto trace = parse_classbench_trace(trace_text, base + "_trace");
  ASSERT_TRUE(trace.ok()) << trace.error().to_string();
  std::vector<FiveTuple> keys = trace->packets;
  // linear is O(rules) per packet: on the 100K set, a sample of the trace keeps the test short.
  if (rules->rules.size() > 20000) {
    std::vector<FiveTuple> sample;
    for (std::size_t i = 0; i < keys.size(); i += 97) sample.push_back(keys[i]);
    keys = std::move(sample);
  }
  for (std::string_view algorithm : fast_algorithms()) expect_same_as_linear(*rules, keys, algorithm, 256);
}

TEST_P(ClassbenchDifferential, EqualsLinear) {
  expect_set_same_as_linear(std::string(PFSIM_BUNDLED_CLASSBENCH_DIR) + "/" + GetParam());
}

TEST_P(ClassbenchDifferentialExtended, EqualsLinear) {
  const std::string base = pfsim::test_support::shared_input(std::string("classbench/") + GetParam());
  PFSIM_SKIP_UNLESS_SHARED(base, base + "_trace");
  expect_set_same_as_linear(base);
}

INSTANTIATE_TEST_SUITE_P(BundledSets, ClassbenchDifferential, ::testing::Values("acl1_1000", "fw1_1000", "ipc1_1000"));
INSTANTIATE_TEST_SUITE_P(LargeSets, ClassbenchDifferentialExtended,
                         ::testing::Values("acl1_10000", "fw1_10000", "ipc1_10000", "acl1_100000"));

}  // namespace
}  // namespace pfsim::classifier
