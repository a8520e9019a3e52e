// engine/import/import_scenario.cc — an import as a loaded scenario whose Locations cite the
// JSON it came from (engine/import/aws_import.h, import_scenario and cite_sources).
#include <string>
#include <string_view>
#include <vector>

#include "engine/import/aws_import.h"
#include "engine/model/scenario_loader.h"

namespace pfsim::engine {
namespace {

// The provenance comment of each line of `yaml` (1-based; empty where there is none).
std::vector<std::string> line_sources(std::string_view yaml) {
  std::vector<std::string> lines(1);
  std::size_t start = 0;
  while (start <= yaml.size()) {
    std::size_t end = yaml.find('\n', start);
    if (end == std::string_view::npos) end = yaml.size();
    const std::string_view line = yaml.substr(start, end - start);
    std::string source;
    // The writer's comments: "  # SOURCE" on its own line, or "...}  # SOURCE" after a value.
    // Values are written quoted when they hold '#', so the first "  # " or leading "# " starts it.
    const std::size_t first = line.find_first_not_of(' ');
    if (first != std::string_view::npos && line[first] == '#') {
      source = std::string(line.substr(first + (line.size() > first + 1 && line[first + 1] == ' ' ? 2 : 1)));
    } else if (const std::size_t hash = line.find("  # "); hash != std::string_view::npos) {
      source = std::string(line.substr(hash + 4));
    }
    lines.push_back(std::move(source));
    if (end == yaml.size()) break;
    start = end + 1;
  }
  return lines;
}

}  // namespace

void cite_sources(Scenario& scenario, std::string_view yaml) {
  const std::vector<std::string> sources = line_sources(yaml);
  auto cite = [&](Location& where) {
    if (where.line == 0 || where.line >= sources.size()) return;
    const std::string* found = nullptr;
    if (!sources[where.line].empty()) {
      found = &sources[where.line];
    } else if (where.line > 1 && !sources[where.line - 1].empty()) {
      // A block object: its source is the comment line above "- id: ...".
      found = &sources[where.line - 1];
    }
    if (found == nullptr) return;
    where = Location{*found, 0, 0};
  };
  for (Subnet& s : scenario.subnets) cite(s.where);
  for (NetworkAcl& a : scenario.acls) {
    cite(a.where);
    for (FilterRule& r : a.inbound) cite(r.where);
    for (FilterRule& r : a.outbound) cite(r.where);
  }
  for (SecurityGroup& g : scenario.groups) {
    cite(g.where);
    for (FilterRule& r : g.inbound) cite(r.where);
    for (FilterRule& r : g.outbound) cite(r.where);
  }
  for (PrefixList& p : scenario.prefix_lists) cite(p.where);
  for (NetworkInterface& i : scenario.interfaces) cite(i.where);
  for (LoadBalancer& lb : scenario.load_balancers) {
    cite(lb.where);
    for (Listener& l : lb.listeners) cite(l.where);
  }
  for (TargetGroup& tg : scenario.target_groups) {
    cite(tg.where);
    cite(tg.health_check.where);
    for (Target& t : tg.targets) cite(t.where);
  }
}

net::Result<ImportedScenario> import_scenario(std::span<const JsonInput> inputs, const AwsImportOptions& options,
                                              const std::string& name) {
  net::Result<AwsImport> imported = import_aws(inputs, options);
  if (!imported) return imported.error();
  ImportedScenario out;
  out.yaml = write_scenario_yaml(*imported);
  net::Result<Scenario> scenario = parse_scenario(out.yaml, name);
  // The writer's output not loading is pfsim's bug, not the user's input: say so with the line.
  if (!scenario) {
    net::Error e = scenario.error();
    e.message = "the imported scenario does not load (a pfsim bug; `pfsim import aws` shows it): " + e.message;
    return e;
  }
  out.scenario = std::move(*scenario);
  cite_sources(out.scenario, out.yaml);
  out.imported = std::move(*imported);
  return out;
}

}  // namespace pfsim::engine
