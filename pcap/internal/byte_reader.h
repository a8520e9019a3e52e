// pcap/internal/byte_reader.h — the one bounds-checked reader every packet byte goes through.
//
// A ByteReader is a view of a packet (a span) with a cursor and an end. Every read checks
// that the bytes it wants lie before the end; a read that would pass it returns false, leaves
// the cursor where it was and touches nothing. read_header<N>() checks a whole fixed-size
// header at once and hands back a HeaderBytes<N>, whose fields are read at offsets checked at
// compile time: the decoder's fast path pays one check per header, not one per field. No
// other code in pcap/ indexes packet data or does pointer arithmetic on it (STYLE.md), so
// "never a read out of bounds" is a property of this file alone.
//
// Offsets are always from the start of the whole packet, also for a reader narrowed with
// limit() (an IP datagram inside its frame, an ICMP quote), so a decoder can report where in
// the packet it stopped. Multi-byte reads are big-endian (network order) unless named _le.
//
// Internal to pcap/: not part of the public API. Trivially copyable, no allocation; a copy is
// a saved position.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace pfsim::pcap::internal {

// The big-endian value at `bytes` as one load (the caller has checked that sizeof(T) bytes
// are there): a header field costs a load and a byte swap instead of a load and shift per
// byte.
template <class T>
T load_be(const std::uint8_t* bytes) noexcept {
  T value;
  std::memcpy(&value, bytes, sizeof value);
  if constexpr (std::endian::native == std::endian::little) {
    if constexpr (sizeof(T) == 2) value = __builtin_bswap16(value);
    if constexpr (sizeof(T) == 4) value = __builtin_bswap32(value);
    if constexpr (sizeof(T) == 8) value = __builtin_bswap64(value);
  }
  return value;
}

// A fixed-size header that one bounds check (ByteReader::read_header) has proved captured.
// Its fields are read at offsets checked at compile time, so a straight-line decoder pays one
// check per header instead of one per field, and still cannot read past the header.
template <std::size_t N>
class HeaderBytes {
 public:
  template <std::size_t At>
  std::uint8_t u8() const noexcept {
    static_assert(At < N);
    return data_[At];
  }
  template <std::size_t At>
  std::uint16_t u16be() const noexcept {
    static_assert(At + 2 <= N);
    return load_be<std::uint16_t>(data_ + At);
  }
  template <std::size_t At>
  std::uint32_t u32be() const noexcept {
    static_assert(At + 4 <= N);
    return load_be<std::uint32_t>(data_ + At);
  }
  template <std::size_t At>
  std::uint64_t u64be() const noexcept {
    static_assert(At + 8 <= N);
    return load_be<std::uint64_t>(data_ + At);
  }

 private:
  friend class ByteReader;
  // A plain pointer rather than a span or an optional: GCC keeps it in a register, where it
  // spilled those to the stack on every header. Only ByteReader::read_header sets it.
  const std::uint8_t* data_ = nullptr;
};

class ByteReader {
 public:
  constexpr explicit ByteReader(std::span<const std::uint8_t> bytes) noexcept
      : bytes_(bytes), pos_(0), end_(bytes.size()) {}

  // Where the cursor is, from the start of the packet.
  constexpr std::size_t offset() const noexcept { return pos_; }
  // How many bytes are left before the end.
  constexpr std::size_t remaining() const noexcept { return end_ - pos_; }
  constexpr bool has(std::size_t n) const noexcept { return n <= remaining(); }

  // A reader that ends `n` bytes after the cursor, or at this reader's end if that is sooner:
  // how a header's length field bounds what follows it without trusting it.
  constexpr ByteReader limit(std::size_t n) const noexcept {
    ByteReader r = *this;
    if (n < remaining()) r.end_ = pos_ + n;
    return r;
  }

  constexpr bool skip(std::size_t n) noexcept {
    if (!has(n)) return false;
    pos_ += n;
    return true;
  }

  constexpr bool read_u8(std::uint8_t& out) noexcept {
    if (!has(1)) return false;
    out = bytes_[pos_];
    pos_ += 1;
    return true;
  }

  bool read_u16be(std::uint16_t& out) noexcept {
    if (!has(2)) return false;
    out = load_be<std::uint16_t>(bytes_.data() + pos_);
    pos_ += 2;
    return true;
  }

  bool read_u32be(std::uint32_t& out) noexcept {
    if (!has(4)) return false;
    out = load_be<std::uint32_t>(bytes_.data() + pos_);
    pos_ += 4;
    return true;
  }

  bool read_u64be(std::uint64_t& out) noexcept {
    if (!has(8)) return false;
    out = load_be<std::uint64_t>(bytes_.data() + pos_);
    pos_ += 8;
    return true;
  }

  // The next N bytes as one header; false (cursor unmoved, `out` untouched) when fewer are
  // left.
  template <std::size_t N>
  bool read_header(HeaderBytes<N>& out) noexcept {
    if (!has(N)) return false;
    out.data_ = bytes_.data() + pos_;
    pos_ += N;
    return true;
  }

  // Copies the next out.size() bytes into `out`.
  constexpr bool read_bytes(std::span<std::uint8_t> out) noexcept {
    if (!has(out.size())) return false;
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = bytes_[pos_ + i];
    pos_ += out.size();
    return true;
  }

  // The byte `ahead` bytes after the cursor, without moving it.
  constexpr bool peek_u8(std::size_t ahead, std::uint8_t& out) const noexcept {
    if (ahead >= remaining()) return false;
    out = bytes_[pos_ + ahead];
    return true;
  }

 private:
  std::span<const std::uint8_t> bytes_;
  std::size_t pos_;
  std::size_t end_;  // invariant: pos_ <= end_ <= bytes_.size()
};

}  // namespace pfsim::pcap::internal
