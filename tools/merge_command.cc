#include "tools/merge_command.h"

#include <algorithm>
#include <iostream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <tuple>

#include "engine/replay.h"
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

int health_rank(const std::string& h) {
  if (h == "unhealthy") return 3;
  if (h == "healthy") return 2;
  if (h == "unknown") return 1;
  return 0;
}

// The example order of engine/replay.h: captured first (by index), then time, then text.
std::tuple<std::uint64_t, double, std::string> example_key(const engine::DropGroup& g) {
  return {g.first_packet == 0 ? std::numeric_limits<std::uint64_t>::max() : g.first_packet, g.example.time_s,
          g.example.flow};
}

// Adds one parsed report into `into`; throws nlohmann's exceptions on a wrong shape.
void add_report(const Json& doc, engine::ReplayReport& into, std::map<std::tuple<int, std::string, std::string>, std::size_t>& drops,
                std::map<std::pair<std::string, std::string>, std::size_t>& targets) {
  const Json& packets = doc.at("packets");
  into.packets_read += packets.at("read").get<std::uint64_t>();
  into.packets_evaluated += packets.at("evaluated").get<std::uint64_t>();
  into.packets_malformed += packets.at("malformed").get<std::uint64_t>();
  if (packets.contains("malformed_kinds")) {
    for (const auto& [kind, value] : packets.at("malformed_kinds").items()) {
      auto it = std::find_if(into.malformed.begin(), into.malformed.end(), [&](const auto& m) { return m.kind == kind; });
      if (it == into.malformed.end()) {
        into.malformed.push_back({kind, 0, {}});
        it = into.malformed.end() - 1;
      }
      it->count += value.at("count").get<std::uint64_t>();
      for (const Json& i : value.at("first")) it->first.push_back(i.get<std::uint64_t>());
      std::sort(it->first.begin(), it->first.end());
      if (it->first.size() > engine::kMalformedSamples) it->first.resize(engine::kMalformedSamples);
    }
  }
  for (std::size_t c = 0; c < engine::kTrafficClasses; ++c) {
    const Json& counts = doc.at("classes").at(std::string(engine::class_name(static_cast<TrafficClass>(c))));
    into.classes[c].allowed += counts.at("allowed").get<std::uint64_t>();
    into.classes[c].dropped += counts.at("dropped").get<std::uint64_t>();
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
    auto [it, inserted] = drops.try_emplace({static_cast<int>(g.cls), g.hook, g.rule.id}, into.drops.size());
    if (inserted) {
      into.drops.push_back(std::move(g));
      continue;
    }
    engine::DropGroup& m = into.drops[it->second];
    m.packets += g.packets;
    m.flows += g.flows;
    if (example_key(g) < example_key(m)) {
      m.example = g.example;
      m.first_packet = g.first_packet;
    }
  }
  for (const Json& t : doc.at("targets")) {
    engine::ReplayTarget target{t.at("target_group").get<std::string>(), t.at("target").get<std::string>(),
                                t.at("health").get<std::string>(), t.at("reason").get<std::string>()};
    auto [it, inserted] = targets.try_emplace({target.target_group, target.target}, into.targets.size());
    if (inserted) {
      into.targets.push_back(std::move(target));
      continue;
    }
    engine::ReplayTarget& m = into.targets[it->second];
    const int a = health_rank(target.health);
    const int b = health_rank(m.health);
    if (a > b || (a == b && a == 3 && target.reason < m.reason)) m = std::move(target);
  }
  for (const Json& w : doc.at("warnings")) into.warnings.push_back(w.get<std::string>());
  const Json& timing = doc.at("timing");
  into.seconds += timing.at("seconds").get<double>();
  into.threads = std::max(into.threads, timing.at("threads").get<std::uint32_t>());
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
  std::map<std::tuple<int, std::string, std::string>, std::size_t> drops;
  std::map<std::pair<std::string, std::string>, std::size_t> targets;
  for (const std::string& path : options.reports) {
    auto text = read_file(path);
    if (!text) return report_error(text.error());
    try {
      add_report(Json::parse(*text), merged, drops, targets);
    } catch (const std::exception& e) {
      net::Error error = net::error_message(std::string("not a replay report: ") + e.what());
      error.file = path;
      return report_error(error);
    }
  }
  std::sort(merged.drops.begin(), merged.drops.end(), [](const engine::DropGroup& a, const engine::DropGroup& b) {
    return std::tie(a.cls, a.hook, a.rule.id) < std::tie(b.cls, b.hook, b.rule.id);
  });
  // Default rules carry their words only in the human report of replay; keep the JSON shape.
  std::sort(merged.warnings.begin(), merged.warnings.end());
  merged.warnings.erase(std::unique(merged.warnings.begin(), merged.warnings.end()), merged.warnings.end());
  std::sort(merged.malformed.begin(), merged.malformed.end(), [](const auto& a, const auto& b) { return a.kind < b.kind; });
  const bool json_to_stdout = options.json_path == "-";
  print_replay_human(json_to_stdout ? std::cerr : std::cout, merged);
  if (!options.json_path.empty()) {
    if (auto written = write_report(options.json_path, replay_json(merged).dump(2) + "\n"); !written)
      return report_error(written.error());
  }
  return engine::replay_flagged(merged) && !options.exit_zero ? kExitFlagged : kExitOk;
}

}  // namespace pfsim::tools
