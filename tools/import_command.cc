#include "tools/import_command.h"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <system_error>

#include "engine/import/aws_import.h"
#include "engine/model/scenario_loader.h"
#include "tools/diagnostics.h"
#include "tools/file_io.h"

namespace pfsim::tools {
namespace {

namespace fs = std::filesystem;

// Every JSON file under `paths`: a file as given (cited by its file name), a folder walked
// recursively (its *.json files in path order, cited relative to the folder).
net::Result<std::vector<engine::JsonInput>> read_inputs(const std::vector<std::string>& paths) {
  std::vector<engine::JsonInput> inputs;
  for (const std::string& path : paths) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      std::vector<fs::path> files;
      for (auto it = fs::recursive_directory_iterator(path, ec); !ec && it != fs::recursive_directory_iterator();
           it.increment(ec)) {
        if (it->is_regular_file(ec) && it->path().extension() == ".json") files.push_back(it->path());
      }
      if (ec) return io_error("read folder", path, ec.value());
      std::sort(files.begin(), files.end());
      if (files.empty()) return net::error_message("no .json file in folder '" + path + "'");
      for (const fs::path& f : files) {
        auto text = read_file(f.string());
        if (!text) return text.error();
        inputs.push_back({f.string(), fs::relative(f, path, ec).generic_string(), std::move(*text)});
      }
    } else {
      auto text = read_file(path);
      if (!text) return text.error();
      inputs.push_back({path, fs::path(path).filename().string(), std::move(*text)});
    }
  }
  return inputs;
}

void print_findings(const engine::AwsImport& imported) {
  for (const std::string& w : imported.warnings) std::cerr << "pfsim: warning: " << w << '\n';
  for (const std::string& a : imported.assumptions) std::cerr << "pfsim: assumption: " << a << '\n';
}

std::string count(std::size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

void define_import_options(CLI::App& command, ImportCommandOptions& options) {
  command.add_option("PROVIDER", options.provider, "the cloud whose JSON is read: aws")
      ->required()
      ->check(CLI::IsMember({"aws"}));
  command.add_option("PATH", options.paths, "AWS CLI describe-* JSON files or folders (read recursively)")->required();
  command.add_option("--out", options.out_path, "write the scenario YAML to FILE (default: stdout)")
      ->option_text("FILE");
  command.add_option("--vpc", options.vpc, "the VPC to import (default: the one with load balancers)")
      ->option_text("VPC_ID");
}

int run_import_command(const ImportCommandOptions& options) {
  auto inputs = read_inputs(options.paths);
  if (!inputs) return report_error(inputs.error());
  engine::AwsImportOptions import_options;
  import_options.vpc = options.vpc;
  auto imported = engine::import_aws(*inputs, import_options);
  if (!imported) return report_error(imported.error());
  const std::string yaml = engine::write_scenario_yaml(*imported);
  // What is written must load: checked here so that a user never gets a file the other commands
  // refuse (a failure is pfsim's bug, reported with the line).
  if (auto loaded = engine::parse_scenario(yaml, options.out_path == "-" ? "(imported)" : options.out_path); !loaded)
    return report_error(loaded.error());
  if (auto written = write_report(options.out_path, yaml); !written) return report_error(written.error());
  print_findings(*imported);
  const engine::Scenario& s = imported->scenario;
  std::size_t interfaces = 0;
  for (const engine::NetworkInterface& ni : s.interfaces)
    interfaces += ni.kind == engine::NetworkInterface::Kind::kInstance;
  std::cerr << "imported " << imported->vpc << " from " << count(inputs->size(), "file", "files") << ": "
            << count(s.subnets.size(), "subnet", "subnets") << ", "
            << count(s.acls.size(), "network ACL", "network ACLs") << ", "
            << count(s.groups.size(), "security group", "security groups") << ", "
            << count(interfaces, "interface", "interfaces") << ", "
            << count(s.load_balancers.size(), "load balancer", "load balancers") << ", "
            << count(s.target_groups.size(), "target group", "target groups") << " ("
            << count(imported->warnings.size(), "warning", "warnings") << ", "
            << count(imported->assumptions.size(), "assumption", "assumptions") << ")\n";
  return kExitOk;
}

net::Result<engine::Scenario> load_scenario_input(const std::string& path) {
  std::error_code ec;
  if (!fs::is_directory(path, ec)) return engine::load_scenario(path);
  auto inputs = read_inputs({path});
  if (!inputs) return inputs.error();
  auto imported = engine::import_scenario(*inputs, {}, path);
  if (!imported) return imported.error();
  print_findings(imported->imported);
  return std::move(imported->scenario);
}

}  // namespace pfsim::tools
