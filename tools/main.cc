// tools/main.cc — the `pfsim` command: registers the subcommands, parses the command line and
// maps every outcome to the exit codes of DESIGN.md §5 (tools/diagnostics.h).
#include <CLI/CLI.hpp>
#include <array>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>

#include "tools/check_command.h"
#include "tools/classify_command.h"
#include "tools/decode_command.h"
#include "tools/diagnostics.h"
#include "tools/explain_command.h"
#include "tools/gen_traffic_command.h"
#include "tools/import_command.h"
#include "tools/merge_command.h"
#include "tools/replay_command.h"

namespace {

// A subcommand: its name and help line, and its two functions from tools/<name>_command.h
// bound to one Options object that outlives the parse.
struct Subcommand {
  std::string name;
  std::string help;
  std::function<void(CLI::App&)> define;  // declares the options on the subcommand's parser
  std::function<int()> run;               // runs with the parsed options; the exit code
};

template <class Options>
Subcommand subcommand(std::string name, std::string help, void (*define)(CLI::App&, Options&),
                      int (*run)(const Options&)) {
  auto options = std::make_shared<Options>();
  return {std::move(name), std::move(help), [define, options](CLI::App& command) { define(command, *options); },
          [run, options] { return run(*options); }};
}

// In the order `pfsim --help` lists them.
std::array<Subcommand, 8> subcommands() {
  using namespace pfsim::tools;
  return {
      subcommand("classify", "time and verify a classifier on a ClassBench rule set and trace", define_classify_options,
                 run_classify_command),
      subcommand("decode", "print what pfsim sees in each packet of a capture", define_decode_options,
                 run_decode_command),
      subcommand("check", "will listener, health-check and PMTU traffic get through? (no capture needed)",
                 define_check_options, run_check_command),
      subcommand("explain", "one flow through the scenario, hop by hop, both directions", define_explain_options,
                 run_explain_command),
      subcommand("gen-traffic", "write a realistic synthetic capture for a scenario", define_gen_traffic_options,
                 run_gen_traffic_command),
      subcommand("replay", "replay captures through the scenario's filters: what is dropped, where, why",
                 define_replay_options, run_replay_command),
      subcommand("merge", "merge the JSON reports of sharded replays into one", define_merge_options,
                 run_merge_command),
      subcommand("import", "write a scenario from your cloud's own configuration (import aws: AWS CLI JSON)",
                 define_import_options, run_import_command),
  };
}

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

  const auto commands = subcommands();
  std::array<CLI::App*, commands.size()> parsers{};
  for (std::size_t i = 0; i < commands.size(); ++i) {
    parsers[i] = app.add_subcommand(commands[i].name, commands[i].help);
    commands[i].define(*parsers[i]);
  }

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
  for (std::size_t i = 0; i < commands.size(); ++i) {
    if (parsers[i]->parsed()) return commands[i].run();
  }
  return kExitBadInput;
}
