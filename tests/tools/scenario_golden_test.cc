// Golden tests of the scenario library (scenarios/README.md): `pfsim check` on every scenario
// file, run as a user would from the repository root.
//
//   ScenarioGolden    for every scenarios/<case>/<name>.yaml with a <name>.check.json next to
//                     it: `pfsim check scenarios/<case>/<name>.yaml --json -` prints exactly
//                     that report (both parsed as JSON and compared; a mismatch prints a
//                     line diff of the two pretty-printed documents).
//   ScenarioVerdict   for every scenario file, golden or not: recommended*.yaml exits 0 with
//                     no error finding; broken-*.yaml exits 1 with at least one.
//   ExplainGolden     for every scenarios/<case>/<name>.explain-<what>.json: `pfsim explain
//                     scenarios/<case>/<name>.yaml --flow F --json -`, with F the golden's own
//                     "flow" field, prints exactly that report; exit 0 when it says
//                     "allowed": true, else 1.
//   ReplayGolden      for every scenarios/<case>/<name>.replay.json: `pfsim replay
//                     scenarios/<case>/<name>.yaml CAPTURE [ARGS] --json - --exit-zero` prints
//                     that report, "timing" left out (CAPTURE: <name>.pcap, else the case's
//                     traffic.pcap; ARGS: the lines of <name>.replay-args); and --threads 1 and
//                     2 print the same report, and so does --no-fast-path (with 1 and 2 threads).
//                     A golden <name>.<variant>.replay.json replays <name>.yaml with
//                     <name>.<variant>.pcap and <name>.<variant>.replay-args.
//   ReplayShards      for every replay golden: --shard 0/2 and 1/2 merged by `pfsim merge`
//                     equal the single run.
//   EncapsulatedGolden  for each capture of kEncapsulated: the bundled <name>.vxlan.pcap (or
//                     .geneve.pcap) is the plain capture inside the tunnel (tests/encapsulate.h;
//                     PFSIM_UPDATE_GOLDENS=1 rewrites it), and its golden (--decapsulate) is the
//                     plain capture's golden but for where the packets were seen (seen_at).
//
// The reports name the scenario file as given on the command line ("see", rule "source"), so
// the child runs in the repository root (PFSIM_SOURCE_DIR) with the relative path
// scenarios/<case>/<name>.yaml.
//
// Updating the goldens after an intended change of the report (or the same through ctest,
// which lists the tests when it runs: DISCOVERY_MODE PRE_TEST):
//   PFSIM_UPDATE_GOLDENS=1 build/<dir>/tests/tools/tools_tests --gtest_filter='*ScenarioGolden*'
//       rewrites the existing .check.json, .explain-*.json and .replay.json files;
//   PFSIM_UPDATE_GOLDENS=new ...same...   also writes the missing ones (check, and replay for
//       every scenario with a capture).
// (--gtest_filter='*ScenarioGolden*:*ReplayGolden*' for both kinds.)
// The rewritten tests are reported as skipped; review `git diff scenarios/` before committing.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "run_pfsim.h"
#include "tests/encapsulate.h"

namespace {

namespace fs = std::filesystem;
using pfsim::test_support::CommandResult;
using pfsim::test_support::read_whole_file;

const fs::path kRoot = PFSIM_SOURCE_DIR;

// Every scenarios/<case>/<name>.yaml, relative to the repository root, sorted.
std::vector<std::string> scenario_files() {
  std::vector<std::string> files;
  const fs::path dir = kRoot / "scenarios";
  if (!fs::is_directory(dir)) return files;
  for (const fs::directory_entry& c : fs::directory_iterator(dir)) {
    if (!c.is_directory()) continue;
    for (const fs::directory_entry& f : fs::directory_iterator(c.path())) {
      if (f.is_regular_file() && f.path().extension() == ".yaml")
        files.push_back(fs::relative(f.path(), kRoot).generic_string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

fs::path golden_of(const std::string& scenario) {
  fs::path p = kRoot / scenario;
  p.replace_extension(".check.json");
  return p;
}

std::vector<std::string> golden_scenarios() {
  std::vector<std::string> out;
  for (const std::string& f : scenario_files())
    if (fs::exists(golden_of(f))) out.push_back(f);
  return out;
}

// What the file name promises: recommended*.yaml passes, broken-*.yaml is flagged.
enum class Expect { kPass, kFlagged, kUnknown };
Expect expectation(const std::string& scenario) {
  const std::string name = fs::path(scenario).filename().string();
  if (name.rfind("recommended", 0) == 0) return Expect::kPass;
  if (name.rfind("broken-", 0) == 0) return Expect::kFlagged;
  return Expect::kUnknown;
}

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  if (name.rfind("scenarios/", 0) == 0) name = name.substr(10);
  if (name.size() > 5 && name.ends_with(".yaml")) name.resize(name.size() - 5);
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// A unified-style line diff (longest common subsequence; reports are small): "-" expected,
// "+" actual, with two lines of context around each change.
std::string line_diff(const std::string& expected, const std::string& actual) {
  const std::vector<std::string> a = lines_of(expected);
  const std::vector<std::string> b = lines_of(actual);
  std::vector<std::vector<std::size_t>> lcs(a.size() + 1, std::vector<std::size_t>(b.size() + 1, 0));
  for (std::size_t i = a.size(); i-- > 0;)
    for (std::size_t j = b.size(); j-- > 0;)
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
  struct Line {
    char tag;
    const std::string* text;
  };
  std::vector<Line> ops;
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < a.size() || j < b.size()) {
    if (i < a.size() && j < b.size() && a[i] == b[j]) {
      ops.push_back({' ', &a[i++]});
      ++j;
    } else if (j < b.size() && (i == a.size() || lcs[i][j + 1] >= lcs[i + 1][j])) {
      ops.push_back({'+', &b[j++]});
    } else {
      ops.push_back({'-', &a[i++]});
    }
  }
  constexpr std::size_t kContext = 2;
  std::vector<bool> shown(ops.size(), false);
  for (std::size_t k = 0; k < ops.size(); ++k) {
    if (ops[k].tag == ' ') continue;
    const std::size_t lo = k >= kContext ? k - kContext : 0;
    const std::size_t hi = std::min(ops.size(), k + kContext + 1);
    for (std::size_t m = lo; m < hi; ++m) shown[m] = true;
  }
  std::string out = "--- expected (golden)\n+++ actual\n";
  bool gap = false;
  for (std::size_t k = 0; k < ops.size(); ++k) {
    if (!shown[k]) {
      gap = true;
      continue;
    }
    if (gap) out += "@@\n";
    gap = false;
    out += ops[k].tag;
    out += *ops[k].text;
    out += '\n';
  }
  return out;
}

class ScenarioTest : public pfsim::test_support::PfsimTest, public ::testing::WithParamInterface<std::string> {
 protected:
  CommandResult check(const std::string& scenario) const { return run({"check", scenario, "--json", "-"}, kRoot); }
};

class ScenarioGolden : public ScenarioTest {};
class ScenarioVerdict : public ScenarioTest {};

TEST_P(ScenarioGolden, CheckReportMatchesGolden) {
  const std::string& scenario = GetParam();
  const CommandResult r = check(scenario);
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << "exit " << r.exit_code << "\n" << r.err;
  nlohmann::json actual;
  ASSERT_NO_THROW(actual = nlohmann::json::parse(r.out)) << r.out << r.err;

  const fs::path golden = golden_of(scenario);
  const char* update = std::getenv("PFSIM_UPDATE_GOLDENS");
  if (update != nullptr && *update != '\0' && std::string(update) != "0") {
    std::ofstream(golden, std::ios::binary) << r.out;
    GTEST_SKIP() << "rewrote " << golden.string();
  }
  nlohmann::json expected;
  ASSERT_NO_THROW(expected = nlohmann::json::parse(read_whole_file(golden))) << golden.string();
  if (actual != expected) {
    ADD_FAILURE() << "pfsim check " << scenario << " --json - differs from " << golden.string() << "\n"
                  << line_diff(expected.dump(2), actual.dump(2))
                  << "(after an intended change: PFSIM_UPDATE_GOLDENS=1, then review git diff)";
  }
}

TEST_P(ScenarioVerdict, RecommendedPassesBrokenIsFlagged) {
  const std::string& scenario = GetParam();
  const CommandResult r = check(scenario);
  nlohmann::json report;
  ASSERT_NO_THROW(report = nlohmann::json::parse(r.out)) << "exit " << r.exit_code << "\n" << r.out << r.err;
  std::size_t errors = 0;
  for (const nlohmann::json& f : report.at("findings"))
    if (f.at("severity") == "error") ++errors;
  EXPECT_EQ(report.at("errors").get<std::size_t>(), errors);
  switch (expectation(scenario)) {
    case Expect::kPass:
      EXPECT_EQ(r.exit_code, 0) << r.err;
      EXPECT_EQ(errors, 0u) << r.err;
      break;
    case Expect::kFlagged:
      EXPECT_EQ(r.exit_code, 1) << r.err;
      EXPECT_GE(errors, 1u) << r.err;
      break;
    case Expect::kUnknown:
      ADD_FAILURE() << scenario << ": scenario files are named recommended*.yaml or broken-*.yaml";
      break;
  }
}

// A golden that lost its scenario is a mistake (renamed or deleted scenario).
TEST(ScenarioLibrary, EveryGoldenHasItsScenario) {
  const fs::path dir = kRoot / "scenarios";
  ASSERT_TRUE(fs::is_directory(dir));
  for (const fs::directory_entry& f : fs::recursive_directory_iterator(dir)) {
    const std::string name = f.path().filename().string();
    if (!name.ends_with(".check.json")) continue;
    fs::path scenario = f.path();
    scenario.replace_extension();  // drop .json
    scenario.replace_extension(".yaml");
    EXPECT_TRUE(fs::exists(scenario)) << f.path().string() << " has no " << scenario.filename().string();
  }
  EXPECT_FALSE(scenario_files().empty());
}

// Every scenarios/<case>/<name>.explain-<what>.json, relative to the repository root.
std::vector<std::string> explain_goldens() {
  std::vector<std::string> files;
  const fs::path dir = kRoot / "scenarios";
  if (!fs::is_directory(dir)) return files;
  for (const fs::directory_entry& f : fs::recursive_directory_iterator(dir)) {
    const std::string name = f.path().filename().string();
    if (name.find(".explain-") != std::string::npos && name.ends_with(".json"))
      files.push_back(fs::relative(f.path(), kRoot).generic_string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

class ExplainGolden : public pfsim::test_support::PfsimTest, public ::testing::WithParamInterface<std::string> {};

TEST_P(ExplainGolden, ExplainReportMatchesGolden) {
  const std::string& golden = GetParam();
  const std::string scenario = golden.substr(0, golden.find(".explain-")) + ".yaml";
  ASSERT_TRUE(fs::exists(kRoot / scenario)) << golden << " has no " << scenario;
  nlohmann::json expected;
  ASSERT_NO_THROW(expected = nlohmann::json::parse(read_whole_file(kRoot / golden))) << golden;
  const std::string flow = expected.at("flow").get<std::string>();
  const CommandResult r = run({"explain", scenario, "--flow", flow, "--json", "-"}, kRoot);
  nlohmann::json actual;
  ASSERT_NO_THROW(actual = nlohmann::json::parse(r.out)) << "exit " << r.exit_code << "\n" << r.out << r.err;
  const char* update = std::getenv("PFSIM_UPDATE_GOLDENS");
  if (update != nullptr && *update != '\0' && std::string(update) != "0") {
    std::ofstream(kRoot / golden, std::ios::binary) << r.out;
    GTEST_SKIP() << "rewrote " << golden;
  }
  EXPECT_EQ(r.exit_code, expected.at("allowed").get<bool>() ? 0 : 1) << r.err;
  if (actual != expected) {
    ADD_FAILURE() << "pfsim explain " << scenario << " --flow \"" << flow << "\" differs from " << golden << "\n"
                  << line_diff(expected.dump(2), actual.dump(2))
                  << "(after an intended change: PFSIM_UPDATE_GOLDENS=1, then review git diff)";
  }
}

// ---- Replay goldens ------------------------------------------------------------------------
// scenarios/<case>/<name>.replay.json is the golden of `pfsim replay scenarios/<case>/<name>.yaml
// CAPTURE [ARGS] --json - --exit-zero`, run from the repository root, without "timing":
//   CAPTURE  <name>.pcap next to the scenario, else the case's traffic.pcap (gen-traffic of
//            its recommended.yaml: the broken variants share its addresses, hence its capture);
//   ARGS     the lines of <name>.replay-args when it exists (e.g. "--mode", "as-captured").

std::string replay_stem(const std::string& path) {  // scenarios/<case>/<name>
  fs::path p = path;
  std::string name = p.filename().string();
  for (const char* suffix : {".replay.json", ".yaml"})
    if (name.ends_with(suffix)) name.resize(name.size() - std::string(suffix).size());
  return (p.parent_path() / name).generic_string();
}

// The scenario of a replay stem: scenarios/<case>/<name> of scenarios/<case>/<name>.<variant>.
std::string scenario_stem(const std::string& stem) {
  const fs::path p = stem;
  const std::string name = p.filename().string();
  return (p.parent_path() / name.substr(0, name.find('.'))).generic_string();
}

std::string replay_capture(const std::string& stem) {
  if (fs::exists(kRoot / (stem + ".pcap"))) return stem + ".pcap";
  const std::string shared = (fs::path(stem).parent_path() / "traffic.pcap").generic_string();
  return fs::exists(kRoot / shared) ? shared : std::string();
}

std::vector<std::string> replay_args(const std::string& stem) {
  std::vector<std::string> args;
  const fs::path file = kRoot / (stem + ".replay-args");
  if (!fs::exists(file)) return args;
  for (std::string line : lines_of(read_whole_file(file))) {
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
    if (!line.empty()) args.push_back(line);
  }
  return args;
}

// Every scenarios/<case>/<name>.replay.json, relative to the repository root, sorted.
std::vector<std::string> replay_goldens() {
  std::vector<std::string> files;
  const fs::path dir = kRoot / "scenarios";
  if (!fs::is_directory(dir)) return files;
  for (const fs::directory_entry& f : fs::recursive_directory_iterator(dir))
    if (f.path().filename().string().ends_with(".replay.json"))
      files.push_back(fs::relative(f.path(), kRoot).generic_string());
  std::sort(files.begin(), files.end());
  return files;
}

// The goldens, or with PFSIM_UPDATE_GOLDENS=new also every scenario that has a capture.
std::vector<std::string> replay_targets() {
  std::vector<std::string> out = replay_goldens();
  const char* update = std::getenv("PFSIM_UPDATE_GOLDENS");
  if (update != nullptr && std::string(update) == "new") {
    for (const std::string& scenario : scenario_files()) {
      const std::string golden = replay_stem(scenario) + ".replay.json";
      if (!replay_capture(replay_stem(scenario)).empty() && std::find(out.begin(), out.end(), golden) == out.end())
        out.push_back(golden);
    }
    std::sort(out.begin(), out.end());
  }
  return out;
}

std::string replay_test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = replay_stem(info.param);
  if (name.rfind("scenarios/", 0) == 0) name = name.substr(10);
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
}

class ReplayGolden : public pfsim::test_support::PfsimTest, public ::testing::WithParamInterface<std::string> {
 protected:
  // Runs the replay of a golden's scenario and capture from the repository root with `extra`
  // arguments and returns the JSON report without "timing" (a failed assertion: null).
  // `text`, when given, receives the report in pfsim's key order without "timing".
  nlohmann::json replay(const std::string& golden, const std::vector<std::string>& extra,
                        const std::string& json_path = "-", std::string* text_out = nullptr) const {
    const std::string stem = replay_stem(golden);
    const std::string scenario = scenario_stem(stem) + ".yaml";
    const std::string capture = replay_capture(stem);
    EXPECT_TRUE(fs::exists(kRoot / scenario)) << golden << " has no " << scenario;
    EXPECT_FALSE(capture.empty()) << golden << " has no " << stem << ".pcap nor a traffic.pcap beside it";
    if (capture.empty()) return nullptr;
    std::vector<std::string> args = {"replay", scenario, capture};
    for (const std::string& a : replay_args(stem)) args.push_back(a);
    args.insert(args.end(), extra.begin(), extra.end());
    args.insert(args.end(), {"--json", json_path, "--exit-zero"});
    const CommandResult r = run(args, kRoot);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const std::string text = json_path == "-" ? r.out : read_whole_file(json_path);
    nlohmann::json report;
    try {
      report = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
      ADD_FAILURE() << "not JSON (" << e.what() << "):\n" << text << r.err;
      return nullptr;
    }
    EXPECT_TRUE(report.contains("timing")) << text;
    report.erase("timing");
    if (text_out != nullptr) {
      nlohmann::ordered_json ordered = nlohmann::ordered_json::parse(text);
      ordered.erase("timing");
      *text_out = ordered.dump(2) + "\n";
    }
    return report;
  }
};

TEST_P(ReplayGolden, ReplayReportMatchesGolden) {
  const std::string& golden = GetParam();
  std::string text;
  const nlohmann::json actual = replay(golden, {}, "-", &text);
  ASSERT_FALSE(actual.is_null());
  const char* update = std::getenv("PFSIM_UPDATE_GOLDENS");
  if (update != nullptr && *update != '\0' && std::string(update) != "0") {
    std::ofstream(kRoot / golden, std::ios::binary) << text;
    GTEST_SKIP() << "rewrote " << golden;
  }
  nlohmann::json expected;
  ASSERT_NO_THROW(expected = nlohmann::json::parse(read_whole_file(kRoot / golden))) << golden;
  if (actual != expected) {
    ADD_FAILURE() << "pfsim replay " << replay_stem(golden) << ".yaml " << replay_capture(replay_stem(golden))
                  << " --json - differs from " << golden << " (timing left out)\n"
                  << line_diff(expected.dump(2), actual.dump(2))
                  << "(after an intended change: PFSIM_UPDATE_GOLDENS=1, then review git diff)";
  }
}

// engine/replay/replay.h: the output is a pure function of the inputs, identical for any thread count.
TEST_P(ReplayGolden, TwoThreadsGiveTheSameReport) {
  const nlohmann::json one = replay(GetParam(), {"--threads", "1"});
  const nlohmann::json two = replay(GetParam(), {"--threads", "2"});
  ASSERT_FALSE(one.is_null());
  EXPECT_EQ(one, two) << line_diff(one.dump(2), two.dump(2));
}

// engine/replay/internal/route_cache.h: the fast path changes no report (tests/engine/replay_fast_path_test.cc
// tests it on generated traffic).
TEST_P(ReplayGolden, NoFastPathGivesTheSameReport) {
  const nlohmann::json fast = replay(GetParam(), {});
  const nlohmann::json judged = replay(GetParam(), {"--no-fast-path"});
  const nlohmann::json judged_two = replay(GetParam(), {"--no-fast-path", "--threads", "2"});
  ASSERT_FALSE(fast.is_null());
  EXPECT_EQ(fast, judged) << line_diff(fast.dump(2), judged.dump(2));
  EXPECT_EQ(fast, judged_two) << line_diff(fast.dump(2), judged_two.dump(2));
}

// README "Splitting the work": shards 0/2 and 1/2, merged by `pfsim merge`, equal one run.
class ReplayShards : public ReplayGolden {};

TEST_P(ReplayShards, TwoShardsMergedEqualOneRun) {
  const std::string& golden = GetParam();
  ASSERT_TRUE(fs::exists(kRoot / golden)) << golden;
  const nlohmann::json whole = replay(golden, {});
  const std::string part0 = (temp_dir_ / "part0.json").string();
  const std::string part1 = (temp_dir_ / "part1.json").string();
  ASSERT_FALSE(replay(golden, {"--shard", "0/2"}, part0).is_null());
  ASSERT_FALSE(replay(golden, {"--shard", "1/2"}, part1).is_null());
  const CommandResult m = run({"merge", part0, part1, "--json", "-"}, kRoot);
  ASSERT_TRUE(m.exit_code == 0 || m.exit_code == 1) << "exit " << m.exit_code << "\n" << m.err;
  nlohmann::json merged;
  ASSERT_NO_THROW(merged = nlohmann::json::parse(m.out)) << m.out << m.err;
  merged.erase("timing");
  EXPECT_EQ(merged, whole) << line_diff(whole.dump(2), merged.dump(2));
}

// A replay golden that lost its scenario or capture is a mistake (renamed or deleted files).
TEST(ScenarioLibrary, EveryReplayGoldenHasItsScenarioAndCapture) {
  for (const std::string& golden : replay_goldens()) {
    const std::string stem = replay_stem(golden);
    EXPECT_TRUE(fs::exists(kRoot / (scenario_stem(stem) + ".yaml")))
        << golden << " has no " << scenario_stem(stem) << ".yaml";
    EXPECT_FALSE(replay_capture(stem).empty()) << golden << " has no capture";
  }
}

// Scenario files without a golden, so `PFSIM_UPDATE_GOLDENS=new` can create one.
std::vector<std::string> update_targets() {
  const char* update = std::getenv("PFSIM_UPDATE_GOLDENS");
  if (update != nullptr && std::string(update) == "new") return scenario_files();
  return golden_scenarios();
}

// ---- Encapsulated captures ------------------------------------------------------------------
// The bundled VXLAN and Geneve captures: a plain golden's capture inside the tunnel, as VPC
// Traffic Mirroring (VXLAN, cut to the session's packet length) and Gateway Load Balancer
// (Geneve with AWS's option class 0x0108) deliver it.

struct EncapsulatedCase {
  std::string stem;   // scenarios/<case>/<name>.<variant>: its .pcap, .replay-args, .replay.json
  std::string plain;  // the plain golden's stem
  std::string capture;
  pfsim::test_support::Encapsulation encapsulation;
};

// AWS Gateway Load Balancer's Geneve options (real-inputs-anchors.md §4): class 0x0108, type 1
// the endpoint id (8 bytes), 2 the attachment id (8 bytes), 3 the flow cookie (4 bytes).
std::vector<std::uint8_t> gwlb_options() {
  std::vector<std::uint8_t> options;
  const std::array<std::uint8_t, 8> endpoint = {0x0a, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f, 0x60, 0x71};
  const std::array<std::uint8_t, 8> attachment = {0, 0, 0, 0, 0x12, 0x34, 0x56, 0x78};
  const std::array<std::uint8_t, 4> cookie = {0xca, 0xfe, 0xf0, 0x0d};
  // Made while the tests are listed, outside any test: data of 4 and 8 bytes cannot be refused.
  if (!pfsim::pcap::append_geneve_option(0x0108, 1, endpoint, options).ok() ||
      !pfsim::pcap::append_geneve_option(0x0108, 2, attachment, options).ok() ||
      !pfsim::pcap::append_geneve_option(0x0108, 3, cookie, options).ok())
    std::abort();
  return options;
}

std::vector<EncapsulatedCase> encapsulated_cases() {
  static const std::vector<std::uint8_t> options = gwlb_options();
  std::vector<EncapsulatedCase> cases;
  // Mirrored at the interface the packet comes from, else the one it goes to: the VNIs of
  // broken-lb-inbound-ephemeral.yaml's traffic_mirror_sessions (120, clb-web's node, has none).
  pfsim::test_support::Encapsulation vxlan{.packet_length = 96};
  vxlan.vni = [](const pfsim::pcap::DecodedPacket& d) {
    const std::pair<std::uint32_t, std::uint32_t> vnis[] = {{pfsim::net::ip4(10, 20, 1, 10).lo, 101},
                                                            {pfsim::net::ip4(10, 20, 1, 11).lo, 102},
                                                            {pfsim::net::ip4(10, 20, 10, 5).lo, 110},
                                                            {pfsim::net::ip4(10, 20, 0, 5).lo, 120},
                                                            {pfsim::net::ip4(203, 0, 113, 20).lo, 120}};
    for (const pfsim::net::Ip128& address : {d.src, d.dst})
      for (const auto& [ip, vni] : vnis)
        if (d.family == pfsim::net::Family::kIpv4 && address.lo == ip) return vni;
    return 1u;
  };
  cases.push_back({"scenarios/aws-clb-vpc/broken-lb-inbound-ephemeral.vxlan",
                   "scenarios/aws-clb-vpc/broken-lb-inbound-ephemeral", "scenarios/aws-clb-vpc/traffic.pcap", vxlan});
  cases.push_back({"scenarios/aws-alb-internet-facing/broken-ipv6.geneve",
                   "scenarios/aws-alb-internet-facing/broken-ipv6",
                   "scenarios/aws-alb-internet-facing/traffic.pcap",
                   {.kind = pfsim::pcap::Tunnel::kGeneve,
                    .outer_src = pfsim::net::ip4(10, 0, 250, 10),
                    .outer_dst = pfsim::net::ip4(10, 0, 251, 20),
                    .geneve_options = options}});
  return cases;
}

// A replay report without where its packets were seen.
nlohmann::json without_seen_at(nlohmann::json report) {
  for (nlohmann::json& drop : report.at("drops")) {
    drop.erase("seen_at");
    drop.at("example").erase("seen_at");
  }
  return report;
}

class EncapsulatedGolden : public pfsim::test_support::PfsimTest,
                           public ::testing::WithParamInterface<EncapsulatedCase> {};

TEST_P(EncapsulatedGolden, CaptureIsThePlainCaptureInsideTheTunnel) {
  const EncapsulatedCase& c = GetParam();
  const fs::path written = temp_dir_ / "encapsulated.pcap";
  const pfsim::net::Status made =
      pfsim::test_support::encapsulate_capture((kRoot / c.capture).string(), written.string(), c.encapsulation);
  ASSERT_TRUE(made.ok()) << made.error().to_string();
  const fs::path bundled = kRoot / (c.stem + ".pcap");
  const char* update = std::getenv("PFSIM_UPDATE_GOLDENS");
  if (update != nullptr && *update != '\0' && std::string(update) != "0") {
    fs::copy_file(written, bundled, fs::copy_options::overwrite_existing);
    GTEST_SKIP() << "rewrote " << bundled;
  }
  EXPECT_TRUE(read_whole_file(written) == read_whole_file(bundled))
      << bundled << " is not " << c.capture << " encapsulated (PFSIM_UPDATE_GOLDENS=1 rewrites it)";
}

TEST_P(EncapsulatedGolden, ReportIsThePlainCapturesButWhereSeen) {
  const EncapsulatedCase& c = GetParam();
  nlohmann::json tunnel;
  nlohmann::json plain;
  ASSERT_NO_THROW(tunnel = nlohmann::json::parse(read_whole_file(kRoot / (c.stem + ".replay.json"))));
  ASSERT_NO_THROW(plain = nlohmann::json::parse(read_whole_file(kRoot / (c.plain + ".replay.json"))));
  ASSERT_FALSE(tunnel.at("drops").empty()) << "a golden with drops says where they were seen";
  for (const nlohmann::json& drop : tunnel.at("drops")) {
    // VXLAN packets say where they were seen (in the group and in a captured example); Geneve's do not.
    const bool vxlan = c.encapsulation.kind == pfsim::pcap::Tunnel::kVxlan;
    EXPECT_EQ(drop.contains("seen_at"), vxlan) << drop.dump();
    EXPECT_EQ(drop.at("example").contains("seen_at"), vxlan && !drop.at("first_packet").is_null()) << drop.dump();
  }
  const nlohmann::json stripped = without_seen_at(tunnel);
  EXPECT_EQ(stripped, plain) << line_diff(plain.dump(2), stripped.dump(2));
}

std::string encapsulated_name(const ::testing::TestParamInfo<EncapsulatedCase>& info) {
  return replay_test_name(::testing::TestParamInfo<std::string>(info.param.stem, info.index));
}

INSTANTIATE_TEST_SUITE_P(Scenarios, EncapsulatedGolden, ::testing::ValuesIn(encapsulated_cases()), encapsulated_name);

INSTANTIATE_TEST_SUITE_P(Scenarios, ScenarioGolden, ::testing::ValuesIn(update_targets()), test_name);
INSTANTIATE_TEST_SUITE_P(Scenarios, ScenarioVerdict, ::testing::ValuesIn(scenario_files()), test_name);
INSTANTIATE_TEST_SUITE_P(Scenarios, ExplainGolden, ::testing::ValuesIn(explain_goldens()), test_name);
INSTANTIATE_TEST_SUITE_P(Scenarios, ReplayGolden, ::testing::ValuesIn(replay_targets()), replay_test_name);
// Shards: a listener-drop case with health checks and a PMTU case with black holes.
INSTANTIATE_TEST_SUITE_P(Scenarios, ReplayShards, ::testing::ValuesIn(replay_goldens()), replay_test_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(ScenarioGolden);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(ReplayGolden);

}  // namespace
