// bench/bare_loop.h — the peer of the capture benchmarks: a bare libpcap read loop.
//
// What: bare_libpcap_loop() opens a capture with libpcap (nanosecond precision) and calls
// pcap_next_ex until the end, touching each record's captured length and nothing else: the
// least work any tool that reads the file through libpcap can do. pcap_bench (read + decode)
// and replay_bench (pfsim replay) measure themselves against it on the same file in the same
// run, so the ratio holds for the machine and page cache of that run.
//
// libpcap's types stay out of this header; bare_loop.cc is the one place outside pcap/ that
// includes <pcap.h>, because libpcap itself is what pfsim is measured against there.
//
// Errors: a capture libpcap cannot open, or a read error before the end, is returned as text
// in BareLoopResult::error (the benchmark skips with it).
//
// bare_loop_benchmark() is the body of both benchmarks' BM_BareLibpcapLoop: the loop over
// the file once per iteration, items = packets, skipping with the error if there is one.
//
// Example:
//   void BM_BareLibpcapLoop(benchmark::State& state) { bare_loop_benchmark(state, path); }
//
// Thread-safety: reentrant (each call has its own pcap_t).
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>

namespace pfsim::bench {

struct BareLoopResult {
  std::uint64_t packets = 0;
  std::uint64_t captured_bytes = 0;  // the caplen of every record, summed
  std::string error;                 // "" = read to the end
};

BareLoopResult bare_libpcap_loop(const std::string& path);

void bare_loop_benchmark(benchmark::State& state, const std::string& path);

}  // namespace pfsim::bench
