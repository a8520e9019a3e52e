// pcap/encode.cc — see encode.h. Every byte goes through internal::ByteWriter.
#include "pcap/encode.h"

#include <string>

#include "net/protocols.h"
#include "pcap/internal/byte_reader.h"
#include "pcap/internal/byte_writer.h"

namespace pfsim::pcap {
namespace {

// Header sizes and the IPv6 Fragment header (EtherTypes and PPP numbers: net/protocols.h).
constexpr std::size_t kEthernetBytes = 14;
constexpr std::size_t kPppoeBytes = 6;        // RFC 2516 §4, before the PPP protocol
constexpr std::size_t kPppProtocolBytes = 2;  // uncompressed (RFC 1661 §2)
constexpr std::size_t kHdlcFramingBytes = 2;  // PPP's 0xff 0x03; Cisco HDLC's address, control
constexpr std::size_t kVlanTagBytes = 4;
constexpr std::size_t kIpv4Bytes = 20;
constexpr std::size_t kIpv6Bytes = 40;
constexpr std::size_t kIpv6FragmentBytes = 8;
constexpr std::uint8_t kIpv6FragmentHeader = 44;
constexpr std::uint8_t kIpv6AuthenticationHeader = 51;
constexpr std::size_t kTcpBytes = 20;
constexpr std::size_t kUdpBytes = 8;
constexpr std::size_t kIcmpBytes = 8;        // type, code, checksum, the second word
constexpr std::size_t kMaxOptionBytes = 40;  // IPv4 IHL and TCP data offset are 4 bits of words
constexpr std::size_t kMaxLength16 = 0xffff;
constexpr std::uint16_t kIpv4DontFragment = 0x4000;
constexpr std::uint16_t kIpv4MoreFragments = 0x2000;
constexpr std::size_t kTunnelBytes = 8;                 // VXLAN and Geneve fixed headers
constexpr std::uint32_t kMaxVni = 0xffffff;             // 24 bits
constexpr std::size_t kMaxGeneveOptionsBytes = 252;     // 6 bits of 4-byte words
constexpr std::size_t kMaxGeneveOptionDataBytes = 124;  // 5 bits of 4-byte words
constexpr std::size_t kGeneveOptionHeaderBytes = 4;
constexpr std::uint8_t kVxlanFlagI = 0x08;          // RFC 7348 §5: the VNI is valid
constexpr std::uint8_t kGeneveFlagCritical = 0x40;  // RFC 8926 §3.4: C, critical options present
constexpr std::uint8_t kGeneveTypeCritical = 0x80;  // RFC 8926 §3.5: the type's high bit

// The sizes of one frame's parts, checked once before any byte is written.
struct Layout {
  std::size_t link = 0;        // Ethernet + tags, or 0
  std::size_t ip = 0;          // IPv4 header with options, or IPv6 fixed header
  std::size_t extensions = 0;  // IPv6 extension headers, fragment header included
  std::size_t transport = 0;   // TCP/UDP/ICMP header (UDP: with its tunnel header), or 0
  std::size_t payload = 0;
  std::size_t headers() const noexcept { return link + ip + extensions + transport; }
  std::size_t wire() const noexcept { return headers() + payload; }
};

bool has_transport_header(const FrameSpec& s) noexcept {
  if (s.fragment.offset_bytes > 0) return false;  // a later fragment
  return s.proto == net::kProtoTcp || s.proto == net::kProtoUdp || s.proto == net::kProtoIcmp ||
         s.proto == net::kProtoIcmpv6;
}

// Whether `options` is a sequence of whole Geneve options (RFC 8926 §3.5), and whether one of
// them is critical.
bool whole_geneve_options(std::span<const std::uint8_t> options, bool& critical) noexcept {
  critical = false;
  std::size_t at = 0;
  while (at < options.size()) {
    if (options.size() - at < kGeneveOptionHeaderBytes) return false;
    critical = critical || (options[at + 2] & kGeneveTypeCritical) != 0;
    at += kGeneveOptionHeaderBytes + std::size_t{options[at + 3] & 0x1fu} * 4;
  }
  return at == options.size();
}

net::Result<std::size_t> tunnel_bytes(const FrameSpec& s) {
  if (s.tunnel.kind == Tunnel::kNone) return std::size_t{0};
  if (s.proto != net::kProtoUdp || !has_transport_header(s))
    return net::error_message("a tunnel header needs protocol 17 (UDP)");
  if (s.tunnel.vni > kMaxVni) return net::error_message("VNI " + std::to_string(s.tunnel.vni) + " exceeds 24 bits");
  if (s.tunnel.kind == Tunnel::kVxlan) return kTunnelBytes;
  bool critical = false;
  const std::size_t options = s.tunnel.geneve_options.size();
  if (options > kMaxGeneveOptionsBytes || !whole_geneve_options(s.tunnel.geneve_options, critical))
    return net::error_message("geneve options: " + std::to_string(options) + " bytes are not whole options up to " +
                              std::to_string(kMaxGeneveOptionsBytes) + " bytes");
  return kTunnelBytes + options;
}

bool ipv6_fragment_header(const FrameSpec& s) noexcept {
  return s.family == net::Family::kIpv6 && s.fragment.is_fragment;
}

net::Result<Layout> layout_of(const FrameSpec& s) {
  const bool v4 = s.family == net::Family::kIpv4;
  Layout l;
  switch (s.link) {
    case LinkType::kEthernet:
      l.link = kEthernetBytes + kVlanTagBytes * s.vlan_tags.size() + (s.pppoe ? kPppoeBytes + kPppProtocolBytes : 0);
      break;
    case LinkType::kPpp:
      l.link = kHdlcFramingBytes + kPppProtocolBytes;
      break;
    case LinkType::kCiscoHdlc:
      l.link = kHdlcFramingBytes + 2;  // and the EtherType
      break;
    case LinkType::kRaw:
      break;
    case LinkType::kIpv4:
    case LinkType::kIpv6:
      if ((s.link == LinkType::kIpv4) != v4) {
        return net::error_message(std::string("link type ") + std::string(link_type_name(s.link)) +
                                  " cannot carry an IPv" + (v4 ? "4" : "6") + " packet");
      }
      break;
    default:
      return net::error_message("link type " + std::string(link_type_name(s.link)) + " has no encoder");
  }
  if (v4 && s.proto == net::kProtoIcmpv6) return net::error_message("protocol 58 (ICMPv6) in an IPv4 packet");
  if (!v4 && s.proto == net::kProtoIcmp) return net::error_message("protocol 1 (ICMP) in an IPv6 packet");
  if (s.fragment.offset_bytes % 8 != 0) {
    return net::error_message("fragment offset " + std::to_string(s.fragment.offset_bytes) +
                              " is not a multiple of 8 bytes");
  }
  if (v4) {
    if (s.ipv4_options.size() % 4 != 0 || s.ipv4_options.size() > kMaxOptionBytes) {
      return net::error_message("ipv4_options: " + std::to_string(s.ipv4_options.size()) +
                                " bytes is not a multiple of 4 up to 40");
    }
    l.ip = kIpv4Bytes + s.ipv4_options.size();
  } else {
    l.ip = kIpv6Bytes;
    for (std::size_t k = 0; k < s.ipv6_extensions.size(); ++k) {
      const Ipv6Extension& e = s.ipv6_extensions[k];
      const std::size_t bytes = 2 + e.body.size();
      const std::size_t unit = e.type == kIpv6AuthenticationHeader ? 4 : 8;
      const std::size_t most = unit == 4 ? 4 * (255 + 2) : 8 * (255 + 1);  // what the length byte can state
      if (bytes % unit != 0 || bytes > most) {
        return net::error_message("ipv6 extension #" + std::to_string(k + 1) + " (type " + std::to_string(e.type) +
                                  "): " + std::to_string(bytes) + " bytes is not a multiple of " +
                                  std::to_string(unit) + " up to " + std::to_string(most));
      }
      l.extensions += bytes;
    }
    if (ipv6_fragment_header(s)) l.extensions += kIpv6FragmentBytes;
  }
  if (has_transport_header(s)) {
    if (s.proto == net::kProtoTcp) {
      if (s.tcp_options.size() % 4 != 0 || s.tcp_options.size() > kMaxOptionBytes) {
        return net::error_message("tcp_options: " + std::to_string(s.tcp_options.size()) +
                                  " bytes is not a multiple of 4 up to 40");
      }
      l.transport = kTcpBytes + s.tcp_options.size();
    } else {
      l.transport = s.proto == net::kProtoUdp ? kUdpBytes : kIcmpBytes;
    }
  }
  net::Result<std::size_t> tunnel = tunnel_bytes(s);
  if (!tunnel) return std::move(tunnel).error();
  l.transport += *tunnel;
  l.payload = std::max<std::size_t>(s.payload.size(), s.payload_bytes);
  const std::size_t ip_length = l.ip + l.extensions + l.transport + l.payload;
  if (v4 && ip_length > kMaxLength16) {
    return net::error_message("IPv4 total length " + std::to_string(ip_length) + " exceeds 65535");
  }
  if (!v4 && ip_length - kIpv6Bytes > kMaxLength16) {
    return net::error_message("IPv6 payload length " + std::to_string(ip_length - kIpv6Bytes) + " exceeds 65535");
  }
  if (s.link == LinkType::kEthernet && s.pppoe && kPppProtocolBytes + ip_length > kMaxLength16) {
    return net::error_message("PPPoE length " + std::to_string(kPppProtocolBytes + ip_length) + " exceeds 65535");
  }
  return l;
}

// The sum of `bytes` as 16-bit big-endian words, not yet folded; `bytes` starts on a word.
// Read eight bytes at a time (a load and a byte swap each) and added as two 32-bit words:
// 2^16 = 1 modulo 0xffff, so a 32-bit word adds what its two halves add once folded. A
// payload's sum is most of the generator's encoding time.
std::uint64_t sum_words(std::span<const std::uint8_t> bytes) noexcept {
  internal::ByteReader r(bytes);
  std::uint64_t sum = 0;
  std::uint64_t eight = 0;
  while (r.read_u64be(eight)) sum += (eight >> 32) + (eight & 0xffffffff);
  std::uint16_t two = 0;
  while (r.read_u16be(two)) sum += two;
  std::uint8_t last = 0;
  if (r.read_u8(last)) sum += std::uint64_t{last} << 8;
  return sum;
}

std::uint16_t fold(std::uint64_t sum) noexcept {
  while ((sum >> 16) != 0) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(sum);
}

std::uint64_t sum_address(net::Family family, const net::Ip128& a) noexcept {
  if (family == net::Family::kIpv4) return ((a.lo >> 16) & 0xffff) + (a.lo & 0xffff);
  std::uint64_t sum = 0;
  for (int shift = 0; shift < 64; shift += 16) sum += ((a.hi >> shift) & 0xffff) + ((a.lo >> shift) & 0xffff);
  return sum;
}

void write_link(const FrameSpec& s, const Layout& l, internal::ByteWriter& w) noexcept {
  const bool v4 = s.family == net::Family::kIpv4;
  const std::uint16_t ethertype = v4 ? net::kEtherTypeIpv4 : net::kEtherTypeIpv6;
  const std::uint16_t ppp_protocol = v4 ? net::kPppIpv4 : net::kPppIpv6;
  switch (s.link) {
    case LinkType::kEthernet:
      w.bytes(s.dst_mac);
      w.bytes(s.src_mac);
      for (const VlanTag& tag : s.vlan_tags) {
        w.u16(tag.tpid);
        w.u16(tag.tci);
      }
      if (!s.pppoe) {
        w.u16(ethertype);
        return;
      }
      // Version 1, type 1, code 0 (session data), the session, and the PPPoE payload's length:
      // the PPP protocol and the IP packet.
      w.u16(net::kEtherTypePppoeSession);
      w.u8(0x11);
      w.u8(0x00);
      w.u16(s.pppoe_session_id);
      w.u16(static_cast<std::uint16_t>(kPppProtocolBytes + l.wire() - l.link));
      w.u16(ppp_protocol);
      return;
    case LinkType::kPpp:
      w.u8(0xff);
      w.u8(0x03);
      w.u16(ppp_protocol);
      return;
    case LinkType::kCiscoHdlc:
      w.u8(0x0f);  // unicast
      w.u8(0x00);
      w.u16(ethertype);
      return;
    default:
      return;
  }
}

void write_ipv4(const FrameSpec& s, const Layout& l, internal::ByteWriter& w) noexcept {
  const std::size_t start = w.offset();
  const auto total = static_cast<std::uint16_t>(l.ip + l.transport + l.payload);
  const auto flags = static_cast<std::uint16_t>((s.dont_fragment ? kIpv4DontFragment : 0) |
                                                (s.fragment.more ? kIpv4MoreFragments : 0));
  w.u8(static_cast<std::uint8_t>(0x40 | (l.ip / 4)));  // version 4, IHL in words
  w.u8(s.tos);
  w.u16(total);
  w.u16(s.ipv4_id);
  w.u16(static_cast<std::uint16_t>(flags | (s.fragment.offset_bytes / 8)));
  w.u8(s.ttl);
  w.u8(s.proto);
  const std::size_t checksum_at = w.offset();
  w.u16(0);
  w.u32(static_cast<std::uint32_t>(s.src.lo));
  w.u32(static_cast<std::uint32_t>(s.dst.lo));
  w.bytes(s.ipv4_options);
  w.patch16(checksum_at, static_cast<std::uint16_t>(~fold(sum_words(w.written(start, w.offset())))));
}

void write_ipv6(const FrameSpec& s, const Layout& l, internal::ByteWriter& w) noexcept {
  const std::uint8_t after_extensions = ipv6_fragment_header(s) ? kIpv6FragmentHeader : s.proto;
  const auto next_after = [&](std::size_t k) {
    return k + 1 < s.ipv6_extensions.size() ? s.ipv6_extensions[k + 1].type : after_extensions;
  };
  w.u32((6u << 28) | (std::uint32_t{s.tos} << 20) | (s.flow_label & 0xfffff));
  w.u16(static_cast<std::uint16_t>(l.extensions + l.transport + l.payload));
  w.u8(s.ipv6_extensions.empty() ? after_extensions : s.ipv6_extensions[0].type);
  w.u8(s.ttl);
  w.u64(s.src.hi);
  w.u64(s.src.lo);
  w.u64(s.dst.hi);
  w.u64(s.dst.lo);
  for (std::size_t k = 0; k < s.ipv6_extensions.size(); ++k) {
    const Ipv6Extension& e = s.ipv6_extensions[k];
    const std::size_t bytes = 2 + e.body.size();
    w.u8(next_after(k));
    // RFC 8200 §4.3: 8-octet units beyond the first 8; RFC 4302 §2.2: 4-octet units minus 2.
    w.u8(static_cast<std::uint8_t>(e.type == kIpv6AuthenticationHeader ? bytes / 4 - 2 : bytes / 8 - 1));
    w.bytes(e.body);
  }
  if (ipv6_fragment_header(s)) {  // RFC 8200 §4.5
    w.u8(s.proto);
    w.u8(0);
    w.u16(static_cast<std::uint16_t>(s.fragment.offset_bytes | (s.fragment.more ? 1 : 0)));
    w.u32(s.fragment.id);
  }
}

// The tunnel header (encode.h, TunnelSpec), checked by tunnel_bytes().
void write_tunnel(const TunnelSpec& t, internal::ByteWriter& w) noexcept {
  if (t.kind == Tunnel::kNone) return;
  if (t.kind == Tunnel::kVxlan) {
    w.u8(kVxlanFlagI);
    w.u8(0);
    w.u16(0);
    w.u32(t.vni << 8);
    return;
  }
  bool critical = false;
  whole_geneve_options(t.geneve_options, critical);
  w.u8(static_cast<std::uint8_t>(t.geneve_options.size() / 4));  // version 0
  w.u8(critical ? kGeneveFlagCritical : 0);
  w.u16(t.protocol);
  w.u32(t.vni << 8);
  w.bytes(t.geneve_options);
}

// The transport header, its checksum over the pseudo-header, the header and the payload.
void write_transport(const FrameSpec& s, const Layout& l, internal::ByteWriter& w) noexcept {
  const std::size_t start = w.offset();
  std::size_t checksum_at = 0;
  switch (s.proto) {
    case net::kProtoTcp:
      w.u16(s.sport);
      w.u16(s.dport);
      w.u32(s.seq);
      w.u32(s.ack);
      w.u16(static_cast<std::uint16_t>((l.transport / 4) << 12 | (s.tcp_flags & 0xfff)));
      w.u16(s.window);
      checksum_at = w.offset();
      w.u16(0);
      w.u16(0);  // urgent pointer
      w.bytes(s.tcp_options);
      break;
    case net::kProtoUdp:
      w.u16(s.sport);
      w.u16(s.dport);
      w.u16(static_cast<std::uint16_t>(l.transport + l.payload));
      checksum_at = w.offset();
      w.u16(0);
      write_tunnel(s.tunnel, w);
      // A tunnel over IPv4 sends no checksum (encode.h: RFC 7348 §5, RFC 8926 §3.3).
      if (s.tunnel.kind != Tunnel::kNone && s.family == net::Family::kIpv4) return;
      break;
    default:  // ICMP, ICMPv6
      w.u8(s.icmp_type);
      w.u8(s.icmp_code);
      checksum_at = w.offset();
      w.u16(0);
      w.u32(s.icmp_rest);
      break;
  }
  // Pseudo-header (RFC 9293 §3.1, RFC 768, RFC 8200 §8.1); ICMPv4 has none (RFC 792).
  const std::size_t segment = l.transport + l.payload;
  std::uint64_t sum = 0;
  if (s.proto != net::kProtoIcmp) {
    sum = sum_address(s.family, s.src) + sum_address(s.family, s.dst) + s.proto + (segment & 0xffff) + (segment >> 16);
  }
  sum += sum_words(w.written(start, w.offset())) + sum_words(s.payload);  // the zero fill adds nothing
  auto checksum = static_cast<std::uint16_t>(~fold(sum));
  if (s.proto == net::kProtoUdp && checksum == 0) checksum = 0xffff;  // RFC 768: 0 means "none"
  w.patch16(checksum_at, checksum);
}

}  // namespace

net::Result<EncodedFrame> encode_frame(const FrameSpec& spec, std::span<std::uint8_t> out) {
  net::Result<Layout> layout = layout_of(spec);
  if (!layout) return std::move(layout).error();
  const Layout& l = *layout;
  if (l.headers() > out.size()) {
    return net::error_message("headers of " + std::to_string(l.headers()) + " bytes do not fit in " +
                              std::to_string(out.size()) + " bytes");
  }
  internal::ByteWriter w(out);
  write_link(spec, l, w);
  if (spec.family == net::Family::kIpv4) {
    write_ipv4(spec, l, w);
  } else {
    write_ipv6(spec, l, w);
  }
  if (l.transport > 0) write_transport(spec, l, w);
  w.payload(spec.payload, l.payload);
  if (w.overflowed() || w.offset() != std::min(l.wire(), out.size())) {
    return net::error_message("encoder wrote " + std::to_string(w.offset()) + " bytes of a " +
                              std::to_string(l.wire()) + "-byte frame");  // a bug here, not in the spec
  }
  return EncodedFrame{l.wire(), w.offset(), l.link};
}

net::Result<EncodedFrame> append_frame(const FrameSpec& spec, std::vector<std::uint8_t>& out) {
  net::Result<Layout> layout = layout_of(spec);
  if (!layout) return std::move(layout).error();
  const std::size_t start = out.size();
  out.resize(start + layout->wire());
  net::Result<EncodedFrame> frame = encode_frame(spec, std::span<std::uint8_t>(out).subspan(start));
  if (!frame) out.resize(start);
  return frame;
}

net::Status append_geneve_option(std::uint16_t option_class, std::uint8_t type, std::span<const std::uint8_t> data,
                                 std::vector<std::uint8_t>& out) {
  if (data.size() % 4 != 0 || data.size() > kMaxGeneveOptionDataBytes)
    return net::error_message("geneve option data: " + std::to_string(data.size()) +
                              " bytes is not a multiple of 4 up to " + std::to_string(kMaxGeneveOptionDataBytes));
  out.push_back(static_cast<std::uint8_t>(option_class >> 8));
  out.push_back(static_cast<std::uint8_t>(option_class & 0xff));
  out.push_back(type);
  out.push_back(static_cast<std::uint8_t>(data.size() / 4));  // the 3 reserved bits 0
  out.insert(out.end(), data.begin(), data.end());
  return net::Ok{};
}

std::uint16_t ones_complement_sum(std::span<const std::uint8_t> bytes) noexcept { return fold(sum_words(bytes)); }

}  // namespace pfsim::pcap
