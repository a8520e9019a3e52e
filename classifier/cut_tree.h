// classifier/cut_tree.h — placeholder header, replaced by the cut tree implementation.
#pragma once

#include "classifier/linear.h"

namespace pfsim::classifier {

class CutTreeClassifier final : public Classifier {
 public:
  explicit CutTreeClassifier(const RuleSet& rules) : linear_(rules) {}
  void classify(std::span<const FiveTuple> keys, std::span<RuleIndex> out) const noexcept override {
    linear_.classify(keys, out);
  }
  std::size_t memory_bytes() const noexcept override { return linear_.memory_bytes(); }
  std::string_view algorithm() const noexcept override { return "cuttree"; }

 private:
  LinearClassifier linear_;
};

}  // namespace pfsim::classifier
