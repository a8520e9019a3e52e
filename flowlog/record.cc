#include "flowlog/record.h"

#include <type_traits>

#include "flowlog/internal/text_fields.h"

namespace pfsim::flowlog {

// record.h promises a record that copies as plain bytes (its text fields are views).
static_assert(std::is_trivially_copyable_v<FlowLogRecord>);

KeptRecord keep(const FlowLogRecord& record) {
  KeptRecord kept;
  kept.record = record;
  std::size_t size = 0;
  for (internal::TextMember member : internal::kTextMembers) {
    if (member != nullptr && record.*member) size += (record.*member)->size();
  }
  kept.text.reserve(size);  // no reallocation below: the views stay valid
  for (internal::TextMember member : internal::kTextMembers) {
    if (member == nullptr || !(record.*member)) continue;
    const std::string_view from = *(record.*member);
    const std::size_t at = kept.text.size();
    kept.text.insert(kept.text.end(), from.begin(), from.end());
    kept.record.*member = std::string_view(kept.text.data() + at, from.size());
  }
  return kept;
}

std::string_view action_name(Action action) noexcept { return action == Action::kAccept ? "ACCEPT" : "REJECT"; }

std::string_view log_status_name(LogStatus status) noexcept {
  switch (status) {
    case LogStatus::kOk:
      return "OK";
    case LogStatus::kNoData:
      return "NODATA";
    case LogStatus::kSkipData:
      return "SKIPDATA";
  }
  return "?";
}

std::string_view traffic_type_name(TrafficType type) noexcept {
  switch (type) {
    case TrafficType::kIpv4:
      return "IPv4";
    case TrafficType::kIpv6:
      return "IPv6";
    case TrafficType::kEfa:
      return "EFA";
  }
  return "?";
}

std::string_view flow_direction_name(FlowDirection direction) noexcept {
  return direction == FlowDirection::kIngress ? "ingress" : "egress";
}

}  // namespace pfsim::flowlog
