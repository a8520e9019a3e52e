// The flow-log reader: every field type, the three ways to a format, gzip (one member or
// several, truncated, corrupt), streaming across its buffers, the located error of every
// malformed record, and the sniff that tells flow logs from captures.
#include "flowlog/reader.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "tests/temp_dir.h"

namespace pfsim::flowlog {
namespace {

using test_support::TempDirTest;

std::span<const std::uint8_t> bytes_of(const std::string& text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

// `text` compressed as one gzip member (RFC 1952), as AWS delivers files to S3.
std::string gzip(const std::string& text) {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&zs, static_cast<uLong>(text.size())) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  zs.avail_in = static_cast<uInt>(text.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

net::Result<FlowLogReader> reader_of(const std::string& bytes, ReaderOptions options = {}) {
  return FlowLogReader::from_bytes(bytes_of(bytes), "flows.log", std::move(options));
}

// Every record of `bytes`, or the first error's text.
struct ReadAll {
  std::vector<FlowLogRecord> records;  // text fields dropped: they would outlive the reader's buffer
  std::string error;
};
ReadAll read_all(FlowLogReader& reader) {
  ReadAll out;
  FlowLogRecord record;
  while (true) {
    auto more = reader.next(record);
    if (!more) {
      out.error = more.error().to_string();
      return out;
    }
    if (!*more) return out;
    out.records.push_back(record);
    out.records.back().account_id.reset();
    out.records.back().interface_id.reset();
  }
}

std::string error_of(const std::string& bytes, ReaderOptions options = {}) {
  auto reader = reader_of(bytes, std::move(options));
  if (!reader) return reader.error().to_string();
  return read_all(*reader).error;
}

const char* const kSsh =
    "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 "
    "ACCEPT OK\n";

std::string every_field_format() {
  std::string out;
  for (const FieldInfo& info : all_fields()) out += (out.empty() ? "${" : " ${") + std::string(info.name) + "}";
  return out;
}

TEST(FlowLogReader, ParsesEveryFieldType) {
  auto format = parse_aws_format(every_field_format());
  ASSERT_TRUE(format);
  // One value per field, in the table's order.
  const std::string line =
      "7 123456789010 eni-0a1b2c3d4e5f60718 10.0.1.5 2001:db8::7 443 65535 17 18446744073709551615 1500 "
      "1700000000 1700000060 REJECT OK vpc-0123 subnet-0456 i-0789 19 IPv6 192.0.2.1 2001:db8::8 "
      "us-east-1 use1-az1 outpost op-0abc AMAZON S3 egress 8 "
      "arn:aws:ecs:us-east-1:123456789010:cluster/c1 c1 arn:aws:ecs:us-east-1:123456789010:container-instance/ci "
      "ci-id 0a1b 2c3d svc arn:aws:ecs:us-east-1:123456789010:task-definition/td:1 "
      "arn:aws:ecs:us-east-1:123456789010:task/t1 t1 BPA vpc-0123 2";
  FlowLogRecord r;
  ASSERT_TRUE(parse_record(line, *format, r));
  EXPECT_EQ(r.version, 7u);
  EXPECT_EQ(r.account_id, "123456789010");
  EXPECT_EQ(r.interface_id, "eni-0a1b2c3d4e5f60718");
  EXPECT_EQ(r.srcaddr, (net::IpAddress{net::Family::kIpv4, net::ip4(10, 0, 1, 5)}));
  EXPECT_EQ(r.dstaddr, *net::parse_address("2001:db8::7"));
  EXPECT_EQ(r.dstaddr->family, net::Family::kIpv6);
  EXPECT_EQ(r.srcport, 443);
  EXPECT_EQ(r.dstport, 65535);
  EXPECT_EQ(r.protocol, 17);
  EXPECT_EQ(r.packets, 18446744073709551615u);
  EXPECT_EQ(r.bytes, 1500u);
  EXPECT_EQ(r.start_s, 1700000000);
  EXPECT_EQ(r.end_s, 1700000060);
  EXPECT_EQ(r.action, Action::kReject);
  EXPECT_EQ(r.log_status, LogStatus::kOk);
  EXPECT_EQ(r.vpc_id, "vpc-0123");
  EXPECT_EQ(r.subnet_id, "subnet-0456");
  EXPECT_EQ(r.instance_id, "i-0789");
  EXPECT_EQ(r.tcp_flags, 19);
  EXPECT_EQ(r.type, TrafficType::kIpv6);
  EXPECT_EQ(r.pkt_srcaddr, *net::parse_address("192.0.2.1"));
  EXPECT_EQ(r.pkt_dstaddr, *net::parse_address("2001:db8::8"));
  EXPECT_EQ(r.region, "us-east-1");
  EXPECT_EQ(r.az_id, "use1-az1");
  EXPECT_EQ(r.sublocation_type, "outpost");
  EXPECT_EQ(r.sublocation_id, "op-0abc");
  EXPECT_EQ(r.pkt_src_aws_service, "AMAZON");
  EXPECT_EQ(r.pkt_dst_aws_service, "S3");
  EXPECT_EQ(r.flow_direction, FlowDirection::kEgress);
  EXPECT_EQ(r.traffic_path, 8);
  EXPECT_EQ(r.ecs_cluster_arn, "arn:aws:ecs:us-east-1:123456789010:cluster/c1");
  EXPECT_EQ(r.ecs_cluster_name, "c1");
  EXPECT_EQ(r.ecs_container_instance_arn, "arn:aws:ecs:us-east-1:123456789010:container-instance/ci");
  EXPECT_EQ(r.ecs_container_instance_id, "ci-id");
  EXPECT_EQ(r.ecs_container_id, "0a1b");
  EXPECT_EQ(r.ecs_second_container_id, "2c3d");
  EXPECT_EQ(r.ecs_service_name, "svc");
  EXPECT_EQ(r.ecs_task_definition_arn, "arn:aws:ecs:us-east-1:123456789010:task-definition/td:1");
  EXPECT_EQ(r.ecs_task_arn, "arn:aws:ecs:us-east-1:123456789010:task/t1");
  EXPECT_EQ(r.ecs_task_id, "t1");
  EXPECT_EQ(r.reject_reason, "BPA");
  EXPECT_EQ(r.resource_id, "vpc-0123");
  EXPECT_EQ(r.encryption_status, "2");

  // The other words of the enumerated fields.
  auto words = parse_aws_format("${action} ${log-status} ${type} ${flow-direction}");
  ASSERT_TRUE(words);
  ASSERT_TRUE(parse_record("ACCEPT NODATA IPv4 ingress", *words, r));
  EXPECT_EQ(r.action, Action::kAccept);
  EXPECT_EQ(r.log_status, LogStatus::kNoData);
  EXPECT_EQ(r.type, TrafficType::kIpv4);
  EXPECT_EQ(r.flow_direction, FlowDirection::kIngress);
  ASSERT_TRUE(parse_record("REJECT SKIPDATA EFA egress", *words, r));
  EXPECT_EQ(r.log_status, LogStatus::kSkipData);
  EXPECT_EQ(r.type, TrafficType::kEfa);
  EXPECT_EQ(log_status_name(LogStatus::kSkipData), "SKIPDATA");
  EXPECT_EQ(traffic_type_name(TrafficType::kEfa), "EFA");
  EXPECT_EQ(flow_direction_name(FlowDirection::kEgress), "egress");
  EXPECT_EQ(action_name(Action::kReject), "REJECT");
}

TEST(FlowLogReader, KeptRecordsOwnTheirText) {
  FlowLogRecord parsed;
  std::string text = "version account-id instance-id ecs-task-id encryption-status\n2 acct i-1 task-9 -\n";
  std::vector<KeptRecord> kept;
  {
    auto reader = reader_of(text);
    ASSERT_TRUE(reader);
    auto more = reader->next(parsed);
    ASSERT_TRUE(more && *more);
    kept.push_back(keep(parsed));
  }
  text.assign(text.size(), 'x');          // the bytes the reader read are gone
  KeptRecord moved = std::move(kept[0]);  // a move keeps the text in place
  EXPECT_EQ(moved.record.version, 2u);
  EXPECT_EQ(moved.record.account_id, "acct");
  EXPECT_EQ(moved.record.instance_id, "i-1");
  EXPECT_EQ(moved.record.ecs_task_id, "task-9");
  EXPECT_FALSE(moved.record.encryption_status);
  EXPECT_EQ(moved.text.size(), 13u);
}

TEST(FlowLogReader, ADashIsAnAbsentValueForEveryField) {
  auto format = parse_aws_format(every_field_format());
  ASSERT_TRUE(format);
  std::string line;
  for (std::size_t i = 0; i < kFieldCount; ++i) line += i == 0 ? "-" : " -";
  FlowLogRecord r;
  r.version = 9;  // parse_record resets every field
  ASSERT_TRUE(parse_record(line, *format, r));
  EXPECT_FALSE(r.version || r.account_id || r.interface_id || r.srcaddr || r.dstaddr || r.srcport || r.dstport ||
               r.protocol || r.packets || r.bytes || r.start_s || r.end_s || r.action || r.log_status || r.vpc_id ||
               r.subnet_id || r.instance_id || r.tcp_flags || r.type || r.pkt_srcaddr || r.pkt_dstaddr || r.region ||
               r.az_id || r.sublocation_type || r.sublocation_id || r.pkt_src_aws_service || r.pkt_dst_aws_service ||
               r.flow_direction || r.traffic_path || r.ecs_cluster_arn || r.ecs_cluster_name ||
               r.ecs_container_instance_arn || r.ecs_container_instance_id || r.ecs_container_id ||
               r.ecs_second_container_id || r.ecs_service_name || r.ecs_task_definition_arn || r.ecs_task_arn ||
               r.ecs_task_id || r.reject_reason || r.resource_id || r.encryption_status);
}

TEST(FlowLogReader, WithoutHeaderOrOptionReadsTheDefaultFormat) {
  auto reader = reader_of(std::string(kSsh) + kSsh);
  ASSERT_TRUE(reader) << reader.error().to_string();
  EXPECT_FALSE(reader->has_header_line());
  EXPECT_FALSE(reader->compressed());
  EXPECT_EQ(reader->format(), default_format());
  ReadAll all = read_all(*reader);
  ASSERT_EQ(all.error, "");
  ASSERT_EQ(all.records.size(), 2u);
  EXPECT_EQ(all.records[0].line, 1u);
  EXPECT_EQ(all.records[1].line, 2u);
  EXPECT_EQ(all.records[1].dstport, 22);
}

TEST(FlowLogReader, TakesTheFormatFromTheHeaderLine) {
  auto reader = reader_of("srcaddr dstport action\n10.0.0.1 443 ACCEPT\n10.0.0.2 80 REJECT\n");
  ASSERT_TRUE(reader) << reader.error().to_string();
  EXPECT_TRUE(reader->has_header_line());
  EXPECT_EQ(reader->format().to_header_line(), "srcaddr dstport action");
  ReadAll all = read_all(*reader);
  ASSERT_EQ(all.error, "");
  ASSERT_EQ(all.records.size(), 2u);
  EXPECT_EQ(all.records[0].line, 2u);
  EXPECT_EQ(all.records[1].srcaddr, *net::parse_address("10.0.0.2"));
  EXPECT_EQ(all.records[1].action, Action::kReject);
  EXPECT_FALSE(all.records[1].version);  // not in the format
}

TEST(FlowLogReader, TakesTheGivenFormatAndChecksItAgainstAHeader) {
  ReaderOptions options{*parse_aws_format("${dstport} ${srcaddr}")};
  auto reader = reader_of("443 10.0.0.1\n", options);
  ASSERT_TRUE(reader);
  EXPECT_FALSE(reader->has_header_line());
  ReadAll all = read_all(*reader);
  ASSERT_EQ(all.records.size(), 1u);
  EXPECT_EQ(all.records[0].dstport, 443);

  auto same = reader_of("dstport srcaddr\n443 10.0.0.1\n", options);
  ASSERT_TRUE(same);
  EXPECT_TRUE(same->has_header_line());

  EXPECT_EQ(error_of("srcaddr dstport\n10.0.0.1 443\n", options),
            "flows.log:1: error: the header line's format (${srcaddr} ${dstport}) is not the one given "
            "(${dstport} ${srcaddr})");
}

TEST(FlowLogReader, PassesOverBlankLinesAndCarriageReturns) {
  auto reader = reader_of("\n  \nversion srcport\r\n2 80\r\n\r\n\n2 81");
  ASSERT_TRUE(reader) << reader.error().to_string();
  EXPECT_TRUE(reader->has_header_line());
  ReadAll all = read_all(*reader);
  ASSERT_EQ(all.error, "");
  ASSERT_EQ(all.records.size(), 2u);
  EXPECT_EQ(all.records[0].line, 4u);
  EXPECT_EQ(all.records[1].line, 7u);
  EXPECT_EQ(all.records[1].srcport, 81);
}

TEST(FlowLogReader, AnEmptyFileHasNoRecord) {
  auto reader = reader_of("");
  ASSERT_TRUE(reader);
  EXPECT_EQ(reader->format(), default_format());
  ReadAll all = read_all(*reader);
  EXPECT_EQ(all.error, "");
  EXPECT_TRUE(all.records.empty());
}

TEST(FlowLogReader, ReadsGzipByItsMagicBytes) {
  const std::string text = "version srcport\n2 80\n2 81\n";
  auto reader = reader_of(gzip(text));
  ASSERT_TRUE(reader) << reader.error().to_string();
  EXPECT_TRUE(reader->compressed());
  EXPECT_TRUE(reader->has_header_line());
  ReadAll all = read_all(*reader);
  ASSERT_EQ(all.error, "");
  ASSERT_EQ(all.records.size(), 2u);
  EXPECT_EQ(all.records[1].srcport, 81);
  EXPECT_EQ(all.records[1].line, 3u);
}

TEST(FlowLogReader, ReadsEveryMemberOfAMultiMemberGzip) {
  // RFC 1952 §2.2: "A gzip file consists of a series of "members"".
  auto reader = reader_of(gzip("version srcport\n2 80\n") + gzip("2 81\n") + gzip("2 82\n"));
  ASSERT_TRUE(reader) << reader.error().to_string();
  ReadAll all = read_all(*reader);
  ASSERT_EQ(all.error, "");
  ASSERT_EQ(all.records.size(), 3u);
  EXPECT_EQ(all.records[2].srcport, 82);
}

TEST(FlowLogReader, ReportsTruncatedAndCorruptGzip) {
  std::string many;
  for (int i = 0; i < 2000; ++i) many += kSsh;
  const std::string compressed = gzip(many);
  EXPECT_EQ(error_of(compressed.substr(0, compressed.size() - 9)).rfind("flows.log:", 0), 0u);
  EXPECT_NE(error_of(compressed.substr(0, compressed.size() - 9)).find("gzip data ends early: the file is truncated"),
            std::string::npos);
  // RFC 1952 §2.3.1: CM 8 (deflate) is the only compression method.
  std::string bad_method = compressed;
  bad_method[2] = 7;
  EXPECT_EQ(error_of(bad_method), "flows.log: offset 0x4: error: corrupt gzip data: unknown compression method");
  // The CRC-32 of the data (the member's last 8 bytes hold CRC32 and ISIZE): every record is
  // delivered, then the check fails, zlib having read the CRC (offset: size - 4).
  std::string bad_crc = compressed;
  bad_crc[compressed.size() - 8] = static_cast<char>(bad_crc[compressed.size() - 8] ^ 0x55);
  auto reader = reader_of(bad_crc);
  ASSERT_TRUE(reader);
  ReadAll all = read_all(*reader);
  EXPECT_EQ(all.records.size(), 2000u);
  EXPECT_EQ(
      all.error, "flows.log: offset 0x" + [&] {
        char hex[16];
        std::snprintf(hex, sizeof hex, "%zx", compressed.size() - 4);
        return std::string(hex);
      }() + ": error: corrupt gzip data: incorrect data check");
  // Bytes after the last member that are not another member.
  EXPECT_NE(error_of(gzip(kSsh) + "garbage").find("flows.log: offset 0x"), std::string::npos)
      << error_of(gzip(kSsh) + "garbage");
}

TEST(FlowLogReader, StreamsAcrossItsBuffersWithTheSameRecordsPlainOrGzip) {
  // ~4.6 MB: several times the reader's 1 MiB text buffer and 256 KiB read buffer.
  std::string text = "version srcport dstport packets start end\n";
  const int kRecords = 150000;
  for (int i = 0; i < kRecords; ++i) {
    text += "2 " + std::to_string(i % 65536) + " 443 " + std::to_string(i) + " 1700000000 1700000060\n";
  }
  for (const std::string& bytes : {text, gzip(text)}) {
    auto reader = reader_of(bytes);
    ASSERT_TRUE(reader) << reader.error().to_string();
    FlowLogRecord record;
    std::uint64_t n = 0;
    while (true) {
      auto more = reader->next(record);
      ASSERT_TRUE(more) << more.error().to_string();
      if (!*more) break;
      ASSERT_EQ(record.packets, n);
      ASSERT_EQ(record.srcport, n % 65536);
      ASSERT_EQ(record.line, n + 2);
      ++n;
    }
    EXPECT_EQ(n, static_cast<std::uint64_t>(kRecords));
  }
}

class FlowLogReaderFiles : public TempDirTest {};

TEST_F(FlowLogReaderFiles, OpensPlainAndGzipFilesWhateverTheirNames) {
  const std::string text = std::string(kSsh) + kSsh;
  const auto plain = temp_dir_ / "flows.gz";    // a misleading name: plain text
  const auto packed = temp_dir_ / "flows.log";  // gzip without .gz
  std::ofstream(plain, std::ios::binary) << text;
  std::ofstream(packed, std::ios::binary) << gzip(text);
  for (const auto& [path, compressed] : {std::pair{plain, false}, std::pair{packed, true}}) {
    auto reader = FlowLogReader::open(path.string());
    ASSERT_TRUE(reader) << reader.error().to_string();
    EXPECT_EQ(reader->compressed(), compressed);
    EXPECT_EQ(reader->name(), path.string());
    ReadAll all = read_all(*reader);
    EXPECT_EQ(all.error, "");
    EXPECT_EQ(all.records.size(), 2u);
  }
  const std::string missing = (temp_dir_ / "missing.log").string();
  auto reader = FlowLogReader::open(missing);
  ASSERT_FALSE(reader);
  EXPECT_EQ(reader.error().to_string(), missing + ": error: cannot open: No such file or directory");
}

struct Malformed {
  const char* name;
  std::string input;
  std::string error;
};

class FlowLogReaderMalformed : public testing::TestWithParam<Malformed> {};

TEST_P(FlowLogReaderMalformed, GivesALocatedError) {
  const Malformed& bad = GetParam();
  EXPECT_EQ(error_of(bad.input), bad.error);
  EXPECT_EQ(error_of(gzip(bad.input)), bad.error) << "the same, gzip-compressed";
}

const std::string kDefaultFields =
    " (version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action "
    "log-status)";

INSTANTIATE_TEST_SUITE_P(
    All, FlowLogReaderMalformed,
    testing::Values(
        Malformed{"MissingField", std::string(kSsh) + "2 123456789010 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 5 6 ACCEPT\n",
                  "flows.log:2: error: 13 fields where the format has 14" + kDefaultFields},
        Malformed{"ExtraField", "2 123456789010 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 5 6 ACCEPT OK extra more\n",
                  "flows.log:1:64: error: 16 fields where the format has 14" + kDefaultFields},
        Malformed{"BadAddress", "2 123456789010 eni-1 10.0.0.256 10.0.0.2 1 2 6 1 1 5 6 ACCEPT OK\n",
                  "flows.log:1:22: error: srcaddr: '10.0.0.256' is not an IP address: " +
                      net::parse_address("10.0.0.256").error().message},
        Malformed{"BadIpv6Address", "2 123456789010 eni-1 10.0.0.1 2001:db8:::1 1 2 6 1 1 5 6 ACCEPT OK\n",
                  "flows.log:1:31: error: dstaddr: '2001:db8:::1' is not an IP address: " +
                      net::parse_address("2001:db8:::1").error().message},
        Malformed{"PortTooLarge", "2 123456789010 eni-1 10.0.0.1 10.0.0.2 70000 2 6 1 1 5 6 ACCEPT OK\n",
                  "flows.log:1:40: error: srcport: '70000' is not a number from 0 to 65535"},
        Malformed{"ProtocolTooLarge", "2 123456789010 eni-1 10.0.0.1 10.0.0.2 1 2 256 1 1 5 6 ACCEPT OK\n",
                  "flows.log:1:44: error: protocol: '256' is not a number from 0 to 255"},
        Malformed{"NotANumber", "2 123456789010 eni-1 10.0.0.1 10.0.0.2 1 2 6 12x 1 5 6 ACCEPT OK\n",
                  "flows.log:1:46: error: packets: '12x' is not a number from 0 to 18446744073709551615"},
        Malformed{"NegativeNumber", "2 123456789010 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 -4 5 6 ACCEPT OK\n",
                  "flows.log:1:48: error: bytes: '-4' is not a number from 0 to 18446744073709551615"},
        Malformed{"BadVersion", "v2 123456789010 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 5 6 ACCEPT OK\n",
                  "flows.log:1:1: error: version: 'v2' is not a number from 0 to 4294967295"},
        Malformed{"BadTime", "2 123456789010 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 2024-01-01 6 ACCEPT OK\n",
                  "flows.log:1:50: error: start: '2024-01-01' is not a time in Unix seconds"},
        Malformed{"EndBeforeStart",
                  "2 123456789010 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 1418530070 1418530010 ACCEPT OK\n",
                  "flows.log:1:61: error: end: 1418530010 is before start 1418530070"},
        Malformed{"BadAction", "2 123456789010 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 5 6 ALLOW OK\n",
                  "flows.log:1:54: error: action: 'ALLOW' is not ACCEPT or REJECT"},
        Malformed{"LowerCaseAction", "2 123456789010 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 5 6 accept OK\n",
                  "flows.log:1:54: error: action: 'accept' is not ACCEPT or REJECT"},
        Malformed{"BadLogStatus", "2 123456789010 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 5 6 ACCEPT FINE\n",
                  "flows.log:1:61: error: log-status: 'FINE' is not OK or NODATA or SKIPDATA"},
        Malformed{"BadType", "type\nIPv5\n", "flows.log:2:1: error: type: 'IPv5' is not IPv4 or IPv6 or EFA"},
        Malformed{"BadFlowDirection", "flow-direction\ninbound\n",
                  "flows.log:2:1: error: flow-direction: 'inbound' is not ingress or egress"},
        Malformed{"BadTcpFlags", "tcp-flags\nSYN\n",
                  "flows.log:2:1: error: tcp-flags: 'SYN' is not a number from 0 to 65535"},
        Malformed{"BadTrafficPath", "traffic-path\n300\n",
                  "flows.log:2:1: error: traffic-path: '300' is not a number from 0 to 255"},
        Malformed{"BadPktAddress", "pkt-srcaddr\nnat-gw\n",
                  "flows.log:2:1: error: pkt-srcaddr: 'nat-gw' is not an IP address: " +
                      net::parse_address("nat-gw").error().message},
        Malformed{"UnknownHeaderField", "version account-id eni-id\n2 1 eni-1\n",
                  "flows.log:1:20: error: unknown flow-log field 'eni-id' (AWS's fields: Amazon VPC User Guide, "
                  "\"Flow log records\")"},
        Malformed{"RepeatedHeaderField", "srcaddr dstaddr srcaddr\n",
                  "flows.log:1:17: error: field 'srcaddr' appears twice in the format"},
        Malformed{"LineTooLong", std::string(kSsh) + std::string(kMaxLineBytes + 10, 'x'),
                  "flows.log:2: error: line longer than 65536 bytes: not a flow-log record (is this a flow-log "
                  "file?)"}),
    [](const testing::TestParamInfo<Malformed>& param) { return std::string(param.param.name); });

TEST(FlowLogReader, StaysFailedAfterAnError) {
  auto reader = reader_of(std::string("2 x\n") + kSsh);
  ASSERT_TRUE(reader);
  FlowLogRecord record;
  auto first = reader->next(record);
  ASSERT_FALSE(first);
  auto again = reader->next(record);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().to_string(), first.error().to_string());
}

TEST(FlowLogSniff, TellsFlowLogsFromCaptures) {
  EXPECT_TRUE(looks_like_flow_log(bytes_of(kSsh)));
  EXPECT_TRUE(looks_like_flow_log(bytes_of(default_format().to_header_line() + "\r\n" + kSsh)));
  EXPECT_TRUE(looks_like_flow_log(bytes_of(gzip(std::string(kSsh) + kSsh))));
  std::string long_text;
  for (int i = 0; i < 100; ++i) long_text += kSsh;
  EXPECT_TRUE(looks_like_flow_log(bytes_of(gzip(long_text))));  // only its first bytes are given
  EXPECT_TRUE(looks_like_flow_log(bytes_of(gzip(long_text)).first(kSniffBytes)));

  EXPECT_FALSE(looks_like_flow_log({}));
  // Classic pcap (both byte orders, micro- and nanosecond) and pcapng section header magics.
  const std::vector<std::vector<std::uint8_t>> captures = {{0xd4, 0xc3, 0xb2, 0xa1, 0x02, 0x00, 0x04, 0x00},
                                                           {0xa1, 0xb2, 0xc3, 0xd4, 0x00, 0x02, 0x00, 0x04},
                                                           {0x4d, 0x3c, 0xb2, 0xa1, 0x02, 0x00, 0x04, 0x00},
                                                           {0x0a, 0x0d, 0x0d, 0x0a, 0x1c, 0x00, 0x00, 0x00}};
  for (const auto& capture : captures) EXPECT_FALSE(looks_like_flow_log(capture));
  const std::string binary("\x01\x02\x00\x05", 4);
  EXPECT_FALSE(looks_like_flow_log(bytes_of(gzip(binary))));  // a gzip-compressed binary file

  // Real captures of the test data.
  for (const char* name : {"communityid-tcp.pcap", "empty.pcapng", "geneve.pcap"}) {
    std::ifstream in(std::string(PFSIM_TEST_DATA_DIR) + "/pcaps/" + name, std::ios::binary);
    std::vector<std::uint8_t> head(kSniffBytes);
    in.read(reinterpret_cast<char*>(head.data()), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<std::size_t>(in.gcount()));
    ASSERT_FALSE(head.empty()) << name;
    EXPECT_FALSE(looks_like_flow_log(head)) << name;
  }
}

}  // namespace
}  // namespace pfsim::flowlog
