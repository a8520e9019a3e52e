#include "tools/classify_command.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>
#include <span>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

#include "classifier/classbench.h"
#include "classifier/classifier.h"
#include "net/format.h"
#include "net/text.h"
#include "tools/diagnostics.h"
#include "tools/file_io.h"

namespace pfsim::tools {
namespace {

using classifier::Classifier;
using classifier::kNoMatch;
using classifier::RuleIndex;
using classifier::RuleSet;
using net::FiveTuple;

constexpr std::uint64_t kFnvOffsetBasis = 0xcbf29ce484222325;
constexpr std::uint64_t kFnvPrime = 0x100000001b3;

std::uint64_t match_checksum(std::span<const RuleIndex> results) noexcept {
  std::uint64_t hash = kFnvOffsetBasis;
  for (RuleIndex index : results) {
    for (unsigned shift = 0; shift < 32; shift += 8) {
      hash ^= (index >> shift) & 0xffu;
      hash *= kFnvPrime;
    }
  }
  return hash;
}

std::string hex16(std::uint64_t value) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value));
  return text;
}

// ClassBench rule ids are their file line numbers (classbench.h), which is what a user looks up.
std::string describe_result(const RuleSet& rules, RuleIndex index) {
  if (index == kNoMatch) {
    return rules.default_action == classifier::Action::kDeny ? "no match (default deny)" : "no match (default allow)";
  }
  return "rule " + std::to_string(index) + " (line " + std::to_string(rules.rules[index].id) + ")";
}

// Classifies keys into out in batches of kBatchKeys, the way a pipeline stage would call it.
void classify_in_batches(const Classifier& classifier, std::span<const FiveTuple> keys,
                         std::span<RuleIndex> out) noexcept {
  for (std::size_t begin = 0; begin < keys.size(); begin += kBatchKeys) {
    std::size_t count = std::min(kBatchKeys, keys.size() - begin);
    classifier.classify(keys.subspan(begin, count), out.subspan(begin, count));
  }
}

// `passes` passes over all keys, split into `threads` contiguous chunks of near-equal size,
// one thread each. Each thread writes only its own chunk of `out`, so no two threads share a
// result, and every pass writes the same values. Returns once every thread has finished
// (jthread joins on destruction). Throws std::system_error when a thread cannot start.
void classify_in_threads(const Classifier& classifier, std::span<const FiveTuple> keys, std::span<RuleIndex> out,
                         unsigned threads, unsigned passes) {
  std::vector<std::jthread> workers;
  workers.reserve(threads);
  for (unsigned t = 0; t < threads; ++t) {
    std::size_t begin = keys.size() * t / threads;
    std::size_t end = keys.size() * (t + 1) / threads;
    workers.emplace_back(
        [&classifier, chunk = keys.subspan(begin, end - begin), results = out.subspan(begin, end - begin), passes] {
          for (unsigned pass = 0; pass < passes; ++pass) classify_in_batches(classifier, chunk, results);
        });
  }
}

struct Mismatch {
  std::size_t packet_index;  // 0-based
  RuleIndex got;
  RuleIndex expected;
};

struct Outcome {
  std::string algorithm;
  std::size_t rules = 0;
  std::size_t packets = 0;
  double build_ms = 0;
  std::size_t memory_bytes = 0;
  double lookups_per_second = 0;
  std::uint64_t checksum = 0;
  bool verified = false;
  std::size_t mismatch_count = 0;
  std::vector<Mismatch> first_mismatches;  // at most kMismatchesShown
};

void print_human(std::ostream& out, const ClassifyCommandOptions& options, const RuleSet& rules,
                 std::span<const FiveTuple> keys, const Outcome& outcome) {
  out << "algorithm       " << outcome.algorithm;
  if (options.algorithm != outcome.algorithm) out << " (" << options.algorithm << ")";
  out << "\nrules           " << net::grouped(outcome.rules) << "  " << options.rules_path << "\npackets         "
      << net::grouped(outcome.packets) << "  " << options.trace_path << "\nbuild           "
      << net::fixed(outcome.build_ms, 3) << " ms"
      << "\nmemory          " << net::grouped(outcome.memory_bytes) << " bytes"
      << "\nlookups         " << net::grouped(static_cast<std::uint64_t>(outcome.lookups_per_second)) << " per second ("
      << net::fixed(outcome.lookups_per_second / 1e6, 2) << " Mpps; " << options.threads
      << (options.threads == 1 ? " thread, " : " threads, ") << options.repeat
      << (options.repeat == 1 ? " pass)" : " passes)") << "\nmatch checksum  " << hex16(outcome.checksum) << '\n';
  if (!outcome.verified) return;
  if (outcome.mismatch_count == 0) {
    out << "verify          ok: every packet gets the same rule as linear\n";
    return;
  }
  out << "verify          " << net::grouped(outcome.mismatch_count) << " of " << net::grouped(outcome.packets)
      << " packets differ from linear; first " << outcome.first_mismatches.size() << ":\n";
  for (const Mismatch& m : outcome.first_mismatches) {
    out << "  packet " << m.packet_index + 1 << ": " << net::format_five_tuple(keys[m.packet_index]) << ": got "
        << describe_result(rules, m.got) << ", expected " << describe_result(rules, m.expected) << '\n';
  }
}

std::string json_report(const ClassifyCommandOptions& options, const Outcome& outcome) {
  nlohmann::ordered_json report;
  report["algorithm"] = outcome.algorithm;
  report["rules"] = outcome.rules;
  report["packets"] = outcome.packets;
  report["build_ms"] = outcome.build_ms;
  report["memory_bytes"] = outcome.memory_bytes;
  report["lookups_per_second"] = outcome.lookups_per_second;
  // A string: 64-bit values do not survive JSON readers that hold numbers as doubles.
  report["match_checksum"] = hex16(outcome.checksum);
  report["mismatches"] = outcome.verified ? nlohmann::ordered_json(outcome.mismatch_count) : nullptr;
  report["threads"] = options.threads;
  report["repeat"] = options.repeat;
  return report.dump(2) + "\n";
}

int classify(const ClassifyCommandOptions& options) {
  auto rules_text = read_file(options.rules_path);
  if (!rules_text) return report_error(rules_text.error());
  auto trace_text = read_file(options.trace_path);
  if (!trace_text) return report_error(trace_text.error());
  auto rules = classifier::parse_classbench_rules(*rules_text, options.rules_path);
  if (!rules) return report_error(rules.error());
  auto trace = classifier::parse_classbench_trace(*trace_text, options.trace_path);
  if (!trace) return report_error(trace.error());

  using Clock = std::chrono::steady_clock;
  auto build_start = Clock::now();
  auto built = classifier::build_classifier(*rules, options.algorithm);
  auto build_end = Clock::now();
  if (!built) return report_error(built.error());
  const Classifier& subject = **built;

  std::span<const FiveTuple> keys = trace->packets;
  std::vector<RuleIndex> results(keys.size());
  classify_in_threads(subject, keys, results, options.threads, 1);  // warm-up: caches, page faults
  auto run_start = Clock::now();
  classify_in_threads(subject, keys, results, options.threads, options.repeat);
  double run_s = std::chrono::duration<double>(Clock::now() - run_start).count();

  Outcome outcome;
  outcome.algorithm = subject.algorithm();
  outcome.rules = rules->rules.size();
  outcome.packets = keys.size();
  outcome.build_ms = std::chrono::duration<double, std::milli>(build_end - build_start).count();
  outcome.memory_bytes = subject.memory_bytes();
  double lookups = static_cast<double>(keys.size()) * options.repeat;
  outcome.lookups_per_second = run_s > 0 ? lookups / run_s : 0;
  outcome.checksum = match_checksum(results);

  if (options.verify) {
    auto oracle = classifier::build_classifier(*rules, "linear");
    if (!oracle) return report_error(oracle.error());
    std::vector<RuleIndex> expected(keys.size());
    classify_in_threads(**oracle, keys, expected, options.threads, 1);
    outcome.verified = true;
    for (std::size_t i = 0; i < keys.size(); ++i) {
      if (results[i] == expected[i]) continue;
      if (outcome.first_mismatches.size() < kMismatchesShown)
        outcome.first_mismatches.push_back({i, results[i], expected[i]});
      ++outcome.mismatch_count;
    }
  }

  bool json_to_stdout = options.json_path == "-";
  print_human(json_to_stdout ? std::cerr : std::cout, options, *rules, keys, outcome);
  if (!options.json_path.empty()) {
    std::string report = json_report(options, outcome);
    if (json_to_stdout) {
      std::cout << report << std::flush;
    } else if (auto written = write_file(options.json_path, report); !written) {
      return report_error(written.error());
    }
  }
  return outcome.mismatch_count == 0 ? kExitOk : kExitFlagged;
}

}  // namespace

void define_classify_options(CLI::App& command, ClassifyCommandOptions& options) {
  std::string names;
  for (std::string_view name : classifier::algorithm_names()) names += (names.empty() ? "" : ", ") + std::string(name);
  command.add_option("--rules", options.rules_path, "ClassBench rule file (pfsim extension: IPv6, ranges)")
      ->option_text("FILE REQUIRED")
      ->required();
  command.add_option("--trace", options.trace_path, "ClassBench trace file, one packet header per line")
      ->option_text("FILE REQUIRED")
      ->required();
  command.add_option("--algorithm", options.algorithm, "classifier algorithm: " + names + " (default auto)")
      ->option_text("NAME");
  command
      .add_option("--threads", options.threads,
                  "threads that split the trace, 1-" + std::to_string(kMaxThreads) + " (default 1)")
      ->check(CLI::Range(1u, kMaxThreads))
      ->option_text("N");
  command.add_option("--repeat", options.repeat, "timed passes over the whole trace, at least 1 (default 1)")
      ->check(CLI::Range(1u, std::numeric_limits<unsigned>::max()))
      ->option_text("K");
  command.add_flag("--verify", options.verify, "compare every packet's rule with the linear reference");
  command.add_option("--json", options.json_path, "write the JSON report to FILE ('-' for stdout)")
      ->option_text("FILE");
}

int run_classify_command(const ClassifyCommandOptions& options) {
  try {
    return classify(options);
  } catch (const std::system_error& error) {
    return report_error(
        net::error_message("cannot start " + std::to_string(options.threads) + " threads: " + error.what()));
  }
}

}  // namespace pfsim::tools
