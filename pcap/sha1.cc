#include "pcap/internal/sha1.h"

#include <algorithm>
#include <bit>

namespace pfsim::pcap::internal {
namespace {

// FIPS 180-4 §5.3.1: the initial hash value.
constexpr std::array<std::uint32_t, 5> kInitialState = {0x67452301u, 0xefcdab89u, 0x98badcfeu, 0x10325476u,
                                                        0xc3d2e1f0u};
// FIPS 180-4 §4.2.1: one constant per 20 rounds.
constexpr std::array<std::uint32_t, 4> kRoundConstants = {0x5a827999u, 0x6ed9eba1u, 0x8f1bbcdcu, 0xca62c1d6u};
constexpr std::size_t kLengthBytes = 8;  // the message length in bits, appended big-endian

std::uint32_t load_be32(std::span<const std::uint8_t, 4> bytes) noexcept {
  return (std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) | (std::uint32_t{bytes[2]} << 8) |
         std::uint32_t{bytes[3]};
}

}  // namespace

Sha1::Sha1() noexcept { reset(); }

void Sha1::reset() noexcept {
  state_ = kInitialState;
  block_used_ = 0;
  message_bytes_ = 0;
}

void Sha1::compress(std::span<const std::uint8_t, kSha1BlockBytes> block) noexcept {
  // FIPS 180-4 §6.1.2: the message schedule, then 80 rounds in four groups of 20.
  std::array<std::uint32_t, 80> w{};
  for (std::size_t t = 0; t < 16; ++t) w[t] = load_be32(block.subspan(4 * t).first<4>());
  for (std::size_t t = 16; t < 80; ++t) w[t] = std::rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);

  std::uint32_t a = state_[0], b = state_[1], c = state_[2], d = state_[3], e = state_[4];
  for (std::size_t t = 0; t < 80; ++t) {
    std::uint32_t f = 0;
    if (t < 20) {
      f = (b & c) | (~b & d);  // Ch
    } else if (t < 40 || t >= 60) {
      f = b ^ c ^ d;  // Parity
    } else {
      f = (b & c) | (b & d) | (c & d);  // Maj
    }
    std::uint32_t temp = std::rotl(a, 5) + f + e + kRoundConstants[t / 20] + w[t];
    e = d;
    d = c;
    c = std::rotl(b, 30);
    b = a;
    a = temp;
  }
  state_[0] += a;
  state_[1] += b;
  state_[2] += c;
  state_[3] += d;
  state_[4] += e;
}

void Sha1::update(std::span<const std::uint8_t> bytes) noexcept {
  message_bytes_ += bytes.size();
  while (!bytes.empty()) {
    std::size_t take = std::min(bytes.size(), kSha1BlockBytes - block_used_);
    std::copy_n(bytes.begin(), take, block_.begin() + static_cast<std::ptrdiff_t>(block_used_));
    block_used_ += take;
    bytes = bytes.subspan(take);
    if (block_used_ == kSha1BlockBytes) {
      compress(block_);
      block_used_ = 0;
    }
  }
}

Sha1Digest Sha1::finish() noexcept {
  // FIPS 180-4 §5.1.1: a 1 bit, zeros up to 8 bytes short of a block boundary, then the
  // length in bits. When the length does not fit after the 1 bit, the zeros fill one more block.
  std::uint64_t message_bits = message_bytes_ * 8;
  block_[block_used_++] = 0x80;
  if (block_used_ > kSha1BlockBytes - kLengthBytes) {
    std::fill(block_.begin() + static_cast<std::ptrdiff_t>(block_used_), block_.end(), std::uint8_t{0});
    compress(block_);
    block_used_ = 0;
  }
  std::fill(block_.begin() + static_cast<std::ptrdiff_t>(block_used_), block_.end() - kLengthBytes, std::uint8_t{0});
  for (std::size_t i = 0; i < kLengthBytes; ++i) {
    block_[kSha1BlockBytes - 1 - i] = static_cast<std::uint8_t>(message_bits >> (8 * i));
  }
  compress(block_);

  Sha1Digest digest{};
  for (std::size_t word = 0; word < state_.size(); ++word) {
    for (std::size_t byte = 0; byte < 4; ++byte) {
      digest[4 * word + byte] = static_cast<std::uint8_t>(state_[word] >> (24 - 8 * byte));
    }
  }
  reset();
  return digest;
}

Sha1Digest sha1(std::span<const std::uint8_t> bytes) noexcept {
  Sha1 hasher;
  hasher.update(bytes);
  return hasher.finish();
}

}  // namespace pfsim::pcap::internal
