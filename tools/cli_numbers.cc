#include "tools/cli_numbers.h"

#include <charconv>
#include <system_error>
#include <utility>

namespace pfsim::tools {

CLI::Validator whole_number(std::uint64_t lo, std::uint64_t hi, std::string noun) {
  return CLI::Validator(
      [lo, hi, noun](std::string& text) -> std::string {
        const bool digits = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
        if (!digits)
          return "'" + text + "' is not a " + noun + " (a whole number from " + std::to_string(lo) + " to " +
                 std::to_string(hi) + ")";
        std::uint64_t value = 0;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (error == std::errc::result_out_of_range || (error == std::errc{} && value > hi))
          return text + " is more than the largest " + noun + ", " + std::to_string(hi);
        if (error != std::errc{} || end != text.data() + text.size()) return "'" + text + "' is not a " + noun;
        if (value < lo) return text + " is less than the smallest " + noun + ", " + std::to_string(lo);
        return "";
      },
      "N");
}

}  // namespace pfsim::tools
