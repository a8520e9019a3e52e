// net/hash.h — SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number
// generators", OOPSLA 2014), the one mixing function of the project: flow hashes for shards
// and targets, hash-table slots, and the deterministic generator of synthetic traffic.
//
// mix64() is SplitMix64's finalizer: every input bit flips about half of the output bits, so
// keys that differ in one port still spread evenly. The constants are fixed, so results are
// the same across runs, builds and machines (`--shard I/N` and golden files rely on it).
#pragma once

#include <cstdint>

namespace pfsim::net {

// 2^64 / golden ratio, SplitMix64's increment.
inline constexpr std::uint64_t kGoldenGamma = 0x9e3779b97f4a7c15ull;

constexpr std::uint64_t mix64(std::uint64_t x) noexcept {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return x;
}

// Five words to one hash (a flow's two addresses and its ports, protocol and family): each word
// times its own odd constant (a bijection of the word; the products issue in parallel), the
// sum xored with `seed`, then one SplitMix64 finalizer to spread every input bit. A fifth of
// the work of mixing word by word.
constexpr std::uint64_t hash_words(std::uint64_t seed, std::uint64_t a, std::uint64_t b, std::uint64_t c,
                                   std::uint64_t d, std::uint64_t e) noexcept {
  return mix64(seed ^ (a * 0x9e3779b97f4a7c15ull + b * 0xc2b2ae3d27d4eb4full + c * 0x165667b19e3779f9ull +
                       d * 0xd6e8feb86659fd93ull + e * 0xff51afd7ed558ccdull));
}

// One step of the SplitMix64 generator: advances `state` and returns the next value.
constexpr std::uint64_t splitmix64_next(std::uint64_t& state) noexcept { return mix64(state += kGoldenGamma); }

}  // namespace pfsim::net
