// tools/explain_command.h — `pfsim explain`: one flow through the scenario, hop by hop.
//
//   pfsim explain SCENARIO --flow "tcp 203.0.113.9:51000 -> 10.0.1.5:443" [--json FILE]
//
// What it does (DESIGN.md §5, engine/analysis/explain.h): prints the flow's path and, for each step
// (client -> node, node -> target, and the replies), every hook with its decision:
//
//   tcp 198.51.100.7:51000 -> 203.0.113.10:443: listener traffic through alb-web (listener 443 -> tg-web, target
//   i-app1) client -> alb-web node lb-a: tcp 198.51.100.7:51000 -> 10.0.1.5:443  allowed
//     nacl-in(lb-a)            allow  acl-lb rule 100 (allow tcp 443 from 0.0.0.0/0)  alb.yaml:15
//     sg-ingress(alb-web/lb-a) allow  sg-lb inbound rule 1 (tcp 443 from 0.0.0.0/0)  alb.yaml:30  [tracked from here]
//   ...
//
// --json FILE ("-" = stdout) writes {flow, class, path, allowed, steps: [{name, packet,
// allowed, hops: [{hook, allowed, how, rule: {id, source, text} | "default" | "tracked" |
// "related"}]}]}.
//
// Exit codes: 0 the flow passes both ways; 1 it is dropped somewhere; 2 bad scenario, bad
// --flow text (the message names the column) or usage.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace pfsim::tools {

struct ExplainCommandOptions {
  std::string scenario_path;
  std::string flow;
  std::string json_path;
};

void define_explain_options(CLI::App& command, ExplainCommandOptions& options);
int run_explain_command(const ExplainCommandOptions& options);

}  // namespace pfsim::tools
