// tools/classify_command.h — `pfsim classify`: how fast, and how right, a classifier is on a
// ClassBench rule set and trace.
//
//   pfsim classify --rules FILE --trace FILE [--algorithm NAME] [--threads N] [--repeat K]
//                  [--verify] [--json FILE]
//
// What it does (DESIGN.md §5): reads both files whole, parses them (classifier/classbench.h),
// builds the classifier named by --algorithm (default "auto"; the build is timed), runs one
// untimed warm-up pass, then classifies the whole trace K times, split into N contiguous
// chunks, one std::thread each, in batches of kBatchKeys through the span API. It prints the
// algorithm, rule and packet counts, build time, memory, lookups per second and the match
// checksum to stdout (to stderr when the JSON goes to stdout, so stdout stays one JSON object).
//
// Match checksum: FNV-1a 64 over the best rule index of every packet in trace order, each as
// 4 little-endian bytes (kNoMatch as 0xFFFFFFFF), printed as 16 hex digits. It depends on the
// answers only, not on how the work was split: equal for any --threads and --repeat, and for
// any correct algorithm on the same files.
//
// --verify also builds `linear`, the reference, and compares every packet; the first
// kMismatchesShown mismatches are printed. --json FILE (or "-" for stdout) writes
// {algorithm, rules, packets, build_ms, memory_bytes, lookups_per_second, match_checksum,
// mismatches, threads, repeat}; mismatches is null without --verify.
//
// Exit codes (tools/diagnostics.h): 0 done (and --verify agreed); 1 --verify found
// mismatches; 2 an unreadable or malformed file, an unknown algorithm, or an unwritable
// --json file, with a located message on stderr.
#pragma once

#include <CLI/CLI.hpp>
#include <cstddef>
#include <string>

namespace pfsim::tools {

inline constexpr std::size_t kBatchKeys = 256;
inline constexpr std::size_t kMismatchesShown = 5;
inline constexpr unsigned kMaxThreads = 1024;

struct ClassifyCommandOptions {
  std::string rules_path;
  std::string trace_path;
  std::string algorithm = "auto";
  unsigned threads = 1;
  unsigned repeat = 1;
  bool verify = false;
  std::string json_path;  // empty: no JSON; "-": stdout
};

// Declares classify's options on its subcommand; parsing stores them into `options`, which
// must outlive the parse. Out-of-range --threads/--repeat are parse (usage) errors.
void define_classify_options(CLI::App& command, ClassifyCommandOptions& options);

// Runs the command with parsed options and returns the process exit code.
int run_classify_command(const ClassifyCommandOptions& options);

}  // namespace pfsim::tools
