// `pfsim replay` and `pfsim merge` as a user runs them (tools/replay_command.h,
// tools/merge_command.h): exit codes, the JSON contract of DESIGN.md §5, threads and shards.
#include <gtest/gtest.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/tools/run_pfsim.h"

namespace pfsim::test_support {
namespace {

void le32(std::string& s, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) s += static_cast<char>((v >> (8 * i)) & 0xff);
}
void be16(std::string& s, std::uint32_t v) {
  s += static_cast<char>((v >> 8) & 0xff);
  s += static_cast<char>(v & 0xff);
}

// A classic pcap (microseconds, Ethernet) of TCP frames between a client and an address:port.
struct PcapBuilder {
  std::string bytes;
  PcapBuilder() {
    le32(bytes, 0xa1b2c3d4);
    bytes += std::string("\x02\x00\x04\x00", 4);
    le32(bytes, 0);
    le32(bytes, 0);
    le32(bytes, 65535);
    le32(bytes, 1);
  }
  void tcp(std::uint32_t t_ms, std::uint32_t src, std::uint16_t sport, std::uint32_t dst, std::uint16_t dport,
           std::uint8_t flags) {
    std::string f(12, '\0');
    be16(f, 0x0800);
    f += '\x45';
    f += '\0';
    be16(f, 40);
    f += std::string(4, '\0');
    f += '\x40';
    f += '\x06';
    f += std::string(2, '\0');
    be16(f, src >> 16), be16(f, src & 0xffff), be16(f, dst >> 16), be16(f, dst & 0xffff);
    be16(f, sport), be16(f, dport);
    f += std::string(8, '\0');
    f += '\x50';
    f += static_cast<char>(flags);
    f += std::string(6, '\0');
    le32(bytes, 1'700'000'000 + t_ms / 1000);
    le32(bytes, (t_ms % 1000) * 1000);
    le32(bytes, static_cast<std::uint32_t>(f.size()));
    le32(bytes, static_cast<std::uint32_t>(f.size()));
    bytes += f;
  }
};

constexpr std::uint32_t kClient = 0xC6336407;     // 198.51.100.7
constexpr std::uint32_t kAlbPublic = 0xCB00710A;  // 203.0.113.10

std::string alb_flows(int flows) {
  PcapBuilder p;
  for (int i = 0; i < flows; ++i) {
    const auto port = static_cast<std::uint16_t>(30000 + i);
    p.tcp(static_cast<std::uint32_t>(i * 500), kClient, port, kAlbPublic, 443, 0x02);
    p.tcp(static_cast<std::uint32_t>(i * 500 + 1), kAlbPublic, 443, kClient, port, 0x12);
    p.tcp(static_cast<std::uint32_t>(i * 500 + 2), kClient, port, kAlbPublic, 443, 0x10);
  }
  return p.bytes;
}

class PfsimReplay : public PfsimTest {
 protected:
  std::string scenario(const std::string& name) const { return std::string(PFSIM_SOURCE_DIR) + "/scenarios/" + name; }
  nlohmann::json json_of(const std::filesystem::path& p, bool drop_timing = true) const {
    nlohmann::json j = nlohmann::json::parse(read_whole_file(p));
    if (drop_timing) j.erase("timing");
    return j;
  }
};

TEST_F(PfsimReplay, BrokenHealthCheckExitsOneWithUnhealthyTargets) {
  const auto pcap = write_temp("in.pcap", alb_flows(200));
  const auto json = temp_dir_ / "r.json";
  CommandResult r =
      run({"replay", scenario("aws-alb-internet-facing/broken-hc.yaml"), pcap.string(), "--json", json.string()});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.out.find("read 600 packets"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("dropped health_check"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("unhealthy"), std::string::npos) << r.out;
  const nlohmann::json j = json_of(json, false);
  for (const char* key : {"packets", "classes", "drops", "targets", "warnings", "timing"})
    EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_EQ(j["packets"]["read"], 600);
  EXPECT_EQ(j["classes"]["listener"]["dropped"], 0);
  EXPECT_GT(j["classes"]["health_check"]["dropped"].get<int>(), 0);
  ASSERT_FALSE(j["drops"].empty());
  EXPECT_EQ(j["drops"][0]["rule"], "default");
  EXPECT_EQ(j["drops"][0]["hook"], "sg-ingress(i-web1)");
  EXPECT_EQ(j["targets"][0]["health"], "unhealthy");

  CommandResult zero =
      run({"replay", scenario("aws-alb-internet-facing/broken-hc.yaml"), pcap.string(), "--exit-zero"});
  EXPECT_EQ(zero.exit_code, 0);
  CommandResult ok = run({"replay", scenario("aws-alb-internet-facing/recommended.yaml"), pcap.string()});
  EXPECT_EQ(ok.exit_code, 0) << ok.out;
}

// An unrelated capture through a scenario: its packets are unmatched (packets.unmatched), and
// the report asks whether it is the right scenario; the exit code stays as it was (0: nothing
// flagged). Half unmatched is not most: no warning.
TEST_F(PfsimReplay, AnUnrelatedCaptureIsCountedUnmatchedAndWarned) {
  PcapBuilder unrelated;
  for (std::uint32_t i = 0; i < 4; ++i) unrelated.tcp(i, 0xC0A80001, 40000, 0xC0A80002 + i, 80, 0x02);  // 192.168.0.x
  const auto pcap = write_temp("other.pcap", unrelated.bytes);
  const auto json = temp_dir_ / "r.json";
  CommandResult r =
      run({"replay", scenario("aws-alb-internet-facing/recommended.yaml"), pcap.string(), "--json", json.string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("warning: most of this capture has no endpoint in the scenario (4 of 4 IP packets "
                       "unmatched): is it the right scenario?"),
            std::string::npos)
      << r.out;
  const nlohmann::json j = json_of(json);
  EXPECT_EQ(j["packets"]["unmatched"], 4);
  EXPECT_EQ(j["packets"]["evaluated"], 4);

  PcapBuilder half;
  for (std::uint32_t i = 0; i < 2; ++i) half.tcp(i, 0xC0A80001, 40000, 0xC0A80002 + i, 80, 0x02);
  half.tcp(2, kClient, 30000, kAlbPublic, 443, 0x02);
  half.tcp(3, kAlbPublic, 443, kClient, 30000, 0x12);
  const auto mixed = write_temp("half.pcap", half.bytes);
  CommandResult h =
      run({"replay", scenario("aws-alb-internet-facing/recommended.yaml"), mixed.string(), "--json", json.string()});
  EXPECT_EQ(h.exit_code, 0) << h.err;
  EXPECT_EQ(h.out.find("no endpoint in the scenario"), std::string::npos) << h.out;
  EXPECT_EQ(json_of(json)["packets"]["unmatched"], 2);
}

TEST_F(PfsimReplay, ThreadsAndMergedShardsEqualOneRun) {
  const auto pcap = write_temp("in.pcap", alb_flows(300));
  const std::string s = scenario("aws-alb-internet-facing/broken-hc.yaml");
  const auto one = temp_dir_ / "one.json";
  const auto two = temp_dir_ / "two.json";
  ASSERT_EQ(run({"replay", s, pcap.string(), "--json", one.string(), "--exit-zero"}).exit_code, 0);
  ASSERT_EQ(run({"replay", s, pcap.string(), "--threads", "2", "--json", two.string(), "--exit-zero"}).exit_code, 0);
  EXPECT_EQ(json_of(one), json_of(two));
  std::vector<std::string> merge_args = {"merge"};
  for (int i = 0; i < 3; ++i) {
    const auto shard = temp_dir_ / ("s" + std::to_string(i) + ".json");
    ASSERT_EQ(
        run({"replay", s, pcap.string(), "--shard", std::to_string(i) + "/3", "--json", shard.string(), "--exit-zero"})
            .exit_code,
        0);
    merge_args.push_back(shard.string());
  }
  const auto merged = temp_dir_ / "merged.json";
  merge_args.insert(merge_args.end(), {"--json", merged.string()});
  CommandResult m = run(merge_args);
  EXPECT_EQ(m.exit_code, 1) << m.err;  // health-check drops are flagged
  EXPECT_EQ(json_of(merged), json_of(one));
}

// merge reads back every field replay writes: the drop groups' fixes and the targets' health by
// name, refusing a health it does not know.
TEST_F(PfsimReplay, MergeReadsFixesAndRefusesAnUnknownHealth) {
  const auto pcap = write_temp("in.pcap", alb_flows(50));
  const auto one = temp_dir_ / "one.json";
  ASSERT_EQ(run({"replay", scenario("aws-alb-internet-facing/broken-hc.yaml"), pcap.string(), "--json", one.string(),
                 "--exit-zero"})
                .exit_code,
            0);
  nlohmann::json doc = json_of(one, false);
  ASSERT_FALSE(doc["drops"].empty());
  EXPECT_NE(doc["drops"][0]["fix"].get<std::string>(), "");
  const auto merged = temp_dir_ / "merged.json";
  ASSERT_EQ(run({"merge", one.string(), "--json", merged.string(), "--exit-zero"}).exit_code, 0);
  EXPECT_EQ(json_of(merged), json_of(one));
  ASSERT_FALSE(doc["targets"].empty());
  doc["targets"][0]["health"] = "sick";
  const auto bad = write_temp("bad.json", doc.dump());
  CommandResult r = run({"merge", bad.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown health 'sick'"), std::string::npos) << r.err;
}

TEST_F(PfsimReplay, BadInputExitsTwo) {
  const auto bad = write_temp("bad.pcap", "this is not a capture file at all");
  CommandResult r = run({"replay", scenario("aws-clb-vpc/recommended.yaml"), bad.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("bad.pcap"), std::string::npos) << r.err;
  const auto pcap = write_temp("in.pcap", alb_flows(1));
  EXPECT_EQ(run({"replay", scenario("aws-clb-vpc/recommended.yaml"), pcap.string(), "--shard", "2/2"}).exit_code, 2);
  EXPECT_EQ(run({"replay", "no-such.yaml", pcap.string()}).exit_code, 2);
  EXPECT_EQ(run({"merge", bad.string()}).exit_code, 2);
}

}  // namespace
}  // namespace pfsim::test_support
