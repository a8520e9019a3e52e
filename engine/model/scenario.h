// engine/model/scenario.h — one cloud network as pfsim understands it: the value types a scenario
// file (docs/scenario-format.md, version 1) loads into (engine/model/scenario_loader.h).
//
// What: plain data, already validated and with every reference resolved to an index, so the
// stages after loading (engine/policy/policy.h, engine/paths/lb_paths.h) never meet a dangling
// name. Every object and every rule keeps the Location it was written at, and each rule keeps
// its text as written ("tcp 8080 from sg-lb"), because reports point the user back to the line
// to edit.
//
// Shape (AWS words; huawei and e2e map onto the same shape, see the per-field notes):
//   Scenario ── vpc cidrs, subnets (each with its network ACL or the VPC default),
//            ── security groups (inbound / outbound rule lists), prefix lists,
//            ── interfaces: instances, and one per load-balancer node (kind kLbNode),
//            ── load balancers (type, scheme, groups, nodes, listeners → target groups),
//            ── target groups (protocol, port, health check, targets → interfaces),
//            ── mtu, conntrack timeouts and policy switches, timed events.
//
// Extensions to the common format (documented in docs/scenario-format.md):
//   network: ec2-classic   no subnets or ACLs; Classic LB nodes are members of the built-in
//                          source group `amazon-elb/amazon-elb-sg` (ELB guide, "Security
//                          groups for load balancers in EC2-Classic").
//   load_balancers[].clients   addresses or CIDRs the canonical client flows of `check` come
//                          from (default: the documentation addresses 192.0.2.1 and 2001:db8::1
//                          for internet-facing, the VPC CIDRs for internal).
//   load_balancers[].nodes[].ipv6, instances[].public_ip, conntrack.{tcp_other_s, icmp_s,
//   other_s}, options.huawei_group_order (binding | union), nodes[].backend_ip (huawei),
//   listeners[].instance_port (classic).
//   traffic_mirror_sessions   the VNI each mirror session puts on the packets it copies, and
//                          the interface it copies them at (reports of `replay --decapsulate`).
//
// Example:
//   const Scenario& s = *loaded;
//   for (const Target& t : s.target_groups[tg].targets) {
//     const NetworkInterface& eni = s.interfaces[t.interface];   // resolved: never kNone
//     report(eni.id, format_location(t.where));           // "i-web1", "lb.yaml:41"
//   }
//
// Thread-safety: immutable after loading; share freely.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "net/address.h"
#include "net/error.h"

namespace pfsim::engine {

enum class Provider : std::uint8_t { kAws, kHuawei, kE2e };

// Where something was written: the scenario file and a 1-based line and column (0 for the
// built-in objects, such as e2e's allow-all group). These are the position fields of
// net::Error, which error_at() fills from a Location; net::Error keeps them flat because
// captures locate their errors by packet and offset instead.
struct Location {
  std::string file;
  std::uint32_t line = 0;
  std::uint32_t column = 0;
};

// "file:line" for reports (the column only helps editors, which get it from errors).
std::string format_location(const Location& where);

// The error `message` located where `where` points ("file:line:column: error: message").
net::Error error_at(const Location& where, std::string message);

// Index types into the Scenario's vectors.
using SubnetIndex = std::uint32_t;
using AclIndex = std::uint32_t;
using GroupIndex = std::uint32_t;
using InterfaceIndex = std::uint32_t;
using LbIndex = std::uint32_t;
using TargetGroupIndex = std::uint32_t;
inline constexpr std::uint32_t kNone = ~std::uint32_t{0};

enum class Direction : std::uint8_t { kInbound, kOutbound };
enum class RuleAction : std::uint8_t { kAllow, kDeny };

// A protocol selector: `all`, or one IP protocol number (tcp = 6, udp = 17, icmp = 1,
// icmpv6 = 58, or any number written as such).
struct ProtocolSpec {
  bool any = true;
  std::uint8_t number = 0;
};

// ICMP type and code; nullopt = any.
struct IcmpSpec {
  std::optional<std::uint8_t> type;
  std::optional<std::uint8_t> code;
};

// The peer of a rule: the source of an inbound rule, the destination of an outbound one.
struct Peer {
  enum class Kind : std::uint8_t {
    kCidrs,           // `cidrs` (one CIDR, `anywhere` = 0.0.0.0/0 and ::/0, an e2e {first_ip, size},
                      // or a prefix list's entries)
    kGroup,           // the private IPs of the interfaces a security group is attached to
    kElbSourceGroup,  // EC2-Classic `amazon-elb/amazon-elb-sg`: every Classic LB node
  };
  Kind kind = Kind::kCidrs;
  std::vector<net::IpRange> cidrs;
  GroupIndex group = kNone;
  bool anywhere = false;  // written as `anywhere`, 0.0.0.0/0 or ::/0
  std::string written;    // as the user wrote it: "sg-lb", "0.0.0.0/0", "pl-office"
};

// One rule of a security group or network ACL, as written. Unused fields keep their defaults:
// SG rules have no number (AWS, e2e) and, on AWS and e2e, always allow.
struct FilterRule {
  Location where;
  std::string text;  // canonical one-line form: "tcp 8080 from sg-lb"
  ProtocolSpec protocol;
  std::vector<net::PortRange> ports;  // destination ports; empty = all
  std::optional<IcmpSpec> icmp;       // only with protocol icmp/icmpv6; absent = any
  Peer peer;
  RuleAction action = RuleAction::kAllow;
  std::uint32_t number = 0;    // ACL rule number (AWS 1-32766); huawei ACL: position, 1-based
  std::uint32_t priority = 1;  // huawei SG priority 1-100
  std::string description;
};

struct SecurityGroup {
  std::string id;
  Location where;
  std::vector<FilterRule> inbound;
  std::vector<FilterRule> outbound;
  bool is_default = false;  // e2e `default: true`: attached to every load balancer
  bool allow_all = false;   // e2e built-in `allow-all`
};

struct PrefixList {
  std::string id;
  Location where;
  std::vector<net::IpRange> cidrs;
};

struct NetworkAcl {
  std::string id;
  Location where;
  std::vector<FilterRule> inbound;  // sorted by number (AWS) or as listed (huawei)
  std::vector<FilterRule> outbound;
};

struct Subnet {
  std::string id;
  Location where;
  std::vector<net::IpRange> cidrs;
  AclIndex acl = kNone;    // kNone: the VPC default ACL, which allows all
  bool is_public = false;  // extension `public`: its route table sends 0.0.0.0/0 or ::/0 to an internet gateway
};

// An interface's own idle connection-tracking timeouts (extension `instances[].conntrack`; AWS:
// the ENI's ConnectionTrackingConfiguration, EC2 guide "Idle connection tracking timeout");
// an absent one is the scenario's (ConntrackConfig).
struct InterfaceConntrack {
  std::optional<std::uint32_t> tcp_established_s;
  std::optional<std::uint32_t> udp_stream_s;
  std::optional<std::uint32_t> udp_s;
};

struct NetworkInterface {
  enum class Kind : std::uint8_t { kInstance, kLbNode };
  Kind kind = Kind::kInstance;
  std::string id;  // instance id, or "<lb id>/<subnet id>" for a node
  Location where;
  SubnetIndex subnet = kNone;  // kNone only in EC2-Classic
  std::optional<net::IpAddress> ipv4;
  std::optional<net::IpAddress> ipv6;
  std::optional<net::IpAddress> public_ip;
  std::vector<GroupIndex> groups;  // in binding order
  LbIndex lb = kNone;              // for nodes
  // huawei dedicated ELB: the address backend traffic comes from (in its backend subnet)
  std::optional<net::IpAddress> backend_ip;
  // extension `instances[].instance`: the EC2 instance this interface is attached to (several
  // interfaces may share one; the first listed is its primary, which targets named by the
  // instance id reach); empty when the interface is the instance.
  std::string instance;
  std::string eni;  // extension `nodes[].eni`: an LB node's AWS network-interface id
  InterfaceConntrack conntrack;
};

enum class LbType : std::uint8_t { kApplication, kNetwork, kClassic, kHuaweiDedicated, kHuaweiShared, kE2e };
enum class AppProtocol : std::uint8_t { kHttp, kHttps, kTcp, kUdp, kTcpUdp, kTls, kUdpConnect };

// The IP protocols an application protocol runs on: TCP for HTTP(S)/TLS/TCP, UDP for UDP and
// UDP_CONNECT, both for TCP_UDP.
bool uses_tcp(AppProtocol p) noexcept;
bool uses_udp(AppProtocol p) noexcept;

struct Listener {
  Location where;
  AppProtocol protocol = AppProtocol::kHttp;
  std::uint16_t port = 0;
  TargetGroupIndex target_group = kNone;
  std::uint16_t instance_port = 0;  // classic LB: InstancePort (0 = the target group's)
};

struct LoadBalancer {
  std::string id;
  Location where;
  LbType type = LbType::kApplication;
  bool internet_facing = true;
  std::vector<GroupIndex> groups;  // attached to every node
  std::vector<InterfaceIndex> nodes;
  std::vector<Listener> listeners;
  std::vector<net::IpRange> clients;   // canonical client networks for `check`
  SubnetIndex backend_subnet = kNone;  // huawei dedicated
  bool ip_as_backend = true;           // huawei dedicated
};

struct HealthCheck {
  Location where;
  AppProtocol protocol = AppProtocol::kHttp;
  std::uint16_t port = 0;  // 0 = traffic-port
  std::uint32_t interval_s = 30;
};

struct Target {
  Location where;
  InterfaceIndex interface = kNone;
  std::uint16_t port = 0;  // 0 = the target group's port
};

struct TargetGroup {
  std::string id;
  Location where;
  AppProtocol protocol = AppProtocol::kHttp;
  std::uint16_t port = 0;
  bool ip_targets = false;  // target_type: ip
  HealthCheck health_check;
  std::optional<bool>
      preserve_client_ip;  // as written; preserves_client_ip() (engine/paths/lb_paths.h) resolves the default
  std::vector<Target> targets;
};

struct Mtu {
  std::uint32_t vpc_bytes = 9001;
  std::uint32_t internet_bytes = 1500;
};

struct ConntrackConfig {
  // AWS defaults (EC2 guide, "Idle connection tracking timeout").
  std::uint32_t tcp_established_s = 432000;
  std::uint32_t udp_stream_s = 180;
  std::uint32_t udp_s = 30;
  std::uint32_t other_s = 600;
  // Not documented by AWS: parameters (DESIGN.md §3).
  std::uint32_t tcp_other_s = 120;
  std::uint32_t icmp_s = 30;
  bool icmp_errors_related = true;  // `icmp_errors: related` (default) | `rules`
};

struct Event {
  Location where;
  double at_s = 0;
  bool authorize = false;  // false = revoke
  GroupIndex group = kNone;
  Direction direction = Direction::kInbound;
  FilterRule rule;
};

// A traffic mirror session (AWS Traffic Mirroring; Huawei Cloud traffic mirroring): it copies
// the packets of one interface inside VXLAN whose VNI names the session ("The VNI is the
// session's VirtualNetworkId": real-inputs-anchors.md §4, from the AWS Traffic Mirroring guide,
// "Traffic mirroring packet formats").
struct TrafficMirrorSession {
  Location where;
  std::uint32_t vni = 0;             // 24 bits
  InterfaceIndex interface = kNone;  // where the packets were copied; resolved, never kNone
  std::string description;
  std::uint32_t packet_length = 0;  // bytes copied after the VXLAN header; 0 = not written (whole packets)
};

struct Scenario {
  std::string file;
  Provider provider = Provider::kAws;
  std::string name;
  bool ec2_classic = false;
  bool huawei_union = false;  // options.huawei_group_order: union
  std::vector<net::IpRange> vpc_cidrs;
  std::vector<Subnet> subnets;
  std::vector<NetworkAcl> acls;
  std::vector<SecurityGroup> groups;
  std::vector<PrefixList> prefix_lists;
  std::vector<NetworkInterface> interfaces;
  std::vector<LoadBalancer> load_balancers;
  std::vector<TargetGroup> target_groups;
  Mtu mtu;
  ConntrackConfig conntrack;
  std::vector<Event> events;
  std::vector<TrafficMirrorSession> traffic_mirror_sessions;
};

// The subnet whose CIDRs contain `address`, or kNone.
SubnetIndex subnet_of(const Scenario& scenario, const net::IpAddress& address) noexcept;

// The interface with this private address (IPv4 or IPv6), or kNone.
InterfaceIndex interface_at(const Scenario& scenario, const net::IpAddress& address) noexcept;

// The mirror session whose VXLAN packets carry `vni`, or null.
const TrafficMirrorSession* mirror_session_of(const Scenario& scenario, std::uint32_t vni) noexcept;

}  // namespace pfsim::engine
