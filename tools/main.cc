// tools/main.cc — the `pfsim` command: registers the subcommands, parses the command line and
// maps every outcome to the exit codes of DESIGN.md §5 (tools/diagnostics.h).
#include <CLI/CLI.hpp>
#include <iostream>
#include <string>
#include <string_view>

#include "tools/check_command.h"
#include "tools/classify_command.h"
#include "tools/decode_command.h"
#include "tools/diagnostics.h"
#include "tools/explain_command.h"
#include "tools/gen_traffic_command.h"
#include "tools/merge_command.h"
#include "tools/replay_command.h"

namespace {

std::string known_commands(const CLI::App& app) {
  std::string names;
  for (const CLI::App* command : app.get_subcommands([](const CLI::App*) { return true; })) {
    names += (names.empty() ? "" : ", ") + command->get_name();
  }
  return names;
}

// CLI11 would call an unknown command an unexpected argument; say "unknown command" and name
// it instead, which is what a user (and shared/tools/contract-check) looks for. pfsim's own
// options are flags without values, so the first word not starting with '-' is the command.
std::string unknown_command(const CLI::App& app, int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view word = argv[i];
    if (word.starts_with('-')) continue;
    for (const CLI::App* command : app.get_subcommands([](const CLI::App*) { return true; })) {
      if (command->check_name(std::string(word))) return "";
    }
    return std::string(word);
  }
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  using pfsim::tools::kExitBadInput;

  CLI::App app{"pfsim: a packet-filter simulator for cloud load balancers", "pfsim"};
  app.set_version_flag("--version", "pfsim " PFSIM_VERSION);
  app.require_subcommand(1);

  pfsim::tools::ClassifyOptions classify_options;
  CLI::App* classify = app.add_subcommand("classify", "time and verify a classifier on a ClassBench rule set and trace");
  pfsim::tools::define_classify_options(*classify, classify_options);

  pfsim::tools::DecodeCommandOptions decode_options;
  CLI::App* decode = app.add_subcommand("decode", "print what pfsim sees in each packet of a capture");
  pfsim::tools::define_decode_options(*decode, decode_options);

  pfsim::tools::CheckCommandOptions check_options;
  CLI::App* check = app.add_subcommand("check", "will listener, health-check and PMTU traffic get through? (no capture needed)");
  pfsim::tools::define_check_options(*check, check_options);

  pfsim::tools::ExplainCommandOptions explain_options;
  CLI::App* explain = app.add_subcommand("explain", "one flow through the scenario, hop by hop, both directions");
  pfsim::tools::define_explain_options(*explain, explain_options);

  pfsim::tools::GenTrafficCommandOptions gen_traffic_options;
  CLI::App* gen_traffic = app.add_subcommand("gen-traffic", "write a realistic synthetic capture for a scenario");
  pfsim::tools::define_gen_traffic_options(*gen_traffic, gen_traffic_options);

  pfsim::tools::ReplayCommandOptions replay_options;
  CLI::App* replay = app.add_subcommand("replay", "replay captures through the scenario's filters: what is dropped, where, why");
  pfsim::tools::define_replay_options(*replay, replay_options);

  pfsim::tools::MergeCommandOptions merge_options;
  CLI::App* merge = app.add_subcommand("merge", "merge the JSON reports of sharded replays into one");
  pfsim::tools::define_merge_options(*merge, merge_options);

  if (std::string unknown = unknown_command(app, argc, argv); !unknown.empty()) {
    std::cerr << "pfsim: error: unknown command '" << unknown << "' (known: " << known_commands(app) << ")\n";
    return kExitBadInput;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    // --help and --version end parsing with exit code 0; every other parse error is a usage
    // error, exit 2, whatever code CLI11 assigns it.
    if (error.get_exit_code() == 0) return app.exit(error);
    std::cerr << "pfsim: error: " << error.what() << " (see 'pfsim --help')\n";
    return kExitBadInput;
  }
  if (classify->parsed()) return pfsim::tools::run_classify(classify_options);
  if (decode->parsed()) return pfsim::tools::run_decode(decode_options);
  if (check->parsed()) return pfsim::tools::run_check_command(check_options);
  if (explain->parsed()) return pfsim::tools::run_explain_command(explain_options);
  if (gen_traffic->parsed()) return pfsim::tools::run_gen_traffic_command(gen_traffic_options);
  if (replay->parsed()) return pfsim::tools::run_replay_command(replay_options);
  if (merge->parsed()) return pfsim::tools::run_merge_command(merge_options);
  return kExitBadInput;
}
