// bench/pcap_bench.cc — how fast pfsim reads and decodes a capture, against a bare libpcap
// read loop over the same file in the same run (issue 3's target: read + decode at least
// 0.8x the bare loop on one thread; DESIGN.md §7 puts replay at 0.7x of it).
//
// The capture is generated once (CaptureWriter) and kept: PFSIM_BENCH_PCAP names it (default
// /tmp/pfsim-bench-<N>.pcap), PFSIM_BENCH_PACKETS sets N (default 10,000,000 packets over
// 100,000 flows: Ethernet + IPv4 + TCP or UDP, 64 captured bytes each, about 0.8 GB). Each
// benchmark reads the whole file once per iteration, so the page cache, not the disk, feeds
// all three the same way after the first pass.
//
//   BM_BareLibpcapLoop   pcap_next_ex until the end, touching each record's length: the peer
//                        (bench/bare_loop.h, shared with replay_bench).
//   BM_Read              CaptureReader::read_batch (ReadMode::kAuto: the file is mapped and
//                        the records point into it, nothing is copied).
//   BM_ReadLibpcap       the same through libpcap (ReadMode::kLibpcap): records copied into
//                        recycled arenas, the path pcapng files and standard input take.
//   BM_ReadDecode        BM_Read plus decode_batch into a recycled array, then flow_key and
//                        symmetric_hash of each packet (a replay's sharding needs both).
//   BM_ReadDecodeLibpcap the same through libpcap.
//
//   build/release/bench/pcap_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <sys/stat.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "bare_loop.h"
#include "pcap/capture.h"
#include "pcap/decode.h"
#include "pcap/flow_key.h"

namespace {

using pfsim::pcap::CaptureReader;
using pfsim::pcap::CaptureWriter;
using pfsim::pcap::DecodedPacket;
using pfsim::pcap::LinkType;
using pfsim::pcap::ReadMode;
using pfsim::pcap::RecordBatch;

constexpr std::uint64_t kDefaultPackets = 10'000'000;
constexpr std::uint32_t kFlows = 100'000;
constexpr std::size_t kFrameBytes = 64;

std::uint64_t packet_count() {
  if (const char* env = std::getenv("PFSIM_BENCH_PACKETS"); env != nullptr && *env != '\0')
    return std::strtoull(env, nullptr, 10);
  return kDefaultPackets;
}

std::string capture_path() {
  if (const char* env = std::getenv("PFSIM_BENCH_PCAP"); env != nullptr && *env != '\0') return env;
  return "/tmp/pfsim-bench-" + std::to_string(packet_count()) + ".pcap";
}

void put16(std::array<std::uint8_t, kFrameBytes>& f, std::size_t at, std::uint32_t v) {
  f[at] = static_cast<std::uint8_t>(v >> 8);
  f[at + 1] = static_cast<std::uint8_t>(v);
}
void put32(std::array<std::uint8_t, kFrameBytes>& f, std::size_t at, std::uint32_t v) {
  put16(f, at, v >> 16);
  put16(f, at + 2, v & 0xffff);
}

// Writes the benchmark capture unless a file of that name exists. Returns "" or an error.
std::string ensure_capture(const std::string& path, std::uint64_t packets) {
  struct stat info {};
  if (stat(path.c_str(), &info) == 0) return "";
  const std::string partial = path + ".partial";
  auto writer = CaptureWriter::create(partial, LinkType::kEthernet);
  if (!writer) return writer.error().to_string();
  std::mt19937_64 rng(42);
  std::array<std::uint8_t, kFrameBytes> frame{};
  put16(frame, 12, 0x0800);  // EtherType IPv4
  frame[14] = 0x45;          // version 4, IHL 5
  put16(frame, 16, kFrameBytes - 14);
  frame[22] = 64;  // TTL
  for (std::uint64_t i = 0; i < packets; ++i) {
    const auto flow = static_cast<std::uint32_t>(rng() % kFlows);
    const bool reply = (rng() & 1) != 0;
    const bool tcp = flow % 4 != 0;
    const std::uint32_t client = 0x0a000000u | flow;  // 10.x.y.z
    const std::uint32_t server = 0xc0a80001u + flow % 64;
    const std::uint32_t client_port = 1024 + flow % 60000;
    const std::uint32_t server_port = tcp ? 443 : 53;
    frame[23] = tcp ? 6 : 17;
    put32(frame, 26, reply ? server : client);
    put32(frame, 30, reply ? client : server);
    put16(frame, 34, reply ? server_port : client_port);
    put16(frame, 36, reply ? client_port : server_port);
    frame[46] = tcp ? 0x50 : 0;  // TCP data offset 5
    frame[47] = tcp ? 0x10 : 0;  // ACK
    const auto ts_ns = static_cast<std::int64_t>(1'700'000'000'000'000'000 + i * 1000);
    if (auto status = writer->write(ts_ns, 60 + static_cast<std::uint32_t>(rng() % 1400), frame); !status)
      return status.error().to_string();
  }
  if (auto status = writer->close(); !status) return status.error().to_string();
  if (std::rename(partial.c_str(), path.c_str()) != 0) return "cannot rename " + partial + " to " + path;
  return "";
}

bool prepare(benchmark::State& state, std::string& path) {
  path = capture_path();
  static const std::string error = ensure_capture(capture_path(), packet_count());
  if (!error.empty()) state.SkipWithError(error.c_str());
  return error.empty();
}

void BM_BareLibpcapLoop(benchmark::State& state) {
  std::string path;
  if (!prepare(state, path)) return;
  pfsim::bench::bare_loop_benchmark(state, path);
}

template <bool kDecode, ReadMode kMode>
void read_capture(benchmark::State& state) {
  std::string path;
  if (!prepare(state, path)) return;
  std::uint64_t packets = 0;
  RecordBatch batch;
  std::vector<DecodedPacket> packets_out;  // recycled, as a replay's batches are
  for (auto _ : state) {
    auto reader = CaptureReader::open(path, kMode);
    if (!reader) {
      state.SkipWithError(reader.error().to_string().c_str());
      return;
    }
    if (reader->mapped() != (kMode == ReadMode::kAuto)) {
      state.SkipWithError("the capture is not read the way this benchmark measures");
      return;
    }
    std::uint64_t hashes = 0;
    packets = 0;
    for (;;) {
      auto n = reader->read_batch(batch);
      if (!n) {
        state.SkipWithError(n.error().to_string().c_str());
        return;
      }
      if (*n == 0) break;
      packets += *n;
      if constexpr (kDecode) {
        packets_out.resize(*n);
        pfsim::pcap::decode_batch(reader->link_type(), batch, 0, {}, packets_out);
        for (const auto& p : packets_out) {
          if (auto key = pfsim::pcap::flow_key(p)) hashes += pfsim::pcap::symmetric_hash(*key);
        }
      }
    }
    benchmark::DoNotOptimize(hashes);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(packets) * state.iterations());
}

void BM_Read(benchmark::State& state) { read_capture<false, ReadMode::kAuto>(state); }
void BM_ReadLibpcap(benchmark::State& state) { read_capture<false, ReadMode::kLibpcap>(state); }
void BM_ReadDecode(benchmark::State& state) { read_capture<true, ReadMode::kAuto>(state); }
void BM_ReadDecodeLibpcap(benchmark::State& state) { read_capture<true, ReadMode::kLibpcap>(state); }

BENCHMARK(BM_BareLibpcapLoop)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);
BENCHMARK(BM_Read)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);
BENCHMARK(BM_ReadLibpcap)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);
BENCHMARK(BM_ReadDecode)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);
BENCHMARK(BM_ReadDecodeLibpcap)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
