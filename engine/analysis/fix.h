// engine/analysis/fix.h — the one home of the fixes check, explain and replay suggest for a drop,
// and of the deciding rule they report with it.
//
// What: fix_for() decides, from a hook's verdict on a packet, the rule a person adds, removes or
// narrows so that the packet passes as the provider guides recommend; fix_text() renders it,
// one wording per problem. A Fix is data: the action, the group or ACL to change, direction,
// protocol, ports or ICMP type/code, the peer, the number of the ACL rule to go below, and a
// note kind — never text parsed back.
//
// The key idea: the fix depends on the packet and on what the scenario says about its path,
// never on which command saw it, so `check`, `explain` and `replay` give the same fix for the
// same missing rule. The path is read off the request's addresses (path_facts()): an LB node
// at one end (or Huawei's shared pool) makes it an LB path of that LB; a client reaching a
// target of an NLB that preserves client IPs is that NLB's backend leg.
//
// Semantics, in order:
//   - an ICMP error ("fragmentation needed" / "packet too big"): allow ICMPv4 3/4 or ICMPv6 2
//     from the router — the VPC CIDR inside the VPC, else anywhere (EC2 MTU guide; ELB guides
//     recommend the inbound ICMP rule "to support MTU or Path MTU discovery");
//   - a reply dropped at a stateful hook (security groups; Huawei network ACLs): the rule for the
//     *request*, in the other direction at the same hook owner. "Security groups are stateful —
//     responses to allowed inbound traffic are allowed to flow out, regardless of outbound rules,
//     and vice versa" (EC2 guide, "Security group connection tracking"): a reply is dropped there
//     only because its request was not allowed;
//   - a reply dropped at a stateless ACL: the return range 1024-65535. On an ELB path the note
//     is the ELB's: "Elastic Load Balancing uses ports 1024-65535" (VPC guide, "Ephemeral
//     ports"); elsewhere the clients': "to cover the different types of clients that might
//     initiate traffic to public-facing instances in your VPC, you can open ephemeral ports
//     1024-65535" (same section);
//   - anything else: allow its protocol and destination port from (inbound) or to (outbound)
//     the peer.
// Peers: an LB node is named as the guides recommend for targets — the LB's security group,
// else the VPC CIDR (ELB guides: targets allow "the security group of the load balancer"; NLB
// guide, "Target security groups": health checks from the "VPC CIDR"); Huawei shared ELBs
// 100.125.0.0/16 and dedicated ones their backend subnet; E2E the node's network; EC2-Classic
// amazon-elb/amazon-elb-sg. An instance is named by its first group (ACLs: the VPC CIDR). An
// address outside the model on an LB path is a client: 0.0.0.0/0 (internet-facing) or the VPC
// CIDR (internal) — with NLB client IP preservation this is the source targets must allow
// ("the target security groups must allow client IP addresses", NLB guide, "Client IP
// preservation"). ACL peers are CIDRs.
// Actions: a default drop → add; a deny rule of an ACL → add an allow numbered below it; a
// deny rule of a group (Huawei priorities) → remove it or add a higher-priority allow.
//
// Thread-safety: pure functions.
//
// Example:
//   if (auto fix = fix_for(scenario, verdict, packet, TrafficClass::kHealthCheck, /*reply=*/false))
//     out << "fix: " << fix_text(*fix);  // "add to sg-web inbound: tcp 8080 from sg-alb (the
//                                        //  health-check port of tg-web)"
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "engine/model/scenario.h"
#include "engine/sim/judge.h"
#include "engine/sim/traffic_class.h"
#include "net/five_tuple.h"

namespace pfsim::engine {

enum class FixAction : std::uint8_t {
  kAdd,               // add the rule
  kAddBelow,          // add an ACL allow numbered below the denying rule
  kRemoveOrOverride,  // remove the denying group rule or add a higher-priority allow
  kRestrict,          // narrow a group rule that allows more than the guides recommend
  kDetach,            // detach a built-in allow-all group, allow the recommended source
};

// Why the rule is needed, as a note after it.
enum class FixNote : std::uint8_t {
  kPlain,            // no note
  kListener,         // " (listener 443 of alb-web)"
  kTrafficPort,      // " (the traffic port of tg-web)"
  kHealthCheckPort,  // " (the health-check port of tg-web)"
  kHealthCheckIcmp,  // " (UDP health checks of tg-udp need ICMP)"
  kPmtu,             // " (recommended for Path MTU Discovery)"
  kElbEphemeral,     // " (the ELB ephemeral range, for replies)"
  kClientEphemeral,  // " (the clients' ephemeral ports, for replies)"
};

struct Fix {
  FixAction action = FixAction::kAdd;
  std::string owner;  // the group or ACL to change: "sg-web", "acl-app"
  bool acl = false;   // an ACL rule (stated as "allow ...")
  bool inbound = true;
  std::uint8_t proto = 0;
  std::uint16_t port_lo = 0, port_hi = 0;  // tcp/udp destination ports
  std::optional<std::uint8_t> icmp_type;   // ICMP: the type and code, when one is meant
  std::optional<std::uint8_t> icmp_code;
  std::string peer;               // "sg-alb", "10.0.0.0/16", "0.0.0.0/0"
  std::string rule_id;            // kAddBelow, kRemoveOrOverride, kRestrict: "sg-app inbound rule 2"
  std::string rule_text;          // the rule as written
  std::uint32_t rule_number = 0;  // kAddBelow: the ACL rule number to go below
  FixNote note = FixNote::kPlain;
  std::string note_subject;  // "tg-web" (target group notes), "443 of alb-web" (kListener)
};

// The one wording of a fix.
std::string fix_text(const Fix& fix);

// The fix for the packet `p` that `hv` decided on (a drop, or an ICMP error passing only as
// related traffic), `p` being a reply of its flow or not, in traffic class `cls` (its note);
// nullopt when the hook has no owner to change (the VPC default ACL).
std::optional<Fix> fix_for(const Scenario& s, const HookVerdict& hv, const Packet& p, TrafficClass cls, bool reply);

// The fix for a target's group rule `rule` that allows LB traffic `p` from anywhere: narrow it
// to the source the guides recommend (check's warning), or detach E2E's built-in allow-all
// group ("meant for troubleshooting").
Fix fix_wide_rule(const Scenario& s, const HookVerdict& hv, const Packet& p);

// Whether a packet whose direction nobody tracked (replay of a capture, not a SYN-ACK) reads as
// a reply: from a service port (below 1024) to an ephemeral port (1024 and up, VPC guide,
// "Ephemeral ports").
bool reply_by_ports(const net::FiveTuple& t) noexcept;

// The rule that decided, or the default action, or connection tracking — as reports show it.
struct DecidingRule {
  bool is_default = true;  // not a written rule
  std::string id;          // "acl-lb rule 100", "sg-app inbound rule 2"; "default", "related", "tracked"
  std::string source;      // "file.yaml:24"
  std::string text;        // the rule as written; else the default's words
};
DecidingRule deciding_rule(const HookVerdict& hv);

// A target's health in the check and replay reports.
enum class Health : std::uint8_t { kHealthy, kUnhealthy, kUnused, kUnknown };
std::string_view health_name(Health h) noexcept;                     // "healthy", "unhealthy", "unused", "unknown"
std::optional<Health> parse_health(std::string_view name) noexcept;  // health_name's inverse

}  // namespace pfsim::engine
