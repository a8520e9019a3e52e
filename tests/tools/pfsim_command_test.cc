// End-to-end tests of the `pfsim` command: each test runs the built binary (PFSIM_BIN) with
// real arguments and checks what a user sees: the exit code, the message on stderr, the
// JSON report (DESIGN.md §5 command-line contract, §6 errors).
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "run_pfsim.h"

namespace {

namespace fs = std::filesystem;
using pfsim::test_support::CommandResult;
using pfsim::test_support::read_whole_file;

// The bundled 1K ClassBench set (scenarios/classbench/README.md).
const std::string kClassbench = std::string(PFSIM_SOURCE_DIR) + "/scenarios/classbench";
const std::string kAclRules = kClassbench + "/acl1_1000";
const std::string kAclTrace = kClassbench + "/acl1_1000_trace";

// ClassBench files have one rule or packet per line; blank and '#' lines do not count
// (classifier/classbench.h).
std::size_t count_entries(const std::string& path) {
  std::ifstream in(path);
  std::size_t count = 0;
  for (std::string line; std::getline(in, line);) {
    std::size_t first = line.find_first_not_of(" \t\r");
    if (first != std::string::npos && line[first] != '#') ++count;
  }
  return count;
}

// FNV-1a 64 over each index as 4 little-endian bytes: the checksum's definition, written
// independently of tools/classify_command.cc.
std::string fnv1a_hex(const std::vector<std::uint32_t>& indices) {
  std::uint64_t hash = 14695981039346656037ull;
  for (std::uint32_t index : indices) {
    const unsigned char bytes[4] = {static_cast<unsigned char>(index), static_cast<unsigned char>(index >> 8),
                                    static_cast<unsigned char>(index >> 16), static_cast<unsigned char>(index >> 24)};
    for (unsigned char byte : bytes) {
      hash ^= byte;
      hash *= 1099511628211ull;
    }
  }
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash));
  return text;
}

class PfsimCommand : public pfsim::test_support::PfsimTest {
 protected:
  std::string json_path() const { return (temp_dir_ / "report.json").string(); }
  nlohmann::json read_json() const { return nlohmann::json::parse(read_whole_file(json_path())); }
};

TEST_F(PfsimCommand, VerifyOnAcl1AgreesWithLinearAndReportsEveryField) {
  CommandResult r = run({"classify", "--rules", kAclRules, "--trace", kAclTrace, "--verify", "--json", json_path()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json report = read_json();
  for (const char* key : {"algorithm", "rules", "packets", "build_ms", "memory_bytes", "lookups_per_second",
                          "match_checksum", "mismatches", "threads", "repeat"}) {
    EXPECT_TRUE(report.contains(key)) << key;
  }
  EXPECT_EQ(report["rules"], count_entries(kAclRules));
  EXPECT_EQ(report["packets"], count_entries(kAclTrace));
  EXPECT_EQ(report["mismatches"], 0);
  EXPECT_EQ(report["algorithm"], "cuttree");  // auto, above kLinearAutoMaxRules rules
  EXPECT_GT(report["lookups_per_second"].get<double>(), 0);
  EXPECT_GT(report["memory_bytes"].get<std::uint64_t>(), 0u);
  std::string checksum = report["match_checksum"];
  EXPECT_EQ(checksum.size(), 16u);
  EXPECT_NE(r.out.find("match checksum  " + checksum), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("verify          ok"), std::string::npos) << r.out;
}

TEST_F(PfsimCommand, ChecksumDoesNotDependOnThreadsRepeatOrAlgorithm) {
  auto checksum = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"classify", "--rules", kAclRules, "--trace", kAclTrace, "--json", json_path()};
    args.insert(args.end(), extra.begin(), extra.end());
    CommandResult r = run(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    nlohmann::json report = read_json();
    EXPECT_TRUE(report["mismatches"].is_null());  // no --verify
    return report["match_checksum"].get<std::string>();
  };
  std::string one_thread = checksum({"--threads", "1"});
  EXPECT_EQ(checksum({"--threads", "2"}), one_thread);
  EXPECT_EQ(checksum({"--threads", "3", "--repeat", "2"}), one_thread);
  EXPECT_EQ(checksum({"--algorithm", "linear"}), one_thread);
}

TEST_F(PfsimCommand, ChecksumIsFnv1aOfTheMatchedRuleIndicesInPacketOrder) {
  fs::path rules = write_temp("rules",
                              "@10.0.0.0/8\t0.0.0.0/0\t0 : 65535\t80 : 80\t0x06/0xFF\n"
                              "# comment lines are not rules\n"
                              "@0.0.0.0/0\t0.0.0.0/0\t0 : 65535\t0 : 65535\t0x11/0xFF\n");
  // 10.0.0.1 -> tcp 80 (rule 0); udp 53 (rule 1); tcp 80 from outside 10/8 (no match).
  fs::path trace = write_temp("trace",
                              "167772161\t2\t1000\t80\t6\t0\n"
                              "1\t2\t1000\t53\t17\t0\n"
                              "1\t2\t1000\t80\t6\t0\n");
  std::string expected = fnv1a_hex({0, 1, 0xFFFFFFFFu});
  for (const char* algorithm : {"auto", "linear", "cuttree"}) {
    CommandResult r = run({"classify", "--rules", rules.string(), "--trace", trace.string(), "--algorithm", algorithm,
                           "--verify", "--json", json_path()});
    ASSERT_EQ(r.exit_code, 0) << algorithm << ": " << r.err;
    nlohmann::json report = read_json();
    EXPECT_EQ(report["rules"], 2) << algorithm;
    EXPECT_EQ(report["packets"], 3) << algorithm;
    EXPECT_EQ(report["match_checksum"], expected) << algorithm;
  }
}

TEST_F(PfsimCommand, JsonToStdoutKeepsStdoutOneJsonObject) {
  CommandResult r = run({"classify", "--rules", kAclRules, "--trace", kAclTrace, "--json", "-"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json report = nlohmann::json::parse(r.out);
  EXPECT_EQ(report["packets"], count_entries(kAclTrace));
  EXPECT_NE(r.err.find("match checksum  " + report["match_checksum"].get<std::string>()), std::string::npos);
}

TEST_F(PfsimCommand, MissingRulesFileIsBadInputNamingTheFile) {
  std::string missing = (temp_dir_ / "no-such-rules").string();
  CommandResult r = run({"classify", "--rules", missing, "--trace", kAclTrace});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "pfsim: error: cannot read '" + missing + "': No such file or directory\n");
  EXPECT_EQ(r.out, "");
}

TEST_F(PfsimCommand, MalformedRulesFileGetsFileLineColumnMessage) {
  fs::path rules = write_temp("bad-rules",
                              "@10.0.0.0/8\t0.0.0.0/0\t0 : 65535\t80 : 80\t0x06/0xFF\n"
                              "@10.0.0.0/8\t0.0.0.0/0\t0 : 65535\t443 : 80\t0x06/0xFF\n");
  CommandResult r = run({"classify", "--rules", rules.string(), "--trace", kAclTrace});
  EXPECT_EQ(r.exit_code, 2);
  std::string prefix = rules.string() + ":2:";
  ASSERT_EQ(r.err.substr(0, prefix.size()), prefix) << r.err;
  std::string rest = r.err.substr(prefix.size());
  std::size_t digits = rest.find_first_not_of("0123456789");
  EXPECT_GT(digits, 0u) << "no column: " << r.err;
  EXPECT_EQ(rest.substr(digits, 9), ": error: ") << r.err;
}

TEST_F(PfsimCommand, MalformedTraceFileGetsFileLineMessage) {
  fs::path trace = write_temp("bad-trace", "1\t2\t1000\t80\t6\t0\nnot-an-address\t2\t1000\t80\t6\t0\n");
  CommandResult r = run({"classify", "--rules", kAclRules, "--trace", trace.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.rfind(trace.string() + ":2:", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("error: "), std::string::npos) << r.err;
}

TEST_F(PfsimCommand, UnknownAlgorithmIsBadInputListingTheKnownOnes) {
  CommandResult r = run({"classify", "--rules", kAclRules, "--trace", kAclTrace, "--algorithm", "magic"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown algorithm 'magic'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("linear"), std::string::npos) << r.err;
}

TEST_F(PfsimCommand, UnwritableJsonFileIsBadInput) {
  std::string target = (temp_dir_ / "no-such-dir" / "report.json").string();
  CommandResult r = run({"classify", "--rules", kAclRules, "--trace", kAclTrace, "--json", target});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("cannot write '" + target + "'"), std::string::npos) << r.err;
}

TEST_F(PfsimCommand, UnknownCommandIsUsageErrorNamingIt) {
  CommandResult r = run({"frobnicate", "capture.pcap"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown command 'frobnicate'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("classify"), std::string::npos) << r.err;
}

TEST_F(PfsimCommand, HelpExitsZero) {
  CommandResult top = run({"--help"});
  EXPECT_EQ(top.exit_code, 0);
  EXPECT_NE(top.out.find("classify"), std::string::npos) << top.out;
  CommandResult classify = run({"classify", "--help"});
  EXPECT_EQ(classify.exit_code, 0);
  EXPECT_NE(classify.out.find("--rules"), std::string::npos) << classify.out;
}

struct UsageCase {
  std::string name;
  std::vector<std::string> args;
};

// Names the case in ctest's listing instead of gtest's byte dump.
void PrintTo(const UsageCase& usage, std::ostream* out) { *out << usage.name; }

std::vector<std::string> classify_acl1(std::vector<std::string> extra) {
  std::vector<std::string> args = {"classify", "--rules", kAclRules, "--trace", kAclTrace};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

class PfsimUsageError : public PfsimCommand, public ::testing::WithParamInterface<UsageCase> {};

TEST_P(PfsimUsageError, ExitsTwoWithMessage) {
  CommandResult r = run(GetParam().args);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.err.rfind("pfsim: error: ", 0), 0u) << r.err;
  EXPECT_EQ(r.out, "");
}

INSTANTIATE_TEST_SUITE_P(BadArguments, PfsimUsageError,
                         ::testing::Values(UsageCase{"NoCommand", {}},
                                           UsageCase{"ZeroThreads", classify_acl1({"--threads", "0"})},
                                           UsageCase{"TooManyThreads", classify_acl1({"--threads", "1025"})},
                                           UsageCase{"NegativeThreads", classify_acl1({"--threads", "-1"})},
                                           UsageCase{"WordForThreads", classify_acl1({"--threads", "two"})},
                                           UsageCase{"ZeroRepeat", classify_acl1({"--repeat", "0"})},
                                           UsageCase{"MissingTrace", {"classify", "--rules", kAclRules}},
                                           UsageCase{"UnknownOption", classify_acl1({"--fast"})}),
                         [](const ::testing::TestParamInfo<UsageCase>& usage) { return usage.param.name; });

}  // namespace
