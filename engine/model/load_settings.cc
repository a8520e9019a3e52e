// engine/model/load_settings.cc — the settings sections of a scenario: mtu, conntrack timeouts
// and switches, and the timed events that authorize or revoke a security group rule.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>
#include <system_error>
#include <utility>

#include "engine/model/internal/scenario_reader.h"

namespace pfsim::engine {
namespace {

// conntrack.icmp_errors: related (true, the default) | rules.
constexpr yaml::Named<bool> kIcmpErrors[] = {{"related", true}, {"rules", false}};

}  // namespace

void ScenarioReader::read_mtu() {
  const Field* f = top_->get("mtu");
  if (f == nullptr) return;
  const Fields fields = check_keys(f->value, "mtu", {{"vpc"}, {"internet"}});
  // 68 is the IPv4 minimum MTU (RFC 791); 65535 the largest IPv4 packet.
  if (const Field* v = fields.get("vpc")) scenario_.mtu.vpc_bytes = number32(v->value, "mtu vpc", 68, 65535);
  if (const Field* v = fields.get("internet"))
    scenario_.mtu.internet_bytes = number32(v->value, "mtu internet", 68, 65535);
}

void ScenarioReader::read_conntrack() {
  const Field* f = top_->get("conntrack");
  if (f == nullptr) return;
  const Fields fields = check_keys(
      f->value, "conntrack",
      {{"tcp_established_s"}, {"udp_stream_s"}, {"udp_s"}, {"icmp_errors"}, {"tcp_other_s"}, {"icmp_s"}, {"other_s"}});
  ConntrackConfig& c = scenario_.conntrack;
  // Ranges of TcpEstablishedTimeout (60-432000), UdpStreamTimeout (60-180) and UdpTimeout
  // (30-60): EC2 API reference, ConnectionTrackingConfiguration / ConnectionTrackingSpecificationRequest.
  if (const Field* v = fields.get("tcp_established_s"))
    c.tcp_established_s = number32(v->value, "tcp_established_s", 60, 432000);
  if (const Field* v = fields.get("udp_stream_s")) c.udp_stream_s = number32(v->value, "udp_stream_s", 60, 180);
  if (const Field* v = fields.get("udp_s")) c.udp_s = number32(v->value, "udp_s", 30, 60);
  // Not configurable on AWS (DESIGN.md §3): simulator parameters.
  if (const Field* v = fields.get("tcp_other_s")) c.tcp_other_s = number32(v->value, "tcp_other_s", 1, 432000);
  if (const Field* v = fields.get("icmp_s")) c.icmp_s = number32(v->value, "icmp_s", 1, 432000);
  if (const Field* v = fields.get("other_s")) c.other_s = number32(v->value, "other_s", 1, 432000);
  if (const Field* v = fields.get("icmp_errors")) c.icmp_errors_related = choice(v->value, "icmp_errors", kIcmpErrors);
}

void ScenarioReader::read_events() {
  const Field* f = top_->get("events");
  if (f == nullptr) return;
  for (const YAML::Node& n : items(f->value, "events")) scenario_.events.push_back(event(n));
  // Applied in time order; events at the same time keep their order in the file.
  std::stable_sort(scenario_.events.begin(), scenario_.events.end(),
                   [](const Event& a, const Event& b) { return a.at_s < b.at_s; });
}

Event ScenarioReader::event(const YAML::Node& n) const {
  const Fields fields = check_keys(n, "event", {{"at_s"}, {"revoke"}, {"authorize"}, {"description"}});
  Event e;
  e.where = at(n);
  const Field& at_field = require(fields, "at_s", "event");
  const std::string text = scalar(at_field.value, "at_s");
  double value = -1;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value) || value < 0)
    fail(at_field.value, "at_s must be a number of seconds >= 0, got '" + yaml::shown(text) + "'");
  e.at_s = value;
  const Field* revoke = fields.get("revoke");
  const Field* authorize = fields.get("authorize");
  if ((revoke == nullptr) == (authorize == nullptr)) fail(n, "an event has one of 'revoke' or 'authorize'");
  const Field& change = revoke != nullptr ? *revoke : *authorize;
  e.authorize = authorize != nullptr;
  const Fields cf = check_keys(change.value, change.key, {{"security_group"}, {"inbound"}, {"outbound"}});
  e.group = resolve(require(cf, "security_group", change.key).value, group_names_);
  const Field* in = cf.get("inbound");
  const Field* out = cf.get("outbound");
  if ((in == nullptr) == (out == nullptr))
    fail(change.value, "'" + change.key + "' has one of 'inbound' or 'outbound' (a rule)");
  e.direction = in != nullptr ? Direction::kInbound : Direction::kOutbound;
  e.rule = group_rule((in != nullptr ? in : out)->value, e.direction);
  return e;
}

}  // namespace pfsim::engine
