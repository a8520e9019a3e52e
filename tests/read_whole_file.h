// tests/read_whole_file.h — the whole content of a file, for tests that compare or parse it.
// A file that cannot be opened reads as empty, and the test that needs it fails on that.
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace pfsim::test_support {

inline std::string read_whole_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace pfsim::test_support
