// engine/replay/internal/chunked_vector.h — a growing array whose elements never move: fixed chunks of about
// 2 MiB, for large caches that are indexed by position (replay's route cache).
//
// Indices and references stay valid as it grows, and growing copies nothing: a std::vector
// would copy every element and briefly hold twice its size; a std::deque of large elements
// allocates one node per element. Not thread-safe.
#pragma once

#include <cstddef>
#include <vector>

namespace pfsim::engine {

template <typename T>
class ChunkedVector {
 public:
  static constexpr std::size_t kChunk = (std::size_t{2} << 20) / sizeof(T);

  std::size_t size() const noexcept { return size_; }
  T& operator[](std::size_t i) noexcept { return chunks_[i / kChunk][i % kChunk]; }
  const T& operator[](std::size_t i) const noexcept { return chunks_[i / kChunk][i % kChunk]; }
  T& push_back(const T& value) {
    if (size_ % kChunk == 0) chunks_.emplace_back().reserve(kChunk);
    ++size_;
    return chunks_.back().emplace_back(value);
  }
  void clear() noexcept {
    chunks_.clear();
    size_ = 0;
  }

 private:
  std::vector<std::vector<T>> chunks_;
  std::size_t size_ = 0;
};

}  // namespace pfsim::engine
