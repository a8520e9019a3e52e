#include "tools/replay_command.h"

#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <iostream>
#include <map>

#include "engine/model/scenario_loader.h"
#include "net/text.h"
#include "tools/diagnostics.h"
#include "tools/file_io.h"
#include "tools/import_command.h"
#include "tools/replay_json.h"

namespace pfsim::tools {
namespace {

using engine::TrafficClass;

constexpr std::uint64_t kProgressMinBytes = 64ull << 20;  // a bar only for long runs
constexpr std::size_t kHumanWarnings = 20;
constexpr unsigned kMaxThreads = 1024;

std::optional<std::pair<std::uint32_t, std::uint32_t>> parse_shard(const std::string& text) {
  const auto slash = text.find('/');
  if (slash == std::string::npos) return std::nullopt;
  std::uint32_t i = 0;
  std::uint32_t n = 0;
  const char* a = text.data();
  auto [end1, ec1] = std::from_chars(a, a + slash, i);
  auto [end2, ec2] = std::from_chars(a + slash + 1, a + text.size(), n);
  if (ec1 != std::errc() || end1 != a + slash || ec2 != std::errc() || end2 != a + text.size()) return std::nullopt;
  if (n == 0 || i >= n) return std::nullopt;
  return std::make_pair(i, n);
}

// "ENI i-web1 (VNI 7)", or "VNI 7 (no traffic_mirror_sessions entry)".
std::string seen_at_text(const engine::SeenAt& s) {
  if (s.interface.empty()) return "VNI " + std::to_string(s.vni) + " (no traffic_mirror_sessions entry)";
  return "ENI " + s.interface + " (VNI " + std::to_string(s.vni) + ")";
}

}  // namespace

bool mostly_unmatched(const engine::ReplayReport& r) noexcept {
  return r.packets_evaluated > 0 && r.packets_unmatched * 2 > r.packets_evaluated;
}

void print_replay_human(std::ostream& out, const engine::ReplayReport& r) {
  out << "read " << net::grouped(r.packets_read) << " packets in " << net::fixed(r.seconds, 2) << " s ("
      << net::fixed(packets_per_second(r) / 1e6, 2) << " Mpps, " << r.threads
      << (r.threads == 1 ? " thread" : " threads") << ")";
  if (r.packets_malformed > 0) {
    out << "; " << net::grouped(r.packets_malformed) << " malformed (";
    for (std::size_t i = 0; i < r.malformed.size(); ++i) {
      const engine::MalformedCount& m = r.malformed[i];
      out << (i ? ", " : "") << m.kind << ": " << net::grouped(m.count);
      if (!m.first.empty()) out << ", first #" << m.first.front();
    }
    out << ")";
  }
  if (r.packets_non_ip > 0) out << "; " << net::grouped(r.packets_non_ip) << " not IP (not evaluated)";
  out << '\n';
  // The "after drop" column only when some flow was broken (engine/replay/replay.h, "Dead flows").
  bool after_drop = false;
  for (const engine::ClassCounts& c : r.classes) after_drop = after_drop || c.after_drop > 0;
  out << std::left << std::setw(14) << "class" << std::right << std::setw(14) << "allowed" << std::setw(14)
      << "dropped";
  if (after_drop) out << std::setw(14) << "after drop";
  out << '\n';
  for (std::size_t c = 0; c < engine::kTrafficClasses; ++c) {
    out << std::left << std::setw(14) << engine::class_name(static_cast<TrafficClass>(c)) << std::right << std::setw(14)
        << net::grouped(r.classes[c].allowed) << std::setw(14) << net::grouped(r.classes[c].dropped);
    if (after_drop) out << std::setw(14) << net::grouped(r.classes[c].after_drop);
    out << '\n';
  }
  for (const engine::DropGroup& g : r.drops) {
    if (g.flows_broken > 0) {
      // The broken flows lead: their packets after the drop are the rest of what they would be.
      out << "dropped " << engine::class_name(g.cls) << ": " << net::grouped(g.flows_broken)
          << (g.flows_broken == 1 ? " flow broken" : " flows broken")
          << (g.flows_broken == g.flows ? " (all of them)" : " (of " + net::grouped(g.flows) + ")") << " from "
          << net::fixed(g.broken_first_s, 3) << " s to " << net::fixed(g.broken_last_s, 3)
          << " s: " << net::grouped(g.packets) << (g.packets == 1 ? " packet" : " packets") << " dropped, "
          << net::grouped(g.after_drop) << " after a drop\n";
    } else {
      out << "dropped " << engine::class_name(g.cls) << ' ' << net::grouped(g.packets)
          << (g.packets == 1 ? " packet, " : " packets, ") << net::grouped(g.flows)
          << (g.flows == 1 ? " flow" : " flows") << '\n';
    }
    out << "  at " << g.hook << " by ";
    if (g.rule.is_default)
      out << "default (" << g.rule.text << ")";
    else
      out << g.rule.id << " (" << g.rule.text << ")  " << g.rule.source;
    if (!g.at.empty()) out << "  [" << g.at << "]";
    out << '\n';
    if (g.first_packet != 0)
      out << "  first #" << g.first_packet << ": ";
    else
      out << "  first (synthesized, at " << net::fixed(g.example.time_s, 3) << " s): ";
    out << g.example.flow;
    if (!g.example.community_id.empty()) out << "  " << g.example.community_id;
    if (g.example.seen_at) out << "  seen at " << seen_at_text(*g.example.seen_at);
    out << '\n';
    for (std::size_t i = 0; i < g.seen_at.size(); ++i)
      out << (i == 0 ? "  packets seen at " : ", ") << seen_at_text(g.seen_at[i])
          << (i + 1 == g.seen_at.size() ? "\n" : "");
    if (!g.fix.empty()) out << "  fix: " << g.fix << '\n';
  }
  if (r.health_checks == engine::HealthChecks::kOff) {
    out << "targets: health not judged (--health-checks off)\n";
  } else {
    std::size_t unhealthy = 0;
    for (const engine::ReplayTarget& t : r.targets) {
      if (t.health != engine::Health::kUnhealthy) continue;
      ++unhealthy;
      out << "target " << t.target << " (" << t.target_group << ") unhealthy (" << engine::health_from(t)
          << " checks): " << t.reason << '\n';
    }
    std::size_t healthy = 0;
    std::map<std::string, std::size_t> from;  // targets by where their health came from
    for (const engine::ReplayTarget& t : r.targets) {
      healthy += t.health == engine::Health::kHealthy;
      if (const std::string f = engine::health_from(t); !f.empty()) ++from[f];
    }
    out << "targets: " << healthy << " healthy, " << unhealthy << " unhealthy";
    if (!from.empty()) {
      out << " (health from checks";
      for (const auto& [f, n] : from) out << (f == from.begin()->first ? " " : ", ") << f << ": " << n;
      out << ")";
    }
    out << '\n';
  }
  if (mostly_unmatched(r))
    out << "warning: most of this capture has no endpoint in the scenario (" << net::grouped(r.packets_unmatched)
        << " of " << net::grouped(r.packets_evaluated) << " IP packets unmatched): is it the right scenario?\n";
  for (std::size_t i = 0; i < r.warnings.size() && i < kHumanWarnings; ++i) out << "warning: " << r.warnings[i] << '\n';
  if (r.warnings.size() > kHumanWarnings)
    out << "warning: ... and " << r.warnings.size() - kHumanWarnings << " more (see --json)\n";
}

void define_replay_options(CLI::App& command, ReplayCommandOptions& options) {
  command.add_option("SCENARIO", options.scenario_path, "scenario file (YAML) or AWS import folder")->required();
  command.add_option("PCAP", options.captures, "capture files (pcap or pcapng; '-' = stdin), replayed in order")
      ->required();
  command.add_option("--mode", options.mode, "through-lb (default) or as-captured")
      ->check(CLI::IsMember({"through-lb", "as-captured"}))
      ->option_text("MODE");
  command
      .add_option("--health-checks", options.health_checks,
                  "auto (default: synthesize the series the captures do not carry), synthesize, captured or off")
      ->check(CLI::IsMember({"auto", "synthesize", "captured", "off"}))
      ->option_text("MODE");
  command.add_option("--threads", options.threads, "threads, 1-" + std::to_string(kMaxThreads) + " (default 1)")
      ->check(CLI::Range(1u, kMaxThreads))
      ->option_text("N");
  command.add_option("--json", options.json_path, "write the JSON report to FILE ('-' for stdout)")
      ->option_text("FILE");
  command.add_option("--dropped-pcap", options.dropped_pcap, "write every dropped packet to FILE (pcap)")
      ->option_text("FILE");
  command.add_option("--shard", options.shard, "replay only the flows of shard I of N (symmetric flow hash)")
      ->option_text("I/N");
  command.add_option("--algorithm", options.algorithm, "classifier algorithm (default auto)")->option_text("NAME");
  command.add_flag("--decapsulate", options.decapsulate,
                   "judge the inner packet of VXLAN (UDP 4789) and Geneve (UDP 6081) tunnels");
  command.add_flag("--exit-zero", options.exit_zero, "exit 0 even when drops are flagged");
  command.add_flag("--no-fast-path", options.no_fast_path,
                   "judge every packet, without the route cache's fast path (the same report, slower)");
}

int run_replay_command(const ReplayCommandOptions& options) {
  engine::ReplayOptions replay;
  replay.mode = options.mode == "as-captured" ? engine::ReplayMode::kAsCaptured : engine::ReplayMode::kThroughLb;
  replay.threads = options.threads;
  replay.health_checks = engine::parse_health_checks(options.health_checks).value_or(engine::HealthChecks::kAuto);
  replay.dropped_pcap = options.dropped_pcap;
  replay.algorithm = options.algorithm;
  replay.fast_path = !options.no_fast_path;
  replay.decapsulate = options.decapsulate;
  if (!options.shard.empty()) {
    auto shard = parse_shard(options.shard);
    if (!shard) return report_error(net::error_message("--shard: '" + options.shard + "' is not I/N with 0 <= I < N"));
    replay.shard_index = shard->first;
    replay.shard_count = shard->second;
  }
  auto scenario = load_scenario_input(options.scenario_path);
  if (!scenario) return report_error(scenario.error());
  bool bar = false;
  if (isatty(STDERR_FILENO) != 0) {
    replay.progress = [&bar](std::uint64_t done, std::uint64_t total) {
      if (total < kProgressMinBytes) return;
      bar = true;
      const double f = std::min(1.0, static_cast<double>(done) / static_cast<double>(total));
      const int width = 40;
      const int filled = static_cast<int>(f * width);
      std::fprintf(stderr, "\r[%s%s] %3d%%", std::string(static_cast<std::size_t>(filled), '#').c_str(),
                   std::string(static_cast<std::size_t>(width - filled), ' ').c_str(), static_cast<int>(f * 100));
    };
  }
  auto report = engine::run_replay(*scenario, options.captures, replay);
  if (bar) std::fprintf(stderr, "\r%60s\r", "");
  if (!report) return report_error(report.error());
  const bool json_to_stdout = options.json_path == "-";
  print_replay_human(json_to_stdout ? std::cerr : std::cout, *report);
  if (!options.json_path.empty()) {
    if (auto written = write_report(options.json_path, replay_json(*report).dump(2) + "\n"); !written)
      return report_error(written.error());
  }
  return engine::replay_flagged(*report) && !options.exit_zero ? kExitFlagged : kExitOk;
}

}  // namespace pfsim::tools
