// engine/import/aws_reader.cc — stage 1 of the AWS import: parse, dispatch on top-level keys,
// merge by AWS id (engine/import/internal/aws_dump.h).
//
// Dispatch is on the top-level key, never the file name, as Batfish does ("Region.
// addConfigElement"), so raw CLI outputs, Batfish's aws_configs folders and pfsim's bundle
// (docs/aws-import.md) are read by the same table.
#include <algorithm>
#include <string>
#include <string_view>
#include <utility>

#include "engine/import/internal/aws_dump.h"

namespace pfsim::engine::aws {

std::string text(const Json& object, const char* key) {
  if (!object.is_object()) return "";
  const auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

const Json& list(const Json& object, const char* key) {
  static const Json kEmpty = Json::array();
  if (!object.is_object()) return kEmpty;
  const auto it = object.find(key);
  return it != object.end() && it->is_array() ? *it : kEmpty;
}

std::optional<long long> integer(const Json& object, const char* key) {
  if (!object.is_object()) return std::nullopt;
  const auto it = object.find(key);
  if (it == object.end()) return std::nullopt;
  if (it->is_number_integer()) return it->get<long long>();
  if (it->is_string()) {  // HealthCheckPort "22", Protocol "6": numbers written as text
    const std::string& s = it->get_ref<const std::string&>();
    if (s.empty() || s.size() > 18) return std::nullopt;
    long long v = 0;
    std::size_t i = s[0] == '-' ? 1 : 0;
    if (i == s.size()) return std::nullopt;
    for (; i < s.size(); ++i) {
      if (s[i] < '0' || s[i] > '9') return std::nullopt;
      v = v * 10 + (s[i] - '0');
    }
    return s[0] == '-' ? -v : v;
  }
  return std::nullopt;
}

bool flag(const Json& object, const char* key, bool fallback) {
  if (!object.is_object()) return fallback;
  const auto it = object.find(key);
  if (it == object.end()) return fallback;
  if (it->is_boolean()) return it->get<bool>();
  if (it->is_string()) return it->get_ref<const std::string&>() == "true";
  return fallback;
}

namespace {

// What a top-level key holds.
enum class Shape : std::uint8_t {
  kList,           // a list of objects, each with its id under `id_key`
  kReservations,   // Reservations[].Instances[] by InstanceId
  kListeners,      // Batfish's LoadBalancerListeners[{LoadBalancerArn, Listeners[]}]
  kOrphanHealth,   // raw describe-target-health output: no TargetGroupArn
  kOrphanAttrs,    // raw describe-*-attributes output: no ARN
  kOrphanEntries,  // raw get-managed-prefix-list-entries output: no PrefixListId
  kManifest,       // pfsim's bundle manifest
  kNotMapped,      // known and not yet mapped: a note
  kTruncated,      // NextToken / NextMarker: a warning
};

struct KeySpec {
  std::string_view key;
  Shape shape;
  const char* id_key;
  Items Dump::*items;
};

// Every key pfsim reads (docs/aws-import.md lists the calls that write them).
constexpr KeySpec kKeys[] = {
    {"Vpcs", Shape::kList, "VpcId", &Dump::vpcs},
    {"Subnets", Shape::kList, "SubnetId", &Dump::subnets},
    {"NetworkAcls", Shape::kList, "NetworkAclId", &Dump::acls},
    {"SecurityGroups", Shape::kList, "GroupId", &Dump::groups},
    {"SecurityGroupRules", Shape::kList, "SecurityGroupRuleId", &Dump::group_rules},
    {"PrefixLists", Shape::kList, "PrefixListId", &Dump::managed_prefix_lists},
    {"ManagedPrefixListEntries", Shape::kList, "PrefixListId", &Dump::prefix_list_entries},
    {"NetworkInterfaces", Shape::kList, "NetworkInterfaceId", &Dump::enis},
    {"Reservations", Shape::kReservations, "InstanceId", &Dump::instances},
    {"RouteTables", Shape::kList, "RouteTableId", &Dump::route_tables},
    {"InternetGateways", Shape::kList, "InternetGatewayId", &Dump::igws},
    {"LoadBalancers", Shape::kList, "LoadBalancerArn", &Dump::lbs},
    {"Listeners", Shape::kList, "ListenerArn", &Dump::listeners},
    {"LoadBalancerListeners", Shape::kListeners, "ListenerArn", &Dump::listeners},
    {"Rules", Shape::kList, "RuleArn", &Dump::rules},
    {"TargetGroups", Shape::kList, "TargetGroupArn", &Dump::tgs},
    {"LoadBalancerTargetHealth", Shape::kList, "TargetGroupArn", &Dump::tg_health},
    {"TargetGroupAttributes", Shape::kList, "TargetGroupArn", &Dump::tg_attributes},
    {"LoadBalancerAttributes", Shape::kList, "LoadBalancerArn", &Dump::lb_attributes},
    {"LoadBalancerDescriptions", Shape::kList, "LoadBalancerName", &Dump::classic_lbs},
    {"TargetHealthDescriptions", Shape::kOrphanHealth, nullptr, nullptr},
    {"Attributes", Shape::kOrphanAttrs, nullptr, nullptr},
    {"Entries", Shape::kOrphanEntries, nullptr, nullptr},
    {"PfsimAwsBundle", Shape::kManifest, nullptr, nullptr},
    {"TrafficMirrorSessions", Shape::kNotMapped, nullptr, nullptr},
    {"FlowLogs", Shape::kNotMapped, nullptr, nullptr},
    {"NextToken", Shape::kTruncated, nullptr, nullptr},
    {"NextMarker", Shape::kTruncated, nullptr, nullptr},
};

const KeySpec* spec_of(std::string_view key) {
  for (const KeySpec& k : kKeys) {
    if (k.key == key) return &k;
  }
  return nullptr;
}

// 1-based line and column of byte `offset` (0-based) of `text`.
std::pair<std::uint32_t, std::uint32_t> line_column(std::string_view text, std::size_t offset) {
  offset = std::min(offset, text.size());
  std::uint32_t line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return {line, static_cast<std::uint32_t>(offset - line_start + 1)};
}

class Reader {
 public:
  explicit Reader(Dump& dump) : dump_(dump) {}

  net::Status read(const JsonInput& input) {
    auto doc = std::make_unique<Json>();
    try {
      *doc = Json::parse(input.text);
    } catch (const Json::parse_error& e) {
      // e.byte: the 1-based index of the byte where parsing stopped.
      const auto [line, column] = line_column(input.text, e.byte == 0 ? 0 : e.byte - 1);
      std::string what = e.what();
      // nlohmann's message: "[json.exception.parse_error.101] parse error at line L, column C: REASON"
      if (const auto colon = what.find(": "); colon != std::string::npos) what = what.substr(colon + 2);
      return net::text_error(input.path, line, column, "malformed JSON: " + what);
    }
    if (!doc->is_object())
      return net::text_error(
          input.path, 1, 1,
          "expected a JSON object with AWS output keys (such as \"Vpcs\"), got " + std::string(doc->type_name()));
    const Json& root = *doc;
    dump_.documents.push_back(std::move(doc));
    for (const auto& [key, value] : root.items()) {
      const KeySpec* spec = spec_of(key);
      if (spec == nullptr) {
        dump_.warnings.push_back(input.name + ": unknown top-level key \"" + key + "\", skipped (" + known_keys() +
                                 ")");
        continue;
      }
      if (net::Status s = dispatch(input, *spec, value); !s) return s;
    }
    return net::Ok{};
  }

 private:
  static std::string known_keys() {
    std::string out = "known:";
    for (const KeySpec& k : kKeys) out += " " + std::string(k.key);
    return out;
  }

  net::Error error(const JsonInput& input, const std::string& path, const std::string& message) const {
    return net::text_error(input.path, 0, 0, path + ": " + message);
  }

  net::Status dispatch(const JsonInput& input, const KeySpec& spec, const Json& value) {
    const std::string path = "$." + std::string(spec.key);
    switch (spec.shape) {
      case Shape::kTruncated:
        dump_.warnings.push_back(input.name + ": \"" + std::string(spec.key) +
                                 "\" is present: the output is one page of several (a truncated dump); run the call "
                                 "again without --max-items, or with --starting-token, and give every page");
        return net::Ok{};
      case Shape::kNotMapped:
        dump_.notes.push_back(input.name + ": " + std::string(spec.key) + " read, not yet mapped (known to pfsim)");
        return net::Ok{};
      case Shape::kManifest: {
        dump_.notes.push_back(input.name + ": pfsim bundle version " + value.value("Version", Json(0)).dump() +
                              ", account " + text(value, "AccountId") + ", region " + text(value, "Region") +
                              ", collected " + text(value, "CollectedAt"));
        return net::Ok{};
      }
      case Shape::kOrphanHealth:
        dump_.orphan_tg_health.push_back(Item{&value, input.name, path});
        return expect_array(input, path, value);
      case Shape::kOrphanAttrs:
        dump_.orphan_attributes.push_back(Item{&value, input.name, path});
        return expect_array(input, path, value);
      case Shape::kOrphanEntries:
        dump_.orphan_prefix_entries.push_back(Item{&value, input.name, path});
        return expect_array(input, path, value);
      case Shape::kList:
        return add_list(input, path, value, spec.id_key, dump_.*spec.items);
      case Shape::kReservations: {
        if (net::Status s = expect_array(input, path, value); !s) return s;
        for (std::size_t i = 0; i < value.size(); ++i) {
          const std::string rpath = path + "[" + std::to_string(i) + "].Instances";
          if (!value[i].is_object() || !value[i].contains("Instances"))
            return error(input, path + "[" + std::to_string(i) + "]", "a reservation without \"Instances\"");
          if (net::Status s = add_list(input, rpath, value[i]["Instances"], "InstanceId", dump_.instances); !s)
            return s;
        }
        return net::Ok{};
      }
      case Shape::kListeners: {
        if (net::Status s = expect_array(input, path, value); !s) return s;
        for (std::size_t i = 0; i < value.size(); ++i) {
          const Json& wrapper = value[i];
          const std::string wpath = path + "[" + std::to_string(i) + "]";
          const std::string lb = text(wrapper, "LoadBalancerArn");
          if (lb.empty()) return error(input, wpath, "no \"LoadBalancerArn\" (the wrapper names its load balancer)");
          // A listener names its load balancer itself; where one does not, the wrapper's ARN is
          // added to a copy, so the mapping reads one shape.
          auto listeners = std::make_unique<Json>(list(wrapper, "Listeners"));
          for (Json& l : *listeners) {
            if (l.is_object() && !l.contains("LoadBalancerArn")) l["LoadBalancerArn"] = lb;
          }
          const Json& owned = *listeners;
          dump_.documents.push_back(std::move(listeners));
          if (net::Status s = add_list(input, wpath + ".Listeners", owned, "ListenerArn", dump_.listeners); !s)
            return s;
        }
        return net::Ok{};
      }
    }
    return net::Ok{};
  }

  net::Status expect_array(const JsonInput& input, const std::string& path, const Json& value) const {
    if (!value.is_array()) return error(input, path, "expected a list, got " + std::string(value.type_name()));
    return net::Ok{};
  }

  // Adds each object of `value` under its id; the same id twice must have the same contents.
  net::Status add_list(const JsonInput& input, const std::string& path, const Json& value, const char* id_key,
                       Items& into) {
    if (net::Status s = expect_array(input, path, value); !s) return s;
    for (std::size_t i = 0; i < value.size(); ++i) {
      const std::string ipath = path + "[" + std::to_string(i) + "]";
      const std::string id = text(value[i], id_key);
      if (id.empty()) return error(input, ipath, "no \"" + std::string(id_key) + "\" (every object is named by it)");
      Item item{&value[i], input.name, ipath};
      const auto [it, inserted] = into.emplace(id, item);
      if (inserted || *it->second.value == value[i]) continue;  // the same object read twice: merged
      return error(input, ipath,
                   id + " is also in " + it->second.source() +
                       " with different contents (two dumps taken at different times? give one of them)");
    }
    return net::Ok{};
  }

  Dump& dump_;
};

}  // namespace

net::Result<Dump> read_dump(std::span<const JsonInput> inputs) {
  Dump dump;
  Reader reader(dump);
  for (const JsonInput& input : inputs) {
    if (net::Status s = reader.read(input); !s) return s.error();
  }
  return dump;
}

}  // namespace pfsim::engine::aws
