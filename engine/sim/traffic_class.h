// engine/sim/traffic_class.h — the classes every report counts packets in (DESIGN.md §2):
// listener (client ↔ listener, LB ↔ target on the target port), health_check, pmtu (ICMPv4
// type 3 code 4, ICMPv6 type 2) and other. Replies belong to their flow's class.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace pfsim::engine {

enum class TrafficClass : std::uint8_t { kListener, kHealthCheck, kPmtu, kOther };
inline constexpr std::size_t kTrafficClasses = 4;

// "listener", "health_check", "pmtu", "other": the names of the JSON reports.
constexpr std::string_view class_name(TrafficClass c) noexcept {
  switch (c) {
    case TrafficClass::kListener:
      return "listener";
    case TrafficClass::kHealthCheck:
      return "health_check";
    case TrafficClass::kPmtu:
      return "pmtu";
    case TrafficClass::kOther:
      return "other";
  }
  return "other";
}

}  // namespace pfsim::engine
