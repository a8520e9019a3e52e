// flowlog/format.h — which fields a flow log's records carry, in which order.
//
// A Format is the ordered list of fields of one flow log. AWS fixes it when the flow log is
// created ("After you create a flow log, you cannot change its configuration or the flow log
// record format", Amazon VPC User Guide, "Flow log limitations"), so one file has one format.
// It comes from one of three places:
//   - AWS's own syntax, as given to `aws ec2 create-flow-logs --log-format` and as
//     `describe-flow-logs` shows it in LogFormat: "Specify the fields using the ${field-id}
//     format, separated by spaces" (EC2 API, CreateFlowLogs LogFormat):
//     parse_aws_format("${version} ${vpc-id} ${srcaddr}");
//   - the header line of field names that AWS writes at the top of each plain-text file it
//     delivers to Amazon S3 ("version account-id interface-id ..."): Athena's CREATE TABLE for
//     flow logs skips it with skip.header.line.count=1 (docs.aws.amazon.com/athena/latest/ug/
//     vpc-flow-logs-create-table-statement.html): parse_header_line(...);
//   - neither: the default format, "the version 2 fields, in the order shown in the available
//     fields table. You cannot customize or change the default format" (User Guide, "Default
//     format"): default_format().
// An unknown field name, a repeated field or an empty format is an error located by column.
//
// Every field name AWS documents is known (all_fields()): versions 2-5 from the User Guide's
// "Available fields" table, the version 7 ECS fields (AWS CDK's LogFormat, after the "Amazon
// VPC Flow Logs extends support to Amazon ECS" announcement of May 2024), and reject-reason,
// resource-id and encryption-status, which appear in AWS's own format strings (VPC Encryption
// Controls guide) but whose version the stored copies of the table do not show (version 0 below).
//
// All functions are pure and thread-safe; a Format is a small value.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "net/error.h"

namespace pfsim::flowlog {

// Every field, in the order of AWS's table (so the first 14 are the default format).
enum class Field : std::uint8_t {
  kVersion,
  kAccountId,
  kInterfaceId,
  kSrcAddr,
  kDstAddr,
  kSrcPort,
  kDstPort,
  kProtocol,
  kPackets,
  kBytes,
  kStart,
  kEnd,
  kAction,
  kLogStatus,
  kVpcId,
  kSubnetId,
  kInstanceId,
  kTcpFlags,
  kType,
  kPktSrcAddr,
  kPktDstAddr,
  kRegion,
  kAzId,
  kSublocationType,
  kSublocationId,
  kPktSrcAwsService,
  kPktDstAwsService,
  kFlowDirection,
  kTrafficPath,
  kEcsClusterArn,
  kEcsClusterName,
  kEcsContainerInstanceArn,
  kEcsContainerInstanceId,
  kEcsContainerId,
  kEcsSecondContainerId,
  kEcsServiceName,
  kEcsTaskDefinitionArn,
  kEcsTaskArn,
  kEcsTaskId,
  kRejectReason,
  kResourceId,
  kEncryptionStatus,
};
inline constexpr std::size_t kFieldCount = static_cast<std::size_t>(Field::kEncryptionStatus) + 1;

// A field's name as AWS spells it and the flow-log version that introduced it (0: not known,
// see the file comment).
struct FieldInfo {
  Field field;
  std::string_view name;
  std::uint8_t version;
};

// The table of every field, indexed by Field.
std::span<const FieldInfo> all_fields() noexcept;
std::string_view field_name(Field field) noexcept;
// The field named `name` ("pkt-srcaddr"), or nullopt when AWS defines no such field.
std::optional<Field> field_by_name(std::string_view name) noexcept;

// The ordered fields of one flow log.
struct Format {
  std::vector<Field> fields;

  bool has(Field field) const noexcept;
  // AWS's syntax: "${version} ${account-id} ...".
  std::string to_aws_syntax() const;
  // The header line AWS writes to S3: "version account-id ...".
  std::string to_header_line() const;
  friend bool operator==(const Format&, const Format&) = default;
};

// The default format (version 2): version account-id interface-id srcaddr dstaddr srcport
// dstport protocol packets bytes start end action log-status.
Format default_format();

// Parses AWS's syntax, "${field} ${field} ...", fields separated by spaces. Errors carry the
// 1-based column in `text` and no file (the caller names the source: an option, a file).
net::Result<Format> parse_aws_format(std::string_view text);

// Parses a header line of field names separated by spaces, as AWS writes to S3. Errors carry
// the column; the caller adds file and line.
net::Result<Format> parse_header_line(std::string_view line);

// True when `line` is a header line rather than a record: every space-separated token looks
// like a field name (lower-case letters, digits and '-', starting with a letter) and at least
// one is a field AWS defines. No record can pass: a record's values are numbers, '-',
// addresses, upper-case words (ACCEPT, OK, IPv4), or identifiers ("eni-...", "us-east-1",
// "ingress") none of which is a field name. A header with a field unknown to pfsim still
// counts as a header (so parse_header_line() names the unknown field) when one other field is
// known.
bool is_header_line(std::string_view line) noexcept;

}  // namespace pfsim::flowlog
