// End-to-end tests of `pfsim decode` (tools/decode_command.h): the built binary on the bundled
// captures and on small captures written here, checked as a user (and
// shared/tools/contract-check) sees it: JSON Lines with the fields of DESIGN.md §5 and
// Wireshark's reading of the same packets, one human line per packet and a summary, located
// errors with exit 2 for bad input (DESIGN.md §6), malformed packets as data.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "pcap/encode.h"
#include "run_pfsim.h"
#include "tests/encoded_frame.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using pfsim::test_support::CommandResult;
using pfsim::test_support::read_whole_file;

const std::string kPcaps = std::string(PFSIM_TEST_DATA_DIR) + "/pcaps";
const std::string kSmtp = kPcaps + "/icmp-frag-needed-smtp.pcap";

constexpr std::uint32_t kLinkEthernet = 1;
constexpr std::uint32_t kLinkIeee80211 = 105;  // a real link type pfsim does not decode

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(text);
  while (std::getline(in, part, separator)) parts.push_back(part);
  if (!text.empty() && text.back() == separator) parts.emplace_back();
  return parts;
}

std::vector<json> json_lines(const std::string& text) {
  std::vector<json> lines;
  for (const std::string& line : split(text, '\n')) {
    if (line.empty()) continue;
    lines.push_back(json::parse(line));
  }
  return lines;
}

std::vector<std::string> text_lines(const std::string& text) {
  std::vector<std::string> lines = split(text, '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  return lines;
}

// Wireshark's fields for each frame of a bundled capture (pcaps/wireshark-fields/NAME.tsv),
// one map per frame, by column name.
std::vector<std::map<std::string, std::string>> wireshark_rows(const std::string& name) {
  std::vector<std::string> lines = text_lines(read_whole_file(kPcaps + "/wireshark-fields/" + name + ".tsv"));
  std::vector<std::map<std::string, std::string>> rows;
  if (lines.empty()) return rows;
  std::vector<std::string> columns = split(lines[0], '\t');
  for (std::size_t i = 1; i < lines.size(); ++i) {
    std::vector<std::string> cells = split(lines[i], '\t');
    std::map<std::string, std::string>& row = rows.emplace_back();
    for (std::size_t c = 0; c < columns.size(); ++c) row[columns[c]] = c < cells.size() ? cells[c] : "";
  }
  return rows;
}

void put_u16le(std::string& out, std::uint32_t value) {
  out += static_cast<char>(value & 0xff);
  out += static_cast<char>((value >> 8) & 0xff);
}
void put_u32le(std::string& out, std::uint32_t value) {
  put_u16le(out, value & 0xffff);
  put_u16le(out, value >> 16);
}

// A classic pcap file (microsecond, little-endian) of `link` holding `frames`.
std::string pcap_file(std::uint32_t link, const std::vector<std::string>& frames) {
  std::string out;
  put_u32le(out, 0xa1b2c3d4);
  put_u16le(out, 2);
  put_u16le(out, 4);
  put_u32le(out, 0);  // thiszone
  put_u32le(out, 0);  // sigfigs
  put_u32le(out, 65535);
  put_u32le(out, link);
  std::uint32_t second = 1700000000;
  for (const std::string& frame : frames) {
    put_u32le(out, second++);
    put_u32le(out, 250000);
    put_u32le(out, static_cast<std::uint32_t>(frame.size()));
    put_u32le(out, static_cast<std::uint32_t>(frame.size()));
    out += frame;
  }
  return out;
}

// Ethernet to IPv4 with only 10 bytes of the IPv4 header: "truncated-ipv4" at byte 14.
std::string frame_with_truncated_ipv4() {
  pfsim::pcap::FrameSpec syn;
  syn.src = pfsim::net::ip4(10, 0, 0, 1);
  syn.dst = pfsim::net::ip4(10, 0, 0, 2);
  syn.ipv4_id = 0x1234;
  syn.dont_fragment = true;
  syn.sport = 40000;
  syn.dport = 443;
  syn.tcp_flags = 0x002;
  const std::vector<std::uint8_t> frame = pfsim::test_support::encoded_frame(syn);
  return std::string(frame.begin(), frame.begin() + 14 + 10);
}

// Every field name DESIGN.md §5 allows in a decode line, and in its nested objects.
const std::set<std::string> kTopFields = {"index",     "ts_ns", "caplen", "len",       "link",        "src",
                                          "dst",       "proto", "sport",  "dport",     "tcp_flags",   "icmp_type",
                                          "icmp_code", "inner", "frag",   "malformed", "community_id"};
const std::set<std::string> kInnerFields = {"src", "dst", "proto", "sport", "dport"};
const std::set<std::string> kFragFields = {"id", "offset", "more"};

void expect_only_contract_fields(const json& line) {
  for (const auto& [key, value] : line.items()) {
    EXPECT_TRUE(kTopFields.count(key)) << "field '" << key << "' is not in DESIGN.md §5: " << line.dump();
    if (key == "inner") {
      for (const auto& [inner_key, inner_value] : value.items()) {
        EXPECT_TRUE(kInnerFields.count(inner_key)) << inner_key;
      }
    }
    if (key == "frag") {
      for (const auto& [frag_key, frag_value] : value.items()) EXPECT_TRUE(kFragFields.count(frag_key)) << frag_key;
    }
  }
}

class PfsimDecode : public pfsim::test_support::PfsimTest {};

// What contract-check runs, and more: every packet's fields as Wireshark reads them.
TEST_F(PfsimDecode, JsonLinesOfTheSmtpCaptureMatchWireshark) {
  CommandResult r = run({"decode", kSmtp, "--json", "-"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<json> lines = json_lines(r.out);  // stdout is JSON only: any other line fails to parse
  auto rows = wireshark_rows("icmp-frag-needed-smtp");
  ASSERT_EQ(lines.size(), 60u);
  ASSERT_EQ(rows.size(), 60u);
  EXPECT_EQ(r.err, "60 packets (EN10MB), 0 malformed\n");

  std::size_t frag_needed = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const json& line = lines[i];
    auto& row = rows[i];
    SCOPED_TRACE("packet " + std::to_string(i + 1) + ": " + line.dump());
    expect_only_contract_fields(line);
    EXPECT_EQ(line["index"], i + 1);
    EXPECT_EQ(line["link"], "EN10MB");
    EXPECT_EQ(line["len"].get<std::uint64_t>(), std::stoull(row["frame.len"]));
    EXPECT_EQ(line["caplen"].get<std::uint64_t>(), std::stoull(row["frame.cap_len"]));
    EXPECT_GT(line["ts_ns"].get<std::int64_t>(), 0);
    EXPECT_EQ(line["src"], row["ip.src"]);
    EXPECT_EQ(line["dst"], row["ip.dst"]);
    EXPECT_EQ(line["proto"].get<int>(), std::stoi(row["ip.proto"]));
    EXPECT_FALSE(line.contains("malformed"));
    EXPECT_EQ(line.value("community_id", "").rfind("1:", 0), 0u);
    if (!row["icmp.type"].empty()) {
      // Wireshark's port and flag columns of an ICMP error are those of the quoted header.
      EXPECT_EQ(line["icmp_type"].get<int>(), std::stoi(row["icmp.type"]));
      EXPECT_EQ(line["icmp_code"].get<int>(), std::stoi(row["icmp.code"]));
      EXPECT_FALSE(line.contains("sport"));
      ASSERT_TRUE(line.contains("inner"));
      EXPECT_EQ(line["inner"]["proto"], 6);
      EXPECT_EQ(line["inner"]["sport"].get<int>(), std::stoi(row["tcp.srcport"]));
      EXPECT_EQ(line["inner"]["dport"].get<int>(), std::stoi(row["tcp.dstport"]));
      EXPECT_EQ(line["inner"]["src"], "10.10.1.4");  // the quoted packet came from the error's destination
      EXPECT_EQ(line["inner"]["src"], line["dst"]);
      if (line["icmp_type"] == 3 && line["icmp_code"] == 4) ++frag_needed;
    } else if (!row["tcp.srcport"].empty()) {
      EXPECT_EQ(line["sport"].get<int>(), std::stoi(row["tcp.srcport"]));
      EXPECT_EQ(line["dport"].get<int>(), std::stoi(row["tcp.dstport"]));
      EXPECT_EQ(line["tcp_flags"].get<int>(), std::stoi(row["tcp.flags"], nullptr, 16));
      EXPECT_FALSE(line.contains("inner"));
    } else {
      EXPECT_EQ(line["sport"].get<int>(), std::stoi(row["udp.srcport"]));
      EXPECT_EQ(line["dport"].get<int>(), std::stoi(row["udp.dstport"]));
      EXPECT_FALSE(line.contains("tcp_flags"));
    }
  }
  EXPECT_EQ(frag_needed, 4u);
}

TEST_F(PfsimDecode, HumanLinesShowFlowsFlagsQuotesAndCommunityIds) {
  CommandResult r = run({"decode", kSmtp});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  std::vector<std::string> lines = text_lines(r.out);
  ASSERT_EQ(lines.size(), 61u) << r.out;
  EXPECT_EQ(lines.back(), "60 packets (EN10MB), 0 malformed");
  for (std::size_t i = 0; i < 60; ++i) EXPECT_EQ(lines[i].rfind("#" + std::to_string(i + 1) + " ", 0), 0u) << lines[i];
  // Packet 3 is the client's SYN (Wireshark: 10.10.1.4:1470 -> 74.53.140.153:25, flags 0x002).
  EXPECT_NE(lines[2].find(" EN10MB tcp 10.10.1.4:1470 -> 74.53.140.153:25 [S] 1:"), std::string::npos) << lines[2];
  EXPECT_NE(lines[3].find(" [SA] "), std::string::npos) << lines[3];
  // Packet 26 is the router's "fragmentation needed", quoting the client's segment.
  EXPECT_NE(lines[25].find(" icmp 192.168.1.1 -> 10.10.1.4 3/4 mtu 1492 quoting tcp 10.10.1.4:1470 -> "
                           "74.53.140.153:25 1:"),
            std::string::npos)
      << lines[25];
  // The time is seconds and 9 digits of nanoseconds.
  std::vector<std::string> words = split(lines[0], ' ');
  ASSERT_GE(words.size(), 3u);
  std::size_t dot = words[1].find('.');
  ASSERT_NE(dot, std::string::npos) << lines[0];
  EXPECT_EQ(words[1].size() - dot - 1, 9u) << lines[0];
}

TEST_F(PfsimDecode, JsonFileLeavesHumanLinesOnStdout) {
  std::string path = (temp_dir_ / "decode.jsonl").string();
  CommandResult r = run({"decode", kSmtp, "--json", path});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json_lines(read_whole_file(path)).size(), 60u);
  EXPECT_EQ(text_lines(r.out).size(), 61u);
}

TEST_F(PfsimDecode, CommunityIdsAreTheSpecBaselines) {
  CommandResult r = run({"decode", kPcaps + "/communityid-tcp.pcap", "--json", "-"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<json> lines = json_lines(r.out);
  ASSERT_EQ(lines.size(), 12u);
  for (const json& line : lines) EXPECT_EQ(line["community_id"], "1:LQU9qZlK+B5F3KDmev6m5PMibrg=") << line.dump();
}

TEST_F(PfsimDecode, LimitDecodesTheFirstPackets) {
  CommandResult r = run({"decode", kSmtp, "--json", "-", "--limit", "5"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<json> lines = json_lines(r.out);
  ASSERT_EQ(lines.size(), 5u);
  for (std::size_t i = 0; i < lines.size(); ++i) EXPECT_EQ(lines[i]["index"], i + 1);
  EXPECT_EQ(r.err, "5 packets (EN10MB, --limit 5), 0 malformed\n");

  CommandResult beyond = run({"decode", kSmtp, "--json", "-", "--limit", "1000"});
  ASSERT_EQ(beyond.exit_code, 0) << beyond.err;
  EXPECT_EQ(json_lines(beyond.out).size(), 60u);
}

TEST_F(PfsimDecode, MalformedPacketIsDataNotAnError) {
  fs::path capture = write_temp("cut.pcap", pcap_file(kLinkEthernet, {frame_with_truncated_ipv4()}));
  CommandResult r = run({"decode", capture.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> lines = text_lines(r.out);
  ASSERT_EQ(lines.size(), 2u) << r.out;
  EXPECT_EQ(lines[0], "#1 1700000000.250000000 EN10MB malformed truncated-ipv4 at byte 14");
  EXPECT_EQ(lines[1], "1 packet (EN10MB), 1 malformed (truncated-ipv4: 1, first #1)");

  CommandResult as_json = run({"decode", capture.string(), "--json", "-"});
  ASSERT_EQ(as_json.exit_code, 0) << as_json.err;
  std::vector<json> objects = json_lines(as_json.out);
  ASSERT_EQ(objects.size(), 1u);
  EXPECT_EQ(objects[0]["malformed"], "truncated-ipv4");
  EXPECT_EQ(objects[0]["ts_ns"], 1700000000250000000);
  EXPECT_FALSE(objects[0].contains("community_id"));
}

TEST_F(PfsimDecode, TruncatedFinalRecordKeepsEverythingBeforeIt) {
  std::string whole = read_whole_file(kPcaps + "/communityid-tcp.pcap");
  fs::path capture = write_temp("tail.pcap", whole.substr(0, whole.size() - 20));
  CommandResult r = run({"decode", capture.string(), "--json", "-"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json_lines(r.out).size(), 11u);
  EXPECT_NE(r.err.find("11 packets (EN10MB)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(capture.string() + ": warning: the capture ends inside record 12"), std::string::npos) << r.err;
}

TEST_F(PfsimDecode, DecapsulateReportsTheInnerPacket) {
  CommandResult outer = run({"decode", kPcaps + "/vxlan.pcap"});
  ASSERT_EQ(outer.exit_code, 0) << outer.err;
  EXPECT_EQ(outer.out.find("/vxlan"), std::string::npos) << outer.out;
  EXPECT_NE(outer.out.find(":4789 "), std::string::npos) << outer.out;
  CommandResult inner = run({"decode", kPcaps + "/vxlan.pcap", "--decapsulate"});
  ASSERT_EQ(inner.exit_code, 0) << inner.err;
  EXPECT_NE(inner.out.find("EN10MB/vxlan "), std::string::npos) << inner.out;
}

TEST_F(PfsimDecode, MissingFileIsBadInputNamingIt) {
  std::string missing = (temp_dir_ / "no-such.pcap").string();
  CommandResult r = run({"decode", missing});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(missing), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("error: "), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST_F(PfsimDecode, CorruptFileIsBadInputNamingIt) {
  fs::path capture = write_temp("corrupt.pcap", "this is not a capture file, just text\n");
  CommandResult r = run({"decode", capture.string(), "--json", "-"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.rfind(capture.string() + ":", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("error: "), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST_F(PfsimDecode, UnsupportedLinkTypeIsBadInputNamingIt) {
  fs::path capture = write_temp("wifi.pcap", pcap_file(kLinkIeee80211, {std::string(24, '\0')}));
  CommandResult r = run({"decode", capture.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.rfind(capture.string() + ":", 0), 0u) << r.err;
  EXPECT_TRUE(r.err.find("IEEE802_11") != std::string::npos || r.err.find("105") != std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST_F(PfsimDecode, UnwritableJsonFileIsBadInput) {
  std::string target = (temp_dir_ / "no-such-dir" / "decode.jsonl").string();
  CommandResult r = run({"decode", kSmtp, "--json", target});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("cannot write '" + target + "'"), std::string::npos) << r.err;
}

TEST_F(PfsimDecode, UsageErrors) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"decode"},
                                             {"decode", kSmtp, "--limit", "0"},
                                             {"decode", kSmtp, "--limit", "many"},
                                             {"decode", kSmtp, "--limit", "18446744073709551616"},  // 2^64
                                             {"decode", kSmtp, "--fast"}}) {
    CommandResult r = run(args);
    EXPECT_EQ(r.exit_code, 2) << args.back() << ": " << r.err;
    EXPECT_EQ(r.err.rfind("pfsim: error: ", 0), 0u) << r.err;
    EXPECT_EQ(r.out, "");
  }
}

TEST_F(PfsimDecode, HelpNamesTheOptions) {
  CommandResult top = run({"--help"});
  EXPECT_EQ(top.exit_code, 0);
  EXPECT_NE(top.out.find("decode"), std::string::npos) << top.out;
  CommandResult help = run({"decode", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  for (const char* option : {"PCAP", "--json", "--limit", "--decapsulate"}) {
    EXPECT_NE(help.out.find(option), std::string::npos) << option << "\n" << help.out;
  }
}

}  // namespace
