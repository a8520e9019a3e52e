// flowlog/record.h — one AWS VPC Flow Logs record, every field AWS defines, each optional.
//
// A flow-log record is AWS's summary of one flow (a 5-tuple) on one network interface over an
// aggregation interval: "By default, each record captures a network internet protocol (IP)
// traffic flow (characterized by a 5-tuple on a per network interface basis) that occurs within
// an aggregation interval" (Amazon VPC User Guide, "Flow log records"). A custom format may
// carry any subset of the fields in any order (flowlog/format.h), so every field is optional:
// nullopt when the record's format does not carry it, and nullopt too when the record carries
// '-' for it, since AWS writes "If a field is not applicable or could not be computed for a
// specific record, the record displays a '-' symbol for that entry" (same page, "Available
// fields"). Which of the two applies is the Format's has(): the reader does not invent values.
//
// Types: addresses are net::IpAddress, ports and counters are integers, times are Unix seconds
// as AWS writes them, and the fields whose values AWS enumerates and a judge needs (action,
// log-status, type, flow-direction) are enums. Identifiers and metadata (account, interface,
// VPC, subnet, instance, region, ECS fields, ...) are text, kept as AWS wrote them
// ("unknown" is a valid account-id: "If the network interface is created by an AWS service
// ... the record might display unknown for this field").
//
// Lifetime: the text fields are views into the reader's line buffer, valid until the reader
// reads the next record (flowlog/reader.h); a caller that keeps a record longer keeps it with
// keep(), which copies the text into a KeptRecord. A FlowLogRecord is trivially copyable, and
// reading one allocates nothing.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "net/address.h"

namespace pfsim::flowlog {

// "ACCEPT: The traffic was accepted. REJECT: The traffic was not accepted. For example, the
// traffic was not allowed by the security groups or network ACLs, or packets arrived after the
// connection was closed." (Amazon VPC User Guide, "Flow log records", action).
enum class Action : std::uint8_t { kAccept, kReject };

// "OK: Data is logging normally to the chosen destinations. NODATA: There was no network
// traffic to or from the network interface during the aggregation interval. SKIPDATA: Some
// flow log records were skipped during the aggregation interval." (same page, log-status).
enum class LogStatus : std::uint8_t { kOk, kNoData, kSkipData };

// "The type of traffic. The possible values are: IPv4 | IPv6 | EFA." (same page, type, v3).
enum class TrafficType : std::uint8_t { kIpv4, kIpv6, kEfa };

// "The direction of the flow with respect to the interface where traffic is captured. The
// possible values are: ingress | egress." (same page, flow-direction, v5).
enum class FlowDirection : std::uint8_t { kIngress, kEgress };

// One record. Field comments give AWS's field name and the version that introduced it.
struct FlowLogRecord {
  // Version 2: the default format's fields, in its order.
  std::optional<std::uint32_t> version;          // version
  std::optional<std::string_view> account_id;    // account-id ("unknown" possible)
  std::optional<std::string_view> interface_id;  // interface-id ("eni-...")
  std::optional<net::IpAddress> srcaddr;         // srcaddr: the ENI's primary private IPv4 for its own traffic
  std::optional<net::IpAddress> dstaddr;         // dstaddr: likewise; see pkt_dstaddr
  std::optional<std::uint16_t> srcport;          // srcport
  std::optional<std::uint16_t> dstport;          // dstport
  std::optional<std::uint8_t> protocol;          // protocol: IANA number
  std::optional<std::uint64_t> packets;          // packets
  std::optional<std::uint64_t> bytes;            // bytes
  std::optional<std::int64_t> start_s;           // start: Unix seconds, first packet of the interval
  std::optional<std::int64_t> end_s;             // end: Unix seconds, last packet; never before start
  std::optional<Action> action;                  // action
  std::optional<LogStatus> log_status;           // log-status

  // Version 3.
  std::optional<std::string_view> vpc_id;       // vpc-id
  std::optional<std::string_view> subnet_id;    // subnet-id
  std::optional<std::string_view> instance_id;  // instance-id ('-' for requester-managed ENIs)
  // tcp-flags: "TCP flags can be OR-ed during the aggregation interval" (FIN 1, SYN 2, RST 4,
  // SYN-ACK 18): an OR over the interval, not one packet's flags (net/protocols.h names them).
  std::optional<std::uint16_t> tcp_flags;
  std::optional<TrafficType> type;            // type
  std::optional<net::IpAddress> pkt_srcaddr;  // pkt-srcaddr: the packet's own source address
  std::optional<net::IpAddress> pkt_dstaddr;  // pkt-dstaddr: the packet's own destination address

  // Version 4.
  std::optional<std::string_view> region;            // region
  std::optional<std::string_view> az_id;             // az-id
  std::optional<std::string_view> sublocation_type;  // sublocation-type: wavelength | outpost | localzone
  std::optional<std::string_view> sublocation_id;    // sublocation-id

  // Version 5.
  std::optional<std::string_view> pkt_src_aws_service;  // pkt-src-aws-service (AMAZON, S3, ...)
  std::optional<std::string_view> pkt_dst_aws_service;  // pkt-dst-aws-service
  std::optional<FlowDirection> flow_direction;          // flow-direction
  // traffic-path: "The path that egress traffic takes to the destination ... If none of the
  // values apply, the field is set to -" (a small number whose meaning AWS's page tabulates;
  // the research note real-inputs-anchors.md §3 lists 1-8). Kept as the number AWS wrote.
  std::optional<std::uint8_t> traffic_path;

  // Version 7: Amazon ECS metadata ("if the traffic is from a running ECS task").
  std::optional<std::string_view> ecs_cluster_arn;
  std::optional<std::string_view> ecs_cluster_name;
  std::optional<std::string_view> ecs_container_instance_arn;
  std::optional<std::string_view> ecs_container_instance_id;
  std::optional<std::string_view> ecs_container_id;
  std::optional<std::string_view> ecs_second_container_id;
  std::optional<std::string_view> ecs_service_name;
  std::optional<std::string_view> ecs_task_definition_arn;
  std::optional<std::string_view> ecs_task_arn;
  std::optional<std::string_view> ecs_task_id;

  // Newer fields seen in AWS's own format strings (VPC Block Public Access, VPC Encryption
  // Controls); kept as text, as AWS wrote them (flowlog/format.h says what is known of them).
  std::optional<std::string_view> reject_reason;      // reject-reason
  std::optional<std::string_view> resource_id;        // resource-id
  std::optional<std::string_view> encryption_status;  // encryption-status

  // Where the record is: its 1-based line in the (decompressed) text.
  std::uint64_t line = 0;
};

// A record with its own copy of its text: record's text fields point into text. Move-only (a
// move keeps text's bytes where they are; a copy would leave the views on the original).
struct KeptRecord {
  FlowLogRecord record;
  std::vector<char> text;

  KeptRecord() = default;
  KeptRecord(KeptRecord&&) noexcept = default;
  KeptRecord& operator=(KeptRecord&&) noexcept = default;
  KeptRecord(const KeptRecord&) = delete;
  KeptRecord& operator=(const KeptRecord&) = delete;
};

// `record` with its text fields copied out of the reader's buffer (one allocation).
KeptRecord keep(const FlowLogRecord& record);

// "ACCEPT", "REJECT", ... : the spelling AWS writes, for messages and reports.
std::string_view action_name(Action action) noexcept;
std::string_view log_status_name(LogStatus status) noexcept;
std::string_view traffic_type_name(TrafficType type) noexcept;
std::string_view flow_direction_name(FlowDirection direction) noexcept;

}  // namespace pfsim::flowlog
