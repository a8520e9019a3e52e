// ClassBench text ↔ RuleSet / trace (the format and the extension are in classbench.h).
//
// One pass over the text with a hand-rolled cursor per line: no regex, no streams, no
// allocation per token, so the 100K-rule sets and 200K-line traces read in a few tens of
// milliseconds. Each field parser returns an error without a position; the line parser knows
// the token's column and locates it.
#include "classifier/classbench.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <charconv>
#include <cstdint>
#include <numeric>
#include <optional>
#include <string>
#include <utility>

namespace pfsim::classifier {
namespace {

constexpr std::uint64_t kMaxPort = 65535;
constexpr std::uint64_t kMaxProto = 255;
constexpr std::uint64_t kMaxU32 = 0xffffffffu;
constexpr std::uint64_t kProtoMaskExact = 0xff;
constexpr std::uint64_t kProtoMaskAny = 0x00;
constexpr std::uint64_t kMaxRuleFlags = 0xffff;
// A trace line is src dst sport dport proto [flags [rule]].
constexpr std::size_t kTraceMinColumns = 5;
constexpr std::size_t kTraceMaxColumns = 7;

constexpr bool is_blank(char c) noexcept { return c == ' ' || c == '\t'; }
constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

constexpr int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The text in quotes, control bytes escaped as \xNN so that a message stays one printable line.
std::string quoted(std::string_view text) {
  constexpr std::string_view kHex = "0123456789abcdef";
  std::string out = "'";
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) {
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    } else {
      out += c;
    }
  }
  out += '\'';
  return out;
}

enum class NumberStatus { kOk, kNotNumber, kTooBig };

struct Number {
  NumberStatus status = NumberStatus::kNotNumber;
  std::uint64_t value = 0;
};

// A non-empty run of decimal digits whose value is at most `max`.
Number read_decimal(std::string_view text, std::uint64_t max) noexcept {
  if (text.empty()) return {};
  Number n{NumberStatus::kOk, 0};
  for (char c : text) {
    if (!is_digit(c)) return {};
    // Saturate instead of overflowing: any value above max is reported the same way.
    if (n.status == NumberStatus::kOk) {
      n.value = n.value * 10 + static_cast<std::uint64_t>(c - '0');
      if (n.value > max) n.status = NumberStatus::kTooBig;
    }
  }
  return n;
}

// "0x" or "0X" followed by hex digits, value at most `max`.
Number read_hex(std::string_view text, std::uint64_t max) noexcept {
  if (text.size() < 3 || text[0] != '0' || (text[1] != 'x' && text[1] != 'X')) return {};
  Number n{NumberStatus::kOk, 0};
  for (char c : text.substr(2)) {
    const int digit = hex_value(c);
    if (digit < 0) return {};
    if (n.status == NumberStatus::kOk) {
      n.value = n.value * 16 + static_cast<std::uint64_t>(digit);
      if (n.value > max) n.status = NumberStatus::kTooBig;
    }
  }
  return n;
}

// A maximal run of non-blank characters and its 1-based column. At the end of a line the text
// is empty and the column is just past the last character, where the missing field belongs.
struct Token {
  std::string_view text;
  std::uint32_t column = 0;
};

// One line (without its line break) and a read position in it.
class Line {
 public:
  Line(std::string_view file, std::uint32_t number, std::string_view text) noexcept
      : file_(file), number_(number), text_(text) {}

  // The next token; with `stop_at_colon`, a ':' also ends it (port ranges may be written
  // "lo:hi" as well as "lo : hi").
  Token next(bool stop_at_colon = false) noexcept {
    skip_blanks();
    const std::size_t start = pos_;
    while (pos_ < text_.size() && !is_blank(text_[pos_]) && !(stop_at_colon && text_[pos_] == ':')) ++pos_;
    return Token{text_.substr(start, pos_ - start), column_of(start)};
  }

  // Consumes `c` if it is the next non-blank character.
  bool accept(char c) noexcept {
    skip_blanks();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  // The column of the next non-blank character (or of the end of the line).
  std::uint32_t next_column() noexcept {
    skip_blanks();
    return column_of(pos_);
  }

  net::Error error(std::uint32_t column, std::string message) const {
    return net::text_error(std::string(file_), number_, column, std::move(message));
  }

 private:
  void skip_blanks() noexcept {
    while (pos_ < text_.size() && is_blank(text_[pos_])) ++pos_;
  }
  static std::uint32_t column_of(std::size_t pos) noexcept { return static_cast<std::uint32_t>(pos + 1); }

  std::string_view file_;
  std::uint32_t number_;
  std::string_view text_;
  std::size_t pos_ = 0;
};

// Calls `on_line(line_number, text)` for every line that is not blank or a comment, with the
// line break (LF or CRLF) removed; a final line without a line break counts. Stops at, and
// returns, the first error `on_line` returns.
template <class OnLine>
net::Status for_each_content_line(std::string_view text, OnLine on_line) {
  std::uint32_t number = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const std::size_t first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos || line[first] == '#') continue;
    if (auto status = on_line(number, line); !status) return status;
  }
  return net::Ok{};
}

std::size_t count_lines(std::string_view text) noexcept {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
}

// ---- rules ----

// "a.b.c.d/len" in the canonical form ClassBench writes (no leading zeros, no host bits), or
// nullopt for anything else, which net::parse_prefix then accepts or explains. This only
// spares the common case a string copy and inet_pton; it never accepts what parse_prefix
// would reject, nor reads it differently.
std::optional<net::IpRange> read_canonical_ipv4_prefix(std::string_view text) noexcept {
  std::uint32_t address = 0;
  std::size_t pos = 0;
  for (int octet = 0; octet < 4; ++octet) {
    if (octet > 0) {
      if (pos >= text.size() || text[pos] != '.') return std::nullopt;
      ++pos;
    }
    const std::size_t start = pos;
    std::uint32_t value = 0;
    while (pos < text.size() && is_digit(text[pos]) && pos - start < 3) {
      value = value * 10 + static_cast<std::uint32_t>(text[pos] - '0');
      ++pos;
    }
    const std::size_t digits = pos - start;
    if (digits == 0 || value > 255 || (digits > 1 && text[start] == '0')) return std::nullopt;
    address = (address << 8) | value;
  }
  if (pos >= text.size() || text[pos] != '/') return std::nullopt;
  const Number length = read_decimal(text.substr(pos + 1), 32);
  if (length.status != NumberStatus::kOk || text.size() - pos - 1 > 2) return std::nullopt;
  const auto block = net::prefix_range(Family::kIpv4, net::ip4(address), static_cast<unsigned>(length.value));
  if (block.lo != net::ip4(address)) return std::nullopt;
  return net::IpRange{Family::kIpv4, block};
}

// A rule address: "ADDR/LEN", "ADDR" (one host) or the extension "LO-HI". The error carries
// no position.
net::Result<net::IpRange> read_rule_address(std::string_view text) {
  if (auto fast = read_canonical_ipv4_prefix(text)) return *fast;
  const std::size_t dash = text.find('-');
  if (dash == std::string_view::npos) return net::parse_prefix(text);
  auto lo = net::parse_address(text.substr(0, dash));
  if (!lo) return std::move(lo).error();
  auto hi = net::parse_address(text.substr(dash + 1));
  if (!hi) return std::move(hi).error();
  if (lo->family != hi->family) return net::error_message("range " + quoted(text) + " mixes IPv4 and IPv6");
  if (hi->bits < lo->bits) return net::error_message("range " + quoted(text) + " is empty (low end above high end)");
  return net::IpRange{lo->family, AddressRange{lo->bits, hi->bits}};
}

const char* family_name(Family family) noexcept { return family == Family::kIpv4 ? "IPv4" : "IPv6"; }

// One bound of a port range; `what` is "source port" or "destination port".
net::Result<std::uint16_t> read_port(const Line& line, const Token& token, const std::string& what) {
  const Number n = read_decimal(token.text, kMaxPort);
  if (n.status == NumberStatus::kNotNumber)
    return line.error(token.column, what + " " + quoted(token.text) + " is not a number");
  if (n.status == NumberStatus::kTooBig)
    return line.error(token.column, what + " " + std::string(token.text) + " exceeds 65535");
  return static_cast<std::uint16_t>(n.value);
}

// "lo : hi"; the blanks around ':' are optional.
net::Result<PortRange> read_port_range(Line& line, const std::string& what) {
  const Token lo_token = line.next(true);
  if (lo_token.text.empty()) {
    if (line.accept(':')) return line.error(lo_token.column, "missing lower bound of " + what + " range before ':'");
    return line.error(lo_token.column, "missing " + what + " range (expected 'lo : hi')");
  }
  auto lo = read_port(line, lo_token, what);
  if (!lo) return std::move(lo).error();
  if (!line.accept(':'))
    return line.error(line.next_column(),
                      "missing ':' between " + what + " " + std::to_string(*lo) + " and the upper bound");
  const Token hi_token = line.next(true);
  if (hi_token.text.empty()) return line.error(hi_token.column, "missing upper bound of " + what + " range after ':'");
  auto hi = read_port(line, hi_token, what);
  if (!hi) return std::move(hi).error();
  if (*hi < *lo)
    return line.error(lo_token.column,
                      what + " range " + std::to_string(*lo) + " : " + std::to_string(*hi) + " is empty");
  return PortRange{*lo, *hi};
}

// "VALUE/MASK" with both hex ("0x06/0xFF"); false when the form is wrong.
bool split_hex_pair(std::string_view text, std::uint64_t max, Number& value, Number& mask) noexcept {
  const std::size_t slash = text.find('/');
  if (slash == std::string_view::npos) return false;
  value = read_hex(text.substr(0, slash), max);
  mask = read_hex(text.substr(slash + 1), max);
  return value.status != NumberStatus::kNotNumber && mask.status != NumberStatus::kNotNumber;
}

struct ProtoMatch {
  std::uint8_t proto = 0;
  bool any = true;
};

net::Result<ProtoMatch> read_proto(std::string_view text) {
  Number value;
  Number mask;
  if (!split_hex_pair(text, kMaxProto, value, mask))
    return net::error_message("protocol " + quoted(text) + " is not hex value/mask like 0x06/0xFF");
  if (value.status == NumberStatus::kTooBig || mask.status == NumberStatus::kTooBig)
    return net::error_message("protocol " + quoted(text) + " exceeds 0xFF");
  // A mask of 0x00 ignores the value bits, so 0x06/0x00 is "any" just like 0x00/0x00.
  if (mask.value == kProtoMaskAny) return ProtoMatch{0, true};
  if (mask.value == kProtoMaskExact) return ProtoMatch{static_cast<std::uint8_t>(value.value), false};
  return net::error_message("unsupported protocol mask in " + quoted(text) +
                            " (only 0xFF, exact, or 0x00, any protocol)");
}

net::Status check_rule_flags(std::string_view text) {
  Number value;
  Number mask;
  if (!split_hex_pair(text, kMaxRuleFlags, value, mask))
    return net::error_message("flags " + quoted(text) + " are not hex value/mask like 0x1000/0x1000");
  if (value.status == NumberStatus::kTooBig || mask.status == NumberStatus::kTooBig)
    return net::error_message("flags " + quoted(text) + " exceed 0xFFFF");
  return net::Ok{};
}

net::Result<Rule> read_rule(Line& line, std::uint32_t priority, std::uint64_t id) {
  const Token first = line.next();
  if (first.text.front() != '@') return line.error(first.column, "rule must start with '@'");
  // "@ 10.0.0.0/8" is read like "@10.0.0.0/8": unambiguous, and friendlier than an error.
  Token src_token{first.text.substr(1), first.column + 1};
  if (src_token.text.empty()) src_token = line.next();
  if (src_token.text.empty()) return line.error(src_token.column, "missing source address after '@'");
  auto src = read_rule_address(src_token.text);
  if (!src) return line.error(src_token.column, "bad source address: " + src.error().message);

  const Token dst_token = line.next();
  if (dst_token.text.empty()) return line.error(dst_token.column, "missing destination address");
  auto dst = read_rule_address(dst_token.text);
  if (!dst) return line.error(dst_token.column, "bad destination address: " + dst.error().message);
  if (dst->family != src->family)
    return line.error(dst_token.column, "destination address " + quoted(dst_token.text) + " is " +
                                            family_name(dst->family) + " but the source is " +
                                            family_name(src->family) + " (one family per rule)");

  auto sport = read_port_range(line, "source port");
  if (!sport) return std::move(sport).error();
  auto dport = read_port_range(line, "destination port");
  if (!dport) return std::move(dport).error();

  const Token proto_token = line.next();
  if (proto_token.text.empty())
    return line.error(proto_token.column, "missing protocol (expected value/mask like 0x06/0xFF)");
  auto proto = read_proto(proto_token.text);
  if (!proto) return line.error(proto_token.column, std::move(proto).error().message);

  const Token flags_token = line.next();
  if (!flags_token.text.empty()) {
    if (auto status = check_rule_flags(flags_token.text); !status)
      return line.error(flags_token.column, std::move(status).error().message);
    const Token extra = line.next();
    if (!extra.text.empty())
      return line.error(extra.column, "unexpected " + quoted(extra.text) + " after the flags column");
  }

  Rule rule;
  rule.family = src->family;
  rule.src = src->range;
  rule.dst = dst->range;
  rule.sport = *sport;
  rule.dport = *dport;
  rule.proto = proto->proto;
  rule.proto_any = proto->any;
  rule.priority = priority;
  rule.action = Action::kAllow;
  rule.id = id;
  return rule;
}

// ---- traces ----

constexpr std::array<const char*, kTraceMaxColumns> kTraceColumnNames = {
    "source address", "destination address", "source port", "destination port", "protocol", "flags", "rule index"};

// A u32 decimal (the original format) or IPv4/IPv6 text (the extension).
net::Result<net::IpAddress> read_trace_address(std::string_view text) {
  const Number n = read_decimal(text, kMaxU32);
  if (n.status == NumberStatus::kOk)
    return net::IpAddress{Family::kIpv4, net::ip4(static_cast<std::uint32_t>(n.value))};
  if (n.status == NumberStatus::kTooBig)
    return net::error_message(std::string(text) + " exceeds 4294967295 (addresses are unsigned 32-bit decimals)");
  if (text.find_first_of(".:") != std::string_view::npos) return net::parse_address(text);
  return net::error_message(quoted(text) + " is not an address (u32 decimal, IPv4 or IPv6 text)");
}

// A decimal column of at most `max`; the error names the column.
net::Result<std::uint64_t> read_trace_number(const Line& line, const Token& token, const char* name,
                                             std::uint64_t max) {
  const Number n = read_decimal(token.text, max);
  if (n.status == NumberStatus::kNotNumber)
    return line.error(token.column, std::string(name) + " " + quoted(token.text) + " is not a number");
  if (n.status == NumberStatus::kTooBig)
    return line.error(token.column,
                      std::string(name) + " " + std::string(token.text) + " exceeds " + std::to_string(max));
  return n.value;
}

net::Status read_trace_line(Line& line, ClassbenchTrace& trace) {
  std::array<Token, kTraceMaxColumns> columns;
  std::size_t count = 0;
  for (;;) {
    const Token token = line.next();
    if (token.text.empty()) {
      if (count < kTraceMinColumns)
        return line.error(token.column, std::string("missing ") + kTraceColumnNames[count] +
                                            " (a trace line is: src dst sport dport proto [flags [rule]])");
      break;
    }
    if (count == kTraceMaxColumns)
      return line.error(token.column, "unexpected " + quoted(token.text) +
                                          " after the rule index (a trace line has at most 7 columns)");
    columns[count++] = token;
  }

  FiveTuple packet;
  auto src = read_trace_address(columns[0].text);
  if (!src) return line.error(columns[0].column, "bad source address: " + src.error().message);
  auto dst = read_trace_address(columns[1].text);
  if (!dst) return line.error(columns[1].column, "bad destination address: " + dst.error().message);
  if (dst->family != src->family)
    return line.error(columns[1].column, "destination address " + quoted(columns[1].text) + " is " +
                                             family_name(dst->family) + " but the source is " +
                                             family_name(src->family));
  packet.family = src->family;
  packet.src = src->bits;
  packet.dst = dst->bits;

  auto sport = read_trace_number(line, columns[2], kTraceColumnNames[2], kMaxPort);
  if (!sport) return std::move(sport).error();
  auto dport = read_trace_number(line, columns[3], kTraceColumnNames[3], kMaxPort);
  if (!dport) return std::move(dport).error();
  auto proto = read_trace_number(line, columns[4], kTraceColumnNames[4], kMaxProto);
  if (!proto) return std::move(proto).error();
  packet.sport = static_cast<std::uint16_t>(*sport);
  packet.dport = static_cast<std::uint16_t>(*dport);
  packet.proto = static_cast<std::uint8_t>(*proto);

  // Flags are checked for form only: the classifier does not match on them.
  if (count > 5) {
    auto flags = read_trace_number(line, columns[5], kTraceColumnNames[5], kMaxU32);
    if (!flags) return std::move(flags).error();
  }
  RuleIndex generator_rule = kNoMatch;
  if (count > 6 && columns[6].text != "-1") {
    const Number n = read_decimal(columns[6].text, kMaxU32);
    if (n.status != NumberStatus::kOk)
      return line.error(columns[6].column,
                        "rule index " + quoted(columns[6].text) + " is not a rule number (0-based, or -1 for none)");
    generator_rule = static_cast<RuleIndex>(n.value);
  }
  trace.packets.push_back(packet);
  trace.generator_rules.push_back(generator_rule);
  return net::Ok{};
}

// ---- writing ----

template <class Int>
void append_int(std::string& out, Int value) {
  char buf[24];
  const auto result = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, result.ptr);
}

void append_hex2(std::string& out, std::uint8_t value) {
  constexpr std::string_view kDigits = "0123456789abcdef";
  out += "0x";
  out += kDigits[value >> 4];
  out += kDigits[value & 0xf];
}

void append_ports(std::string& out, const PortRange& range) {
  append_int(out, range.lo);
  out += " : ";
  append_int(out, range.hi);
}

void append_trace_address(std::string& out, Family family, net::Ip128 address) {
  if (family == Family::kIpv4) {
    append_int(out, static_cast<std::uint32_t>(address.lo));
  } else {
    out += net::format_address(family, address);
  }
}

}  // namespace

net::Result<RuleSet> parse_classbench_rules(std::string_view text, std::string_view file_name) {
  RuleSet set;
  set.default_action = Action::kDeny;
  set.rules.reserve(count_lines(text));
  auto status = for_each_content_line(text, [&](std::uint32_t number, std::string_view line_text) -> net::Status {
    Line line(file_name, number, line_text);
    auto rule = read_rule(line, static_cast<std::uint32_t>(set.rules.size()), number);
    if (!rule) return std::move(rule).error();
    set.rules.push_back(*rule);
    return net::Ok{};
  });
  if (!status) return std::move(status).error();
  return set;
}

net::Result<ClassbenchTrace> parse_classbench_trace(std::string_view text, std::string_view file_name) {
  ClassbenchTrace trace;
  const std::size_t lines = count_lines(text);
  trace.packets.reserve(lines);
  trace.generator_rules.reserve(lines);
  auto status = for_each_content_line(text, [&](std::uint32_t number, std::string_view line_text) {
    Line line(file_name, number, line_text);
    return read_trace_line(line, trace);
  });
  if (!status) return std::move(status).error();
  return trace;
}

std::string format_classbench_rules(const RuleSet& rules) {
  std::vector<RuleIndex> order(rules.rules.size());
  std::iota(order.begin(), order.end(), RuleIndex{0});
  // Stable: equal priorities keep index order, the classifier's tie-break.
  std::stable_sort(order.begin(), order.end(),
                   [&](RuleIndex a, RuleIndex b) { return rules.rules[a].priority < rules.rules[b].priority; });
  std::string out;
  out.reserve(rules.rules.size() * 80);
  for (RuleIndex index : order) {
    const Rule& rule = rules.rules[index];
    out += '@';
    out += net::format_range(rule.family, rule.src);
    out += '\t';
    out += net::format_range(rule.family, rule.dst);
    out += '\t';
    append_ports(out, rule.sport);
    out += '\t';
    append_ports(out, rule.dport);
    out += '\t';
    if (rule.proto_any) {
      out += "0x00/0x00";
    } else {
      append_hex2(out, rule.proto);
      out += "/0xFF";
    }
    // The generator's layout: a zero flags column and a trailing tab.
    out += "\t0x0000/0x0000\t\n";
  }
  return out;
}

std::string format_classbench_trace(std::span<const FiveTuple> packets, std::span<const RuleIndex> generator_rules) {
  assert(generator_rules.empty() || generator_rules.size() == packets.size());
  std::string out;
  out.reserve(packets.size() * 48);
  for (std::size_t i = 0; i < packets.size(); ++i) {
    const FiveTuple& p = packets[i];
    append_trace_address(out, p.family, p.src);
    out += '\t';
    append_trace_address(out, p.family, p.dst);
    out += '\t';
    append_int(out, p.sport);
    out += '\t';
    append_int(out, p.dport);
    out += '\t';
    append_int(out, p.proto);
    out += "\t0";
    if (!generator_rules.empty()) {
      out += '\t';
      const RuleIndex rule = i < generator_rules.size() ? generator_rules[i] : kNoMatch;
      if (rule == kNoMatch) {
        out += "-1";
      } else {
        append_int(out, rule);
      }
    }
    out += '\n';
  }
  return out;
}

}  // namespace pfsim::classifier
