// engine/model/load_balancers.cc — the load-balancer sections of a scenario: load balancers,
// their nodes (one interface each) and listeners, target groups, their health checks and
// targets, with the protocols and keys each provider and load-balancer type allows.
#include <algorithm>
#include <iterator>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "engine/model/app_protocol_name.h"
#include "engine/model/internal/scenario_reader.h"

namespace pfsim::engine {

using yaml::Named;
using yaml::shown;

namespace {

// Listener and target-group protocols, as the ELB API spells them (any letter case).
constexpr Named<AppProtocol> kAppProtocols[] = {{"HTTP", AppProtocol::kHttp},      {"HTTPS", AppProtocol::kHttps},
                                                {"TCP", AppProtocol::kTcp},        {"UDP", AppProtocol::kUdp},
                                                {"TCP_UDP", AppProtocol::kTcpUdp}, {"TLS", AppProtocol::kTls}};

// "TLS, UDP, TCP_UDP and GENEVE are not supported for health checks" (ELB API reference,
// API_CreateTargetGroup, HealthCheckProtocol).
constexpr Named<AppProtocol> kHealthCheckProtocols[] = {
    {"HTTP", AppProtocol::kHttp}, {"HTTPS", AppProtocol::kHttps}, {"TCP", AppProtocol::kTcp}};
// Huawei health checks: TCP, HTTP, HTTPS or UDP_CONNECT (ELB guide, "Health check").
constexpr Named<AppProtocol> kHuaweiHealthCheckProtocols[] = {{"HTTP", AppProtocol::kHttp},
                                                              {"HTTPS", AppProtocol::kHttps},
                                                              {"TCP", AppProtocol::kTcp},
                                                              {"UDP_CONNECT", AppProtocol::kUdpConnect}};

constexpr Named<LbType> kAwsLbTypes[] = {
    {"application", LbType::kApplication}, {"network", LbType::kNetwork}, {"classic", LbType::kClassic}};
constexpr Named<LbType> kHuaweiLbTypes[] = {{"dedicated", LbType::kHuaweiDedicated}, {"shared", LbType::kHuaweiShared}};
// "E2E Cloud offers two types: an Application Load Balancer (ALB) that works at Layer 7 for
// HTTP and HTTPS traffic, and a Network Load Balancer (NLB) that works at Layer 4 for TCP
// traffic." (docs.e2enetworks.com, "Load Balancer Documentation"). Both are proxies (HAProxy,
// whose stats the same pages show): the backends see the LB's VPC address, as pfsim's `e2e`
// type has always modelled, so the product names are that type with its listener protocols
// (kListenerProtocols); `e2e` stays, for a listener of any protocol.
constexpr Named<LbType> kE2eLbTypes[] = {
    {"e2e", LbType::kE2e}, {"application", LbType::kE2e}, {"network", LbType::kE2e}};

// scheme: true for internet-facing.
constexpr Named<bool> kSchemes[] = {{"internet-facing", true}, {"internal", false}};

// target_type: true for ip.
constexpr Named<bool> kTargetTypes[] = {{"instance", false}, {"ip", true}};

// Listener protocols per type: ALB HTTP/HTTPS ("Listeners for your Application Load
// Balancers"), NLB TCP/TLS/UDP/TCP_UDP ("Listeners for your Network Load Balancers"), CLB
// HTTP/HTTPS/TCP/SSL ("Listeners for your Classic Load Balancer"). Other types take any.
constexpr AppProtocol kAlbListenerProtocols[] = {AppProtocol::kHttp, AppProtocol::kHttps};
constexpr AppProtocol kNlbListenerProtocols[] = {AppProtocol::kTcp, AppProtocol::kTls, AppProtocol::kUdp,
                                                 AppProtocol::kTcpUdp};
constexpr AppProtocol kClbListenerProtocols[] = {AppProtocol::kHttp, AppProtocol::kHttps, AppProtocol::kTcp,
                                                 AppProtocol::kTls};
// E2E: ALB HTTP and HTTPS, NLB TCP (the sentence at kE2eLbTypes).
constexpr AppProtocol kE2eNlbListenerProtocols[] = {AppProtocol::kTcp};
struct ListenerProtocols {
  Provider provider;
  std::string_view type;           // as written, lower case
  std::string_view load_balancer;  // "an application"
  std::span<const AppProtocol> allowed;
};
constexpr ListenerProtocols kListenerProtocols[] = {
    {Provider::kAws, "application", "an application", kAlbListenerProtocols},
    {Provider::kAws, "network", "a network", kNlbListenerProtocols},
    {Provider::kAws, "classic", "a classic", kClbListenerProtocols},
    {Provider::kE2e, "application", "an e2e application", kAlbListenerProtocols},
    {Provider::kE2e, "network", "an e2e network", kE2eNlbListenerProtocols}};

// Target-group protocols a listener may forward to. "For Application Load Balancers, the
// supported protocols are HTTP and HTTPS. For Network Load Balancers, the supported protocols
// are TCP, TLS, UDP, or TCP_UDP. [...] A TCP_UDP listener must be associated with a TCP_UDP
// target group." (ELB API reference, API_CreateTargetGroup, Protocol). Within those, the group
// must carry the listener's transport: "a load balancer routes requests to its targets using
// the protocol and port number that you specified when you created the target group" (ELB NLB
// guide, "Target groups for your Network Load Balancers", "Routing configuration").
constexpr AppProtocol kAlbTargetProtocols[] = {AppProtocol::kHttp, AppProtocol::kHttps};
constexpr AppProtocol kNlbTargetProtocols[] = {AppProtocol::kTcp, AppProtocol::kTls, AppProtocol::kUdp,
                                               AppProtocol::kTcpUdp};
struct TargetProtocols {
  LbType type;
  std::span<const AppProtocol> allowed;
};
constexpr TargetProtocols kTargetProtocols[] = {{LbType::kApplication, kAlbTargetProtocols},
                                                {LbType::kNetwork, kNlbTargetProtocols}};

// Whether a listener of `listener` on a load balancer of `type` may forward to a target group
// of `group`: the table and rules above, for ALB and NLB. Other types are not checked (no
// source states their rule; Classic has no target-group protocol).
bool forwards_to(LbType type, AppProtocol listener, AppProtocol group) {
  const auto rule = std::find_if(std::begin(kTargetProtocols), std::end(kTargetProtocols),
                                 [&](const TargetProtocols& r) { return r.type == type; });
  if (rule == std::end(kTargetProtocols)) return true;
  if (std::find(rule->allowed.begin(), rule->allowed.end(), group) == rule->allowed.end()) return false;
  if (listener == AppProtocol::kTcpUdp) return group == AppProtocol::kTcpUdp;
  return (!uses_tcp(listener) || uses_tcp(group)) && (!uses_udp(listener) || uses_udp(group));
}

}  // namespace

AppProtocol ScenarioReader::app_protocol(const YAML::Node& n, std::string_view what, bool health_check) const {
  if (!health_check) return choice(n, what, kAppProtocols, yaml::LetterCase::kIgnored);
  const std::string text = yaml::lower(scalar(n, what));
  if (scenario_.provider == Provider::kAws && (text == "tls" || text == "udp" || text == "tcp_udp"))
    fail(n, "health-check protocol " + shown(scalar(n, what)) +
                " is not supported on aws (allowed: HTTP, HTTPS, TCP; ELB API reference, API_CreateTargetGroup)");
  if (scenario_.provider == Provider::kHuawei)
    return choice(n, what, kHuaweiHealthCheckProtocols, yaml::LetterCase::kIgnored);
  return choice(n, what, kHealthCheckProtocols, yaml::LetterCase::kIgnored);
}

// ---- load balancers ----

void ScenarioReader::read_load_balancers() {
  for (std::size_t i = 0; i < lb_nodes_.size(); ++i) {
    scenario_.load_balancers.push_back(
        read_load_balancer(lb_nodes_[i].first, lb_nodes_[i].second, static_cast<LbIndex>(i)));
  }
}

LoadBalancer ScenarioReader::read_load_balancer(const std::string& id, const YAML::Node& node, LbIndex index) {
  const Fields fields = check_keys(node, "load balancer",
                                   {{"id"},
                                    {"type"},
                                    {"scheme"},
                                    {"security_groups"},
                                    {"nodes"},
                                    {"listeners"},
                                    {"clients"},
                                    {"backend_subnet", kHuaweiBit},
                                    {"ip_as_backend", kHuaweiBit},
                                    {"description"}});
  LoadBalancer lb;
  lb.id = id;
  lb.where = at(node);
  lb.type = lb_type(fields);
  if (const Field* f = fields.get("scheme")) lb.internet_facing = choice(f->value, "scheme", kSchemes);
  if (scenario_.ec2_classic) check_classic(fields, lb);
  attach_groups(fields, lb);
  const bool dedicated = lb.type == LbType::kHuaweiDedicated;
  if (scenario_.provider == Provider::kHuawei && !dedicated) {
    // A shared ELB reaches backends from 100.125.0.0/16 (ELB guide, "Security group rules
    // for backend servers"): no backend subnet, no "IP as backend".
    for (const char* key : {"backend_subnet", "ip_as_backend"}) {
      if (const Field* f = fields.get(key))
        fail(f->key_node, "'" + std::string(key) +
                              "' is for dedicated load balancers (a shared ELB reaches backends from 100.125.0.0/16)");
    }
  }
  if (const Field* f = fields.get("ip_as_backend")) lb.ip_as_backend = boolean(f->value, "ip_as_backend");

  const std::vector<std::pair<InterfaceIndex, YAML::Node>> backend_ips = read_nodes(fields, index, lb);
  if (dedicated) assign_backend_ips(fields, node, lb, backend_ips);

  if (const Field* f = fields.get("listeners")) {
    const Field* type = fields.get("type");
    const std::string written_type = type != nullptr ? yaml::lower(type->value.Scalar()) : "e2e";
    for (const YAML::Node& n : items(f->value, "listeners")) lb.listeners.push_back(listener(n, lb, written_type));
  }
  if (const Field* f = fields.get("clients")) {
    lb.clients = cidr_list(f->value, "clients");
  } else if (lb.internet_facing) {
    // Documentation addresses (RFC 5737, RFC 3849) stand for "a client on the internet".
    lb.clients = {*net::parse_prefix("192.0.2.1/32"), *net::parse_prefix("2001:db8::1/128")};
  } else {
    lb.clients = scenario_.vpc_cidrs;
  }
  return lb;
}

LbType ScenarioReader::lb_type(const Fields& fields) const {
  switch (scenario_.provider) {
    case Provider::kAws:
      return choice(require(fields, "type", "load balancer").value, "load balancer type", kAwsLbTypes);
    case Provider::kHuawei:
      return choice(require(fields, "type", "load balancer").value, "load balancer type", kHuaweiLbTypes);
    case Provider::kE2e:
      break;
  }
  if (const Field* f = fields.get("type")) return choice(f->value, "load balancer type", kE2eLbTypes);
  return LbType::kE2e;
}

void ScenarioReader::check_classic(const Fields& fields, const LoadBalancer& lb) const {
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

void ScenarioReader::attach_groups(const Fields& fields, LoadBalancer& lb) const {
  if (const Field* f = fields.get("security_groups")) lb.groups = group_refs(f->value);
  if (scenario_.provider != Provider::kE2e) return;
  // E2E Networks: the default group is attached to every load balancer (DESIGN.md §3).
  for (std::size_t g = 0; g < scenario_.groups.size(); ++g) {
    const auto gi = static_cast<GroupIndex>(g);
    if (scenario_.groups[g].is_default && std::find(lb.groups.begin(), lb.groups.end(), gi) == lb.groups.end())
      lb.groups.push_back(gi);
  }
}

// Nodes: one per enabled subnet (ELB guides, "Availability Zones and subnets").
std::vector<std::pair<InterfaceIndex, YAML::Node>> ScenarioReader::read_nodes(const Fields& fields, LbIndex index,
                                                                              LoadBalancer& lb) {
  std::vector<KeySpec> keys = {{"subnet"},      {"ip"}, {"public_ip"}, {"ipv6"}, {"backend_ip", kHuaweiBit},
                               {"eni", kAwsBit}};
  if (scenario_.ec2_classic)
    keys[0] = {"subnet", 0, "'subnet' cannot be used with network: ec2-classic (EC2-Classic has no subnets)"};
  const Field& nodes = require(fields, "nodes", "load balancer");
  const std::vector<YAML::Node> list = items(nodes.value, "nodes");
  if (list.empty()) fail(nodes.value, "load balancer " + lb.id + " needs at least one node");
  std::vector<std::pair<InterfaceIndex, YAML::Node>> backend_ips;
  for (std::size_t k = 0; k < list.size(); ++k) {
    const auto eni_index = static_cast<InterfaceIndex>(scenario_.interfaces.size());
    auto [eni, backend_ip] = read_node(list[k], k, keys, lb);
    eni.lb = index;
    if (backend_ip) backend_ips.emplace_back(eni_index, *backend_ip);
    lb.nodes.push_back(eni_index);
    scenario_.interfaces.push_back(std::move(eni));
  }
  return backend_ips;
}

// Node `position` (0-based) of `lb`, and where its backend_ip was written, if it was.
std::pair<NetworkInterface, std::optional<YAML::Node>> ScenarioReader::read_node(const YAML::Node& n,
                                                                                 std::size_t position,
                                                                                 const std::vector<KeySpec>& keys,
                                                                                 const LoadBalancer& lb) {
  const Fields fields = check_keys(n, "load balancer node", keys);
  NetworkInterface eni;
  eni.kind = NetworkInterface::Kind::kLbNode;
  eni.where = at(n);
  eni.groups = lb.groups;
  std::string where_name;
  if (scenario_.ec2_classic) {
    where_name = std::to_string(position + 1);
  } else {
    const Field& s = require(fields, "subnet", "load balancer node");
    eni.subnet = resolve(s.value, subnet_names_);
    where_name = scenario_.subnets[eni.subnet].id;
    for (InterfaceIndex other : lb.nodes) {
      if (scenario_.interfaces[other].subnet == eni.subnet)
        fail(s.value, "load balancer " + lb.id + " has two nodes in subnet " + where_name + " (one node per subnet)");
    }
  }
  eni.id = lb.id + "/" + where_name;
  const Field& ip = require(fields, "ip", "load balancer node");
  eni.ipv4 = address_of_family(ip.value, "ip", net::Family::kIpv4);
  check_in_subnet(ip.value, *eni.ipv4, eni.subnet);
  claim_address(ip.value, *eni.ipv4, eni.id, false);
  if (const Field* f = fields.get("ipv6")) {
    eni.ipv6 = address_of_family(f->value, "ipv6", net::Family::kIpv6);
    check_in_subnet(f->value, *eni.ipv6, eni.subnet);
    claim_address(f->value, *eni.ipv6, eni.id, false);
  }
  if (const Field* f = fields.get("public_ip")) {
    if (!lb.internet_facing) fail(f->key_node, "the nodes of internal load balancer " + lb.id + " have no public_ip");
    eni.public_ip = address(f->value, "public_ip");
    claim_address(f->value, *eni.public_ip, eni.id, true);
  } else if (lb.internet_facing && scenario_.provider == Provider::kAws) {
    // An internet-facing node has a public address (ELB guides, "Load balancer scheme").
    fail(n, "node " + eni.id + " of internet-facing load balancer " + lb.id + " needs a public_ip");
  }
  // The node's AWS network-interface id (extension), kept so that records naming it (VPC Flow
  // Logs' interface-id) can be placed.
  if (const Field* f = fields.get("eni")) eni.eni = id_of(f->value, "eni");
  std::optional<YAML::Node> backend_ip_node;
  if (const Field* f = fields.get("backend_ip")) {
    if (lb.type != LbType::kHuaweiDedicated) fail(f->key_node, "'backend_ip' is for dedicated load balancers");
    eni.backend_ip = address_of_family(f->value, "backend_ip", net::Family::kIpv4);
    backend_ip_node.emplace(f->value);
  }
  return {std::move(eni), std::move(backend_ip_node)};
}

// A dedicated ELB reaches backends from its backend subnet, by default the LB's own subnet
// (ELB guide, "Security group rules for backend servers"): each node's backend_ip, written or
// assigned here.
void ScenarioReader::assign_backend_ips(const Fields& fields, const YAML::Node& node, LoadBalancer& lb,
                                        const std::vector<std::pair<InterfaceIndex, YAML::Node>>& backend_ips) {
  const Field* bs = fields.get("backend_subnet");
  lb.backend_subnet = bs != nullptr ? resolve(bs->value, subnet_names_) : scenario_.interfaces[lb.nodes.front()].subnet;
  const Subnet& backend = scenario_.subnets[lb.backend_subnet];
  for (const auto& [eni_index, value] : backend_ips)
    check_in_subnet(value, *scenario_.interfaces[eni_index].backend_ip, lb.backend_subnet);
  const auto v4 = std::find_if(backend.cidrs.begin(), backend.cidrs.end(),
                               [](const net::IpRange& c) { return c.family == net::Family::kIpv4; });
  for (InterfaceIndex ni : lb.nodes) {
    NetworkInterface& eni = scenario_.interfaces[ni];
    if (eni.backend_ip) continue;
    if (eni.subnet == lb.backend_subnet) {
      eni.backend_ip = eni.ipv4;
      continue;
    }
    if (v4 == backend.cidrs.end())
      fail(bs != nullptr ? bs->value : node, "backend subnet " + backend.id + " has no IPv4 CIDR");
    // pfsim's stand-in for the address the ELB takes in the backend subnet: the second-to-last
    // address (the last is the broadcast address).
    const net::Ip128 hi = v4->range.hi;
    eni.backend_ip = net::IpAddress{net::Family::kIpv4, hi.lo > v4->range.lo.lo ? net::Ip128{0, hi.lo - 1} : hi};
  }
}

Listener ScenarioReader::listener(const YAML::Node& n, const LoadBalancer& lb, std::string_view written_type) const {
  const Fields fields =
      check_keys(n, "listener", {{"protocol"}, {"port"}, {"target_group"}, {"instance_port"}, {"description"}});
  Listener l;
  l.where = at(n);
  const Field& p = require(fields, "protocol", "listener");
  l.protocol = app_protocol(p.value, "listener protocol", false);
  for (const ListenerProtocols& rule : kListenerProtocols) {
    if (rule.provider != scenario_.provider || rule.type != written_type ||
        std::find(rule.allowed.begin(), rule.allowed.end(), l.protocol) != rule.allowed.end())
      continue;
    std::vector<std::string> allowed;
    for (AppProtocol a : rule.allowed) allowed.push_back(std::string(app_protocol_name(a)));
    fail(p.value, "listener protocol " + shown(p.value.Scalar()) + " is not available on " +
                      std::string(rule.load_balancer) + " load balancer (allowed: " + yaml::join(allowed) + ")");
  }
  const Field& port_field = require(fields, "port", "listener");
  l.port = port(port_field.value, "listener port");
  for (const Listener& other : lb.listeners) {
    if (other.port == l.port &&
        ((uses_tcp(other.protocol) && uses_tcp(l.protocol)) || (uses_udp(other.protocol) && uses_udp(l.protocol))))
      fail(port_field.value, "load balancer " + lb.id + " has two listeners on port " + std::to_string(l.port));
  }
  const Field& tg_field = require(fields, "target_group", "listener");
  l.target_group = resolve(tg_field.value, tg_names_);
  // Target groups are read after load balancers: the group's protocol as written (a bad one
  // fails here with the message and place the group's own reading would give).
  const auto& [tg_id, tg_node] = tg_nodes_[l.target_group];
  if (const std::optional<YAML::Node> written = yaml::value_of(tg_node, "protocol")) {
    const AppProtocol group = app_protocol(*written, "target group protocol", false);
    if (!forwards_to(lb.type, l.protocol, group))
      fail(tg_field.value,
           "the " + std::string(app_protocol_name(l.protocol)) + " listener on port " + std::to_string(l.port) +
               " cannot forward to target group " + tg_id + " (protocol " + std::string(app_protocol_name(group)) +
               ")" +
               (lb.type == LbType::kNetwork       ? ": a network load balancer forwards to TCP, TLS, UDP "
                                                    "or TCP_UDP groups, a TCP_UDP listener to TCP_UDP only"
                : lb.type == LbType::kApplication ? ": an application load balancer forwards to HTTP or "
                                                    "HTTPS groups"
                                                  : ""));
  }
  if (const Field* f = fields.get("instance_port")) {
    if (lb.type != LbType::kClassic)
      fail(f->key_node, "'instance_port' is for classic load balancers (others forward to the target group's port)");
    l.instance_port = port(f->value, "instance_port");
  }
  return l;
}

// ---- target groups ----

void ScenarioReader::read_target_groups() {
  for (const auto& [id, node] : tg_nodes_) {
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
    if (const Field* f = fields.get("target_type")) tg.ip_targets = choice(f->value, "target_type", kTargetTypes);
    // NLB attribute preserve_client_ip.enabled (ELB NLB guide, "Edit target group
    // attributes"); kept as written, preserves_client_ip() (engine/paths/lb_paths.h)
    // resolves the default.
    if (const Field* f = fields.get("preserve_client_ip"))
      tg.preserve_client_ip = boolean(f->value, "preserve_client_ip");
    // Health-check protocol default: HTTP for HTTP/HTTPS groups, else TCP (ELB API
    // reference, API_CreateTargetGroup, HealthCheckProtocol).
    tg.health_check.where = tg.where;
    const bool http = tg.protocol == AppProtocol::kHttp || tg.protocol == AppProtocol::kHttps;
    tg.health_check.protocol = http ? AppProtocol::kHttp : AppProtocol::kTcp;
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

void ScenarioReader::read_health_check(const YAML::Node& n, HealthCheck& hc) const {
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

// An instance target: an interface id, or an EC2 instance id (`instances[].instance`), which
// reaches the instance's primary interface: "If you specify targets using an instance ID,
// traffic is routed to instances using the primary private IP address that is specified in the
// primary network interface for the instance" (ELB ALB guide, "Target type"). Instances are the
// first interfaces, in order, so a name's index is its interface's.
InterfaceIndex ScenarioReader::resolve_instance(const YAML::Node& n) const {
  if (n.IsScalar()) {
    const std::uint32_t ec2 = ec2_instance_names_.find(n.Scalar());
    if (ec2 != kNone && instance_names_.find(n.Scalar()) == kNone) return ec2;
  }
  return resolve(n, instance_names_);
}

Target ScenarioReader::target(const YAML::Node& n, const TargetGroup& tg) const {
  Target t;
  t.where = at(n);
  if (n.IsScalar()) {
    t.interface = resolve_instance(n);
    return t;
  }
  const std::vector<KeySpec> keys = {{"id"},
                                     {"ip", tg.ip_targets ? yaml::kAllDialects : 0u,
                                      "'ip' targets need target_type: ip (this group registers instances)"},
                                     {"port"}};
  const Fields fields = check_keys(n, "target", keys);
  const Field* id = fields.get("id");
  const Field* ip = fields.get("ip");
  if ((id == nullptr) == (ip == nullptr))
    fail(n,
         tg.ip_targets ? "a target names an instance ('id') or an address ('ip'), not both" : "missing 'id' in target");
  if (id != nullptr) {
    t.interface = resolve_instance(id->value);
  } else {
    const net::IpAddress a = address(ip->value, "target ip");
    t.interface = interface_at(scenario_, a);
    if (t.interface == kNone)
      fail(ip->value, "no instance or load-balancer node has the private address " + address_text(a));
  }
  if (const Field* f = fields.get("port")) t.port = port(f->value, "target port");
  return t;
}

}  // namespace pfsim::engine
