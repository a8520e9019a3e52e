// The libFuzzer entry point of one fuzz target: PFSIM_FUZZ_TARGET names its body in
// fuzz_targets.h (tests/fuzz/CMakeLists.txt defines it per <name>_fuzzer).
#include <cstddef>
#include <cstdint>

#include "tests/fuzz/fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  pfsim::fuzz::PFSIM_FUZZ_TARGET(data, size);
  return 0;
}
