// net/error.h — located errors and Result<T>, the fallible return type of every part.
//
// Library code never prints, exits or throws across a part's boundary (STYLE.md, DESIGN.md §6):
// a function that can fail on bad input returns Result<T>, whose Error says where the input is
// wrong. Tools print Error::to_string(), which is compiler-style:
//
//   rules/acl1:14:9: error: port range 443 : 80 is empty
//   lb.pcap: packet 1207 (offset 0x9c40): error: caplen 70000 > snaplen 65535
//
// Result<T> is a small stand-in for C++23's std::expected<T, Error>.
//
// Example:
//   Result<RuleSet> rules = parse_classbench_rules(text, "acl1");
//   if (!rules) { std::cerr << rules.error().to_string() << '\n'; return 2; }
//   use(*rules);
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace pfsim::net {

// Where the input is wrong and what is wrong with it. Fields that do not apply stay empty:
// a text file error has line (and usually column); a capture error has packet_index and/or
// byte_offset.
struct Error {
  std::string file;                           // the file's name as the user gave it; may be empty
  std::uint32_t line = 0;                     // 1-based; 0 = not a text position
  std::uint32_t column = 0;                   // 1-based; 0 = whole line
  std::optional<std::uint64_t> packet_index;  // 1-based packet number in a capture
  std::optional<std::uint64_t> byte_offset;   // offset in the file
  std::string message;

  // "file:line:column: error: message" (omitting the parts that are empty).
  std::string to_string() const;
};

// An error with a message only; the caller that knows the position adds it.
Error error_message(std::string message);

// Shorthand for an error located in a text file.
Error text_error(std::string file, std::uint32_t line, std::uint32_t column, std::string message);

// A value or the Error that prevented it. Test with `if (result)`, then use `*result` or
// `result.error()`. Accessing the wrong alternative is a bug (std::get throws
// std::bad_variant_access, which is never caught).
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  explicit operator bool() const noexcept { return state_.index() == 0; }
  bool ok() const noexcept { return state_.index() == 0; }

  T& operator*() & { return std::get<0>(state_); }
  const T& operator*() const& { return std::get<0>(state_); }
  T&& operator*() && { return std::get<0>(std::move(state_)); }
  T* operator->() { return &std::get<0>(state_); }
  const T* operator->() const { return &std::get<0>(state_); }

  const Error& error() const& { return std::get<1>(state_); }
  Error&& error() && { return std::get<1>(std::move(state_)); }

 private:
  std::variant<T, Error> state_;
};

// Result of an operation that yields nothing but may fail.
struct Ok {};
using Status = Result<Ok>;

}  // namespace pfsim::net
