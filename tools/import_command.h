// tools/import_command.h — `pfsim import aws`: the user's AWS network, from the AWS CLI's
// describe-* JSON, as a scenario (docs/aws-import.md; engine/import/aws_import.h has the
// whole contract).
//
//   pfsim import aws PATH... [--out FILE] [--vpc VPC_ID]
//
// Each PATH is a JSON file or a folder, read recursively (every *.json file, in path order).
// Writes the scenario YAML to FILE (default: stdout) with a provenance comment on every object
// and rule and a header of the warnings and assumptions; prints the warnings and assumptions
// on stderr too, and one summary line:
//
//   imported vpc-015b20578b48c1349 from 14 files: 3 subnets, 1 network ACL, 3 security groups,
//   3 interfaces, 1 load balancer, 1 target group (2 warnings, 1 assumption)
//
// Also here: the one place where a SCENARIO argument of check, explain, replay and gen-traffic
// may be an import folder (load_scenario_input).
//
// Exit codes: 0 written; 2 bad input (malformed JSON as file:line:column, the same object twice
// with different contents, no VPC or several without --vpc, an unreadable path) or usage.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "engine/model/scenario.h"
#include "net/error.h"

namespace pfsim::tools {

struct ImportCommandOptions {
  std::string provider;  // "aws"
  std::vector<std::string> paths;
  std::string out_path = "-";
  std::string vpc;
};

void define_import_options(CLI::App& command, ImportCommandOptions& options);
int run_import_command(const ImportCommandOptions& options);

// A SCENARIO argument: a YAML file (engine::load_scenario), or a folder of AWS JSON, imported in
// memory (engine::import_scenario; its warnings and assumptions go to stderr, one line each).
net::Result<engine::Scenario> load_scenario_input(const std::string& path);

}  // namespace pfsim::tools
