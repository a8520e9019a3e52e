// The scenario loader's bad-input corpus (tests/corpus/scenarios/README.md): every
// <case>.yaml there is refused by load_scenario with exactly the message in <case>.expected,
// one test per case, named after it (Corpus/ScenarioCorpus.RefusedWithItsMessage/<case> with
// '-' written '_'). The message is the loader's full error, file:line:column included, with the
// file named as the folder names it (<case>.yaml), so that it does not depend on where the
// repository lies: it is what `pfsim check <case>.yaml` prints when run in that folder.
//
// A case fails when its .yaml loads, when the error has no line or column, when the .yaml or
// the .expected is missing, when another file has the case's name (a typo such as <case>.yml),
// or when the name is not kebab-case.
//
// Updating after an intended change of a message (or the same through ctest, which lists the
// cases when it runs: DISCOVERY_MODE PRE_TEST, so a new file needs no rebuild):
//   PFSIM_UPDATE_GOLDENS=1 build/<dir>/tests/engine_tests --gtest_filter='Corpus/ScenarioCorpus.*'
//       rewrites the existing .expected files;
//   PFSIM_UPDATE_GOLDENS=new ...same...   also writes the missing ones.
// The rewritten cases are reported as skipped; review `git diff tests/corpus/scenarios` before
// committing.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "engine/model/scenario_loader.h"
#include "tests/read_whole_file.h"

namespace pfsim::engine {
namespace {

namespace fs = std::filesystem;
using test_support::read_whole_file;

const fs::path kCorpus = PFSIM_SCENARIO_CORPUS_DIR;
constexpr std::string_view kReadme = "README.md";

// The name of every case: each file's name without its last extension, README.md aside; sorted.
std::vector<std::string> case_names() {
  std::set<std::string> names;
  if (fs::is_directory(kCorpus)) {
    for (const fs::directory_entry& entry : fs::directory_iterator(kCorpus)) {
      if (entry.path().filename() != kReadme) names.insert(entry.path().stem().string());
    }
  }
  return {names.begin(), names.end()};
}

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

bool is_kebab_case(const std::string& name) {
  return !name.empty() && name.front() != '-' && name.back() != '-' &&
         std::all_of(name.begin(), name.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

// PFSIM_UPDATE_GOLDENS: unset, empty or "0": compare; "new": write every .expected; else rewrite
// the existing ones.
enum class Update : std::uint8_t { kNo, kExisting, kAll };
Update update_mode() {
  const char* update = std::getenv("PFSIM_UPDATE_GOLDENS");
  if (update == nullptr || *update == '\0' || std::string(update) == "0") return Update::kNo;
  return std::string(update) == "new" ? Update::kAll : Update::kExisting;
}

class ScenarioCorpus : public ::testing::TestWithParam<std::string> {};

TEST_P(ScenarioCorpus, RefusedWithItsMessage) {
  const std::string& name = GetParam();
  EXPECT_TRUE(is_kebab_case(name)) << "'" << name << "': a case is named in kebab-case after what is wrong";
  const fs::path yaml = kCorpus / (name + ".yaml");
  const fs::path expected = kCorpus / (name + ".expected");
  for (const fs::directory_entry& entry : fs::directory_iterator(kCorpus)) {
    const fs::path& p = entry.path();
    if (p.stem() == name && p != yaml && p != expected && p.filename() != kReadme) {
      ADD_FAILURE() << p.filename().string() << ": a case is <name>.yaml and <name>.expected, nothing else";
    }
  }
  ASSERT_TRUE(fs::is_regular_file(yaml)) << name << ".expected has no " << name
                                         << ".yaml beside it (add the scenario, or delete the .expected)";

  const net::Result<Scenario> loaded = load_scenario(yaml.string());
  ASSERT_FALSE(loaded) << name << ".yaml loads: a corpus case is a scenario the loader refuses";
  net::Error error = loaded.error();
  ASSERT_EQ(error.file, yaml.string()) << "the error does not name the scenario file: " << error.to_string();
  EXPECT_GT(error.line, 0u) << "the error has no line: " << error.to_string();
  EXPECT_GT(error.column, 0u) << "the error has no column: " << error.to_string();
  error.file = yaml.filename().string();
  const std::string actual = error.to_string() + "\n";

  const Update update = update_mode();
  if (update == Update::kAll || (update == Update::kExisting && fs::exists(expected))) {
    std::ofstream(expected, std::ios::binary) << actual;
    GTEST_SKIP() << "wrote " << expected.string();
  }
  ASSERT_TRUE(fs::is_regular_file(expected))
      << name << ".yaml has no " << name << ".expected beside it; the loader says:\n"
      << actual << "(write it with PFSIM_UPDATE_GOLDENS=new, then review it)";
  EXPECT_EQ(read_whole_file(expected), actual)
      << "(after an intended change of the message: PFSIM_UPDATE_GOLDENS=1, then review git diff "
         "tests/corpus/scenarios)";
}

INSTANTIATE_TEST_SUITE_P(Corpus, ScenarioCorpus, ::testing::ValuesIn(case_names()), test_name);

}  // namespace
}  // namespace pfsim::engine
