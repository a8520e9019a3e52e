// engine/import/scenario_writer.cc — stage 3 of the AWS import: the Scenario as YAML that
// parse_scenario() accepts (docs/scenario-format.md), with provenance comments
// (engine/import/aws_import.h).
//
// Layout: one flow map per object or rule, on its own line, with the source as a trailing
// comment (or a comment line above a block object). Order is the mapping's, which iterates
// the dump's id-sorted maps, so the same input gives the same bytes.
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "engine/import/aws_import.h"
#include "engine/model/app_protocol_name.h"
#include "net/address.h"
#include "net/format.h"
#include "net/protocols.h"

namespace pfsim::engine {
namespace {

// A YAML scalar: plain where YAML reads it back as the same text, else double-quoted (JSON's
// escapes are YAML's).
std::string scalar(const std::string& s) {
  bool plain = !s.empty();
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                    c == '_' || c == '.' || c == '/';
    plain &= ok;
  }
  if (plain && (s == "true" || s == "false" || s == "null" || s == "yes" || s == "no" || s == "on" || s == "off" ||
                s[0] == '-' || s[0] == '.'))
    plain = false;
  return plain ? s : nlohmann::json(s).dump();
}

// A comment's text on one line.
std::string comment(const std::string& s) {
  std::string out;
  for (char c : s) out += (c == '\n' || c == '\r') ? ' ' : c;
  return out;
}

std::string address_text(const net::IpAddress& a) { return scalar(net::format_address(a.family, a.bits)); }

std::string cidr_text(const net::IpRange& r) { return scalar(net::format_range(r.family, r.range)); }

std::string cidrs_text(const std::vector<net::IpRange>& cidrs) {
  std::string out = "[";
  for (std::size_t i = 0; i < cidrs.size(); ++i) out += (i ? ", " : "") + cidr_text(cidrs[i]);
  return out + "]";
}

std::string protocol_text(const ProtocolSpec& p) {
  if (p.any) return "all";
  switch (p.number) {
    case net::kProtoTcp:
    case net::kProtoUdp:
    case net::kProtoIcmp:
    case net::kProtoIcmpv6:
      return net::protocol_name(p.number);
    default:
      return std::to_string(p.number);
  }
}

class Writer {
 public:
  explicit Writer(const AwsImport& in) : in_(in), s_(in.scenario) {}

  std::string run() {
    header();
    out_ << "pfsim: 1\nprovider: aws\nname: " << scalar(s_.name) << "\n\n";
    out_ << "vpc:\n  cidr: " << cidrs_text(s_.vpc_cidrs) << "\n";
    subnets();
    acls();
    groups();
    prefix_lists();
    instances();
    load_balancers();
    target_groups();
    return out_.str();
  }

 private:
  void list_block(const char* title, const std::vector<std::string>& lines) {
    if (lines.empty()) return;
    out_ << "#\n# " << title << ":\n";
    for (const std::string& l : lines) out_ << "#   - " << comment(l) << "\n";
  }

  void header() {
    out_ << "# Imported by `pfsim import aws` from " << in_.inputs.size() << " file(s), VPC " << in_.vpc << ":\n";
    for (const std::string& f : in_.inputs) out_ << "#   " << comment(f) << "\n";
    out_ << "# Every object and rule names its source: FILE $.JSON.path (and the sgr- id or ACL rule number).\n"
            "# The `*` rules of each network ACL (32767 and 32768) are implicit in the scenario format.\n";
    list_block("Warnings", in_.warnings);
    list_block("Assumptions", in_.assumptions);
    list_block("Notes", in_.notes);
    out_ << "\n";
  }

  void subnets() {
    if (s_.subnets.empty()) return;
    out_ << "\nsubnets:\n";
    for (const Subnet& sn : s_.subnets) {
      out_ << "  - {id: " << scalar(sn.id) << ", cidr: " << cidrs_text(sn.cidrs);
      if (sn.acl != kNone) out_ << ", network_acl: " << scalar(s_.acls[sn.acl].id);
      if (sn.is_public) out_ << ", public: true";
      out_ << "}  # " << comment(sn.where.file) << "\n";
    }
  }

  void rule(const FilterRule& r, bool inbound, bool acl) {
    out_ << "      - {";
    if (acl) out_ << "rule: " << r.number << ", ";
    out_ << "protocol: " << protocol_text(r.protocol);
    if (!r.ports.empty()) {
      out_ << ", ports: ";
      const net::PortRange& p = r.ports[0];
      if (p.lo == p.hi) {
        out_ << p.lo;
      } else {
        out_ << p.lo << "-" << p.hi;
      }
    }
    if (r.icmp && r.icmp->type) {
      out_ << ", icmp: {type: " << int{*r.icmp->type};
      if (r.icmp->code) out_ << ", code: " << int{*r.icmp->code};
      out_ << "}";
    }
    out_ << ", " << (inbound ? "source" : "destination") << ": ";
    if (r.peer.kind == Peer::Kind::kCidrs && r.peer.cidrs.size() == 1 && r.peer.written.rfind("pl-", 0) != 0) {
      out_ << cidr_text(r.peer.cidrs[0]);
    } else {
      out_ << scalar(r.peer.written);
    }
    if (acl) out_ << ", action: " << (r.action == RuleAction::kAllow ? "allow" : "deny");
    if (!r.description.empty()) out_ << ", description: " << scalar(r.description);
    out_ << "}  # " << comment(r.where.file) << "\n";
  }

  void rules(const std::vector<FilterRule>& inbound, const std::vector<FilterRule>& outbound, bool acl) {
    if (!inbound.empty()) {
      out_ << "    inbound:\n";
      for (const FilterRule& r : inbound) rule(r, true, acl);
    }
    if (!outbound.empty()) {
      out_ << "    outbound:\n";
      for (const FilterRule& r : outbound) rule(r, false, acl);
    }
  }

  void acls() {
    if (s_.acls.empty()) return;
    out_ << "\nnetwork_acls:\n";
    for (const NetworkAcl& a : s_.acls) {
      out_ << "  # " << comment(a.where.file) << "\n  - id: " << scalar(a.id) << "\n";
      rules(a.inbound, a.outbound, true);
    }
  }

  void groups() {
    if (s_.groups.empty()) return;
    out_ << "\nsecurity_groups:\n";
    for (const SecurityGroup& g : s_.groups) {
      out_ << "  # " << comment(g.where.file) << "\n  - id: " << scalar(g.id) << "\n";
      rules(g.inbound, g.outbound, false);
    }
  }

  void prefix_lists() {
    if (s_.prefix_lists.empty()) return;
    out_ << "\nprefix_lists:\n";
    for (const PrefixList& p : s_.prefix_lists) {
      out_ << "  - {id: " << scalar(p.id) << ", cidrs: " << cidrs_text(p.cidrs) << "}  # " << comment(p.where.file)
           << "\n";
    }
  }

  std::string group_list(const std::vector<GroupIndex>& groups) const {
    std::string out = "[";
    for (std::size_t i = 0; i < groups.size(); ++i) out += (i ? ", " : "") + scalar(s_.groups[groups[i]].id);
    return out + "]";
  }

  void instances() {
    bool any = false;
    for (const NetworkInterface& ni : s_.interfaces) {
      if (ni.kind != NetworkInterface::Kind::kInstance) continue;
      if (!any) out_ << "\ninstances:\n";
      any = true;
      out_ << "  - {id: " << scalar(ni.id);
      if (!ni.instance.empty()) out_ << ", instance: " << scalar(ni.instance);
      out_ << ", subnet: " << scalar(s_.subnets[ni.subnet].id);
      if (ni.ipv4) out_ << ", ip: " << address_text(*ni.ipv4);
      if (ni.ipv6) out_ << ", ipv6: " << address_text(*ni.ipv6);
      if (ni.public_ip) out_ << ", public_ip: " << address_text(*ni.public_ip);
      if (!ni.groups.empty()) out_ << ", security_groups: " << group_list(ni.groups);
      const InterfaceConntrack& c = ni.conntrack;
      if (c.tcp_established_s || c.udp_stream_s || c.udp_s) {
        std::string sep;
        out_ << ", conntrack: {";
        if (c.tcp_established_s) out_ << "tcp_established_s: " << *c.tcp_established_s, sep = ", ";
        if (c.udp_stream_s) out_ << sep << "udp_stream_s: " << *c.udp_stream_s, sep = ", ";
        if (c.udp_s) out_ << sep << "udp_s: " << *c.udp_s;
        out_ << "}";
      }
      out_ << "}  # " << comment(ni.where.file) << "\n";
    }
  }

  void load_balancers() {
    if (s_.load_balancers.empty()) return;
    out_ << "\nload_balancers:\n";
    for (const LoadBalancer& lb : s_.load_balancers) {
      static constexpr const char* kTypes[] = {"application", "network", "classic"};
      out_ << "  # " << comment(lb.where.file) << "\n  - id: " << scalar(lb.id)
           << "\n    type: " << kTypes[static_cast<int>(lb.type)]
           << "\n    scheme: " << (lb.internet_facing ? "internet-facing" : "internal") << "\n";
      if (!lb.groups.empty()) out_ << "    security_groups: " << group_list(lb.groups) << "\n";
      out_ << "    nodes:\n";
      for (InterfaceIndex n : lb.nodes) {
        const NetworkInterface& node = s_.interfaces[n];
        out_ << "      - {subnet: " << scalar(s_.subnets[node.subnet].id) << ", ip: " << address_text(*node.ipv4);
        if (node.ipv6) out_ << ", ipv6: " << address_text(*node.ipv6);
        if (node.public_ip) out_ << ", public_ip: " << address_text(*node.public_ip);
        if (!node.eni.empty()) out_ << ", eni: " << scalar(node.eni);
        out_ << "}  # " << comment(node.where.file) << "\n";
      }
      if (lb.listeners.empty()) continue;
      out_ << "    listeners:\n";
      for (const Listener& l : lb.listeners) {
        out_ << "      - {protocol: " << app_protocol_name(l.protocol) << ", port: " << l.port
             << ", target_group: " << scalar(s_.target_groups[l.target_group].id);
        if (l.instance_port != 0) out_ << ", instance_port: " << l.instance_port;
        out_ << "}  # " << comment(l.where.file) << "\n";
      }
    }
  }

  std::string reported(const std::string& tg, const std::string& target, std::uint16_t port) const {
    for (const ReportedHealth& h : in_.reported_health) {
      if (h.target_group == tg && h.target == target && h.port == port)
        return "; AWS reports " + h.state + (h.reason.empty() ? "" : " (" + h.reason + ")");
    }
    return "";
  }

  void target_groups() {
    if (s_.target_groups.empty()) return;
    out_ << "\ntarget_groups:\n";
    for (const TargetGroup& tg : s_.target_groups) {
      out_ << "  # " << comment(tg.where.file) << "\n  - id: " << scalar(tg.id)
           << "\n    protocol: " << app_protocol_name(tg.protocol) << "\n    port: " << tg.port
           << "\n    target_type: " << (tg.ip_targets ? "ip" : "instance") << "\n";
      const HealthCheck& hc = tg.health_check;
      out_ << "    health_check: {protocol: " << app_protocol_name(hc.protocol)
           << ", port: " << (hc.port == 0 ? std::string("traffic-port") : std::to_string(hc.port))
           << ", interval_s: " << hc.interval_s << "}  # " << comment(tg.where.file) << " (HealthCheck*)\n";
      if (tg.preserve_client_ip)
        out_ << "    preserve_client_ip: " << (*tg.preserve_client_ip ? "true" : "false") << "\n";
      if (tg.targets.empty()) continue;
      out_ << "    targets:\n";
      for (const Target& t : tg.targets) {
        const NetworkInterface& ni = s_.interfaces[t.interface];
        const std::uint16_t port = t.port != 0 ? t.port : tg.port;
        out_ << "      - {";
        if (tg.ip_targets) {
          out_ << "ip: " << address_text(*ni.ipv4);
        } else {
          out_ << "id: " << scalar(ni.instance.empty() ? ni.id : ni.instance);
        }
        if (t.port != 0) out_ << ", port: " << t.port;
        out_ << "}  # " << comment(t.where.file) << reported(tg.id, ni.id, port) << "\n";
      }
    }
  }

  const AwsImport& in_;
  const Scenario& s_;
  std::ostringstream out_;
};

}  // namespace

std::string write_scenario_yaml(const AwsImport& imported) { return Writer(imported).run(); }

}  // namespace pfsim::engine
