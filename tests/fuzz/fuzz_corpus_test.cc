// Every file of tests/corpus/<target>/ run through its fuzz target (fuzz_targets.h): the seeds
// the fuzzers start from and the named files of what they once broke (a crash, a hang, a
// sanitizer report), each kept with the fix that made it a located error. A broken contract
// aborts the process it runs in: each file runs in a child process of its own (a death test),
// so the failure names the file and shows what broke, and the other files still run. A child
// still running after kHangSeconds is a hang: its alarm kills it (SIGALRM), which fails the file.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "tests/fuzz/fuzz_targets.h"
#include "tests/read_whole_file.h"

namespace pfsim::fuzz {
namespace {

namespace fs = std::filesystem;

struct Target {
  const char* name;
  void (*body)(const std::uint8_t*, std::size_t);
};

constexpr Target kTargets[] = {
    {"decode", fuzz_decode},         {"capture", fuzz_capture}, {"scenario_yaml", fuzz_scenario_yaml},
    {"classbench", fuzz_classbench}, {"flow", fuzz_flow},
};

// The test's name and its printed parameter: the target's name.
void PrintTo(const Target& target, std::ostream* out) { *out << target.name; }

constexpr unsigned kHangSeconds = 60;  // the inputs are small: even sanitized, each takes well under 1 s

class FuzzCorpus : public testing::TestWithParam<Target> {};

TEST_P(FuzzCorpus, EveryFileKeepsTheContract) {
  const fs::path folder = fs::path(PFSIM_CORPUS_DIR) / GetParam().name;
  std::vector<fs::path> files;
  for (const fs::directory_entry& entry : fs::directory_iterator(folder))
    if (entry.is_regular_file()) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 3u) << folder << " lost its seeds";
  for (const fs::path& file : files) {
    const std::string bytes = test_support::read_whole_file(file);
    EXPECT_EXIT(
        {
          alarm(kHangSeconds);
          GetParam().body(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
          std::exit(0);
        },
        testing::ExitedWithCode(0), "")
        << file;
  }
}

INSTANTIATE_TEST_SUITE_P(Targets, FuzzCorpus, testing::ValuesIn(kTargets),
                         [](const testing::TestParamInfo<Target>& target) { return std::string(target.param.name); });

}  // namespace
}  // namespace pfsim::fuzz
