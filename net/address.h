// net/address.h — IP addresses, address ranges and port ranges: the value types that the
// classifier, the capture reader and the engine share.
//
// Key idea: both families live in one 128-bit unsigned space (Ip128). An IPv4 address is the
// value 0..2^32-1 (not the IPv4-mapped IPv6 form); the Family that travels beside it keeps
// the two spaces apart, so 0.0.0.0/0 never matches IPv6 and ::/0 never matches IPv4.
// Ranges are inclusive on both ends, so the full space is representable.
//
// Example:
//   auto p = parse_prefix("10.0.0.0/8");          // Result<IpRange>
//   if (p && p->range.contains(ip4(10, 1, 2, 3))) ...
//   format_range(p->family, p->range) == "10.0.0.0/8"
//
// All functions are pure and thread-safe.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "net/error.h"

namespace pfsim::net {

enum class Family : std::uint8_t { kIpv4 = 4, kIpv6 = 6 };

// Number of address bits in a family: 32 or 128.
constexpr unsigned address_bits(Family f) noexcept { return f == Family::kIpv4 ? 32u : 128u; }

// A 128-bit unsigned integer in host order, ordered numerically (hi word first).
struct Ip128 {
  std::uint64_t hi = 0;
  std::uint64_t lo = 0;
  friend constexpr auto operator<=>(const Ip128&, const Ip128&) = default;
};

constexpr Ip128 ip4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) noexcept {
  return Ip128{0, (std::uint64_t{a} << 24) | (std::uint64_t{b} << 16) | (std::uint64_t{c} << 8) | d};
}
constexpr Ip128 ip4(std::uint32_t v) noexcept { return Ip128{0, v}; }

// The largest address of a family: 2^32-1 or 2^128-1.
constexpr Ip128 max_address(Family f) noexcept {
  return f == Family::kIpv4 ? Ip128{0, 0xffffffffu} : Ip128{~std::uint64_t{0}, ~std::uint64_t{0}};
}

// An inclusive range [lo, hi] of addresses of one family. Invariant: lo <= hi <= max_address.
struct AddressRange {
  Ip128 lo;
  Ip128 hi;
  friend constexpr bool operator==(const AddressRange&, const AddressRange&) = default;

  constexpr bool contains(Ip128 a) const noexcept { return lo <= a && a <= hi; }
  // The prefix length when the range is exactly one CIDR block of `family`, else nullopt.
  std::optional<unsigned> prefix_length(Family family) const noexcept;
  // Every address of the family.
  static AddressRange any(Family f) noexcept { return {Ip128{}, max_address(f)}; }
};

// The block of `length` leading bits of `address` (host bits are cleared). Precondition:
// length <= address_bits(family).
AddressRange prefix_range(Family family, Ip128 address, unsigned length) noexcept;

// An IPv4 or IPv6 address with its family.
struct IpAddress {
  Family family = Family::kIpv4;
  Ip128 bits;
  friend constexpr bool operator==(const IpAddress&, const IpAddress&) = default;
};

// A CIDR block or an explicit range, with its family.
struct IpRange {
  Family family = Family::kIpv4;
  AddressRange range;
  friend constexpr bool operator==(const IpRange&, const IpRange&) = default;
};

// Parses dotted-quad IPv4 ("10.0.0.1") or RFC 4291 IPv6 text ("2001:db8::1"). The error
// message says what is wrong; it carries no position (the caller adds it).
Result<IpAddress> parse_address(std::string_view text);
// Parses "ADDR/LEN" (host bits must be zero unless `allow_host_bits`) or "ADDR" (a host).
Result<IpRange> parse_prefix(std::string_view text, bool allow_host_bits = false);

std::string format_address(Family family, Ip128 address);
// "10.0.0.0/8" when the range is a block, else "10.0.0.3-10.0.0.9".
std::string format_range(Family family, const AddressRange& range);

// An inclusive range of 16-bit values: transport ports, or ICMP type/code (see classifier/rule.h).
struct PortRange {
  std::uint16_t lo = 0;
  std::uint16_t hi = 65535;
  friend constexpr bool operator==(const PortRange&, const PortRange&) = default;

  constexpr bool contains(std::uint16_t v) const noexcept { return lo <= v && v <= hi; }
  constexpr bool is_any() const noexcept { return lo == 0 && hi == 65535; }
  static constexpr PortRange any() noexcept { return {0, 65535}; }
  static constexpr PortRange single(std::uint16_t v) noexcept { return {v, v}; }
};

}  // namespace pfsim::net
