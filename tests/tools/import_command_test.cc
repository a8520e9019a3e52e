// End-to-end tests of `pfsim import aws` (tools/import_command.h): the built binary on the
// bundled AWS samples: the YAML on stdout or --out, warnings and the summary on stderr, exit 2
// with a located message for bad input, and an import folder used directly as SCENARIO.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "run_pfsim.h"

namespace {

namespace fs = std::filesystem;
using pfsim::test_support::CommandResult;
using pfsim::test_support::read_whole_file;

const std::string kSamples = std::string(PFSIM_TEST_DATA_DIR) + "/aws-samples";
const std::string kSnapshot = kSamples + "/snapshot-test-load-balancer";
const std::string kGolden = std::string(PFSIM_TEST_DATA_DIR) + "/import-goldens/snapshot-test-load-balancer.yaml";

class PfsimImport : public pfsim::test_support::PfsimTest {};

TEST_F(PfsimImport, SnapshotFolderGivesTheGoldenYamlAndASummary) {
  const CommandResult r = run({"import", "aws", kSnapshot});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, read_whole_file(kGolden));
  EXPECT_NE(r.err.find("imported vpc-015b20578b48c1349 from 14 files: 3 subnets, 1 network ACL, 3 security groups, "
                       "3 interfaces, 1 load balancer, 1 target group (0 warnings, 1 assumption)"),
            std::string::npos)
      << r.err;
  const std::string out = (temp_dir_ / "lb.yaml").string();
  const CommandResult written = run({"import", "aws", kSnapshot, "--out", out, "--vpc", "vpc-015b20578b48c1349"});
  ASSERT_EQ(written.exit_code, 0) << written.err;
  EXPECT_EQ(read_whole_file(out), r.out);
  const CommandResult check = run({"check", out});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
}

TEST_F(PfsimImport, CheckExplainAndGenTrafficTakeTheFolder) {
  const CommandResult check = run({"check", kSnapshot});
  ASSERT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_NE(check.out.find("0 targets unhealthy, 0 errors"), std::string::npos) << check.out;
  EXPECT_NE(check.out.find("SecurityGroups.json $.SecurityGroups[1].IpPermissions[0].IpRanges[0]"), std::string::npos)
      << "findings cite the JSON:\n"
      << check.out;
  const CommandResult explain = run({"explain", kSnapshot, "--flow", "tcp 10.1.250.112:40000 -> 10.1.1.237:80"});
  EXPECT_EQ(explain.exit_code, 0) << explain.out << explain.err;
  const CommandResult gen = run({"gen-traffic", kSnapshot, "--out", (temp_dir_ / "g.pcap").string(), "--flows", "5"});
  EXPECT_EQ(gen.exit_code, 0) << gen.err;
}

TEST_F(PfsimImport, BadInputIsExitTwoWithALocatedMessage) {
  const fs::path bad = write_temp("bad.json", "{\"Vpcs\": [\n  {\"VpcId\": \"vpc-1\",}\n]}");
  const CommandResult malformed = run({"import", "aws", bad.string()});
  EXPECT_EQ(malformed.exit_code, 2);
  EXPECT_NE(malformed.err.find(bad.string() + ":2:21: error: malformed JSON"), std::string::npos) << malformed.err;
  const CommandResult conflict = run({"import", "aws", kSamples});  // two different acl-4db39c28
  EXPECT_EQ(conflict.exit_code, 2);
  EXPECT_NE(conflict.err.find("acl-4db39c28 is also in"), std::string::npos) << conflict.err;
  const CommandResult missing = run({"import", "aws", (temp_dir_ / "nothing").string()});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("cannot read"), std::string::npos) << missing.err;
  const CommandResult provider = run({"import", "gcp", kSnapshot});
  EXPECT_EQ(provider.exit_code, 2);
  const CommandResult vpc = run({"import", "aws", kSnapshot, "--vpc", "vpc-nope"});
  EXPECT_EQ(vpc.exit_code, 2);
  EXPECT_NE(vpc.err.find("--vpc vpc-nope: no such VPC in the input"), std::string::npos) << vpc.err;
}

TEST_F(PfsimImport, WarningsGoToStderr) {
  const fs::path extra = write_temp("x.json", R"({"Widgets": [], "NextToken": "abc"})");
  const CommandResult r = run({"import", "aws", kSnapshot, extra.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("pfsim: warning: x.json: unknown top-level key \"Widgets\""), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("pfsim: warning: x.json: \"NextToken\" is present"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("#   - x.json: unknown top-level key"), std::string::npos) << "the header lists the warnings";
}

}  // namespace
