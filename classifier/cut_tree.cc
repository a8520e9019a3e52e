#include "classifier/cut_tree.h"

#include <algorithm>
#include <bit>
#include <limits>
#include <numeric>
#include <unordered_map>

namespace pfsim::classifier {
namespace {

using internal::CutForest;
using internal::kLeafBit;

// How a family's rules and keys map onto the fields of its forest.
template <class Word, std::size_t D>
struct Layout;

template <>
struct Layout<std::uint32_t, 5> {
  static constexpr Family kFamily = Family::kIpv4;
  static constexpr std::array<std::uint8_t, 5> kFieldBits = {32, 32, 16, 16, 8};
  static constexpr std::size_t kSrcField = 0;  // the field whose width decides "small source"
  static constexpr std::size_t kDstField = 1;
  static constexpr unsigned kSmallSpanBits = 20;  // a /12 or longer is small

  static CutForest<std::uint32_t, 5>::Key key(const FiveTuple& t) noexcept {
    return {static_cast<std::uint32_t>(t.src.lo), static_cast<std::uint32_t>(t.dst.lo), t.sport, t.dport, t.proto};
  }
  // Writes the rule's box; returns whether the box is exactly the rule (always, for IPv4).
  static bool box(const Rule& r, CutForest<std::uint32_t, 5>::Key& lo, CutForest<std::uint32_t, 5>::Key& hi) noexcept {
    lo = {static_cast<std::uint32_t>(r.src.lo.lo), static_cast<std::uint32_t>(r.dst.lo.lo), r.sport.lo, r.dport.lo,
          r.proto_any ? 0u : r.proto};
    hi = {static_cast<std::uint32_t>(r.src.hi.lo), static_cast<std::uint32_t>(r.dst.hi.lo), r.sport.hi, r.dport.hi,
          r.proto_any ? 255u : r.proto};
    return true;
  }
};

template <>
struct Layout<std::uint64_t, 7> {
  static constexpr Family kFamily = Family::kIpv6;
  static constexpr std::array<std::uint8_t, 7> kFieldBits = {64, 64, 64, 64, 16, 16, 8};
  static constexpr std::size_t kSrcField = 0;  // high words
  static constexpr std::size_t kDstField = 2;
  static constexpr unsigned kSmallSpanBits = 52;  // a /12 or longer is small

  static CutForest<std::uint64_t, 7>::Key key(const FiveTuple& t) noexcept {
    return {t.src.hi, t.src.lo, t.dst.hi, t.dst.lo, t.sport, t.dport, t.proto};
  }
  // A 128-bit range is a box over (high word, low word) when both ends share the high word,
  // or when it spans whole low-word blocks; otherwise the smallest box around it is used.
  static bool address_box(const AddressRange& r, std::uint64_t& hi_lo, std::uint64_t& hi_hi, std::uint64_t& lo_lo,
                          std::uint64_t& lo_hi) noexcept {
    constexpr std::uint64_t kAll = ~std::uint64_t{0};
    hi_lo = r.lo.hi;
    hi_hi = r.hi.hi;
    if (r.lo.hi == r.hi.hi) {
      lo_lo = r.lo.lo;
      lo_hi = r.hi.lo;
      return true;
    }
    lo_lo = 0;
    lo_hi = kAll;
    return r.lo.lo == 0 && r.hi.lo == kAll;
  }
  static bool box(const Rule& r, CutForest<std::uint64_t, 7>::Key& lo, CutForest<std::uint64_t, 7>::Key& hi) noexcept {
    const bool src_exact = address_box(r.src, lo[0], hi[0], lo[1], hi[1]);
    const bool dst_exact = address_box(r.dst, lo[2], hi[2], lo[3], hi[3]);
    lo[4] = r.sport.lo;
    hi[4] = r.sport.hi;
    lo[5] = r.dport.lo;
    hi[5] = r.dport.hi;
    lo[6] = r.proto_any ? 0u : r.proto;
    hi[6] = r.proto_any ? 255u : r.proto;
    return src_exact && dst_exact;
  }
};

template <class Word>
constexpr Word low_mask(unsigned bits) noexcept {
  return bits >= std::numeric_limits<Word>::digits ? ~Word{0} : static_cast<Word>((Word{1} << bits) - 1);
}

struct WordsHash {
  template <class Word>
  std::size_t operator()(const std::vector<Word>& words) const noexcept {
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (Word w : words) h = (h ^ static_cast<std::uint64_t>(w)) * 0x100000001b3ull;
    return static_cast<std::size_t>(h);
  }
};

// Builds one family's forest. Positions are indices into the best-first rule order.
template <class Word, std::size_t D>
class ForestBuilder {
 public:
  using Forest = CutForest<Word, D>;
  using Key = typename Forest::Key;
  using L = Layout<Word, D>;

  struct Region {
    Key lo{};
    std::array<std::uint8_t, D> free_bits{};  // the region spans 2^free_bits values per field
    Word hi(std::size_t d) const noexcept { return static_cast<Word>(lo[d] + low_mask<Word>(free_bits[d])); }
  };

  ForestBuilder(Forest& forest, std::vector<Key> lo, std::vector<Key> hi)
      : forest_(forest), lo_(std::move(lo)), hi_(std::move(hi)) {}

  std::uint32_t build_root(std::vector<std::uint32_t> positions) {
    Region region;
    for (std::size_t d = 0; d < D; ++d) region.free_bits[d] = L::kFieldBits[d];
    return build(std::move(positions), region, 0);
  }

 private:
  static constexpr unsigned kMaxDepth = 32;

  bool covers(std::uint32_t p, const Region& region) const noexcept {
    if (!forest_.inexact.empty() && forest_.inexact[p]) return false;
    for (std::size_t d = 0; d < D; ++d)
      if (lo_[p][d] > region.lo[d] || hi_[p][d] < region.hi(d)) return false;
    return true;
  }

  // The smallest aligned region around the node's rules. Keys outside it match none of the
  // rules on some field, so they may fall into any child: the leaf check rejects them there.
  Region shrink(const std::vector<std::uint32_t>& positions, const Region& region) const noexcept {
    Region tight = region;
    for (std::size_t d = 0; d < D; ++d) {
      Word lowest = region.hi(d);
      Word highest = region.lo[d];
      for (std::uint32_t p : positions) {
        lowest = std::min(lowest, std::max(lo_[p][d], region.lo[d]));
        highest = std::max(highest, std::min(hi_[p][d], region.hi(d)));
      }
      const auto width = static_cast<std::uint8_t>(std::bit_width(static_cast<Word>(lowest ^ highest)));
      tight.free_bits[d] = width;
      tight.lo[d] = static_cast<Word>(lowest & ~low_mask<Word>(width));
    }
    return tight;
  }

  struct Cut {
    std::size_t field = D;
    unsigned stride = 0;
    std::size_t fullest = 0;
    std::size_t copies = 0;
  };

  // The cut with the smallest fullest child among those within the space budget.
  Cut choose_cut(const std::vector<std::uint32_t>& positions, const Region& region) {
    const std::size_t n = positions.size();
    const std::size_t budget = CutTreeClassifier::kSpaceFactor * n;
    Cut best;
    best.fullest = n;
    for (std::size_t d = 0; d < D; ++d) {
      const unsigned width = region.free_bits[d];
      const Word region_lo = region.lo[d];
      const Word region_hi = region.hi(d);
      for (unsigned k = 1; k <= std::min(width, CutTreeClassifier::kMaxStride); ++k) {
        const std::size_t slot_count = std::size_t{1} << k;
        if (slot_count > budget) break;
        const unsigned shift = width - k;
        counts_.assign(slot_count + 1, 0);
        std::size_t copies = 0;
        for (std::uint32_t p : positions) {
          const auto a = static_cast<std::size_t>((std::max(lo_[p][d], region_lo) - region_lo) >> shift);
          const auto b = static_cast<std::size_t>((std::min(hi_[p][d], region_hi) - region_lo) >> shift);
          ++counts_[a];
          --counts_[b + 1];
          copies += b - a + 1;
        }
        if (copies + slot_count > budget) break;  // finer cuts only copy more
        std::size_t fullest = 0;
        std::ptrdiff_t running = 0;
        for (std::size_t c = 0; c < slot_count; ++c) {
          running += counts_[c];
          fullest = std::max(fullest, static_cast<std::size_t>(running));
        }
        if (fullest < best.fullest || (fullest == best.fullest && copies < best.copies)) best = {d, k, fullest, copies};
      }
    }
    return best;
  }

  std::uint32_t make_leaf(const std::vector<std::uint32_t>& positions) {
    auto [it, inserted] = leaf_offsets_.try_emplace(positions, 0);
    if (inserted) {
      it->second = static_cast<std::uint32_t>(forest_.leaves.size());
      for (std::uint32_t p : positions) {
        typename Forest::Entry entry{p, lo_[p], {}};
        for (std::size_t d = 0; d < D; ++d) entry.span[d] = static_cast<Word>(hi_[p][d] - lo_[p][d]);
        forest_.leaves.push_back(entry);
      }
      forest_.leaves.push_back({internal::kNoPosition, {}, {}});
    }
    return kLeafBit | it->second;
  }

  std::uint32_t build(std::vector<std::uint32_t> positions, const Region& region, unsigned depth) {
    // A rule covering the whole region hides every worse rule in it; keys outside the tight
    // region match no rule here, so covering the tight region is enough.
    Region tight = shrink(positions, region);
    for (std::size_t i = 0; i < positions.size(); ++i) {
      if (covers(positions[i], tight)) {
        positions.resize(i + 1);
        tight = shrink(positions, region);
        break;
      }
    }
    if (positions.size() <= CutTreeClassifier::kLeafRules || depth >= kMaxDepth) return make_leaf(positions);
    const Cut cut = choose_cut(positions, tight);
    if (cut.field == D) return make_leaf(positions);

    const std::size_t d = cut.field;
    const unsigned shift = tight.free_bits[d] - cut.stride;
    const std::size_t slot_count = std::size_t{1} << cut.stride;
    const Word region_lo = tight.lo[d];
    const Word region_hi = tight.hi(d);

    std::vector<std::vector<std::uint32_t>> children(slot_count);
    for (std::uint32_t p : positions) {
      const auto a = static_cast<std::size_t>((std::max(lo_[p][d], region_lo) - region_lo) >> shift);
      const auto b = static_cast<std::size_t>((std::min(hi_[p][d], region_hi) - region_lo) >> shift);
      for (std::size_t c = a; c <= b; ++c) children[c].push_back(p);
    }

    const auto node_index = static_cast<std::uint32_t>(forest_.nodes.size());
    const auto child_base = static_cast<std::uint32_t>(forest_.slots.size());
    forest_.nodes.push_back({child_base, static_cast<std::uint32_t>(slot_count - 1), static_cast<std::uint8_t>(d),
                             static_cast<std::uint8_t>(shift)});
    forest_.slots.resize(forest_.slots.size() + slot_count);

    // Siblings differ only in field d, so two children whose rules have the same extent in d
    // relative to their slice get identical subtrees: build one, share it.
    std::unordered_map<std::vector<Word>, std::uint32_t, WordsHash> built;
    const Word slice_span = low_mask<Word>(shift);
    for (std::size_t c = 0; c < slot_count; ++c) {
      Region child = tight;
      child.lo[d] = static_cast<Word>(region_lo + (static_cast<Word>(c) << shift));
      child.free_bits[d] = static_cast<std::uint8_t>(shift);
      const Word child_hi = static_cast<Word>(child.lo[d] + slice_span);
      std::vector<Word> shape;
      shape.reserve(children[c].size() * 3);
      for (std::uint32_t p : children[c]) {
        shape.push_back(p);
        shape.push_back(static_cast<Word>(std::max(lo_[p][d], child.lo[d]) - child.lo[d]));
        shape.push_back(static_cast<Word>(std::min(hi_[p][d], child_hi) - child.lo[d]));
      }
      auto [it, inserted] = built.try_emplace(std::move(shape), 0);
      if (inserted) it->second = build(std::move(children[c]), child, depth + 1);
      forest_.slots[child_base + c] = it->second;
    }
    return node_index;
  }

  Forest& forest_;
  std::vector<Key> lo_;
  std::vector<Key> hi_;
  std::vector<std::ptrdiff_t> counts_;
  std::unordered_map<std::vector<std::uint32_t>, std::uint32_t, WordsHash> leaf_offsets_;
};

template <class Word, std::size_t D>
void build_forest(const RuleSet& set, CutForest<Word, D>& forest) {
  using L = Layout<Word, D>;
  using Key = typename CutForest<Word, D>::Key;
  for (std::size_t i = 0; i < set.rules.size(); ++i)
    if (set.rules[i].family == L::kFamily) forest.rule_of.push_back(static_cast<RuleIndex>(i));
  std::stable_sort(forest.rule_of.begin(), forest.rule_of.end(),
                   [&](RuleIndex a, RuleIndex b) { return set.rules[a].priority < set.rules[b].priority; });
  const std::size_t n = forest.rule_of.size();
  if (n == 0) return;

  std::vector<Key> lo(n);
  std::vector<Key> hi(n);
  std::vector<std::uint8_t> inexact(n, 0);
  bool any_inexact = false;
  for (std::size_t p = 0; p < n; ++p) {
    inexact[p] = L::box(set.rules[forest.rule_of[p]], lo[p], hi[p]) ? 0 : 1;
    any_inexact |= inexact[p] != 0;
  }
  if (any_inexact) {
    forest.inexact = std::move(inexact);
    for (RuleIndex r : forest.rule_of) forest.rules_by_position.push_back(set.rules[r]);
  }

  // Partition by which addresses are small (see cut_tree.h): 0 none, 1 dst, 2 src, 3 both.
  const Word small_span = low_mask<Word>(L::kSmallSpanBits);
  std::array<std::vector<std::uint32_t>, 4> groups;
  for (std::size_t p = 0; p < n; ++p) {
    const bool src_small = static_cast<Word>(hi[p][L::kSrcField] - lo[p][L::kSrcField]) < small_span;
    const bool dst_small = static_cast<Word>(hi[p][L::kDstField] - lo[p][L::kDstField]) < small_span;
    groups[(src_small ? 2u : 0u) + (dst_small ? 1u : 0u)].push_back(static_cast<std::uint32_t>(p));
  }
  ForestBuilder<Word, D> builder(forest, std::move(lo), std::move(hi));
  for (auto& group : groups) {
    if (group.empty()) continue;
    const std::uint32_t best_position = group.front();
    forest.trees.push_back({builder.build_root(std::move(group)), best_position});
  }
  std::sort(forest.trees.begin(), forest.trees.end(),
            [](const auto& a, const auto& b) { return a.best_position < b.best_position; });
  forest.nodes.shrink_to_fit();
  forest.slots.shrink_to_fit();
  forest.leaves.shrink_to_fit();
}

}  // namespace

CutTreeClassifier::CutTreeClassifier(const RuleSet& rules) {
  build_forest(rules, v4_);
  build_forest(rules, v6_);
}

void CutTreeClassifier::classify(std::span<const FiveTuple> keys, std::span<RuleIndex> out) const noexcept {
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const FiveTuple& t = keys[i];
    if (t.family == Family::kIpv4) {
      const std::uint32_t position = v4_.lookup(Layout<std::uint32_t, 5>::key(t), t);
      out[i] = position == internal::kNoPosition ? kNoMatch : v4_.rule_of[position];
    } else {
      const std::uint32_t position = v6_.lookup(Layout<std::uint64_t, 7>::key(t), t);
      out[i] = position == internal::kNoPosition ? kNoMatch : v6_.rule_of[position];
    }
  }
}

std::size_t CutTreeClassifier::memory_bytes() const noexcept { return v4_.memory_bytes() + v6_.memory_bytes(); }

}  // namespace pfsim::classifier
