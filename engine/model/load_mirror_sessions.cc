// engine/model/load_mirror_sessions.cc — the traffic_mirror_sessions section: each mirror
// session's VNI and the interface it copies packets at (scenario.h, TrafficMirrorSession).
#include <string>
#include <vector>

#include "engine/model/internal/scenario_reader.h"

namespace pfsim::engine {

void ScenarioReader::read_traffic_mirror_sessions() {
  const Field* f = top_->get("traffic_mirror_sessions");
  if (f == nullptr) return;
  for (const YAML::Node& n : items(f->value, "traffic_mirror_sessions")) {
    if (!n.IsMap()) fail(n, std::string("expected a map for a traffic mirror session, got ") + yaml::node_kind(n));
    const Fields fields =
        check_keys(n, "traffic mirror session", {{"vni"}, {"interface"}, {"description"}, {"packet_length"}});
    TrafficMirrorSession session;
    session.where = at(n);
    // RFC 7348 §5: a 24-bit VXLAN Network Identifier.
    const Field& vni = require(fields, "vni", "traffic mirror session");
    session.vni = number32(vni.value, "vni", 0, 0xffffff);
    if (const TrafficMirrorSession* other = mirror_session_of(scenario_, session.vni))
      fail(vni.value, "VNI " + std::to_string(session.vni) + " is already the session's on line " +
                          std::to_string(other->where.line) + " (a VNI names one session)");
    // An instance id, or a load balancer node's "<lb id>/<subnet id>" (scenario.h).
    const Field& interface = require(fields, "interface", "traffic mirror session");
    const std::string name = scalar(interface.value, "interface");
    std::vector<std::string> defined;
    for (InterfaceIndex i = 0; i < scenario_.interfaces.size(); ++i) {
      if (scenario_.interfaces[i].id == name) session.interface = i;
      defined.push_back(scenario_.interfaces[i].id);
    }
    if (session.interface == kNone)
      fail(interface.value, "unresolved interface '" + yaml::shown(name) + "' (defined: " + yaml::join(defined) + ")");
    if (const Field* d = fields.get("description")) session.description = scalar(d->value, "description");
    // PacketLength: 1-8500 bytes after the VXLAN header on AWS; Huawei Cloud's packet_length:
    // 1-1460 (96 by default) (real-inputs-anchors.md §4, from the AWS Traffic Mirroring guide and
    // Huawei's CreateTrafficMirrorSession).
    if (const Field* length = fields.get("packet_length"))
      session.packet_length =
          number32(length->value, "packet_length", 1, scenario_.provider == Provider::kHuawei ? 1460 : 8500);
    scenario_.traffic_mirror_sessions.push_back(std::move(session));
  }
}

}  // namespace pfsim::engine
