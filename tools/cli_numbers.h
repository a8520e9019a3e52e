// tools/cli_numbers.h — a whole-number check for count options (--packets, --limit, ...).
//
// CLI11 converts an unsigned option with strtoull, which saturates on overflow and takes "-1",
// "0x10" and "010" (octal): `--packets 18446744073709551616` became 2^64 - 1 and was accepted.
// whole_number() checks the text before CLI11 converts it: decimal digits only, within
// [lo, hi], and says which of these it is not:
//
//   --packets: 18446744073709551616 is more than the largest packet count, 18446744073709551615
//   --limit: '-1' is not a packet count (a whole number from 1 to 18446744073709551615)
//
// Example:
//   command.add_option("--packets", n)->check(whole_number(1, kMax, "packet count"));
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

namespace pfsim::tools {

CLI::Validator whole_number(std::uint64_t lo, std::uint64_t hi, std::string noun);

}  // namespace pfsim::tools
