#include "flowlog/format.h"

#include <array>
#include <cstddef>

#include "flowlog/internal/tokens.h"

namespace pfsim::flowlog {

namespace {

// Amazon VPC User Guide, "Flow log records", "Available fields": name and version of every
// field (versions 2-5); the ECS fields are version 7 (AWS CDK's LogFormat, aws/aws-cdk#30202:
// "VPC Flow log added several fields regarding ECS in v7"); the last three are named in AWS's
// VPC Encryption Controls guide (`--log-format '${encryption-status} ... ${reject-reason}'`)
// and VPC Block Public Access material, their version not shown by the stored copies (0).
constexpr std::array<FieldInfo, kFieldCount> kFields = {{
    {Field::kVersion, "version", 2},
    {Field::kAccountId, "account-id", 2},
    {Field::kInterfaceId, "interface-id", 2},
    {Field::kSrcAddr, "srcaddr", 2},
    {Field::kDstAddr, "dstaddr", 2},
    {Field::kSrcPort, "srcport", 2},
    {Field::kDstPort, "dstport", 2},
    {Field::kProtocol, "protocol", 2},
    {Field::kPackets, "packets", 2},
    {Field::kBytes, "bytes", 2},
    {Field::kStart, "start", 2},
    {Field::kEnd, "end", 2},
    {Field::kAction, "action", 2},
    {Field::kLogStatus, "log-status", 2},
    {Field::kVpcId, "vpc-id", 3},
    {Field::kSubnetId, "subnet-id", 3},
    {Field::kInstanceId, "instance-id", 3},
    {Field::kTcpFlags, "tcp-flags", 3},
    {Field::kType, "type", 3},
    {Field::kPktSrcAddr, "pkt-srcaddr", 3},
    {Field::kPktDstAddr, "pkt-dstaddr", 3},
    {Field::kRegion, "region", 4},
    {Field::kAzId, "az-id", 4},
    {Field::kSublocationType, "sublocation-type", 4},
    {Field::kSublocationId, "sublocation-id", 4},
    {Field::kPktSrcAwsService, "pkt-src-aws-service", 5},
    {Field::kPktDstAwsService, "pkt-dst-aws-service", 5},
    {Field::kFlowDirection, "flow-direction", 5},
    {Field::kTrafficPath, "traffic-path", 5},
    {Field::kEcsClusterArn, "ecs-cluster-arn", 7},
    {Field::kEcsClusterName, "ecs-cluster-name", 7},
    {Field::kEcsContainerInstanceArn, "ecs-container-instance-arn", 7},
    {Field::kEcsContainerInstanceId, "ecs-container-instance-id", 7},
    {Field::kEcsContainerId, "ecs-container-id", 7},
    {Field::kEcsSecondContainerId, "ecs-second-container-id", 7},
    {Field::kEcsServiceName, "ecs-service-name", 7},
    {Field::kEcsTaskDefinitionArn, "ecs-task-definition-arn", 7},
    {Field::kEcsTaskArn, "ecs-task-arn", 7},
    {Field::kEcsTaskId, "ecs-task-id", 7},
    {Field::kRejectReason, "reject-reason", 0},
    {Field::kResourceId, "resource-id", 0},
    {Field::kEncryptionStatus, "encryption-status", 0},
}};

// The default format is the version 2 fields in the table's order: the first 14.
constexpr std::size_t kDefaultFieldCount = 14;

bool looks_like_field_name(std::string_view token) noexcept {
  if (token.empty() || token[0] < 'a' || token[0] > 'z') return false;
  for (char c : token) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

// Calls visit(token, column) for each space-separated token; stops at the first error.
template <class Visit>
net::Status for_each_token(std::string_view text, Visit&& visit) {
  std::size_t pos = 0;
  while (std::optional<internal::Token> token = internal::next_token(text, pos)) {
    if (net::Status status = visit(token->text, token->column); !status) return status;
  }
  return net::Ok{};
}

net::Error column_error(std::uint32_t column, std::string message) {
  net::Error error = net::error_message(std::move(message));
  error.column = column;
  return error;
}

// Adds the field named `name` at `column` to `format`, or says why it cannot.
net::Status add_field(Format& format, std::string_view name, std::uint32_t column) {
  const std::optional<Field> field = field_by_name(name);
  if (!field) {
    return column_error(column, "unknown flow-log field '" + std::string(name) +
                                    "' (AWS's fields: Amazon VPC User Guide, \"Flow log records\")");
  }
  if (format.has(*field)) {
    return column_error(column, "field '" + std::string(name) + "' appears twice in the format");
  }
  format.fields.push_back(*field);
  return net::Ok{};
}

}  // namespace

std::span<const FieldInfo> all_fields() noexcept { return kFields; }

std::string_view field_name(Field field) noexcept { return kFields[static_cast<std::size_t>(field)].name; }

std::optional<Field> field_by_name(std::string_view name) noexcept {
  for (const FieldInfo& info : kFields) {
    if (info.name == name) return info.field;
  }
  return std::nullopt;
}

bool Format::has(Field field) const noexcept {
  for (Field f : fields) {
    if (f == field) return true;
  }
  return false;
}

std::string Format::to_aws_syntax() const {
  std::string out;
  for (Field f : fields) {
    if (!out.empty()) out += ' ';
    out += "${";
    out += field_name(f);
    out += '}';
  }
  return out;
}

std::string Format::to_header_line() const {
  std::string out;
  for (Field f : fields) {
    if (!out.empty()) out += ' ';
    out += field_name(f);
  }
  return out;
}

Format default_format() {
  Format format;
  for (std::size_t i = 0; i < kDefaultFieldCount; ++i) format.fields.push_back(kFields[i].field);
  return format;
}

net::Result<Format> parse_aws_format(std::string_view text) {
  Format format;
  net::Status status = for_each_token(text, [&](std::string_view token, std::uint32_t column) -> net::Status {
    // "${field-id}": one field per token; AWS separates them by spaces.
    if (token.size() < 4 || token.substr(0, 2) != "${" || token.back() != '}') {
      return column_error(column, "'" + std::string(token) + "' is not a field in AWS's syntax ${field-name}");
    }
    const std::string_view name = token.substr(2, token.size() - 3);
    if (name.find_first_of("${}") != std::string_view::npos) {
      return column_error(column,
                          "'" + std::string(token) + "': fields are separated by spaces, as in ${srcaddr} ${dstaddr}");
    }
    return add_field(format, name, column + 2);
  });
  if (!status) return std::move(status).error();
  if (format.fields.empty())
    return net::error_message("the flow-log format names no field (AWS: \"you must specify at least one\")");
  return format;
}

net::Result<Format> parse_header_line(std::string_view line) {
  Format format;
  net::Status status = for_each_token(
      line, [&](std::string_view token, std::uint32_t column) { return add_field(format, token, column); });
  if (!status) return std::move(status).error();
  if (format.fields.empty()) return net::error_message("the header line names no field");
  return format;
}

bool is_header_line(std::string_view line) noexcept {
  bool any_token = false;
  bool any_known = false;
  bool all_names = true;
  (void)for_each_token(line, [&](std::string_view token, std::uint32_t) -> net::Status {
    any_token = true;
    if (!looks_like_field_name(token)) {
      all_names = false;
    } else if (field_by_name(token)) {
      any_known = true;
    }
    return net::Ok{};
  });
  return any_token && all_names && any_known;
}

}  // namespace pfsim::flowlog
