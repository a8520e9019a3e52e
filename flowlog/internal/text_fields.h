// flowlog/internal/text_fields.h — which FlowLogRecord member holds each text field, for the
// parser (reader.cc) and for keep() (record.cc), so that the list exists once.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

#include "flowlog/format.h"
#include "flowlog/record.h"

namespace pfsim::flowlog::internal {

// The member of FlowLogRecord that holds each text field (nullptr: a typed field).
using TextMember = std::optional<std::string_view> FlowLogRecord::*;
inline constexpr std::array<TextMember, kFieldCount> kTextMembers = [] {
  std::array<TextMember, kFieldCount> m{};
  auto at = [&m](Field f) -> TextMember& { return m[static_cast<std::size_t>(f)]; };
  at(Field::kAccountId) = &FlowLogRecord::account_id;
  at(Field::kInterfaceId) = &FlowLogRecord::interface_id;
  at(Field::kVpcId) = &FlowLogRecord::vpc_id;
  at(Field::kSubnetId) = &FlowLogRecord::subnet_id;
  at(Field::kInstanceId) = &FlowLogRecord::instance_id;
  at(Field::kRegion) = &FlowLogRecord::region;
  at(Field::kAzId) = &FlowLogRecord::az_id;
  at(Field::kSublocationType) = &FlowLogRecord::sublocation_type;
  at(Field::kSublocationId) = &FlowLogRecord::sublocation_id;
  at(Field::kPktSrcAwsService) = &FlowLogRecord::pkt_src_aws_service;
  at(Field::kPktDstAwsService) = &FlowLogRecord::pkt_dst_aws_service;
  at(Field::kEcsClusterArn) = &FlowLogRecord::ecs_cluster_arn;
  at(Field::kEcsClusterName) = &FlowLogRecord::ecs_cluster_name;
  at(Field::kEcsContainerInstanceArn) = &FlowLogRecord::ecs_container_instance_arn;
  at(Field::kEcsContainerInstanceId) = &FlowLogRecord::ecs_container_instance_id;
  at(Field::kEcsContainerId) = &FlowLogRecord::ecs_container_id;
  at(Field::kEcsSecondContainerId) = &FlowLogRecord::ecs_second_container_id;
  at(Field::kEcsServiceName) = &FlowLogRecord::ecs_service_name;
  at(Field::kEcsTaskDefinitionArn) = &FlowLogRecord::ecs_task_definition_arn;
  at(Field::kEcsTaskArn) = &FlowLogRecord::ecs_task_arn;
  at(Field::kEcsTaskId) = &FlowLogRecord::ecs_task_id;
  at(Field::kRejectReason) = &FlowLogRecord::reject_reason;
  at(Field::kResourceId) = &FlowLogRecord::resource_id;
  at(Field::kEncryptionStatus) = &FlowLogRecord::encryption_status;
  return m;
}();

constexpr TextMember text_member(Field field) noexcept { return kTextMembers[static_cast<std::size_t>(field)]; }

}  // namespace pfsim::flowlog::internal
