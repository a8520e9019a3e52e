// engine/model/scenario_loader.h — a scenario file (../shared/SCENARIO-FORMAT.md, version 1, plus
// the extensions listed in engine/model/scenario.h) to a validated Scenario.
//
// Every error is located (`file:line:column: error: ...`, net::Error) and says what is wrong:
// a YAML syntax error, an unknown key (with the keys allowed there), a missing required key, a
// value of the wrong type, an unresolved reference (subnet, network ACL, security group, prefix
// list, target group, target), a malformed CIDR, address or port range, an address outside its
// subnet, overlapping subnets, a subnet outside the VPC, a duplicate id or ACL rule number, an
// ACL rule number outside 1-32766, a provider-specific key under the wrong provider. The first
// error found is returned; nothing is partly loaded. No input makes it crash or throw.
//
// Example:
//   net::Result<Scenario> scenario = load_scenario("scenarios/aws-alb/recommended.yaml");
//   if (!scenario) { std::cerr << scenario.error().to_string() << '\n'; return 2; }
#pragma once

#include <string>
#include <string_view>

#include "engine/model/scenario.h"
#include "net/error.h"

namespace pfsim::engine {

// Parses `text`; `file` names it in locations and errors.
net::Result<Scenario> parse_scenario(std::string_view text, std::string file);

// Reads and parses the file at `path` (an unreadable file is an error naming it).
net::Result<Scenario> load_scenario(const std::string& path);

}  // namespace pfsim::engine
