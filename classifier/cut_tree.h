// classifier/cut_tree.h — `cuttree`, the fast classifier: partitioned multi-bit cut trees.
//
// What: the same answers as `linear` (best = lowest priority, then lowest index), from a few
// dependent table loads and a short scan of a leaf instead of a scan of every rule.
//
// Key idea. Each family's rules are viewed as boxes in a space of fields (IPv4: src, dst,
// sport, dport, proto; IPv6 splits each address into its high and low 64-bit words). A tree
// node cuts its region of that space along one field into 2^k equal, aligned slices, so the
// child of a key is an index computed from k bits of one field: (key[field] >> shift) & mask
// — a multi-bit trie whose field and stride are chosen per node (HiCuts, Gupta & McKeown
// 1999), not fixed per level as in DPDK's rte_acl. A node becomes a leaf when it holds at most
// kLeafRules rules; a leaf lists rule positions in best-first order and the scan stops at the
// first whose box contains the key. Three things keep trees small and shallow:
//   - Partitioning (CutSplit, Li et al. 2018): a rule whose source and destination are both
//     wide would be copied into every slice of a cut along either address. Rules are split by
//     which of their two addresses are "small" (a /12 or longer; for IPv6, /12 of the high
//     word: the threshold with the fewest instructions and cache misses a lookup, see
//     bench/RESULTS.md, "What limits cuttree") and each group gets its own tree. Lookups
//     visit the trees in order of their best rule and stop as soon as no remaining tree can
//     hold a better one.
//   - Pruning: in a node, a rule that covers the whole region hides every worse rule there,
//     so the node's list is cut after it.
//   - Sharing: leaves with the same list are stored once; sibling subtrees whose rules look
//     the same relative to their slices are built once.
// Cut choice: for each field and stride k, the cost is the number of rule copies in the
// children; the largest stride whose copies plus slots stay within kSpaceFactor times the
// node's rules is taken on the field that leaves the fullest child smallest.
//
// Why this algorithm: DPDK's rte_acl, the fastest peer, is a byte-wise DFA whose tables grow
// to tens of megabytes at 10K rules and are slow to build. Tuple-space schemes (TSS,
// TupleMerge, PartitionSort) are small and update fast but need one hash probe per tuple or
// partition, so they look up several times slower. Decision trees give DFA-like lookups (a
// few loads each) at a fraction of the memory when replication is controlled, and build in
// milliseconds; cut trees with per-node strides are shallower than binary HyperSplit trees.
// The peers' measured figures: bench/RESULTS.md ("DPDK rte_acl peer", "pfsim (cuttree)
// against the peer").
//
// Cost: lookup O(depth + leaf) per tree, depth typically 2-4; build roughly
// O(R * fields * strides) per level; memory is reported by memory_bytes().
// Updates: none in place; rebuild from the edited RuleSet (bench/RESULTS.md, BM_Rebuild).
// Thread-safety: immutable after construction; classify() may run on many threads at once.
#pragma once

#include "classifier/classifier.h"
#include "classifier/internal/cut_forest.h"

namespace pfsim::classifier {

class CutTreeClassifier final : public Classifier {
 public:
  // Leaves hold at most this many rules (unless no cut separates them).
  static constexpr std::size_t kLeafRules = 4;
  // A node's children may hold at most this many rule copies and slots per rule of the node.
  static constexpr std::size_t kSpaceFactor = 4;
  // At most 2^kMaxStride children per node.
  static constexpr unsigned kMaxStride = 16;

  // Precondition: validate(rules) succeeded.
  explicit CutTreeClassifier(const RuleSet& rules);

  void classify(std::span<const FiveTuple> keys, std::span<RuleIndex> out) const noexcept override;
  std::size_t memory_bytes() const noexcept override;
  std::string_view algorithm() const noexcept override { return "cuttree"; }

 private:
  internal::CutForest4 v4_;
  internal::CutForest6 v6_;
};

}  // namespace pfsim::classifier
