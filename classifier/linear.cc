#include "classifier/linear.h"

#include <algorithm>

namespace pfsim::classifier {

LinearClassifier::LinearClassifier(const RuleSet& rules) {
  entries_.reserve(rules.rules.size());
  for (std::size_t i = 0; i < rules.rules.size(); ++i) entries_.push_back({rules.rules[i], static_cast<RuleIndex>(i)});
  std::stable_sort(entries_.begin(), entries_.end(),
                   [](const Entry& a, const Entry& b) { return a.rule.priority < b.rule.priority; });
}

void LinearClassifier::classify(std::span<const FiveTuple> keys, std::span<RuleIndex> out) const noexcept {
  for (std::size_t k = 0; k < keys.size(); ++k) {
    RuleIndex best = kNoMatch;
    for (const Entry& e : entries_) {
      if (matches(e.rule, keys[k])) {
        best = e.index;
        break;
      }
    }
    out[k] = best;
  }
}

std::size_t LinearClassifier::memory_bytes() const noexcept { return entries_.capacity() * sizeof(Entry); }

}  // namespace pfsim::classifier
