#include "net/address.h"

#include <arpa/inet.h>

#include <array>
#include <string>

namespace pfsim::net {
namespace {

// Mask with the low `n` bits set, for n in [0, 64].
constexpr std::uint64_t low_bits(unsigned n) noexcept {
  return n >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << n) - 1;
}

// Mask of host bits for a prefix of `length` within a family of `bits` width, as Ip128.
Ip128 host_mask(unsigned bits, unsigned length) noexcept {
  const unsigned host = bits - length;  // number of trailing host bits
  if (host >= 64) return Ip128{low_bits(host - 64), ~std::uint64_t{0}};
  return Ip128{0, low_bits(host)};
}

}  // namespace

AddressRange prefix_range(Family family, Ip128 address, unsigned length) noexcept {
  const Ip128 m = host_mask(address_bits(family), length);
  return AddressRange{Ip128{address.hi & ~m.hi, address.lo & ~m.lo}, Ip128{address.hi | m.hi, address.lo | m.lo}};
}

std::optional<unsigned> AddressRange::prefix_length(Family family) const noexcept {
  const unsigned bits = address_bits(family);
  // The block is determined by the number of trailing bits where lo is 0 and hi is 1.
  for (unsigned length = 0; length <= bits; ++length) {
    const AddressRange block = prefix_range(family, lo, length);
    if (block.lo == lo && block.hi == hi) return length;
    if (block.lo == lo && block.hi < hi) return std::nullopt;  // longer blocks are smaller still
  }
  return std::nullopt;
}

Result<IpAddress> parse_address(std::string_view text) {
  if (text.empty()) return error_message("empty address");
  // inet_pton reads a C string: an embedded NUL would silently cut the text short.
  if (text.find('\0') != std::string_view::npos) return error_message("address contains a NUL byte");
  if (text.size() > 45) return error_message("'" + std::string(text) + "' is not an IP address");
  const std::string s(text);
  if (s.find(':') != std::string::npos) {
    std::array<unsigned char, 16> bytes{};
    if (inet_pton(AF_INET6, s.c_str(), bytes.data()) != 1) return error_message("'" + s + "' is not an IPv6 address");
    Ip128 v;
    for (int i = 0; i < 8; ++i) v.hi = (v.hi << 8) | bytes[static_cast<std::size_t>(i)];
    for (int i = 8; i < 16; ++i) v.lo = (v.lo << 8) | bytes[static_cast<std::size_t>(i)];
    return IpAddress{Family::kIpv6, v};
  }
  std::array<unsigned char, 4> bytes{};
  if (inet_pton(AF_INET, s.c_str(), bytes.data()) != 1) return error_message("'" + s + "' is not an IPv4 address");
  return IpAddress{Family::kIpv4, ip4(bytes[0], bytes[1], bytes[2], bytes[3])};
}

Result<IpRange> parse_prefix(std::string_view text, bool allow_host_bits) {
  const auto slash = text.find('/');
  auto address = parse_address(text.substr(0, slash));
  if (!address) return std::move(address).error();
  const unsigned bits = address_bits(address->family);
  unsigned length = bits;
  if (slash != std::string_view::npos) {
    const std::string_view len_text = text.substr(slash + 1);
    if (len_text.empty() || len_text.size() > 3)
      return error_message("bad prefix length in '" + std::string(text) + "'");
    length = 0;
    for (char c : len_text) {
      if (c < '0' || c > '9') return error_message("bad prefix length in '" + std::string(text) + "'");
      length = length * 10 + static_cast<unsigned>(c - '0');
    }
    if (length > bits)
      return error_message("prefix length " + std::to_string(length) + " exceeds " + std::to_string(bits) + " in '" +
                           std::string(text) + "'");
  }
  const AddressRange block = prefix_range(address->family, address->bits, length);
  if (!allow_host_bits && block.lo != address->bits)
    return error_message("'" + std::string(text) + "' has host bits set (did you mean " +
                         format_range(address->family, block) + "?)");
  return IpRange{address->family, block};
}

std::string format_address(Family family, Ip128 address) {
  if (family == Family::kIpv4) {
    const auto v = static_cast<std::uint32_t>(address.lo);
    return std::to_string(v >> 24) + '.' + std::to_string((v >> 16) & 0xff) + '.' + std::to_string((v >> 8) & 0xff) +
           '.' + std::to_string(v & 0xff);
  }
  // RFC 5952 text, written here rather than by inet_ntop, which prints any address whose top 96
  // bits are zero in the deprecated IPv4-compatible form ("::2:0" comes out as "::0.2.0.0").
  std::array<std::uint16_t, 8> words{};
  for (std::size_t i = 0; i < 4; ++i) {
    words[i] = static_cast<std::uint16_t>(address.hi >> (48 - 16 * i));
    words[4 + i] = static_cast<std::uint16_t>(address.lo >> (48 - 16 * i));
  }
  // RFC 5952 §5: IPv4-mapped addresses keep the dotted quad.
  if (address.hi == 0 && (address.lo >> 32) == 0xffff)
    return "::ffff:" + format_address(Family::kIpv4, Ip128{0, address.lo & 0xffffffffu});
  // RFC 5952 §4.2: "::" replaces the longest run of two or more zero words, the first on a tie.
  std::size_t best_start = 8;
  std::size_t best_length = 1;
  for (std::size_t i = 0; i < 8;) {
    if (words[i] != 0) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < 8 && words[j] == 0) ++j;
    if (j - i > best_length) {
      best_start = i;
      best_length = j - i;
    }
    i = j;
  }
  constexpr std::string_view kHex = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < 8; ++i) {
    if (i == best_start) {
      out += "::";
      i += best_length - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    // RFC 5952 §4.1 and §4.3: lowercase, no leading zeros.
    const unsigned word = words[i];
    bool started = false;
    for (int shift = 12; shift >= 0; shift -= 4) {
      const unsigned nibble = (word >> shift) & 0xfu;
      if (nibble != 0 || started || shift == 0) {
        out += kHex[nibble];
        started = true;
      }
    }
  }
  return out;
}

std::string format_range(Family family, const AddressRange& range) {
  if (auto length = range.prefix_length(family))
    return format_address(family, range.lo) + "/" + std::to_string(*length);
  return format_address(family, range.lo) + "-" + format_address(family, range.hi);
}

}  // namespace pfsim::net
