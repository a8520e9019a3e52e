#include "tools/check_command.h"

#include <iostream>
#include <nlohmann/json.hpp>
#include <ostream>

#include "engine/analysis/check.h"
#include "engine/model/scenario_loader.h"
#include "tools/diagnostics.h"
#include "tools/file_io.h"
#include "tools/import_command.h"

namespace pfsim::tools {
namespace {

using engine::CheckReport;
using engine::Finding;

void print_human(std::ostream& out, const CheckReport& report) {
  for (const Finding& f : report.findings) {
    out << engine::severity_name(f.severity) << '[' << engine::class_name(f.cls) << "]: " << f.path << '\n';
    // One finding per problem: the other paths it breaks, under it.
    for (std::size_t i = 1; i < f.paths.size(); ++i) out << "  also: " << f.paths[i] << '\n';
    out << "  " << f.message << '\n';
    if (!f.rule.is_default) out << "  rule: " << f.rule.id << " (" << f.rule.text << ")  " << f.rule.source << '\n';
    out << "  fix: " << f.fix << '\n';
    if (!f.see.empty()) out << "  see: " << f.see << '\n';
  }
  std::size_t unhealthy = 0;
  for (const engine::TargetHealth& t : report.targets) {
    if (t.health != engine::Health::kUnhealthy) continue;
    ++unhealthy;
    out << "target " << t.target << " (" << t.target_group << ") unhealthy: " << t.reason << '\n';
  }
  out << unhealthy << (unhealthy == 1 ? " target" : " targets") << " unhealthy, " << report.errors
      << (report.errors == 1 ? " error, " : " errors, ") << report.warnings
      << (report.warnings == 1 ? " warning" : " warnings") << " (" << report.packets_judged << " packets judged)\n";
}

std::string json_report(const CheckReport& report) {
  nlohmann::ordered_json findings = nlohmann::ordered_json::array();
  for (const Finding& f : report.findings) {
    nlohmann::ordered_json rule = "default";
    if (!f.rule.is_default) rule = {{"id", f.rule.id}, {"source", f.rule.source}, {"text", f.rule.text}};
    findings.push_back({{"severity", engine::severity_name(f.severity)},
                        {"class", engine::class_name(f.cls)},
                        {"path", f.path},
                        {"paths", f.paths},
                        {"hook", f.hook},
                        {"rule", rule},
                        {"message", f.message},
                        {"fix", f.fix},
                        {"see", f.see}});
  }
  nlohmann::ordered_json targets = nlohmann::ordered_json::array();
  for (const engine::TargetHealth& t : report.targets) {
    targets.push_back({{"target_group", t.target_group},
                       {"target", t.target},
                       {"health", engine::health_name(t.health)},
                       {"reason", t.reason}});
  }
  nlohmann::ordered_json doc = {
      {"findings", findings}, {"targets", targets}, {"errors", report.errors}, {"warnings", report.warnings}};
  return doc.dump(2) + "\n";
}

}  // namespace

void define_check_options(CLI::App& command, CheckCommandOptions& options) {
  command.add_option("SCENARIO", options.scenario_path, "scenario file (YAML) or AWS import folder")->required();
  command.add_option("--json", options.json_path, "write the JSON report to FILE ('-' for stdout)")
      ->option_text("FILE");
  command.add_option("--algorithm", options.algorithm, "classifier algorithm (default auto)")->option_text("NAME");
  command.add_flag("--exit-zero", options.exit_zero, "exit 0 even when errors are found");
}

int run_check_command(const CheckCommandOptions& options) {
  auto scenario = load_scenario_input(options.scenario_path);
  if (!scenario) return report_error(scenario.error());
  engine::CheckOptions check_options;
  check_options.algorithm = options.algorithm;
  auto report = engine::run_check(*scenario, check_options);
  if (!report) return report_error(report.error());
  const bool json_to_stdout = options.json_path == "-";
  print_human(json_to_stdout ? std::cerr : std::cout, *report);
  if (!options.json_path.empty()) {
    if (auto written = write_report(options.json_path, json_report(*report)); !written)
      return report_error(written.error());
  }
  return report->errors > 0 && !options.exit_zero ? kExitFlagged : kExitOk;
}

}  // namespace pfsim::tools
