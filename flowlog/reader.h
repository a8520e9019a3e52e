// flowlog/reader.h — reading VPC Flow Logs files, record by record.
//
// FlowLogReader streams a flow-log file (or standard input, "-", or bytes in memory): plain
// text or gzip, told apart by the gzip magic bytes (1f 8b), never by the file's name. AWS
// delivers S3 files gzip-compressed by default, and a file may hold several gzip members one
// after the other (as `cat a.gz b.gz` makes): all are read. Memory stays bounded whatever the
// file's size: a fixed read buffer and one line buffer, reused; reading a record allocates
// nothing.
//
// The format of the records (flowlog/format.h) is, in this order of precedence:
//   - the file's header line, when its first line is one (is_header_line()): AWS writes one
//     at the top of every plain-text file delivered to S3. When ReaderOptions::format is set
//     as well, the two must agree, or open() fails;
//   - ReaderOptions::format (`--flow-log-format`, AWS's ${...} syntax);
//   - the default version 2 format (CloudWatch Logs exports and files without a header).
//
// Records: next() fills a FlowLogRecord (flowlog/record.h); '-' fields stay nullopt. NODATA
// and SKIPDATA records ("2 123456789010 eni-... - - - - - - - 1431280876 1431280934 - NODATA")
// are returned like any other: the caller counts them and never judges them. Blank lines carry
// no record and are passed over; a '\r' before the '\n' is dropped.
//
// Errors, located (DESIGN.md §6) as "file:line:column: error: field: what", the line counted
// in the decompressed text and the column the field's first byte (1-based):
//   - a record whose number of fields is not the format's (the column of the first extra
//     field, or none when fields are missing);
//   - a value a field cannot hold: a bad address, a number that is not one or is too large for
//     the field (ports 0-65535, protocol 0-255, ...), a word that is not one AWS writes
//     (action ACCEPT|REJECT, log-status OK|NODATA|SKIPDATA, type IPv4|IPv6|EFA, flow-direction
//     ingress|egress);
//   - end before start ("end: 1418530000 is before start 1418530010");
//   - an unknown or repeated field name in the header line;
//   - a line longer than kMaxLineBytes (a binary file read as text);
//   - corrupt gzip data ("file: offset 0x4: error: corrupt gzip data: ...", the offset in the
//     compressed file where zlib stopped; the records decompressed before it are delivered
//     first), truncated gzip data (located by the line it cuts), and read errors.
// After an error the reader is done: next() keeps returning the same error.
//
// looks_like_flow_log() tells a flow-log file from a capture by its first bytes, so that
// `pfsim replay` can take both among its FILE arguments.
//
// A reader is move-only and not thread-safe; use one per thread.
//
// Example:
//   auto reader = FlowLogReader::open("flows.log.gz");
//   if (!reader) return report(reader.error());
//   FlowLogRecord record;
//   while (true) {
//     auto more = reader->next(record);
//     if (!more) return report(more.error());
//     if (!*more) break;
//     if (record.log_status == LogStatus::kOk) use(record);
//   }
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "flowlog/format.h"
#include "flowlog/record.h"
#include "net/error.h"

namespace pfsim::flowlog {

// The longest line read; AWS's longest records are well under 4 KiB.
inline constexpr std::size_t kMaxLineBytes = 64 * 1024;

// How many first bytes looks_like_flow_log() wants (fewer work, if the file is shorter).
inline constexpr std::size_t kSniffBytes = 512;

struct ReaderOptions {
  // The format given by the user (parse_aws_format()); nullopt: the header line, else the default.
  std::optional<Format> format;
};

class FlowLogReader {
 public:
  // Opens `path` ("-": standard input) and reads its first line to settle the format. Errors:
  // the file cannot be opened or read, its gzip data is corrupt, its header line has an unknown
  // field, or the header and options.format disagree.
  static net::Result<FlowLogReader> open(const std::string& path, ReaderOptions options = {});
  // The same over bytes in memory (plain or gzip), named `name` in errors. The bytes must
  // outlive the reader. A fuzzing entry point: any bytes give records or a located error.
  static net::Result<FlowLogReader> from_bytes(std::span<const std::uint8_t> bytes, std::string name,
                                               ReaderOptions options = {});

  FlowLogReader(FlowLogReader&&) noexcept;
  FlowLogReader& operator=(FlowLogReader&&) noexcept;
  ~FlowLogReader();

  // Reads the next record into `record` (every field reset first): true when one was read,
  // false at the end of the input. The record's text fields stay valid until the next call.
  net::Result<bool> next(FlowLogRecord& record);

  const Format& format() const noexcept;
  // Whether the format came from the file's header line.
  bool has_header_line() const noexcept;
  // Whether the input is gzip-compressed.
  bool compressed() const noexcept;
  // The name errors carry (the path as given, or "-").
  const std::string& name() const noexcept;

 private:
  struct State;
  explicit FlowLogReader(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// Parses one record line (without its newline) of `format` into `record` (every field reset
// first). The Error carries the column within `line` and no file or line: the caller adds them.
net::Status parse_record(std::string_view line, const Format& format, FlowLogRecord& record);

// Whether a file that begins with `first_bytes` (up to kSniffBytes of them) is a flow log:
// text (printable ASCII, tabs, CR, LF), or gzip whose first decompressed bytes are such text.
// A pcap or pcapng file (their magic numbers) is not, nor is an empty one.
bool looks_like_flow_log(std::span<const std::uint8_t> first_bytes) noexcept;

}  // namespace pfsim::flowlog
