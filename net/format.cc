#include "net/format.h"

#include <array>
#include <utility>

namespace pfsim::net {
namespace {

// Protocol names as tcpdump and /etc/protocols spell them.
constexpr std::array<std::pair<std::uint8_t, std::string_view>, 7> kProtocolNames{{
    {kProtoIcmp, "icmp"},
    {kProtoTcp, "tcp"},
    {kProtoUdp, "udp"},
    {kProtoGre, "gre"},
    {kProtoEsp, "esp"},
    {kProtoIcmpv6, "icmpv6"},
    {kProtoSctp, "sctp"},
}};

// TCP flag letters by bit, FIN (bit 0) first, as net/protocols.h numbers them: FIN SYN RST PSH
// ACK URG ECE CWR AE.
constexpr std::string_view kTcpFlagLetters = "FSRPAUEWN";

}  // namespace

std::string protocol_name(std::uint8_t proto) {
  for (const auto& [number, name] : kProtocolNames) {
    if (number == proto) return std::string(name);
  }
  return "protocol " + std::to_string(proto);
}

std::optional<std::uint8_t> protocol_number(std::string_view name) noexcept {
  for (const auto& [number, known] : kProtocolNames) {
    if (known == name) return number;
  }
  return std::nullopt;
}

std::string format_endpoint(Family family, const Ip128& address, std::uint16_t port) {
  const std::string text = format_address(family, address);
  return (family == Family::kIpv6 ? "[" + text + "]" : text) + ":" + std::to_string(port);
}

std::string format_five_tuple(const FiveTuple& t) {
  std::string text = protocol_name(t.proto) + " ";
  if (is_tcp_or_udp(t.proto)) {
    return text + format_endpoint(t.family, t.src, t.sport) + " -> " + format_endpoint(t.family, t.dst, t.dport);
  }
  text += format_address(t.family, t.src) + " -> " + format_address(t.family, t.dst);
  if (is_icmp(t.proto)) text += " type " + std::to_string(t.sport) + " code " + std::to_string(t.dport);
  return text;
}

std::string tcp_flag_letters(std::uint16_t flags) {
  std::string out;
  for (std::size_t bit = 0; bit < kTcpFlagLetters.size(); ++bit) {
    if ((unsigned{flags} >> bit) & 1u) out += kTcpFlagLetters[bit];
  }
  return out;
}

}  // namespace pfsim::net
