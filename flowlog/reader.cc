#include "flowlog/reader.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <limits>
#include <utility>
#include <vector>

#include "flowlog/internal/text_fields.h"
#include "flowlog/internal/tokens.h"

namespace pfsim::flowlog {

namespace {

constexpr std::uint8_t kGzipMagic0 = 0x1f;  // RFC 1952 §2.3.1: ID1, ID2
constexpr std::uint8_t kGzipMagic1 = 0x8b;
// zlib's windowBits for a gzip stream (15, the largest window, +16: gzip wrapper), zlib.h.
constexpr int kGzipWindowBits = 15 + 16;
constexpr std::size_t kRawBufferBytes = 256 * 1024;
constexpr std::size_t kTextBufferBytes = 1024 * 1024;
static_assert(kTextBufferBytes >= 2 * kMaxLineBytes);

bool is_gzip(std::span<const std::uint8_t> bytes) noexcept {
  return bytes.size() >= 2 && bytes[0] == kGzipMagic0 && bytes[1] == kGzipMagic1;
}

net::Error field_error(std::uint32_t column, Field field, std::string message) {
  net::Error error = net::error_message(std::string(field_name(field)) + ": " + std::move(message));
  error.column = column;
  return error;
}

net::Error field_count_error(std::size_t count, const Format& format) {
  return net::error_message(std::to_string(count) + " fields where the format has " +
                            std::to_string(format.fields.size()) + " (" + format.to_header_line() + ")");
}

std::string quoted(std::string_view token) { return "'" + std::string(token) + "'"; }

// An unsigned decimal of type T with every byte of `token` a digit (no sign, no spaces).
template <class T>
std::optional<T> parse_unsigned(std::string_view token) noexcept {
  T value{};
  const char* end = token.data() + token.size();
  auto [ptr, ec] = std::from_chars(token.data(), end, value);
  if (ec != std::errc{} || ptr != end || token.empty() || token[0] < '0' || token[0] > '9') return std::nullopt;
  return value;
}

template <class T>
net::Status parse_number(std::string_view token, std::uint32_t column, Field field, std::optional<T>& out) {
  if (std::optional<T> value = parse_unsigned<T>(token)) {
    out = *value;
    return net::Ok{};
  }
  return field_error(column, field,
                     quoted(token) + " is not a number from 0 to " + std::to_string(std::numeric_limits<T>::max()));
}

net::Status parse_time(std::string_view token, std::uint32_t column, Field field, std::optional<std::int64_t>& out) {
  if (std::optional<std::int64_t> value = parse_unsigned<std::int64_t>(token)) {
    out = *value;
    return net::Ok{};
  }
  return field_error(column, field, quoted(token) + " is not a time in Unix seconds");
}

net::Status parse_ip(std::string_view token, std::uint32_t column, Field field, std::optional<net::IpAddress>& out) {
  net::Result<net::IpAddress> address = net::parse_address(token);
  if (!address) return field_error(column, field, quoted(token) + " is not an IP address: " + address.error().message);
  out = *address;
  return net::Ok{};
}

// A word of a closed set AWS enumerates: `names[i]` is written for value i.
template <class E, std::size_t N>
net::Status parse_word(std::string_view token, std::uint32_t column, Field field,
                       const std::array<std::string_view, N>& names, std::optional<E>& out) {
  for (std::size_t i = 0; i < N; ++i) {
    if (token == names[i]) {
      out = static_cast<E>(i);
      return net::Ok{};
    }
  }
  std::string expected;
  for (std::string_view name : names) expected += (expected.empty() ? "" : " or ") + std::string(name);
  return field_error(column, field, quoted(token) + " is not " + expected);
}

constexpr std::array<std::string_view, 2> kActionNames = {"ACCEPT", "REJECT"};
constexpr std::array<std::string_view, 3> kLogStatusNames = {"OK", "NODATA", "SKIPDATA"};
constexpr std::array<std::string_view, 3> kTypeNames = {"IPv4", "IPv6", "EFA"};
constexpr std::array<std::string_view, 2> kDirectionNames = {"ingress", "egress"};

net::Status parse_field(Field field, std::string_view token, std::uint32_t column, FlowLogRecord& r) {
  if (const internal::TextMember member = internal::text_member(field); member != nullptr) {
    r.*member = token;  // identifiers and metadata: kept as AWS wrote them
    return net::Ok{};
  }
  switch (field) {
    case Field::kVersion:
      return parse_number(token, column, field, r.version);
    case Field::kSrcAddr:
      return parse_ip(token, column, field, r.srcaddr);
    case Field::kDstAddr:
      return parse_ip(token, column, field, r.dstaddr);
    case Field::kSrcPort:
      return parse_number(token, column, field, r.srcport);
    case Field::kDstPort:
      return parse_number(token, column, field, r.dstport);
    case Field::kProtocol:
      return parse_number(token, column, field, r.protocol);
    case Field::kPackets:
      return parse_number(token, column, field, r.packets);
    case Field::kBytes:
      return parse_number(token, column, field, r.bytes);
    case Field::kStart:
      return parse_time(token, column, field, r.start_s);
    case Field::kEnd:
      return parse_time(token, column, field, r.end_s);
    case Field::kAction:
      return parse_word(token, column, field, kActionNames, r.action);
    case Field::kLogStatus:
      return parse_word(token, column, field, kLogStatusNames, r.log_status);
    case Field::kTcpFlags:
      return parse_number(token, column, field, r.tcp_flags);
    case Field::kType:
      return parse_word(token, column, field, kTypeNames, r.type);
    case Field::kPktSrcAddr:
      return parse_ip(token, column, field, r.pkt_srcaddr);
    case Field::kPktDstAddr:
      return parse_ip(token, column, field, r.pkt_dstaddr);
    case Field::kFlowDirection:
      return parse_word(token, column, field, kDirectionNames, r.flow_direction);
    case Field::kTrafficPath:
      return parse_number(token, column, field, r.traffic_path);
    default:
      return net::Ok{};  // a text field, handled above
  }
}

}  // namespace

net::Status parse_record(std::string_view line, const Format& format, FlowLogRecord& record) {
  record = FlowLogRecord{};
  const std::size_t expected = format.fields.size();
  std::size_t count = 0;
  std::uint32_t end_column = 0;  // where `end` was, for the start/end check
  std::size_t pos = 0;
  while (std::optional<internal::Token> token = internal::next_token(line, pos)) {
    if (count == expected) {
      std::size_t total = count + 1;  // count the rest for the message
      while (internal::next_token(line, pos)) ++total;
      net::Error error = field_count_error(total, format);
      error.column = token->column;
      return error;
    }
    const Field field = format.fields[count++];
    if (field == Field::kEnd) end_column = token->column;
    // "If a field is not applicable or could not be computed for a specific record, the record
    // displays a '-' symbol for that entry" (Amazon VPC User Guide, "Flow log records").
    if (token->text == "-") continue;
    if (net::Status status = parse_field(field, token->text, token->column, record); !status) return status;
  }
  if (count != expected) return field_count_error(count, format);
  // start: "when the first packet of the flow was received within the aggregation interval";
  // end: "when the last packet of the flow was received" (same page): never before start.
  if (record.start_s && record.end_s && *record.end_s < *record.start_s) {
    return field_error(end_column, Field::kEnd,
                       std::to_string(*record.end_s) + " is before start " + std::to_string(*record.start_s));
  }
  return net::Ok{};
}

// The reader's state: a byte source (a file or memory), an optional gzip inflater, and the
// decompressed text buffer that lines are cut from.
struct FlowLogReader::State {
  std::string name;
  std::FILE* file = nullptr;
  bool owns_file = false;
  std::span<const std::uint8_t> memory;  // when reading from memory
  std::size_t memory_pos = 0;
  bool raw_eof = false;

  bool gzip = false;
  z_stream zs{};
  bool zs_ready = false;
  bool member_open = false;  // inside a gzip member whose end has not been seen
  std::vector<std::uint8_t> raw;
  std::uint64_t raw_offset = 0;        // bytes of the source consumed so far
  std::optional<net::Error> deferred;  // an error met after some text was produced

  std::vector<char> text;
  std::size_t begin = 0;  // the unread text is text[begin, end)
  std::size_t end = 0;
  std::size_t scan = 0;  // text[begin, scan) holds no '\n'
  bool text_eof = false;
  std::uint64_t line = 0;

  Format format;
  bool header = false;
  std::optional<std::string_view> pending;  // the first line, when it is a record
  std::optional<net::Error> failed;

  ~State() {
    if (zs_ready) inflateEnd(&zs);
    if (owns_file && file != nullptr) std::fclose(file);
  }

  net::Error error_here(std::string message) const { return net::text_error(name, 0, 0, std::move(message)); }

  // Reads up to `size` raw bytes of the source; 0 at its end.
  net::Result<std::size_t> read_raw(std::uint8_t* out, std::size_t size) {
    if (raw_eof) return std::size_t{0};
    std::size_t n = 0;
    if (file == nullptr) {
      n = std::min(size, memory.size() - memory_pos);
      std::memcpy(out, memory.data() + memory_pos, n);
      memory_pos += n;
    } else {
      n = std::fread(out, 1, size, file);
      if (n < size && std::ferror(file)) return error_here(std::string("cannot read: ") + std::strerror(errno));
    }
    if (n == 0) raw_eof = true;
    raw_offset += n;
    return n;
  }

  // Appends decompressed (or plain) bytes after text[end]; sets text_eof at the end.
  net::Status fill() {
    if (deferred) return *deferred;
    char* out = text.data() + end;
    const std::size_t room = text.size() - end;
    if (!gzip) {
      net::Result<std::size_t> n = read_raw(reinterpret_cast<std::uint8_t*>(out), room);
      if (!n) return std::move(n).error();
      if (*n == 0) text_eof = true;
      end += *n;
      return net::Ok{};
    }
    zs.next_out = reinterpret_cast<Bytef*>(out);
    zs.avail_out = static_cast<uInt>(room);
    while (zs.avail_out == room) {
      if (zs.avail_in == 0) {
        net::Result<std::size_t> n = read_raw(raw.data(), raw.size());
        if (!n) return std::move(n).error();
        if (*n == 0) {
          if (member_open) {
            net::Error error = error_here("gzip data ends early: the file is truncated");
            error.line = static_cast<std::uint32_t>(line + 1);
            return error;
          }
          text_eof = true;
          break;
        }
        zs.next_in = raw.data();
        zs.avail_in = static_cast<uInt>(*n);
      }
      member_open = true;
      const int status = inflate(&zs, Z_NO_FLUSH);
      if (status == Z_STREAM_END) {
        // One gzip member ends; another may follow (RFC 1952 §2.2: "a series of members").
        member_open = false;
        inflateReset(&zs);
      } else if (status != Z_OK && status != Z_BUF_ERROR) {
        net::Error error =
            error_here(std::string("corrupt gzip data: ") + (zs.msg != nullptr ? zs.msg : "inflate failed"));
        error.byte_offset = raw_offset - zs.avail_in;
        if (zs.avail_out == room) return error;
        // Hand out the text decompressed before the damage first; the error comes next.
        deferred = std::move(error);
        break;
      }
    }
    end += room - zs.avail_out;
    return net::Ok{};
  }

  // The next line (without '\n' or a '\r' before it), or nullopt at the end of the text.
  net::Result<std::optional<std::string_view>> next_line() {
    while (true) {
      const void* newline = std::memchr(text.data() + scan, '\n', end - scan);
      if (newline != nullptr) {
        const auto at = static_cast<std::size_t>(static_cast<const char*>(newline) - text.data());
        std::string_view result(text.data() + begin, at - begin);
        begin = scan = at + 1;
        ++line;
        if (!result.empty() && result.back() == '\r') result.remove_suffix(1);
        return std::optional<std::string_view>(result);
      }
      scan = end;
      if (end - begin > kMaxLineBytes) {
        return net::text_error(name, static_cast<std::uint32_t>(line + 1), 0,
                               "line longer than " + std::to_string(kMaxLineBytes) +
                                   " bytes: not a flow-log record (is this a flow-log file?)");
      }
      if (text_eof) {
        if (begin == end) return std::optional<std::string_view>();
        std::string_view result(text.data() + begin, end - begin);
        begin = scan = end;
        ++line;
        if (!result.empty() && result.back() == '\r') result.remove_suffix(1);
        return std::optional<std::string_view>(result);
      }
      // Move the partial line to the front and read more behind it.
      if (begin > 0) {
        std::memmove(text.data(), text.data() + begin, end - begin);
        end -= begin;
        scan -= begin;
        begin = 0;
      }
      if (net::Status status = fill(); !status) return std::move(status).error();
    }
  }

  net::Error locate(net::Error error) const {
    error.file = name;
    error.line = static_cast<std::uint32_t>(line);
    return error;
  }

  // Settles the format from the first line (see the header's file comment).
  net::Status start(ReaderOptions options) {
    std::uint8_t* first = raw.data();
    net::Result<std::size_t> n = read_raw(first, raw.size());
    if (!n) return std::move(n).error();
    gzip = is_gzip(std::span<const std::uint8_t>(first, *n));
    if (gzip) {
      if (inflateInit2(&zs, kGzipWindowBits) != Z_OK) return error_here("cannot start gzip decompression");
      zs_ready = true;
      zs.next_in = first;
      zs.avail_in = static_cast<uInt>(*n);
    } else {
      // Plain text: the bytes read so far are text.
      std::memcpy(text.data(), first, *n);
      end = *n;
      if (*n == 0) text_eof = true;
    }
    net::Result<std::optional<std::string_view>> first_line = next_line();
    while (first_line && *first_line && (*first_line)->find_first_not_of(" \t") == std::string_view::npos) {
      first_line = next_line();
    }
    if (!first_line) return std::move(first_line).error();
    if (*first_line && is_header_line(**first_line)) {
      net::Result<Format> parsed = parse_header_line(**first_line);
      if (!parsed) return locate(std::move(parsed).error());
      if (options.format && *options.format != *parsed) {
        return locate(net::error_message("the header line's format (" + parsed->to_aws_syntax() +
                                         ") is not the one given (" + options.format->to_aws_syntax() + ")"));
      }
      format = std::move(*parsed);
      header = true;
      return net::Ok{};
    }
    format = options.format ? std::move(*options.format) : default_format();
    pending = *first_line;
    return net::Ok{};
  }

  net::Result<bool> next(FlowLogRecord& record) {
    if (failed) return *failed;
    while (true) {
      std::optional<std::string_view> text_line;
      if (pending) {
        text_line = *pending;
        pending.reset();
      } else {
        net::Result<std::optional<std::string_view>> read = next_line();
        if (!read) {
          failed = std::move(read).error();
          return *failed;
        }
        text_line = *read;
      }
      if (!text_line) return false;
      if (text_line->find_first_not_of(" \t") == std::string_view::npos) continue;  // a blank line
      if (net::Status status = parse_record(*text_line, format, record); !status) {
        failed = locate(std::move(status).error());
        return *failed;
      }
      record.line = line;
      return true;
    }
  }
};

FlowLogReader::FlowLogReader(std::unique_ptr<State> state) : state_(std::move(state)) {}
FlowLogReader::FlowLogReader(FlowLogReader&&) noexcept = default;
FlowLogReader& FlowLogReader::operator=(FlowLogReader&&) noexcept = default;
FlowLogReader::~FlowLogReader() = default;

net::Result<FlowLogReader> FlowLogReader::open(const std::string& path, ReaderOptions options) {
  auto state = std::make_unique<State>();
  state->name = path;
  if (path == "-") {
    state->file = stdin;
  } else {
    state->file = std::fopen(path.c_str(), "rb");
    if (state->file == nullptr) return net::text_error(path, 0, 0, std::string("cannot open: ") + std::strerror(errno));
    state->owns_file = true;
  }
  state->raw.resize(kRawBufferBytes);
  state->text.resize(kTextBufferBytes);
  if (net::Status status = state->start(std::move(options)); !status) return std::move(status).error();
  return FlowLogReader(std::move(state));
}

net::Result<FlowLogReader> FlowLogReader::from_bytes(std::span<const std::uint8_t> bytes, std::string name,
                                                     ReaderOptions options) {
  auto state = std::make_unique<State>();
  state->name = std::move(name);
  state->memory = bytes;
  state->raw.resize(kRawBufferBytes);
  state->text.resize(kTextBufferBytes);
  if (net::Status status = state->start(std::move(options)); !status) return std::move(status).error();
  return FlowLogReader(std::move(state));
}

net::Result<bool> FlowLogReader::next(FlowLogRecord& record) { return state_->next(record); }
const Format& FlowLogReader::format() const noexcept { return state_->format; }
bool FlowLogReader::has_header_line() const noexcept { return state_->header; }
bool FlowLogReader::compressed() const noexcept { return state_->gzip; }
const std::string& FlowLogReader::name() const noexcept { return state_->name; }

namespace {

bool is_text(std::span<const std::uint8_t> bytes) noexcept {
  if (bytes.empty()) return false;
  return std::all_of(bytes.begin(), bytes.end(),
                     [](std::uint8_t b) { return (b >= 0x20 && b <= 0x7e) || b == '\t' || b == '\r' || b == '\n'; });
}

}  // namespace

bool looks_like_flow_log(std::span<const std::uint8_t> first_bytes) noexcept {
  if (first_bytes.size() > kSniffBytes) first_bytes = first_bytes.first(kSniffBytes);
  if (!is_gzip(first_bytes)) return is_text(first_bytes);
  // gzip: is what the first bytes decompress to text? (A gzip-compressed capture is not.)
  z_stream zs{};
  if (inflateInit2(&zs, kGzipWindowBits) != Z_OK) return false;
  std::array<std::uint8_t, kSniffBytes> out{};
  zs.next_in = const_cast<Bytef*>(first_bytes.data());  // zlib's API is not const-correct
  zs.avail_in = static_cast<uInt>(first_bytes.size());
  zs.next_out = out.data();
  zs.avail_out = static_cast<uInt>(out.size());
  const int status = inflate(&zs, Z_SYNC_FLUSH);
  const std::size_t produced = out.size() - zs.avail_out;
  inflateEnd(&zs);
  if (status != Z_OK && status != Z_STREAM_END && status != Z_BUF_ERROR) return false;
  return is_text(std::span<const std::uint8_t>(out.data(), produced));
}

}  // namespace pfsim::flowlog
