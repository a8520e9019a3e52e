#include "pcap/capture.h"

#include <pcap.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <optional>
#include <string_view>
#include <utility>

#include "net/time_units.h"

namespace pfsim::pcap {
namespace {

// 1 MiB of stdio buffer: a few large read() calls instead of many 4 KiB ones.
constexpr std::size_t kReadBufferBytes = std::size_t{1} << 20;

// The largest caplen libpcap accepts for the link types pfsim reads (its MAXIMUM_SNAPLEN, what
// max_snaplen_for_dlt() gives every link type but DBUS, EBHSCR and USBPCAP): a larger record
// is an error when read, and would make a written file unreadable.
constexpr std::uint32_t kMaximumSnaplen = 262144;
constexpr int kWriteSnaplen = static_cast<int>(kMaximumSnaplen);

// DLT_RAW is 12 on Linux, 14 on OpenBSD; LINKTYPE_RAW (101) is what files should store, but
// libpcap hands some of these values through unmapped, so all three mean bare IP.
constexpr int kDltRawOpenBsd = 14;
constexpr int kLinktypeRaw = 101;

// The most records reserved up front, so that a huge max_records does not allocate a huge
// array; RecordBatch::clear() keeps whatever capacity the batch reaches for later batches.
constexpr std::size_t kMaxReservedRecords = 65536;

constexpr std::uint32_t kPcapMagicMicro = 0xa1b2c3d4;
constexpr std::uint32_t kPcapMagicNano = 0xa1b23c4d;
constexpr std::uint32_t kPcapMagicModified = 0xa1b2cd34;  // Kuznetzov's patched format
constexpr std::uint64_t kModifiedRecordHeaderBytes = 24;  // adds ifindex, protocol, pkt_type

// The mapped path asks the kernel to read ahead this far past the batch being read (in whole
// chunks, on top of MADV_SEQUENTIAL's readahead on faults), so that a file that is not in the
// page cache streams in while the pipeline works on earlier batches.
constexpr std::size_t kWillNeedChunkBytes = std::size_t{8} << 20;
// The walk over a mapped file asks for the cache line this far ahead of each record header
// (the hardware's prefetchers stop at page boundaries): each header's first touch had been
// most of the walk's time (bench/RESULTS.md, "Replay: prefetch in the mapped walk").
constexpr std::size_t kPrefetchBytes = 1024;

std::optional<LinkType> link_type_from_dlt(int dlt) noexcept {
  switch (dlt) {
    case DLT_NULL:
      return LinkType::kNull;
    case DLT_EN10MB:
      return LinkType::kEthernet;
    case DLT_RAW:
    case kDltRawOpenBsd:
    case kLinktypeRaw:
      return LinkType::kRaw;
    case DLT_LOOP:
      return LinkType::kLoop;
    case DLT_LINUX_SLL:
      return LinkType::kLinuxSll;
    case DLT_IPV4:
      return LinkType::kIpv4;
    case DLT_IPV6:
      return LinkType::kIpv6;
    case DLT_LINUX_SLL2:
      return LinkType::kLinuxSll2;
    case DLT_PPP:
      return LinkType::kPpp;
    case DLT_C_HDLC:
      return LinkType::kCiscoHdlc;
    default:
      return std::nullopt;
  }
}

int dlt_from_link_type(LinkType link) noexcept {
  switch (link) {
    case LinkType::kNull:
      return DLT_NULL;
    case LinkType::kEthernet:
      return DLT_EN10MB;
    case LinkType::kRaw:
      return DLT_RAW;
    case LinkType::kLoop:
      return DLT_LOOP;
    case LinkType::kLinuxSll:
      return DLT_LINUX_SLL;
    case LinkType::kIpv4:
      return DLT_IPV4;
    case LinkType::kIpv6:
      return DLT_IPV6;
    case LinkType::kLinuxSll2:
      return DLT_LINUX_SLL2;
    case LinkType::kPpp:
      return DLT_PPP;
    case LinkType::kCiscoHdlc:
      return DLT_C_HDLC;
  }
  return -1;
}

net::Error file_error(const std::string& path, std::string message) {
  net::Error error = net::error_message(std::move(message));
  error.file = path;
  return error;
}

bool contains(std::string_view text, std::string_view word) noexcept {
  return text.find(word) != std::string_view::npos;
}

// libpcap's open errors are terse ("unknown file format"); say what a user can act on.
std::string open_error_message(std::string_view errbuf) {
  if (errbuf == "unknown file format") return "not a pcap or pcapng file (bad magic number)";
  if (contains(errbuf, "only got 0") && contains(errbuf, "file header")) {
    return "empty file: no pcap or pcapng header";
  }
  if (contains(errbuf, "truncated")) return "truncated file header (" + std::string(errbuf) + ")";
  return std::string(errbuf);
}

// The size of a record header when the file is a classic pcap file in a regular file (the
// only case where record offsets are reported), else 0. Only regular files are peeked: a pipe
// cannot be rewound.
std::uint64_t classic_pcap_record_header_bytes(std::FILE* file) {
  struct stat info {};
  if (fstat(fileno(file), &info) != 0 || !S_ISREG(info.st_mode)) return 0;
  std::uint32_t magic = 0;
  const std::size_t got = std::fread(&magic, 1, sizeof magic, file);
  if (std::fseek(file, 0, SEEK_SET) != 0) return 0;
  if (got != sizeof magic) return 0;
  for (std::uint32_t known : {kPcapMagicMicro, kPcapMagicNano}) {
    if (magic == known || magic == __builtin_bswap32(known)) return kPcapRecordHeaderBytes;
  }
  if (magic == kPcapMagicModified || magic == __builtin_bswap32(kPcapMagicModified)) return kModifiedRecordHeaderBytes;
  return 0;
}

// tv_sec * 1e9 + tv_usec (nanoseconds in nanosecond mode). A pcapng block may carry any
// 64-bit time; a value outside the int64 nanosecond range saturates rather than overflows.
std::int64_t timestamp_ns(const struct timeval& ts) noexcept {
  const auto sec = static_cast<std::int64_t>(ts.tv_sec);
  const auto frac = static_cast<std::int64_t>(ts.tv_usec);
  std::int64_t ns = 0;
  if (__builtin_mul_overflow(sec, net::kNsPerSecond, &ns) || __builtin_add_overflow(ns, frac, &ns)) {
    return sec < 0 ? std::numeric_limits<std::int64_t>::min() : std::numeric_limits<std::int64_t>::max();
  }
  return ns;
}

// How libpcap orders a record's caplen and len fields, from the file's version (sf-pcap.c
// pcap_check_header, "We interchanged the caplen and len fields at version 2.3"): before 2.3,
// and in DG/UX's 543.0, len comes first; 2.3 files were written both ways, so libpcap swaps
// them back only where caplen > len.
enum class LengthOrder { kAsStored, kSwapped, kMaybeSwapped };

LengthOrder length_order(std::uint16_t version_major, std::uint16_t version_minor) noexcept {
  if (version_major == 2) {
    if (version_minor < 3) return LengthOrder::kSwapped;
    if (version_minor == 3) return LengthOrder::kMaybeSwapped;
    return LengthOrder::kAsStored;
  }
  if (version_major == 543) return LengthOrder::kSwapped;
  return LengthOrder::kAsStored;
}

}  // namespace

struct CaptureReader::State {
  std::string path;
  // Owned here because stdio keeps using it until pcap_close() fcloses the FILE; declared
  // before `handle` so that it is destroyed after it.
  std::vector<char> read_buffer;
  pcap_t* handle = nullptr;  // null once the file is mapped
  LinkType link = LinkType::kEthernet;
  // Classic pcap in a regular file: record offsets are known (the libpcap path asks ftell()
  // where a bad record is; the mapped path knows).
  std::uint64_t record_header_bytes = 0;  // 0 = offsets unknown
  std::uint64_t records_read = 0;
  bool ended = false;
  bool truncated_tail = false;
  std::optional<net::Error> pending_error;  // reported by the next read_batch, and every one after

  // The mapped path: the whole file, and what libpcap's pcap_next_packet() would do with its
  // records (taken from the file header and from libpcap's handle before it is closed).
  const std::uint8_t* map = nullptr;  // null = the libpcap path
  std::size_t map_bytes = 0;
  std::size_t next_record = kPcapFileHeaderBytes;  // offset of the next record header
  std::size_t will_need_until = 0;                 // MADV_WILLNEED has been asked up to here
  std::size_t released_until = 0;                  // release() has dropped the pages up to here
  std::uint32_t snapshot = 0;                      // pcap_snapshot(): already adjusted by libpcap
  bool swapped = false;                            // header fields in the other byte order
  bool nanosecond = false;                         // 0xa1b23c4d; else microseconds, scaled
  LengthOrder lengths = LengthOrder::kAsStored;

  State() = default;
  State(const State&) = delete;
  State& operator=(const State&) = delete;
  ~State() {
    if (handle != nullptr) pcap_close(handle);
    if (map != nullptr) munmap(const_cast<std::uint8_t*>(map), map_bytes);
  }

  // Maps the classic pcap file behind `file` (open in `handle`, its header read and checked
  // by libpcap) and closes the handle; false (nothing changed) if the file cannot be mapped.
  bool map_file(std::FILE* file);
  std::size_t read_mapped(RecordBatch& batch, std::size_t limit);
  void will_need(std::size_t up_to) noexcept;
};

CaptureReader::CaptureReader(std::unique_ptr<State> state) noexcept : state_(std::move(state)) {}
CaptureReader::CaptureReader(CaptureReader&&) noexcept = default;
CaptureReader& CaptureReader::operator=(CaptureReader&&) noexcept = default;
CaptureReader::~CaptureReader() = default;

bool CaptureReader::State::map_file(std::FILE* file) {
  // Only what pcap_next_packet() reads with 16-byte record headers (not Kuznetzov's format),
  // and not where it rewrites the packet bytes: swap_pseudo_headers() byte-swaps the CAN ID
  // of SocketCAN packets in byte-swapped LINUX_SLL (and, in some versions, SLL2) files.
  if (record_header_bytes != kPcapRecordHeaderBytes) return false;
  const bool file_swapped = pcap_is_swapped(handle) != 0;
  if (file_swapped && (link == LinkType::kLinuxSll || link == LinkType::kLinuxSll2)) return false;
  const int snapshot_bytes = pcap_snapshot(handle);
  if (snapshot_bytes <= 0) return false;

  const int fd = fileno(file);
  struct stat info {};
  if (fd < 0 || fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) return false;
  if (static_cast<std::uint64_t>(info.st_size) < kPcapFileHeaderBytes ||
      static_cast<std::uint64_t>(info.st_size) > std::numeric_limits<std::size_t>::max())
    return false;
  const auto size = static_cast<std::size_t>(info.st_size);
  void* mapped = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (mapped == MAP_FAILED) return false;
  const auto* bytes = static_cast<const std::uint8_t*>(mapped);

  // The header again, from the mapping: libpcap has checked it, but the file could have
  // changed since it was read.
  std::uint32_t magic = 0;
  std::uint16_t version[2] = {};
  std::memcpy(&magic, bytes, sizeof magic);
  std::memcpy(version, bytes + 4, sizeof version);
  if (file_swapped) {
    magic = __builtin_bswap32(magic);
    version[0] = __builtin_bswap16(version[0]);
    version[1] = __builtin_bswap16(version[1]);
  }
  if (magic != kPcapMagicMicro && magic != kPcapMagicNano) {
    munmap(mapped, size);
    return false;
  }
  // Reading is sequential; the rest of the readahead is asked for batch by batch.
  madvise(mapped, size, MADV_SEQUENTIAL);

  map = bytes;
  map_bytes = size;
  swapped = file_swapped;
  nanosecond = magic == kPcapMagicNano;
  lengths = length_order(version[0], version[1]);
  snapshot = static_cast<std::uint32_t>(snapshot_bytes);
  // libpcap is done: pcap_close() fcloses the FILE (the mapping outlives the descriptor).
  pcap_close(handle);
  handle = nullptr;
  read_buffer = {};
  return true;
}

void CaptureReader::State::will_need(std::size_t up_to) noexcept {
  if (up_to <= will_need_until || will_need_until >= map_bytes) return;
  // Whole chunks from a chunk boundary, so that the address stays page-aligned.
  std::size_t start = will_need_until;
  std::size_t end = std::min(map_bytes, (up_to / kWillNeedChunkBytes + 1) * kWillNeedChunkBytes);
  madvise(const_cast<std::uint8_t*>(map) + start, end - start, MADV_WILLNEED);
  will_need_until = end;
}

namespace {

// What the walk over a mapped file knows, copied into locals so that the compiler keeps them
// in registers (stores to the Records could otherwise alias the reader's fields).
struct MappedWalk {
  const std::uint8_t* file;
  std::size_t end;         // the file's size
  std::uint32_t snapshot;  // pcap_snapshot(): already adjusted by libpcap
  bool nanosecond;
  LengthOrder lengths;
};

// Why a walk stopped before filling its records.
enum class WalkStop { kFull, kEnd, kTruncated, kCaplenTooLarge };

// libpcap 1.10.3's pcap_next_packet() (sf-pcap.c) on the mapping, record by record: the same
// fields, the same decisions. Fills up to `max` records from `at` (the offset of a record
// header), numbering them after `index`; `at` and `index` are left after the last one, and
// `bad_caplen` is set when it stops at a caplen above the maximum. Returns how many.
template <bool kSwapped>
std::size_t walk_records(const MappedWalk& w, std::size_t& at, std::uint64_t& index, Record* out, std::size_t max,
                         WalkStop& stop, std::uint32_t& bad_caplen) noexcept {
  std::size_t n = 0;
  std::size_t pos = at;
  const std::uint64_t first_index = index + 1;  // locals, not references: kept in registers
  stop = WalkStop::kFull;
  for (; n < max; ++n) {
    const std::size_t left = w.end - pos;
    if (left < kPcapRecordHeaderBytes) {
      // No header left: the end of the file, or libpcap's "truncated dump file; tried to read
      // 16 header bytes, only got N".
      stop = left == 0 ? WalkStop::kEnd : WalkStop::kTruncated;
      break;
    }
    if (left > kPrefetchBytes) __builtin_prefetch(w.file + pos + kPrefetchBytes);
    std::uint32_t field[4];  // ts_sec, ts_frac, caplen, len
    std::memcpy(field, w.file + pos, sizeof field);
    // Native-order times are bpf_int32 in libpcap's struct pcap_timeval, so they widen with
    // their sign; SWAPLONG() yields an unsigned int, so swapped ones widen without it.
    std::int64_t sec = 0;
    std::int64_t frac = 0;
    if constexpr (kSwapped) {
      for (std::uint32_t& f : field) f = __builtin_bswap32(f);
      sec = field[0];
      frac = field[1];
    } else {
      sec = static_cast<std::int32_t>(field[0]);
      frac = static_cast<std::int32_t>(field[1]);
    }
    if (!w.nanosecond) frac *= 1000;  // SCALE_UP: the reader asked for nanoseconds
    std::uint32_t caplen = field[2];
    std::uint32_t len = field[3];
    if (w.lengths != LengthOrder::kAsStored && (w.lengths == LengthOrder::kSwapped || caplen > len))
      std::swap(caplen, len);
    // "Is the packet bigger than we consider sane?": an error (worded by the caller).
    if (caplen > kMaximumSnaplen) [[unlikely]] {
      stop = WalkStop::kCaplenTooLarge;
      bad_caplen = caplen;
      break;
    }
    const std::size_t data_at = pos + kPcapRecordHeaderBytes;
    if (w.end - data_at < caplen) [[unlikely]] {
      // libpcap: "truncated dump file; tried to read N captured bytes, only got M", also when
      // the cut falls in the part beyond the snapshot length that it reads to discard.
      stop = WalkStop::kTruncated;
      break;
    }
    Record& r = out[n];
    r.index = first_index + n;
    // |sec| < 2^32 and |frac| < 2^42: no overflow, so no saturation as in timestamp_ns().
    r.ts_ns = sec * net::kNsPerSecond + frac;
    // Above the file's snapshot length (but not the maximum) libpcap delivers the first
    // snapshot bytes, skips the rest and reports caplen = snapshot.
    r.caplen = std::min(caplen, w.snapshot);
    r.len = len;
    r.data_offset = data_at;
    pos = data_at + caplen;
  }
  at = pos;
  index += n;
  return n;
}

}  // namespace

std::size_t CaptureReader::State::read_mapped(RecordBatch& batch, std::size_t limit) {
  batch.base = map;
  will_need(next_record + kWillNeedChunkBytes);
  const MappedWalk walk{map, map_bytes, snapshot, nanosecond, lengths};
  std::vector<Record>& out = batch.records;
  WalkStop stop = WalkStop::kFull;
  std::uint32_t bad_caplen = 0;
  // Records are written in place into a vector resized a chunk at a time (no per-record
  // capacity check; a chunk bounds what a huge max_records allocates), then cut to size.
  while (out.size() < limit && stop == WalkStop::kFull) {
    const std::size_t filled = out.size();
    const std::size_t chunk = std::min(limit - filled, kMaxReservedRecords);
    out.resize(filled + chunk);
    const std::size_t n =
        swapped ? walk_records<true>(walk, next_record, records_read, out.data() + filled, chunk, stop, bad_caplen)
                : walk_records<false>(walk, next_record, records_read, out.data() + filled, chunk, stop, bad_caplen);
    out.resize(filled + n);
  }
  switch (stop) {
    case WalkStop::kFull:
      break;
    case WalkStop::kEnd:
      ended = true;
      break;
    case WalkStop::kTruncated:
      ended = true;
      truncated_tail = true;
      break;
    case WalkStop::kCaplenTooLarge: {
      // pcap_next_packet()'s two messages: the snaplen is named when the caplen exceeds it too.
      const std::string message = bad_caplen > snapshot
                                      ? "invalid packet capture length " + std::to_string(bad_caplen) +
                                            ", bigger than snaplen of " + std::to_string(snapshot)
                                      : "invalid packet capture length " + std::to_string(bad_caplen) +
                                            ", bigger than maximum of " + std::to_string(kMaximumSnaplen);
      net::Error error = file_error(path, message);
      error.packet_index = records_read + 1;
      error.byte_offset = next_record;
      pending_error = std::move(error);
      ended = true;
      break;
    }
  }
  return out.size();
}

net::Result<CaptureReader> CaptureReader::open(const std::string& path, ReadMode mode) {
  auto state = std::make_unique<State>();
  state->path = path;

  // Standard input is read through a duplicate of fd 0 so that the large buffer and the
  // fclose() in pcap_close() belong to this reader and the process's stdin stays untouched.
  const bool is_stdin = path == "-";
  std::FILE* file = nullptr;
  if (is_stdin) {
    const int fd = dup(STDIN_FILENO);
    if (fd < 0) return file_error(path, std::string("cannot read standard input: ") + std::strerror(errno));
    file = fdopen(fd, "rb");
    if (file == nullptr) {
      const int saved = errno;
      ::close(fd);
      return file_error(path, std::string("cannot read standard input: ") + std::strerror(saved));
    }
  } else {
    file = std::fopen(path.c_str(), "rb");
    if (file == nullptr) return file_error(path, std::string("cannot open: ") + std::strerror(errno));
  }

  state->read_buffer.resize(kReadBufferBytes);
  if (std::setvbuf(file, state->read_buffer.data(), _IOFBF, state->read_buffer.size()) != 0) {
    std::fclose(file);
    return file_error(path, "cannot set the read buffer");
  }
  state->record_header_bytes = is_stdin ? 0 : classic_pcap_record_header_bytes(file);

  char errbuf[PCAP_ERRBUF_SIZE] = {};
  state->handle = pcap_fopen_offline_with_tstamp_precision(file, PCAP_TSTAMP_PRECISION_NANO, errbuf);
  if (state->handle == nullptr) {
    // On failure libpcap leaves the FILE to the caller.
    std::fclose(file);
    return file_error(path, open_error_message(errbuf));
  }

  const int dlt = pcap_datalink(state->handle);
  const std::optional<LinkType> link = link_type_from_dlt(dlt);
  if (!link) {
    const char* name = pcap_datalink_val_to_name(dlt);
    return file_error(path, "link type " + std::to_string(dlt) + " (" + (name != nullptr ? name : "unknown") +
                                ") is not supported; pfsim reads EN10MB, LINUX_SLL, LINUX_SLL2, RAW, IPV4, "
                                "IPV6, NULL, LOOP, PPP, C_HDLC");
  }
  state->link = *link;
  if (mode == ReadMode::kAuto && !is_stdin) state->map_file(file);
  return CaptureReader(std::move(state));
}

LinkType CaptureReader::link_type() const noexcept { return state_->link; }

const std::string& CaptureReader::path() const noexcept { return state_->path; }

std::uint64_t CaptureReader::records_read() const noexcept { return state_->records_read; }

bool CaptureReader::truncated_tail() const noexcept { return state_->truncated_tail; }

bool CaptureReader::mapped() const noexcept { return state_->map != nullptr; }

void CaptureReader::release(const RecordBatch& batch) noexcept {
  State& s = *state_;
  if (s.map == nullptr || batch.base != s.map || batch.records.empty()) return;
  const Record& last = batch.records.back();
  // Whole pages only: the page holding the batch's end may hold the next batch's records. The
  // mapping starts on a page boundary, so offsets and addresses round alike.
  static const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  const std::size_t end = (last.data_offset + last.caplen) / page * page;
  if (end <= s.released_until) return;
  madvise(const_cast<std::uint8_t*>(s.map) + s.released_until, end - s.released_until, MADV_DONTNEED);
  s.released_until = end;
}

namespace {

// pcap_dispatch()'s callback: appends one record to the batch being filled. libpcap reuses
// `data` for the next record, so the bytes are copied into the batch's arena.
struct BatchFill {
  RecordBatch& batch;
  std::uint64_t& records_read;
};

void append_record(u_char* user, const struct pcap_pkthdr* header, const u_char* data) {
  BatchFill& fill = *reinterpret_cast<BatchFill*>(user);
  RecordBatch& batch = fill.batch;
  Record r;
  r.index = ++fill.records_read;
  r.ts_ns = timestamp_ns(header->ts);
  r.caplen = header->caplen;
  r.len = header->len;
  r.data_offset = batch.bytes.size();
  batch.bytes.insert(batch.bytes.end(), data, data + header->caplen);
  batch.records.push_back(r);
}

}  // namespace

net::Result<std::size_t> CaptureReader::read_batch(RecordBatch& batch, std::size_t max_records) {
  batch.clear();
  State& s = *state_;
  if (s.pending_error) return *s.pending_error;
  if (s.ended) return std::size_t{0};

  const std::size_t limit = std::max<std::size_t>(max_records, 1);
  batch.records.reserve(std::min(limit, kMaxReservedRecords));
  if (s.map != nullptr) {
    const std::size_t n = s.read_mapped(batch, limit);
    // The records before a bad one are delivered first; the error comes with the next call.
    if (n == 0 && s.pending_error) return *s.pending_error;
    return n;
  }
  BatchFill fill{batch, s.records_read};
  // pcap_dispatch() rather than pcap_next_ex() per record: for a capture file both run
  // libpcap's same offline read loop, but pcap_next_ex() enters it once per record (with a
  // callback of its own that copies the header out); here it runs up to the rest of the batch
  // in one call. It returns how many records it delivered, 0 at the end of the file, or
  // PCAP_ERROR after delivering those before the bad one (libpcap's savefile.c).
  while (batch.records.size() < limit) {
    const std::size_t wanted = std::min<std::size_t>(limit - batch.records.size(), std::numeric_limits<int>::max());
    const int rc = pcap_dispatch(s.handle, static_cast<int>(wanted), append_record, reinterpret_cast<u_char*>(&fill));
    if (rc > 0) continue;
    s.ended = true;
    if (rc == 0 || rc == PCAP_ERROR_BREAK) break;  // end of file
    const std::string message =
        rc == PCAP_ERROR ? pcap_geterr(s.handle) : "unexpected result " + std::to_string(rc) + " from pcap_dispatch";
    // libpcap reports a file that ends inside a record as an error ("truncated dump file;
    // tried to read 80 captured bytes, only got 20"); DESIGN.md §6 keeps what came before.
    if (rc == PCAP_ERROR && contains(message, "truncated")) {
      s.truncated_tail = true;
      break;
    }
    net::Error error = file_error(s.path, message);
    error.packet_index = s.records_read + 1;
    // The bad record's header is the last thing libpcap read when it rejects a record (so
    // the offset is exact for those errors; for a read error it is where reading stopped).
    // Asked of the stream here, once: a count of the records' sizes would be wrong after a
    // record libpcap cut to the snapshot length, as it reports the cut caplen.
    if (s.record_header_bytes != 0) {
      const off_t position = ftello(pcap_file(s.handle));
      if (position >= static_cast<off_t>(kPcapFileHeaderBytes + s.record_header_bytes))
        error.byte_offset = static_cast<std::uint64_t>(position) - s.record_header_bytes;
    }
    // The records before the bad one are delivered first; the error comes with the next call.
    s.pending_error = std::move(error);
    if (batch.records.empty()) return *s.pending_error;
    break;
  }
  return batch.records.size();
}

struct CaptureWriter::State {
  std::string path;
  pcap_t* dead = nullptr;
  pcap_dumper_t* dumper = nullptr;

  State() = default;
  State(const State&) = delete;
  State& operator=(const State&) = delete;
  ~State() {
    if (dumper != nullptr) pcap_dump_close(dumper);
    if (dead != nullptr) pcap_close(dead);
  }
};

CaptureWriter::CaptureWriter(std::unique_ptr<State> state) noexcept : state_(std::move(state)) {}
CaptureWriter::CaptureWriter(CaptureWriter&&) noexcept = default;
CaptureWriter& CaptureWriter::operator=(CaptureWriter&&) noexcept = default;
CaptureWriter::~CaptureWriter() = default;

net::Result<CaptureWriter> CaptureWriter::create(const std::string& path, LinkType link) {
  auto state = std::make_unique<State>();
  state->path = path;
  state->dead =
      pcap_open_dead_with_tstamp_precision(dlt_from_link_type(link), kWriteSnaplen, PCAP_TSTAMP_PRECISION_NANO);
  if (state->dead == nullptr) return file_error(path, "cannot create a pcap writer (out of memory)");
  state->dumper = pcap_dump_open(state->dead, path.c_str());
  if (state->dumper == nullptr) return file_error(path, std::string("cannot create: ") + pcap_geterr(state->dead));
  return CaptureWriter(std::move(state));
}

net::Status CaptureWriter::write(std::int64_t ts_ns, std::uint32_t len, std::span<const std::uint8_t> bytes) {
  State& s = *state_;
  if (s.dumper == nullptr) return file_error(s.path, "write after close");
  if (bytes.size() > static_cast<std::size_t>(kWriteSnaplen)) {
    return file_error(s.path, "packet of " + std::to_string(bytes.size()) + " bytes is longer than the snaplen " +
                                  std::to_string(kWriteSnaplen));
  }
  // Floor division, so that times before 1970 keep a fraction in [0, 1e9).
  std::int64_t sec = ts_ns / net::kNsPerSecond;
  std::int64_t ns = ts_ns % net::kNsPerSecond;
  if (ns < 0) {
    ns += net::kNsPerSecond;
    sec -= 1;
  }
  struct pcap_pkthdr header {};
  header.ts.tv_sec = static_cast<time_t>(sec);
  header.ts.tv_usec = static_cast<suseconds_t>(ns);  // nanoseconds: the writer is in nanosecond mode
  header.caplen = static_cast<bpf_u_int32>(bytes.size());
  header.len = len;
  pcap_dump(reinterpret_cast<u_char*>(s.dumper), &header, bytes.data());
  return net::Ok{};
}

net::Status CaptureWriter::close() {
  State& s = *state_;
  if (s.dumper == nullptr) return net::Ok{};
  // pcap_dump() and pcap_dump_close() report nothing; the stream's error flag and the final
  // flush are where a full disk shows.
  errno = 0;
  const bool flush_failed = pcap_dump_flush(s.dumper) != 0;
  const int saved_errno = errno;
  const bool failed = flush_failed || std::ferror(pcap_dump_file(s.dumper)) != 0;
  pcap_dump_close(s.dumper);
  s.dumper = nullptr;
  pcap_close(s.dead);
  s.dead = nullptr;
  if (!failed) return net::Ok{};
  const std::string reason = saved_errno != 0 ? std::strerror(saved_errno) : "write error";
  return file_error(s.path, "cannot write: " + reason);
}

}  // namespace pfsim::pcap
