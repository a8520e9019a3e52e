// engine/model/internal/yaml_fields.h — located, typed access to a YAML document: the checked-
// field toolkit the scenario's section readers are written in. Private to engine/model (its
// yaml-cpp types must not reach scenario.h or scenario_loader.h); knows nothing of scenarios.
//
// Key idea: a reader never asks yaml-cpp for a converted value. It first checks a map's keys
// against the keys allowed there (KeySpec), then converts each scalar itself, so every refusal
// is one located message that says what is allowed: "t.yaml:4:9: error: unknown key 'prot' in
// listener (allowed: protocol, port)", "port 70000 is out of range (allowed: 1-65535)".
//
// Dialects: a document may be written for one of several dialects of its format (for a
// scenario, the provider). A KeySpec names the dialects its key is allowed for, as a bit mask
// (bit i = dialect i of set_dialect's names); a key of another dialect is refused by name
// ("'backend_subnet' is a huawei key (provider is aws)"), or with the KeySpec's own refusal.
//
// Errors: FieldReader::fail throws ReadFailure, which only read_document catches: reading is
// not on a packet path, and unwinding keeps each check to one line. read_document also turns
// every yaml-cpp exception (syntax, too-deep nesting) into a located error, so nothing escapes
// it. YAML::Node's operator= rebinds or rewrites the node it refers to: copy-construct nodes,
// never assign them.
//
// Example:
//   net::Result<int> port = read_document(text, "t.yaml", "settings", [](const YAML::Node& root) {
//     const FieldReader in("t.yaml");
//     const Fields fields = in.check_keys(root, "the file", {{"port"}});
//     return int{in.port(in.require(fields, "port", "the file").value, "port")};
//   });
//
// Thread-safety: a FieldReader is immutable once its dialect is set; the functions are pure.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/model/scenario.h"
#include "net/address.h"
#include "net/error.h"

namespace pfsim::engine::yaml {

// The first error of a walk; thrown by FieldReader::fail, caught by read_document only.
struct ReadFailure {
  net::Error error;
};

// ---- text for messages ----

// ASCII lower case.
std::string lower(std::string_view s);

// User text inside a message: control bytes escaped as \xNN, cut after 80 characters ("..."),
// so a message is always one printable line.
std::string shown(std::string_view s);

// "a, b, c" (each shown()); more than `max_names` end in ", ..."; no names is "none".
std::string join(const std::vector<std::string>& names, std::size_t max_names = 12);

// "a map", "a list", "a value" or "nothing".
const char* node_kind(const YAML::Node& n);

// The value of the first scalar key `key` of map `map`, without yaml-cpp's operator[] (which
// never fails but may add the key).
std::optional<YAML::Node> value_of(const YAML::Node& map, std::string_view key);

// ---- keys ----

// A bit mask of dialects (bit i: dialect i).
using Dialects = unsigned;
inline constexpr Dialects kAllDialects = ~0u;

// A key allowed in a map: for which dialects, and what to say when it is used elsewhere
// (empty: "'key' is <dialects> key (<dialect word> is <dialect>)"). A key allowed for no
// dialect with a refusal is a key that is always refused with that message.
struct KeySpec {
  KeySpec(std::string key, Dialects allowed_for = kAllDialects, std::string refusal_message = {})  // NOLINT: implicit
      : name(std::move(key)), dialects(allowed_for), refusal(std::move(refusal_message)) {}
  std::string name;
  Dialects dialects;
  std::string refusal;
};

struct Field {
  std::string key;
  YAML::Node key_node;
  YAML::Node value;
};

// A map whose keys have been checked, in the order written.
struct Fields {
  explicit Fields(const YAML::Node& map) : node(map) {}
  YAML::Node node;
  std::vector<Field> list;
  const Field* get(std::string_view key) const;
  bool has(std::string_view key) const { return get(key) != nullptr; }
};

// ---- choices ----

// One allowed value of a choice and what it means: {"internal", false}, {"deny", RuleAction::kDeny}.
template <class E>
struct Named {
  std::string_view name;
  E value;
};

enum class LetterCase : std::uint8_t { kExact, kIgnored };

// ---- the reader ----

class FieldReader {
 public:
  explicit FieldReader(std::string file) : file_(std::move(file)) {}

  // The document is written for dialect `current` of `names` (a KeySpec's bit i is names[i]);
  // `word` names the setting in messages ("provider"). Until set, every key is allowed.
  void set_dialect(std::string word, std::vector<std::string> names, std::size_t current);

  const std::string& file() const noexcept { return file_; }

  // Where `n` was written (1-based; 0 if yaml-cpp has no mark).
  Location at(const YAML::Node& n) const;

  // Throws ReadFailure located at `n` (or at line:column).
  [[noreturn]] void fail(const YAML::Node& n, std::string message) const;
  [[noreturn]] void fail_at(std::uint32_t line, std::uint32_t column, std::string message) const;

  // The keys of map `n` (`what` names it in messages: "listener"), each checked against `keys`
  // for the current dialect; duplicate and non-scalar keys are refused.
  Fields check_keys(const YAML::Node& n, std::string_view what, const std::vector<KeySpec>& keys) const;

  // The field `key`, which must be present ("missing 'key' in what").
  const Field& require(const Fields& fields, std::string_view key, std::string_view what) const;

  // A list's items; nothing (`key:` with no value) is an empty list.
  std::vector<YAML::Node> items(const YAML::Node& n, std::string_view what) const;

  // One value or a list of values.
  std::vector<YAML::Node> one_or_list(const YAML::Node& n, std::string_view what) const;

  std::string scalar(const YAML::Node& n, std::string_view what) const;

  // A non-empty scalar.
  std::string id_of(const YAML::Node& n, std::string_view what) const;

  // An unsigned decimal number within [lo, hi].
  std::uint64_t number(const YAML::Node& n, std::string_view what, std::uint64_t lo, std::uint64_t hi) const;
  std::uint32_t number32(const YAML::Node& n, std::string_view what, std::uint32_t lo, std::uint32_t hi) const;
  std::uint16_t port(const YAML::Node& n, std::string_view what, std::uint16_t lo = 1) const;

  // true or false, in any letter case.
  bool boolean(const YAML::Node& n, std::string_view what) const;

  // The value named by `n` in `table` ("unknown what 'x' (allowed: a, b)" otherwise, the names
  // in table order).
  template <class E>
  E choice(const YAML::Node& n, std::string_view what, std::span<const Named<E>> table,
           LetterCase letter_case = LetterCase::kExact) const {
    std::vector<std::string_view> names;
    names.reserve(table.size());
    for (const Named<E>& entry : table) names.push_back(entry.name);
    return table[choice_index(n, what, names, letter_case)].value;
  }
  template <class E, std::size_t N>
  E choice(const YAML::Node& n, std::string_view what, const Named<E> (&table)[N],
           LetterCase letter_case = LetterCase::kExact) const {
    return choice(n, what, std::span<const Named<E>>(table), letter_case);
  }

  net::IpAddress address(const YAML::Node& n, std::string_view what) const;
  // An address of `family` ("ip 2001:db8::1 is not an IPv4 address (use 'ipv6' for IPv6)").
  net::IpAddress address_of_family(const YAML::Node& n, std::string_view what, net::Family family) const;
  net::IpRange cidr(const YAML::Node& n, std::string_view what) const;
  // One CIDR or a list of them.
  std::vector<net::IpRange> cidr_list(const YAML::Node& n, std::string_view what) const;

 private:
  std::size_t choice_index(const YAML::Node& n, std::string_view what, const std::vector<std::string_view>& names,
                           LetterCase letter_case) const;
  // "an aws or e2e" for a mask.
  std::string dialects_phrase(Dialects mask) const;

  std::string file_;
  std::string dialect_word_;
  std::vector<std::string> dialect_names_;
  Dialects dialect_bit_ = kAllDialects;
  std::size_t dialect_ = 0;
};

// ---- the document ----

// The one YAML document of `text` (a second one is an error: "a <what> file holds one YAML
// document"; no document is a null node). Throws yaml-cpp's exceptions and ReadFailure.
YAML::Node load_document(std::string_view text, const std::string& file, std::string_view what);

// The located error for a yaml-cpp exception: "invalid YAML: <its message>", at its mark or,
// without one, at the end of `text`.
net::Error yaml_error(std::string_view text, const std::string& file, const YAML::Exception& e);

// `read` applied to the document in `text`, a <what> file ("scenario"); every failure comes
// back as a located Error: ReadFailure's, yaml-cpp's, and any other exception as "cannot read
// the <what>: ...".
template <class Read>
auto read_document(std::string_view text, const std::string& file, std::string_view what, Read&& read)
    -> net::Result<decltype(read(YAML::Node()))> {
  try {
    return read(load_document(text, file, what));
  } catch (const ReadFailure& failure) {
    return failure.error;
  } catch (const YAML::Exception& e) {
    return yaml_error(text, file, e);
  } catch (const std::exception& e) {
    return net::text_error(file, 1, 0, "cannot read the " + std::string(what) + ": " + shown(e.what()));
  }
}

}  // namespace pfsim::engine::yaml
