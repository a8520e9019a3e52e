// engine/gen/internal/rng.h — the generator's randomness: SplitMix64, one stream per (seed,
// stream, index), so each flow draws from its own sequence and a seed reproduces a capture
// byte for byte. SplitMix64 because it is small, fast and the same on every platform (the
// std:: distributions are not). Changing a stream, or the order of draws from one, changes the
// generated captures.
#pragma once

#include <cstdint>

#include "net/hash.h"

namespace pfsim::engine::gen_internal {

struct Rng {
  std::uint64_t state;
  std::uint64_t next() noexcept { return net::splitmix64_next(state); }
  // Uniform enough in [lo, hi] (inclusive) for traffic shapes.
  std::uint64_t in(std::uint64_t lo, std::uint64_t hi) noexcept { return lo + next() % (hi - lo + 1); }
};

// The streams of rng_for(): the client pools (index 0), the listener flows and the health
// checks (index: the flow's or the (node, target) pair's planning order).
inline constexpr std::uint64_t kClientPoolStream = 1;
inline constexpr std::uint64_t kListenerFlowStream = 2;
inline constexpr std::uint64_t kHealthCheckStream = 3;

inline Rng rng_for(std::uint64_t seed, std::uint64_t stream, std::uint64_t index) noexcept {
  Rng r{seed ^ (stream * 0xd1b54a32d192ed03ull)};
  r.state ^= Rng{index * net::kGoldenGamma + stream}.next();
  r.next();
  return r;
}

}  // namespace pfsim::engine::gen_internal
