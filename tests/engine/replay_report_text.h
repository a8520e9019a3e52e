// tests/engine/replay_report_text.h — a replay report as text, every field but the timing, for
// tests that compare two reports (and print the difference when they differ).
#pragma once

#include <iomanip>
#include <limits>
#include <sstream>
#include <string>

#include "engine/replay/replay.h"

namespace pfsim::engine {

// Everything but timing (seconds, threads), one line per item; times with every digit.
inline std::string report_text(const ReplayReport& r) {
  std::ostringstream o;
  o << std::setprecision(std::numeric_limits<double>::max_digits10);
  o << r.packets_read << ' ' << r.packets_evaluated << ' ' << r.packets_malformed << ' ' << r.packets_non_ip << ' '
    << r.packets_unmatched << '\n';
  for (const MalformedCount& m : r.malformed) {
    o << m.kind << ' ' << m.count;
    for (auto i : m.first) o << ' ' << i;
    o << '\n';
  }
  for (const ClassCounts& c : r.classes) o << c.allowed << '/' << c.dropped << '/' << c.after_drop << '\n';
  for (const DropGroup& g : r.drops) {
    o << class_name(g.cls) << '|' << g.hook << '|' << g.at << '|' << g.rule.is_default << '|' << g.rule.id << '|'
      << g.rule.source << '|' << g.rule.text << '|' << g.packets << '|' << g.flows << '|' << g.flows_broken << '|'
      << g.broken_first_s << '|' << g.broken_last_s << '|' << g.after_drop << '|' << g.first_packet << '|'
      << g.example.flow << '|' << g.example.community_id << '|' << g.example.time_s << '|' << g.fix << '|'
      << (g.example.seen_at ? g.example.seen_at->interface + "@" + std::to_string(g.example.seen_at->vni) : "") << '|';
    for (const SeenAt& s : g.seen_at) o << ' ' << s.interface << '@' << s.vni;
    o << '\n';
  }
  o << health_checks_name(r.health_checks) << '\n';
  for (const ReplayTarget& t : r.targets) {
    o << t.target_group << '|' << t.target << '|' << health_name(t.health) << '|' << t.reason << '\n';
    for (const TargetCheck& c : t.checks)
      o << "  " << c.node << '|' << c.captured << '|' << c.checks << '|' << c.last_s << '|' << c.ok << '|' << c.reason
        << '\n';
  }
  for (const std::string& w : r.warnings) o << w << '\n';
  return o.str();
}

}  // namespace pfsim::engine
