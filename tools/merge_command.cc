#include "tools/merge_command.h"

#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>
#include <tuple>

#include "engine/replay/replay.h"
#include "tools/diagnostics.h"
#include "tools/file_io.h"
#include "tools/replay_command.h"

namespace pfsim::tools {
namespace {

using engine::TrafficClass;
using Json = nlohmann::json;

std::optional<TrafficClass> class_of(const std::string& name) {
  for (std::size_t c = 0; c < engine::kTrafficClasses; ++c)
    if (engine::class_name(static_cast<TrafficClass>(c)) == name) return static_cast<TrafficClass>(c);
  return std::nullopt;
}

// One report of `pfsim replay --json`; throws nlohmann's exceptions on a wrong shape.
engine::ReplayReport parse_report(const Json& doc) {
  engine::ReplayReport r;
  const Json& packets = doc.at("packets");
  r.packets_read = packets.at("read").get<std::uint64_t>();
  r.packets_evaluated = packets.at("evaluated").get<std::uint64_t>();
  r.packets_malformed = packets.at("malformed").get<std::uint64_t>();
  if (packets.contains("malformed_kinds")) {
    for (const auto& [kind, value] : packets.at("malformed_kinds").items())
      r.malformed.push_back({kind, value.at("count").get<std::uint64_t>(),
                             value.at("first").get<std::vector<std::uint64_t>>()});
  }
  for (std::size_t c = 0; c < engine::kTrafficClasses; ++c) {
    const Json& counts = doc.at("classes").at(std::string(engine::class_name(static_cast<TrafficClass>(c))));
    r.classes[c].allowed = counts.at("allowed").get<std::uint64_t>();
    r.classes[c].dropped = counts.at("dropped").get<std::uint64_t>();
  }
  for (const Json& d : doc.at("drops")) {
    engine::DropGroup g;
    auto cls = class_of(d.at("class").get<std::string>());
    if (!cls) throw std::runtime_error("unknown class '" + d.at("class").get<std::string>() + "'");
    g.cls = *cls;
    g.hook = d.at("hook").get<std::string>();
    g.at = d.at("at").get<std::string>();
    const Json& rule = d.at("rule");
    if (rule.is_string()) {
      g.rule = {true, "default", "", ""};
    } else {
      g.rule = {false, rule.at("id").get<std::string>(), rule.at("source").get<std::string>(), rule.at("text").get<std::string>()};
    }
    g.packets = d.at("packets").get<std::uint64_t>();
    g.flows = d.at("flows").get<std::uint64_t>();
    g.first_packet = d.at("first_packet").is_null() ? 0 : d.at("first_packet").get<std::uint64_t>();
    const Json& ex = d.at("example");
    g.example = {ex.at("flow").get<std::string>(), ex.at("community_id").get<std::string>(), ex.at("time_s").get<double>()};
    r.drops.push_back(std::move(g));
  }
  for (const Json& t : doc.at("targets"))
    r.targets.push_back({t.at("target_group").get<std::string>(), t.at("target").get<std::string>(),
                         t.at("health").get<std::string>(), t.at("reason").get<std::string>()});
  for (const Json& w : doc.at("warnings")) r.warnings.push_back(w.get<std::string>());
  const Json& timing = doc.at("timing");
  r.seconds = timing.at("seconds").get<double>();
  r.threads = timing.at("threads").get<std::uint32_t>();
  return r;
}

}  // namespace

void define_merge_options(CLI::App& command, MergeCommandOptions& options) {
  command.add_option("REPORT", options.reports, "JSON reports of `pfsim replay --json`")->required();
  command.add_option("--json", options.json_path, "write the merged JSON report to FILE ('-' for stdout)")->option_text("FILE");
  command.add_flag("--exit-zero", options.exit_zero, "exit 0 even when drops are flagged");
}

int run_merge_command(const MergeCommandOptions& options) {
  engine::ReplayReport merged;
  merged.threads = 0;
  for (const std::string& path : options.reports) {
    auto text = read_file(path);
    if (!text) return report_error(text.error());
    try {
      engine::merge_report(merged, parse_report(Json::parse(*text)));
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
