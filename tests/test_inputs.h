// tests/test_inputs.h — where the tests find their input files.
//
// A clone of the repository with nothing beside it passes the whole suite. The small inputs
// ship with it: tests/data/ (the real captures and their Wireshark fields, the example
// scenario, AWS samples; tests/data/README.md says where each comes from) and
// scenarios/classbench/ (the 1K ClassBench sets). Tests find them through the compile
// definitions PFSIM_TEST_DATA_DIR and PFSIM_BUNDLED_CLASSBENCH_DIR (tests/CMakeLists.txt).
//
// Inputs too large for the repository (the 10K and 100K ClassBench sets) stay in the project's
// shared folder, PFSIM_SHARED_DIR (CMake cache, default ../shared beside the clone). Only the
// extended tests read them: a test whose full name contains "Extended" gets the ctest label
// `extended` (pfsim_discover_tests in tests/CMakeLists.txt) and begins with
// PFSIM_SKIP_UNLESS_SHARED(path...): when a path is absent the test is skipped with a message
// naming it — never failed — unless the environment sets PFSIM_REQUIRE_SHARED=1 (CI, which
// has ../shared), where an absent input fails the test instead.
//
// Example:
//   TEST(ClassbenchDifferentialExtended, Acl100K) {
//     const std::string rules = pfsim::test_support::shared_input("classbench/acl1_100000");
//     PFSIM_SKIP_UNLESS_SHARED(rules);
//     ...
//   }
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <initializer_list>
#include <string>
#include <string_view>

namespace pfsim::test_support {

#ifdef PFSIM_SHARED_DIR
// `relative` (e.g. "classbench/acl1_100000") in the shared inputs folder.
inline std::string shared_input(std::string_view relative) {
  return std::string(PFSIM_SHARED_DIR) + "/" + std::string(relative);
}
#endif

// What is missing of `paths`, as a message for a skipped or failed test; empty when all exist.
inline std::string missing_inputs(std::initializer_list<std::string> paths) {
  std::string missing;
  for (const std::string& path : paths) {
    if (std::filesystem::exists(path)) continue;
    missing += missing.empty() ? "" : ", ";
    missing += path;
  }
  if (missing.empty()) return missing;
  return "large input not found: " + missing +
         " (the project's shared inputs: configure with -DPFSIM_SHARED_DIR=<folder>, default ../shared)";
}

// True when the environment says the shared inputs must be there (PFSIM_REQUIRE_SHARED set and
// not "0"), so that a run meant to include the extended tests cannot pass by skipping them.
inline bool shared_inputs_required() {
  const char* value = std::getenv("PFSIM_REQUIRE_SHARED");
  return value != nullptr && *value != '\0' && std::string_view(value) != "0";
}

}  // namespace pfsim::test_support

// Skips the current test (or fails it, under PFSIM_REQUIRE_SHARED) when a path is absent.
#define PFSIM_SKIP_UNLESS_SHARED(...)                                                           \
  do {                                                                                          \
    if (const std::string pfsim_missing = ::pfsim::test_support::missing_inputs({__VA_ARGS__}); \
        !pfsim_missing.empty()) {                                                               \
      if (::pfsim::test_support::shared_inputs_required()) FAIL() << pfsim_missing;             \
      GTEST_SKIP() << pfsim_missing;                                                            \
    }                                                                                           \
  } while (0)
