#include "tools/explain_command.h"

#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <ostream>

#include "engine/analysis/explain.h"
#include "engine/model/scenario_loader.h"
#include "net/format.h"
#include "tools/diagnostics.h"
#include "tools/file_io.h"
#include "tools/import_command.h"

namespace pfsim::tools {
namespace {

using engine::DecidedBy;
using engine::Explanation;
using engine::HookVerdict;

std::string_view how_name(DecidedBy how) {
  switch (how) {
    case DecidedBy::kRule:
      return "rule";
    case DecidedBy::kDefault:
      return "default";
    case DecidedBy::kTracked:
      return "tracked";
    case DecidedBy::kRelated:
      return "related";
  }
  return "rule";
}

// "sg-lb inbound rule 1 (tcp 443 from 0.0.0.0/0)  alb.yaml:30", or the default's words.
std::string decision_text(const HookVerdict& hv) {
  const engine::Policy& policy = hv.policy->policy;
  switch (hv.how) {
    case DecidedBy::kTracked:
      return "connection tracking: a packet of a tracked flow";
    case DecidedBy::kRelated:
      return "connection tracking: an ICMP error about a tracked flow";
    case DecidedBy::kDefault:
      return policy.default_text;
    case DecidedBy::kRule:
      break;
  }
  const engine::DecidingRule rule = engine::deciding_rule(hv);
  return rule.id + " (" + rule.text + ")  " + rule.source;
}

nlohmann::ordered_json rule_json(const HookVerdict& hv) {
  if (hv.how != DecidedBy::kRule) return std::string(how_name(hv.how));
  const engine::DecidingRule rule = engine::deciding_rule(hv);
  return {{"id", rule.id}, {"source", rule.source}, {"text", rule.text}};
}

void print_human(std::ostream& out, const engine::Scenario& s, const std::string& flow, const Explanation& e) {
  out << flow << ": " << engine::class_name(e.cls) << " traffic, " << e.path << '\n';
  for (const engine::ExplainStep& step : e.steps) {
    out << step.name << ": " << net::format_five_tuple(step.tuple) << "  "
        << (step.verdict.allowed ? "allowed" : "DROPPED") << '\n';
    if (step.verdict.hops.empty()) out << "  (no filter on this way)\n";
    for (const HookVerdict& hv : step.verdict.hops) {
      out << "  " << std::left << std::setw(28) << engine::hook_name(s, hv.hook) << (hv.allowed ? "allow  " : "DROP   ")
          << decision_text(hv);
      if (hv.started_tracking) out << "  [tracked from here]";
      if (hv.untracked) out << "  [untracked: judged by rules both ways]";
      out << '\n';
    }
    if (!step.fix.empty()) out << "  fix: " << step.fix << '\n';
  }
  out << (e.allowed ? "the flow passes both ways\n" : "the flow is dropped\n");
}

std::string json_report(const engine::Scenario& s, const std::string& flow, const Explanation& e) {
  nlohmann::ordered_json steps = nlohmann::ordered_json::array();
  for (const engine::ExplainStep& step : e.steps) {
    nlohmann::ordered_json hops = nlohmann::ordered_json::array();
    for (const HookVerdict& hv : step.verdict.hops)
      hops.push_back({{"hook", engine::hook_name(s, hv.hook)},
                      {"allowed", hv.allowed},
                      {"how", how_name(hv.how)},
                      {"rule", rule_json(hv)},
                      {"tracked", hv.started_tracking}});
    nlohmann::ordered_json json_step = {{"name", step.name},
                                        {"packet", net::format_five_tuple(step.tuple)},
                                        {"allowed", step.verdict.allowed},
                                        {"hops", hops}};
    if (!step.fix.empty()) json_step["fix"] = step.fix;
    steps.push_back(std::move(json_step));
  }
  nlohmann::ordered_json doc = {
      {"flow", flow}, {"class", engine::class_name(e.cls)}, {"path", e.path}, {"allowed", e.allowed}, {"steps", steps}};
  return doc.dump(2) + "\n";
}

}  // namespace

void define_explain_options(CLI::App& command, ExplainCommandOptions& options) {
  command.add_option("SCENARIO", options.scenario_path, "scenario file (YAML) or AWS import folder")->required();
  command.add_option("--flow", options.flow, "the flow: \"tcp 203.0.113.9:51000 -> 10.0.1.5:443\"")
      ->option_text("FLOW REQUIRED")
      ->required();
  command.add_option("--json", options.json_path, "write the JSON report to FILE ('-' for stdout)")
      ->option_text("FILE");
}

int run_explain_command(const ExplainCommandOptions& options) {
  auto scenario = load_scenario_input(options.scenario_path);
  if (!scenario) return report_error(scenario.error());
  auto flow = engine::parse_flow(options.flow);
  if (!flow) return report_error(flow.error());
  auto policies = engine::compile_policies(*scenario);
  if (!policies) return report_error(policies.error());
  auto explanation = engine::explain_flow(*scenario, *policies, *flow);
  if (!explanation) return report_error(explanation.error());
  const bool json_to_stdout = options.json_path == "-";
  print_human(json_to_stdout ? std::cerr : std::cout, *scenario, options.flow, *explanation);
  if (!options.json_path.empty()) {
    if (auto written = write_report(options.json_path, json_report(*scenario, options.flow, *explanation)); !written)
      return report_error(written.error());
  }
  return explanation->allowed ? kExitOk : kExitFlagged;
}

}  // namespace pfsim::tools
