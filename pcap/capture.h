// pcap/capture.h — reading and writing capture files (pcap and pcapng) with libpcap.
//
// CaptureReader reads a file (or standard input, "-") record by record into RecordBatch
// arenas that the caller recycles: one allocation per batch size, none per packet. Times are
// nanoseconds whatever the file's precision (libpcap is asked for nanosecond precision, so
// microsecond files are scaled).
//
// Two ways to the records, with the same results (tests/pcap/capture_test.cc compares them
// on every shared capture and on crafted corner cases):
//   - mapped (ReadMode::kAuto on a classic pcap file, 0xa1b2c3d4 or 0xa1b23c4d in either byte
//     order, that is a regular file): libpcap opens the file and checks its header as always,
//     then the file is mapped read-only and read_batch() only walks the record headers; each
//     Record points into the mapping (RecordBatch::base), nothing is copied. It follows
//     libpcap 1.10.3's record rules exactly (sf-pcap.c pcap_next_packet: byte order, the
//     version 2.3 length swap, caplen above the maximum, caplen above the snapshot length).
//     A byte-swapped LINUX_SLL/SLL2 file is left to libpcap, which rewrites CAN headers in it.
//   - copied (pcapng, standard input, Kuznetzov's modified pcap, a file that cannot be mapped,
//     or ReadMode::kLibpcap): libpcap reads the records (pcap_dispatch, through a large
//     explicit stdio buffer, which keeps stdio out of the profile) and each record's bytes
//     are copied into RecordBatch::bytes.
//
// How long bytes stay valid: copied bytes live in the batch until its next read_batch() or
// clear(). Mapped bytes live in the reader's mapping: they stay valid while the reader that
// produced them lives, across later read_batch() calls into other batches, and across moves
// of the reader (the mapping belongs to the reader's heap state, which a move hands over);
// destroying the reader, or move-assigning another reader onto it, unmaps them. Code that
// keeps records past their reader copies the bytes out. A mapped file is read as it was at
// open(): records appended later are not seen, and a file truncated by another process while
// it is mapped makes the next access to the lost pages fault (SIGBUS), which the libpcap path
// would have reported as a truncated tail; read files still being written with
// ReadMode::kLibpcap or through standard input. release() hands the pages of batches the
// caller is done with back to the kernel, so that resident memory stays bounded.
//
// Errors, located (DESIGN.md §6):
//   - open(): the file cannot be opened, its header is not pcap/pcapng or is corrupt, or its
//     link type is one pfsim does not decode (the message names it): "lb.pcap: error: ...";
//   - read_batch(): a record header that libpcap rejects inside the file (e.g. caplen larger
//     than the snaplen allows): "lb.pcap: packet 1207 (offset 0x9c40): error: ...". The
//     offset (of the bad record's header) is known for classic pcap files that are regular
//     files; pcapng files and standard input give the packet index only.
// A truncated final record is not an error: every record before it is delivered, reading
// ends, and truncated_tail() says so (the caller reports it as a warning).
//
// CaptureWriter writes chosen packets back with their original bytes, timestamps (nanosecond
// precision) and link type: the basis of `pfsim replay --dropped-pcap`.
//
// libpcap's types stay out of this header. Readers and writers are move-only and not
// thread-safe; use one per thread.
//
// Example:
//   auto reader = CaptureReader::open("capture.pcap");
//   if (!reader) return report(reader.error());
//   RecordBatch batch;
//   while (true) {
//     auto n = reader->read_batch(batch);
//     if (!n) return report(n.error());
//     if (*n == 0) break;
//     for (const Record& r : batch.records) use(r, batch.data(r));
//   }
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "net/error.h"
#include "pcap/packet.h"

namespace pfsim::pcap {

// One record of a capture; RecordBatch::data() finds its bytes.
struct Record {
  std::uint64_t index = 0;  // 1-based position in the capture
  std::int64_t ts_ns = 0;
  std::uint32_t caplen = 0;
  std::uint32_t len = 0;
  // Where the bytes start: from RecordBatch::base when it is set (in a mapped file: the
  // offset in the file), else in RecordBatch::bytes.
  std::size_t data_offset = 0;
};

// A batch of records and where their bytes are. A batch filled by hand leaves `base` null and
// appends the bytes to `bytes`; copying or moving a batch keeps data() right in both cases.
struct RecordBatch {
  std::vector<Record> records;
  std::vector<std::uint8_t> bytes;  // the records' bytes, back to back, when `base` is null
  // Set by a mapped CaptureReader: the start of its mapping; `bytes` is then unused. The
  // bytes stay valid as long as that reader lives (see the file comment).
  const std::uint8_t* base = nullptr;

  std::span<const std::uint8_t> data(const Record& r) const noexcept {
    return {(base != nullptr ? base : bytes.data()) + r.data_offset, r.caplen};
  }
  void clear() noexcept {
    records.clear();
    bytes.clear();
    base = nullptr;
  }
};

inline constexpr std::size_t kDefaultBatchRecords = 1024;

// Classic pcap's layout, as CaptureWriter writes it: a file header, then per packet a record
// header and the captured bytes.
inline constexpr std::uint64_t kPcapFileHeaderBytes = 24;
inline constexpr std::uint64_t kPcapRecordHeaderBytes = 16;

// How CaptureReader::open() reads the records (see the file comment).
enum class ReadMode {
  kAuto,     // mapped when the input allows it, copied through libpcap otherwise
  kLibpcap,  // always copied through libpcap: the reference the mapped path is tested against
};

class CaptureReader {
 public:
  // Opens `path` ("-" = standard input, read through a duplicate of descriptor 0 so that the
  // process's own stdin stream is left alone). The error names the file and says what is wrong;
  // it is the same in both modes (libpcap checks the file header in both).
  static net::Result<CaptureReader> open(const std::string& path, ReadMode mode = ReadMode::kAuto);

  CaptureReader(CaptureReader&&) noexcept;
  CaptureReader& operator=(CaptureReader&&) noexcept;
  ~CaptureReader();

  LinkType link_type() const noexcept;
  const std::string& path() const noexcept;

  // Clears `batch` and fills it with up to `max_records` records (0 is read as 1). Returns
  // how many; 0 means the capture has ended (normally, or after a truncated final record),
  // and so does every later call. When a bad record follows good ones in the same batch, the
  // good ones are returned first and the error comes with the next call (and every one after).
  // The batch keeps its capacity, so once it has grown to the capture's packet sizes no call
  // allocates.
  net::Result<std::size_t> read_batch(RecordBatch& batch, std::size_t max_records = kDefaultBatchRecords);

  std::uint64_t records_read() const noexcept;
  // Whether the capture ended inside a record (everything before it was delivered).
  bool truncated_tail() const noexcept;
  // Whether the records come from a mapping of the file (no copy) rather than from libpcap.
  bool mapped() const noexcept;

  // The caller is done with `batch` (read from this reader) and with every batch read before
  // it. In a mapped file, the pages wholly before the end of its last record leave the
  // process's memory (the kernel's page cache may keep them), so that resident memory is
  // bounded by the batches in flight, not by the file's size. Only a hint: bytes read again
  // after it are still right (they fault back in from the file). Nothing in copy mode. May be
  // called from another thread than read_batch(), one call at a time.
  void release(const RecordBatch& batch) noexcept;

 private:
  struct State;
  explicit CaptureReader(std::unique_ptr<State> state) noexcept;
  std::unique_ptr<State> state_;
};

class CaptureWriter {
 public:
  // Creates (or truncates) `path` as a pcap file of `link` with nanosecond timestamps and
  // snaplen 262144 (libpcap's maximum: larger packets are refused by write()). "-" writes
  // to standard output, as libpcap's pcap_dump_open does.
  static net::Result<CaptureWriter> create(const std::string& path, LinkType link);

  CaptureWriter(CaptureWriter&&) noexcept;
  CaptureWriter& operator=(CaptureWriter&&) noexcept;
  ~CaptureWriter();  // closes the file (errors on close are reported by close())

  // Appends one packet: its time, original length and captured bytes. Write errors (a full
  // disk) surface at close(), where the stream is flushed.
  net::Status write(std::int64_t ts_ns, std::uint32_t len, std::span<const std::uint8_t> bytes);
  // Flushes and closes; the error names the file.
  net::Status close();

 private:
  struct State;
  explicit CaptureWriter(std::unique_ptr<State> state) noexcept;
  std::unique_ptr<State> state_;
};

}  // namespace pfsim::pcap
