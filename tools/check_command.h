// tools/check_command.h — `pfsim check`: the scenario's canonical flows through its filters.
//
//   pfsim check SCENARIO [--json FILE] [--exit-zero] [--algorithm NAME]
//
// What it does (DESIGN.md §5, engine/analysis/check.h): loads the scenario, pushes the canonical
// listener, health-check and Path MTU flows of every load balancer through the hooks, and
// prints one block per finding, then the target health and a summary line:
//
//   error[health_check]: health check alb-web node lb-a -> i-app1 10.0.2.10:8080/tcp
//     tcp 10.0.1.5:1024 -> 10.0.2.10:8080 is dropped at sg-ingress(i-app1): no rule of sg-app
//     allows it (security groups deny by default)
//     fix: add to sg-app inbound: tcp 8080 from sg-lb (the health-check port of tg-web)
//     see: alb.yaml:54 (target group tg-web, health check)
//   ...
//   targets: i-app1 (tg-web) unhealthy: health checks from alb-web node lb-a dropped at sg-ingress(i-app1)
//   1 target unhealthy, 1 error, 1 warning
//
// --json FILE ("-" = stdout, the human report then goes to stderr) writes
// {findings: [{severity, class, path, hook, rule: {id, source, text} | "default", message, fix,
// see}], targets: [{target_group, target, health, reason}], errors, warnings}.
//
// Exit codes: 0 no error findings (warnings alone do not count); 1 error findings (0 with
// --exit-zero); 2 bad scenario (located message) or usage.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace pfsim::tools {

struct CheckCommandOptions {
  std::string scenario_path;
  std::string json_path;
  std::string algorithm = "auto";
  bool exit_zero = false;
};

void define_check_options(CLI::App& command, CheckCommandOptions& options);
int run_check_command(const CheckCommandOptions& options);

}  // namespace pfsim::tools
