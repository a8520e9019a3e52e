// The flow-log formats: AWS's ${...} syntax, S3 header lines, the default format, and the
// located errors of unknown, repeated or malformed field names.
#include "flowlog/format.h"

#include <gtest/gtest.h>

#include <string>

namespace pfsim::flowlog {
namespace {

// Every field in the table's order, in AWS's syntax and as a header line.
std::string every_field(bool aws_syntax) {
  std::string out;
  for (const FieldInfo& info : all_fields()) {
    if (!out.empty()) out += ' ';
    out += aws_syntax ? "${" + std::string(info.name) + "}" : std::string(info.name);
  }
  return out;
}

TEST(FlowLogFormat, DefaultIsTheVersion2FieldsInAwsOrder) {
  // Amazon VPC User Guide, "Flow log records", "Default format".
  EXPECT_EQ(default_format().to_header_line(),
            "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end "
            "action log-status");
  for (Field f : default_format().fields) EXPECT_EQ(all_fields()[static_cast<std::size_t>(f)].version, 2);
}

TEST(FlowLogFormat, TheTableIsIndexedByFieldAndNamesRoundTrip) {
  ASSERT_EQ(all_fields().size(), kFieldCount);
  for (std::size_t i = 0; i < kFieldCount; ++i) {
    const FieldInfo& info = all_fields()[i];
    EXPECT_EQ(static_cast<std::size_t>(info.field), i);
    EXPECT_EQ(field_by_name(info.name), info.field) << info.name;
    EXPECT_EQ(field_name(info.field), info.name);
  }
  EXPECT_EQ(field_by_name("pkt-srcaddr"), Field::kPktSrcAddr);
  EXPECT_EQ(all_fields()[static_cast<std::size_t>(Field::kTrafficPath)].version, 5);
  EXPECT_EQ(all_fields()[static_cast<std::size_t>(Field::kEcsTaskId)].version, 7);
  EXPECT_FALSE(field_by_name("srcadr"));
  EXPECT_FALSE(field_by_name("pkt_srcaddr"));  // Parquet's column spelling is not a field name
}

TEST(FlowLogFormat, ParsesAwsSyntaxWithEveryField) {
  const std::string text = every_field(true);
  auto format = parse_aws_format(text);
  ASSERT_TRUE(format) << format.error().to_string();
  ASSERT_EQ(format->fields.size(), kFieldCount);
  for (std::size_t i = 0; i < kFieldCount; ++i) EXPECT_EQ(format->fields[i], all_fields()[i].field);
  EXPECT_EQ(format->to_aws_syntax(), text);
  EXPECT_EQ(format->to_header_line(), every_field(false));
}

TEST(FlowLogFormat, ParsesTheCustomFormatOfAwsTransitGatewayExample) {
  auto format = parse_aws_format(
      "${version} ${interface-id} ${account-id} ${vpc-id} ${subnet-id} ${instance-id} ${srcaddr} ${dstaddr} "
      "${srcport} ${dstport} ${protocol} ${tcp-flags} ${type} ${pkt-srcaddr} ${pkt-dstaddr} ${action} "
      "${log-status}");
  ASSERT_TRUE(format) << format.error().to_string();
  EXPECT_EQ(format->fields.size(), 17u);
  EXPECT_EQ(format->fields[1], Field::kInterfaceId);
  EXPECT_TRUE(format->has(Field::kTcpFlags));
  EXPECT_FALSE(format->has(Field::kStart));
}

TEST(FlowLogFormat, ParsesAHeaderLineWithEveryField) {
  auto format = parse_header_line(every_field(false));
  ASSERT_TRUE(format) << format.error().to_string();
  EXPECT_EQ(format->to_aws_syntax(), every_field(true));
}

struct BadFormat {
  const char* text;
  bool aws_syntax;
  const char* error;  // Error::to_string() without a file
};

class FlowLogFormatErrors : public testing::TestWithParam<BadFormat> {};

TEST_P(FlowLogFormatErrors, AreLocatedByColumn) {
  const BadFormat& bad = GetParam();
  auto format = bad.aws_syntax ? parse_aws_format(bad.text) : parse_header_line(bad.text);
  ASSERT_FALSE(format);
  net::Error error = format.error();
  error.line = error.column != 0 ? 1 : 0;  // as a caller locating it on line 1 does
  EXPECT_EQ(error.to_string(), bad.error);
}

INSTANTIATE_TEST_SUITE_P(
    All, FlowLogFormatErrors,
    testing::Values(
        BadFormat{"${version} ${srcadr}", true,
                  "1:14: error: unknown flow-log field 'srcadr' (AWS's fields: Amazon VPC User Guide, \"Flow log "
                  "records\")"},
        BadFormat{"${srcaddr} ${dstaddr} ${srcaddr}", true, "1:25: error: field 'srcaddr' appears twice in the format"},
        BadFormat{"version ${srcaddr}", true, "1:1: error: 'version' is not a field in AWS's syntax ${field-name}"},
        BadFormat{"${srcaddr}${dstaddr}", true,
                  "1:1: error: '${srcaddr}${dstaddr}': fields are separated by spaces, as in ${srcaddr} ${dstaddr}"},
        BadFormat{"${}", true, "1:1: error: '${}' is not a field in AWS's syntax ${field-name}"},
        BadFormat{"  ", true, "error: the flow-log format names no field (AWS: \"you must specify at least one\")"},
        BadFormat{"version account-id eni-id", false,
                  "1:20: error: unknown flow-log field 'eni-id' (AWS's fields: Amazon VPC User Guide, \"Flow log "
                  "records\")"},
        BadFormat{"version version", false, "1:9: error: field 'version' appears twice in the format"}));

TEST(FlowLogFormat, TellsHeaderLinesFromRecords) {
  EXPECT_TRUE(is_header_line(default_format().to_header_line()));
  EXPECT_TRUE(is_header_line(every_field(false)));
  EXPECT_TRUE(is_header_line("instance-id interface-id srcaddr"));
  EXPECT_TRUE(is_header_line("version some-new-field"));  // so that the unknown field is named
  // AWS's records (Amazon VPC User Guide, "Flow log record examples") and other values.
  EXPECT_FALSE(is_header_line(
      "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 "
      "ACCEPT OK"));
  EXPECT_FALSE(is_header_line("- eni-1235b8ca123456789 10.0.1.5 10.0.0.220 10.0.1.5 203.0.113.5"));
  EXPECT_FALSE(is_header_line("us-east-1 use1-az1 ingress"));  // identifiers, but no field name
  EXPECT_FALSE(is_header_line("ACCEPT"));
  EXPECT_FALSE(is_header_line(""));
  EXPECT_FALSE(is_header_line("${version} ${srcaddr}"));
}

}  // namespace
}  // namespace pfsim::flowlog
