// tests/tools/run_pfsim.h — runs the built `pfsim` binary (PFSIM_BIN) as a user would, for
// the end-to-end tests of tests/tools/: real arguments, no shell, stdin from /dev/null, and
// the exit code, stdout and stderr collected for the test to check.
//
// PfsimTest is the fixture: each test gets a fresh temporary folder, temp_dir_ (removed
// afterwards, tests/temp_dir.h), for its input files, reports and the captured outputs.
//
// Example:
//   class PfsimDecode : public pfsim::test_support::PfsimTest {};
//   TEST_F(PfsimDecode, MissingFile) {
//     CommandResult r = run({"decode", "no-such.pcap"});
//     EXPECT_EQ(r.exit_code, 2);
//   }
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/read_whole_file.h"
#include "tests/temp_dir.h"

namespace pfsim::test_support {

struct CommandResult {
  int exit_code = -1;  // 128 + signal number when pfsim was killed
  std::string out;
  std::string err;
};

class PfsimTest : public TempDirTest {
 protected:
  std::filesystem::path write_temp(const std::string& name, const std::string& content) const {
    std::filesystem::path path = temp_dir_ / name;
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  // Runs pfsim with `args` (no shell), stdin from /dev/null, and collects both outputs. With
  // `cwd`, the child runs in that folder (relative arguments are read from there).
  CommandResult run(const std::vector<std::string>& args, const std::filesystem::path& cwd = {}) const {
    std::vector<std::string> storage = {PFSIM_BIN};
    storage.insert(storage.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& arg : storage) argv.push_back(arg.data());
    argv.push_back(nullptr);

    std::filesystem::path out_path = temp_dir_ / "stdout";
    std::filesystem::path err_path = temp_dir_ / "stderr";
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    // After the opens, so the output paths (absolute anyway) never depend on it.
    if (!cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
    pid_t pid = 0;
    int spawned = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    CommandResult result;
    if (spawned != 0) {
      ADD_FAILURE() << "cannot start " << PFSIM_BIN << ": " << std::strerror(spawned);
      return result;
    }
    int status = 0;
    waitpid(pid, &status, 0);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    result.out = read_whole_file(out_path);
    result.err = read_whole_file(err_path);
    return result;
  }
};

}  // namespace pfsim::test_support
