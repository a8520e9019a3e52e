#include "pcap/flow_key.h"

#include <array>
#include <cstddef>
#include <span>
#include <tuple>
#include <utility>

#include "net/five_tuple.h"
#include "net/protocols.h"
#include "pcap/internal/sha1.h"

namespace pfsim::pcap {
namespace {

using internal::ordered_key;
using net::is_icmp;

// --- Community ID v1 (github.com/corelight/community-id-spec, README "Pseudo code") ---

// ICMP types whose messages come in request/reply pairs, with their counterparts: the
// mapping of Zeek's ICMP4_counterpart/ICMP6_counterpart, which the spec adopts. Such a
// message's "ports" are (type, counterpart type), so a request and its reply meet in one
// flow; every other type is one-way and its "ports" are (type, code).
constexpr std::array<std::pair<std::uint8_t, std::uint8_t>, 10> kIcmpv4Counterparts{{
    {8, 0},
    {0, 8},  // echo request / reply
    {13, 14},
    {14, 13},  // timestamp request / reply
    {15, 16},
    {16, 15},  // information request / reply
    {10, 9},
    {9, 10},  // router solicitation / advertisement
    {17, 18},
    {18, 17},  // address mask request / reply
}};
constexpr std::array<std::pair<std::uint8_t, std::uint8_t>, 12> kIcmpv6Counterparts{{
    {128, 129},
    {129, 128},  // echo request / reply
    {130, 131},
    {131, 130},  // multicast listener query / report
    {133, 134},
    {134, 133},  // router solicitation / advertisement
    {135, 136},
    {136, 135},  // neighbor solicitation / advertisement
    {139, 140},
    {140, 139},  // node information query / response
    {144, 145},
    {145, 144},  // home agent address discovery request / reply
}};

struct IcmpPorts {
  std::uint16_t sport;
  std::uint16_t dport;
  bool one_way;
};

IcmpPorts icmp_ports(std::uint8_t proto, std::uint8_t type, std::uint8_t code) noexcept {
  auto find = [&](const auto& table) -> IcmpPorts {
    for (const auto& [request, counterpart] : table) {
      if (request == type) return {type, counterpart, false};
    }
    return {type, code, true};
  };
  return proto == net::kProtoIcmp ? find(kIcmpv4Counterparts) : find(kIcmpv6Counterparts);
}

// The longest hash input: seed 2, two IPv6 addresses 32, proto and padding 2, ports 4.
constexpr std::size_t kMaxCommunityInput = 40;

class HashInput {
 public:
  void put_u8(std::uint8_t value) noexcept { bytes_[size_++] = value; }
  void put_u16(std::uint16_t value) noexcept {
    put_u8(static_cast<std::uint8_t>(value >> 8));
    put_u8(static_cast<std::uint8_t>(value));
  }
  void put_u64(std::uint64_t value, unsigned bytes) noexcept {
    for (unsigned i = bytes; i-- > 0;) put_u8(static_cast<std::uint8_t>(value >> (8 * i)));
  }
  // Network order: 4 bytes for IPv4, 16 for IPv6.
  void put_address(net::Family family, const net::Ip128& address) noexcept {
    if (family == net::Family::kIpv4) {
      put_u64(address.lo, 4);
    } else {
      put_u64(address.hi, 8);
      put_u64(address.lo, 8);
    }
  }
  std::span<const std::uint8_t> bytes() const noexcept { return std::span(bytes_).first(size_); }

 private:
  std::array<std::uint8_t, kMaxCommunityInput> bytes_{};
  std::size_t size_ = 0;
};

// RFC 4648 §4 base64, with padding.
std::string base64(std::span<const std::uint8_t> bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string text;
  text.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    std::size_t chunk = bytes.size() - i < 3 ? bytes.size() - i : 3;
    std::uint32_t group = std::uint32_t{bytes[i]} << 16;
    if (chunk > 1) group |= std::uint32_t{bytes[i + 1]} << 8;
    if (chunk > 2) group |= bytes[i + 2];
    text += kAlphabet[(group >> 18) & 0x3f];
    text += kAlphabet[(group >> 12) & 0x3f];
    text += chunk > 1 ? kAlphabet[(group >> 6) & 0x3f] : '=';
    text += chunk > 2 ? kAlphabet[group & 0x3f] : '=';
  }
  return text;
}

// The decoded packet a capture of header `t` gives, for the FiveTuple forms below.
DecodedPacket decoded_of(const net::FiveTuple& t) noexcept {
  DecodedPacket d;
  d.has_ip = true;
  d.family = t.family;
  d.src = t.src;
  d.dst = t.dst;
  d.proto = t.proto;
  if (net::is_tcp_or_udp(t.proto)) {
    d.has_ports = true;
    d.sport = t.sport;
    d.dport = t.dport;
  } else if (net::is_icmp(t.proto)) {
    d.has_icmp = true;
    d.icmp_type = static_cast<std::uint8_t>(t.sport);
    d.icmp_code = static_cast<std::uint8_t>(t.dport);
  }
  return d;
}

}  // namespace

// An ICMP error's quote is the offending packet as its sender sent it; ordering makes its key
// the key of that packet's flow, whichever direction the quoted packet travelled.
FlowKey internal::quoted_key(const QuotedFlow& inner) noexcept {
  if (!inner.has_ports) return ordered_key(inner.family, inner.proto, inner.src, 0, inner.dst, 0);
  // A quoted echo carries its identifier (packet.h): key it like the echo flow itself, with
  // the identifier as both ports.
  if (is_icmp(inner.proto)) {
    return ordered_key(inner.family, inner.proto, inner.src, inner.sport, inner.dst, inner.sport);
  }
  return ordered_key(inner.family, inner.proto, inner.src, inner.sport, inner.dst, inner.dport);
}

std::string community_id(const DecodedPacket& packet, std::uint16_t seed) {
  if (!packet.has_ip) return {};
  // Cut inside its IPv6 extension headers, a packet never reached its upper-layer protocol:
  // `proto` then names an extension header, which no other tool would hash.
  if (packet.malformed == Malformed::kTruncatedIpv6Extension) return {};
  net::Ip128 src = packet.src;
  net::Ip128 dst = packet.dst;
  std::uint16_t sport = 0;
  std::uint16_t dport = 0;
  bool has_ports = false;
  bool one_way = false;
  if (is_icmp(packet.proto)) {
    if (!packet.has_icmp) return {};
    IcmpPorts ports = icmp_ports(packet.proto, packet.icmp_type, packet.icmp_code);
    sport = ports.sport;
    dport = ports.dport;
    one_way = ports.one_way;
    has_ports = true;
  } else if (net::is_tcp_or_udp(packet.proto) || packet.proto == net::kProtoSctp) {
    // The spec defines these flows by their ports; without them (a later fragment, a header cut
    // short) no other tool would compute the same ID, so report none rather than a wrong one.
    if (!packet.has_ports) return {};
    sport = packet.sport;
    dport = packet.dport;
    has_ports = true;
  }
  // One-way ICMP keeps its direction; everything else puts the smaller (address, port) first.
  if (!one_way && std::tie(dst, dport) < std::tie(src, sport)) {
    std::swap(src, dst);
    std::swap(sport, dport);
  }

  HashInput input;
  input.put_u16(seed);
  input.put_address(packet.family, src);
  input.put_address(packet.family, dst);
  input.put_u8(packet.proto);
  input.put_u8(0);  // padding to a 32-bit boundary
  if (has_ports) {
    input.put_u16(sport);
    input.put_u16(dport);
  }
  return "1:" + base64(internal::sha1(input.bytes()));
}

FlowKey flow_key(const net::FiveTuple& tuple) noexcept { return *flow_key(decoded_of(tuple)); }

std::string community_id(const net::FiveTuple& tuple, std::uint16_t seed) {
  return community_id(decoded_of(tuple), seed);
}

}  // namespace pfsim::pcap
