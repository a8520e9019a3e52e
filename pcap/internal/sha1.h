// pcap/internal/sha1.h — SHA-1 (FIPS 180-4), for the Community ID of a flow (pcap/flow_key.h).
//
// Community ID v1 is defined over SHA-1, and pfsim depends on no crypto library, so this is
// a small, portable implementation: 64-byte blocks, 80 rounds, big-endian words, the message
// padded with 0x80, zeros and its bit length. It is for identifiers, not for security (SHA-1
// is broken for collision resistance).
//
// Sha1 hashes a message given in any number of pieces; sha1() hashes one buffer. The results
// equal those of any SHA-1 (tests/pcap/flow_key_test.cc checks the FIPS 180-2 examples).
//
// Example:
//   Sha1 hasher;
//   hasher.update(header);
//   hasher.update(body);
//   Sha1Digest digest = hasher.finish();
//
// Cost: one compression per 64 bytes; no allocation. A Sha1 object is not thread-safe; use
// one per thread.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace pfsim::pcap::internal {

inline constexpr std::size_t kSha1DigestBytes = 20;
inline constexpr std::size_t kSha1BlockBytes = 64;

using Sha1Digest = std::array<std::uint8_t, kSha1DigestBytes>;

class Sha1 {
 public:
  Sha1() noexcept;

  // Appends `bytes` to the message.
  void update(std::span<const std::uint8_t> bytes) noexcept;

  // Pads the message and returns its digest. The object then starts a new, empty message.
  Sha1Digest finish() noexcept;

 private:
  void compress(std::span<const std::uint8_t, kSha1BlockBytes> block) noexcept;
  void reset() noexcept;

  std::array<std::uint32_t, 5> state_{};
  std::array<std::uint8_t, kSha1BlockBytes> block_{};
  std::size_t block_used_ = 0;       // bytes of block_ filled
  std::uint64_t message_bytes_ = 0;  // total length so far, for the padding
};

// The digest of one buffer.
Sha1Digest sha1(std::span<const std::uint8_t> bytes) noexcept;

}  // namespace pfsim::pcap::internal
