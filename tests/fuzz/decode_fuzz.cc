// fuzz_decode: decode_packet on any frame. The first input byte picks the link type and whether
// tunnels are decapsulated, the rest is the frame. The decoder's contract: a named kind of
// malformation at an offset inside the frame, ports only with an IP header, a tunnel only when
// asked to decapsulate.
#include <span>
#include <string>

#include "pcap/decode.h"
#include "pcap/packet.h"
#include "tests/fuzz/fuzz_targets.h"

namespace pfsim::fuzz {
namespace {

constexpr pcap::LinkType kLinks[] = {
    pcap::LinkType::kNull,     pcap::LinkType::kEthernet, pcap::LinkType::kRaw,  pcap::LinkType::kLoop,
    pcap::LinkType::kLinuxSll, pcap::LinkType::kIpv4,     pcap::LinkType::kIpv6, pcap::LinkType::kLinuxSll2,
};
constexpr std::size_t kLinkCount = sizeof(kLinks) / sizeof(kLinks[0]);

}  // namespace

void fuzz_decode(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return;
  const std::span<const std::uint8_t> input(data, size);
  const std::uint8_t selector = input[0];
  const std::span<const std::uint8_t> frame = input.subspan(1);
  pcap::DecodeOptions options;
  options.decapsulate_tunnels = (selector & 0x80u) != 0;
  const auto p = pcap::decode_packet(kLinks[(selector & 0x7fu) % kLinkCount], frame, options);
  if (static_cast<std::size_t>(p.malformed) >= pcap::kMalformedKinds) contract_broken("decode", "unnamed malformation");
  if (p.malformed != pcap::Malformed::kNone && p.malformed_offset > frame.size())
    contract_broken("decode", "malformation offset past the frame");
  if (p.malformed == pcap::Malformed::kNone && p.malformed_offset != 0)
    contract_broken("decode", "an offset without a malformation");
  if (p.has_ports && !p.has_ip) contract_broken("decode", "ports without an IP header");
  if (p.tunnel != pcap::Tunnel::kNone && !options.decapsulate_tunnels)
    contract_broken("decode", "a tunnel decapsulated unasked");
}

}  // namespace pfsim::fuzz
