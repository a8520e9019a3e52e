// net/text.h — numbers as reports show them to people: "1,234,567" and "0.41". One definition
// for every part that writes counts into messages (DESIGN.md §5's examples group digits).
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace pfsim::net {

// 1234567 -> "1,234,567".
inline std::string grouped(std::uint64_t value) {
  const std::string digits = std::to_string(value);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i != 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// `value` with `decimals` digits after the point: fixed(0.4123, 2) -> "0.41".
inline std::string fixed(double value, int decimals) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

}  // namespace pfsim::net
