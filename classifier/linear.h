// classifier/linear.h — the reference classifier: a scan in best-first order.
//
// Rules are stored sorted by (priority, index), so the first match is the best match and the
// scan stops there. O(R) per lookup, O(R log R) build. Simple enough to be obviously right:
// it is the oracle every other algorithm is tested against (tests/classifier/).
#pragma once

#include <vector>

#include "classifier/classifier.h"

namespace pfsim::classifier {

class LinearClassifier final : public Classifier {
 public:
  // Precondition: validate(rules) succeeded.
  explicit LinearClassifier(const RuleSet& rules);

  void classify(std::span<const FiveTuple> keys, std::span<RuleIndex> out) const noexcept override;
  std::size_t memory_bytes() const noexcept override;
  std::string_view algorithm() const noexcept override { return "linear"; }

 private:
  struct Entry {
    Rule rule;
    RuleIndex index;
  };
  std::vector<Entry> entries_;  // best first
};

}  // namespace pfsim::classifier
