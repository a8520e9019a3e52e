// engine/model/scenario_loader.cc — SCENARIO-FORMAT.md version 1, plus the extensions listed in
// engine/model/scenario.h, to a validated Scenario.
//
// How: yaml-cpp builds the node tree (its exceptions — syntax errors, too-deep nesting, bad
// conversions — are all caught in parse_scenario and turned into located errors). A Loader
// then walks the tree in a fixed order: the top level, the ids of every kind (so references
// may point forward in the file), then vpc, prefix lists, network ACLs, subnets, security
// groups, instances, load balancers, target groups, and the settings. Every map's keys are
// checked against the keys allowed there for the scenario's provider before any value is
// read. Scalars are converted here, not by yaml-cpp's as<T>(), so that huge, negative or
// malformed numbers get a message that says what is allowed.
//
// The walk reports its first error by throwing LoadFailure, a type private to this file and
// always caught in parse_scenario: loading is not on a packet path, and unwinding keeps each
// check to one line. Nothing escapes parse_scenario; nothing is partly loaded.
#include "engine/model/scenario_loader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "net/format.h"
#include "net/protocols.h"

namespace pfsim::engine {
namespace {

// Provider masks: which providers a key or value is allowed for.
constexpr unsigned kAwsBit = 1;
constexpr unsigned kHuaweiBit = 2;
constexpr unsigned kE2eBit = 4;
constexpr unsigned kAllProviders = kAwsBit | kHuaweiBit | kE2eBit;

constexpr std::string_view kElbSourceGroup = "amazon-elb/amazon-elb-sg";

struct LoadFailure {
  net::Error error;
};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// User text inside a message: control bytes escaped, long text cut, so a message is always
// one printable line.
std::string shown(std::string_view s) {
  constexpr std::size_t kMax = 80;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < s.size() && i < kMax; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    } else {
      out += static_cast<char>(c);
    }
  }
  if (s.size() > kMax) out += "...";
  return out;
}

// Names for a message; lists of user-defined names are cut after `max_names`.
std::string join(const std::vector<std::string>& names, std::size_t max_names = 12) {
  constexpr std::string_view separator = ", ";
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < max_names; ++i) {
    if (i != 0) out += separator;
    out += shown(names[i]);
  }
  if (names.size() > max_names) out += std::string(separator) + "...";
  return out.empty() ? std::string("none") : out;
}

const char* provider_name(Provider p) {
  switch (p) {
    case Provider::kAws:
      return "aws";
    case Provider::kHuawei:
      return "huawei";
    case Provider::kE2e:
      return "e2e";
  }
  return "aws";
}

unsigned provider_bit(Provider p) {
  switch (p) {
    case Provider::kAws:
      return kAwsBit;
    case Provider::kHuawei:
      return kHuaweiBit;
    case Provider::kE2e:
      return kE2eBit;
  }
  return kAwsBit;
}

// "a huawei key", "an aws or e2e key".
std::string providers_phrase(unsigned mask) {
  std::vector<std::string> names;
  if (mask & kAwsBit) names.emplace_back("aws");
  if (mask & kHuaweiBit) names.emplace_back("huawei");
  if (mask & kE2eBit) names.emplace_back("e2e");
  std::string out = names.empty() || names[0] == "huawei" ? "a " : "an ";
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i != 0) out += " or ";
    out += names[i];
  }
  return out;
}

std::string cidr_text(const net::IpRange& r) { return net::format_range(r.family, r.range); }
std::string address_text(const net::IpAddress& a) { return net::format_address(a.family, a.bits); }

std::string cidrs_text(const std::vector<net::IpRange>& cidrs) {
  std::vector<std::string> parts;
  for (const auto& c : cidrs) parts.push_back(cidr_text(c));
  return join(parts);
}

bool overlaps(const net::IpRange& a, const net::IpRange& b) {
  return a.family == b.family && a.range.lo <= b.range.hi && b.range.lo <= a.range.hi;
}
bool within(const net::IpRange& inner, const net::IpRange& outer) {
  return inner.family == outer.family && outer.range.lo <= inner.range.lo && inner.range.hi <= outer.range.hi;
}
bool any_contains(const std::vector<net::IpRange>& cidrs, const net::IpAddress& a) {
  return std::any_of(cidrs.begin(), cidrs.end(),
                     [&](const net::IpRange& c) { return c.family == a.family && c.range.contains(a.bits); });
}

const char* node_kind(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return "a value";
    case YAML::NodeType::Null:
      return "nothing";
    case YAML::NodeType::Undefined:
      return "nothing";
  }
  return "nothing";
}

// The value of the first `key` of map `map`, without yaml-cpp's operator[] (which never
// fails but may add the key). Note: YAML::Node's operator= rebinds or rewrites the node it
// refers to, so this file copy-constructs nodes and never assigns them.
std::optional<YAML::Node> value_of(const YAML::Node& map, std::string_view key) {
  for (YAML::const_iterator it = map.begin(); it != map.end(); ++it) {
    if (it->first.IsScalar() && it->first.Scalar() == key) return YAML::Node(it->second);
  }
  return std::nullopt;
}

// A key allowed in a map: for which providers, and what to say when it is used elsewhere
// (empty: "'key' is a <providers> key (provider is X)").
struct KeySpec {
  KeySpec(std::string key, unsigned allowed_for = kAllProviders, std::string refusal_message = {})  // NOLINT: implicit
      : name(std::move(key)), providers(allowed_for), refusal(std::move(refusal_message)) {}
  std::string name;
  unsigned providers;
  std::string refusal;
};

struct Field {
  std::string key;
  YAML::Node key_node;
  YAML::Node value;
};

// A map whose keys have been checked.
struct Fields {
  explicit Fields(const YAML::Node& map) : node(map) {}
  YAML::Node node;
  std::vector<Field> list;
  const Field* get(std::string_view key) const {
    for (const Field& f : list) {
      if (f.key == key) return &f;
    }
    return nullptr;
  }
  bool has(std::string_view key) const { return get(key) != nullptr; }
};

// The names of one kind of object, in definition order, and their indices.
struct Names {
  std::string kind;  // "subnet", "security group", ...
  std::unordered_map<std::string, std::uint32_t> index;
  std::vector<std::string> order;
  std::uint32_t find(const std::string& name) const {
    const auto it = index.find(name);
    return it == index.end() ? kNone : it->second;
  }
};

enum class RuleKind : std::uint8_t { kGroup, kAcl };

class Loader {
 public:
  explicit Loader(std::string file) : file_(std::move(file)) { scenario_.file = file_; }

  Scenario run(const YAML::Node& root) {
    read_top(root);
    collect_ids();
    read_vpc();
    read_prefix_lists();
    read_acls();
    read_subnets();
    read_groups();
    read_instances();
    read_load_balancers();
    read_target_groups();
    read_mtu();
    read_conntrack();
    read_events();
    return std::move(scenario_);
  }

 private:
  // ---- locations and failures ----

  Location at(const YAML::Node& n) const {
    const YAML::Mark m = n.Mark();
    return Location{file_, m.line < 0 ? 0u : static_cast<std::uint32_t>(m.line) + 1,
                    m.column < 0 ? 0u : static_cast<std::uint32_t>(m.column) + 1};
  }

  [[noreturn]] void fail(const YAML::Node& n, std::string message) const {
    const Location where = at(n);
    throw LoadFailure{net::text_error(file_, where.line, where.column, std::move(message))};
  }

  // ---- node shapes ----

  Fields check_keys(const YAML::Node& n, std::string_view what, const std::vector<KeySpec>& keys) const {
    if (!n.IsMap()) fail(n, "expected a map for " + std::string(what) + ", got " + node_kind(n));
    Fields fields(n);
    for (YAML::const_iterator it = n.begin(); it != n.end(); ++it) {
      const YAML::Node key_node = it->first;
      if (!key_node.IsScalar())
        fail(key_node, "expected a key (a word) in " + std::string(what) + ", got " + node_kind(key_node));
      const std::string key = key_node.Scalar();
      if (fields.has(key)) fail(key_node, "duplicate key '" + shown(key) + "' in " + std::string(what));
      const auto spec = std::find_if(keys.begin(), keys.end(), [&](const KeySpec& k) { return k.name == key; });
      if (spec == keys.end() || (spec->providers & provider_bit_) == 0) {
        if (spec != keys.end() && !spec->refusal.empty()) fail(key_node, spec->refusal);
        if (spec != keys.end() && spec->providers != 0)
          fail(key_node, "'" + key + "' is " + providers_phrase(spec->providers) + " key (provider is " +
                             provider_name(scenario_.provider) + ")");
        std::vector<std::string> allowed;
        for (const KeySpec& k : keys) {
          if (k.providers & provider_bit_) allowed.push_back(k.name);
        }
        fail(key_node, "unknown key '" + shown(key) + "' in " + std::string(what) +
                           " (allowed: " + join(allowed, allowed.size()) + ")");
      }
      fields.list.push_back(Field{key, key_node, it->second});
    }
    return fields;
  }

  const Field& require(const Fields& fields, std::string_view key, std::string_view what) const {
    const Field* f = fields.get(key);
    if (f == nullptr) fail(fields.node, "missing '" + std::string(key) + "' in " + std::string(what));
    return *f;
  }

  // A list's items; nothing (`key:` with no value) is an empty list.
  std::vector<YAML::Node> items(const YAML::Node& n, std::string_view what) const {
    std::vector<YAML::Node> out;
    if (n.IsNull()) return out;
    if (!n.IsSequence()) fail(n, "expected a list for " + std::string(what) + ", got " + node_kind(n));
    for (YAML::const_iterator it = n.begin(); it != n.end(); ++it) out.push_back(*it);
    return out;
  }

  // One value or a list of values.
  std::vector<YAML::Node> one_or_list(const YAML::Node& n, std::string_view what) const {
    if (n.IsSequence()) return items(n, what);
    if (!n.IsScalar()) fail(n, "expected a value or a list for " + std::string(what) + ", got " + node_kind(n));
    return {n};
  }

  std::string scalar(const YAML::Node& n, std::string_view what) const {
    if (!n.IsScalar()) fail(n, "expected a value for " + std::string(what) + ", got " + node_kind(n));
    return n.Scalar();
  }

  std::string id_of(const YAML::Node& n, std::string_view what) const {
    std::string id = scalar(n, what);
    if (id.empty()) fail(n, "empty " + std::string(what));
    return id;
  }

  // An unsigned decimal number within [lo, hi].
  std::uint64_t number(const YAML::Node& n, std::string_view what, std::uint64_t lo, std::uint64_t hi) const {
    const std::string text = scalar(n, what);
    const std::string range = "(allowed: " + std::to_string(lo) + "-" + std::to_string(hi) + ")";
    std::string_view digits = text;
    const bool negative = !digits.empty() && digits[0] == '-';
    if (negative) digits.remove_prefix(1);
    const bool all_digits =
        !digits.empty() && std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!all_digits)
      fail(n, "expected a number for " + std::string(what) + " " + range + ", got '" + shown(text) + "'");
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (negative || ec != std::errc() || end != digits.data() + digits.size() || value < lo || value > hi)
      fail(n, std::string(what) + " " + shown(text) + " is out of range " + range);
    return value;
  }

  std::uint32_t number32(const YAML::Node& n, std::string_view what, std::uint32_t lo, std::uint32_t hi) const {
    return static_cast<std::uint32_t>(number(n, what, lo, hi));
  }
  std::uint16_t port(const YAML::Node& n, std::string_view what, std::uint16_t lo = 1) const {
    return static_cast<std::uint16_t>(number(n, what, lo, 65535));
  }

  bool boolean(const YAML::Node& n, std::string_view what) const {
    const std::string text = lower(scalar(n, what));
    if (text == "true") return true;
    if (text == "false") return false;
    fail(n, "expected true or false for " + std::string(what) + ", got '" + shown(scalar(n, what)) + "'");
  }

  // One of `choices` (compared case-insensitively when `fold_case`); returns its index.
  std::size_t choice(const YAML::Node& n, std::string_view what, const std::vector<std::string>& choices,
                     bool fold_case = false) const {
    const std::string text = scalar(n, what);
    for (std::size_t i = 0; i < choices.size(); ++i) {
      if (fold_case ? lower(text) == lower(choices[i]) : text == choices[i]) return i;
    }
    fail(n, "unknown " + std::string(what) + " '" + shown(text) + "' (allowed: " + join(choices, choices.size()) + ")");
  }

  net::IpAddress address(const YAML::Node& n, std::string_view what) const {
    auto a = net::parse_address(scalar(n, what));
    if (!a) fail(n, std::string(what) + ": " + a.error().message);
    return *a;
  }

  net::IpAddress address_of_family(const YAML::Node& n, std::string_view what, net::Family family) const {
    const net::IpAddress a = address(n, what);
    if (a.family != family) {
      fail(n, std::string(what) + " " + address_text(a) + " is not an " +
                  (family == net::Family::kIpv4 ? "IPv4 address (use 'ipv6' for IPv6)" : "IPv6 address"));
    }
    return a;
  }

  net::IpRange cidr(const YAML::Node& n, std::string_view what) const {
    auto r = net::parse_prefix(scalar(n, what));
    if (!r) fail(n, std::string(what) + ": " + r.error().message);
    return *r;
  }

  std::vector<net::IpRange> cidr_list(const YAML::Node& n, std::string_view what) const {
    std::vector<net::IpRange> out;
    for (const YAML::Node& item : one_or_list(n, what)) out.push_back(cidr(item, what));
    return out;
  }

  std::uint32_t resolve(const YAML::Node& n, const Names& names) const {
    const std::string name = scalar(n, names.kind);
    const std::uint32_t i = names.find(name);
    if (i == kNone) fail(n, "unresolved " + names.kind + " '" + shown(name) + "' (defined: " + join(names.order) + ")");
    return i;
  }

  std::vector<GroupIndex> group_refs(const YAML::Node& n) const {
    std::vector<GroupIndex> out;
    for (const YAML::Node& item : one_or_list(n, "security_groups")) {
      const GroupIndex g = resolve(item, group_names_);
      if (std::find(out.begin(), out.end(), g) != out.end())
        fail(item, "security group " + scenario_.groups[g].id + " is listed twice");
      out.push_back(g);
    }
    return out;
  }

  // ---- top level ----

  void read_top(const YAML::Node& root) {
    if (root.IsNull() || !root.IsDefined()) {
      throw LoadFailure{net::text_error(file_, 1, 1, "empty scenario (expected a map that starts with 'pfsim: 1')")};
    }
    if (!root.IsMap())
      fail(root, std::string("expected a map (a scenario starts with 'pfsim: 1'), got ") + node_kind(root));
    // The version and the provider come first: the keys allowed everywhere depend on them.
    const std::optional<YAML::Node> version = value_of(root, "pfsim");
    const std::optional<YAML::Node> provider = value_of(root, "provider");
    if (!version) fail(root, "missing 'pfsim: 1' (the format version)");
    if (!version->IsScalar() || version->Scalar() != "1")
      fail(*version, "unsupported format version '" +
                         (version->IsScalar() ? shown(version->Scalar()) : std::string("?")) + "' (allowed: 1)");
    if (provider) {
      const std::size_t p = choice(*provider, "provider", {"aws", "huawei", "e2e"});
      scenario_.provider = p == 0 ? Provider::kAws : p == 1 ? Provider::kHuawei : Provider::kE2e;
    }
    provider_bit_ = provider_bit(scenario_.provider);

    top_.emplace(check_keys(root, "the scenario",
                            {{"pfsim"},
                             {"provider"},
                             {"name"},
                             {"network", kAwsBit},
                             {"vpc"},
                             {"subnets"},
                             // E2E Networks documents security groups only (docs.e2enetworks.com,
                             // "Security Groups"); it has no network ACLs.
                             {"network_acls", kAwsBit | kHuaweiBit,
                              "network_acls are not available on e2e (E2E Networks documents security groups only, "
                              "no network ACLs)"},
                             {"security_groups"},
                             {"prefix_lists"},
                             {"instances"},
                             {"load_balancers"},
                             {"target_groups"},
                             {"mtu"},
                             {"conntrack"},
                             {"events"},
                             {"options"}}));
    if (const Field* f = top_->get("name")) scenario_.name = scalar(f->value, "name");
    if (const Field* f = top_->get("network")) {
      // Extension: EC2-Classic, where Classic LBs use the source group amazon-elb/amazon-elb-sg
      // (ELB Classic guide, "Security groups for load balancers in EC2-Classic").
      scenario_.ec2_classic = choice(f->value, "network", {"vpc", "ec2-classic"}) == 1;
    }
    if (scenario_.ec2_classic) {
      for (const char* key : {"vpc", "subnets", "network_acls"}) {
        if (const Field* f = top_->get(key))
          fail(f->key_node,
               "'" + std::string(key) + "' cannot be used with network: ec2-classic (EC2-Classic has no VPC)");
      }
    }
    if (const Field* f = top_->get("options")) {
      const Fields options = check_keys(f->value, "options", {{"huawei_group_order", kHuaweiBit}});
      if (const Field* order = options.get("huawei_group_order")) {
        // Huawei documents both: binding order first (VPC guide, "Security group overview")
        // and a union of the groups (Flexus guide); DESIGN.md §3 makes it an option.
        scenario_.huawei_union = choice(order->value, "huawei_group_order", {"binding", "union"}) == 1;
      }
    }
  }

  // The objects of one top-level list: each must be a map with an `id`.
  void collect(std::string_view key, Names& names, std::vector<std::pair<std::string, YAML::Node>>& out) {
    const Field* f = top_->get(key);
    if (f == nullptr) return;
    for (const YAML::Node& item : items(f->value, key)) {
      if (!item.IsMap()) fail(item, "expected a map for " + names.kind + ", got " + node_kind(item));
      const std::optional<YAML::Node> id_node = value_of(item, "id");
      if (!id_node) fail(item, "missing 'id' in " + names.kind);
      const std::string id = id_of(*id_node, names.kind + " id");
      if (names.index.count(id) != 0) fail(*id_node, "duplicate " + names.kind + " id '" + shown(id) + "'");
      names.index.emplace(id, static_cast<std::uint32_t>(names.order.size()));
      names.order.push_back(id);
      out.emplace_back(id, item);
    }
  }

  void collect_ids() {
    collect("prefix_lists", prefix_list_names_, prefix_list_nodes_);
    collect("network_acls", acl_names_, acl_nodes_);
    collect("subnets", subnet_names_, subnet_nodes_);
    collect("security_groups", group_names_, group_nodes_);
    collect("instances", instance_names_, instance_nodes_);
    collect("load_balancers", lb_names_, lb_nodes_);
    collect("target_groups", tg_names_, tg_nodes_);
    for (const auto& [id, node] : prefix_list_nodes_) {
      if (group_names_.find(id) != kNone)
        fail(node, "'" + shown(id) + "' is both a security group and a prefix list id");
    }
    for (const auto& [id, node] : group_nodes_) {
      if (id == "anywhere" || id == kElbSourceGroup) fail(node, "'" + id + "' is a reserved name (choose another id)");
    }
    for (const auto& [id, node] : prefix_list_nodes_) {
      if (id == "anywhere" || id == kElbSourceGroup) fail(node, "'" + id + "' is a reserved name (choose another id)");
    }
    for (const auto& [id, node] : acl_nodes_) {
      scenario_.acls.push_back(NetworkAcl{id, at(node), {}, {}});
    }
    for (const auto& [id, node] : subnet_nodes_) {
      Subnet s;
      s.id = id;
      s.where = at(node);
      scenario_.subnets.push_back(std::move(s));
    }
    for (const auto& [id, node] : group_nodes_) {
      SecurityGroup g;
      g.id = id;
      g.where = at(node);
      scenario_.groups.push_back(std::move(g));
    }
    // E2E Networks: an "Allow All Traffic" group exists for troubleshooting (DESIGN.md §3, from
    // docs.e2enetworks.com "Security Groups"); usable by id unless the file defines its own.
    if (scenario_.provider == Provider::kE2e && group_names_.find("allow-all") == kNone) {
      SecurityGroup g;
      g.id = "allow-all";
      g.where = Location{file_, 0, 0};
      g.allow_all = true;
      for (Direction d : {Direction::kInbound, Direction::kOutbound}) {
        FilterRule r;
        r.where = g.where;
        r.peer = anywhere_peer("anywhere");
        r.text = d == Direction::kInbound ? "all from anywhere" : "all to anywhere";
        (d == Direction::kInbound ? g.inbound : g.outbound).push_back(std::move(r));
      }
      group_names_.index.emplace(g.id, static_cast<std::uint32_t>(scenario_.groups.size()));
      group_names_.order.push_back(g.id);
      scenario_.groups.push_back(std::move(g));
    }
  }

  // ---- vpc, prefix lists, subnets ----

  void read_vpc() {
    if (scenario_.ec2_classic) return;
    const Field* f = top_->get("vpc");
    if (f == nullptr) fail(top_->node, "missing 'vpc' (with its cidr; only network: ec2-classic has no VPC)");
    const Fields vpc = check_keys(f->value, "vpc", {{"cidr"}});
    const Field& c = require(vpc, "cidr", "vpc");
    const std::vector<YAML::Node> nodes = one_or_list(c.value, "vpc cidr");
    if (nodes.empty()) fail(c.value, "vpc cidr: expected at least one CIDR");
    for (const YAML::Node& n : nodes) {
      const net::IpRange r = cidr(n, "vpc cidr");
      for (const net::IpRange& other : scenario_.vpc_cidrs) {
        if (overlaps(r, other)) fail(n, "VPC CIDRs " + cidr_text(other) + " and " + cidr_text(r) + " overlap");
      }
      scenario_.vpc_cidrs.push_back(r);
    }
  }

  void read_prefix_lists() {
    for (const auto& [id, node] : prefix_list_nodes_) {
      const Fields fields = check_keys(node, "prefix list", {{"id"}, {"cidrs"}, {"description"}});
      PrefixList list;
      list.id = id;
      list.where = at(node);
      list.cidrs = cidr_list(require(fields, "cidrs", "prefix list").value, "prefix list cidr");
      scenario_.prefix_lists.push_back(std::move(list));
    }
  }

  void read_subnets() {
    std::vector<KeySpec> keys = {{"id"},
                                 {"cidr"},
                                 {"network_acl", kAwsBit | kHuaweiBit,
                                  "'network_acl' is not available on e2e (E2E Networks has no network ACLs)"},
                                 {"description"}};
    for (std::size_t i = 0; i < subnet_nodes_.size(); ++i) {
      const YAML::Node& node = subnet_nodes_[i].second;
      const Fields fields = check_keys(node, "subnet", keys);
      Subnet& subnet = scenario_.subnets[i];
      const Field& c = require(fields, "cidr", "subnet");
      const std::vector<YAML::Node> nodes = one_or_list(c.value, "subnet cidr");
      if (nodes.empty()) fail(c.value, "subnet cidr: expected at least one CIDR");
      for (const YAML::Node& n : nodes) {
        const net::IpRange r = cidr(n, "subnet cidr");
        // A subnet's CIDR blocks are carved from its VPC's (VPC guide, "Subnet CIDR blocks").
        if (std::none_of(scenario_.vpc_cidrs.begin(), scenario_.vpc_cidrs.end(),
                         [&](const net::IpRange& v) { return within(r, v); }))
          fail(n, "subnet " + subnet.id + " CIDR " + cidr_text(r) + " is outside the VPC (" +
                      cidrs_text(scenario_.vpc_cidrs) + ")");
        for (const net::IpRange& mine : subnet.cidrs) {
          if (overlaps(r, mine))
            fail(n, "subnet " + subnet.id + " lists overlapping CIDRs " + cidr_text(mine) + " and " + cidr_text(r));
        }
        for (std::size_t j = 0; j < i; ++j) {
          for (const net::IpRange& theirs : scenario_.subnets[j].cidrs) {
            if (overlaps(r, theirs))
              fail(n, "subnets " + scenario_.subnets[j].id + " (" + cidr_text(theirs) + ") and " + subnet.id + " (" +
                          cidr_text(r) + ") overlap");
          }
        }
        subnet.cidrs.push_back(r);
      }
      // No network_acl: the VPC default ACL, which allows all (VPC guide, "Default network ACL").
      if (const Field* a = fields.get("network_acl")) subnet.acl = resolve(a->value, acl_names_);
    }
  }

  // ---- rules ----

  static Peer anywhere_peer(std::string written) {
    Peer p;
    p.kind = Peer::Kind::kCidrs;
    p.cidrs = {net::IpRange{net::Family::kIpv4, net::AddressRange::any(net::Family::kIpv4)},
               net::IpRange{net::Family::kIpv6, net::AddressRange::any(net::Family::kIpv6)}};
    p.anywhere = true;
    p.written = std::move(written);
    return p;
  }

  static bool looks_like_address(std::string_view s) {
    return !s.empty() && (s.find('/') != std::string_view::npos || s.find(':') != std::string_view::npos ||
                          (s[0] >= '0' && s[0] <= '9'));
  }

  Peer cidr_peer(const YAML::Node& n, const std::string& text) const {
    auto r = net::parse_prefix(text);
    if (!r) fail(n, r.error().message);
    Peer p;
    p.kind = Peer::Kind::kCidrs;
    p.cidrs = {*r};
    p.anywhere = r->range == net::AddressRange::any(r->family);  // 0.0.0.0/0 or ::/0
    p.written = text;
    return p;
  }

  Peer group_rule_peer(const YAML::Node& n) const {
    if (n.IsMap()) {
      // E2E Networks rules name a network by "First IP" and "Size" (docs.e2enetworks.com,
      // "Security Groups"); pfsim reads Size as a prefix length (DESIGN.md §3).
      if (scenario_.provider != Provider::kE2e)
        fail(n, std::string("{first_ip, size} peers are an e2e form (provider is ") +
                    provider_name(scenario_.provider) + "; write a CIDR)");
      const Fields fields = check_keys(n, "peer", {{"first_ip"}, {"size"}});
      const Field& first = require(fields, "first_ip", "peer");
      const Field& size_field = require(fields, "size", "peer");
      const net::IpAddress a = address(first.value, "first_ip");
      const auto length =
          static_cast<unsigned>(number(size_field.value, "size (a prefix length)", 0, net::address_bits(a.family)));
      const net::AddressRange block = net::prefix_range(a.family, a.bits, length);
      if (block.lo != a.bits)
        fail(first.value, "first_ip " + address_text(a) + " is not the first address of a /" + std::to_string(length) +
                              " (did you mean " + net::format_address(a.family, block.lo) + "?)");
      Peer p;
      p.cidrs = {net::IpRange{a.family, block}};
      p.anywhere = length == 0;
      p.written = net::format_range(a.family, block);
      return p;
    }
    const std::string text = scalar(n, "peer");
    if (text == "anywhere") return anywhere_peer(text);
    if (text == kElbSourceGroup) {
      if (scenario_.provider != Provider::kAws)
        fail(n, "'" + text + "' is an aws built-in (provider is " + provider_name(scenario_.provider) + ")");
      Peer p;
      p.kind = Peer::Kind::kElbSourceGroup;
      p.written = text;
      return p;
    }
    if (const GroupIndex g = group_names_.find(text); g != kNone) {
      Peer p;
      p.kind = Peer::Kind::kGroup;
      p.group = g;
      p.written = text;
      return p;
    }
    if (const std::uint32_t l = prefix_list_names_.find(text); l != kNone) {
      Peer p;
      p.kind = Peer::Kind::kCidrs;
      p.cidrs = scenario_.prefix_lists[l].cidrs;
      p.written = text;
      return p;
    }
    if (looks_like_address(text)) return cidr_peer(n, text);
    if (prefix_list_names_.order.empty())
      fail(n, "unresolved security group '" + shown(text) + "' (defined: " + join(group_names_.order) + ")");
    fail(n, "unresolved security group or prefix list '" + shown(text) + "' (security groups: " +
                join(group_names_.order) + "; prefix lists: " + join(prefix_list_names_.order) + ")");
  }

  Peer acl_rule_peer(const YAML::Node& n) const {
    if (!n.IsScalar()) fail(n, std::string("expected a CIDR or anywhere, got ") + node_kind(n));
    const std::string text = n.Scalar();
    if (text == "anywhere") return anywhere_peer(text);
    // Network ACL entries match a CidrBlock or Ipv6CidrBlock only (EC2 API reference,
    // CreateNetworkAclEntry): no groups, no prefix lists.
    if (group_names_.find(text) != kNone)
      fail(n, "'" + shown(text) + "' is a security group: network ACL rules match a CIDR or anywhere only");
    if (prefix_list_names_.find(text) != kNone)
      fail(n, "'" + shown(text) + "' is a prefix list: network ACL rules match a CIDR or anywhere only");
    if (!looks_like_address(text)) fail(n, "'" + shown(text) + "' is not a CIDR (allowed: a CIDR or anywhere)");
    return cidr_peer(n, text);
  }

  static std::string protocol_text(const ProtocolSpec& p) { return p.any ? "all" : net::protocol_name(p.number); }

  static std::string ports_text(const std::vector<net::PortRange>& ports) {
    if (ports.empty()) return "0-65535";
    std::string out;
    for (const net::PortRange& r : ports) {
      if (!out.empty()) out += ',';
      out += std::to_string(r.lo);
      if (r.hi != r.lo) out += "-" + std::to_string(r.hi);
    }
    return out;
  }

  // "tcp 80,8080", "icmp type 3 code 4", "all".
  static std::string match_text(const FilterRule& r) {
    std::string out = protocol_text(r.protocol);
    if (!r.protocol.any && net::is_tcp_or_udp(r.protocol.number))
      out += " " + ports_text(r.ports);
    if (r.icmp && r.icmp->type) {
      out += " type " + std::to_string(*r.icmp->type);
      if (r.icmp->code) out += " code " + std::to_string(*r.icmp->code);
    }
    return out;
  }

  ProtocolSpec protocol(const YAML::Node& n) const {
    const std::string text = lower(scalar(n, "protocol"));
    // IpProtocol: tcp, udp, icmp, icmpv6, a number, or -1 for all (EC2 API reference, IpPermission).
    if (text == "all" || text == "-1") return ProtocolSpec{};
    const std::optional<std::uint8_t> named = net::protocol_number(text);
    if (named && (net::is_tcp_or_udp(*named) || net::is_icmp(*named))) return ProtocolSpec{false, *named};
    if (!text.empty() && text[0] >= '0' && text[0] <= '9')
      return ProtocolSpec{false, static_cast<std::uint8_t>(number(n, "protocol number", 0, 255))};
    fail(n, "unknown protocol '" + shown(scalar(n, "protocol")) +
                "' (allowed: tcp, udp, icmp, icmpv6, all, -1, or a number 0-255)");
  }

  net::PortRange port_range(const YAML::Node& n) const {
    std::string text = scalar(n, "ports");
    const auto trim = [](std::string s) {
      const auto first = s.find_first_not_of(' ');
      const auto last = s.find_last_not_of(' ');
      return first == std::string::npos ? std::string() : s.substr(first, last - first + 1);
    };
    if (lower(text) == "all") fail(n, "'all' cannot be combined with other ports (write ports: all)");
    const auto dash = text.find('-', 1);
    const auto bound = [&](const std::string& part) -> std::uint16_t {
      const std::string t = trim(part);
      const bool digits = !t.empty() && std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (!digits) fail(n, "expected a port 0-65535 or a range a-b in ports, got '" + shown(text) + "'");
      std::uint64_t v = 0;
      const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
      if (ec != std::errc() || end != t.data() + t.size() || v > 65535)
        fail(n, "port " + shown(t) + " is out of range (allowed: 0-65535)");
      return static_cast<std::uint16_t>(v);
    };
    if (dash == std::string::npos) return net::PortRange::single(bound(text));
    const std::uint16_t lo = bound(text.substr(0, dash));
    const std::uint16_t hi = bound(text.substr(dash + 1));
    if (lo > hi) fail(n, "port range " + std::to_string(lo) + "-" + std::to_string(hi) + " is empty");
    return net::PortRange{lo, hi};
  }

  std::vector<net::PortRange> ports(const YAML::Node& n) const {
    if (n.IsScalar() && lower(n.Scalar()) == "all") return {};
    std::vector<net::PortRange> out;
    const std::vector<YAML::Node> list = one_or_list(n, "ports");
    if (list.empty()) fail(n, "ports: expected at least one port (or all)");
    for (const YAML::Node& item : list) out.push_back(port_range(item));
    return out;
  }

  // protocol, ports, icmp: shared by group and ACL rules.
  void read_match(const Fields& fields, FilterRule& rule) const {
    if (const Field* f = fields.get("protocol")) rule.protocol = protocol(f->value);
    const bool icmp_protocol = !rule.protocol.any && net::is_icmp(rule.protocol.number);
    if (const Field* f = fields.get("ports")) {
      if (rule.protocol.any) fail(f->key_node, "'ports' needs protocol tcp or udp (protocol all matches every port)");
      if (icmp_protocol)
        fail(f->key_node, "'ports' is not used with " + protocol_text(rule.protocol) + " (write icmp: {type, code})");
      // "-1 or a protocol number other than tcp, udp, icmp, or icmpv6 allows traffic on all
      // ports, regardless of any port range you specify" (EC2 API reference, IpPermission).
      if (!net::is_tcp_or_udp(rule.protocol.number))
        fail(f->key_node, "'ports' is not used with " + protocol_text(rule.protocol) +
                              ": AWS ignores port ranges for protocols other than tcp and udp (EC2 API reference, "
                              "IpPermission); remove 'ports'");
      rule.ports = ports(f->value);
    }
    if (const Field* f = fields.get("icmp")) {
      if (!icmp_protocol) fail(f->key_node, "'icmp' needs protocol icmp or icmpv6");
      // ICMP type and code; either omitted means any (FromPort/ToPort -1, EC2 API reference, IpPermission).
      const Fields icmp = check_keys(f->value, "icmp", {{"type"}, {"code"}});
      IcmpSpec spec;
      if (const Field* t = icmp.get("type"))
        spec.type = static_cast<std::uint8_t>(number(t->value, "icmp type", 0, 255));
      if (const Field* c = icmp.get("code")) {
        if (!spec.type) fail(c->key_node, "icmp code without type (if the type is any, the code must be any too)");
        spec.code = static_cast<std::uint8_t>(number(c->value, "icmp code", 0, 255));
      }
      rule.icmp = spec;
    }
  }

  static std::vector<KeySpec> rule_keys(RuleKind kind, Direction direction) {
    std::vector<KeySpec> keys;
    if (kind == RuleKind::kAcl)
      keys.push_back({"rule", kAwsBit, "'rule' is not used on huawei: huawei network ACL rules are ordered as listed"});
    keys.push_back({"protocol"});
    keys.push_back({"ports"});
    keys.push_back({"icmp"});
    if (direction == Direction::kInbound) {
      keys.push_back({"source"});
      keys.push_back(
          {"destination", 0, "'destination' is not used in an inbound rule (an inbound rule matches its source)"});
    } else {
      keys.push_back({"destination"});
      keys.push_back(
          {"source", 0, "'source' is not used in an outbound rule (an outbound rule matches its destination)"});
    }
    if (kind == RuleKind::kAcl) {
      keys.push_back({"action"});
    } else {
      // Huawei security group rules have a priority 1-100 and allow or deny (VPC guide,
      // "Security group rules"); AWS and e2e rules only allow.
      keys.push_back({"priority", kHuaweiBit});
      keys.push_back({"action", kHuaweiBit});
    }
    keys.push_back({"description"});
    return keys;
  }

  FilterRule group_rule(const YAML::Node& n, Direction direction) const {
    const Fields fields = check_keys(n, "security group rule", rule_keys(RuleKind::kGroup, direction));
    FilterRule rule;
    rule.where = at(n);
    read_match(fields, rule);
    const char* peer_key = direction == Direction::kInbound ? "source" : "destination";
    rule.peer = group_rule_peer(require(fields, peer_key, "security group rule").value);
    if (const Field* f = fields.get("priority")) rule.priority = number32(f->value, "priority", 1, 100);
    if (const Field* f = fields.get("action"))
      rule.action = choice(f->value, "action", {"allow", "deny"}) == 0 ? RuleAction::kAllow : RuleAction::kDeny;
    if (const Field* f = fields.get("description")) rule.description = scalar(f->value, "description");
    rule.text = match_text(rule) + (direction == Direction::kInbound ? " from " : " to ") + rule.peer.written;
    if (scenario_.provider == Provider::kHuawei && (rule.priority != 1 || rule.action != RuleAction::kAllow))
      rule.text +=
          " (priority " + std::to_string(rule.priority) + (rule.action == RuleAction::kDeny ? ", deny)" : ", allow)");
    return rule;
  }

  FilterRule acl_rule(const YAML::Node& n, Direction direction, std::size_t position) const {
    const Fields fields = check_keys(n, "network ACL rule", rule_keys(RuleKind::kAcl, direction));
    FilterRule rule;
    rule.where = at(n);
    if (scenario_.provider == Provider::kAws) {
      // Rule numbers 1-32766, lowest first (VPC guide, "Network ACL rules"; 32767 is the `*` rule).
      rule.number = number32(require(fields, "rule", "network ACL rule").value, "rule number", 1, 32766);
    } else {
      // Huawei ACL rules take effect in the order listed (VPC guide, "Network ACL overview").
      rule.number = static_cast<std::uint32_t>(position + 1);
    }
    read_match(fields, rule);
    const char* peer_key = direction == Direction::kInbound ? "source" : "destination";
    rule.peer = acl_rule_peer(require(fields, peer_key, "network ACL rule").value);
    rule.action = choice(require(fields, "action", "network ACL rule").value, "action", {"allow", "deny"}) == 0
                      ? RuleAction::kAllow
                      : RuleAction::kDeny;
    if (const Field* f = fields.get("description")) rule.description = scalar(f->value, "description");
    rule.text = std::string(rule.action == RuleAction::kAllow ? "allow " : "deny ") + match_text(rule) +
                (direction == Direction::kInbound ? " from " : " to ") + rule.peer.written;
    return rule;
  }

  void read_acls() {
    for (std::size_t i = 0; i < acl_nodes_.size(); ++i) {
      const Fields fields =
          check_keys(acl_nodes_[i].second, "network ACL", {{"id"}, {"inbound"}, {"outbound"}, {"description"}});
      NetworkAcl& acl = scenario_.acls[i];
      for (Direction d : {Direction::kInbound, Direction::kOutbound}) {
        const char* key = d == Direction::kInbound ? "inbound" : "outbound";
        const Field* f = fields.get(key);
        if (f == nullptr) continue;
        std::vector<FilterRule>& rules = d == Direction::kInbound ? acl.inbound : acl.outbound;
        std::map<std::uint32_t, bool> seen;
        const std::vector<YAML::Node> list = items(f->value, key);
        for (std::size_t k = 0; k < list.size(); ++k) {
          FilterRule rule = acl_rule(list[k], d, k);
          if (scenario_.provider == Provider::kAws && !seen.emplace(rule.number, true).second) {
            fail(*value_of(list[k], "rule"),
                 "duplicate rule number " + std::to_string(rule.number) + " in " + acl.id + " " + key);
          }
          rules.push_back(std::move(rule));
        }
        if (scenario_.provider == Provider::kAws) {
          std::stable_sort(rules.begin(), rules.end(),
                           [](const FilterRule& a, const FilterRule& b) { return a.number < b.number; });
        }
      }
    }
  }

  void read_groups() {
    for (std::size_t i = 0; i < group_nodes_.size(); ++i) {
      const Fields fields = check_keys(group_nodes_[i].second, "security group",
                                       {{"id"}, {"inbound"}, {"outbound"}, {"description"}, {"default", kE2eBit}});
      SecurityGroup& group = scenario_.groups[i];
      for (Direction d : {Direction::kInbound, Direction::kOutbound}) {
        const char* key = d == Direction::kInbound ? "inbound" : "outbound";
        if (const Field* f = fields.get(key)) {
          for (const YAML::Node& item : items(f->value, key))
            (d == Direction::kInbound ? group.inbound : group.outbound).push_back(group_rule(item, d));
        }
      }
      // E2E Networks: the default group is attached to every load balancer and cannot be
      // detached (DESIGN.md §3).
      if (const Field* f = fields.get("default")) group.is_default = boolean(f->value, "default");
    }
  }

  // ---- interfaces ----

  void claim_address(const YAML::Node& n, const net::IpAddress& a, const std::string& owner, bool is_public) {
    auto& used = is_public ? public_addresses_ : private_addresses_;
    const auto key = std::make_tuple(static_cast<int>(a.family), a.bits.hi, a.bits.lo);
    const auto [it, inserted] = used.emplace(key, owner);
    if (!inserted)
      fail(n, std::string(is_public ? "public" : "private") + " address " + address_text(a) + " of " + owner +
                  " is already used by " + it->second);
  }

  void check_in_subnet(const YAML::Node& n, const net::IpAddress& a, SubnetIndex s) const {
    if (s == kNone) return;
    const Subnet& subnet = scenario_.subnets[s];
    if (!any_contains(subnet.cidrs, a))
      fail(n, address_text(a) + " is outside subnet " + subnet.id + " (" + cidrs_text(subnet.cidrs) + ")");
  }

  void read_instances() {
    std::vector<KeySpec> keys = {{"id"},        {"subnet"},          {"ip"},         {"ipv6"},
                                 {"public_ip"}, {"security_groups"}, {"description"}};
    if (scenario_.ec2_classic)
      keys[1].refusal = "'subnet' cannot be used with network: ec2-classic (EC2-Classic has no subnets)";
    if (scenario_.ec2_classic) keys[1].providers = 0;
    for (const auto& [id, node] : instance_nodes_) {
      const Fields fields = check_keys(node, "instance", keys);
      Interface eni;
      eni.kind = Interface::Kind::kInstance;
      eni.id = id;
      eni.where = at(node);
      if (!scenario_.ec2_classic) eni.subnet = resolve(require(fields, "subnet", "instance").value, subnet_names_);
      if (const Field* f = fields.get("ip")) {
        eni.ipv4 = address_of_family(f->value, "ip", net::Family::kIpv4);
        check_in_subnet(f->value, *eni.ipv4, eni.subnet);
        claim_address(f->value, *eni.ipv4, id, false);
      }
      if (const Field* f = fields.get("ipv6")) {
        eni.ipv6 = address_of_family(f->value, "ipv6", net::Family::kIpv6);
        check_in_subnet(f->value, *eni.ipv6, eni.subnet);
        claim_address(f->value, *eni.ipv6, id, false);
      }
      if (!eni.ipv4 && !eni.ipv6) fail(node, "instance " + id + " needs 'ip' or 'ipv6' (its private address)");
      if (const Field* f = fields.get("public_ip")) {
        eni.public_ip = address(f->value, "public_ip");
        claim_address(f->value, *eni.public_ip, id, true);
      }
      if (const Field* f = fields.get("security_groups")) eni.groups = group_refs(f->value);
      scenario_.interfaces.push_back(std::move(eni));
    }
  }

  // ---- load balancers ----

  AppProtocol app_protocol(const YAML::Node& n, std::string_view what, bool health_check) const {
    std::vector<std::string> names = {"HTTP", "HTTPS", "TCP", "UDP", "TCP_UDP", "TLS"};
    std::vector<AppProtocol> values = {AppProtocol::kHttp, AppProtocol::kHttps,  AppProtocol::kTcp,
                                       AppProtocol::kUdp,  AppProtocol::kTcpUdp, AppProtocol::kTls};
    if (health_check) {
      const std::string text = lower(scalar(n, what));
      // "TLS, UDP, TCP_UDP and GENEVE are not supported for health checks" (ELB API reference,
      // API_CreateTargetGroup, HealthCheckProtocol).
      if (scenario_.provider == Provider::kAws && (text == "tls" || text == "udp" || text == "tcp_udp"))
        fail(n, "health-check protocol " + shown(scalar(n, what)) +
                    " is not supported on aws (allowed: HTTP, HTTPS, TCP; ELB API reference, API_CreateTargetGroup)");
      names = {"HTTP", "HTTPS", "TCP"};
      values = {AppProtocol::kHttp, AppProtocol::kHttps, AppProtocol::kTcp};
      if (scenario_.provider == Provider::kHuawei) {
        // Huawei health checks: TCP, HTTP, HTTPS or UDP_CONNECT (ELB guide, "Health check").
        names.emplace_back("UDP_CONNECT");
        values.push_back(AppProtocol::kUdpConnect);
      }
    }
    return values[choice(n, what, names, true)];
  }

  void read_load_balancers() {
    const bool huawei = scenario_.provider == Provider::kHuawei;
    for (std::size_t lb_index = 0; lb_index < lb_nodes_.size(); ++lb_index) {
      const auto& [id, node] = lb_nodes_[lb_index];
      std::vector<KeySpec> keys = {{"id"},
                                   {"type"},
                                   {"scheme"},
                                   {"security_groups"},
                                   {"nodes"},
                                   {"listeners"},
                                   {"clients"},
                                   {"backend_subnet", kHuaweiBit},
                                   {"ip_as_backend", kHuaweiBit},
                                   {"description"}};
      const Fields fields = check_keys(node, "load balancer", keys);
      LoadBalancer lb;
      lb.id = id;
      lb.where = at(node);
      const auto lb_i = static_cast<LbIndex>(lb_index);
      switch (scenario_.provider) {
        case Provider::kAws: {
          const std::size_t t = choice(require(fields, "type", "load balancer").value, "load balancer type",
                                       {"application", "network", "classic"});
          lb.type = t == 0 ? LbType::kApplication : t == 1 ? LbType::kNetwork : LbType::kClassic;
          break;
        }
        case Provider::kHuawei: {
          const std::size_t t =
              choice(require(fields, "type", "load balancer").value, "load balancer type", {"dedicated", "shared"});
          lb.type = t == 0 ? LbType::kHuaweiDedicated : LbType::kHuaweiShared;
          break;
        }
        case Provider::kE2e:
          if (const Field* f = fields.get("type")) choice(f->value, "load balancer type", {"e2e"});
          lb.type = LbType::kE2e;
          break;
      }
      if (const Field* f = fields.get("scheme"))
        lb.internet_facing = choice(f->value, "scheme", {"internet-facing", "internal"}) == 0;
      if (scenario_.ec2_classic) {
        if (lb.type != LbType::kClassic)
          fail(require(fields, "type", "load balancer").value, "network: ec2-classic has classic load balancers only");
        if (!lb.internet_facing)
          fail(fields.get("scheme")->value, "internal load balancers need a VPC (network: ec2-classic)");
        // In EC2-Classic the nodes are in the source group amazon-elb/amazon-elb-sg (ELB Classic
        // guide, "Security groups for load balancers in EC2-Classic"); no groups are attached.
        if (const Field* f = fields.get("security_groups"))
          fail(f->key_node,
               "a load balancer in EC2-Classic has no security groups (its nodes are in amazon-elb/amazon-elb-sg)");
      }
      if (const Field* f = fields.get("security_groups")) lb.groups = group_refs(f->value);
      if (scenario_.provider == Provider::kE2e) {
        for (std::size_t g = 0; g < scenario_.groups.size(); ++g) {
          const auto gi = static_cast<GroupIndex>(g);
          if (scenario_.groups[g].is_default && std::find(lb.groups.begin(), lb.groups.end(), gi) == lb.groups.end())
            lb.groups.push_back(gi);
        }
      }
      const bool dedicated = lb.type == LbType::kHuaweiDedicated;
      if (huawei && !dedicated) {
        // A shared ELB reaches backends from 100.125.0.0/16 (ELB guide, "Security group rules
        // for backend servers"): no backend subnet, no "IP as backend".
        for (const char* key : {"backend_subnet", "ip_as_backend"}) {
          if (const Field* f = fields.get(key))
            fail(f->key_node,
                 "'" + std::string(key) +
                     "' is for dedicated load balancers (a shared ELB reaches backends from 100.125.0.0/16)");
        }
      }
      if (const Field* f = fields.get("ip_as_backend")) lb.ip_as_backend = boolean(f->value, "ip_as_backend");

      // Nodes: one per enabled subnet (ELB guides, "Availability Zones and subnets").
      std::vector<KeySpec> node_keys = {{"subnet"}, {"ip"}, {"public_ip"}, {"ipv6"}, {"backend_ip", kHuaweiBit}};
      if (scenario_.ec2_classic)
        node_keys[0] = {"subnet", 0, "'subnet' cannot be used with network: ec2-classic (EC2-Classic has no subnets)"};
      std::vector<std::pair<InterfaceIndex, YAML::Node>> backend_ips;
      const std::vector<YAML::Node> node_list = items(require(fields, "nodes", "load balancer").value, "nodes");
      if (node_list.empty())
        fail(require(fields, "nodes", "load balancer").value, "load balancer " + id + " needs at least one node");
      for (std::size_t k = 0; k < node_list.size(); ++k) {
        const YAML::Node& n = node_list[k];
        const Fields nf = check_keys(n, "load balancer node", node_keys);
        Interface eni;
        eni.kind = Interface::Kind::kLbNode;
        eni.where = at(n);
        eni.lb = lb_i;
        eni.groups = lb.groups;
        std::string where_name;
        if (scenario_.ec2_classic) {
          where_name = std::to_string(k + 1);
        } else {
          const Field& s = require(nf, "subnet", "load balancer node");
          eni.subnet = resolve(s.value, subnet_names_);
          where_name = scenario_.subnets[eni.subnet].id;
          for (InterfaceIndex other : lb.nodes) {
            if (scenario_.interfaces[other].subnet == eni.subnet)
              fail(s.value,
                   "load balancer " + id + " has two nodes in subnet " + where_name + " (one node per subnet)");
          }
        }
        eni.id = id + "/" + where_name;
        eni.ipv4 = address_of_family(require(nf, "ip", "load balancer node").value, "ip", net::Family::kIpv4);
        check_in_subnet(nf.get("ip")->value, *eni.ipv4, eni.subnet);
        claim_address(nf.get("ip")->value, *eni.ipv4, eni.id, false);
        if (const Field* f = nf.get("ipv6")) {
          eni.ipv6 = address_of_family(f->value, "ipv6", net::Family::kIpv6);
          check_in_subnet(f->value, *eni.ipv6, eni.subnet);
          claim_address(f->value, *eni.ipv6, eni.id, false);
        }
        if (const Field* f = nf.get("public_ip")) {
          if (!lb.internet_facing)
            fail(f->key_node, "the nodes of internal load balancer " + id + " have no public_ip");
          eni.public_ip = address(f->value, "public_ip");
          claim_address(f->value, *eni.public_ip, eni.id, true);
        } else if (lb.internet_facing && scenario_.provider == Provider::kAws) {
          // An internet-facing node has a public address (ELB guides, "Load balancer scheme").
          fail(n, "node " + eni.id + " of internet-facing load balancer " + id + " needs a public_ip");
        }
        if (const Field* f = nf.get("backend_ip")) {
          if (!dedicated) fail(f->key_node, "'backend_ip' is for dedicated load balancers");
          eni.backend_ip = address_of_family(f->value, "backend_ip", net::Family::kIpv4);
          backend_ips.emplace_back(static_cast<InterfaceIndex>(scenario_.interfaces.size()), f->value);
        }
        lb.nodes.push_back(static_cast<InterfaceIndex>(scenario_.interfaces.size()));
        scenario_.interfaces.push_back(std::move(eni));
      }

      if (dedicated) {
        // A dedicated ELB reaches backends from its backend subnet, by default the LB's own
        // subnet (ELB guide, "Security group rules for backend servers").
        const Field* bs = fields.get("backend_subnet");
        lb.backend_subnet =
            bs != nullptr ? resolve(bs->value, subnet_names_) : scenario_.interfaces[lb.nodes.front()].subnet;
        const Subnet& backend = scenario_.subnets[lb.backend_subnet];
        for (const auto& [eni_index, value] : backend_ips)
          check_in_subnet(value, *scenario_.interfaces[eni_index].backend_ip, lb.backend_subnet);
        const auto v4 = std::find_if(backend.cidrs.begin(), backend.cidrs.end(),
                                     [](const net::IpRange& c) { return c.family == net::Family::kIpv4; });
        for (InterfaceIndex ni : lb.nodes) {
          Interface& eni = scenario_.interfaces[ni];
          if (eni.backend_ip) continue;
          if (eni.subnet == lb.backend_subnet) {
            eni.backend_ip = eni.ipv4;
          } else {
            if (v4 == backend.cidrs.end())
              fail(bs != nullptr ? bs->value : node, "backend subnet " + backend.id + " has no IPv4 CIDR");
            // pfsim's stand-in for the address the ELB takes in the backend subnet: the
            // second-to-last address (the last is the broadcast address).
            const net::Ip128 hi = v4->range.hi;
            eni.backend_ip =
                net::IpAddress{net::Family::kIpv4, hi.lo > v4->range.lo.lo ? net::Ip128{0, hi.lo - 1} : hi};
          }
        }
      }

      if (const Field* f = fields.get("listeners")) {
        for (const YAML::Node& n : items(f->value, "listeners")) lb.listeners.push_back(listener(n, lb));
      }
      if (const Field* f = fields.get("clients")) {
        lb.clients = cidr_list(f->value, "clients");
      } else if (lb.internet_facing) {
        // Documentation addresses (RFC 5737, RFC 3849) stand for "a client on the internet".
        lb.clients = {*net::parse_prefix("192.0.2.1/32"), *net::parse_prefix("2001:db8::1/128")};
      } else {
        lb.clients = scenario_.vpc_cidrs;
      }
      scenario_.lbs.push_back(std::move(lb));
    }
  }

  Listener listener(const YAML::Node& n, const LoadBalancer& lb) const {
    const Fields fields =
        check_keys(n, "listener", {{"protocol"}, {"port"}, {"target_group"}, {"instance_port"}, {"description"}});
    Listener l;
    l.where = at(n);
    const Field& p = require(fields, "protocol", "listener");
    l.protocol = app_protocol(p.value, "listener protocol", false);
    // Listener protocols per type: ALB HTTP/HTTPS ("Listeners for your Application Load
    // Balancers"), NLB TCP/TLS/UDP/TCP_UDP ("Listeners for your Network Load Balancers"),
    // CLB HTTP/HTTPS/TCP/SSL ("Listeners for your Classic Load Balancer").
    const bool ok = [&] {
      switch (lb.type) {
        case LbType::kApplication:
          return l.protocol == AppProtocol::kHttp || l.protocol == AppProtocol::kHttps;
        case LbType::kNetwork:
          return l.protocol == AppProtocol::kTcp || l.protocol == AppProtocol::kTls ||
                 l.protocol == AppProtocol::kUdp || l.protocol == AppProtocol::kTcpUdp;
        case LbType::kClassic:
          return l.protocol == AppProtocol::kHttp || l.protocol == AppProtocol::kHttps ||
                 l.protocol == AppProtocol::kTcp || l.protocol == AppProtocol::kTls;
        default:
          return true;
      }
    }();
    if (!ok) {
      const char* allowed = lb.type == LbType::kApplication ? "HTTP, HTTPS"
                            : lb.type == LbType::kNetwork   ? "TCP, TLS, UDP, TCP_UDP"
                                                            : "HTTP, HTTPS, TCP, TLS";
      fail(p.value, "listener protocol " + shown(p.value.Scalar()) + " is not available on " +
                        (lb.type == LbType::kApplication ? "an application"
                         : lb.type == LbType::kNetwork   ? "a network"
                                                         : "a classic") +
                        " load balancer (allowed: " + allowed + ")");
    }
    const Field& port_field = require(fields, "port", "listener");
    l.port = port(port_field.value, "listener port");
    for (const Listener& other : lb.listeners) {
      if (other.port == l.port &&
          ((uses_tcp(other.protocol) && uses_tcp(l.protocol)) || (uses_udp(other.protocol) && uses_udp(l.protocol))))
        fail(port_field.value, "load balancer " + lb.id + " has two listeners on port " + std::to_string(l.port));
    }
    l.target_group = resolve(require(fields, "target_group", "listener").value, tg_names_);
    if (const Field* f = fields.get("instance_port")) {
      if (lb.type != LbType::kClassic)
        fail(f->key_node, "'instance_port' is for classic load balancers (others forward to the target group's port)");
      l.instance_port = port(f->value, "instance_port");
    }
    return l;
  }

  // ---- target groups ----

  void read_target_groups() {
    for (std::size_t tg_index = 0; tg_index < tg_nodes_.size(); ++tg_index) {
      const auto& [id, node] = tg_nodes_[tg_index];
      const Fields fields = check_keys(node, "target group",
                                       {{"id"},
                                        {"protocol"},
                                        {"port"},
                                        {"target_type"},
                                        {"health_check"},
                                        {"preserve_client_ip", kAwsBit},
                                        {"targets"},
                                        {"description"}});
      TargetGroup tg;
      tg.id = id;
      tg.where = at(node);
      tg.protocol = app_protocol(require(fields, "protocol", "target group").value, "target group protocol", false);
      tg.port = port(require(fields, "port", "target group").value, "target group port");
      if (const Field* f = fields.get("target_type"))
        tg.ip_targets = choice(f->value, "target_type", {"instance", "ip"}) == 1;
      // NLB attribute preserve_client_ip.enabled (ELB NLB guide, "Edit target group
      // attributes"); kept as written, preserves_client_ip() (engine/paths/lb_paths.h)
      // resolves the default.
      if (const Field* f = fields.get("preserve_client_ip"))
        tg.preserve_client_ip = boolean(f->value, "preserve_client_ip");
      // Health-check protocol default: HTTP for HTTP/HTTPS groups, else TCP (ELB API
      // reference, API_CreateTargetGroup, HealthCheckProtocol).
      tg.health_check.where = tg.where;
      tg.health_check.protocol = tg.protocol == AppProtocol::kHttp || tg.protocol == AppProtocol::kHttps
                                     ? AppProtocol::kHttp
                                     : AppProtocol::kTcp;
      if (const Field* f = fields.get("health_check")) read_health_check(f->value, tg.health_check);
      if (const Field* f = fields.get("targets")) {
        for (const YAML::Node& n : items(f->value, "targets")) {
          Target t = target(n, tg);
          for (const Target& other : tg.targets) {
            if (other.interface == t.interface && other.port == t.port)
              fail(n, "target " + scenario_.interfaces[t.interface].id + " is registered twice in " + id);
          }
          tg.targets.push_back(t);
        }
      }
      scenario_.target_groups.push_back(std::move(tg));
    }
  }

  void read_health_check(const YAML::Node& n, HealthCheck& hc) const {
    const Fields fields = check_keys(n, "health_check",
                                     {{"protocol"},
                                      {"port"},
                                      {"interval_s"},
                                      {"path"},
                                      {"timeout_s"},
                                      {"healthy_threshold"},
                                      {"unhealthy_threshold"}});
    hc.where = at(n);
    if (const Field* f = fields.get("protocol")) hc.protocol = app_protocol(f->value, "health-check protocol", true);
    if (const Field* f = fields.get("port")) {
      // "traffic-port" (the default): the port each target receives traffic on.
      if (f->value.IsScalar() && f->value.Scalar() == "traffic-port") {
        hc.port = 0;
      } else {
        const bool digits = f->value.IsScalar() && !f->value.Scalar().empty() && f->value.Scalar()[0] >= '0' &&
                            f->value.Scalar()[0] <= '9';
        if (!digits && f->value.IsScalar())
          fail(f->value,
               "expected a port 1-65535 or traffic-port for health_check port, got '" + shown(f->value.Scalar()) + "'");
        hc.port = port(f->value, "health_check port");
      }
    }
    // HealthCheckIntervalSeconds 5-300 (ELB API reference, API_CreateTargetGroup).
    if (const Field* f = fields.get("interval_s")) hc.interval_s = number32(f->value, "interval_s", 5, 300);
    // Accepted for completeness; the simulation does not use them.
    if (const Field* f = fields.get("path")) scalar(f->value, "path");
    if (const Field* f = fields.get("timeout_s")) number(f->value, "timeout_s", 2, 120);
    if (const Field* f = fields.get("healthy_threshold")) number(f->value, "healthy_threshold", 2, 10);
    if (const Field* f = fields.get("unhealthy_threshold")) number(f->value, "unhealthy_threshold", 2, 10);
  }

  Target target(const YAML::Node& n, const TargetGroup& tg) const {
    Target t;
    t.where = at(n);
    if (n.IsScalar()) {
      t.interface = resolve(n, instance_names_);  // instances are the first interfaces, in order
      return t;
    }
    std::vector<KeySpec> keys = {{"id"},
                                 {"ip", tg.ip_targets ? kAllProviders : 0u,
                                  "'ip' targets need target_type: ip (this group registers instances)"},
                                 {"port"}};
    const Fields fields = check_keys(n, "target", keys);
    const Field* id = fields.get("id");
    const Field* ip = fields.get("ip");
    if ((id == nullptr) == (ip == nullptr))
      fail(n, tg.ip_targets ? "a target names an instance ('id') or an address ('ip'), not both"
                            : "missing 'id' in target");
    if (id != nullptr) {
      t.interface = resolve(id->value, instance_names_);
    } else {
      const net::IpAddress a = address(ip->value, "target ip");
      t.interface = interface_at(scenario_, a);
      if (t.interface == kNone)
        fail(ip->value, "no instance or load-balancer node has the private address " + address_text(a));
    }
    if (const Field* f = fields.get("port")) t.port = port(f->value, "target port");
    return t;
  }

  // ---- settings and events ----

  void read_mtu() {
    const Field* f = top_->get("mtu");
    if (f == nullptr) return;
    const Fields fields = check_keys(f->value, "mtu", {{"vpc"}, {"internet"}});
    // 68 is the IPv4 minimum MTU (RFC 791); 65535 the largest IPv4 packet.
    if (const Field* v = fields.get("vpc")) scenario_.mtu.vpc_bytes = number32(v->value, "mtu vpc", 68, 65535);
    if (const Field* v = fields.get("internet"))
      scenario_.mtu.internet_bytes = number32(v->value, "mtu internet", 68, 65535);
  }

  void read_conntrack() {
    const Field* f = top_->get("conntrack");
    if (f == nullptr) return;
    const Fields fields = check_keys(f->value, "conntrack",
                                     {{"tcp_established_s"},
                                      {"udp_stream_s"},
                                      {"udp_s"},
                                      {"icmp_errors"},
                                      {"tcp_other_s"},
                                      {"icmp_s"},
                                      {"other_s"}});
    ConntrackConfig& c = scenario_.conntrack;
    // Ranges of TcpEstablishedTimeout (60-432000), UdpStreamTimeout (60-180) and UdpTimeout
    // (30-60): EC2 API reference, ConnectionTrackingConfiguration / ConnectionTrackingSpecificationRequest.
    if (const Field* v = fields.get("tcp_established_s"))
      c.tcp_established_s = number32(v->value, "tcp_established_s", 60, 432000);
    if (const Field* v = fields.get("udp_stream_s")) c.udp_stream_s = number32(v->value, "udp_stream_s", 60, 180);
    if (const Field* v = fields.get("udp_s")) c.udp_s = number32(v->value, "udp_s", 30, 60);
    // Not configurable on AWS (DESIGN.md §3): simulator parameters.
    if (const Field* v = fields.get("tcp_other_s")) c.tcp_other_s = number32(v->value, "tcp_other_s", 1, 432000);
    if (const Field* v = fields.get("icmp_s")) c.icmp_s = number32(v->value, "icmp_s", 1, 432000);
    if (const Field* v = fields.get("other_s")) c.other_s = number32(v->value, "other_s", 1, 432000);
    if (const Field* v = fields.get("icmp_errors"))
      c.icmp_errors_related = choice(v->value, "icmp_errors", {"related", "rules"}) == 0;
  }

  void read_events() {
    const Field* f = top_->get("events");
    if (f == nullptr) return;
    for (const YAML::Node& n : items(f->value, "events")) {
      const Fields fields = check_keys(n, "event", {{"at_s"}, {"revoke"}, {"authorize"}, {"description"}});
      Event e;
      e.where = at(n);
      const Field& at_field = require(fields, "at_s", "event");
      const std::string text = scalar(at_field.value, "at_s");
      double value = -1;
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value) || value < 0)
        fail(at_field.value, "at_s must be a number of seconds >= 0, got '" + shown(text) + "'");
      e.at_s = value;
      const Field* revoke = fields.get("revoke");
      const Field* authorize = fields.get("authorize");
      if ((revoke == nullptr) == (authorize == nullptr)) fail(n, "an event has one of 'revoke' or 'authorize'");
      const Field& change = revoke != nullptr ? *revoke : *authorize;
      e.authorize = authorize != nullptr;
      const Fields cf = check_keys(change.value, change.key, {{"security_group"}, {"inbound"}, {"outbound"}});
      e.group = resolve(require(cf, "security_group", change.key).value, group_names_);
      const Field* in = cf.get("inbound");
      const Field* out = cf.get("outbound");
      if ((in == nullptr) == (out == nullptr))
        fail(change.value, "'" + change.key + "' has one of 'inbound' or 'outbound' (a rule)");
      e.direction = in != nullptr ? Direction::kInbound : Direction::kOutbound;
      e.rule = group_rule((in != nullptr ? in : out)->value, e.direction);
      scenario_.events.push_back(std::move(e));
    }
    // Applied in time order; events at the same time keep their order in the file.
    std::stable_sort(scenario_.events.begin(), scenario_.events.end(),
                     [](const Event& a, const Event& b) { return a.at_s < b.at_s; });
  }

  std::string file_;
  Scenario scenario_;
  unsigned provider_bit_ = kAwsBit;
  std::optional<Fields> top_;  // the checked top-level map
  Names prefix_list_names_{"prefix list", {}, {}};
  Names acl_names_{"network ACL", {}, {}};
  Names subnet_names_{"subnet", {}, {}};
  Names group_names_{"security group", {}, {}};
  Names instance_names_{"instance", {}, {}};
  Names lb_names_{"load balancer", {}, {}};
  Names tg_names_{"target group", {}, {}};
  std::vector<std::pair<std::string, YAML::Node>> prefix_list_nodes_, acl_nodes_, subnet_nodes_, group_nodes_,
      instance_nodes_, lb_nodes_, tg_nodes_;
  std::map<std::tuple<int, std::uint64_t, std::uint64_t>, std::string> private_addresses_, public_addresses_;
};

// The 1-based line of the end of `text`, for a YAML error without a position.
std::uint32_t last_line(std::string_view text) {
  return static_cast<std::uint32_t>(std::count(text.begin(), text.end(), '\n') + 1);
}

}  // namespace

net::Result<Scenario> parse_scenario(std::string_view text, std::string file) {
  try {
    const std::vector<YAML::Node> documents = YAML::LoadAll(std::string(text));
    if (documents.size() > 1) {
      const YAML::Mark m = documents[1].Mark();
      return net::text_error(file, m.line < 0 ? last_line(text) : static_cast<std::uint32_t>(m.line) + 1,
                             m.column < 0 ? 0u : static_cast<std::uint32_t>(m.column) + 1,
                             "a scenario file holds one YAML document (found a second one)");
    }
    Loader loader(file);
    return loader.run(documents.empty() ? YAML::Node() : documents[0]);
  } catch (const LoadFailure& failure) {
    return failure.error;
  } catch (const YAML::Exception& e) {
    // Syntax errors (ParserException), too-deep nesting (DeepRecursion) and the rest carry a mark.
    const std::uint32_t line = e.mark.line < 0 ? last_line(text) : static_cast<std::uint32_t>(e.mark.line) + 1;
    const std::uint32_t column = e.mark.column < 0 ? 0u : static_cast<std::uint32_t>(e.mark.column) + 1;
    return net::text_error(file, line, column, "invalid YAML: " + shown(e.msg));
  } catch (const std::exception& e) {
    return net::text_error(file, 1, 0, std::string("cannot read the scenario: ") + shown(e.what()));
  }
}

net::Result<Scenario> load_scenario(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return net::error_message("cannot read '" + path + "': " + std::strerror(errno));
  std::string text;
  char buffer[65536];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) text.append(buffer, n);
  const bool failed = std::ferror(f) != 0;
  const int saved = errno;
  std::fclose(f);
  if (failed) return net::error_message("cannot read '" + path + "': " + std::strerror(saved));
  return parse_scenario(text, path);
}

}  // namespace pfsim::engine
