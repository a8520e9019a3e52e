// tests/engine/aws_import_test.cc — pfsim import aws (engine/import/aws_import.h): the reader's
// bad-input cases, the mapping rules on small dumps, every bundled sample file, the snapshot's
// golden YAML and its `check` against the target health AWS reported.
#include "engine/import/aws_import.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "engine/analysis/check.h"
#include "engine/model/scenario_loader.h"

namespace pfsim::engine {
namespace {

namespace fs = std::filesystem;
const fs::path kSamples = fs::path(PFSIM_TEST_DATA_DIR) / "aws-samples";
const fs::path kSnapshot = kSamples / "snapshot-test-load-balancer";
const fs::path kGolden = fs::path(PFSIM_TEST_DATA_DIR) / "import-goldens" / "snapshot-test-load-balancer.yaml";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

JsonInput sample(const std::string& name) { return {(kSamples / name).string(), name, slurp(kSamples / name)}; }

std::vector<JsonInput> snapshot_inputs() {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(kSnapshot)) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  std::vector<JsonInput> out;
  for (const fs::path& f : files) out.push_back({f.string(), f.filename().string(), slurp(f)});
  return out;
}

bool mentions(const std::vector<std::string>& lines, const std::string& text) {
  return std::any_of(lines.begin(), lines.end(),
                     [&](const std::string& l) { return l.find(text) != std::string::npos; });
}

std::string all(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

const char* kVpc = R"({"Vpcs": [{"VpcId": "vpc-1", "OwnerId": "111122223333", "CidrBlock": "10.0.0.0/16"}]})";
const char* kSubnet = R"({"Subnets": [{"SubnetId": "subnet-a", "VpcId": "vpc-1", "CidrBlock": "10.0.1.0/24"}]})";

net::Result<AwsImport> run(std::vector<JsonInput> inputs, std::string vpc = "") {
  AwsImportOptions options;
  options.vpc = std::move(vpc);
  return import_aws(inputs, options);
}

// ---- the reader ----

TEST(AwsImportReader, MalformedJsonIsFileLineColumn) {
  const auto r = run({{"dump/bad.json", "bad.json", "{\"Vpcs\": [\n  {\"VpcId\": \"vpc-1\",}\n]}"}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().file, "dump/bad.json");
  EXPECT_EQ(r.error().line, 2u);
  EXPECT_EQ(r.error().column, 21u);  // the "}" after the trailing comma
  EXPECT_NE(r.error().message.find("malformed JSON"), std::string::npos) << r.error().to_string();
}

TEST(AwsImportReader, TopLevelMustBeAnObject) {
  const auto r = run({{"a.json", "a.json", "[1, 2]"}});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().to_string().find("a.json:1:1: error: expected a JSON object"), std::string::npos)
      << r.error().to_string();
}

TEST(AwsImportReader, UnknownKeyIsAWarningNamingTheFile) {
  const auto r =
      run({{"v.json", "v.json", kVpc}, {"s.json", "s.json", kSubnet}, {"x.json", "x.json", R"({"Widgets": []})"}});
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_TRUE(mentions(r->warnings, "x.json: unknown top-level key \"Widgets\", skipped")) << all(r->warnings);
}

TEST(AwsImportReader, NextTokenIsATruncatedDumpWarning) {
  const auto r = run(
      {{"v.json", "v.json", kVpc},
       {"s.json", "s.json",
        R"({"Subnets": [{"SubnetId": "subnet-a", "VpcId": "vpc-1", "CidrBlock": "10.0.1.0/24"}], "NextToken": "abc"})"}});
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_TRUE(mentions(r->warnings, "s.json: \"NextToken\" is present")) << all(r->warnings);
  EXPECT_TRUE(mentions(r->warnings, "truncated dump"));
}

TEST(AwsImportReader, MirrorSessionsAndFlowLogsAreKnownNotMapped) {
  const auto r = run({{"v.json", "v.json", kVpc},
                      {"s.json", "s.json", kSubnet},
                      {"m.json", "m.json", R"({"TrafficMirrorSessions": []})"},
                      {"f.json", "f.json", R"({"FlowLogs": []})"}});
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_TRUE(r->warnings.empty()) << all(r->warnings);
  EXPECT_TRUE(mentions(r->notes, "m.json: TrafficMirrorSessions read, not yet mapped"));
  EXPECT_TRUE(mentions(r->notes, "f.json: FlowLogs read, not yet mapped"));
}

TEST(AwsImportReader, SameObjectTwiceIsMergedDifferentContentsIsAnError) {
  const auto same = run({{"v.json", "v.json", kVpc}, {"s.json", "s.json", kSubnet}, {"s2.json", "s2.json", kSubnet}});
  ASSERT_TRUE(same) << same.error().to_string();
  EXPECT_EQ(same->scenario.subnets.size(), 1u);
  const auto differ =
      run({{"v.json", "v.json", kVpc},
           {"s.json", "s.json", kSubnet},
           {"d/s2.json", "s2.json",
            R"({"Subnets": [{"SubnetId": "subnet-a", "VpcId": "vpc-1", "CidrBlock": "10.0.2.0/24"}]})"}});
  ASSERT_FALSE(differ);
  EXPECT_EQ(differ.error().to_string(),
            "d/s2.json: error: $.Subnets[0]: subnet-a is also in s.json $.Subnets[0] with different contents (two "
            "dumps taken at different times? give one of them)");
}

TEST(AwsImportReader, AnObjectWithoutItsIdIsAnError) {
  const auto r = run({{"v.json", "v.json", kVpc}, {"s.json", "s.json", R"({"Subnets": [{"VpcId": "vpc-1"}]})"}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().to_string(), "s.json: error: $.Subnets[0]: no \"SubnetId\" (every object is named by it)");
}

TEST(AwsImportReader, NoVpcAndSeveralVpcsAreErrors) {
  const auto none = run({{"x.json", "x.json", R"({"SecurityGroups": []})"}});
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message.find("no VPC in the input"), std::string::npos);
  const auto two = run(
      {{"v.json", "v.json",
        R"({"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16"}, {"VpcId": "vpc-2", "CidrBlock": "10.1.0.0/16"}]})"}});
  ASSERT_FALSE(two);
  EXPECT_EQ(two.error().message, "the input holds several VPCs (vpc-1, vpc-2): choose one with --vpc");
  const auto chosen = run(
      {{"v.json", "v.json",
        R"({"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16"}, {"VpcId": "vpc-2", "CidrBlock": "10.1.0.0/16"}]})"}},
      "vpc-2");
  ASSERT_TRUE(chosen) << chosen.error().to_string();
  EXPECT_EQ(chosen->vpc, "vpc-2");
  const auto unknown = run({{"v.json", "v.json", kVpc}}, "vpc-9");
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("--vpc vpc-9: no such VPC in the input"), std::string::npos);
}

// ---- the mapping ----

TEST(AwsImportMapping, AclStarRulesAreImplicitAndSubnetsGetTheDefaultAcl) {
  const auto r = run(
      {sample("awscli-ec2-describe-network-acls-1.json"),
       {"v.json", "v.json", R"({"Vpcs": [{"VpcId": "vpc-03914afb3eEXAMPLE", "CidrBlock": "10.0.0.0/16"}]})"},
       {"s.json", "s.json",
        R"({"Subnets": [{"SubnetId": "subnet-x", "VpcId": "vpc-03914afb3eEXAMPLE", "CidrBlock": "10.0.9.0/24"}]})"}});
  ASSERT_TRUE(r) << r.error().to_string();
  const Scenario& s = r->scenario;
  ASSERT_EQ(s.acls.size(), 1u);  // the second ACL of the sample is in another VPC
  EXPECT_EQ(s.acls[0].id, "acl-0e2a78e4e2EXAMPLE");
  ASSERT_EQ(s.acls[0].inbound.size(), 2u);  // 100 (IPv4) and 101 (IPv6); 32767 and 32768 are the implicit * rules
  EXPECT_EQ(s.acls[0].inbound[0].number, 100u);
  EXPECT_EQ(s.acls[0].inbound[1].number, 101u);
  ASSERT_EQ(s.subnets.size(), 1u);
  EXPECT_EQ(s.subnets[0].acl, 0u) << "no association: the VPC's default ACL";
  const std::string yaml = write_scenario_yaml(*r);
  EXPECT_NE(yaml.find("rule 100"), std::string::npos);
  EXPECT_TRUE(parse_scenario(yaml, "out.yaml")) << yaml;
}

TEST(AwsImportMapping, SecurityGroupRulesCallIsPreferredAndCarriesSgrIds) {
  const auto r = run({{"v.json", "v.json", kVpc},
                      {"s.json", "s.json", kSubnet},
                      sample("awscli-ec2-describe-security-group-rules-1.json")});
  ASSERT_TRUE(r) << r.error().to_string();
  ASSERT_EQ(r->scenario.groups.size(), 1u);
  const SecurityGroup& g = r->scenario.groups[0];
  EXPECT_EQ(g.id, "sg-1234567890abcdef0");
  ASSERT_EQ(g.inbound.size(), 1u);
  EXPECT_EQ(g.inbound[0].peer.kind, Peer::Kind::kGroup) << "ReferencedGroupInfo: the group itself";
  ASSERT_EQ(g.outbound.size(), 2u);
  EXPECT_NE(g.outbound[0].where.file.find("sgr-"), std::string::npos) << g.outbound[0].where.file;
  EXPECT_TRUE(mentions(r->assumptions, "known from describe-security-group-rules only"));
  const std::string yaml = write_scenario_yaml(*r);
  EXPECT_NE(yaml.find("destination: \"::/0\""), std::string::npos) << yaml;
  EXPECT_TRUE(parse_scenario(yaml, "out.yaml")) << yaml;
}

TEST(AwsImportMapping, PrefixListEntriesByWrapperAndAwsManagedInline) {
  const std::string groups = R"({"SecurityGroups": [{"GroupId": "sg-1", "VpcId": "vpc-1", "IpPermissions": [
      {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "PrefixListIds": [{"PrefixListId": "pl-0123456abcabcabc1"}]},
      {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "PrefixListIds": [{"PrefixListId": "pl-00a54069"}]},
      {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "PrefixListIds": [{"PrefixListId": "pl-missing"}]}],
      "IpPermissionsEgress": []}]})";
  const auto r = run(
      {{"v.json", "v.json", kVpc},
       {"s.json", "s.json", kSubnet},
       {"g.json", "g.json", groups},
       sample("awscli-ec2-describe-managed-prefix-lists-1.json"),
       sample("batfish-PrefixListTest.json"),
       {"e.json", "e.json",
        R"({"ManagedPrefixListEntries": [{"PrefixListId": "pl-0123456abcabcabc1", "Entries": [{"Cidr": "10.0.0.0/16"}, {"Cidr": "10.2.0.0/16"}]}]})"}});
  ASSERT_TRUE(r) << r.error().to_string();
  const Scenario& s = r->scenario;
  ASSERT_EQ(s.prefix_lists.size(), 2u);
  EXPECT_EQ(s.prefix_lists[0].id, "pl-00a54069");  // AWS-managed, CIDRs inline (describe-prefix-lists)
  EXPECT_EQ(s.prefix_lists[1].id, "pl-0123456abcabcabc1");
  EXPECT_EQ(s.prefix_lists[1].cidrs.size(), 2u);
  EXPECT_EQ(s.groups[0].inbound.size(), 2u) << "the rule naming pl-missing is left out, stated";
  EXPECT_TRUE(mentions(r->warnings, "prefix list pl-missing has no entries in the input"));
  EXPECT_TRUE(mentions(r->assumptions, "naming pl-missing is left out"));
  EXPECT_TRUE(parse_scenario(write_scenario_yaml(*r), "out.yaml"));
}

TEST(AwsImportMapping, InvalidSecurityGroupRangesAreWarningsNeverSilent) {
  const auto r =
      run({{"v.json", "v.json", kVpc},
           {"g.json", "g.json", R"({"SecurityGroups": [{"GroupId": "sg-1", "VpcId": "vpc-1", "IpPermissions": [
                        {"IpProtocol": "tcp", "FromPort": -1, "ToPort": 22, "IpRanges": [{"CidrIp": "1.2.3.4/32"}]},
                        {"IpProtocol": "icmp", "FromPort": -1, "ToPort": 9, "IpRanges": [{"CidrIp": "1.2.3.4/32"}]},
                        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "1.2.3.4/32"}]}]}]})"}});
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_TRUE(
      mentions(r->warnings,
               "g.json $.SecurityGroups[0].IpPermissions[0].IpRanges[0]: port range -1-22 is not valid; rule left out"))
      << all(r->warnings);
  EXPECT_TRUE(mentions(r->warnings, "ICMP type -1 code 9 is not a valid selector")) << all(r->warnings);
  EXPECT_EQ(r->scenario.groups[0].inbound.size(), 1u);
  EXPECT_TRUE(parse_scenario(write_scenario_yaml(*r), "out.yaml")) << write_scenario_yaml(*r);
}

TEST(AwsImportMapping, SeveralEnisPerInstanceConntrackAndCrossAccountGroups) {
  const std::string enis = R"({"NetworkInterfaces": [
    {"NetworkInterfaceId": "eni-2", "SubnetId": "subnet-a", "VpcId": "vpc-1", "PrivateIpAddress": "10.0.1.20",
     "Attachment": {"InstanceId": "i-1", "DeviceIndex": 1}, "Groups": [{"GroupId": "sg-b"}]},
    {"NetworkInterfaceId": "eni-1", "SubnetId": "subnet-a", "VpcId": "vpc-1", "PrivateIpAddress": "10.0.1.10",
     "Attachment": {"InstanceId": "i-1", "DeviceIndex": 0}, "Groups": [{"GroupId": "sg-a"}],
     "ConnectionTrackingConfiguration": {"TcpEstablishedTimeout": 350, "UdpStreamTimeout": 60, "UdpTimeout": 30}}]})";
  const std::string groups = R"({"SecurityGroups": [
    {"GroupId": "sg-a", "VpcId": "vpc-1", "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80,
      "UserIdGroupPairs": [{"GroupId": "sg-other", "UserId": "999999999999"}]}]},
    {"GroupId": "sg-b", "VpcId": "vpc-1"}]})";
  const auto r = run({{"v.json", "v.json", kVpc},
                      {"s.json", "s.json", kSubnet},
                      {"n.json", "n.json", enis},
                      {"g.json", "g.json", groups}});
  ASSERT_TRUE(r) << r.error().to_string();
  const Scenario& s = r->scenario;
  ASSERT_EQ(s.interfaces.size(), 2u);
  EXPECT_EQ(s.interfaces[0].id, "eni-1") << "the primary interface first";
  EXPECT_EQ(s.interfaces[0].instance, "i-1");
  EXPECT_EQ(s.interfaces[1].id, "eni-2");
  EXPECT_EQ(s.interfaces[0].conntrack.tcp_established_s, 350u);
  EXPECT_NE(s.interfaces[0].groups, s.interfaces[1].groups) << "security groups are per ENI";
  EXPECT_TRUE(mentions(r->warnings, "references sg-other of account 999999999999"));
  EXPECT_TRUE(mentions(r->assumptions, "security group sg-other (not in the input) has no rules and no members"));
  const std::string yaml = write_scenario_yaml(*r);
  EXPECT_NE(yaml.find("{id: eni-1, instance: i-1, subnet: subnet-a, ip: 10.0.1.10, security_groups: [sg-a], "
                      "conntrack: {tcp_established_s: 350, udp_stream_s: 60, udp_s: 30}}"),
            std::string::npos)
      << yaml;
  const auto loaded = parse_scenario(yaml, "out.yaml");
  ASSERT_TRUE(loaded) << loaded.error().to_string() << "\n" << yaml;
  EXPECT_EQ(loaded->interfaces[0].conntrack.udp_stream_s, 60u);
}

// Every sample file imports, alone or with what it needs (a VPC and its subnets), with the
// warnings it deserves and no crash.
TEST(AwsImportSamples, EveryBundledFileImports) {
  struct Case {
    std::string file;
    std::string vpc;             // the VPC the file's objects are in ("" = give none)
    std::string expect_warning;  // a warning the import must give ("" = none)
    std::string expect_error;    // the import's error ("" = it imports)
  };
  const std::vector<Case> cases = {
      {"awscli-ec2-describe-managed-prefix-lists-1.json", "vpc-1", "", ""},
      {"awscli-ec2-describe-network-acls-1.json", "vpc-03914afb3eEXAMPLE", "", ""},
      {"awscli-ec2-describe-network-interfaces-1.json", "vpc-a01106c2",
       "is in subnet subnet-b61f49f0, which is not in the input", ""},
      {"awscli-ec2-describe-network-interfaces-2.json", "vpc-1", "", ""},
      {"awscli-ec2-describe-prefix-lists-1.json", "vpc-1", "", ""},
      {"awscli-ec2-describe-security-group-rules-1.json", "vpc-1", "", ""},
      {"awscli-ec2-describe-security-group-rules-2.json", "vpc-1", "", ""},
      {"awscli-ec2-describe-subnets-2.json", "", "", ""},
      {"awscli-ec2-get-managed-prefix-list-entries-1.json", "vpc-1", "\"Entries\" names no prefix list", ""},
      {"awscli-elb-describe-load-balancers-1.json", "vpc-a01106c2",
       "Classic load balancer my-load-balancer has no node addresses", ""},
      {"awscli-elbv2-describe-listeners-1.json", "vpc-1", "", ""},
      {"awscli-elbv2-describe-listeners-2.json", "vpc-1", "", ""},
      {"awscli-elbv2-describe-load-balancers-1.json", "vpc-3ac0fb5f", "has no node addresses in the input", ""},
      {"awscli-elbv2-describe-rules-1.json", "vpc-1", "", ""},
      {"awscli-elbv2-describe-rules-2.json", "vpc-1", "", ""},
      {"awscli-elbv2-describe-target-group-attributes-1.json", "vpc-1", "\"Attributes\" names no target group", ""},
      {"awscli-elbv2-describe-target-group-attributes-2.json", "vpc-1", "\"Attributes\" names no target group", ""},
      {"awscli-elbv2-describe-target-group-attributes-3.json", "vpc-1", "\"Attributes\" names no target group", ""},
      {"awscli-elbv2-describe-target-groups-1.json", "vpc-1", "", ""},
      {"awscli-elbv2-describe-target-health-1.json", "vpc-1", "\"TargetHealthDescriptions\" names no target group", ""},
      {"awscli-elbv2-describe-target-health-2.json", "vpc-1", "\"TargetHealthDescriptions\" names no target group", ""},
      {"awscli-elbv2-describe-target-health-3.json", "vpc-1", "\"TargetHealthDescriptions\" names no target group", ""},
      {"awscli-elbv2-describe-target-health-4.json", "vpc-1", "\"TargetHealthDescriptions\" names no target group", ""},
      {"awscli-elbv2-describe-target-health-5.json", "vpc-1", "\"TargetHealthDescriptions\" names no target group", ""},
      {"batfish-LoadBalancerAttributesTest.json", "vpc-1", "", ""},
      {"batfish-LoadBalancerListenerTest.json", "vpc-1", "", ""},
      {"batfish-LoadBalancerTargetHealthTest.json", "vpc-1", "", ""},
      {"batfish-LoadBalancerTest.json", "vpc-08afc01f5013ddc43", "has no node addresses in the input", ""},
      {"batfish-NetworkAclIcmpTest.json", "vpc-1", "", ""},
      {"batfish-NetworkAclTest.json", "vpc-1", "", ""},
      {"batfish-NetworkAclV6Test.json", "vpc-1", "", ""},
      {"batfish-NetworkInterfaceTest.json", "vpc-1", "", ""},
      {"batfish-PrefixListTest.json", "vpc-1", "", ""},
      // The source repeats GroupId sg-0de0ddfa8a5a12348 with different rules: refused, located.
      {"batfish-SecurityGroupTest.json", "vpc-1", "", "sg-0de0ddfa8a5a12348 is also in batfish-SecurityGroupTest.json"},
      {"batfish-SubnetTest.json", "", "", ""},
      {"batfish-TargetGroupTest.json", "vpc-1", "", ""},
  };
  std::size_t files = 0;
  for (const auto& e : fs::directory_iterator(kSamples))
    files += e.is_regular_file() && e.path().extension() == ".json";
  EXPECT_EQ(cases.size(), files) << "a sample file without its case here";
  for (const Case& c : cases) {
    SCOPED_TRACE(c.file);
    std::vector<JsonInput> inputs = {sample(c.file)};
    if (!c.vpc.empty()) {
      inputs.push_back({"v.json", "v.json", R"({"Vpcs": [{"VpcId": ")" + c.vpc + R"(", "CidrBlock": "10.0.0.0/8"}]})"});
    }
    const auto r = import_aws(inputs, {c.vpc});
    if (!c.expect_error.empty()) {
      ASSERT_FALSE(r);
      EXPECT_NE(r.error().to_string().find(c.expect_error), std::string::npos) << r.error().to_string();
      continue;
    }
    ASSERT_TRUE(r) << r.error().to_string();
    if (!c.expect_warning.empty()) {
      EXPECT_TRUE(mentions(r->warnings, c.expect_warning)) << all(r->warnings);
    }
    const std::string yaml = write_scenario_yaml(*r);
    const auto loaded = parse_scenario(yaml, c.file + ".yaml");
    EXPECT_TRUE(loaded) << (loaded ? "" : loaded.error().to_string()) << "\n" << yaml;
  }
}

// ---- the snapshot: a whole account ----

TEST(AwsImportSnapshot, MatchesTheGoldenYaml) {
  const auto r = import_aws(snapshot_inputs(), {});
  ASSERT_TRUE(r) << r.error().to_string();
  const std::string yaml = write_scenario_yaml(*r);
  if (const char* update = std::getenv("PFSIM_UPDATE_GOLDENS"); update != nullptr && *update == '1') {
    std::ofstream(kGolden, std::ios::binary) << yaml;
  }
  EXPECT_EQ(yaml, slurp(kGolden)) << "regenerate with PFSIM_UPDATE_GOLDENS=1 and read the diff";
  EXPECT_EQ(write_scenario_yaml(*import_aws(snapshot_inputs(), {})), yaml) << "deterministic";
}

TEST(AwsImportSnapshot, MapsTheNlbItsNodesTargetsAndAssumptions) {
  const auto r = import_aws(snapshot_inputs(), {});
  ASSERT_TRUE(r) << r.error().to_string();
  const Scenario& s = r->scenario;
  EXPECT_EQ(r->vpc, "vpc-015b20578b48c1349");
  EXPECT_EQ(s.subnets.size(), 3u);
  EXPECT_EQ(std::count_if(s.subnets.begin(), s.subnets.end(), [](const Subnet& sn) { return sn.is_public; }), 1);
  ASSERT_EQ(s.load_balancers.size(), 1u);
  const LoadBalancer& lb = s.load_balancers[0];
  EXPECT_EQ(lb.id, "test-lb");
  EXPECT_EQ(lb.type, LbType::kNetwork);
  EXPECT_FALSE(lb.internet_facing);
  ASSERT_EQ(lb.nodes.size(), 2u) << "the ENIs whose Description is ELB net/test-lb/725b996cb6be8fba";
  ASSERT_EQ(s.target_groups.size(), 1u) << "target1-3 are in another VPC and unattached";
  const TargetGroup& tg = s.target_groups[0];
  ASSERT_EQ(tg.targets.size(), 2u);
  EXPECT_EQ(tg.targets[0].port, 22) << "the per-target port of target health overrides the group's 80";
  EXPECT_TRUE(mentions(r->assumptions, "preserve_client_ip.enabled is not in the input"));
  EXPECT_EQ(r->reported_health.size(), 2u);
}

// The scenario AWS describes, checked by pfsim: every target AWS reported healthy is healthy by
// pfsim's judgement, and the other way round.
TEST(AwsImportSnapshot, CheckAgreesWithTheTargetHealthAwsReported) {
  const auto imported = import_scenario(snapshot_inputs(), {}, kSnapshot.string());
  ASSERT_TRUE(imported) << imported.error().to_string();
  const auto report = run_check(imported->scenario);
  ASSERT_TRUE(report) << report.error().to_string();
  ASSERT_EQ(imported->imported.reported_health.size(), 2u);
  for (const ReportedHealth& aws : imported->imported.reported_health) {
    SCOPED_TRACE(aws.target);
    const auto it = std::find_if(report->targets.begin(), report->targets.end(), [&](const TargetHealth& t) {
      return t.target_group == aws.target_group && t.target.find(aws.target) != std::string::npos;
    });
    ASSERT_NE(it, report->targets.end());
    EXPECT_EQ(aws.state, "healthy");
    EXPECT_EQ(it->health, Health::kHealthy) << it->reason;
  }
  EXPECT_EQ(report->errors, 0u);
}

TEST(AwsImportSnapshot, FindingsCiteTheJsonTheyCameFrom) {
  const auto imported = import_scenario(snapshot_inputs(), {}, kSnapshot.string());
  ASSERT_TRUE(imported) << imported.error().to_string();
  const Scenario& s = imported->scenario;
  EXPECT_EQ(format_location(s.target_groups[0].where), "TargetGroups.json $.TargetGroups[3]");
  EXPECT_EQ(format_location(s.target_groups[0].health_check.where),
            "TargetGroups.json $.TargetGroups[3] (HealthCheck*)");
  bool ssh_rule = false;
  for (const SecurityGroup& g : s.groups) {
    for (const FilterRule& r : g.inbound) {
      ssh_rule |= format_location(r.where) == "SecurityGroups.json $.SecurityGroups[1].IpPermissions[0].IpRanges[0]";
    }
  }
  EXPECT_TRUE(ssh_rule);
  EXPECT_EQ(format_location(s.acls[0].inbound[0].where), "NetworkAcls.json $.NetworkAcls[0].Entries[2] rule 100");
}

}  // namespace
}  // namespace pfsim::engine
