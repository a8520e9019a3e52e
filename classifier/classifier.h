// classifier/classifier.h — the multi-field packet classifier: RuleSet in, best rule out.
//
// What: a Classifier is built once from a RuleSet and answers, for a batch of FiveTuples, the
// index of the best matching rule of each (rule.h defines "matches" and "best": lowest
// priority number, then lowest index; kNoMatch when none matches, and the caller applies the
// RuleSet's default action). Several algorithms sit behind this one interface and are chosen
// by name:
//
//   linear    the reference oracle: every rule, in best-first order, until one matches.
//             Obviously right; O(R) per lookup. Every other algorithm is tested against it.
//   cuttree   a partitioned multi-bit cut tree (classifier/cut_tree.h explains it and why it
//             was chosen): a few dependent table loads and a short leaf scan per lookup.
//   auto      picks by rule-set size: linear up to kLinearAutoMaxRules rules (where a scan of
//             a few cache lines beats any index), cuttree above.
//
// Immutability and threads: a built Classifier never changes, so any number of threads may
// call classify() on it at once without locks. Updates: edit the RuleSet and build again —
// a documented cheap rebuild (cuttree builds 10K ClassBench rules in a few milliseconds, see
// bench/RESULTS.md), swapped in by the owner; built classifiers do not see later edits.
//
// Validation happens once, at build (rule "#N is invalid"); classify() trusts its input, never
// allocates, throws, logs or locks.
//
// Example:
//   auto built = build_classifier(rules, "auto");
//   if (!built) return report(built.error());
//   std::vector<RuleIndex> best(keys.size());
//   (*built)->classify(keys, best);
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string_view>

#include "classifier/rule.h"
#include "net/error.h"

namespace pfsim::classifier {

class Classifier {
 public:
  virtual ~Classifier() = default;

  // Writes the best matching rule index (or kNoMatch) for keys[i] into out[i].
  // Precondition: out.size() >= keys.size(). Batches of any size, including 0.
  virtual void classify(std::span<const FiveTuple> keys, std::span<RuleIndex> out) const noexcept = 0;

  // Bytes of lookup structures this classifier holds (not counting the RuleSet it came from).
  virtual std::size_t memory_bytes() const noexcept = 0;

  // The algorithm's name as build_classifier() accepts it ("linear", "cuttree").
  virtual std::string_view algorithm() const noexcept = 0;
};

// Rule sets this small are classified by `linear` under `auto`: up to here a scan of every
// rule is faster than cuttree's table walk, beyond it slower (bench/RESULTS.md, "`auto`:
// where linear stops paying").
inline constexpr std::size_t kLinearAutoMaxRules = 8;

// The names build_classifier() accepts, "auto" included.
std::span<const std::string_view> algorithm_names() noexcept;

// Validates `rules` and builds a classifier with the named algorithm. Errors: an unknown
// algorithm name (the message lists the known ones), or the first invalid rule. The result
// keeps no reference to `rules`.
net::Result<std::unique_ptr<const Classifier>> build_classifier(const RuleSet& rules, std::string_view algorithm);

}  // namespace pfsim::classifier
