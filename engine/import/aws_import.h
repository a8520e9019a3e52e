// engine/import/aws_import.h — the user's own AWS network, from the AWS CLI's describe-* JSON,
// as a pfsim scenario (docs/aws-import.md is the user's page; docs/scenario-format.md the
// format written).
//
// What: JSON texts (raw CLI outputs, Batfish's aws_configs snapshots with their wrappers, or
// pfsim's own bundle written by scripts/collect-aws.sh) in, a model Scenario plus the
// warnings and assumptions the input forced out, and the scenario's YAML with a provenance
// comment on every object and rule. Reading the files (and walking folders) is the caller's:
// tools/import_command.cc gives each file's text with the name to cite.
//
// Key idea: three stages, each with its own contract.
//   1. read (engine/import/internal/aws_dump.h): every text parsed, dispatched on its top-level
//      keys (never on file names), and merged into one dump of objects by AWS id; the same id
//      twice with different contents is an error naming both places, with the same contents it
//      is merged; unknown keys and truncated dumps (NextToken, NextMarker) are warnings.
//   2. map (aws_mapping.cc): the dump's VPC into a Scenario. Each mapping rule cites the AWS
//      document sentence it encodes. Every object keeps its provenance in its Location: `file`
//      is "NAME $.json.path" (plus the sgr- id or ACL rule number where there is one) and line
//      is 0, since JSON values have no line of their own once parsed.
//   3. write (scenario_writer.cc): YAML the loader accepts, sorted by AWS id so the output is
//      byte-for-byte stable, with a header listing the warnings and assumptions.
//
// Errors: malformed JSON is "NAME:line:column: error: ..."; a reference to an object missing
// from the dump, where AWS could not work without it, is an error naming the file and JSON
// path; where AWS would still work it is a warning plus a stated assumption. Nothing throws.
//
// Cost: linear in the input plus n log n for the sorted maps (5K ENIs and 10K rules: well
// under a second, bench/import_bench.cc). Thread-safety: no shared state; calls may run
// concurrently.
//
// Example:
//   std::vector<JsonInput> inputs = {{"dump/Vpcs.json", "Vpcs.json", text}, ...};
//   net::Result<AwsImport> imported = import_aws(inputs, {});
//   if (!imported) return imported.error();            // "Vpcs.json:3:5: error: ..."
//   std::string yaml = write_scenario_yaml(*imported);  // parse_scenario() accepts it
#pragma once

#include <span>
#include <string>
#include <vector>

#include "engine/model/scenario.h"
#include "net/error.h"

namespace pfsim::engine {

// One JSON file: `path` is where it was read (errors name it, so the user can open it);
// `name` is how provenance comments cite it (relative to the folder given, stable across
// machines); `text` its content.
struct JsonInput {
  std::string path;
  std::string name;
  std::string text;
};

struct AwsImportOptions {
  // The VPC to import; empty: the VPC of the dump's load balancers (or its only VPC).
  std::string vpc;
};

// A target's health as AWS reported it (describe-target-health), kept beside pfsim's verdict.
struct ReportedHealth {
  std::string target_group;  // scenario id
  std::string target;        // the interface id of the scenario's target (eni-...)
  std::string aws_target;    // as AWS named it: i-..., or an address
  std::uint16_t port = 0;
  std::string state;   // healthy | unhealthy | initial | unused | draining | unavailable
  std::string reason;  // TargetHealth.Reason, may be empty
};

struct AwsImport {
  Scenario scenario;
  std::string vpc;                       // the VPC imported
  std::vector<std::string> inputs;       // the names of the files read, in the order given
  std::vector<std::string> warnings;     // input problems a user should fix or know
  std::vector<std::string> assumptions;  // choices the input forced, stated in the output
  std::vector<std::string> notes;        // what was read and left out, and why
  std::vector<ReportedHealth> reported_health;
};

// Reads, merges and maps `inputs` (see above).
net::Result<AwsImport> import_aws(std::span<const JsonInput> inputs, const AwsImportOptions& options);

// The scenario as YAML that parse_scenario() accepts, with provenance comments and a header of
// warnings and assumptions. Deterministic: the same import gives the same bytes.
std::string write_scenario_yaml(const AwsImport& imported);

// An import folder used as a SCENARIO (check, explain, replay, gen-traffic): import_aws, then
// write_scenario_yaml, then parse_scenario of that text, so the commands judge exactly what
// `pfsim import aws` writes; then every Location of the loaded scenario is replaced by the
// provenance comment of the line it was read from (cite_sources), so findings cite the JSON
// ("SecurityGroups.json $.SecurityGroups[1].IpPermissions[0].IpRanges[0]"), not a text the user
// never saw. `name` names the scenario in errors (the folder).
struct ImportedScenario {
  Scenario scenario;
  AwsImport imported;  // its warnings, assumptions, notes and reported target health
  std::string yaml;
};
net::Result<ImportedScenario> import_scenario(std::span<const JsonInput> inputs, const AwsImportOptions& options,
                                              const std::string& name);

// Replaces each Location of `scenario` (parsed from `yaml`) by the provenance comment on its
// line (a trailing "# ..." comment, else a comment line just above it). Locations on lines
// without one are kept.
void cite_sources(Scenario& scenario, std::string_view yaml);

}  // namespace pfsim::engine
