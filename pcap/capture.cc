#include "pcap/capture.h"

#include <pcap.h>
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

namespace pfsim::pcap {
namespace {

// 1 MiB of stdio buffer: a few large read() calls instead of many 4 KiB ones.
constexpr std::size_t kReadBufferBytes = std::size_t{1} << 20;

// The largest caplen libpcap accepts for the link types pfsim reads (its MAXIMUM_SNAPLEN);
// a larger record would make the written file unreadable.
constexpr int kWriteSnaplen = 262144;

// DLT_RAW is 12 on Linux, 14 on OpenBSD; LINKTYPE_RAW (101) is what files should store, but
// libpcap hands some of these values through unmapped, so all three mean bare IP.
constexpr int kDltRawOpenBsd = 14;
constexpr int kLinktypeRaw = 101;

// The most records reserved up front, so that a huge max_records does not allocate a huge
// array; RecordBatch::clear() keeps whatever capacity the batch reaches for later batches.
constexpr std::size_t kMaxReservedRecords = 65536;

constexpr std::int64_t kNsPerSecond = 1'000'000'000;

constexpr std::uint32_t kPcapMagicMicro = 0xa1b2c3d4;
constexpr std::uint32_t kPcapMagicNano = 0xa1b23c4d;
constexpr std::uint32_t kPcapMagicModified = 0xa1b2cd34;  // Kuznetzov's patched format
constexpr std::uint64_t kFileHeaderBytes = 24;
constexpr std::uint64_t kRecordHeaderBytes = 16;
constexpr std::uint64_t kModifiedRecordHeaderBytes = 24;  // adds ifindex, protocol, pkt_type

std::optional<LinkType> link_type_from_dlt(int dlt) noexcept {
  switch (dlt) {
    case DLT_NULL: return LinkType::kNull;
    case DLT_EN10MB: return LinkType::kEthernet;
    case DLT_RAW:
    case kDltRawOpenBsd:
    case kLinktypeRaw: return LinkType::kRaw;
    case DLT_LOOP: return LinkType::kLoop;
    case DLT_LINUX_SLL: return LinkType::kLinuxSll;
    case DLT_IPV4: return LinkType::kIpv4;
    case DLT_IPV6: return LinkType::kIpv6;
    case DLT_LINUX_SLL2: return LinkType::kLinuxSll2;
    default: return std::nullopt;
  }
}

int dlt_from_link_type(LinkType link) noexcept {
  switch (link) {
    case LinkType::kNull: return DLT_NULL;
    case LinkType::kEthernet: return DLT_EN10MB;
    case LinkType::kRaw: return DLT_RAW;
    case LinkType::kLoop: return DLT_LOOP;
    case LinkType::kLinuxSll: return DLT_LINUX_SLL;
    case LinkType::kIpv4: return DLT_IPV4;
    case LinkType::kIpv6: return DLT_IPV6;
    case LinkType::kLinuxSll2: return DLT_LINUX_SLL2;
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
    if (magic == known || magic == __builtin_bswap32(known)) return kRecordHeaderBytes;
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
  if (__builtin_mul_overflow(sec, kNsPerSecond, &ns) || __builtin_add_overflow(ns, frac, &ns)) {
    return sec < 0 ? std::numeric_limits<std::int64_t>::min() : std::numeric_limits<std::int64_t>::max();
  }
  return ns;
}

}  // namespace

struct CaptureReader::State {
  std::string path;
  // Owned here because stdio keeps using it until pcap_close() fcloses the FILE; declared
  // before `handle` so that it is destroyed after it.
  std::vector<char> read_buffer;
  pcap_t* handle = nullptr;
  LinkType link = LinkType::kEthernet;
  // Classic pcap in a regular file: record offsets are known, counted rather than asked of
  // ftell() per record (which costs more than the rest of the read).
  std::uint64_t record_header_bytes = 0;  // 0 = offsets unknown
  std::uint64_t next_record_offset = kFileHeaderBytes;
  std::uint64_t records_read = 0;
  bool ended = false;
  bool truncated_tail = false;
  std::optional<net::Error> pending_error;  // reported by the next read_batch, and every one after

  State() = default;
  State(const State&) = delete;
  State& operator=(const State&) = delete;
  ~State() {
    if (handle != nullptr) pcap_close(handle);
  }
};

CaptureReader::CaptureReader(std::unique_ptr<State> state) noexcept : state_(std::move(state)) {}
CaptureReader::CaptureReader(CaptureReader&&) noexcept = default;
CaptureReader& CaptureReader::operator=(CaptureReader&&) noexcept = default;
CaptureReader::~CaptureReader() = default;

net::Result<CaptureReader> CaptureReader::open(const std::string& path) {
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
                                "IPV6, NULL, LOOP");
  }
  state->link = *link;
  return CaptureReader(std::move(state));
}

LinkType CaptureReader::link_type() const noexcept { return state_->link; }

const std::string& CaptureReader::path() const noexcept { return state_->path; }

std::uint64_t CaptureReader::records_read() const noexcept { return state_->records_read; }

bool CaptureReader::truncated_tail() const noexcept { return state_->truncated_tail; }

namespace {

// pcap_dispatch()'s callback: appends one record to the batch being filled. libpcap reuses
// `data` for the next record, so the bytes are copied into the batch's arena.
struct BatchFill {
  RecordBatch& batch;
  std::uint64_t& records_read;
  std::uint64_t& next_record_offset;
  std::uint64_t record_header_bytes;
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
  fill.next_record_offset += fill.record_header_bytes + header->caplen;
}

}  // namespace

net::Result<std::size_t> CaptureReader::read_batch(RecordBatch& batch, std::size_t max_records) {
  batch.clear();
  State& s = *state_;
  if (s.pending_error) return *s.pending_error;
  if (s.ended) return std::size_t{0};

  const std::size_t limit = std::max<std::size_t>(max_records, 1);
  batch.records.reserve(std::min(limit, kMaxReservedRecords));
  BatchFill fill{batch, s.records_read, s.next_record_offset, s.record_header_bytes};
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
    const std::string message = rc == PCAP_ERROR ? pcap_geterr(s.handle) : "unexpected result " + std::to_string(rc) +
                                                                               " from pcap_dispatch";
    // libpcap reports a file that ends inside a record as an error ("truncated dump file;
    // tried to read 80 captured bytes, only got 20"); DESIGN.md §6 keeps what came before.
    if (rc == PCAP_ERROR && contains(message, "truncated")) {
      s.truncated_tail = true;
      break;
    }
    net::Error error = file_error(s.path, message);
    error.packet_index = s.records_read + 1;
    if (s.record_header_bytes != 0) error.byte_offset = s.next_record_offset;
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
  state->dead = pcap_open_dead_with_tstamp_precision(dlt_from_link_type(link), kWriteSnaplen,
                                                     PCAP_TSTAMP_PRECISION_NANO);
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
  std::int64_t sec = ts_ns / kNsPerSecond;
  std::int64_t ns = ts_ns % kNsPerSecond;
  if (ns < 0) {
    ns += kNsPerSecond;
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
