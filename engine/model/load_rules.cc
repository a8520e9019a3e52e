// engine/model/load_rules.cc — the rules of security groups and network ACLs: their peers,
// protocols, ports and ICMP types, per-provider keys, and the canonical one-line text each rule
// keeps for reports ("tcp 8080 from sg-lb", "deny all from 0.0.0.0/0").
#include <algorithm>
#include <charconv>
#include <map>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "engine/model/internal/scenario_reader.h"
#include "net/format.h"
#include "net/protocols.h"

namespace pfsim::engine {

using yaml::join;
using yaml::lower;
using yaml::node_kind;
using yaml::shown;

namespace {

constexpr yaml::Named<RuleAction> kActions[] = {{"allow", RuleAction::kAllow}, {"deny", RuleAction::kDeny}};

bool looks_like_address(std::string_view s) {
  return !s.empty() && (s.find('/') != std::string_view::npos || s.find(':') != std::string_view::npos ||
                        (s[0] >= '0' && s[0] <= '9'));
}

bool is_icmp(const ProtocolSpec& p) { return !p.any && net::is_icmp(p.number); }

// The number AWS's describe-network-acls JSON gives the final `*` deny rule: 32767 (IPv4) or
// 32768 (IPv6) (aws-cli, examples/ec2/describe-network-acls.rst). "You can't modify or remove
// this rule" (VPC guide, "Network ACL rules"): every ACL here ends with it unwritten.
bool is_star_rule_number(const YAML::Node& n) {
  if (!n.IsScalar()) return false;
  const std::string& text = n.Scalar();
  std::uint32_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size() && (value == 32767 || value == 32768);
}

// ---- canonical rule text ----

std::string protocol_text(const ProtocolSpec& p) { return p.any ? "all" : net::protocol_name(p.number); }

std::string ports_text(const std::vector<net::PortRange>& ports) {
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
std::string match_text(const FilterRule& r) {
  std::string out = protocol_text(r.protocol);
  if (!r.protocol.any && net::is_tcp_or_udp(r.protocol.number)) out += " " + ports_text(r.ports);
  if (r.icmp && r.icmp->type) {
    out += " type " + std::to_string(*r.icmp->type);
    if (r.icmp->code) out += " code " + std::to_string(*r.icmp->code);
  }
  return out;
}

// " from sg-lb" (inbound) or " to 0.0.0.0/0" (outbound).
std::string peer_text(const FilterRule& r, Direction direction) {
  return (direction == Direction::kInbound ? " from " : " to ") + r.peer.written;
}

const char* peer_key(Direction direction) { return direction == Direction::kInbound ? "source" : "destination"; }

}  // namespace

// ---- peers ----

Peer ScenarioReader::anywhere_peer(std::string written) {
  Peer p;
  p.kind = Peer::Kind::kCidrs;
  p.cidrs = {net::IpRange{net::Family::kIpv4, net::AddressRange::any(net::Family::kIpv4)},
             net::IpRange{net::Family::kIpv6, net::AddressRange::any(net::Family::kIpv6)}};
  p.anywhere = true;
  p.written = std::move(written);
  return p;
}

Peer ScenarioReader::cidr_peer(const YAML::Node& n, const std::string& text) const {
  auto r = net::parse_prefix(text);
  if (!r) fail(n, r.error().message);
  Peer p;
  p.kind = Peer::Kind::kCidrs;
  p.cidrs = {*r};
  p.anywhere = r->range == net::AddressRange::any(r->family);  // 0.0.0.0/0 or ::/0
  p.written = text;
  return p;
}

// E2E Networks rules name a network by "First IP" and "Size" (docs.e2enetworks.com, "Security
// Groups"); pfsim reads Size as a prefix length (DESIGN.md §3).
Peer ScenarioReader::e2e_network_peer(const YAML::Node& n) const {
  if (scenario_.provider != Provider::kE2e)
    fail(n, std::string("{first_ip, size} peers are an e2e form (provider is ") + provider_name(scenario_.provider) +
                "; write a CIDR)");
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

Peer ScenarioReader::group_rule_peer(const YAML::Node& n) const {
  if (n.IsMap()) return e2e_network_peer(n);
  const std::string text = scalar(n, "peer");
  if (text == "anywhere") return anywhere_peer(text);
  Peer p;
  p.written = text;
  if (text == kElbSourceGroup) {
    if (scenario_.provider != Provider::kAws)
      fail(n, "'" + text + "' is an aws built-in (provider is " + provider_name(scenario_.provider) + ")");
    p.kind = Peer::Kind::kElbSourceGroup;
    return p;
  }
  if (const GroupIndex g = group_names_.find(text); g != kNone) {
    p.kind = Peer::Kind::kGroup;
    p.group = g;
    return p;
  }
  if (const std::uint32_t l = prefix_list_names_.find(text); l != kNone) {
    p.kind = Peer::Kind::kCidrs;
    p.cidrs = scenario_.prefix_lists[l].cidrs;
    return p;
  }
  if (looks_like_address(text)) return cidr_peer(n, text);
  if (prefix_list_names_.order.empty())
    fail(n, "unresolved security group '" + shown(text) + "' (defined: " + join(group_names_.order) + ")");
  fail(n, "unresolved security group or prefix list '" + shown(text) + "' (security groups: " +
              join(group_names_.order) + "; prefix lists: " + join(prefix_list_names_.order) + ")");
}

Peer ScenarioReader::acl_rule_peer(const YAML::Node& n) const {
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

// ---- protocol, ports, icmp ----

ProtocolSpec ScenarioReader::protocol(const YAML::Node& n) const {
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

net::PortRange ScenarioReader::port_range(const YAML::Node& n) const {
  const std::string text = scalar(n, "ports");
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

std::vector<net::PortRange> ScenarioReader::ports(const YAML::Node& n) const {
  if (n.IsScalar() && lower(n.Scalar()) == "all") return {};
  std::vector<net::PortRange> out;
  const std::vector<YAML::Node> list = one_or_list(n, "ports");
  if (list.empty()) fail(n, "ports: expected at least one port (or all)");
  for (const YAML::Node& item : list) out.push_back(port_range(item));
  return out;
}

// ICMP type and code; either omitted means any (FromPort/ToPort -1, EC2 API reference, IpPermission).
IcmpSpec ScenarioReader::icmp(const Field& field) const {
  const Fields fields = check_keys(field.value, "icmp", {{"type"}, {"code"}});
  IcmpSpec spec;
  if (const Field* t = fields.get("type")) spec.type = static_cast<std::uint8_t>(number(t->value, "icmp type", 0, 255));
  if (const Field* c = fields.get("code")) {
    if (!spec.type) fail(c->key_node, "icmp code without type (if the type is any, the code must be any too)");
    spec.code = static_cast<std::uint8_t>(number(c->value, "icmp code", 0, 255));
  }
  return spec;
}

// protocol, ports, icmp: shared by group and ACL rules.
void ScenarioReader::read_match(const Fields& fields, FilterRule& rule) const {
  if (const Field* f = fields.get("protocol")) rule.protocol = protocol(f->value);
  if (const Field* f = fields.get("ports")) {
    if (rule.protocol.any) fail(f->key_node, "'ports' needs protocol tcp or udp (protocol all matches every port)");
    if (is_icmp(rule.protocol))
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
    if (!is_icmp(rule.protocol)) fail(f->key_node, "'icmp' needs protocol icmp or icmpv6");
    rule.icmp = icmp(*f);
  }
}

// ---- rules ----

std::vector<yaml::KeySpec> ScenarioReader::rule_keys(RuleKind kind, Direction direction) {
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

FilterRule ScenarioReader::group_rule(const YAML::Node& n, Direction direction) const {
  const Fields fields = check_keys(n, "security group rule", rule_keys(RuleKind::kGroup, direction));
  FilterRule rule;
  rule.where = at(n);
  read_match(fields, rule);
  rule.peer = group_rule_peer(require(fields, peer_key(direction), "security group rule").value);
  if (const Field* f = fields.get("priority")) rule.priority = number32(f->value, "priority", 1, 100);
  if (const Field* f = fields.get("action")) rule.action = choice(f->value, "action", kActions);
  if (const Field* f = fields.get("description")) rule.description = scalar(f->value, "description");
  rule.text = match_text(rule) + peer_text(rule, direction);
  if (scenario_.provider == Provider::kHuawei && (rule.priority != 1 || rule.action != RuleAction::kAllow))
    rule.text +=
        " (priority " + std::to_string(rule.priority) + (rule.action == RuleAction::kDeny ? ", deny)" : ", allow)");
  return rule;
}

FilterRule ScenarioReader::acl_rule(const YAML::Node& n, Direction direction, std::size_t position) const {
  const Fields fields = check_keys(n, "network ACL rule", rule_keys(RuleKind::kAcl, direction));
  FilterRule rule;
  rule.where = at(n);
  if (scenario_.provider == Provider::kAws) {
    // Rule numbers 1-32766, lowest first (VPC guide, "Network ACL rules").
    const YAML::Node& number_node = require(fields, "rule", "network ACL rule").value;
    if (is_star_rule_number(number_node))
      fail(number_node, "rule number " + shown(number_node.Scalar()) +
                            " is out of range (allowed: 1-32766); omit it: the `*` rule is implicit");
    rule.number = number32(number_node, "rule number", 1, 32766);
  } else {
    // Huawei ACL rules take effect in the order listed (VPC guide, "Network ACL overview").
    rule.number = static_cast<std::uint32_t>(position + 1);
  }
  read_match(fields, rule);
  rule.peer = acl_rule_peer(require(fields, peer_key(direction), "network ACL rule").value);
  rule.action = choice(require(fields, "action", "network ACL rule").value, "action", kActions);
  if (const Field* f = fields.get("description")) rule.description = scalar(f->value, "description");
  rule.text = std::string(rule.action == RuleAction::kAllow ? "allow " : "deny ") + match_text(rule) +
              peer_text(rule, direction);
  return rule;
}

void ScenarioReader::read_acls() {
  for (std::size_t i = 0; i < acl_nodes_.size(); ++i) {
    const Fields fields =
        check_keys(acl_nodes_[i].second, "network ACL", {{"id"}, {"inbound"}, {"outbound"}, {"description"}});
    if (const Field* f = fields.get("inbound")) read_acl_rules(*f, Direction::kInbound, scenario_.acls[i]);
    if (const Field* f = fields.get("outbound")) read_acl_rules(*f, Direction::kOutbound, scenario_.acls[i]);
  }
}

// The rules of one direction of `acl`, from `list` (its key is "inbound" or "outbound").
void ScenarioReader::read_acl_rules(const Field& list, Direction direction, NetworkAcl& acl) {
  std::vector<FilterRule>& rules = direction == Direction::kInbound ? acl.inbound : acl.outbound;
  std::map<std::uint32_t, bool> seen;
  const std::vector<YAML::Node> nodes = items(list.value, list.key);
  for (std::size_t k = 0; k < nodes.size(); ++k) {
    FilterRule rule = acl_rule(nodes[k], direction, k);
    if (scenario_.provider == Provider::kAws && !seen.emplace(rule.number, true).second) {
      fail(*yaml::value_of(nodes[k], "rule"),
           "duplicate rule number " + std::to_string(rule.number) + " in " + acl.id + " " + list.key);
    }
    rules.push_back(std::move(rule));
  }
  if (scenario_.provider == Provider::kAws) {
    std::stable_sort(rules.begin(), rules.end(),
                     [](const FilterRule& a, const FilterRule& b) { return a.number < b.number; });
  }
}

void ScenarioReader::read_groups() {
  for (std::size_t i = 0; i < group_nodes_.size(); ++i) {
    const Fields fields = check_keys(group_nodes_[i].second, "security group",
                                     {{"id"}, {"inbound"}, {"outbound"}, {"description"}, {"default", kE2eBit}});
    SecurityGroup& group = scenario_.groups[i];
    if (const Field* f = fields.get("inbound")) {
      for (const YAML::Node& item : items(f->value, f->key))
        group.inbound.push_back(group_rule(item, Direction::kInbound));
    }
    if (const Field* f = fields.get("outbound")) {
      for (const YAML::Node& item : items(f->value, f->key))
        group.outbound.push_back(group_rule(item, Direction::kOutbound));
    }
    // E2E Networks: the default group is attached to every load balancer and cannot be
    // detached (DESIGN.md §3).
    if (const Field* f = fields.get("default")) group.is_default = boolean(f->value, "default");
  }
}

}  // namespace pfsim::engine
