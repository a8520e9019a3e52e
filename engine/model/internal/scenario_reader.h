// engine/model/internal/scenario_reader.h — the walk of one scenario document, written in the
// checked-field toolkit (yaml_fields.h). Private to engine/model; parse_scenario is its one user.
//
// The walk runs in a fixed order: the top level, the ids of every kind (so references may
// point forward in the file), then vpc, prefix lists, network ACLs, subnets, security groups,
// instances, load balancers, target groups, and the settings. Every map's keys are checked
// against the keys allowed there for the scenario's provider before any value is read. The
// first error throws yaml::ReadFailure (caught by yaml::read_document), so nothing is partly
// loaded.
//
// One file per group of sections:
//   scenario_loader.cc   parse_scenario, the top level, ids and references
//   load_network.cc      vpc, prefix lists, subnets, instances and their addresses
//   load_rules.cc        rule peers, protocols and ports, security group and network ACL rules,
//                        and the canonical rule text ("tcp 8080 from sg-lb")
//   load_balancers.cc    load balancers, their nodes and listeners, target groups, health checks
//   load_settings.cc     mtu, conntrack timeouts, events
//   load_mirror_sessions.cc  traffic mirror sessions
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/model/internal/yaml_fields.h"
#include "engine/model/scenario.h"

namespace pfsim::engine {

// A KeySpec's dialect bits are the providers, in the order of enum Provider.
inline constexpr yaml::Dialects kAwsBit = 1u << static_cast<unsigned>(Provider::kAws);
inline constexpr yaml::Dialects kHuaweiBit = 1u << static_cast<unsigned>(Provider::kHuawei);
inline constexpr yaml::Dialects kE2eBit = 1u << static_cast<unsigned>(Provider::kE2e);

// The EC2-Classic source group every Classic LB node is a member of (ELB Classic guide,
// "Security groups for load balancers in EC2-Classic").
inline constexpr std::string_view kElbSourceGroup = "amazon-elb/amazon-elb-sg";

// "aws", "huawei", "e2e".
const char* provider_name(Provider p);

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

inline std::string cidr_text(const net::IpRange& r) { return net::format_range(r.family, r.range); }
inline std::string address_text(const net::IpAddress& a) { return net::format_address(a.family, a.bits); }
// "10.0.1.0/24, 10.0.2.0/24" (or "none").
std::string cidrs_text(const std::vector<net::IpRange>& cidrs);

class ScenarioReader : public yaml::FieldReader {
 public:
  explicit ScenarioReader(std::string file) : FieldReader(file) { scenario_.file = std::move(file); }

  Scenario run(const YAML::Node& root);

 private:
  using Field = yaml::Field;
  using Fields = yaml::Fields;
  using KeySpec = yaml::KeySpec;
  using NamedNodes = std::vector<std::pair<std::string, YAML::Node>>;

  // ---- scenario_loader.cc: the top level, ids and references ----
  void read_top(const YAML::Node& root);
  void read_options();
  void collect(std::string_view key, Names& names, NamedNodes& out);
  void collect_ids();
  void add_e2e_allow_all();
  std::uint32_t resolve(const YAML::Node& n, const Names& names) const;
  std::vector<GroupIndex> group_refs(const YAML::Node& n) const;

  // ---- load_network.cc ----
  void read_vpc();
  void read_prefix_lists();
  void read_subnets();
  void read_subnet_cidr(const YAML::Node& n, std::size_t subnet_index);
  void read_instances();
  // Records `a` as used by `owner` (private and public addresses are unique per scenario).
  void claim_address(const YAML::Node& n, const net::IpAddress& a, const std::string& owner, bool is_public);
  void check_in_subnet(const YAML::Node& n, const net::IpAddress& a, SubnetIndex s) const;
  InterfaceConntrack interface_conntrack(const YAML::Node& n) const;

  // ---- load_rules.cc ----
  enum class RuleKind : std::uint8_t { kGroup, kAcl };
  static Peer anywhere_peer(std::string written);
  Peer cidr_peer(const YAML::Node& n, const std::string& text) const;
  Peer e2e_network_peer(const YAML::Node& n) const;
  Peer group_rule_peer(const YAML::Node& n) const;
  Peer acl_rule_peer(const YAML::Node& n) const;
  ProtocolSpec protocol(const YAML::Node& n) const;
  net::PortRange port_range(const YAML::Node& n) const;
  std::vector<net::PortRange> ports(const YAML::Node& n) const;
  void read_match(const Fields& fields, FilterRule& rule) const;
  IcmpSpec icmp(const Field& field) const;
  static std::vector<KeySpec> rule_keys(RuleKind kind, Direction direction);
  FilterRule group_rule(const YAML::Node& n, Direction direction) const;
  FilterRule acl_rule(const YAML::Node& n, Direction direction, std::size_t position) const;
  void read_acls();
  void read_acl_rules(const Field& list, Direction direction, NetworkAcl& acl);
  void read_groups();

  // ---- load_balancers.cc ----
  AppProtocol app_protocol(const YAML::Node& n, std::string_view what, bool health_check) const;
  void read_load_balancers();
  LoadBalancer read_load_balancer(const std::string& id, const YAML::Node& node, LbIndex index);
  LbType lb_type(const Fields& fields) const;
  void check_classic(const Fields& fields, const LoadBalancer& lb) const;
  void attach_groups(const Fields& fields, LoadBalancer& lb) const;
  // The nodes of load balancer `index` (interfaces appended to the scenario, listed in
  // lb.nodes); returns the backend_ip values written (interface, where written).
  std::vector<std::pair<InterfaceIndex, YAML::Node>> read_nodes(const Fields& fields, LbIndex index, LoadBalancer& lb);
  std::pair<NetworkInterface, std::optional<YAML::Node>> read_node(const YAML::Node& n, std::size_t position,
                                                                   const std::vector<KeySpec>& keys,
                                                                   const LoadBalancer& lb);
  void assign_backend_ips(const Fields& fields, const YAML::Node& node, LoadBalancer& lb,
                          const std::vector<std::pair<InterfaceIndex, YAML::Node>>& backend_ips);
  // `written_type`: the load balancer's type as written, lower case (listener protocols are
  // per product: e2e's application and network are one LbType).
  Listener listener(const YAML::Node& n, const LoadBalancer& lb, std::string_view written_type) const;
  void read_target_groups();
  void read_health_check(const YAML::Node& n, HealthCheck& hc) const;
  Target target(const YAML::Node& n, const TargetGroup& tg) const;
  InterfaceIndex resolve_instance(const YAML::Node& n) const;

  // ---- load_settings.cc ----
  void read_mtu();
  void read_conntrack();
  void read_events();
  Event event(const YAML::Node& n) const;

  // ---- load_mirror_sessions.cc ----
  void read_traffic_mirror_sessions();

  Scenario scenario_;
  std::optional<Fields> top_;  // the checked top-level map
  Names prefix_list_names_{"prefix list", {}, {}};
  Names acl_names_{"network ACL", {}, {}};
  Names subnet_names_{"subnet", {}, {}};
  Names group_names_{"security group", {}, {}};
  Names instance_names_{"instance", {}, {}};
  Names ec2_instance_names_{"EC2 instance", {}, {}};  // instances[].instance -> its first interface
  Names lb_names_{"load balancer", {}, {}};
  Names tg_names_{"target group", {}, {}};
  NamedNodes prefix_list_nodes_, acl_nodes_, subnet_nodes_, group_nodes_, instance_nodes_, lb_nodes_, tg_nodes_;
  std::map<std::tuple<int, std::uint64_t, std::uint64_t>, std::string> private_addresses_, public_addresses_;
};

}  // namespace pfsim::engine
