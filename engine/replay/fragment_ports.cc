// engine/replay/fragment_ports.cc — FragmentPorts (engine/replay/internal/fragment_ports.h).
#include "engine/replay/internal/fragment_ports.h"

#include "engine/replay/internal/replay_keys.h"

namespace pfsim::engine::internal {

std::size_t FragmentPorts::FragKeyHash::operator()(const FragKey& k) const noexcept {
  return mix(k.src.hi ^ mix(k.src.lo ^ mix(k.dst.hi ^ mix(k.dst.lo ^ (std::uint64_t{k.id} << 16) ^ k.proto))));
}

bool FragmentPorts::resolve_fragment(pcap::DecodedPacket& packet) {
  const FragKey key{packet.src, packet.dst, packet.fragment.id, packet.proto, packet.family};
  if (packet.fragment.offset_bytes == 0) {
    if (packet.has_ports && packet.fragment.more) ports_[key] = {packet.sport, packet.dport};
    return false;
  }
  const auto it = ports_.find(key);
  if (it == ports_.end()) return false;
  packet.has_ports = true;
  packet.sport = it->second.first;
  packet.dport = it->second.second;
  if (!packet.fragment.more) ports_.erase(it);
  return true;
}

}  // namespace pfsim::engine::internal
