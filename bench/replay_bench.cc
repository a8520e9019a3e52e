// bench/replay_bench.cc — packets per second of `pfsim replay` against a bare libpcap read loop
// over the same file in the same run: issue 5's target (DESIGN.md §7: a generated 10M-packet
// capture over 100K flows, 1K-rule policies, `--threads 2` at least 0.7x the bare loop, memory
// bounded by the flows, not the packets).
//
// Inputs, generated once and kept in /tmp:
//   the scenario   /tmp/pfsim-bench-scenario-1k.yaml (PFSIM_BENCH_REPLAY_SCENARIO), rewritten
//                  at every start (deterministic, a few ms): the shared example
//                  ../shared/examples/alb-internet-facing.yaml (PFSIM_BENCH_EXAMPLE) with every
//                  rule list of every network ACL and security group filled up to 1,000 rules —
//                  the hooks of every LB path of the example (listener, backend, health check,
//                  PMTU) — by noise rules: random CIDRs outside every address the traffic uses,
//                  mixed protocols (tcp, udp, icmp/icmpv6 with or without type and code, all,
//                  47/50/132), random ports and ranges, one IPv6 CIDR in ten; ACL noise allows
//                  or denies at random. The example's own rules come after most of the noise:
//                  ACL rule r becomes 20000 + r, after the 990 − n noise rules numbered 10, 20,
//                  ... and before the last 10 (30001...), the worst case for a first-match
//                  linear scan; a group lists them at the same place. The verdicts of the
//                  capture's packets stay those of the example (checked, see below).
//   the capture    /tmp/pfsim-bench-replay-<packets>-<flows>.pcap (PFSIM_BENCH_REPLAY_PCAP),
//                  written by engine::write_traffic (what `pfsim gen-traffic` writes) over that
//                  scenario unless the file exists: PFSIM_BENCH_REPLAY_PACKETS packets (default
//                  10,000,000) over PFSIM_BENCH_REPLAY_FLOWS listener flows (default 100,000),
//                  snaplen 128, seed 1: about 1.2 GB and 20-40 s on a 2-core VM. The noise keeps
//                  the example's addresses, so the file equals what gen-traffic writes for the
//                  example itself with the same options.
//
// Benchmarks (each reads the whole file once per iteration, so after the first pass the page
// cache feeds all of them the same way; items = captured packets):
//   BM_BareLibpcapLoop          the peer: pcap_next_ex to the end (bench/bare_loop.h).
//   BM_Replay/threads:N         engine::run_replay through-lb over the capture with the 1K-rule
//                               scenario, N = 1 and 2. Counters: packets (read), evaluated,
//                               peak_rss_MB (the process's peak resident set during the replay:
//                               malloc_trim and /proc/self/clear_refs reset it first; ru_maxrss
//                               where that is not allowed) and rss_growth_MB (that peak minus
//                               the resident set before the replay: what the replay itself
//                               held, scenario and compiled policies aside).
//   BM_ReplayExample/threads:2  the same over the example's own few-rule policies: what the
//                               1K rules cost.
// The ratio to the target is replay items/s over the bare loop's, both medians of one run.
//
// Sanity: after its first replay, BM_Replay requires that every packet read was evaluated
// and replays the same capture once more (untimed) through the unmodified example: the
// allowed/dropped counts of each class, the drop groups (class, hook, rule text, packets,
// flows), the targets' health and the number of warnings must be identical, else the
// benchmark fails with the first difference. Both reports are summarized on stderr. (The
// example drops none of these packets, so this shows every packet allowed both ways.)
//
//   cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release && cmake --build build/release --target replay_bench
//   build/release/bench/replay_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
//   PFSIM_BENCH_REPLAY_PACKETS=1000000 PFSIM_BENCH_REPLAY_FLOWS=10000 build/release/bench/replay_bench  # quick
//
// The same replay from the command line (after a benchmark run wrote both files):
//   build/release/tools/pfsim replay /tmp/pfsim-bench-scenario-1k.yaml
//       /tmp/pfsim-bench-replay-10000000-100000.pcap --threads 2 --exit-zero      (one line)
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "bare_loop.h"
#include "engine/gen/traffic_gen.h"
#include "engine/model/scenario_loader.h"
#include "engine/replay/replay.h"
#include "pcap/capture.h"

#ifndef PFSIM_SHARED_DIR
#define PFSIM_SHARED_DIR "../shared"
#endif

namespace {

namespace engine = pfsim::engine;

constexpr std::uint64_t kDefaultPackets = 10'000'000;
constexpr std::uint64_t kDefaultFlows = 100'000;
constexpr std::uint32_t kSnaplenBytes = 128;
constexpr std::uint64_t kGenSeed = 1;
constexpr std::size_t kRulesPerList = 1000;  // every ACL direction and group direction
constexpr std::size_t kNoiseAfter = 10;      // ACL noise numbered after the example's rules
constexpr std::uint32_t kAclRuleOffset = 20000;
constexpr std::uint32_t kAclNoiseAfterFirst = 30001;
constexpr std::uint64_t kNoiseSeed = 2026;

std::string env_or(const char* name, const std::string& fallback) {
  if (const char* env = std::getenv(name); env != nullptr && *env != '\0') return env;
  return fallback;
}

std::uint64_t env_count(const char* name, std::uint64_t fallback) {
  if (const char* env = std::getenv(name); env != nullptr && *env != '\0') return std::strtoull(env, nullptr, 10);
  return fallback;
}

struct Config {
  std::string example = env_or("PFSIM_BENCH_EXAMPLE", PFSIM_SHARED_DIR "/examples/alb-internet-facing.yaml");
  std::string scenario = env_or("PFSIM_BENCH_REPLAY_SCENARIO", "/tmp/pfsim-bench-scenario-1k.yaml");
  std::uint64_t packets = env_count("PFSIM_BENCH_REPLAY_PACKETS", kDefaultPackets);
  std::uint64_t flows = env_count("PFSIM_BENCH_REPLAY_FLOWS", kDefaultFlows);
  std::string capture = env_or("PFSIM_BENCH_REPLAY_PCAP", "/tmp/pfsim-bench-replay-" + std::to_string(packets) + "-" +
                                                              std::to_string(flows) + ".pcap");
};

const Config& config() {
  static const Config c;
  return c;
}

// ---- the 1K-rule scenario ----

// A random IPv4 CIDR that overlaps no address the capture or the replay uses: the first octet
// is never 0, 10 (the example's VPC 10.0.0.0/16), 127, 198 or 203 (gen-traffic's internet
// clients 198.51.100.0/24 and 203.0.113.0/24, which also hold the node's public address and
// the PMTU routers) nor multicast or above, and the prefix is at least /8. IPv6 CIDRs come
// from 2a00::/12, far from 2001:db8::/32 (IPv6 clients) and the VPC's 2600:1f18:abcd::/56.
std::string noise_cidr(std::mt19937_64& rng, bool ipv6) {
  if (ipv6) {
    const auto length = 32 + static_cast<unsigned>(rng() % 33);  // /32-/64
    std::uint64_t high = (std::uint64_t{0x2a00} << 48) | (rng() & 0x000fffffffffffffULL);
    high &= length == 64 ? ~std::uint64_t{0} : ~(~std::uint64_t{0} >> length);
    char text[64];
    std::snprintf(text, sizeof text, "%x:%x:%x:%x::/%u", static_cast<unsigned>(high >> 48),
                  static_cast<unsigned>((high >> 32) & 0xffff), static_cast<unsigned>((high >> 16) & 0xffff),
                  static_cast<unsigned>(high & 0xffff), length);
    return text;
  }
  static constexpr std::array<unsigned, 5> kAvoid = {0, 10, 127, 198, 203};
  unsigned first = 0;
  do first = 1 + static_cast<unsigned>(rng() % 223);  // 1-223
  while (std::find(kAvoid.begin(), kAvoid.end(), first) != kAvoid.end());
  const auto length = 8 + static_cast<unsigned>(rng() % 25);  // /8-/32
  std::uint32_t address = (first << 24) | static_cast<std::uint32_t>(rng() & 0xffffff);
  address &= length == 32 ? ~0u : ~(0xffffffffu >> length);
  char text[32];
  std::snprintf(text, sizeof text, "%u.%u.%u.%u/%u", address >> 24, (address >> 16) & 0xff, (address >> 8) & 0xff,
                address & 0xff, length);
  return text;
}

std::string noise_ports(std::mt19937_64& rng) {
  const auto lo = static_cast<unsigned>(rng() % 65536);
  if (rng() % 2 == 0) return std::to_string(lo);
  const unsigned hi = std::min(65535u, lo + static_cast<unsigned>(rng() % 2000));
  return std::to_string(lo) + "-" + std::to_string(hi);
}

// One noise rule, as a flow-style YAML map. `number` > 0 makes it an ACL rule (with an action).
YAML::Node noise_rule(std::mt19937_64& rng, const char* peer_key, std::uint32_t number) {
  YAML::Node rule(YAML::NodeType::Map);
  rule.SetStyle(YAML::EmitterStyle::Flow);
  if (number != 0) rule["rule"] = number;
  const bool ipv6 = rng() % 10 == 0;
  const auto pick = rng() % 10;
  if (pick < 7) {  // tcp 40 %, udp 30 %
    rule["protocol"] = pick < 4 ? "tcp" : "udp";
    if (rng() % 3 == 0) {
      YAML::Node list(YAML::NodeType::Sequence);
      list.SetStyle(YAML::EmitterStyle::Flow);
      list.push_back(noise_ports(rng));
      list.push_back(noise_ports(rng));
      rule["ports"] = list;
    } else {
      rule["ports"] = noise_ports(rng);
    }
  } else if (pick < 8) {  // icmp 10 %
    rule["protocol"] = ipv6 ? "icmpv6" : "icmp";
    if (rng() % 2 == 0) {
      YAML::Node icmp(YAML::NodeType::Map);
      icmp.SetStyle(YAML::EmitterStyle::Flow);
      icmp["type"] = static_cast<unsigned>(rng() % 16);
      if (rng() % 2 == 0) icmp["code"] = static_cast<unsigned>(rng() % 16);
      rule["icmp"] = icmp;
    }
  } else if (pick < 9) {  // all 10 %
    rule["protocol"] = "all";
  } else {  // another protocol number 10 %: GRE, ESP, SCTP
    static constexpr std::array<unsigned, 3> kOther = {47, 50, 132};
    rule["protocol"] = kOther[rng() % kOther.size()];
  }
  rule[peer_key] = noise_cidr(rng, ipv6);
  if (number != 0) rule["action"] = rng() % 2 == 0 ? "allow" : "deny";
  return rule;
}

// Fills every rule list of `owners` (the example's network_acls or security_groups) to
// kRulesPerList rules. Returns "" or an error.
std::string add_noise(YAML::Node owners, bool acl, std::mt19937_64& rng, std::ostringstream& summary) {
  if (!owners) return "";
  for (YAML::Node owner : owners) {
    for (const char* direction : {"inbound", "outbound"}) {
      YAML::Node original = owner[direction];
      if (!original) continue;
      const char* peer_key = std::string(direction) == "inbound" ? "source" : "destination";
      const std::size_t count = original.size();  // `original` is a handle: read before replacing
      if (count + kNoiseAfter > kRulesPerList)
        return owner["id"].as<std::string>() + " " + direction + " has too many rules already";
      const std::size_t before = kRulesPerList - kNoiseAfter - count;
      YAML::Node rules(YAML::NodeType::Sequence);
      // The noise numbered around the example's rules (ACLs) or listed around them (groups: a
      // union, so the order only matters to a first-match scan).
      for (std::size_t i = 0; i < before; ++i)
        rules.push_back(noise_rule(rng, peer_key, acl ? static_cast<std::uint32_t>(10 * (i + 1)) : 0));
      for (YAML::Node rule : original) {
        YAML::Node copy = YAML::Clone(rule);
        copy.SetStyle(YAML::EmitterStyle::Flow);
        if (acl) copy["rule"] = kAclRuleOffset + copy["rule"].as<std::uint32_t>();
        rules.push_back(copy);
      }
      for (std::size_t i = 0; i < kNoiseAfter; ++i)
        rules.push_back(noise_rule(rng, peer_key, acl ? kAclNoiseAfterFirst + static_cast<std::uint32_t>(i) : 0));
      owner[direction] = rules;
      summary << "  " << (acl ? "network ACL " : "security group ") << owner["id"].as<std::string>() << ' ' << direction
              << ": " << count << " rules of the example + " << before + kNoiseAfter << " noise = " << rules.size()
              << '\n';
    }
  }
  return "";
}

// Writes the 1K-rule scenario (always: it is cheap and deterministic). Returns "" or an error.
std::string write_scenario(const Config& c) {
  try {
    YAML::Node root = YAML::LoadFile(c.example);
    std::mt19937_64 rng(kNoiseSeed);
    std::ostringstream summary;
    if (std::string error = add_noise(root["network_acls"], true, rng, summary); !error.empty()) return error;
    if (std::string error = add_noise(root["security_groups"], false, rng, summary); !error.empty()) return error;
    root["name"] = root["name"].as<std::string>("") + ", every rule list filled to 1K rules with noise";
    YAML::Emitter out;
    out << YAML::Comment("Written by bench/replay_bench.cc from " + c.example + ": the example with " +
                         std::to_string(kRulesPerList) + "-rule lists (noise that no packet of the benchmark matches).")
        << YAML::Newline << root;
    if (!out.good()) return "cannot emit the scenario: " + out.GetLastError();
    const std::string partial = c.scenario + ".partial";
    {
      std::ofstream file(partial);
      file << out.c_str() << '\n';
      if (!file) return "cannot write " + partial;
    }
    if (std::rename(partial.c_str(), c.scenario.c_str()) != 0) return "cannot rename " + partial + " to " + c.scenario;
    std::cerr << "replay_bench: wrote " << c.scenario << " from " << c.example << ":\n" << summary.str();
    return "";
  } catch (const YAML::Exception& e) {
    return c.example + ": " + e.what();
  }
}

// Writes the capture unless a file of that name exists. Returns "" or an error.
std::string ensure_capture(const Config& c, const engine::Scenario& scenario) {
  struct stat info {};
  if (stat(c.capture.c_str(), &info) == 0) return "";
  auto plan = engine::plan_traffic(
      scenario, {.flows = c.flows, .packets = c.packets, .seed = kGenSeed, .snaplen_bytes = kSnaplenBytes});
  if (!plan) return plan.error().to_string();
  const std::string partial = c.capture + ".partial";
  auto writer = pfsim::pcap::CaptureWriter::create(partial, pfsim::pcap::LinkType::kEthernet);
  if (!writer) return writer.error().to_string();
  auto stats = engine::write_traffic(*plan, *writer);
  if (!stats) return stats.error().to_string();
  if (auto status = writer->close(); !status) return status.error().to_string();
  if (std::rename(partial.c_str(), c.capture.c_str()) != 0) return "cannot rename " + partial + " to " + c.capture;
  std::cerr << "replay_bench: wrote " << c.capture << ": " << stats->packets << " packets, " << stats->flows
            << " flows (" << stats->tcp_flows << " tcp, " << stats->udp_flows << " udp, " << stats->ipv6_flows
            << " ipv6), " << stats->health_checks << " health checks, " << stats->large_df_packets
            << " large DF packets, " << stats->captured_bytes << " captured bytes\n";
  return "";
}

struct Inputs {
  std::string error;
  engine::Scenario scenario;  // the 1K-rule one
  engine::Scenario example;   // the example as it is
};

const Inputs& inputs() {
  static const Inputs in = [] {
    Inputs r;
    const Config& c = config();
    if (r.error = write_scenario(c); !r.error.empty()) return r;
    auto scenario = engine::load_scenario(c.scenario);
    if (!scenario) {
      r.error = scenario.error().to_string();
      return r;
    }
    r.scenario = std::move(*scenario);
    auto example = engine::load_scenario(c.example);
    if (!example) {
      r.error = example.error().to_string();
      return r;
    }
    r.example = std::move(*example);
    r.error = ensure_capture(c, r.scenario);
    return r;
  }();
  return in;
}

bool prepare(benchmark::State& state) {
  if (!inputs().error.empty()) state.SkipWithError(inputs().error.c_str());
  return inputs().error.empty();
}

// ---- memory ----

// A field of /proc/self/status in kB ("VmHWM", "VmRSS"); 0 when unreadable.
std::uint64_t status_kb(const std::string& field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::strtoull(line.c_str() + field.size() + 1, nullptr, 10);
  }
  return 0;
}

// Returns freed heap memory to the system (glibc keeps what an earlier replay freed), then
// resets the peak resident set to the current one (Linux 4.0+); false where not allowed.
bool reset_peak_rss() {
  malloc_trim(0);
  std::ofstream clear("/proc/self/clear_refs");
  clear << "5";
  clear.flush();
  return static_cast<bool>(clear);
}

std::uint64_t max_rss_kb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<std::uint64_t>(usage.ru_maxrss);
}

// ---- the sanity check ----

std::string summary(const engine::ReplayReport& r) {
  std::ostringstream out;
  out << r.packets_read << " read, " << r.packets_evaluated << " evaluated, " << r.packets_malformed << " malformed, "
      << r.packets_non_ip << " non-IP;";
  for (std::size_t k = 0; k < engine::kTrafficClasses; ++k) {
    out << ' ' << engine::class_name(static_cast<engine::TrafficClass>(k)) << ' ' << r.classes[k].allowed << '/'
        << r.classes[k].dropped;
  }
  std::uint64_t dropped = 0;
  for (const auto& d : r.drops) dropped += d.packets;
  out << " (allowed/dropped); " << r.drops.size() << " drop groups, " << dropped << " packets;";
  for (const auto& t : r.targets) out << ' ' << t.target << ' ' << health_name(t.health);
  out << "; " << r.warnings.size() << " warnings";
  return out.str();
}

// The first difference in verdicts between two reports of one capture; "" if none. Drop
// groups are compared by rule text, not id: the benchmark scenario renumbers the ACL rules.
std::string verdict_difference(const engine::ReplayReport& a, const engine::ReplayReport& b) {
  if (a.packets_evaluated != b.packets_evaluated) return "packets evaluated differ";
  for (std::size_t k = 0; k < engine::kTrafficClasses; ++k) {
    if (a.classes[k].allowed != b.classes[k].allowed || a.classes[k].dropped != b.classes[k].dropped)
      return "class " + std::string(engine::class_name(static_cast<engine::TrafficClass>(k))) + " differs";
  }
  using Key = std::tuple<int, std::string, bool, std::string>;
  const auto groups = [](const engine::ReplayReport& r) {
    std::map<Key, std::pair<std::uint64_t, std::uint64_t>> out;
    for (const auto& d : r.drops)
      out[{static_cast<int>(d.cls), d.hook, d.rule.is_default, d.rule.text}] = {d.packets, d.flows};
    return out;
  };
  if (groups(a) != groups(b)) return "drop groups differ";
  if (a.targets.size() != b.targets.size()) return "targets differ";
  for (std::size_t i = 0; i < a.targets.size(); ++i) {
    if (a.targets[i].health != b.targets[i].health) return "health of " + a.targets[i].target + " differs";
  }
  if (a.warnings.size() != b.warnings.size()) return "warning counts differ";
  return "";
}

// Checks a report of the benchmark scenario against a replay of the same capture through the
// example. Returns "" or what is wrong.
std::string check_verdicts(const engine::ReplayReport& report) {
  if (report.packets_evaluated != report.packets_read || report.packets_read != config().packets)
    return "the replay read " + std::to_string(report.packets_read) + " and evaluated " +
           std::to_string(report.packets_evaluated) + " of " + std::to_string(config().packets) + " packets";
  engine::ReplayOptions options;
  options.threads = 2;
  auto reference = engine::run_replay(inputs().example, {config().capture}, options);
  if (!reference) return reference.error().to_string();
  std::cerr << "replay_bench: 1K-rule scenario: " << summary(report)
            << "\nreplay_bench: example scenario: " << summary(*reference) << '\n';
  if (std::string diff = verdict_difference(report, *reference); !diff.empty())
    return "the noise rules changed verdicts: " + diff;
  std::cerr << "replay_bench: verdicts identical\n";
  return "";
}

// ---- benchmarks ----

void BM_BareLibpcapLoop(benchmark::State& state) {
  if (!prepare(state)) return;
  pfsim::bench::bare_loop_benchmark(state, config().capture);
}

void replay(benchmark::State& state, const engine::Scenario& scenario, bool check) {
  if (!prepare(state)) return;
  engine::ReplayOptions options;
  options.mode = engine::ReplayMode::kThroughLb;
  options.threads = static_cast<std::uint32_t>(state.range(0));
  engine::ReplayReport report;
  const bool peak_reset = reset_peak_rss();
  const std::uint64_t rss_before_kb = status_kb("VmRSS");
  for (auto _ : state) {
    auto result = engine::run_replay(scenario, {config().capture}, options);
    if (!result) {
      state.SkipWithError(result.error().to_string().c_str());
      return;
    }
    report = std::move(*result);
  }
  const std::uint64_t peak_kb = peak_reset ? status_kb("VmHWM") : max_rss_kb();
  state.SetItemsProcessed(static_cast<std::int64_t>(report.packets_read) * state.iterations());
  state.counters["packets"] = static_cast<double>(report.packets_read);
  state.counters["evaluated"] = static_cast<double>(report.packets_evaluated);
  state.counters["peak_rss_MB"] = static_cast<double>(peak_kb) / 1024.0;
  state.counters["rss_growth_MB"] = static_cast<double>(peak_kb - std::min(peak_kb, rss_before_kb)) / 1024.0;
  if (check) {
    static const std::string error = check_verdicts(report);
    if (!error.empty()) state.SkipWithError(error.c_str());
  }
}

void BM_Replay(benchmark::State& state) { replay(state, inputs().scenario, true); }
void BM_ReplayExample(benchmark::State& state) { replay(state, inputs().example, false); }

BENCHMARK(BM_BareLibpcapLoop)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);
BENCHMARK(BM_Replay)->ArgName("threads")->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);
BENCHMARK(BM_ReplayExample)->ArgName("threads")->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
