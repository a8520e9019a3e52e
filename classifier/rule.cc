#include "classifier/rule.h"

#include "net/format.h"
#include "net/protocols.h"

namespace pfsim::classifier {
namespace {

std::string rule_name(std::size_t index, const Rule& rule) {
  return "rule #" + std::to_string(index) + " (id " + std::to_string(rule.id) + ")";
}

std::string format_ports(const PortRange& r) {
  if (r.is_any()) return "any";
  if (r.lo == r.hi) return std::to_string(r.lo);
  return std::to_string(r.lo) + "-" + std::to_string(r.hi);
}

}  // namespace

net::Status validate(const RuleSet& set) {
  for (std::size_t i = 0; i < set.rules.size(); ++i) {
    const Rule& r = set.rules[i];
    const auto fail = [&](const std::string& what) { return net::error_message(rule_name(i, r) + ": " + what); };
    if (r.family != Family::kIpv4 && r.family != Family::kIpv6) return fail("unknown address family");
    const net::Ip128 top = net::max_address(r.family);
    if (r.src.hi < r.src.lo) return fail("source address range is empty");
    if (r.dst.hi < r.dst.lo) return fail("destination address range is empty");
    if (top < r.src.hi || top < r.dst.hi) return fail("address outside the IPv4 space");
    if (r.sport.hi < r.sport.lo) return fail("source port range is empty");
    if (r.dport.hi < r.dport.lo) return fail("destination port range is empty");
  }
  return net::Ok{};
}

std::string describe(const Rule& rule) {
  std::string out = rule.proto_any ? "any" : net::protocol_name(rule.proto);
  out += ' ' + net::format_range(rule.family, rule.src) + " -> " + net::format_range(rule.family, rule.dst);
  if (!rule.proto_any && net::is_icmp(rule.proto)) {
    out += " type " + format_ports(rule.sport) + " code " + format_ports(rule.dport);
  } else {
    out += " sport " + format_ports(rule.sport) + " dport " + format_ports(rule.dport);
  }
  out += rule.action == Action::kAllow ? " allow" : " deny";
  out += " prio " + std::to_string(rule.priority);
  return out;
}

}  // namespace pfsim::classifier
