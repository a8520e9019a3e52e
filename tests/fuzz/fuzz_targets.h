// tests/fuzz/fuzz_targets.h — the fuzz targets: one plain function per parser of untrusted input.
//
// Each function takes any bytes, runs them through one reader of pfsim's inputs and checks the
// reader's contract: no crash, no exception, no sanitizer report, a located error or a result
// that survives a round trip (what each checks is written above its definition). A broken
// contract calls contract_broken(), which prints what broke and aborts.
//
// Two callers share them, so an input that once broke a reader is replayed by the ordinary suite:
//   - fuzzer_main.cc makes each one a libFuzzer target (<name>_fuzzer, clang, preset fuzz);
//   - fuzz_corpus_test.cc (the ordinary GoogleTest suite, any compiler) runs every file of
//     tests/corpus/<name>/ through fuzz_<name>: the seeds and the named regression files.
//
//   decode         pcap/decode.h          first byte: link type and decapsulation; rest: one frame
//   capture        pcap/capture.h         a capture file (pcap or pcapng), read mapped and through libpcap
//   scenario_yaml  engine/model           a scenario file; a loaded one is compiled and checked
//   classbench     classifier/classbench  a rule file and a trace file (the same text read as both)
//   flow           engine/analysis        `pfsim explain --flow` text, explained on a bundled scenario
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace pfsim::fuzz {

void fuzz_decode(const std::uint8_t* data, std::size_t size);
void fuzz_capture(const std::uint8_t* data, std::size_t size);
void fuzz_scenario_yaml(const std::uint8_t* data, std::size_t size);
void fuzz_classbench(const std::uint8_t* data, std::size_t size);
void fuzz_flow(const std::uint8_t* data, std::size_t size);

// Prints "<target>: contract broken: <what>" to stderr and aborts (libFuzzer keeps the input as a
// crash; the corpus test dies, which fails it).
[[noreturn]] void contract_broken(std::string_view target, std::string_view what);

}  // namespace pfsim::fuzz
