// engine/model/scenario_loader.cc — parse_scenario and load_scenario, and the first steps of the
// walk (internal/scenario_reader.h): the top level, the ids of every kind, references to them.
//
// Scalars are converted by the toolkit (internal/yaml_fields.h), not by yaml-cpp's as<T>(), so
// that huge, negative or malformed numbers get a message that says what is allowed. yaml-cpp's
// exceptions and the walk's first error are all caught in yaml::read_document: nothing escapes
// parse_scenario; nothing is partly loaded.
#include "engine/model/scenario_loader.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "engine/model/internal/scenario_reader.h"
#include "engine/model/internal/yaml_fields.h"

namespace pfsim::engine {

using yaml::join;
using yaml::node_kind;
using yaml::shown;
using yaml::value_of;

namespace {

constexpr yaml::Named<Provider> kProviders[] = {
    {"aws", Provider::kAws}, {"huawei", Provider::kHuawei}, {"e2e", Provider::kE2e}};

// network: vpc | ec2-classic (true).
constexpr yaml::Named<bool> kNetworks[] = {{"vpc", false}, {"ec2-classic", true}};

// options.huawei_group_order: binding | union (true).
constexpr yaml::Named<bool> kHuaweiGroupOrders[] = {{"binding", false}, {"union", true}};

}  // namespace

const char* provider_name(Provider p) {
  for (const yaml::Named<Provider>& entry : kProviders) {
    if (entry.value == p) return entry.name.data();
  }
  return "aws";
}

std::string cidrs_text(const std::vector<net::IpRange>& cidrs) {
  std::vector<std::string> parts;
  for (const auto& c : cidrs) parts.push_back(cidr_text(c));
  return join(parts);
}

Scenario ScenarioReader::run(const YAML::Node& root) {
  read_top(root);
  collect_ids();
  read_vpc();
  read_prefix_lists();
  read_acls();
  read_subnets();
  read_groups();
  read_instances();
  read_load_balancers();
  read_target_groups();
  read_mtu();
  read_conntrack();
  read_events();
  read_traffic_mirror_sessions();
  return std::move(scenario_);
}

// ---- top level ----

void ScenarioReader::read_top(const YAML::Node& root) {
  if (root.IsNull() || !root.IsDefined()) fail_at(1, 1, "empty scenario (expected a map that starts with 'pfsim: 1')");
  if (!root.IsMap())
    fail(root, std::string("expected a map (a scenario starts with 'pfsim: 1'), got ") + node_kind(root));
  // The version and the provider come first: the keys allowed everywhere depend on them.
  const std::optional<YAML::Node> version = value_of(root, "pfsim");
  const std::optional<YAML::Node> provider = value_of(root, "provider");
  if (!version) fail(root, "missing 'pfsim: 1' (the format version)");
  if (!version->IsScalar() || version->Scalar() != "1")
    fail(*version, "unsupported format version '" +
                       (version->IsScalar() ? shown(version->Scalar()) : std::string("?")) + "' (allowed: 1)");
  if (provider) scenario_.provider = choice(*provider, "provider", kProviders);
  std::vector<std::string> provider_names;
  for (const yaml::Named<Provider>& entry : kProviders) provider_names.emplace_back(entry.name);
  set_dialect("provider", std::move(provider_names), static_cast<std::size_t>(scenario_.provider));

  top_.emplace(check_keys(root, "the scenario",
                          {{"pfsim"},
                           {"provider"},
                           {"name"},
                           {"network", kAwsBit},
                           {"vpc"},
                           {"subnets"},
                           // E2E Networks documents security groups only (docs.e2enetworks.com,
                           // "Security Groups"); it has no network ACLs.
                           {"network_acls", kAwsBit | kHuaweiBit,
                            "network_acls are not available on e2e (E2E Networks documents security groups only, "
                            "no network ACLs)"},
                           {"security_groups"},
                           {"prefix_lists"},
                           {"instances"},
                           {"load_balancers"},
                           {"target_groups"},
                           {"mtu"},
                           {"conntrack"},
                           {"events"},
                           // real-inputs-anchors.md §4: AWS Traffic Mirroring and Huawei Cloud
                           // traffic mirroring; pfsim knows no E2E Networks equivalent.
                           {"traffic_mirror_sessions", kAwsBit | kHuaweiBit,
                            "traffic_mirror_sessions are AWS and Huawei Cloud mirror sessions; pfsim knows no "
                            "traffic mirroring on e2e"},
                           {"options"}}));
  if (const Field* f = top_->get("name")) scenario_.name = scalar(f->value, "name");
  // Extension: EC2-Classic, where Classic LBs use the source group amazon-elb/amazon-elb-sg
  // (ELB Classic guide, "Security groups for load balancers in EC2-Classic").
  if (const Field* f = top_->get("network")) scenario_.ec2_classic = choice(f->value, "network", kNetworks);
  if (scenario_.ec2_classic) {
    for (const char* key : {"vpc", "subnets", "network_acls"}) {
      if (const Field* f = top_->get(key))
        fail(f->key_node,
             "'" + std::string(key) + "' cannot be used with network: ec2-classic (EC2-Classic has no VPC)");
    }
  }
  read_options();
}

void ScenarioReader::read_options() {
  const Field* f = top_->get("options");
  if (f == nullptr) return;
  const Fields options = check_keys(f->value, "options", {{"huawei_group_order", kHuaweiBit}});
  // Huawei documents both: binding order first (VPC guide, "Security group overview") and a
  // union of the groups (Flexus guide); DESIGN.md §3 makes it an option.
  if (const Field* order = options.get("huawei_group_order"))
    scenario_.huawei_union = choice(order->value, "huawei_group_order", kHuaweiGroupOrders);
}

// ---- ids and references ----

// The objects of one top-level list: each must be a map with an `id`.
void ScenarioReader::collect(std::string_view key, Names& names, NamedNodes& out) {
  const Field* f = top_->get(key);
  if (f == nullptr) return;
  for (const YAML::Node& item : items(f->value, key)) {
    if (!item.IsMap()) fail(item, "expected a map for " + names.kind + ", got " + node_kind(item));
    const std::optional<YAML::Node> id_node = value_of(item, "id");
    if (!id_node) fail(item, "missing 'id' in " + names.kind);
    const std::string id = id_of(*id_node, names.kind + " id");
    if (names.index.count(id) != 0) fail(*id_node, "duplicate " + names.kind + " id '" + shown(id) + "'");
    names.index.emplace(id, static_cast<std::uint32_t>(names.order.size()));
    names.order.push_back(id);
    out.emplace_back(id, item);
  }
}

void ScenarioReader::collect_ids() {
  collect("prefix_lists", prefix_list_names_, prefix_list_nodes_);
  collect("network_acls", acl_names_, acl_nodes_);
  collect("subnets", subnet_names_, subnet_nodes_);
  collect("security_groups", group_names_, group_nodes_);
  collect("instances", instance_names_, instance_nodes_);
  collect("load_balancers", lb_names_, lb_nodes_);
  collect("target_groups", tg_names_, tg_nodes_);
  for (const auto& [id, node] : prefix_list_nodes_) {
    if (group_names_.find(id) != kNone) fail(node, "'" + shown(id) + "' is both a security group and a prefix list id");
  }
  for (const NamedNodes* nodes : {&group_nodes_, &prefix_list_nodes_}) {
    for (const auto& [id, node] : *nodes) {
      if (id == "anywhere" || id == kElbSourceGroup) fail(node, "'" + id + "' is a reserved name (choose another id)");
    }
  }
  for (const auto& [id, node] : acl_nodes_) scenario_.acls.push_back(NetworkAcl{id, at(node), {}, {}});
  for (const auto& [id, node] : subnet_nodes_) {
    Subnet s;
    s.id = id;
    s.where = at(node);
    scenario_.subnets.push_back(std::move(s));
  }
  for (const auto& [id, node] : group_nodes_) {
    SecurityGroup g;
    g.id = id;
    g.where = at(node);
    scenario_.groups.push_back(std::move(g));
  }
  if (scenario_.provider == Provider::kE2e && group_names_.find("allow-all") == kNone) add_e2e_allow_all();
}

// E2E Networks: an "Allow All Traffic" group exists for troubleshooting (DESIGN.md §3, from
// docs.e2enetworks.com "Security Groups"); usable by id unless the file defines its own.
void ScenarioReader::add_e2e_allow_all() {
  SecurityGroup g;
  g.id = "allow-all";
  g.where = Location{file(), 0, 0};
  g.allow_all = true;
  for (Direction d : {Direction::kInbound, Direction::kOutbound}) {
    FilterRule r;
    r.where = g.where;
    r.peer = anywhere_peer("anywhere");
    r.text = d == Direction::kInbound ? "all from anywhere" : "all to anywhere";
    (d == Direction::kInbound ? g.inbound : g.outbound).push_back(std::move(r));
  }
  group_names_.index.emplace(g.id, static_cast<std::uint32_t>(scenario_.groups.size()));
  group_names_.order.push_back(g.id);
  scenario_.groups.push_back(std::move(g));
}

std::uint32_t ScenarioReader::resolve(const YAML::Node& n, const Names& names) const {
  const std::string name = scalar(n, names.kind);
  const std::uint32_t i = names.find(name);
  if (i == kNone) fail(n, "unresolved " + names.kind + " '" + shown(name) + "' (defined: " + join(names.order) + ")");
  return i;
}

std::vector<GroupIndex> ScenarioReader::group_refs(const YAML::Node& n) const {
  std::vector<GroupIndex> out;
  for (const YAML::Node& item : one_or_list(n, "security_groups")) {
    const GroupIndex g = resolve(item, group_names_);
    if (std::find(out.begin(), out.end(), g) != out.end())
      fail(item, "security group " + scenario_.groups[g].id + " is listed twice");
    out.push_back(g);
  }
  return out;
}

// ---- entry points ----

net::Result<Scenario> parse_scenario(std::string_view text, std::string file) {
  return yaml::read_document(text, file, "scenario",
                             [&](const YAML::Node& root) { return ScenarioReader(file).run(root); });
}

net::Result<Scenario> load_scenario(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return net::error_message("cannot read '" + path + "': " + std::strerror(errno));
  std::string text;
  char buffer[65536];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) text.append(buffer, n);
  const bool failed = std::ferror(f) != 0;
  const int saved = errno;
  std::fclose(f);
  if (failed) return net::error_message("cannot read '" + path + "': " + std::strerror(saved));
  return parse_scenario(text, path);
}

}  // namespace pfsim::engine
