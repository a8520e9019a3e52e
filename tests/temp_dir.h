// tests/temp_dir.h — a fresh folder for the files a test writes, removed afterwards.
//
// Each folder is made by mkdtemp under the system's temporary directory, as
// pfsim-<name>-XXXXXX (name: the test suite's, unless given), so tests that run at the same
// time, in one `ctest -j` run or in other checkouts on the same machine, never share a file.
//
// TempDirTest is the fixture: temp_dir_ is a new folder for each test. TempDir alone serves
// tests without a fixture. If the folder cannot be made the test fails, and the path names a
// folder that does not exist, so writes into it fail too.
//
// Example:
//   class ReplayTest : public pfsim::test_support::TempDirTest {};
//   TEST_F(ReplayTest, WritesTheDroppedPackets) {
//     const std::filesystem::path out = temp_dir_ / "dropped.pcap";
//     ...
//   }
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>

namespace pfsim::test_support {

class TempDir {
 public:
  TempDir() : TempDir(current_suite()) {}
  explicit TempDir(const std::string& name) {
    std::string pattern = (std::filesystem::temp_directory_path() / ("pfsim-" + name + "-XXXXXX")).string();
    made_ = mkdtemp(pattern.data()) != nullptr;
    if (!made_) ADD_FAILURE() << "cannot make a folder " << pattern << ": " << std::strerror(errno);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    if (made_) std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const noexcept { return path_; }

 private:
  // The running test's suite name as a file name: "BadArguments/PfsimUsageError" gives
  // "BadArguments-PfsimUsageError".
  static std::string current_suite() {
    const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = test != nullptr ? test->test_suite_name() : "test";
    for (char& c : name) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') c = '-';
    }
    return name;
  }

  std::filesystem::path path_;
  bool made_ = false;
};

class TempDirTest : public ::testing::Test {
 private:
  TempDir folder_;

 protected:
  const std::filesystem::path temp_dir_ = folder_.path();
};

}  // namespace pfsim::test_support
