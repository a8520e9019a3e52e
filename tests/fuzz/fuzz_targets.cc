// tests/fuzz/fuzz_targets.cc — what the fuzz targets share (see fuzz_targets.h).
#include "tests/fuzz/fuzz_targets.h"

#include <cstdio>
#include <cstdlib>

namespace pfsim::fuzz {

void contract_broken(std::string_view target, std::string_view what) {
  std::fprintf(stderr, "%.*s: contract broken: %.*s\n", static_cast<int>(target.size()), target.data(),
               static_cast<int>(what.size()), what.data());
  std::abort();
}

}  // namespace pfsim::fuzz
