#include "engine/model/scenario.h"

#include <utility>

#include "engine/model/app_protocol_name.h"

namespace pfsim::engine {

std::string format_location(const Location& where) {
  if (where.line == 0) return where.file.empty() ? std::string("(built-in)") : where.file;
  std::string out = where.file;
  if (!out.empty()) out += ':';
  out += std::to_string(where.line);
  return out;
}

net::Error error_at(const Location& where, std::string message) {
  return net::text_error(where.file, where.line, where.column, std::move(message));
}

std::string_view app_protocol_name(AppProtocol p) noexcept {
  switch (p) {
    case AppProtocol::kHttp:
      return "HTTP";
    case AppProtocol::kHttps:
      return "HTTPS";
    case AppProtocol::kTcp:
      return "TCP";
    case AppProtocol::kUdp:
      return "UDP";
    case AppProtocol::kTcpUdp:
      return "TCP_UDP";
    case AppProtocol::kTls:
      return "TLS";
    case AppProtocol::kUdpConnect:
      return "UDP_CONNECT";
  }
  return "?";
}

bool uses_tcp(AppProtocol p) noexcept {
  switch (p) {
    case AppProtocol::kHttp:
    case AppProtocol::kHttps:
    case AppProtocol::kTcp:
    case AppProtocol::kTcpUdp:
    case AppProtocol::kTls:
      return true;
    case AppProtocol::kUdp:
    case AppProtocol::kUdpConnect:
      return false;
  }
  return false;
}

bool uses_udp(AppProtocol p) noexcept {
  return p == AppProtocol::kUdp || p == AppProtocol::kUdpConnect || p == AppProtocol::kTcpUdp;
}

SubnetIndex subnet_of(const Scenario& scenario, const net::IpAddress& address) noexcept {
  for (std::size_t i = 0; i < scenario.subnets.size(); ++i) {
    for (const net::IpRange& cidr : scenario.subnets[i].cidrs) {
      if (cidr.family == address.family && cidr.range.contains(address.bits)) return static_cast<SubnetIndex>(i);
    }
  }
  return kNone;
}

InterfaceIndex interface_at(const Scenario& scenario, const net::IpAddress& address) noexcept {
  for (std::size_t i = 0; i < scenario.interfaces.size(); ++i) {
    const NetworkInterface& eni = scenario.interfaces[i];
    if ((eni.ipv4 && *eni.ipv4 == address) || (eni.ipv6 && *eni.ipv6 == address)) return static_cast<InterfaceIndex>(i);
  }
  return kNone;
}

const TrafficMirrorSession* mirror_session_of(const Scenario& scenario, std::uint32_t vni) noexcept {
  for (const TrafficMirrorSession& session : scenario.traffic_mirror_sessions)
    if (session.vni == vni) return &session;
  return nullptr;
}

}  // namespace pfsim::engine
