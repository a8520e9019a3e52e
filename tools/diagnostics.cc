#include "tools/diagnostics.h"

#include <iostream>

namespace pfsim::tools {

int report_error(const net::Error& error) {
  // A located error already starts with its file, as a compiler's does; an unlocated one gets
  // the program's name so that the line still says where it comes from.
  if (error.file.empty()) std::cerr << "pfsim: ";
  std::cerr << error.to_string() << '\n';
  return kExitBadInput;
}

}  // namespace pfsim::tools
