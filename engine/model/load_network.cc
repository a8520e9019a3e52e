// engine/model/load_network.cc — the network sections of a scenario: vpc, prefix lists, subnets,
// instances, and the rules their addresses obey (inside their subnet, used once).
#include <algorithm>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "engine/model/internal/scenario_reader.h"

namespace pfsim::engine {
namespace {

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

// a + k, carried into the high half.
net::Ip128 plus(net::Ip128 a, std::uint64_t k) {
  const std::uint64_t lo = a.lo + k;
  return net::Ip128{a.hi + (lo < a.lo ? 1 : 0), lo};
}

}  // namespace

void ScenarioReader::read_vpc() {
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

void ScenarioReader::read_prefix_lists() {
  for (const auto& [id, node] : prefix_list_nodes_) {
    const Fields fields = check_keys(node, "prefix list", {{"id"}, {"cidrs"}, {"description"}});
    PrefixList list;
    list.id = id;
    list.where = at(node);
    list.cidrs = cidr_list(require(fields, "cidrs", "prefix list").value, "prefix list cidr");
    scenario_.prefix_lists.push_back(std::move(list));
  }
}

void ScenarioReader::read_subnets() {
  const std::vector<KeySpec> keys = {
      {"id"},
      {"cidr"},
      {"network_acl", kAwsBit | kHuaweiBit, "'network_acl' is not available on e2e (E2E Networks has no network ACLs)"},
      {"public", kAwsBit},
      {"description"}};
  for (std::size_t i = 0; i < subnet_nodes_.size(); ++i) {
    const Fields fields = check_keys(subnet_nodes_[i].second, "subnet", keys);
    const Field& c = require(fields, "cidr", "subnet");
    const std::vector<YAML::Node> nodes = one_or_list(c.value, "subnet cidr");
    if (nodes.empty()) fail(c.value, "subnet cidr: expected at least one CIDR");
    for (const YAML::Node& n : nodes) read_subnet_cidr(n, i);
    // No network_acl: the VPC default ACL, which allows all (VPC guide, "Default network ACL").
    if (const Field* a = fields.get("network_acl")) scenario_.subnets[i].acl = resolve(a->value, acl_names_);
    // A public subnet: "a subnet that has a direct route to an internet gateway" (VPC guide,
    // "Subnets for your VPC", Subnet types). Informational: reports and imports name it.
    if (const Field* p = fields.get("public")) scenario_.subnets[i].is_public = boolean(p->value, "public");
  }
}

// One CIDR of subnet `subnet_index`, which the subnets before it have read already.
void ScenarioReader::read_subnet_cidr(const YAML::Node& n, std::size_t subnet_index) {
  Subnet& subnet = scenario_.subnets[subnet_index];
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
  for (std::size_t j = 0; j < subnet_index; ++j) {
    for (const net::IpRange& theirs : scenario_.subnets[j].cidrs) {
      if (overlaps(r, theirs))
        fail(n, "subnets " + scenario_.subnets[j].id + " (" + cidr_text(theirs) + ") and " + subnet.id + " (" +
                    cidr_text(r) + ") overlap");
    }
  }
  subnet.cidrs.push_back(r);
}

void ScenarioReader::claim_address(const YAML::Node& n, const net::IpAddress& a, const std::string& owner,
                                   bool is_public) {
  auto& used = is_public ? public_addresses_ : private_addresses_;
  const auto key = std::make_tuple(static_cast<int>(a.family), a.bits.hi, a.bits.lo);
  const auto [it, inserted] = used.emplace(key, owner);
  if (!inserted)
    fail(n, std::string(is_public ? "public" : "private") + " address " + address_text(a) + " of " + owner +
                " is already used by " + it->second);
}

void ScenarioReader::check_in_subnet(const YAML::Node& n, const net::IpAddress& a, SubnetIndex s) const {
  if (s == kNone) return;
  const Subnet& subnet = scenario_.subnets[s];
  if (!any_contains(subnet.cidrs, a))
    fail(n, address_text(a) + " is outside subnet " + subnet.id + " (" + cidrs_text(subnet.cidrs) + ")");
  // "The first four IP addresses and the last IP address in each subnet CIDR block are not
  // available for your use, and they cannot be assigned to a resource, such as an EC2
  // instance." (VPC guide, "Subnet CIDR blocks"). AWS only: Huawei's API references disagree
  // on its reserved addresses (the first and the last three, or the last four), E2E states none.
  if (scenario_.provider != Provider::kAws) return;
  for (const net::IpRange& c : subnet.cidrs) {
    if (c.family != a.family || !c.range.contains(a.bits)) continue;
    const net::Ip128 first_usable = plus(c.range.lo, 4);
    if (a.bits < first_usable || a.bits == c.range.hi) {
      const net::IpAddress first{c.family, c.range.lo};
      const net::IpAddress fourth{c.family, std::min(plus(c.range.lo, 3), c.range.hi)};
      const net::IpAddress last{c.family, c.range.hi};
      fail(n, address_text(a) + " is reserved by AWS in subnet " + subnet.id + " (" + cidr_text(c) +
                  ": the first four addresses and the last, " + address_text(first) + "-" + address_text(fourth) +
                  " and " + address_text(last) + ", cannot be assigned)");
    }
  }
}

void ScenarioReader::read_instances() {
  std::vector<KeySpec> keys = {{"id"},          {"subnet"},    {"ip"},
                               {"ipv6"},        {"public_ip"}, {"security_groups"},
                               {"description"}, {"instance"},  {"conntrack", kAwsBit}};
  if (scenario_.ec2_classic)
    keys[1] = {"subnet", 0, "'subnet' cannot be used with network: ec2-classic (EC2-Classic has no subnets)"};
  for (const auto& [id, node] : instance_nodes_) {
    const Fields fields = check_keys(node, "instance", keys);
    NetworkInterface eni;
    eni.kind = NetworkInterface::Kind::kInstance;
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
    // Several interfaces of one EC2 instance ("You can attach multiple network interfaces to
    // an instance", EC2 guide, "Elastic network interfaces"): the first listed is the one an
    // instance-id target reaches (resolve_instance()).
    if (const Field* f = fields.get("instance")) {
      eni.instance = id_of(f->value, "instance");
      if (instance_names_.find(eni.instance) != kNone)
        fail(f->value,
             "instance '" + yaml::shown(eni.instance) + "' is also an interface id (name the interfaces apart)");
      if (ec2_instance_names_.find(eni.instance) == kNone) {
        ec2_instance_names_.index.emplace(eni.instance, static_cast<std::uint32_t>(scenario_.interfaces.size()));
        ec2_instance_names_.order.push_back(eni.instance);
      }
    }
    if (const Field* f = fields.get("conntrack")) eni.conntrack = interface_conntrack(f->value);
    scenario_.interfaces.push_back(std::move(eni));
  }
}

// An interface's own timeouts: the ranges of the EC2 API's ConnectionTrackingSpecificationRequest
// (TcpEstablishedTimeout 60-432000, UdpStreamTimeout 60-180, UdpTimeout 30-60), as the
// scenario-wide `conntrack` section.
InterfaceConntrack ScenarioReader::interface_conntrack(const YAML::Node& n) const {
  const Fields fields = check_keys(n, "conntrack", {{"tcp_established_s"}, {"udp_stream_s"}, {"udp_s"}});
  InterfaceConntrack c;
  if (const Field* v = fields.get("tcp_established_s"))
    c.tcp_established_s = number32(v->value, "tcp_established_s", 60, 432000);
  if (const Field* v = fields.get("udp_stream_s")) c.udp_stream_s = number32(v->value, "udp_stream_s", 60, 180);
  if (const Field* v = fields.get("udp_s")) c.udp_s = number32(v->value, "udp_s", 30, 60);
  return c;
}

}  // namespace pfsim::engine
