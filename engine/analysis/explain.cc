// engine/analysis/explain.cc — see explain.h.
#include "engine/analysis/explain.h"

#include <charconv>
#include <optional>
#include <string>

#include "net/format.h"
#include "net/protocols.h"

namespace pfsim::engine {
namespace {

struct Cursor {
  std::string_view text;
  std::size_t at = 0;

  void skip_spaces() {
    while (at < text.size() && text[at] == ' ') ++at;
  }
  std::string_view word() {
    skip_spaces();
    const std::size_t start = at;
    while (at < text.size() && text[at] != ' ') ++at;
    return text.substr(start, at - start);
  }
  net::Error error(std::size_t column, std::string message) const {
    return net::error_message("flow \"" + std::string(text) + "\", column " + std::to_string(column + 1) + ": " +
                              std::move(message));
  }
};

std::optional<std::uint16_t> parse_u16(std::string_view s) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || value > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

// "10.0.1.5:443", "[2001:db8::1]:443", or without the port for port-less protocols.
net::Result<std::pair<net::IpAddress, std::uint16_t>> parse_endpoint(const Cursor& c, std::size_t column,
                                                                     std::string_view w, bool with_port) {
  std::string_view address = w;
  std::string_view port;
  if (with_port) {
    std::size_t colon = w.rfind(':');
    if (!w.empty() && w.front() == '[') {
      const std::size_t close = w.find(']');
      if (close == std::string_view::npos || close + 1 >= w.size() || w[close + 1] != ':')
        return c.error(column, "'" + std::string(w) + "' is not [IPv6]:port");
      address = w.substr(1, close - 1);
      port = w.substr(close + 2);
    } else if (colon == std::string_view::npos) {
      return c.error(column, "'" + std::string(w) + "' has no :port");
    } else {
      address = w.substr(0, colon);
      port = w.substr(colon + 1);
    }
  }
  auto ip = net::parse_address(address);
  if (!ip) return c.error(column, "'" + std::string(address) + "' is not an IP address");
  std::uint16_t number = 0;
  if (with_port) {
    auto p = parse_u16(port);
    if (!p) return c.error(column, "'" + std::string(port) + "' is not a port (0-65535)");
    number = *p;
  }
  return std::make_pair(*ip, number);
}

void add_step(Explanation& e, const Scenario& s, Judge& judge, std::string name, const Leg& leg, const Packet& p,
              bool reply) {
  ExplainStep step{std::move(name), p.tuple, judge.judge(leg, p, /*record_hops=*/true), ""};
  if (!step.verdict.allowed)
    if (auto fix = fix_for(s, *step.verdict.deciding, p, e.cls, reply)) step.fix = fix_text(*fix);
  e.allowed = e.allowed && step.verdict.allowed;
  e.steps.push_back(std::move(step));
}

}  // namespace

net::Result<Packet> parse_flow(std::string_view text) {
  Cursor c{text};
  c.skip_spaces();
  std::size_t column = c.at;
  const std::string_view proto_word = c.word();
  Packet p;
  net::FiveTuple& t = p.tuple;
  // Only the protocols whose legs explain can trace: ports for TCP and UDP, type and code for ICMP.
  const std::optional<std::uint8_t> proto = net::protocol_number(proto_word);
  if (!proto || !(net::is_tcp_or_udp(*proto) || net::is_icmp(*proto)))
    return c.error(column, "'" + std::string(proto_word) + "' is not a protocol (tcp, udp, icmp, icmpv6)");
  t.proto = *proto;
  const bool ports = net::is_tcp_or_udp(t.proto);

  c.skip_spaces();
  column = c.at;
  auto src = parse_endpoint(c, column, c.word(), ports);
  if (!src) return src.error();
  c.skip_spaces();
  column = c.at;
  if (c.word() != "->") return c.error(column, "expected '->' between source and destination");
  c.skip_spaces();
  column = c.at;
  auto dst = parse_endpoint(c, column, c.word(), ports);
  if (!dst) return dst.error();
  if (src->first.family != dst->first.family)
    return c.error(column, "source and destination are of different IP versions");
  if (net::is_icmp(t.proto) && t.proto != net::icmp_protocol(src->first.family))
    return c.error(
        0, t.proto == net::kProtoIcmp ? "icmp needs IPv4 addresses (use icmpv6)" : "icmpv6 needs IPv6 addresses");
  t.family = src->first.family;
  t.src = src->first.bits;
  t.dst = dst->first.bits;
  t.sport = src->second;
  t.dport = dst->second;
  if (!ports) {
    // "type N code M" (default: echo request).
    t.sport = net::icmp_echo_request_type(t.proto);
    while (true) {
      c.skip_spaces();
      column = c.at;
      const std::string_view key = c.word();
      if (key.empty()) break;
      c.skip_spaces();
      const std::size_t value_column = c.at;
      auto value = parse_u16(c.word());
      if (!value || *value > 255)
        return c.error(value_column, "expected a number 0-255 after '" + std::string(key) + "'");
      if (key == "type")
        t.sport = *value;
      else if (key == "code")
        t.dport = *value;
      else
        return c.error(column, "unexpected '" + std::string(key) + "' (expected type or code)");
    }
  }
  c.skip_spaces();
  if (c.at != text.size()) return c.error(c.at, "unexpected text after the flow");
  if (t.proto == net::kProtoTcp) p.tcp_flags = kTcpSyn;
  p.is_icmp_error = net::is_icmp_error_type(t.proto, t.sport);
  return p;
}

net::Result<Explanation> explain_flow(const Scenario& s, const PolicySet& policies, const Packet& flow) {
  ConntrackTable conntrack(s.conntrack);
  Judge judge(s, policies, conntrack);
  Explanation e;
  const net::FiveTuple& t = flow.tuple;
  const net::IpAddress dst{t.family, t.dst};
  const net::IpAddress src{t.family, t.src};
  const bool tcp = t.proto == net::kProtoTcp;

  // Through a load balancer: to a node's listener.
  if (InterfaceIndex node = lb_node_at(s, dst); node != kNone) {
    const LoadBalancer& lb = s.load_balancers[s.interfaces[node].lb];
    for (const Listener& listener : lb.listeners) {
      const bool proto_ok = (t.proto == net::kProtoTcp && uses_tcp(listener.protocol)) ||
                            (t.proto == net::kProtoUdp && uses_udp(listener.protocol));
      if (!proto_ok || listener.port != t.dport) continue;
      auto client = client_leg(s, node, listener, src, t.sport, t.proto);
      if (!client) break;
      e.cls = TrafficClass::kListener;
      e.path = "through " + lb.id + " (listener " + std::to_string(listener.port);
      Packet first = flow;
      first.tuple = client->tuple;
      add_step(e, s, judge, "client -> " + interface_name(s, node), client->leg, first, false);
      std::optional<LbLeg> backend;
      std::string target_name;
      if (listener.target_group != kNone && e.allowed) {
        const TargetGroup& group = s.target_groups[listener.target_group];
        e.path += " -> " + group.id;
        if (!group.targets.empty()) {
          const Target& target = group.targets[choose_target(t, group.targets.size())];
          target_name = s.interfaces[target.interface].id;
          e.path += ", target " + target_name;
          // A proxy's own connection uses an ephemeral port; the flow hash picks it in the ELB
          // range 1024-65535 so the same flow always maps to the same backend connection.
          const auto sport = static_cast<std::uint16_t>(1024 + choose_target(t, 65536 - 1024));
          backend = backend_leg(s, node, listener.target_group, target, &listener, src,
                                preserves_client_ip(s, s.interfaces[node].lb, listener.target_group) ? t.sport : sport,
                                target_port(s, &listener, listener.target_group, target), t.proto);
        }
      }
      e.path += ")";
      if (backend) {
        add_step(e, s, judge, interface_name(s, node) + " -> " + target_name, backend->leg,
                 make_packet(backend->tuple, 0, tcp ? kTcpSyn : 0), false);
        if (e.allowed)
          add_step(e, s, judge, "reply " + target_name + " -> " + interface_name(s, node), reversed(backend->leg),
                   make_packet(reversed(backend->tuple), 0, tcp ? kTcpSyn | kTcpAck : 0), true);
      }
      if (e.allowed)
        add_step(e, s, judge, "reply " + interface_name(s, node) + " -> client", reversed(client->leg),
                 make_packet(reversed(client->tuple), 0, tcp ? kTcpSyn | kTcpAck : 0), true);
      return e;
    }
  }

  // Direct, between the endpoints the addresses name.
  Leg leg;
  leg.from = endpoint_at(s, src);
  leg.to = endpoint_at(s, dst);
  e.path = "direct";
  if (net::is_pmtu_message(t.proto, t.sport, t.dport)) e.cls = TrafficClass::kPmtu;
  // A node to a target's health-check port is a health check.
  if (leg.from.interface != kNone && s.interfaces[leg.from.interface].kind == NetworkInterface::Kind::kLbNode) {
    const LbIndex lb = s.interfaces[leg.from.interface].lb;
    for (const Listener& listener : s.load_balancers[lb].listeners) {
      if (listener.target_group == kNone) continue;
      for (const Target& target : s.target_groups[listener.target_group].targets)
        if (target.interface == leg.to.interface && health_check_port(s, listener.target_group, target) == t.dport) {
          e.cls = TrafficClass::kHealthCheck;
          leg.classic_lb_out = s.load_balancers[lb].type == LbType::kClassic;
          leg.always_tracked = s.load_balancers[lb].type == LbType::kNetwork;
        }
    }
  }
  const std::string from =
      leg.from.interface != kNone ? interface_name(s, leg.from.interface) : net::format_address(t.family, t.src);
  const std::string to =
      leg.to.interface != kNone ? interface_name(s, leg.to.interface) : net::format_address(t.family, t.dst);
  add_step(e, s, judge, from + " -> " + to, leg, flow, false);
  const bool icmp = net::is_icmp(t.proto);
  const bool has_reply = !icmp || net::is_icmp_echo_request(t.proto, t.sport);  // ICMP: only echo has a reply
  if (e.allowed && has_reply) {
    Packet reply = make_packet(reversed(t), 0, tcp ? kTcpSyn | kTcpAck : 0);
    if (icmp) reply.tuple.sport = net::icmp_echo_reply_type(t.proto), reply.tuple.dport = 0;
    add_step(e, s, judge, "reply " + to + " -> " + from, reversed(leg), reply, true);
  }
  return e;
}

}  // namespace pfsim::engine
