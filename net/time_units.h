// net/time_units.h — the nanosecond counts of the time units pfsim converts between.
//
// Every timestamp in pfsim is an std::int64_t count of nanoseconds (capture records, packets,
// connection-tracking expiry); configuration and reports speak seconds. One definition of each
// factor, so that no part multiplies by its own spelling of 10^9.
//
// Example:
//   const std::int64_t timeout_ns = std::int64_t{entry.timeout_s} * kNsPerSecond;
#pragma once

#include <cstdint>

namespace pfsim::net {

inline constexpr std::int64_t kNsPerMicrosecond = 1'000;
inline constexpr std::int64_t kNsPerMillisecond = 1'000'000;
inline constexpr std::int64_t kNsPerSecond = 1'000'000'000;

}  // namespace pfsim::net
