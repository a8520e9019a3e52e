// pcap/packet.cc — the names users see for link types and malformed kinds.
#include "pcap/packet.h"

#include <array>
#include <cstddef>
#include <string_view>
#include <utility>

namespace pfsim::pcap {
namespace {

// The one table of malformed kinds and their report strings (STYLE.md: one table pairs each
// reason with its string). Reports and `pfsim decode` count by these strings, so they are a
// stable interface: rename a kind's enumerator freely, never its string.
constexpr std::array<std::pair<Malformed, std::string_view>, kMalformedKinds> kMalformedNames{{
    {Malformed::kNone, ""},
    {Malformed::kTruncatedLinkHeader, "truncated-link-header"},
    {Malformed::kTruncatedIpv4, "truncated-ipv4"},
    {Malformed::kBadIpv4Header, "bad-ipv4-header"},
    {Malformed::kBadIpv4Length, "bad-ipv4-length"},
    {Malformed::kTruncatedIpv6, "truncated-ipv6"},
    {Malformed::kBadIpVersion, "bad-ip-version"},
    {Malformed::kTruncatedIpv6Extension, "truncated-ipv6-extension"},
    {Malformed::kTruncatedTcp, "truncated-tcp"},
    {Malformed::kBadTcpHeader, "bad-tcp-header"},
    {Malformed::kTruncatedUdp, "truncated-udp"},
    {Malformed::kTruncatedIcmp, "truncated-icmp"},
    {Malformed::kTruncatedIcmpQuote, "truncated-icmp-quote"},
    {Malformed::kTruncatedTunnel, "truncated-tunnel"},
}};

// The table is indexed by the enumerator's value; this keeps it in step with the enum.
constexpr bool table_in_order() {
  for (std::size_t i = 0; i < kMalformedNames.size(); ++i) {
    if (static_cast<std::size_t>(kMalformedNames[i].first) != i) return false;
  }
  return true;
}
static_assert(table_in_order(), "kMalformedNames must list every Malformed kind in enum order");

}  // namespace

std::string_view link_type_name(LinkType link) noexcept {
  // libpcap's pcap_datalink_val_to_name() spellings, so users recognise them from tcpdump.
  switch (link) {
    case LinkType::kNull:
      return "NULL";
    case LinkType::kEthernet:
      return "EN10MB";
    case LinkType::kRaw:
      return "RAW";
    case LinkType::kLoop:
      return "LOOP";
    case LinkType::kLinuxSll:
      return "LINUX_SLL";
    case LinkType::kIpv4:
      return "IPV4";
    case LinkType::kIpv6:
      return "IPV6";
    case LinkType::kLinuxSll2:
      return "LINUX_SLL2";
    case LinkType::kPpp:
      return "PPP";
    case LinkType::kCiscoHdlc:
      return "C_HDLC";
  }
  return "UNKNOWN";
}

std::string_view malformed_name(Malformed kind) noexcept {
  const auto i = static_cast<std::size_t>(kind);
  return i < kMalformedNames.size() ? kMalformedNames[i].second : std::string_view{"unknown"};
}

}  // namespace pfsim::pcap
