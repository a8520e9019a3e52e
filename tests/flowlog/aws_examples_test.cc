// AWS's own records: every example of the Amazon VPC User Guide's "Flow log record examples"
// page (tests/data/flowlogs/README.md), read from files as they would be delivered, each
// field checked against the page.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "flowlog/reader.h"

namespace pfsim::flowlog {
namespace {

std::string data_file(const std::string& name) { return std::string(PFSIM_TEST_DATA_DIR) + "/flowlogs/" + name; }

// Every record of the file, kept (the reader is gone when they are checked).
std::vector<KeptRecord> read_file(const std::string& name, ReaderOptions options = {}) {
  std::vector<KeptRecord> records;
  auto reader = FlowLogReader::open(data_file(name), std::move(options));
  EXPECT_TRUE(reader) << reader.error().to_string();
  if (!reader) return records;
  FlowLogRecord record;
  while (true) {
    auto more = reader->next(record);
    EXPECT_TRUE(more) << more.error().to_string();
    if (!more || !*more) break;
    records.push_back(keep(record));
  }
  return records;
}

net::IpAddress ip(const char* text) { return *net::parse_address(text); }

// The fields of one default-format (version 2) record with log-status OK.
struct Default {
  const char* interface_id;
  const char* srcaddr;
  const char* dstaddr;
  std::uint16_t srcport, dstport;
  std::uint8_t protocol;
  std::uint64_t packets, bytes;
  std::int64_t start_s, end_s;
  Action action;
};

void expect_default(const FlowLogRecord& r, const Default& want) {
  EXPECT_EQ(r.version, 2u);
  EXPECT_EQ(r.account_id, "123456789010");
  EXPECT_EQ(r.interface_id, want.interface_id);
  EXPECT_EQ(r.srcaddr, ip(want.srcaddr));
  EXPECT_EQ(r.dstaddr, ip(want.dstaddr));
  EXPECT_EQ(r.srcport, want.srcport);
  EXPECT_EQ(r.dstport, want.dstport);
  EXPECT_EQ(r.protocol, want.protocol);
  EXPECT_EQ(r.packets, want.packets);
  EXPECT_EQ(r.bytes, want.bytes);
  EXPECT_EQ(r.start_s, want.start_s);
  EXPECT_EQ(r.end_s, want.end_s);
  EXPECT_EQ(r.action, want.action);
  EXPECT_EQ(r.log_status, LogStatus::kOk);
}

TEST(AwsFlowLogExamples, DefaultFormatRecords) {
  const std::vector<KeptRecord> kept = read_file("default-format.log");
  std::vector<FlowLogRecord> records;
  for (const KeptRecord& k : kept) records.push_back(k.record);
  ASSERT_EQ(records.size(), 7u);
  // "Accepted and rejected traffic": SSH allowed, RDP rejected.
  expect_default(records[0], {"eni-1235b8ca123456789", "172.31.16.139", "172.31.16.21", 20641, 22, 6, 20, 4249,
                              1418530010, 1418530070, Action::kAccept});
  expect_default(records[1], {"eni-1235b8ca123456789", "172.31.9.69", "172.31.9.12", 49761, 3389, 6, 20, 4249,
                              1418530010, 1418530070, Action::kReject});
  // "No data and skipped records": every flow field '-', and no action.
  for (std::size_t i : {2u, 3u}) {
    const FlowLogRecord& r = records[i];
    EXPECT_EQ(r.version, 2u);
    EXPECT_EQ(r.account_id, "123456789010");
    EXPECT_EQ(r.interface_id, i == 2 ? "eni-1235b8ca123456789" : "eni-11111111aaaaaaaaa");
    EXPECT_FALSE(r.srcaddr || r.dstaddr || r.srcport || r.dstport || r.protocol || r.packets || r.bytes || r.action);
    EXPECT_EQ(r.start_s, 1431280876);
    EXPECT_EQ(r.end_s, 1431280934);
    EXPECT_EQ(r.log_status, i == 2 ? LogStatus::kNoData : LogStatus::kSkipData);
  }
  // "Security group and network ACL rules": the ping accepted in, its reply rejected out.
  expect_default(records[4], {"eni-1235b8ca123456789", "203.0.113.12", "172.31.16.139", 0, 0, 1, 4, 336, 1432917027,
                              1432917142, Action::kAccept});
  expect_default(records[5], {"eni-1235b8ca123456789", "172.31.16.139", "203.0.113.12", 0, 0, 1, 4, 336, 1432917094,
                              1432917142, Action::kReject});
  // "IPv6 traffic".
  expect_default(records[6], {"eni-1235b8ca123456789", "2001:db8:1234:a100:8d6e:3477:df66:f105",
                              "2001:db8:1234:a102:3304:8879:34cf:4071", 34892, 22, 6, 54, 8855, 1477913708, 1477913820,
                              Action::kAccept});
  EXPECT_EQ(records[6].srcaddr->family, net::Family::kIpv6);
  for (std::size_t i = 0; i < records.size(); ++i) EXPECT_EQ(records[i].line, i + 1);
}

TEST(AwsFlowLogExamples, TcpFlagSequenceWithItsHeaderLine) {
  auto reader = FlowLogReader::open(data_file("tcp-flag-sequence.log"));
  ASSERT_TRUE(reader) << reader.error().to_string();
  EXPECT_TRUE(reader->has_header_line());
  const std::vector<KeptRecord> kept = read_file("tcp-flag-sequence.log");
  std::vector<FlowLogRecord> records;
  for (const KeptRecord& k : kept) records.push_back(k.record);
  ASSERT_EQ(records.size(), 8u);
  struct Flow {
    const char* src;
    const char* dst;
    std::uint16_t srcport, dstport;
    std::uint64_t bytes, packets;
    std::int64_t start_s, end_s;
    std::uint16_t tcp_flags;
  };
  const char* client = "52.213.180.42";
  const char* server = "10.0.0.62";
  const Flow want[] = {
      {client, server, 43416, 5001, 568, 8, 1566848875, 1566848933, 2},
      {server, client, 5001, 43416, 376, 7, 1566848875, 1566848933, 18},
      {client, server, 43418, 5001, 100701, 70, 1566848875, 1566848933, 2},
      {server, client, 5001, 43418, 632, 12, 1566848875, 1566848933, 18},
      {server, client, 5001, 43418, 63388, 1219, 1566848933, 1566849113, 1},
      {client, server, 43418, 5001, 23294588, 15774, 1566848933, 1566849113, 1},
      {client, server, 43638, 5001, 1260, 17, 1566933133, 1566933193, 3},
      {server, client, 5001, 43638, 967, 14, 1566933133, 1566933193, 19},
  };
  for (std::size_t i = 0; i < records.size(); ++i) {
    SCOPED_TRACE("record " + std::to_string(i + 1));
    const FlowLogRecord& r = records[i];
    EXPECT_EQ(r.version, 3u);
    EXPECT_EQ(r.vpc_id, "vpc-abcdefab012345678");
    EXPECT_EQ(r.subnet_id, "subnet-aaaaaaaa012345678");
    EXPECT_EQ(r.instance_id, "i-01234567890123456");
    EXPECT_EQ(r.interface_id, "eni-1235b8ca123456789");
    EXPECT_EQ(r.account_id, "123456789010");
    EXPECT_EQ(r.type, TrafficType::kIpv4);
    EXPECT_EQ(r.srcaddr, ip(want[i].src));
    EXPECT_EQ(r.dstaddr, ip(want[i].dst));
    EXPECT_EQ(r.srcport, want[i].srcport);
    EXPECT_EQ(r.dstport, want[i].dstport);
    EXPECT_EQ(r.pkt_srcaddr, ip(want[i].src));
    EXPECT_EQ(r.pkt_dstaddr, ip(want[i].dst));
    EXPECT_EQ(r.protocol, 6);
    EXPECT_EQ(r.bytes, want[i].bytes);  // this format puts bytes before packets
    EXPECT_EQ(r.packets, want[i].packets);
    EXPECT_EQ(r.start_s, want[i].start_s);
    EXPECT_EQ(r.end_s, want[i].end_s);
    EXPECT_EQ(r.action, Action::kAccept);
    EXPECT_EQ(r.tcp_flags, want[i].tcp_flags);
    EXPECT_EQ(r.log_status, LogStatus::kOk);
    EXPECT_EQ(r.line, i + 2);
  }
}

TEST(AwsFlowLogExamples, NatGatewayRecordsKeepPacketAddresses) {
  const std::vector<KeptRecord> kept = read_file("nat-gateway.log");
  std::vector<FlowLogRecord> records;
  for (const KeptRecord& k : kept) records.push_back(k.record);
  ASSERT_EQ(records.size(), 6u);
  struct Row {
    const char* instance_id;  // nullptr: '-' (a requester-managed interface)
    const char* interface_id;
    const char* srcaddr;
    const char* dstaddr;
    const char* pkt_srcaddr;
    const char* pkt_dstaddr;
  };
  const Row want[] = {
      {nullptr, "eni-1235b8ca123456789", "10.0.1.5", "10.0.0.220", "10.0.1.5", "203.0.113.5"},
      {nullptr, "eni-1235b8ca123456789", "10.0.0.220", "203.0.113.5", "10.0.0.220", "203.0.113.5"},
      {nullptr, "eni-1235b8ca123456789", "203.0.113.5", "10.0.0.220", "203.0.113.5", "10.0.0.220"},
      {nullptr, "eni-1235b8ca123456789", "10.0.0.220", "10.0.1.5", "203.0.113.5", "10.0.1.5"},
      {"i-01234567890123456", "eni-1111aaaa2222bbbb3", "10.0.1.5", "203.0.113.5", "10.0.1.5", "203.0.113.5"},
      {"i-01234567890123456", "eni-1111aaaa2222bbbb3", "203.0.113.5", "10.0.1.5", "203.0.113.5", "10.0.1.5"},
  };
  for (std::size_t i = 0; i < records.size(); ++i) {
    SCOPED_TRACE("record " + std::to_string(i + 1));
    const FlowLogRecord& r = records[i];
    if (want[i].instance_id == nullptr) {
      EXPECT_FALSE(r.instance_id);
    } else {
      EXPECT_EQ(r.instance_id, want[i].instance_id);
    }
    EXPECT_EQ(r.interface_id, want[i].interface_id);
    EXPECT_EQ(r.srcaddr, ip(want[i].srcaddr));
    EXPECT_EQ(r.dstaddr, ip(want[i].dstaddr));
    EXPECT_EQ(r.pkt_srcaddr, ip(want[i].pkt_srcaddr));
    EXPECT_EQ(r.pkt_dstaddr, ip(want[i].pkt_dstaddr));
    EXPECT_FALSE(r.version || r.action || r.log_status);  // not in this format
  }
}

TEST(AwsFlowLogExamples, TransitGatewayRecordsWithTheFormatInAwsSyntax) {
  auto format = parse_aws_format(
      "${version} ${interface-id} ${account-id} ${vpc-id} ${subnet-id} ${instance-id} ${srcaddr} ${dstaddr} "
      "${srcport} ${dstport} ${protocol} ${tcp-flags} ${type} ${pkt-srcaddr} ${pkt-dstaddr} ${action} "
      "${log-status}");
  ASSERT_TRUE(format) << format.error().to_string();
  const std::vector<KeptRecord> kept = read_file("transit-gateway.log", ReaderOptions{*format});
  std::vector<FlowLogRecord> records;
  for (const KeptRecord& k : kept) records.push_back(k.record);
  ASSERT_EQ(records.size(), 4u);
  struct Row {
    const char* interface_id;
    const char* subnet_id;
    bool has_instance;
    const char* srcaddr;
    const char* dstaddr;
    std::uint16_t srcport, dstport;
    std::uint16_t tcp_flags;
    const char* pkt_srcaddr;
    const char* pkt_dstaddr;
  };
  const Row want[] = {
      {"eni-33333333333333333", "subnet-22222222bbbbbbbbb", true, "10.20.33.164", "10.40.2.236", 39812, 80, 3,
       "10.20.33.164", "10.40.2.236"},
      {"eni-33333333333333333", "subnet-22222222bbbbbbbbb", true, "10.40.2.236", "10.20.33.164", 80, 39812, 19,
       "10.40.2.236", "10.20.33.164"},
      {"eni-11111111111111111", "subnet-11111111aaaaaaaaa", false, "10.40.1.175", "10.40.2.236", 39812, 80, 3,
       "10.20.33.164", "10.40.2.236"},
      {"eni-22222222222222222", "subnet-22222222bbbbbbbbb", false, "10.40.2.236", "10.40.2.31", 80, 39812, 19,
       "10.40.2.236", "10.20.33.164"},
  };
  for (std::size_t i = 0; i < records.size(); ++i) {
    SCOPED_TRACE("record " + std::to_string(i + 1));
    const FlowLogRecord& r = records[i];
    EXPECT_EQ(r.version, 3u);
    EXPECT_EQ(r.interface_id, want[i].interface_id);
    EXPECT_EQ(r.account_id, "123456789010");
    EXPECT_EQ(r.vpc_id, "vpc-abcdefab012345678");
    EXPECT_EQ(r.subnet_id, want[i].subnet_id);
    if (want[i].has_instance) {
      EXPECT_EQ(r.instance_id, "i-01234567890123456");
    } else {
      EXPECT_FALSE(r.instance_id);
    }
    EXPECT_EQ(r.srcaddr, ip(want[i].srcaddr));
    EXPECT_EQ(r.dstaddr, ip(want[i].dstaddr));
    EXPECT_EQ(r.srcport, want[i].srcport);
    EXPECT_EQ(r.dstport, want[i].dstport);
    EXPECT_EQ(r.protocol, 6);
    EXPECT_EQ(r.tcp_flags, want[i].tcp_flags);
    EXPECT_EQ(r.type, TrafficType::kIpv4);
    EXPECT_EQ(r.pkt_srcaddr, ip(want[i].pkt_srcaddr));
    EXPECT_EQ(r.pkt_dstaddr, ip(want[i].pkt_dstaddr));
    EXPECT_EQ(r.action, Action::kAccept);
    EXPECT_EQ(r.log_status, LogStatus::kOk);
  }
}

TEST(AwsFlowLogExamples, EveryExampleFileLooksLikeAFlowLog) {
  for (const char* name : {"default-format.log", "tcp-flag-sequence.log", "nat-gateway.log", "transit-gateway.log"}) {
    std::FILE* file = std::fopen(data_file(name).c_str(), "rb");
    ASSERT_NE(file, nullptr) << name;
    std::vector<std::uint8_t> head(kSniffBytes);
    head.resize(std::fread(head.data(), 1, head.size(), file));
    std::fclose(file);
    EXPECT_TRUE(looks_like_flow_log(head)) << name;
  }
}

}  // namespace
}  // namespace pfsim::flowlog
