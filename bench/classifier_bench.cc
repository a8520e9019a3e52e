// bench/classifier_bench.cc — build, lookup and rebuild cost of every classifier algorithm on
// the ClassBench sets in shared/classbench (DESIGN.md §7 targets; figures go to RESULTS.md).
//
// Benchmarks, one per algorithm of classifier::algorithm_names() ("auto" is left out: it only
// picks one of the others) and per data set (acl1, fw1, ipc1 at 1K and 10K rules, acl1 at 100K):
//
//   BM_Build/<alg>/<set>            build_classifier() on the whole rule set. The time includes
//                                   freeing the previous classifier, as a rebuild-and-swap does.
//   BM_Classify/<alg>/<set>         classify() over the set's trace in batches of kBatchSize;
//                                   items_per_second is lookups per second of one thread. It is
//                                   per CPU second (Google Benchmark's default), which other
//                                   jobs on the shared 2-core VM disturb less than wall time;
//                                   on an idle machine the two agree. Peer comparisons use
//                                   peer_dpdk.sh, which times both tools the same way.
//   BM_Rebuild/<alg>/<set>/add_one  an update on a 10K set: copy the rules, add (or remove) one
//   BM_Rebuild/<alg>/<set>/remove_one  rule, build again. Classifiers are immutable and the
//                                   update story is "cheap rebuild" (classifier.h), so this is
//                                   the cost a user pays per rule change.
// Counters: rules, memory_bytes (Classifier::memory_bytes()), packets (trace length used).
//
// Keeping the default run short (about 40 s on the 2-core VM; the budget is 3 minutes):
//   - linear classifies at most the first kLinearMaxPackets packets of a trace (the name ends in
//     /first_<N>_packets when that cuts the trace), and is not run on the 100K set at all;
//   - any algorithm whose first batches predict more than kMaxSecondsPerPass for one pass over
//     the trace is skipped with an error that says so, rather than stalling the run.
//
// Data: PFSIM_SHARED_DIR/classbench/<set> and <set>_trace; the environment variable
// PFSIM_SHARED_DIR, when set, overrides the compiled-in path. Each file is read and parsed once
// per process; a missing or bad file skips the benchmarks that need it with the path and error.
//
// Typical runs:
//   classifier_bench --benchmark_filter='linear/acl1_1000$'
//   classifier_bench --benchmark_filter=BM_Classify --benchmark_repetitions=5
//                    --benchmark_report_aggregates_only=true      (medians for RESULTS.md)
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "classifier/classbench.h"
#include "classifier/classifier.h"

namespace {

using pfsim::classifier::build_classifier;
using pfsim::classifier::Classifier;
using pfsim::classifier::FiveTuple;
using pfsim::classifier::Rule;
using pfsim::classifier::RuleIndex;
using pfsim::classifier::RuleSet;

// dpdk-test-acl's default batch (--tracestep=256) and `pfsim classify`'s (kBatchKeys): with
// the same batch size the rates here compare with the peer figures of RESULTS.md.
constexpr std::size_t kBatchSize = 256;

// Linear is the oracle, not a contender: on 10K rules a lookup scans thousands of rules, so a
// prefix of the trace is enough to show its rate while keeping one pass well under ~2 s.
constexpr std::size_t kLinearMaxPackets = 10'000;

// Google Benchmark runs a pass at least a few times, so a slower pass would take the whole
// run past its budget; such an algorithm is not a contender at that size anyway.
constexpr double kMaxSecondsPerPass = 5.0;
// Packets classified to estimate the time of one pass before the timed loop.
constexpr std::size_t kProbePackets = 2'048;

constexpr std::string_view kRuleSets[] = {"acl1_1000", "fw1_1000",   "ipc1_1000",  "acl1_10000",
                                          "fw1_10000", "ipc1_10000", "acl1_100000"};
constexpr std::string_view kRebuildSets[] = {"acl1_10000", "fw1_10000", "ipc1_10000"};

std::string shared_dir() {
  if (const char* env = std::getenv("PFSIM_SHARED_DIR"); env != nullptr && *env != '\0') return env;
  return PFSIM_SHARED_DIR;
}

// A rule set and its trace, or the error that prevented reading them.
struct DataSet {
  RuleSet rules;
  std::vector<FiveTuple> packets;
  std::string error;  // empty when both files were read
};

bool read_file(const std::string& path, std::string& text) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  text = std::move(buffer).str();
  return !in.bad();
}

DataSet load_data_set(std::string_view name) {
  DataSet set;
  const std::string rules_path = shared_dir() + "/classbench/" + std::string(name);
  const std::string trace_path = rules_path + "_trace";
  std::string text;
  if (!read_file(rules_path, text)) {
    set.error = "cannot read " + rules_path;
    return set;
  }
  auto rules = pfsim::classifier::parse_classbench_rules(text, rules_path);
  if (!rules) {
    set.error = rules.error().to_string();
    return set;
  }
  if (!read_file(trace_path, text)) {
    set.error = "cannot read " + trace_path;
    return set;
  }
  auto trace = pfsim::classifier::parse_classbench_trace(text, trace_path);
  if (!trace) {
    set.error = trace.error().to_string();
    return set;
  }
  set.rules = std::move(*rules);
  set.packets = std::move(trace->packets);
  return set;
}

// Parsing 100K rules and 200K packets takes a while, and Google Benchmark calls each function
// several times, so every set is read once per process. Benchmarks run one at a time on the
// main thread, so the cache needs no lock.
const DataSet& data_set(std::string_view name) {
  static std::map<std::string, DataSet, std::less<>> cache;
  auto it = cache.find(name);
  if (it == cache.end()) it = cache.emplace(std::string(name), load_data_set(name)).first;
  return it->second;
}

void set_counters(benchmark::State& state, std::size_t rules, const Classifier& classifier) {
  state.counters["rules"] = static_cast<double>(rules);
  state.counters["memory_bytes"] = benchmark::Counter(static_cast<double>(classifier.memory_bytes()),
                                                      benchmark::Counter::kDefaults, benchmark::Counter::kIs1024);
}

// Classifies `packets` batch by batch and returns a sum of the answers, so the work is observable.
std::uint64_t classify_all(const Classifier& classifier, std::span<const FiveTuple> packets, std::span<RuleIndex> out) {
  std::uint64_t sum = 0;
  for (std::size_t offset = 0; offset < packets.size(); offset += kBatchSize) {
    const std::size_t n = std::min(kBatchSize, packets.size() - offset);
    classifier.classify(packets.subspan(offset, n), out.first(n));
    for (std::size_t i = 0; i < n; ++i) sum += out[i];
  }
  return sum;
}

void bm_build(benchmark::State& state, std::string algorithm, std::string set_name) {
  const DataSet& set = data_set(set_name);
  if (!set.error.empty()) return state.SkipWithError(set.error.c_str());
  std::unique_ptr<const Classifier> classifier;
  for (auto _ : state) {
    auto built = build_classifier(set.rules, algorithm);
    if (!built) return state.SkipWithError(built.error().to_string().c_str());
    classifier = std::move(*built);  // frees the previous one inside the timed region
    benchmark::DoNotOptimize(classifier.get());
  }
  if (classifier) set_counters(state, set.rules.rules.size(), *classifier);
}

void bm_classify(benchmark::State& state, std::string algorithm, std::string set_name, std::size_t max_packets) {
  const DataSet& set = data_set(set_name);
  if (!set.error.empty()) return state.SkipWithError(set.error.c_str());
  auto built = build_classifier(set.rules, algorithm);
  if (!built) return state.SkipWithError(built.error().to_string().c_str());
  const Classifier& classifier = **built;
  const std::span<const FiveTuple> packets =
      std::span<const FiveTuple>(set.packets).first(std::min(max_packets, set.packets.size()));
  std::vector<RuleIndex> out(kBatchSize);

  // The probe also warms the caches, as a classifier in service would be.
  const std::size_t probe = std::min(kProbePackets, packets.size());
  const auto probe_start = std::chrono::steady_clock::now();
  benchmark::DoNotOptimize(classify_all(classifier, packets.first(probe), out));
  const std::chrono::duration<double> probe_time = std::chrono::steady_clock::now() - probe_start;
  if (probe > 0) {
    const double estimate_s = probe_time.count() * static_cast<double>(packets.size()) / static_cast<double>(probe);
    if (estimate_s > kMaxSecondsPerPass) {
      const std::string message = "skipped: one pass over " + std::to_string(packets.size()) +
                                  " packets would take about " + std::to_string(estimate_s) + " s";
      return state.SkipWithError(message.c_str());
    }
  }

  for (auto _ : state) {
    benchmark::DoNotOptimize(classify_all(classifier, packets, out));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(packets.size()));
  set_counters(state, set.rules.rules.size(), classifier);
  state.counters["packets"] = static_cast<double>(packets.size());
}

enum class Edit { kAddOne, kRemoveOne };

void bm_rebuild(benchmark::State& state, std::string algorithm, std::string set_name, Edit edit) {
  const DataSet& set = data_set(set_name);
  if (!set.error.empty()) return state.SkipWithError(set.error.c_str());
  if (set.rules.rules.empty()) return state.SkipWithError("empty rule set");
  // The edited rule sits in the middle of the priority order, where an insert or a delete
  // disturbs the most: an added rule copies the middle rule's fields and priority (it ties and
  // loses on index, which is still a valid set); a removal erases the middle rule.
  const std::size_t middle = set.rules.rules.size() / 2;
  Rule added = set.rules.rules[middle];
  added.id = set.rules.rules.size() + 1;

  std::unique_ptr<const Classifier> classifier;
  std::size_t rules_after = 0;
  for (auto _ : state) {
    RuleSet edited = set.rules;
    if (edit == Edit::kAddOne) {
      edited.rules.push_back(added);
    } else {
      edited.rules.erase(edited.rules.begin() + static_cast<std::ptrdiff_t>(middle));
    }
    auto built = build_classifier(edited, algorithm);
    if (!built) return state.SkipWithError(built.error().to_string().c_str());
    classifier = std::move(*built);
    benchmark::DoNotOptimize(classifier.get());
    rules_after = edited.rules.size();
  }
  if (classifier) set_counters(state, rules_after, *classifier);
}

void register_benchmarks() {
  for (std::string_view name : pfsim::classifier::algorithm_names()) {
    if (name == "auto") continue;
    const std::string algorithm(name);
    const bool is_linear = algorithm == "linear";

    for (std::string_view set_view : kRuleSets) {
      const std::string set(set_view);
      benchmark::RegisterBenchmark(("BM_Build/" + algorithm + "/" + set).c_str(), bm_build, algorithm, set)
          ->Unit(benchmark::kMillisecond);

      // Linear's limits are fixed by set name rather than measured, so benchmark names are
      // stable from run to run: one pass of linear over the 100K set takes minutes, and the 1K
      // traces are shorter than kLinearMaxPackets, so only the 10K traces are cut.
      if (is_linear && set_view.ends_with("_100000")) continue;
      const bool prefix_only = is_linear && set_view.ends_with("_10000");
      const std::size_t max_packets = is_linear ? kLinearMaxPackets : SIZE_MAX;
      std::string bench_name = "BM_Classify/" + algorithm + "/" + set;
      if (prefix_only) bench_name += "/first_" + std::to_string(kLinearMaxPackets) + "_packets";
      benchmark::RegisterBenchmark(bench_name.c_str(), bm_classify, algorithm, set, max_packets)
          ->Unit(benchmark::kMillisecond);
    }

    for (std::string_view set_view : kRebuildSets) {
      const std::string set(set_view);
      benchmark::RegisterBenchmark(("BM_Rebuild/" + algorithm + "/" + set + "/add_one").c_str(), bm_rebuild, algorithm,
                                   set, Edit::kAddOne)
          ->Unit(benchmark::kMillisecond);
      benchmark::RegisterBenchmark(("BM_Rebuild/" + algorithm + "/" + set + "/remove_one").c_str(), bm_rebuild,
                                   algorithm, set, Edit::kRemoveOne)
          ->Unit(benchmark::kMillisecond);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  register_benchmarks();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
