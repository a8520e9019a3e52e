// Tests of engine/model/internal/yaml_fields.h alone, on small documents that are not scenarios:
// checked keys with dialects, typed scalars, {name, value} choices, and read_document's located
// errors. The scenario loader's own messages are pinned in scenario_loader_test.cc.
#include "engine/model/internal/yaml_fields.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace pfsim::engine::yaml {
namespace {

enum class Color : std::uint8_t { kRed, kGreen };
constexpr Named<Color> kColors[] = {{"red", Color::kRed}, {"green", Color::kGreen}};

// Reads `text` with `read(reader, root)`; the message a user sees, or "ok".
template <class Read>
std::string outcome(std::string_view text, Read read) {
  const net::Result<int> r = read_document(text, "f.yaml", "settings", [&](const YAML::Node& root) {
    FieldReader reader("f.yaml");
    read(reader, root);
    return 0;
  });
  return r ? std::string("ok") : r.error().to_string();
}

// The value of `key` in map `text`, for scalar tests.
YAML::Node value(std::string_view text, std::string_view key) { return *value_of(YAML::Load(std::string(text)), key); }

TEST(YamlFieldsKeys, UnknownKeyIsLocatedAndListsTheAllowedKeys) {
  EXPECT_EQ(outcome("a: 1\nprot: 2\n",
                    [](const FieldReader& in, const YAML::Node& root) {
                      in.check_keys(root, "listener", {{"a"}, {"port"}});
                    }),
            "f.yaml:2:1: error: unknown key 'prot' in listener (allowed: a, port)");
}

TEST(YamlFieldsKeys, DuplicateAndNonScalarKeysAreRefused) {
  const auto read = [](const FieldReader& in, const YAML::Node& root) { in.check_keys(root, "thing", {{"a"}}); };
  EXPECT_EQ(outcome("a: 1\na: 2\n", read), "f.yaml:2:1: error: duplicate key 'a' in thing");
  EXPECT_EQ(outcome("? [x]\n: 1\n", read), "f.yaml:1:3: error: expected a key (a word) in thing, got a list");
  EXPECT_EQ(outcome("- a\n", read), "f.yaml:1:1: error: expected a map for thing, got a list");
}

TEST(YamlFieldsKeys, AKeyOfAnotherDialectIsRefusedByName) {
  const auto read = [](FieldReader& in, const YAML::Node& root) {
    in.set_dialect("provider", {"aws", "huawei", "e2e"}, 0);
    in.check_keys(root, "thing", {{"a"}, {"b", 2u}, {"c", 5u}, {"d", 4u, "no d here"}});
  };
  EXPECT_EQ(outcome("a: 1\nc: 1\n", read), "ok");
  EXPECT_EQ(outcome("b: 1\n", read), "f.yaml:1:1: error: 'b' is a huawei key (provider is aws)");
  EXPECT_EQ(outcome("d: 1\n", read), "f.yaml:1:1: error: no d here");
  EXPECT_EQ(outcome("e: 1\n", read), "f.yaml:1:1: error: unknown key 'e' in thing (allowed: a, c)");
  EXPECT_EQ(outcome("b: 1\n",
                    [](FieldReader& in, const YAML::Node& root) {
                      in.set_dialect("provider", {"aws", "huawei", "e2e"}, 1);
                      in.check_keys(root, "thing", {{"b", 5u}});
                    }),
            "f.yaml:1:1: error: 'b' is an aws or e2e key (provider is huawei)");
}

TEST(YamlFieldsKeys, FieldsKeepTheirOrderAndRequireNamesTheMissingKey) {
  std::vector<std::string> keys;
  EXPECT_EQ(outcome("b: 1\na: 2\n",
                    [&](const FieldReader& in, const YAML::Node& root) {
                      const Fields fields = in.check_keys(root, "thing", {{"a"}, {"b"}, {"c"}});
                      for (const Field& f : fields.list) keys.push_back(f.key);
                      EXPECT_EQ(in.require(fields, "a", "thing").value.Scalar(), "2");
                      in.require(fields, "c", "thing");
                    }),
            "f.yaml:1:1: error: missing 'c' in thing");
  EXPECT_EQ(keys, (std::vector<std::string>{"b", "a"}));
}

TEST(YamlFieldsScalars, NumbersSayWhatIsAllowed) {
  const FieldReader in("f.yaml");
  EXPECT_EQ(in.number(value("n: 42", "n"), "n", 1, 100), 42u);
  EXPECT_EQ(in.port(value("p: 65535", "p"), "port"), 65535u);
  const auto error = [&](std::string_view text) {
    try {
      in.number(value(text, "n"), "n", 1, 100);
    } catch (const ReadFailure& f) {
      return f.error.to_string();
    }
    return std::string("ok");
  };
  EXPECT_EQ(error("n: 101"), "f.yaml:1:4: error: n 101 is out of range (allowed: 1-100)");
  EXPECT_EQ(error("n: -1"), "f.yaml:1:4: error: n -1 is out of range (allowed: 1-100)");
  EXPECT_EQ(error("n: 99999999999999999999999"),
            "f.yaml:1:4: error: n 99999999999999999999999 is out of range (allowed: 1-100)");
  EXPECT_EQ(error("n: 1e3"), "f.yaml:1:4: error: expected a number for n (allowed: 1-100), got '1e3'");
  EXPECT_EQ(error("n: [1]"), "f.yaml:1:4: error: expected a value for n, got a list");
}

TEST(YamlFieldsScalars, BooleansIgnoreLetterCase) {
  const FieldReader in("f.yaml");
  EXPECT_TRUE(in.boolean(value("b: TRUE", "b"), "b"));
  EXPECT_FALSE(in.boolean(value("b: false", "b"), "b"));
  EXPECT_EQ(
      outcome("b: yes\n", [](const FieldReader& r, const YAML::Node& root) { r.boolean(*value_of(root, "b"), "b"); }),
      "f.yaml:1:4: error: expected true or false for b, got 'yes'");
}

TEST(YamlFieldsScalars, ChoicesMapNamesToValues) {
  const FieldReader in("f.yaml");
  EXPECT_EQ(in.choice(value("c: green", "c"), "color", kColors), Color::kGreen);
  EXPECT_EQ(in.choice(value("c: RED", "c"), "color", kColors, LetterCase::kIgnored), Color::kRed);
  EXPECT_EQ(outcome("c: RED\n", [](const FieldReader& r,
                                   const YAML::Node& root) { r.choice(*value_of(root, "c"), "color", kColors); }),
            "f.yaml:1:4: error: unknown color 'RED' (allowed: red, green)");
}

TEST(YamlFieldsScalars, AddressesAndCidrsAreCheckedForTheirFamily) {
  const FieldReader in("f.yaml");
  EXPECT_EQ(in.cidr_list(value("c: [10.0.0.0/8, '::/0']", "c"), "c").size(), 2u);
  EXPECT_EQ(outcome("ip: 2001:db8::1\n",
                    [](const FieldReader& r, const YAML::Node& root) {
                      r.address_of_family(*value_of(root, "ip"), "ip", net::Family::kIpv4);
                    }),
            "f.yaml:1:5: error: ip 2001:db8::1 is not an IPv4 address (use 'ipv6' for IPv6)");
}

TEST(YamlFieldsScalars, ListsAcceptNothingAndOneOrListAcceptsOneValue) {
  const FieldReader in("f.yaml");
  EXPECT_TRUE(in.items(value("l:", "l"), "l").empty());
  EXPECT_EQ(in.one_or_list(value("l: x", "l"), "l").size(), 1u);
  EXPECT_EQ(outcome("l: {a: 1}\n",
                    [](const FieldReader& r, const YAML::Node& root) { r.items(*value_of(root, "l"), "things"); }),
            "f.yaml:1:4: error: expected a list for things, got a map");
}

TEST(YamlFieldsText, UserTextIsOnePrintableLine) {
  EXPECT_EQ(shown("a\nb\x7f"), "a\\x0ab\\x7f");
  EXPECT_EQ(shown(std::string(81, 'x')), std::string(80, 'x') + "...");
  EXPECT_EQ(join({"a", "b", "c"}, 2), "a, b, ...");
  EXPECT_EQ(join({}), "none");
}

TEST(YamlFieldsDocument, SyntaxErrorsAndSecondDocumentsAreLocated) {
  const auto nothing = [](const FieldReader&, const YAML::Node&) {};
  EXPECT_EQ(outcome("a: [1, 2\n", nothing).rfind("f.yaml:2:1: error: invalid YAML: ", 0), 0u);
  EXPECT_EQ(outcome("a: 1\n---\nb: 2\n", nothing),
            "f.yaml:3:1: error: a settings file holds one YAML document (found a second one)");
  EXPECT_EQ(outcome("",
                    [](const FieldReader& r, const YAML::Node& root) {
                      if (root.IsNull()) r.fail_at(1, 1, "empty");
                    }),
            "f.yaml:1:1: error: empty");
}

TEST(YamlFieldsDocument, NulBytesAreRefusedWhereTheyAre) {
  const auto nothing = [](const FieldReader&, const YAML::Node&) {};
  EXPECT_EQ(outcome(std::string("a: 1\nb: x\0y\n", 12), nothing),
            "f.yaml:2:5: error: invalid YAML: a NUL byte (\\x00); YAML text cannot contain one");
  EXPECT_EQ(outcome(std::string("\0", 1), nothing),
            "f.yaml:1:1: error: invalid YAML: a NUL byte (\\x00); YAML text cannot contain one");
}

// yaml-cpp stops at a parser depth of 500 (a block map is one level, a flow list two) with the
// message "bad file", and in a flow collection at a mark past the collection's end: the error says what is wrong and
// points at the first bracket of the deepest nesting, brackets in quotes and comments not counted.
TEST(YamlFieldsDocument, TooDeepNestingIsNamedAndLocatedAtTheDeepestBracket) {
  const auto nothing = [](const FieldReader&, const YAML::Node&) {};
  const std::string kDeep = "invalid YAML: lists or maps nested too deeply (a document needs a few levels)";
  EXPECT_EQ(outcome("a: 1\nb: " + std::string(300, '[') + "\n", nothing), "f.yaml:2:303: error: " + kDeep);
  EXPECT_EQ(outcome("# [[[[\nb: ['[[', \"{{\", " + std::string(299, '[') + "\n", nothing),
            "f.yaml:2:315: error: " + kDeep);
  // Block nesting: yaml-cpp's own mark is inside the text and stays.
  std::string block = "a:\n";
  for (std::size_t i = 1; i < 600; ++i) block += std::string(2 * i, ' ') + "k:\n";
  EXPECT_EQ(outcome(block, nothing), "f.yaml:499:999: error: " + kDeep);
}

}  // namespace
}  // namespace pfsim::engine::yaml
