// engine/analysis/explain.h — `pfsim explain`: one flow, hop by hop, both directions, through the same
// hooks and connection tracking as check and replay.
//
// What: parse_flow() reads a flow as users write it — "tcp 203.0.113.9:51000 -> 10.0.1.5:443",
// "udp [2001:db8::7]:5353 -> [2600:1f18:abcd:3::10]:53", "icmp 192.0.2.1 -> 10.0.1.5 type 8
// code 0" (an ICMP message on its own: an error quotes no flow here, so it is judged by the
// rules, never as related traffic). explain_flow()
// works out the path: a flow to a load balancer's listener (a node's public or private address
// and a listener port) goes client → node, then node → the target the flow hash picks (the
// same choice replay makes), then both replies back; any other flow goes directly between the
// endpoints its addresses name. Each step lists every hook with its decision: the rule (with
// provenance), the default action, or connection tracking; a dropped step carries the fix
// fix_for() suggests (the same check and replay give).
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/analysis/fix.h"
#include "engine/model/scenario.h"
#include "engine/paths/lb_paths.h"
#include "engine/policy/policy.h"
#include "engine/sim/judge.h"
#include "engine/sim/traffic_class.h"
#include "net/error.h"
#include "net/five_tuple.h"

namespace pfsim::engine {

// Errors name the column of the flow text that is wrong ("column 5: '203.0.113' is not an IP
// address").
net::Result<Packet> parse_flow(std::string_view text);

struct ExplainStep {
  std::string name;  // "client -> node", "node -> target i-app1", "reply target -> node"
  net::FiveTuple tuple;
  LegVerdict verdict;  // with every hop
  std::string fix;     // when dropped: fix_text (engine/analysis/fix.h), as check and replay say it
};

struct Explanation {
  TrafficClass cls = TrafficClass::kOther;
  std::string path;  // "through alb-web (listener 443 -> tg-web, target i-app1)" or "direct"
  std::vector<ExplainStep> steps;
  bool allowed = true;  // every step passed
};

net::Result<Explanation> explain_flow(const Scenario& scenario, const PolicySet& policies, const Packet& flow);

}  // namespace pfsim::engine
