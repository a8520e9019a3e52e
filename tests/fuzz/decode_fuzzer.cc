// libFuzzer target for decode_packet: the first input byte picks the link type and whether
// tunnels are decapsulated, the rest is the packet. Built with -fsanitize=fuzzer,address (and
// undefined), so any read out of bounds or undefined behaviour stops the run; the decoder's
// own contract (a named kind at an offset inside the packet) is checked with abort().
//
//   ./decode_fuzzer -max_total_time=60 corpus/
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "pcap/decode.h"
#include "pcap/packet.h"

namespace {

constexpr pfsim::pcap::LinkType kLinks[] = {
    pfsim::pcap::LinkType::kNull, pfsim::pcap::LinkType::kEthernet,  pfsim::pcap::LinkType::kRaw,
    pfsim::pcap::LinkType::kLoop, pfsim::pcap::LinkType::kLinuxSll,  pfsim::pcap::LinkType::kIpv4,
    pfsim::pcap::LinkType::kIpv6, pfsim::pcap::LinkType::kLinuxSll2,
};
constexpr std::size_t kLinkCount = sizeof(kLinks) / sizeof(kLinks[0]);

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::span<const std::uint8_t> input(data, size);
  const std::uint8_t selector = input[0];
  const std::span<const std::uint8_t> packet = input.subspan(1);
  pfsim::pcap::DecodeOptions options;
  options.decapsulate_tunnels = (selector & 0x80u) != 0;
  const auto p = pfsim::pcap::decode_packet(kLinks[(selector & 0x7fu) % kLinkCount], packet, options);
  if (static_cast<std::size_t>(p.malformed) >= pfsim::pcap::kMalformedKinds) std::abort();
  if (p.malformed != pfsim::pcap::Malformed::kNone && p.malformed_offset > packet.size()) std::abort();
  if (p.malformed == pfsim::pcap::Malformed::kNone && p.malformed_offset != 0) std::abort();
  if (p.has_ports && !p.has_ip) std::abort();
  if (p.tunnel != pfsim::pcap::Tunnel::kNone && !options.decapsulate_tunnels) std::abort();
  return 0;
}
