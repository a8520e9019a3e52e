// tools/replay_json.h — the JSON form of a replay report (engine/replay/replay.h), both ways:
// `pfsim replay --json` and `pfsim merge --json` write it, `pfsim merge` reads it back.
//
// The document (tools/replay_command.h states it for users):
//   {packets {read, evaluated, malformed, malformed_kinds {KIND: {count, first}}},
//    classes {listener|health_check|pmtu|other: {allowed, dropped}},
//    drops [{class, hook, at, rule {id, source, text} | "default", packets, flows,
//            first_packet (null: synthesized packets only), example {flow, community_id, time_s},
//            fix ("" when none)}],
//    targets [{target_group, target, health (healthy|unhealthy|unused|unknown), reason}], warnings,
//    timing {seconds, packets_per_second, threads}}
// Keys are written in that order. The fields the document leaves out (packets not IP, a
// rule's source and text for the default) read back empty.
//
// Thread-safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>

#include "engine/replay/replay.h"

namespace pfsim::tools {

nlohmann::ordered_json replay_json(const engine::ReplayReport& report);

// The report's rate: packets read per second of its run (0 when it took no time).
double packets_per_second(const engine::ReplayReport& report) noexcept;

// The report of a document replay_json() wrote; throws nlohmann's exceptions (or
// std::runtime_error for an unknown class or health name) on a document of another shape.
engine::ReplayReport parse_replay_json(const nlohmann::json& document);

}  // namespace pfsim::tools
