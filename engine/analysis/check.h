// engine/analysis/check.h — `pfsim check`: will health checks, listener traffic and Path MTU ICMP get
// through, both ways, before any capture is taken?
//
// What: for every load balancer, node, listener, target group and target, run_check() builds
// the canonical flows (DESIGN.md §4) and pushes their packets through the same hooks and
// connection tracking as replay (engine/sim/judge.h, engine/paths/lb_paths.h):
//   listener      each client network (LoadBalancer::clients) → node:listener port, and the
//                 reply; then node → each target of the listener's group, and the reply;
//   health_check  every node → every target on the health-check port, and the reply (Huawei
//                 UDP_CONNECT checks also need ICMP to the target: "If you use UDP for health
//                 checks, configure inbound rules to allow ICMP traffic");
//   pmtu          the router's "fragmentation needed" / "packet too big" back to each sender
//                 of a leg: to the node from the internet for internet-facing LBs, and to the
//                 node and the target on backend legs.
// The client's and the node's ephemeral ports are sampled at 1024, 32768, 49152 and 65535 (the
// ELB range 1024-65535 and where Linux and Windows ranges start), so a stateless ACL that
// lacks part of the return range is caught.
//
// Each failure is one Finding: severity, class, the path, the hook, the deciding rule (or the
// default action) with its provenance, a sentence, and the fix the provider guides recommend.
// Errors: a flow of the three classes is dropped where the traffic really flows. Warnings:
// PMTU ICMP that passes only as related traffic of a tracked flow (the ELB guides still
// recommend an explicit inbound ICMP rule); PMTU ICMP dropped on a path inside the VPC, where
// the MTU does not shrink (scenario `mtu`), so no router sends it today; a target allowing LB
// traffic from 0.0.0.0/0 where the guides recommend the LB's group. Findings are grouped by
// (severity, hook, deciding rule, fix) — one missing rule is one finding, listing every path it
// breaks — and come in scenario order (of their first path); class, message and see are the
// first path's. Fixes come from fix_for() (engine/analysis/fix.h), as explain's and replay's.
//
// Thread-safety: a pure function of the scenario.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/analysis/fix.h"
#include "engine/model/scenario.h"
#include "engine/paths/lb_paths.h"
#include "engine/policy/policy.h"
#include "engine/sim/traffic_class.h"
#include "net/error.h"

namespace pfsim::engine {

enum class Severity : std::uint8_t { kError, kWarning };
std::string_view severity_name(Severity s) noexcept;  // "error", "warning"

struct Finding {
  Severity severity = Severity::kError;
  TrafficClass cls = TrafficClass::kListener;
  std::string path;  // the first of paths
  std::vector<std::string>
      paths;         // every path with this problem: "health check alb-web node lb-a -> i-app1 10.0.2.10:8080/tcp"
  std::string hook;  // "sg-ingress(i-app1)"
  DecidingRule rule;
  std::string message;  // a sentence a person understands
  std::string fix;  // fix_text (fix.h): "add to sg-app inbound: tcp 8080 from sg-lb (the health-check port of tg-web)"
  std::string see;  // "file.yaml:31 (target group tg-web, health check)"
};

struct TargetHealth {
  std::string target_group;
  std::string target;
  Health health = Health::kHealthy;  // kHealthy, kUnhealthy or kUnused (no LB checks it)
  std::string
      reason;  // "unused", or why unhealthy: "health checks from alb-web node lb-a dropped at sg-ingress(i-app1)"
};

struct CheckReport {
  std::vector<Finding> findings;
  std::vector<TargetHealth> targets;
  std::size_t errors = 0;
  std::size_t warnings = 0;
  std::size_t packets_judged = 0;
};

struct CheckOptions {
  std::string algorithm = "auto";
};

net::Result<CheckReport> run_check(const Scenario& scenario, const CheckOptions& options = {});

}  // namespace pfsim::engine
