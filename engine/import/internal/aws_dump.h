// engine/import/internal/aws_dump.h — stage 1 of the AWS import (engine/import/aws_import.h):
// JSON texts read, dispatched on their top-level keys and merged into one dump by AWS id.
//
// Every object keeps where it was read (the file's name and its JSON path), so the mapping can
// cite it. Maps are ordered by id: everything downstream iterates them in id order, which makes
// the written scenario deterministic. Private to engine/import: nlohmann-json stays here.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "engine/import/aws_import.h"
#include "net/error.h"

namespace pfsim::engine::aws {

using Json = nlohmann::json;

// One object of the dump and where it came from.
struct Item {
  const Json* value = nullptr;
  std::string file;  // JsonInput::name
  std::string path;  // "$.SecurityGroups[2]"
  // "NAME $.path": the provenance written into Locations and comments.
  std::string source() const { return file + " " + path; }
};

using Items = std::map<std::string, Item>;

struct Dump {
  Items vpcs, subnets, acls, groups, group_rules, managed_prefix_lists, prefix_list_entries, enis, instances,
      route_tables, igws, lbs, listeners, rules, tgs, tg_health, tg_attributes, lb_attributes, classic_lbs;
  // Raw outputs that name no parent (describe-target-health, describe-*-attributes without a
  // wrapper): kept with their place, attributed by the mapping only when the dump leaves no doubt.
  std::vector<Item> orphan_tg_health, orphan_attributes, orphan_prefix_entries;
  std::vector<std::string> warnings;
  std::vector<std::string> notes;
  std::vector<std::unique_ptr<Json>> documents;  // own every value an Item points to
};

// Reads every input into one dump (see aws_import.h, stage 1).
net::Result<Dump> read_dump(std::span<const JsonInput> inputs);

// Small accessors for JSON values of unknown shape: a missing key or a value of another type
// gives the fallback, never an exception.
std::string text(const Json& object, const char* key);
const Json& list(const Json& object, const char* key);  // an empty array when absent
std::optional<long long> integer(const Json& object, const char* key);
bool flag(const Json& object, const char* key, bool fallback);

}  // namespace pfsim::engine::aws
