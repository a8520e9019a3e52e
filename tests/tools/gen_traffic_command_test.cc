// End-to-end tests of `pfsim gen-traffic` (tools/gen_traffic_command.h): the built binary on
// the example (tests/data/examples) and the bundled scenarios, as a user sees it: the summary
// line, a capture that `pfsim decode` reads without a malformed packet, the same bytes for the
// same seed, and exit code 2 with a located message for a scenario without listeners, too few
// --packets, a bad option or an --out that cannot be written.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "run_pfsim.h"

namespace {

namespace fs = std::filesystem;
using pfsim::test_support::CommandResult;
using pfsim::test_support::read_whole_file;

const std::string kExample = std::string(PFSIM_TEST_DATA_DIR) + "/examples/alb-internet-facing.yaml";
const std::string kDualStack = std::string(PFSIM_SOURCE_DIR) + "/scenarios/aws-alb-internet-facing/recommended.yaml";

class PfsimGenTraffic : public pfsim::test_support::PfsimTest {
 protected:
  std::string out(const std::string& name = "gen.pcap") const { return (temp_dir_ / name).string(); }
};

TEST_F(PfsimGenTraffic, WritesTheExactPacketsAndDecodeReadsThem) {
  CommandResult r = run({"gen-traffic", kExample, "--out", out(), "--flows", "50", "--packets", "2000", "--seed", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(r.out.rfind("wrote 2,000 packets to " + out() + ": 50 flows (", 0), 0u) << r.out;
  EXPECT_NE(r.out.find(" s from 1700000000."), std::string::npos) << r.out;

  CommandResult d = run({"decode", out()});
  ASSERT_EQ(d.exit_code, 0) << d.err;
  EXPECT_NE(d.out.find("\n2000 packets (EN10MB), 0 malformed"), std::string::npos) << d.out.substr(d.out.size() - 200);
  EXPECT_NE(d.out.find("#1 1700000000."), std::string::npos);
}

TEST_F(PfsimGenTraffic, DefaultsAndSeedsAreDeterministic) {
  ASSERT_EQ(run({"gen-traffic", kDualStack, "--out", out("a.pcap")}).exit_code, 0);
  ASSERT_EQ(run({"gen-traffic", kDualStack, "--out", out("b.pcap"), "--seed", "1"}).exit_code, 0);
  ASSERT_EQ(run({"gen-traffic", kDualStack, "--out", out("c.pcap"), "--seed", "2"}).exit_code, 0);
  const std::string a = read_whole_file(out("a.pcap"));
  EXPECT_GT(a.size(), 1'000'000u);
  EXPECT_EQ(a, read_whole_file(out("b.pcap")));
  EXPECT_NE(a, read_whole_file(out("c.pcap")));
  CommandResult d = run({"decode", out("a.pcap"), "--json", "-"});
  ASSERT_EQ(d.exit_code, 0) << d.err;
  EXPECT_NE(d.out.find("\"src\":\"2001:db8:"), std::string::npos) << "IPv6 clients of the dual-stack nodes";
  EXPECT_EQ(d.out.find("\"malformed\""), std::string::npos);
}

TEST_F(PfsimGenTraffic, ScenarioWithoutListenersIsBadInput) {
  fs::path scenario = write_temp("empty.yaml", "pfsim: 1\nprovider: aws\nvpc: {cidr: 10.0.0.0/16}\n");
  CommandResult r = run({"gen-traffic", scenario.string(), "--out", out()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.rfind(scenario.string() + ": error: no load balancer", 0), 0u) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_FALSE(fs::exists(out())) << "nothing is written for a bad request";
}

TEST_F(PfsimGenTraffic, TooFewPacketsIsBadInput) {
  CommandResult r = run({"gen-traffic", kExample, "--out", out(), "--flows", "100", "--packets", "10"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--packets 10 is fewer than the "), std::string::npos) << r.err;
}

TEST_F(PfsimGenTraffic, UnwritableOutputIsBadInput) {
  const std::string target = (temp_dir_ / "no-such-dir" / "gen.pcap").string();
  CommandResult r = run({"gen-traffic", kExample, "--out", target});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(target), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST_F(PfsimGenTraffic, UsageErrorsAreExitTwo) {
  EXPECT_EQ(run({"gen-traffic", kExample}).exit_code, 2);  // no --out
  EXPECT_EQ(run({"gen-traffic", kExample, "--out", out(), "--flows", "0"}).exit_code, 2);
  EXPECT_EQ(run({"gen-traffic", kExample, "--out", out(), "--flows", "many"}).exit_code, 2);
  EXPECT_EQ(run({"gen-traffic", kExample, "--out", out(), "--snaplen", "20"}).exit_code, 2);
  CommandResult missing = run({"gen-traffic", (temp_dir_ / "missing.yaml").string(), "--out", out()});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("missing.yaml"), std::string::npos) << missing.err;
}

// CLI11 alone read 18446744073709551616 as 2^64 - 1 (strtoull saturates) and "-1" as the same,
// and gen-traffic then filled the disk.
TEST_F(PfsimGenTraffic, CountsBeyondSixtyFourBitsOrTheDiskAreRefusedBeforeWriting) {
  CommandResult over = run({"gen-traffic", kExample, "--out", out(), "--packets", "18446744073709551616"});
  EXPECT_EQ(over.exit_code, 2);
  EXPECT_NE(over.err.find("--packets: 18446744073709551616 is more than the largest packet count, "
                          "18446744073709551615"),
            std::string::npos)
      << over.err;
  CommandResult negative = run({"gen-traffic", kExample, "--out", out(), "--packets", "-1"});
  EXPECT_EQ(negative.exit_code, 2);
  EXPECT_NE(negative.err.find("'-1' is not a packet count (a whole number from 1 to 18446744073709551615)"),
            std::string::npos)
      << negative.err;
  EXPECT_EQ(run({"gen-traffic", kExample, "--out", out(), "--seed", "0x10"}).exit_code, 2);

  // The largest count parses, and no file system holds it: refused before the file is created.
  CommandResult disk = run({"gen-traffic", kExample, "--out", out(), "--packets", "18446744073709551615"});
  EXPECT_EQ(disk.exit_code, 2);
  EXPECT_EQ(disk.err.rfind("pfsim: error: cannot write '" + out() +
                               "': 18,446,744,073,709,551,615 packets take at least 18,446,744,073,709,551,615 bytes "
                               "and its file system has ",
                           0),
            0u)
      << disk.err;
  EXPECT_NE(disk.err.find(" bytes free (ask for fewer with --packets or --flows)\n"), std::string::npos) << disk.err;
  EXPECT_EQ(disk.out, "");
  EXPECT_FALSE(fs::exists(out())) << "nothing is written for a count the disk cannot take";
}

TEST_F(PfsimGenTraffic, SnaplenKeepsHeadersOnly) {
  ASSERT_EQ(run({"gen-traffic", kExample, "--out", out(), "--flows", "20", "--snaplen", "128"}).exit_code, 0);
  CommandResult d = run({"decode", out(), "--json", "-"});
  ASSERT_EQ(d.exit_code, 0) << d.err;
  EXPECT_NE(d.out.find("\"caplen\":128,\"len\":9015"), std::string::npos) << "a large segment, cut at 128 bytes";
  EXPECT_EQ(d.out.find("\"malformed\""), std::string::npos);
}

TEST_F(PfsimGenTraffic, HelpNamesEveryOption) {
  CommandResult r = run({"gen-traffic", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* option : {"--out", "--flows", "--packets", "--seed", "--snaplen"}) {
    EXPECT_NE(r.out.find(option), std::string::npos) << option;
  }
}

}  // namespace
