// engine/model/scenario_loader.h — a scenario file (docs/scenario-format.md, version 1, plus
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
// Files: parse_scenario is the whole loader and works in memory. load_scenario also reads the
// file, the one text input read below tools/ (tools/file_io.h): the commands, the engine tests
// and the benchmarks all load scenarios by path, and every Location of the result names that
// path, so reading and naming stay in one call. Its "cannot read" message is the one
// tools::read_file gives.
//
// How (engine/model/internal/): yaml_fields.h is the located, typed YAML toolkit; the walk of
// the sections is scenario_reader.h, one source file per group of sections. yaml-cpp stays
// behind this header.
//
// Cost: linear in the file, plus a scan of the earlier subnets per subnet CIDR (overlaps).
// Thread-safety: no state is shared between calls; they may run concurrently.
//
// Example:
//   net::Result<Scenario> scenario = load_scenario("scenarios/aws-nlb/recommended.yaml");
//   if (!scenario) return scenario.error();   // "…/recommended.yaml:12:5: error: unknown key …"
//   const Scenario& s = *scenario;
#pragma once

#include <string>
#include <string_view>

#include "engine/model/scenario.h"
#include "net/error.h"

namespace pfsim::engine {

// Parses `text`; `file` names it in locations and errors.
net::Result<Scenario> parse_scenario(std::string_view text, std::string file);

// Reads and parses the file at `path` (an unreadable file is an error naming it:
// "cannot read 'PATH': <strerror>", without a file field, as tools/file_io.h's errors).
net::Result<Scenario> load_scenario(const std::string& path);

}  // namespace pfsim::engine
