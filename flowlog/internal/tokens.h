// flowlog/internal/tokens.h — cutting a flow-log line (a record, a header line, a format) into
// its space-separated tokens: "Each record is a string with fields separated by spaces"
// (Amazon VPC User Guide, "Flow log records"). A run of spaces or tabs counts as one separator:
// AWS's own example page has a record with two spaces between two fields.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace pfsim::flowlog::internal {

constexpr bool is_separator(char c) noexcept { return c == ' ' || c == '\t'; }

struct Token {
  std::string_view text;
  std::uint32_t column;  // 1-based, of its first byte
};

// The next token of `line` at or after `pos`, moving `pos` past it; nullopt when only
// separators remain.
inline std::optional<Token> next_token(std::string_view line, std::size_t& pos) noexcept {
  while (pos < line.size() && is_separator(line[pos])) ++pos;
  if (pos == line.size()) return std::nullopt;
  const std::size_t begin = pos;
  while (pos < line.size() && !is_separator(line[pos])) ++pos;
  return Token{line.substr(begin, pos - begin), static_cast<std::uint32_t>(begin + 1)};
}

}  // namespace pfsim::flowlog::internal
