// classifier/internal/cut_forest.h — the run-time tables of the cut tree, for one address
// family. Private to classifier/: cut_tree.h is the public face and explains the algorithm;
// this header shows the flat-array layout and the lookup loop, which must stay inline.
//
// Layout (all indices, no pointers):
//   positions      the rules of the family in best-first order (priority, then index), so
//                  "best" = "smallest position".
//   rule_of[p]     the RuleSet index of position p.
//   nodes[i]       an internal node: which field to cut, and where its children start.
//   slots[]        child references: a node's children are slots[child_base + cut index].
//   leaves[]       leaf contents: entries (position and match box) in ascending position
//                  order, ended by a sentinel entry whose position is kNoPosition. The box
//                  sits beside the position so a scan reads consecutive memory.
//   trees[]        one root per rule partition, in ascending order of their best position.
// A reference (root or slot) is a node index, or kLeafBit | offset into leaves.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "classifier/rule.h"

namespace pfsim::classifier::internal {

inline constexpr std::uint32_t kLeafBit = 0x8000'0000u;
inline constexpr std::uint32_t kNoPosition = ~std::uint32_t{0};

// Word: the unsigned type of one key field; D: the number of fields.
//   IPv4: Word = uint32_t, D = 5: src, dst, sport, dport, proto.
//   IPv6: Word = uint64_t, D = 7: src hi, src lo, dst hi, dst lo, sport, dport, proto.
template <class Word, std::size_t D>
struct CutForest {
  using Key = std::array<Word, D>;

  // A rule in a leaf: field d matches when (key[d] - lo[d]) <= span[d] (unsigned arithmetic).
  struct Entry {
    std::uint32_t position;
    Key lo;
    Key span;
  };
  struct Node {
    std::uint32_t child_base;
    std::uint32_t mask;  // (1 << cut bits) - 1
    std::uint8_t field;
    std::uint8_t shift;
  };
  struct Tree {
    std::uint32_t root;
    std::uint32_t best_position;  // no rule in this tree is better than this one
  };

  std::vector<RuleIndex> rule_of;
  // IPv6 only: a rule whose address range is not a box over (hi, lo) words is stored as the
  // smallest box around it and re-checked against the rule itself.
  std::vector<std::uint8_t> inexact;
  std::vector<Rule> rules_by_position;  // filled only when some rule is inexact
  std::vector<Node> nodes;
  std::vector<std::uint32_t> slots;
  std::vector<Entry> leaves;
  std::vector<Tree> trees;

  static bool box_matches(const Entry& entry, const Key& key) noexcept {
    bool hit = true;
    for (std::size_t d = 0; d < D; ++d) hit &= static_cast<Word>(key[d] - entry.lo[d]) <= entry.span[d];
    return hit;
  }

  // The best position in the leaf matching `key` that beats `best` (else `best`). The
  // sentinel's position ends the scan through the same test that stops at `best`.
  std::uint32_t scan_leaf(std::uint32_t leaf_ref, const Key& key, const FiveTuple& tuple,
                          std::uint32_t best) const noexcept {
    for (const Entry* entry = &leaves[leaf_ref & ~kLeafBit]; entry->position < best; ++entry) {
      if (box_matches(*entry, key) &&
          (inexact.empty() || !inexact[entry->position] || matches(rules_by_position[entry->position], tuple)))
        return entry->position;
    }
    return best;
  }

  // The best position matching `key` (kNoPosition if none). Trees are visited in order of
  // their best rule and skipped once they cannot beat the match in hand. `tuple` is the key's
  // source, consulted only for inexact rules.
  std::uint32_t lookup(const Key& key, const FiveTuple& tuple) const noexcept {
    std::uint32_t best = kNoPosition;
    for (const Tree& tree : trees) {
      if (tree.best_position >= best) break;
      std::uint32_t ref = tree.root;
      while ((ref & kLeafBit) == 0) {
        const Node& node = nodes[ref];
        ref = slots[node.child_base + (static_cast<std::uint32_t>(key[node.field] >> node.shift) & node.mask)];
      }
      best = scan_leaf(ref, key, tuple, best);
    }
    return best;
  }

  std::size_t memory_bytes() const noexcept {
    return rule_of.capacity() * sizeof(RuleIndex) + inexact.capacity() + rules_by_position.capacity() * sizeof(Rule) +
           nodes.capacity() * sizeof(Node) + slots.capacity() * sizeof(std::uint32_t) +
           leaves.capacity() * sizeof(Entry) + trees.capacity() * sizeof(Tree);
  }
};

using CutForest4 = CutForest<std::uint32_t, 5>;
using CutForest6 = CutForest<std::uint64_t, 7>;

}  // namespace pfsim::classifier::internal
