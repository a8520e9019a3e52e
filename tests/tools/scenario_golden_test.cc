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
//
// The reports name the scenario file as given on the command line ("see", rule "source"), so
// the child runs in the repository root (PFSIM_SOURCE_DIR) with the relative path
// scenarios/<case>/<name>.yaml.
//
// Updating the goldens after an intended change of the report (or the same through ctest,
// which lists the tests when it runs: DISCOVERY_MODE PRE_TEST):
//   PFSIM_UPDATE_GOLDENS=1 build/<dir>/tests/tools/tools_tests --gtest_filter='*ScenarioGolden*'
//       rewrites the existing .check.json files;
//   PFSIM_UPDATE_GOLDENS=new ...same...   also writes the missing ones.
// The rewritten tests are reported as skipped; review `git diff scenarios/` before committing.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "run_pfsim.h"

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

// Scenario files without a golden, so `PFSIM_UPDATE_GOLDENS=new` can create one.
std::vector<std::string> update_targets() {
  const char* update = std::getenv("PFSIM_UPDATE_GOLDENS");
  if (update != nullptr && std::string(update) == "new") return scenario_files();
  return golden_scenarios();
}

INSTANTIATE_TEST_SUITE_P(Scenarios, ScenarioGolden, ::testing::ValuesIn(update_targets()), test_name);
INSTANTIATE_TEST_SUITE_P(Scenarios, ScenarioVerdict, ::testing::ValuesIn(scenario_files()), test_name);
INSTANTIATE_TEST_SUITE_P(Scenarios, ExplainGolden, ::testing::ValuesIn(explain_goldens()), test_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(ScenarioGolden);

}  // namespace
