// pcap/internal/byte_writer.h — the one bounds-checked writer every encoded byte goes through.
//
// The mirror of byte_reader.h: a ByteWriter is a span with a cursor. A header write that
// would pass the end writes nothing and sets overflowed(), which the encoder turns into an
// error; payload() instead writes what fits, because cutting the payload is what a snaplen
// does. Multi-byte values are big-endian. patch16() rewrites a field already written (a
// checksum, once the bytes it covers are known). No other code in pcap/encode.cc indexes the
// output, so "never a write out of bounds" is a property of this file alone.
//
// Internal to pcap/: not part of the public API. No allocation.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>

namespace pfsim::pcap::internal {

class ByteWriter {
 public:
  explicit ByteWriter(std::span<std::uint8_t> out) noexcept : out_(out) {}

  // Bytes written so far (the cursor).
  std::size_t offset() const noexcept { return pos_; }
  bool overflowed() const noexcept { return overflowed_; }

  void u8(std::uint8_t v) noexcept {
    if (!reserve(1)) return;
    out_[pos_++] = v;
  }
  void u16(std::uint16_t v) noexcept {
    if (!reserve(2)) return;
    out_[pos_++] = static_cast<std::uint8_t>(v >> 8);
    out_[pos_++] = static_cast<std::uint8_t>(v);
  }
  void u32(std::uint32_t v) noexcept {
    if (!reserve(4)) return;
    u16(static_cast<std::uint16_t>(v >> 16));
    u16(static_cast<std::uint16_t>(v));
  }
  void u64(std::uint64_t v) noexcept {
    if (!reserve(8)) return;
    u32(static_cast<std::uint32_t>(v >> 32));
    u32(static_cast<std::uint32_t>(v));
  }
  void bytes(std::span<const std::uint8_t> b) noexcept {
    if (!reserve(b.size())) return;
    std::copy(b.begin(), b.end(), out_.begin() + static_cast<std::ptrdiff_t>(pos_));
    pos_ += b.size();
  }

  // `b` then zeros up to `total` bytes, as much of it as fits; never overflows.
  void payload(std::span<const std::uint8_t> b, std::size_t total) noexcept {
    const std::size_t room = out_.size() - pos_;
    const std::size_t copied = std::min({b.size(), total, room});
    std::copy_n(b.begin(), copied, out_.begin() + static_cast<std::ptrdiff_t>(pos_));
    pos_ += copied;
    const std::size_t zeros = std::min(total - std::min(total, b.size()), out_.size() - pos_);
    std::fill_n(out_.begin() + static_cast<std::ptrdiff_t>(pos_), zeros, std::uint8_t{0});
    pos_ += zeros;
  }

  // Rewrites two bytes written earlier at `at`.
  void patch16(std::size_t at, std::uint16_t v) noexcept {
    if (at + 2 > pos_) {
      overflowed_ = true;
      return;
    }
    out_[at] = static_cast<std::uint8_t>(v >> 8);
    out_[at + 1] = static_cast<std::uint8_t>(v);
  }

  // The bytes written in [from, to).
  std::span<const std::uint8_t> written(std::size_t from, std::size_t to) const noexcept {
    to = std::min(to, pos_);
    from = std::min(from, to);
    return std::span<const std::uint8_t>(out_).subspan(from, to - from);
  }

 private:
  bool reserve(std::size_t n) noexcept {
    if (overflowed_ || n > out_.size() - pos_) {
      overflowed_ = true;
      return false;
    }
    return true;
  }

  std::span<std::uint8_t> out_;
  std::size_t pos_ = 0;
  bool overflowed_ = false;
};

}  // namespace pfsim::pcap::internal
