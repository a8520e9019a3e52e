#include "tools/merge_command.h"

#include <iostream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "engine/replay/replay.h"
#include "tools/diagnostics.h"
#include "tools/file_io.h"
#include "tools/replay_command.h"
#include "tools/replay_json.h"

namespace pfsim::tools {

void define_merge_options(CLI::App& command, MergeCommandOptions& options) {
  command.add_option("REPORT", options.reports, "JSON reports of `pfsim replay --json`")->required();
  command.add_option("--json", options.json_path, "write the merged JSON report to FILE ('-' for stdout)")
      ->option_text("FILE");
  command.add_flag("--exit-zero", options.exit_zero, "exit 0 even when drops are flagged");
}

int run_merge_command(const MergeCommandOptions& options) {
  engine::ReplayReport merged;
  merged.threads = 0;
  for (std::size_t i = 0; i < options.reports.size(); ++i) {
    const std::string& path = options.reports[i];
    auto text = read_file(path);
    if (!text) return report_error(text.error());
    try {
      engine::ReplayReport part = parse_replay_json(nlohmann::json::parse(*text));
      if (i > 0 && part.health_checks != merged.health_checks)
        throw std::runtime_error("health_checks \"" + std::string(engine::health_checks_name(part.health_checks)) +
                                 "\" differs from the first report's (\"" +
                                 std::string(engine::health_checks_name(merged.health_checks)) + "\")");
      engine::merge_report(merged, std::move(part));
    } catch (const std::exception& e) {
      net::Error error = net::error_message(std::string("not a replay report: ") + e.what());
      error.file = path;
      return report_error(error);
    }
  }
  engine::finish_merge(merged);
  const bool json_to_stdout = options.json_path == "-";
  print_replay_human(json_to_stdout ? std::cerr : std::cout, merged);
  if (!options.json_path.empty()) {
    if (auto written = write_report(options.json_path, replay_json(merged).dump(2) + "\n"); !written)
      return report_error(written.error());
  }
  return engine::replay_flagged(merged) && !options.exit_zero ? kExitFlagged : kExitOk;
}

}  // namespace pfsim::tools
