// engine/import/aws_mapping.cc — stage 2 of the AWS import: the dump's VPC as a Scenario
// (engine/import/aws_import.h). Each mapping decision cites the AWS document it encodes; a
// choice the input forces is pushed to `assumptions`, which the written scenario states.
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "engine/import/aws_import.h"
#include "engine/import/internal/aws_dump.h"
#include "net/address.h"
#include "net/format.h"
#include "net/protocols.h"

namespace pfsim::engine {
namespace aws {
namespace {

Location located(const Item& item, const std::string& detail = "") {
  return Location{detail.empty() ? item.source() : item.source() + " " + detail, 0, 0};
}

std::string name_tag(const Json& object) {
  for (const Json& tag : list(object, "Tags")) {
    if (text(tag, "Key") == "Name") return text(tag, "Value");
  }
  for (const Json& tag : list(object, "TagSet")) {
    if (text(tag, "Key") == "Name") return text(tag, "Value");
  }
  return "";
}

// An ENI's facts, from describe-network-interfaces or from the copy embedded in
// describe-instances (which lacks Attachment.InstanceId: its parent names it).
struct Eni {
  Item item;
  std::string id, subnet, vpc, description, instance;
  long long device_index = 0;
  bool attached = false;
};

class Mapper {
 public:
  Mapper(const Dump& dump, const AwsImportOptions& options, AwsImport& out)
      : dump_(dump), options_(options), out_(out), s_(out.scenario) {}

  net::Status run() {
    out_.warnings = dump_.warnings;
    out_.notes = dump_.notes;
    s_.provider = Provider::kAws;
    if (net::Status st = choose_vpc(); !st) return st;
    if (net::Status st = map_vpc_cidrs(); !st) return st;
    collect_enis();
    map_acls();
    if (net::Status st = map_subnets(); !st) return st;
    map_groups();
    map_interfaces();
    map_load_balancers();
    map_classic_load_balancers();
    map_target_groups();
    fill_group_rules();
    map_prefix_lists();
    check_public_addresses();
    report_orphans();
    s_.name = "AWS " + vpc_ + (vpc_name_.empty() ? "" : " (" + vpc_name_ + ")") + ", imported by pfsim import aws";
    out_.vpc = vpc_;
    return net::Ok{};
  }

 private:
  // ---- the VPC ----

  std::string vpc_of(const Item& item) const {
    std::string v = text(*item.value, "VpcId");
    return v.empty() ? text(*item.value, "VPCId") : v;
  }

  net::Status choose_vpc() {
    std::set<std::string> known;
    for (const Items* items : {&dump_.vpcs, &dump_.subnets}) {
      for (const auto& [id, item] : *items) known.insert(items == &dump_.vpcs ? id : vpc_of(item));
    }
    if (!options_.vpc.empty()) {
      if (known.count(options_.vpc) == 0)
        return net::error_message("--vpc " + options_.vpc + ": no such VPC in the input (VPCs read: " + join(known) +
                                  "; describe-vpcs or describe-subnets output names them)");
      vpc_ = options_.vpc;
      return net::Ok{};
    }
    std::set<std::string> with_lbs;
    for (const auto& [arn, item] : dump_.lbs) {
      if (text(list_or(*item.value, "State"), "Code") == "active" && known.count(vpc_of(item)) != 0)
        with_lbs.insert(vpc_of(item));
    }
    for (const auto& [name, item] : dump_.classic_lbs) {
      if (known.count(vpc_of(item)) != 0) with_lbs.insert(vpc_of(item));
    }
    const std::set<std::string>& candidates = with_lbs.empty() ? known : with_lbs;
    if (candidates.empty())
      return net::error_message(
          "no VPC in the input: give describe-vpcs and describe-subnets output (docs/aws-import.md lists the calls)");
    if (candidates.size() > 1)
      return net::error_message("the input holds several VPCs" +
                                std::string(with_lbs.empty() ? "" : " with load balancers") + " (" + join(candidates) +
                                "): choose one with --vpc");
    vpc_ = *candidates.begin();
    for (const std::string& other : known) {
      if (other != vpc_) out_.notes.push_back("VPC " + other + " left out (import it with --vpc " + other + ")");
    }
    return net::Ok{};
  }

  static const Json& list_or(const Json& object, const char* key) {
    static const Json kEmpty = Json::object();
    if (!object.is_object()) return kEmpty;
    const auto it = object.find(key);
    return it != object.end() ? *it : kEmpty;
  }

  static std::string join(const std::set<std::string>& names) {
    std::string out;
    for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
    return out.empty() ? "none" : out;
  }

  std::optional<net::IpRange> prefix(const std::string& cidr, const Item& item, const std::string& what) {
    auto r = net::parse_prefix(cidr);
    if (!r) {
      out_.warnings.push_back(item.source() + ": " + what + " '" + cidr + "' is not a CIDR (" + r.error().message +
                              "); left out");
      return std::nullopt;
    }
    return *r;
  }

  net::Status map_vpc_cidrs() {
    vpc_where_ = Location{"(no describe-vpcs output)", 0, 0};
    if (auto it = dump_.vpcs.find(vpc_); it != dump_.vpcs.end()) {
      const Json& v = *it->second.value;
      vpc_where_ = located(it->second);
      vpc_name_ = name_tag(v);
      for (const Json& a : list(v, "CidrBlockAssociationSet")) {
        const std::string state = text(list_or(a, "CidrBlockState"), "State");
        if (!state.empty() && state != "associated") continue;
        if (auto r = prefix(text(a, "CidrBlock"), it->second, "VPC CIDR")) s_.vpc_cidrs.push_back(*r);
      }
      if (s_.vpc_cidrs.empty() && !text(v, "CidrBlock").empty()) {
        if (auto r = prefix(text(v, "CidrBlock"), it->second, "VPC CIDR")) s_.vpc_cidrs.push_back(*r);
      }
      for (const Json& a : list(v, "Ipv6CidrBlockAssociationSet")) {
        const std::string state = text(list_or(a, "Ipv6CidrBlockState"), "State");
        if (!state.empty() && state != "associated") continue;
        if (auto r = prefix(text(a, "Ipv6CidrBlock"), it->second, "VPC IPv6 CIDR")) s_.vpc_cidrs.push_back(*r);
      }
    }
    if (s_.vpc_cidrs.empty()) {
      for (const auto& [id, item] : dump_.subnets) {
        if (vpc_of(item) != vpc_) continue;
        if (auto r = prefix(text(*item.value, "CidrBlock"), item, "subnet CIDR")) s_.vpc_cidrs.push_back(*r);
      }
      if (s_.vpc_cidrs.empty())
        return net::error_message("VPC " + vpc_ + " has no CIDR in the input (give describe-vpcs output)");
      out_.assumptions.push_back("VPC " + vpc_ +
                                 ": its CIDRs are taken to be its subnets' (no describe-vpcs output names them)");
    }
    return net::Ok{};
  }

  // ---- network ACLs and subnets ----

  ProtocolSpec protocol(const std::string& written, const Item& item, bool& ok) {
    ProtocolSpec p;
    ok = true;
    // "-1" means all protocols (EC2 API reference, IpPermission: "Use -1 to specify all
    // protocols"; NetworkAclEntry: "A value of -1 means all protocols").
    if (written == "-1" || written == "all") return p;
    p.any = false;
    if (auto n = net::protocol_number(written)) {
      p.number = *n;
      return p;
    }
    std::uint32_t v = 0;
    if (!written.empty() && written.size() <= 3 &&
        std::all_of(written.begin(), written.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      v = static_cast<std::uint32_t>(std::stoul(written));
      if (v <= 255) {
        p.number = static_cast<std::uint8_t>(v);
        return p;
      }
    }
    out_.warnings.push_back(item.source() + ": protocol '" + written + "' is not one pfsim knows; rule left out");
    ok = false;
    return p;
  }

  void map_acls() {
    for (const auto& [id, item] : dump_.acls) {
      if (vpc_of(item) != vpc_) continue;
      NetworkAcl acl;
      acl.id = id;
      acl.where = located(item);
      const Json& entries = list(*item.value, "Entries");
      std::vector<std::pair<long long, std::size_t>> order;
      for (std::size_t i = 0; i < entries.size(); ++i)
        order.emplace_back(integer(entries[i], "RuleNumber").value_or(-1), i);
      std::sort(order.begin(), order.end());
      for (const auto& [number, i] : order) {
        const Json& e = entries[i];
        const Item at{&e, item.file, item.path + ".Entries[" + std::to_string(i) + "]"};
        // The `*` entries: "This rule ensures that if a packet doesn't match any of the other
        // numbered rules, it's denied" (VPC guide, "Network ACL rules"). describe-network-acls
        // lists them as 32767 (IPv4) and 32768 (IPv6); the scenario's ACLs carry them implicitly.
        if (number == 32767 || number == 32768) continue;
        if (number < 1 || number > 32766) {
          out_.warnings.push_back(at.source() + ": rule number " + std::to_string(number) +
                                  " is outside 1-32766; rule left out");
          continue;
        }
        bool ok = true;
        FilterRule r;
        r.where = located(at, "rule " + std::to_string(number));
        r.number = static_cast<std::uint32_t>(number);
        r.protocol = protocol(text(e, "Protocol"), at, ok);
        if (!ok) continue;
        r.action = text(e, "RuleAction") == "allow" ? RuleAction::kAllow : RuleAction::kDeny;
        const std::string cidr = !text(e, "CidrBlock").empty() ? text(e, "CidrBlock") : text(e, "Ipv6CidrBlock");
        auto range = prefix(cidr, at, "CIDR");
        if (!range) continue;
        r.peer.cidrs = {*range};
        r.peer.written = cidr;
        r.peer.anywhere = range->range.lo == net::Ip128{} && range->range.hi == net::max_address(range->family);
        if (!r.protocol.any && net::is_tcp_or_udp(r.protocol.number) && e.contains("PortRange")) {
          const Json& pr = e["PortRange"];
          const auto from = integer(pr, "From"), to = integer(pr, "To");
          if (from && to && *from >= 0 && *from <= *to && *to <= 65535) {
            const net::PortRange ports{static_cast<std::uint16_t>(*from), static_cast<std::uint16_t>(*to)};
            if (!ports.is_any()) r.ports = {ports};
          }
        }
        if (!r.protocol.any && net::is_icmp(r.protocol.number)) {
          // IcmpTypeCode: "A value of -1 means all types/codes" (EC2 API reference, IcmpTypeCode).
          const Json& tc = list_or(e, "IcmpTypeCode");
          r.icmp = icmp_spec(integer(tc, "Type").value_or(-1), integer(tc, "Code").value_or(-1), at, ok);
          if (!ok) continue;
        }
        (flag(e, "Egress", false) ? acl.outbound : acl.inbound).push_back(std::move(r));
      }
      if (flag(*item.value, "IsDefault", false)) default_acl_ = static_cast<AclIndex>(s_.acls.size());
      for (const Json& a : list(*item.value, "Associations")) acl_of_subnet_[text(a, "SubnetId")] = s_.acls.size();
      s_.acls.push_back(std::move(acl));
    }
  }

  std::optional<IcmpSpec> icmp_spec(long long type, long long code, const Item& at, bool& ok) {
    ok = true;
    IcmpSpec spec;
    if (type < -1 || type > 255 || code < -1 || code > 255 || (type == -1 && code != -1)) {
      out_.warnings.push_back(at.source() + ": ICMP type " + std::to_string(type) + " code " + std::to_string(code) +
                              " is not a valid selector; rule left out");
      ok = false;
      return std::nullopt;
    }
    if (type >= 0) spec.type = static_cast<std::uint8_t>(type);
    if (code >= 0) spec.code = static_cast<std::uint8_t>(code);
    if (!spec.type) return std::nullopt;
    return spec;
  }

  // The route table of a subnet: its explicit association, else the VPC's main table ("A
  // subnet that's not explicitly associated with a route table is implicitly associated with
  // the main route table", VPC guide, "Subnet route tables").
  const Json* route_table_of(const std::string& subnet) const {
    const Json* main = nullptr;
    for (const auto& [id, item] : dump_.route_tables) {
      if (vpc_of(item) != vpc_) continue;
      for (const Json& a : list(*item.value, "Associations")) {
        if (text(a, "SubnetId") == subnet) return item.value;
        if (flag(a, "Main", false)) main = item.value;
      }
    }
    return main;
  }

  // "If a subnet is associated with a route table that has a route to an internet gateway,
  // it's known as a public subnet" (VPC guide, "Subnets for your VPC").
  static bool routes_to_igw(const Json& table) {
    for (const Json& r : list(table, "Routes")) {
      const std::string dst = !text(r, "DestinationCidrBlock").empty() ? text(r, "DestinationCidrBlock")
                                                                       : text(r, "DestinationIpv6CidrBlock");
      const std::string state = text(r, "State");
      if ((dst == "0.0.0.0/0" || dst == "::/0") && text(r, "GatewayId").rfind("igw-", 0) == 0 &&
          (state.empty() || state == "active"))
        return true;
    }
    return false;
  }

  net::Status map_subnets() {
    bool any_acl_missing = false;
    for (const auto& [id, item] : dump_.subnets) {
      if (vpc_of(item) != vpc_) continue;
      Subnet sn;
      sn.id = id;
      sn.where = located(item);
      if (auto r = prefix(text(*item.value, "CidrBlock"), item, "subnet CIDR")) sn.cidrs.push_back(*r);
      for (const Json& a : list(*item.value, "Ipv6CidrBlockAssociationSet")) {
        if (auto r = prefix(text(a, "Ipv6CidrBlock"), item, "subnet IPv6 CIDR")) sn.cidrs.push_back(*r);
      }
      if (sn.cidrs.empty()) continue;
      // "Each subnet in your VPC must be associated with a network ACL. If you don't explicitly
      // associate a subnet with a network ACL, the subnet is automatically associated with the
      // default network ACL" (VPC guide, "Network ACLs").
      if (auto it = acl_of_subnet_.find(id); it != acl_of_subnet_.end()) {
        sn.acl = static_cast<AclIndex>(it->second);
      } else if (default_acl_ != kNone) {
        sn.acl = default_acl_;
      } else {
        any_acl_missing = true;
      }
      if (!dump_.route_tables.empty()) {
        const Json* table = route_table_of(id);
        sn.is_public = table != nullptr && routes_to_igw(*table);
      }
      subnet_index_[id] = static_cast<SubnetIndex>(s_.subnets.size());
      s_.subnets.push_back(std::move(sn));
    }
    if (any_acl_missing)
      out_.assumptions.push_back(
          "subnets without a network ACL in the input get the VPC default ACL as created, which allows all traffic "
          "both ways (VPC guide, \"Default network ACL\"); give describe-network-acls output to use the real one");
    if (dump_.route_tables.empty() && !s_.subnets.empty())
      out_.notes.push_back("no describe-route-tables output: which subnets are public is unknown");
    return net::Ok{};
  }

  // ---- ENIs ----

  void collect_enis() {
    for (const auto& [id, item] : dump_.enis) {
      const Json& v = *item.value;
      Eni e;
      e.item = item;
      e.id = id;
      e.subnet = text(v, "SubnetId");
      e.vpc = vpc_of(item);
      e.description = text(v, "Description");
      const Json& att = list_or(v, "Attachment");
      e.attached = att.is_object() && !att.empty();
      e.instance = text(att, "InstanceId");
      e.device_index = integer(att, "DeviceIndex").value_or(0);
      enis_[id] = e;
    }
    // describe-instances embeds each instance's ENIs; use them where describe-network-interfaces
    // did not list the ENI.
    for (const auto& [iid, item] : dump_.instances) {
      const Json& ifs = list(*item.value, "NetworkInterfaces");
      for (std::size_t i = 0; i < ifs.size(); ++i) {
        const std::string id = text(ifs[i], "NetworkInterfaceId");
        if (id.empty()) continue;
        if (auto it = enis_.find(id); it != enis_.end()) {
          if (it->second.instance.empty()) it->second.instance = iid;
          continue;
        }
        const Item at{&ifs[i], item.file, item.path + ".NetworkInterfaces[" + std::to_string(i) + "]"};
        Eni e;
        e.item = at;
        e.id = id;
        e.subnet = text(ifs[i], "SubnetId");
        e.vpc = text(ifs[i], "VpcId");
        e.description = text(ifs[i], "Description");
        e.attached = true;
        e.instance = iid;
        e.device_index = integer(list_or(ifs[i], "Attachment"), "DeviceIndex").value_or(0);
        enis_[id] = e;
      }
    }
  }

  // "ELB app/NAME/ID", "ELB net/NAME/ID" (the LB ARN's suffix) or "ELB NAME" (Classic): the
  // description AWS gives a load balancer's network interfaces (AWS re:Post, "find the IP
  // addresses of an ALB"; research notes, real-inputs-anchors.md §1.1).
  static bool is_lb_eni(const Eni& e) { return e.description.rfind("ELB ", 0) == 0; }

  void map_groups() {
    for (const auto& [id, item] : dump_.groups) {
      if (vpc_of(item) != vpc_) continue;
      add_group(id, located(item));
    }
    // Groups known only from describe-security-group-rules (which names no VPC).
    for (const auto& [rid, item] : dump_.group_rules) {
      const std::string g = text(*item.value, "GroupId");
      if (dump_.groups.count(g) != 0 || group_index_.count(g) != 0) continue;
      add_group(g, Location{item.file + " (GroupId of its rules)", 0, 0});
      out_.assumptions.push_back("security group " + g + " is known from describe-security-group-rules only (" +
                                 item.file + "), which names no VPC: taken to be in " + vpc_);
    }
  }

  GroupIndex add_group(const std::string& id, Location where) {
    if (auto it = group_index_.find(id); it != group_index_.end()) return it->second;
    SecurityGroup g;
    g.id = id;
    g.where = std::move(where);
    const auto index = static_cast<GroupIndex>(s_.groups.size());
    group_index_[id] = index;
    s_.groups.push_back(std::move(g));
    return index;
  }

  // A group referenced (by an ENI, an LB or a rule) that the input does not hold: AWS works
  // with it, pfsim cannot see its rules or members.
  GroupIndex referenced_group(const std::string& id, const std::string& by) {
    if (auto it = group_index_.find(id); it != group_index_.end()) return it->second;
    out_.warnings.push_back(by + " references security group " + id + ", which is not in the input");
    out_.assumptions.push_back("security group " + id + " (not in the input) has no rules and no members here");
    return add_group(id, Location{"(referenced by " + by + ", not in the input)", 0, 0});
  }

  std::vector<GroupIndex> groups_of(const Json& list_of_groups, const std::string& by) {
    std::vector<GroupIndex> out;
    for (const Json& g : list_of_groups) {
      const std::string id = g.is_string() ? g.get<std::string>() : text(g, "GroupId");
      if (id.empty()) continue;
      const GroupIndex gi = referenced_group(id, by);
      if (std::find(out.begin(), out.end(), gi) == out.end()) out.push_back(gi);
    }
    return out;
  }

  std::optional<net::IpAddress> address(const std::string& written, const Item& at, const std::string& what) {
    if (written.empty()) return std::nullopt;
    auto a = net::parse_address(written);
    if (!a) {
      out_.warnings.push_back(at.source() + ": " + what + " '" + written + "' is not an address; left out");
      return std::nullopt;
    }
    return *a;
  }

  void map_interfaces() {
    std::vector<const Eni*> kept;
    for (const auto& [id, e] : enis_) {
      if (e.vpc != vpc_ || is_lb_eni(e)) continue;
      if (!e.attached) {
        out_.notes.push_back(id + " left out: attached to nothing (" + e.item.source() + ")");
        continue;
      }
      if (!e.instance.empty()) {
        // Only running instances carry traffic (Batfish keeps the same: Region.java).
        if (auto it = dump_.instances.find(e.instance); it != dump_.instances.end()) {
          const std::string state = text(list_or(*it->second.value, "State"), "Name");
          if (state != "running") {
            out_.notes.push_back(id + " left out: instance " + e.instance + " is " + state);
            continue;
          }
        }
      }
      if (subnet_index_.count(e.subnet) == 0) {
        out_.warnings.push_back(e.item.source() + ": " + id + " is in subnet " + e.subnet +
                                ", which is not in the input; interface left out");
        continue;
      }
      kept.push_back(&e);
    }
    // Grouped by instance, its primary interface (device index 0) first: the loader's
    // instance-id targets reach the first one listed.
    std::sort(kept.begin(), kept.end(), [](const Eni* a, const Eni* b) {
      const std::string& ka = a->instance.empty() ? a->id : a->instance;
      const std::string& kb = b->instance.empty() ? b->id : b->instance;
      return std::tie(ka, a->device_index, a->id) < std::tie(kb, b->device_index, b->id);
    });
    for (const Eni* e : kept) {
      const Json& v = *e->item.value;
      NetworkInterface ni;
      ni.kind = NetworkInterface::Kind::kInstance;
      ni.id = e->id;
      ni.where = located(e->item);
      ni.subnet = subnet_index_[e->subnet];
      ni.instance = e->instance;
      ni.ipv4 = address(text(v, "PrivateIpAddress"), e->item, "PrivateIpAddress");
      const Json& v6 = list(v, "Ipv6Addresses");
      if (!v6.empty()) ni.ipv6 = address(text(v6[0], "Ipv6Address"), e->item, "Ipv6Address");
      if (!ni.ipv4 && !ni.ipv6) {
        out_.warnings.push_back(e->item.source() + ": " + e->id + " has no private address; left out");
        continue;
      }
      ni.public_ip = address(text(list_or(v, "Association"), "PublicIp"), e->item, "PublicIp");
      std::size_t secondary = 0;
      for (const Json& p : list(v, "PrivateIpAddresses")) secondary += flag(p, "Primary", false) ? 0U : 1U;
      if (secondary + (v6.empty() ? 0 : v6.size() - 1) > 0)
        out_.notes.push_back(e->id + ": " + std::to_string(secondary + (v6.empty() ? 0 : v6.size() - 1)) +
                             " secondary address(es) left out (the scenario has one address per family)");
      // "Security groups are associated with network interfaces" (VPC guide, "Security groups"):
      // each ENI has its own list.
      ni.groups = groups_of(list(v, "Groups"), e->item.source());
      // ConnectionTrackingConfiguration: the ENI's idle timeouts (EC2 guide, "Idle connection
      // tracking timeout"; boto3 NetworkInterface).
      const Json& ct = list_or(v, "ConnectionTrackingConfiguration");
      auto seconds = [&](const char* key) -> std::optional<std::uint32_t> {
        if (auto n = integer(ct, key); n && *n > 0 && *n <= 432000) return static_cast<std::uint32_t>(*n);
        return std::nullopt;
      };
      ni.conntrack.tcp_established_s = seconds("TcpEstablishedTimeout");
      ni.conntrack.udp_stream_s = seconds("UdpStreamTimeout");
      ni.conntrack.udp_s = seconds("UdpTimeout");
      if (!e->instance.empty() && primary_of_instance_.count(e->instance) == 0)
        primary_of_instance_[e->instance] = static_cast<InterfaceIndex>(s_.interfaces.size());
      s_.interfaces.push_back(std::move(ni));
    }
  }

  // ---- load balancers ----

  // Node interfaces of the load balancer whose ENIs read `description`.
  void add_nodes(LoadBalancer& lb, LbIndex index, const std::string& description, const Item& lb_item,
                 const std::map<std::string, std::string>& public_by_subnet) {
    for (const auto& [id, e] : enis_) {
      if (e.description != description || e.vpc != vpc_) continue;
      if (subnet_index_.count(e.subnet) == 0) {
        out_.warnings.push_back(e.item.source() + ": node " + id + " of " + lb.id + " is in subnet " + e.subnet +
                                ", which is not in the input; node left out");
        continue;
      }
      const Json& v = *e.item.value;
      NetworkInterface node;
      node.kind = NetworkInterface::Kind::kLbNode;
      node.where = located(e.item);
      node.subnet = subnet_index_[e.subnet];
      node.id = lb.id + "/" + e.subnet;
      node.eni = id;
      node.lb = index;
      node.groups = lb.groups;
      node.ipv4 = address(text(v, "PrivateIpAddress"), e.item, "PrivateIpAddress");
      if (!node.ipv4) continue;
      const Json& v6 = list(v, "Ipv6Addresses");
      if (!v6.empty()) node.ipv6 = address(text(v6[0], "Ipv6Address"), e.item, "Ipv6Address");
      if (lb.internet_facing) {
        node.public_ip = address(text(list_or(v, "Association"), "PublicIp"), e.item, "PublicIp");
        if (!node.public_ip) {
          if (auto it = public_by_subnet.find(e.subnet); it != public_by_subnet.end())
            node.public_ip = address(it->second, lb_item, "IpAddress");
        }
        if (!node.public_ip) {
          // The loader needs one (ELB guides, "Load balancer scheme": internet-facing nodes
          // have public addresses); 203.0.113.0/24 is documentation space (RFC 5737).
          node.public_ip = *net::parse_address("203.0.113." + std::to_string(1 + placeholder_public_++));
          out_.assumptions.push_back("node " + node.id + " of internet-facing " + lb.id +
                                     ": its public address is not in the input; " +
                                     net::format_address(node.public_ip->family, node.public_ip->bits) +
                                     " (documentation space) stands for it");
        }
      }
      bool twice = false;
      for (InterfaceIndex other : lb.nodes) twice |= s_.interfaces[other].subnet == node.subnet;
      if (twice) continue;
      lb.nodes.push_back(static_cast<InterfaceIndex>(s_.interfaces.size()));
      s_.interfaces.push_back(std::move(node));
    }
  }

  static std::optional<AppProtocol> app_protocol(const std::string& p) {
    if (p == "HTTP") return AppProtocol::kHttp;
    if (p == "HTTPS") return AppProtocol::kHttps;
    if (p == "TCP") return AppProtocol::kTcp;
    if (p == "UDP") return AppProtocol::kUdp;
    if (p == "TCP_UDP") return AppProtocol::kTcpUdp;
    if (p == "TLS" || p == "SSL") return AppProtocol::kTls;  // Classic's SSL is TLS over TCP
    return std::nullopt;
  }

  void map_load_balancers() {
    for (const auto& [arn, item] : dump_.lbs) {
      const Json& v = *item.value;
      if (vpc_of(item) != vpc_) continue;
      const std::string name = text(v, "LoadBalancerName");
      const std::string state = text(list_or(v, "State"), "Code");
      // Only active load balancers route traffic (API_LoadBalancerState: active, provisioning,
      // active_impaired, failed).
      if (state != "active" && state != "active_impaired") {
        out_.notes.push_back("load balancer " + name + " left out: state " + state + " (" + item.source() + ")");
        continue;
      }
      const std::string type = text(v, "Type");
      LoadBalancer lb;
      lb.id = name.empty() ? arn : name;
      lb.where = located(item);
      if (type == "application") {
        lb.type = LbType::kApplication;
      } else if (type == "network") {
        lb.type = LbType::kNetwork;
      } else {
        out_.warnings.push_back(item.source() + ": load balancer " + lb.id + " of type " + type +
                                " is not simulated by pfsim; left out");
        continue;
      }
      lb.internet_facing = text(v, "Scheme") != "internal";
      lb.groups = groups_of(list(v, "SecurityGroups"), item.source());
      const auto index = static_cast<LbIndex>(s_.load_balancers.size());
      std::map<std::string, std::string> public_by_subnet;
      for (const Json& az : list(v, "AvailabilityZones")) {
        for (const Json& a : list(az, "LoadBalancerAddresses")) {
          if (!text(a, "IpAddress").empty()) public_by_subnet[text(az, "SubnetId")] = text(a, "IpAddress");
        }
      }
      const auto slash = arn.find("loadbalancer/");
      const std::string suffix = slash == std::string::npos ? "" : arn.substr(slash + 13);
      add_nodes(lb, index, "ELB " + suffix, item, public_by_subnet);
      if (lb.nodes.empty()) {
        out_.warnings.push_back(item.source() + ": load balancer " + lb.id +
                                " has no node addresses in the input (its network interfaces, Description \"ELB " +
                                suffix + "\", come from describe-network-interfaces); left out");
        continue;
      }
      for (const auto& [larn, litem] : dump_.listeners) {
        if (text(*litem.value, "LoadBalancerArn") != arn) continue;
        add_listener(lb, litem);
      }
      lb_by_arn_[arn] = index;
      s_.load_balancers.push_back(std::move(lb));
    }
  }

  void add_listener(LoadBalancer& lb, const Item& litem) {
    const Json& l = *litem.value;
    Listener listener;
    listener.where = located(litem);
    const auto proto = app_protocol(text(l, "Protocol"));
    const auto port = integer(l, "Port");
    if (!proto || !port || *port < 1 || *port > 65535) {
      out_.warnings.push_back(litem.source() + ": listener " + text(l, "Protocol") + ":" +
                              std::to_string(port.value_or(0)) + " of " + lb.id + " is not simulated; left out");
      return;
    }
    listener.protocol = *proto;
    listener.port = static_cast<std::uint16_t>(*port);
    // The default action's forward target group (API_Action: TargetGroupArn, or ForwardConfig
    // with weighted TargetGroups).
    std::vector<std::string> forwards;
    for (const Json& a : list(l, "DefaultActions")) {
      if (text(a, "Type") != "forward") continue;
      if (!text(a, "TargetGroupArn").empty()) forwards.push_back(text(a, "TargetGroupArn"));
      for (const Json& t : list(list_or(a, "ForwardConfig"), "TargetGroups")) {
        if (std::find(forwards.begin(), forwards.end(), text(t, "TargetGroupArn")) == forwards.end())
          forwards.push_back(text(t, "TargetGroupArn"));
      }
    }
    if (forwards.empty()) {
      out_.notes.push_back(litem.source() + ": listener " + std::to_string(listener.port) + " of " + lb.id +
                           " does not forward (redirect or fixed response); left out");
      return;
    }
    if (forwards.size() > 1)
      out_.assumptions.push_back(lb.id + " listener " + std::to_string(listener.port) + " forwards to " +
                                 std::to_string(forwards.size()) + " weighted target groups; the scenario checks " +
                                 "the first, " + forwards[0]);
    // describe-rules: a rule's ARN is its listener's with "listener-rule/" for "listener/".
    std::size_t rules = 0;
    const std::string larn = text(l, "ListenerArn");
    const auto cut = larn.find(":listener/");
    const std::string rule_prefix =
        cut == std::string::npos ? "" : larn.substr(0, cut) + ":listener-rule/" + larn.substr(cut + 10) + "/";
    for (const auto& [rarn, ritem] : dump_.rules) {
      if (!rule_prefix.empty() && rarn.rfind(rule_prefix, 0) == 0 && !flag(*ritem.value, "IsDefault", false)) ++rules;
    }
    if (rules > 0)
      out_.notes.push_back(lb.id + " listener " + std::to_string(listener.port) + ": " + std::to_string(rules) +
                           " listener rule(s) not modelled (the default action's target group is checked)");
    pending_listeners_.push_back({static_cast<LbIndex>(s_.load_balancers.size()), lb.listeners.size(), forwards[0]});
    lb.listeners.push_back(listener);
  }

  void map_classic_load_balancers() {
    for (const auto& [name, item] : dump_.classic_lbs) {
      const Json& v = *item.value;
      if (vpc_of(item) != vpc_) continue;
      LoadBalancer lb;
      lb.id = name;
      lb.where = located(item);
      lb.type = LbType::kClassic;
      lb.internet_facing = text(v, "Scheme") != "internal";
      lb.groups = groups_of(list(v, "SecurityGroups"), item.source());
      const auto index = static_cast<LbIndex>(s_.load_balancers.size());
      add_nodes(lb, index, "ELB " + name, item, {});
      if (lb.nodes.empty()) {
        out_.warnings.push_back(item.source() + ": Classic load balancer " + name +
                                " has no node addresses in the input (its network interfaces, Description \"ELB " +
                                name + "\", come from describe-network-interfaces); left out");
        continue;
      }
      // A Classic LB has no target groups: its registered instances and health check become one
      // group named after it, and each listener keeps its InstancePort.
      TargetGroup tg;
      tg.id = name + "-instances";
      tg.where = located(item, "(Instances, HealthCheck)");
      const Json& listeners = list(v, "ListenerDescriptions");
      for (std::size_t i = 0; i < listeners.size(); ++i) {
        const Json& l = list_or(listeners[i], "Listener");
        const auto proto = app_protocol(text(l, "Protocol"));
        const auto port = integer(l, "LoadBalancerPort");
        const auto instance_port = integer(l, "InstancePort");
        if (!proto || !port || !instance_port) continue;
        if (tg.port == 0) {
          tg.port = static_cast<std::uint16_t>(*instance_port);
          tg.protocol = app_protocol(text(l, "InstanceProtocol")).value_or(*proto);
        }
        Listener listener;
        listener.where = Location{item.source() + ".ListenerDescriptions[" + std::to_string(i) + "]", 0, 0};
        listener.protocol = *proto;
        listener.port = static_cast<std::uint16_t>(*port);
        listener.instance_port = static_cast<std::uint16_t>(*instance_port);
        listener.target_group = static_cast<TargetGroupIndex>(s_.target_groups.size());
        lb.listeners.push_back(listener);
      }
      // HealthCheck.Target: "PROTOCOL:PORT[/PATH]" (ELB API reference, HealthCheck).
      const Json& hc = list_or(v, "HealthCheck");
      const std::string target = text(hc, "Target");
      tg.health_check.where = tg.where;
      tg.health_check.protocol = AppProtocol::kTcp;
      if (const auto colon = target.find(':'); colon != std::string::npos) {
        const std::string p = target.substr(0, colon);
        tg.health_check.protocol = p == "HTTP" || p == "HTTPS" ? AppProtocol::kHttp : AppProtocol::kTcp;
        tg.health_check.port = static_cast<std::uint16_t>(std::atoi(target.c_str() + colon + 1));
      }
      if (auto interval = integer(hc, "Interval"); interval && *interval >= 5 && *interval <= 300)
        tg.health_check.interval_s = static_cast<std::uint32_t>(*interval);
      const Json& instances = list(v, "Instances");
      for (std::size_t i = 0; i < instances.size(); ++i) {
        const std::string iid = text(instances[i], "InstanceId");
        auto it = primary_of_instance_.find(iid);
        if (it == primary_of_instance_.end()) {
          out_.warnings.push_back(item.source() + ".Instances[" + std::to_string(i) + "]: instance " + iid +
                                  " is not a running instance of the input; target left out");
          continue;
        }
        Target t;
        t.where = Location{item.source() + ".Instances[" + std::to_string(i) + "]", 0, 0};
        t.interface = it->second;
        tg.targets.push_back(t);
      }
      if (lb.listeners.empty() || tg.port == 0) {
        out_.warnings.push_back(item.source() + ": Classic load balancer " + name +
                                " has no listener pfsim simulates; left out");
        s_.interfaces.resize(s_.interfaces.size() - lb.nodes.size());
        continue;
      }
      s_.target_groups.push_back(std::move(tg));
      s_.load_balancers.push_back(std::move(lb));
    }
  }

  // ---- target groups ----

  void map_target_groups() {
    std::map<std::string, TargetGroupIndex> by_arn;
    for (const PendingListener& p : pending_listeners_) {
      LoadBalancer& lb = s_.load_balancers[p.lb];
      auto found = by_arn.find(p.target_group);
      if (found == by_arn.end()) {
        const auto index = map_target_group(p.target_group, lb);
        if (index == kNone) {
          lb.listeners[p.listener].target_group = kNone;
          continue;
        }
        found = by_arn.emplace(p.target_group, index).first;
      }
      lb.listeners[p.listener].target_group = found->second;
    }
    // Listeners whose target group could not be mapped are left out.
    for (LoadBalancer& lb : s_.load_balancers) {
      std::erase_if(lb.listeners, [](const Listener& l) { return l.target_group == kNone; });
    }
    for (const auto& [arn, item] : dump_.tgs) {
      if (by_arn.count(arn) == 0)
        out_.notes.push_back("target group " + text(*item.value, "TargetGroupName") + " left out: no listener of " +
                             "an imported load balancer forwards to it (" + item.source() + ")");
    }
  }

  TargetGroupIndex map_target_group(const std::string& arn, const LoadBalancer& lb) {
    auto it = dump_.tgs.find(arn);
    if (it == dump_.tgs.end()) {
      out_.warnings.push_back("a listener of " + lb.id + " forwards to target group " + arn +
                              ", which is not in the input (give describe-target-groups output); listener left out");
      return kNone;
    }
    const Item& item = it->second;
    const Json& v = *item.value;
    TargetGroup tg;
    tg.id = text(v, "TargetGroupName");
    tg.where = located(item);
    const std::string type = text(v, "TargetType");
    const auto proto = app_protocol(text(v, "Protocol"));
    const auto port = integer(v, "Port");
    if ((type != "instance" && type != "ip") || !proto || !port) {
      out_.warnings.push_back(item.source() + ": target group " + tg.id + " (" + type + ", " + text(v, "Protocol") +
                              ") is not simulated by pfsim; its listener is left out");
      return kNone;
    }
    if (vpc_of(item) != vpc_) {
      out_.warnings.push_back(item.source() + ": target group " + tg.id + " is in " + vpc_of(item) + ", not " + vpc_ +
                              "; its listener is left out");
      return kNone;
    }
    tg.protocol = *proto;
    tg.port = static_cast<std::uint16_t>(*port);
    tg.ip_targets = type == "ip";
    HealthCheck& hc = tg.health_check;
    hc.where = tg.where;
    const std::string hp = text(v, "HealthCheckProtocol");
    hc.protocol =
        hp == "HTTP" || hp == "HTTPS" ? (hp == "HTTP" ? AppProtocol::kHttp : AppProtocol::kHttps) : AppProtocol::kTcp;
    // HealthCheckPort: "traffic-port" or a number (API_TargetGroup).
    if (auto n = integer(v, "HealthCheckPort"); n && *n >= 1 && *n <= 65535) hc.port = static_cast<std::uint16_t>(*n);
    if (auto n = integer(v, "HealthCheckIntervalSeconds"); n && *n >= 5 && *n <= 300)
      hc.interval_s = static_cast<std::uint32_t>(*n);
    if (!flag(v, "HealthCheckEnabled", true))
      out_.assumptions.push_back("target group " + tg.id +
                                 " has health checks disabled in AWS; pfsim still judges its health-check path");
    map_attributes(arn, tg, lb);
    map_targets(arn, tg);
    const auto index = static_cast<TargetGroupIndex>(s_.target_groups.size());
    s_.target_groups.push_back(std::move(tg));
    return index;
  }

  void map_attributes(const std::string& arn, TargetGroup& tg, const LoadBalancer& lb) {
    const Json* attributes = nullptr;
    if (auto it = dump_.tg_attributes.find(arn); it != dump_.tg_attributes.end()) {
      attributes = &list(*it->second.value, "Attributes");
    } else if (dump_.orphan_attributes.size() == 1 && dump_.tgs.size() == 1 &&
               looks_like_tg_attributes(*dump_.orphan_attributes[0].value)) {
      // Raw describe-target-group-attributes names no group; with one group there is no doubt.
      attributes = dump_.orphan_attributes[0].value;
      orphan_attributes_used_ = true;
      out_.assumptions.push_back(dump_.orphan_attributes[0].file + ": describe-target-group-attributes output names " +
                                 "no target group; taken to be " + tg.id + "'s, the only target group of the input");
    }
    static const Json kNone = Json::array();
    for (const Json& a : attributes != nullptr ? *attributes : kNone) {
      const std::string key = text(a, "Key");
      if (key == "preserve_client_ip.enabled") tg.preserve_client_ip = text(a, "Value") == "true";
      if (key == "proxy_protocol_v2.enabled" && text(a, "Value") == "true")
        out_.notes.push_back("target group " + tg.id +
                             ": proxy protocol v2 is on (a header, not a filter: not judged)");
    }
    if (lb.type != LbType::kNetwork || tg.preserve_client_ip) return;
    // NLB defaults: "If the target group type is instance ... client IP preservation is enabled
    // ... If the target group type is ip and the protocol is TCP or TLS, client IP preservation
    // is disabled by default; UDP and TCP_UDP: enabled" (ELB NLB guide, "Client IP
    // preservation"). Stated, as AWS Reachability Analyzer states ASSUMPTION_PRESERVE_CLIENT_IP_*.
    const bool on = !tg.ip_targets || tg.protocol == AppProtocol::kUdp || tg.protocol == AppProtocol::kTcpUdp;
    tg.preserve_client_ip = on;
    out_.assumptions.push_back("target group " + tg.id + ": preserve_client_ip.enabled is not in the input (no " +
                               "TargetGroupAttributes); AWS's default for " + (tg.ip_targets ? "ip" : "instance") +
                               " targets over " + text(*dump_.tgs.at(arn).value, "Protocol") + " is " +
                               (on ? "on" : "off"));
  }

  static bool looks_like_tg_attributes(const Json& attributes) {
    for (const Json& a : attributes) {
      const std::string key = text(a, "Key");
      for (const char* p : {"preserve_client_ip.", "proxy_protocol_v2.", "deregistration_delay.", "stickiness.",
                            "slow_start.", "lambda.", "target_group_health.", "load_balancing.algorithm"}) {
        if (key.rfind(p, 0) == 0) return true;
      }
    }
    return false;
  }

  // Parentless outputs the mapping could not attribute: said, never silently dropped.
  void report_orphans() {
    if (!orphan_attributes_used_) {
      for (const Item& o : dump_.orphan_attributes)
        out_.warnings.push_back(o.file + ": \"Attributes\" names no target group or load balancer; skipped (wrap it " +
                                "as TargetGroupAttributes or LoadBalancerAttributes, docs/aws-import.md)");
    }
    if (!orphan_health_used_) {
      for (const Item& o : dump_.orphan_tg_health)
        out_.warnings.push_back(o.file + ": \"TargetHealthDescriptions\" names no target group; skipped (wrap it " +
                                "as LoadBalancerTargetHealth, docs/aws-import.md)");
    }
    if (!orphan_entries_used_) {
      for (const Item& o : dump_.orphan_prefix_entries)
        out_.warnings.push_back(o.file + ": \"Entries\" names no prefix list; skipped (wrap it as " +
                                "ManagedPrefixListEntries, docs/aws-import.md)");
    }
  }

  void map_targets(const std::string& arn, TargetGroup& tg) {
    const Item* health = nullptr;
    Item orphan;
    if (auto it = dump_.tg_health.find(arn); it != dump_.tg_health.end()) {
      health = &it->second;
    } else if (dump_.orphan_tg_health.size() == 1 && dump_.tgs.size() == 1) {
      // Raw describe-target-health names no group; with one group in the input there is no doubt.
      orphan = dump_.orphan_tg_health[0];
      health = &orphan;
      orphan_health_used_ = true;
      out_.assumptions.push_back(orphan.file + ": describe-target-health output names no target group; taken to " +
                                 "be " + tg.id + "'s, the only target group of the input");
    }
    if (health == nullptr) {
      out_.warnings.push_back("target group " + tg.id + ": no describe-target-health output names it, so it has no " +
                              "targets here (give the LoadBalancerTargetHealth wrapper, docs/aws-import.md)");
      return;
    }
    const Json& descriptions =
        health->value->is_array() ? *health->value : list(*health->value, "TargetHealthDescriptions");
    const std::string base = health->value->is_array() ? health->path : health->path + ".TargetHealthDescriptions";
    for (std::size_t i = 0; i < descriptions.size(); ++i) {
      const Json& d = descriptions[i];
      const Json& target = list_or(d, "Target");
      const std::string id = text(target, "Id");
      const std::string where = health->file + " " + base + "[" + std::to_string(i) + "]";
      // "all": "the target is outside the VPC" (API_TargetDescription, AvailabilityZone).
      if (text(target, "AvailabilityZone") == "all") {
        out_.warnings.push_back(where + ": target " + id + " is outside the VPC (AvailabilityZone all); left out");
        continue;
      }
      Target t;
      t.where = Location{where, 0, 0};
      if (auto port = integer(target, "Port"); port && *port >= 1 && *port <= 65535)
        t.port = static_cast<std::uint16_t>(*port);
      if (tg.ip_targets) {
        auto a = net::parse_address(id);
        t.interface = a ? interface_at(s_, *a) : kNone;
      } else if (auto it = primary_of_instance_.find(id); it != primary_of_instance_.end()) {
        t.interface = it->second;
      }
      if (t.interface == kNone) {
        out_.warnings.push_back(where + ": target " + id + " is not a running " +
                                (tg.ip_targets ? "interface address" : "instance") + " of " + vpc_ +
                                " in the input; left out");
        continue;
      }
      bool twice = false;
      for (const Target& other : tg.targets) twice |= other.interface == t.interface && other.port == t.port;
      if (twice) continue;
      const Json& th = list_or(d, "TargetHealth");
      out_.reported_health.push_back(ReportedHealth{tg.id, s_.interfaces[t.interface].id, id,
                                                    t.port != 0 ? t.port : tg.port, text(th, "State"),
                                                    text(th, "Reason")});
      tg.targets.push_back(t);
    }
  }

  // ---- security-group rules ----

  // One rule per peer (API_SecurityGroupRule: "exactly one of" CidrIpv4, CidrIpv6, PrefixListId,
  // ReferencedGroupInfo).
  struct RuleShape {
    std::string protocol;
    long long from = -1, to = -1;
    std::string description;
  };

  bool shape_rule(const RuleShape& shape, const Item& at, FilterRule& r) {
    bool ok = true;
    r.protocol = protocol(shape.protocol == "-1" ? "-1" : shape.protocol, at, ok);
    if (!ok) return false;
    r.description = shape.description;
    if (r.protocol.any) return true;
    if (net::is_tcp_or_udp(r.protocol.number)) {
      // FromPort/ToPort: "the start/end of the port range" for TCP and UDP (API_IpPermission);
      // -1 both ways is all ports.
      if (shape.from == -1 && shape.to == -1) return true;
      if (shape.from < 0 || shape.to < shape.from || shape.to > 65535) {
        out_.warnings.push_back(at.source() + ": port range " + std::to_string(shape.from) + "-" +
                                std::to_string(shape.to) + " is not valid; rule left out");
        return false;
      }
      const net::PortRange p{static_cast<std::uint16_t>(shape.from), static_cast<std::uint16_t>(shape.to)};
      if (!p.is_any()) r.ports = {p};
      return true;
    }
    if (net::is_icmp(r.protocol.number)) {
      // "If the protocol is ICMP or ICMPv6, this is the type number ... the ICMP code. A value
      // of -1 indicates all ICMP types/codes" (API_IpPermission, FromPort/ToPort).
      r.icmp = icmp_spec(shape.from, shape.to, at, ok);
      return ok;
    }
    // Other protocols match every port ("regardless of any port range you specify").
    return true;
  }

  // Completes `r` with the peer `cidr` / `prefix_list` / `group`; false = left out (stated).
  bool set_peer(FilterRule& r, const Item& at, const std::string& cidr, const std::string& prefix_list,
                const Json* group) {
    if (!cidr.empty()) {
      auto range = prefix(cidr, at, "CIDR");
      if (!range) return false;
      r.peer.cidrs = {*range};
      r.peer.written = cidr;
      r.peer.anywhere = range->range.lo == net::Ip128{} && range->range.hi == net::max_address(range->family);
      return true;
    }
    if (!prefix_list.empty()) {
      r.peer.written = prefix_list;
      used_prefix_lists_[prefix_list] = at.source();
      return true;
    }
    if (group != nullptr) {
      const std::string id = text(*group, "GroupId");
      const std::string peering = text(*group, "VpcPeeringConnectionId");
      const std::string user = text(*group, "UserId");
      if (!peering.empty() || (!user.empty() && !account_.empty() && user != account_)) {
        // A group of another account or a peered VPC: its members are not in this dump.
        out_.warnings.push_back(at.source() + ": references " + id + " of " +
                                (!peering.empty() ? "peered VPC (" + peering + ")" : "account " + user));
      }
      r.peer.kind = Peer::Kind::kGroup;
      r.peer.group = referenced_group(id, at.source());
      r.peer.written = id;
      return true;
    }
    out_.warnings.push_back(at.source() + ": a rule without a peer; left out");
    return false;
  }

  void fill_group_rules() {
    // The account: the owner of the VPC (for cross-account references).
    if (auto it = dump_.vpcs.find(vpc_); it != dump_.vpcs.end()) account_ = text(*it->second.value, "OwnerId");
    std::set<std::string> from_rules_call;
    for (const auto& [rid, item] : dump_.group_rules) {
      const Json& v = *item.value;
      const std::string gid = text(v, "GroupId");
      auto g = group_index_.find(gid);
      if (g == group_index_.end()) continue;
      from_rules_call.insert(gid);
      FilterRule r;
      r.where = located(item, rid);
      RuleShape shape{text(v, "IpProtocol"), integer(v, "FromPort").value_or(-1), integer(v, "ToPort").value_or(-1),
                      text(v, "Description")};
      if (!shape_rule(shape, item, r)) continue;
      const Json& ref = list_or(v, "ReferencedGroupInfo");
      const bool egress = flag(v, "IsEgress", false);
      const std::string cidr = !text(v, "CidrIpv4").empty() ? text(v, "CidrIpv4") : text(v, "CidrIpv6");
      if (!set_peer(r, item, cidr, text(v, "PrefixListId"), ref.empty() ? nullptr : &ref)) continue;
      SecurityGroup& group = s_.groups[g->second];
      (egress ? group.outbound : group.inbound).push_back(std::move(r));
    }
    // describe-security-groups: IpPermissions(Egress), one rule per peer, where the rules call
    // gave nothing for the group (that call is preferred: its rules carry sgr- ids).
    for (const auto& [gid, item] : dump_.groups) {
      auto g = group_index_.find(gid);
      if (g == group_index_.end() || from_rules_call.count(gid) != 0) continue;
      for (const char* key : {"IpPermissions", "IpPermissionsEgress"}) {
        const bool egress = std::string_view(key) == "IpPermissionsEgress";
        const Json& perms = list(*item.value, key);
        for (std::size_t i = 0; i < perms.size(); ++i) {
          const Json& p = perms[i];
          const std::string ppath = item.path + "." + key + "[" + std::to_string(i) + "]";
          RuleShape shape{text(p, "IpProtocol"), integer(p, "FromPort").value_or(-1), integer(p, "ToPort").value_or(-1),
                          ""};
          auto add = [&](const char* list_key, std::size_t j, const Json& peer, const std::string& cidr,
                         const std::string& pl, const Json* group) {
            const Item at{&peer, item.file, ppath + "." + list_key + "[" + std::to_string(j) + "]"};
            FilterRule r;
            r.where = located(at);
            shape.description = text(peer, "Description");
            if (!shape_rule(shape, at, r) || !set_peer(r, at, cidr, pl, group)) return;
            SecurityGroup& group_ref = s_.groups[g->second];
            (egress ? group_ref.outbound : group_ref.inbound).push_back(std::move(r));
          };
          const Json& v4 = list(p, "IpRanges");
          for (std::size_t j = 0; j < v4.size(); ++j) add("IpRanges", j, v4[j], text(v4[j], "CidrIp"), "", nullptr);
          const Json& v6 = list(p, "Ipv6Ranges");
          for (std::size_t j = 0; j < v6.size(); ++j) add("Ipv6Ranges", j, v6[j], text(v6[j], "CidrIpv6"), "", nullptr);
          const Json& pls = list(p, "PrefixListIds");
          for (std::size_t j = 0; j < pls.size(); ++j)
            add("PrefixListIds", j, pls[j], "", text(pls[j], "PrefixListId"), nullptr);
          const Json& pairs = list(p, "UserIdGroupPairs");
          for (std::size_t j = 0; j < pairs.size(); ++j) add("UserIdGroupPairs", j, pairs[j], "", "", &pairs[j]);
        }
      }
    }
  }

  void map_prefix_lists() {
    std::set<std::string> missing;
    for (const auto& [id, source] : used_prefix_lists_) {
      PrefixList pl;
      pl.id = id;
      std::vector<std::string> cidrs;
      if (auto it = dump_.prefix_list_entries.find(id); it != dump_.prefix_list_entries.end()) {
        pl.where = located(it->second);
        for (const Json& e : list(*it->second.value, "Entries")) cidrs.push_back(text(e, "Cidr"));
      } else if (auto m = dump_.managed_prefix_lists.find(id);
                 m != dump_.managed_prefix_lists.end() && m->second.value->contains("Cidrs")) {
        // describe-prefix-lists (AWS-managed lists) carries the CIDRs inline.
        pl.where = located(m->second);
        for (const Json& c : list(*m->second.value, "Cidrs")) {
          if (c.is_string()) cidrs.push_back(c.get<std::string>());
        }
      } else if (dump_.orphan_prefix_entries.size() == 1 && used_prefix_lists_.size() == 1) {
        const Item& o = dump_.orphan_prefix_entries[0];
        pl.where = located(o);
        for (const Json& e : *o.value) cidrs.push_back(text(e, "Cidr"));
        orphan_entries_used_ = true;
        out_.assumptions.push_back(o.file + ": get-managed-prefix-list-entries output names no list; taken to be " +
                                   id + "'s, the only prefix list the rules use");
      } else {
        missing.insert(id);
        continue;
      }
      for (const std::string& c : cidrs) {
        if (auto r = net::parse_prefix(c)) pl.cidrs.push_back(*r);
      }
      prefix_list_index_[id] = s_.prefix_lists.size();
      s_.prefix_lists.push_back(std::move(pl));
    }
    // A rule naming a list whose entries are unknown cannot be judged: it is left out, stated.
    for (SecurityGroup& g : s_.groups) {
      for (auto* rules : {&g.inbound, &g.outbound}) {
        std::erase_if(*rules, [&](const FilterRule& r) {
          if (r.peer.kind != Peer::Kind::kCidrs || missing.count(r.peer.written) == 0) return false;
          out_.warnings.push_back(r.where.file + ": prefix list " + r.peer.written + " has no entries in the input " +
                                  "(give the ManagedPrefixListEntries wrapper, docs/aws-import.md)");
          out_.assumptions.push_back("a rule of " + g.id + " naming " + r.peer.written +
                                     " is left out: it allows nothing here");
          return true;
        });
        for (FilterRule& r : *rules) {
          if (auto it = prefix_list_index_.find(r.peer.written);
              it != prefix_list_index_.end() && r.peer.kind == Peer::Kind::kCidrs && r.peer.cidrs.empty())
            r.peer.cidrs = s_.prefix_lists[it->second].cidrs;
        }
      }
    }
  }

  // "a public address in a private subnet" is unreachable from the internet; an internet-facing
  // load balancer needs public subnets ("your load balancer's subnets must have a route to an
  // internet gateway", ELB ALB guide, "Availability Zones and subnets").
  void check_public_addresses() {
    if (dump_.route_tables.empty()) return;
    for (const NetworkInterface& ni : s_.interfaces) {
      if (ni.subnet == kNone || s_.subnets[ni.subnet].is_public) continue;
      if (ni.kind == NetworkInterface::Kind::kInstance && ni.public_ip)
        out_.warnings.push_back(ni.id + " has public address " +
                                net::format_address(ni.public_ip->family, ni.public_ip->bits) + " in private subnet " +
                                s_.subnets[ni.subnet].id + " (no route to an internet gateway): unreachable from " +
                                "the internet");
      if (ni.kind == NetworkInterface::Kind::kLbNode && s_.load_balancers[ni.lb].internet_facing)
        out_.warnings.push_back("internet-facing " + s_.load_balancers[ni.lb].id + " has node " + ni.id +
                                " in private subnet " + s_.subnets[ni.subnet].id +
                                " (no route to an internet gateway): unreachable from the internet");
    }
  }

  struct PendingListener {
    LbIndex lb;
    std::size_t listener;
    std::string target_group;
  };

  const Dump& dump_;
  const AwsImportOptions& options_;
  AwsImport& out_;
  Scenario& s_;
  std::string vpc_, vpc_name_, account_;
  Location vpc_where_;
  AclIndex default_acl_ = kNone;
  std::map<std::string, std::size_t> acl_of_subnet_;
  std::map<std::string, SubnetIndex> subnet_index_;
  std::map<std::string, GroupIndex> group_index_;
  std::map<std::string, Eni> enis_;
  std::map<std::string, InterfaceIndex> primary_of_instance_;
  std::map<std::string, LbIndex> lb_by_arn_;
  std::map<std::string, std::string> used_prefix_lists_;
  std::map<std::string, std::size_t> prefix_list_index_;
  std::vector<PendingListener> pending_listeners_;
  int placeholder_public_ = 0;
  bool orphan_attributes_used_ = false, orphan_health_used_ = false, orphan_entries_used_ = false;
};

}  // namespace
}  // namespace aws

net::Result<AwsImport> import_aws(std::span<const JsonInput> inputs, const AwsImportOptions& options) {
  net::Result<aws::Dump> dump = aws::read_dump(inputs);
  if (!dump) return dump.error();
  AwsImport out;
  for (const JsonInput& input : inputs) out.inputs.push_back(input.name);
  aws::Mapper mapper(*dump, options, out);
  if (net::Status s = mapper.run(); !s) return s.error();
  return out;
}

}  // namespace pfsim::engine
