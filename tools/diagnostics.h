// tools/diagnostics.h — the exit codes of every pfsim subcommand and how errors reach the user.
//
// Exit codes (DESIGN.md §5): 0 ran and found nothing to flag; 1 ran and flagged something
// (for classify: --verify found mismatches); 2 bad input or usage. Library code returns a
// located net::Error; the tools print it here, on stderr, compiler-style:
//
//   acl1_1000:14:23: error: port range 443 : 80 is empty        (the error names its file)
//   pfsim: error: cannot read 'x': No such file or directory    (it does not: say who speaks)
#pragma once

#include "net/error.h"

namespace pfsim::tools {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFlagged = 1;
inline constexpr int kExitBadInput = 2;

// Prints `error` to stderr as described above and returns kExitBadInput, so that a command
// can `return report_error(result.error());`.
int report_error(const net::Error& error);

}  // namespace pfsim::tools
