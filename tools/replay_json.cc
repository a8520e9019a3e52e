// tools/replay_json.cc — the JSON codec of a replay report (tools/replay_json.h).
#include "tools/replay_json.h"

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace pfsim::tools {
namespace {

using engine::TrafficClass;
using Json = nlohmann::json;

nlohmann::ordered_json seen_at_json(const engine::SeenAt& s) {
  nlohmann::ordered_json interface = nullptr;
  if (!s.interface.empty()) interface = s.interface;
  return {{"vni", s.vni}, {"interface", interface}};
}

engine::SeenAt parse_seen_at(const Json& j) {
  const Json& interface = j.at("interface");
  return {j.at("vni").get<std::uint32_t>(), interface.is_null() ? std::string() : interface.get<std::string>()};
}

std::optional<TrafficClass> class_of(const std::string& name) {
  for (std::size_t c = 0; c < engine::kTrafficClasses; ++c)
    if (engine::class_name(static_cast<TrafficClass>(c)) == name) return static_cast<TrafficClass>(c);
  return std::nullopt;
}

}  // namespace

double packets_per_second(const engine::ReplayReport& r) noexcept {
  return r.seconds > 0 ? static_cast<double>(r.packets_read) / r.seconds : 0.0;
}

nlohmann::ordered_json replay_json(const engine::ReplayReport& r) {
  nlohmann::ordered_json kinds = nlohmann::ordered_json::object();
  for (const engine::MalformedCount& m : r.malformed) kinds[m.kind] = {{"count", m.count}, {"first", m.first}};
  nlohmann::ordered_json classes = nlohmann::ordered_json::object();
  for (std::size_t c = 0; c < engine::kTrafficClasses; ++c)
    classes[std::string(engine::class_name(static_cast<TrafficClass>(c)))] = {
        {"allowed", r.classes[c].allowed}, {"dropped", r.classes[c].dropped}, {"after_drop", r.classes[c].after_drop}};
  nlohmann::ordered_json drops = nlohmann::ordered_json::array();
  for (const engine::DropGroup& g : r.drops) {
    nlohmann::ordered_json rule = "default";
    if (!g.rule.is_default) rule = {{"id", g.rule.id}, {"source", g.rule.source}, {"text", g.rule.text}};
    nlohmann::ordered_json first = nullptr;
    if (g.first_packet != 0) first = g.first_packet;
    nlohmann::ordered_json example = {
        {"flow", g.example.flow}, {"community_id", g.example.community_id}, {"time_s", g.example.time_s}};
    if (g.example.seen_at) example["seen_at"] = seen_at_json(*g.example.seen_at);
    nlohmann::ordered_json drop = {{"class", engine::class_name(g.cls)},
                                   {"hook", g.hook},
                                   {"at", g.at},
                                   {"rule", rule},
                                   {"packets", g.packets},
                                   {"flows", g.flows},
                                   {"flows_broken", g.flows_broken},
                                   {"broken_first_s", g.broken_first_s},
                                   {"broken_last_s", g.broken_last_s},
                                   {"after_drop", g.after_drop},
                                   {"first_packet", first},
                                   {"example", example},
                                   {"fix", g.fix}};
    // Only for captures decapsulated from VXLAN (--decapsulate), so that other reports keep their shape.
    if (!g.seen_at.empty()) {
      nlohmann::ordered_json seen = nlohmann::ordered_json::array();
      for (const engine::SeenAt& s : g.seen_at) seen.push_back(seen_at_json(s));
      drop["seen_at"] = seen;
    }
    drops.push_back(drop);
  }
  nlohmann::ordered_json targets = nlohmann::ordered_json::array();
  for (const engine::ReplayTarget& t : r.targets) {
    nlohmann::ordered_json checks = nlohmann::ordered_json::array();
    for (const engine::TargetCheck& c : t.checks)
      checks.push_back({{"node", c.node},
                        {"from", c.captured ? "captured" : "synthesized"},
                        {"checks", c.checks},
                        {"last_s", c.last_s},
                        {"ok", c.ok},
                        {"reason", c.reason}});
    targets.push_back({{"target_group", t.target_group},
                       {"target", t.target},
                       {"health", engine::health_name(t.health)},
                       {"reason", t.reason},
                       {"health_from", engine::health_from(t)},
                       {"checks", checks}});
  }
  return {{"packets",
           {{"read", r.packets_read},
            {"evaluated", r.packets_evaluated},
            {"malformed", r.packets_malformed},
            {"unmatched", r.packets_unmatched},
            {"malformed_kinds", kinds}}},
          {"classes", classes},
          {"drops", drops},
          {"health_checks", engine::health_checks_name(r.health_checks)},
          {"targets", targets},
          {"warnings", r.warnings},
          {"timing", {{"seconds", r.seconds}, {"packets_per_second", packets_per_second(r)}, {"threads", r.threads}}}};
}

engine::ReplayReport parse_replay_json(const Json& doc) {
  engine::ReplayReport r;
  const Json& packets = doc.at("packets");
  r.packets_read = packets.at("read").get<std::uint64_t>();
  r.packets_evaluated = packets.at("evaluated").get<std::uint64_t>();
  r.packets_malformed = packets.at("malformed").get<std::uint64_t>();
  r.packets_unmatched = packets.value("unmatched", std::uint64_t{0});  // absent from 0.1.0's reports
  if (packets.contains("malformed_kinds")) {
    for (const auto& [kind, value] : packets.at("malformed_kinds").items())
      r.malformed.push_back(
          {kind, value.at("count").get<std::uint64_t>(), value.at("first").get<std::vector<std::uint64_t>>()});
  }
  for (std::size_t c = 0; c < engine::kTrafficClasses; ++c) {
    const Json& counts = doc.at("classes").at(std::string(engine::class_name(static_cast<TrafficClass>(c))));
    r.classes[c].allowed = counts.at("allowed").get<std::uint64_t>();
    r.classes[c].dropped = counts.at("dropped").get<std::uint64_t>();
    r.classes[c].after_drop = counts.value("after_drop", std::uint64_t{0});
  }
  for (const Json& d : doc.at("drops")) {
    engine::DropGroup g;
    auto cls = class_of(d.at("class").get<std::string>());
    if (!cls) throw std::runtime_error("unknown class '" + d.at("class").get<std::string>() + "'");
    g.cls = *cls;
    g.hook = d.at("hook").get<std::string>();
    g.at = d.at("at").get<std::string>();
    const Json& rule = d.at("rule");
    if (rule.is_string()) {
      g.rule = {true, "default", "", ""};
    } else {
      g.rule = {false, rule.at("id").get<std::string>(), rule.at("source").get<std::string>(),
                rule.at("text").get<std::string>()};
    }
    g.packets = d.at("packets").get<std::uint64_t>();
    g.flows = d.at("flows").get<std::uint64_t>();
    g.flows_broken = d.value("flows_broken", std::uint64_t{0});
    g.broken_first_s = d.value("broken_first_s", 0.0);
    g.broken_last_s = d.value("broken_last_s", 0.0);
    g.after_drop = d.value("after_drop", std::uint64_t{0});
    g.first_packet = d.at("first_packet").is_null() ? 0 : d.at("first_packet").get<std::uint64_t>();
    const Json& ex = d.at("example");
    g.example = {ex.at("flow").get<std::string>(), ex.at("community_id").get<std::string>(),
                 ex.at("time_s").get<double>(), std::nullopt};
    if (ex.contains("seen_at")) g.example.seen_at = parse_seen_at(ex.at("seen_at"));
    if (d.contains("seen_at"))
      for (const Json& s : d.at("seen_at")) g.seen_at.push_back(parse_seen_at(s));
    g.fix = d.at("fix").get<std::string>();
    r.drops.push_back(std::move(g));
  }
  if (doc.contains("health_checks")) {
    const std::string name = doc.at("health_checks").get<std::string>();
    auto mode = engine::parse_health_checks(name);
    if (!mode) throw std::runtime_error("unknown health_checks '" + name + "'");
    r.health_checks = *mode;
  }
  for (const Json& t : doc.at("targets")) {
    const std::string name = t.at("health").get<std::string>();
    auto health = engine::parse_health(name);
    if (!health) throw std::runtime_error("unknown health '" + name + "'");
    engine::ReplayTarget target{t.at("target_group").get<std::string>(),
                                t.at("target").get<std::string>(),
                                *health,
                                t.at("reason").get<std::string>(),
                                {}};
    if (t.contains("checks")) {
      for (const Json& c : t.at("checks")) {
        const std::string from = c.at("from").get<std::string>();
        if (from != "captured" && from != "synthesized")
          throw std::runtime_error("unknown check source '" + from + "'");
        target.checks.push_back({c.at("node").get<std::string>(), from == "captured",
                                 c.at("checks").get<std::uint64_t>(), c.at("last_s").get<double>(),
                                 c.at("ok").get<bool>(), c.at("reason").get<std::string>()});
      }
    }
    r.targets.push_back(std::move(target));
  }
  for (const Json& w : doc.at("warnings")) r.warnings.push_back(w.get<std::string>());
  const Json& timing = doc.at("timing");
  r.seconds = timing.at("seconds").get<double>();
  r.threads = timing.at("threads").get<std::uint32_t>();
  return r;
}

}  // namespace pfsim::tools
