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
#include <span>
#include <string>
#include <vector>

#include "bare_loop.h"
#include "pcap/capture.h"
#include "pcap/decode.h"
#include "pcap/encode.h"
#include "pcap/flow_key.h"

namespace {

using pfsim::pcap::CaptureReader;
using pfsim::pcap::CaptureWriter;
using pfsim::pcap::DecodedPacket;
using pfsim::pcap::FrameSpec;
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

// Writes the benchmark capture unless a file of that name exists. Returns "" or an error.
std::string ensure_capture(const std::string& path, std::uint64_t packets) {
  struct stat info {};
  if (stat(path.c_str(), &info) == 0) return "";
  const std::string partial = path + ".partial";
  auto writer = CaptureWriter::create(partial, LinkType::kEthernet);
  if (!writer) return writer.error().to_string();
  std::mt19937_64 rng(42);
  std::array<std::uint8_t, kFrameBytes> frame{};
  for (std::uint64_t i = 0; i < packets; ++i) {
    const auto flow = static_cast<std::uint32_t>(rng() % kFlows);
    const bool reply = (rng() & 1) != 0;
    const bool tcp = flow % 4 != 0;
    const auto client = pfsim::net::ip4(0x0a000000u | flow);  // 10.x.y.z
    const auto server = pfsim::net::ip4(0xc0a80001u + flow % 64);
    const auto client_port = static_cast<std::uint16_t>(1024 + flow % 60000);
    const std::uint16_t server_port = tcp ? 443 : 53;
    FrameSpec spec;
    spec.src = reply ? server : client;
    spec.dst = reply ? client : server;
    spec.proto = tcp ? pfsim::net::kProtoTcp : pfsim::net::kProtoUdp;
    spec.sport = reply ? server_port : client_port;
    spec.dport = reply ? client_port : server_port;
    spec.tcp_flags = 0x010;  // ACK
    // 64 to 1463 bytes on the wire, of which the first 64 are captured.
    const std::uint32_t headers = 14 + 20 + (tcp ? 20 : 8);
    spec.payload_bytes = static_cast<std::uint32_t>(kFrameBytes - headers + rng() % 1400);
    auto encoded = pfsim::pcap::encode_frame(spec, frame);
    if (!encoded) return encoded.error().to_string();
    const auto ts_ns = static_cast<std::int64_t>(1'700'000'000'000'000'000 + i * 1000);
    const auto wire = static_cast<std::uint32_t>(encoded->wire_bytes);
    if (auto status = writer->write(ts_ns, wire, std::span(frame).first(encoded->captured_bytes)); !status)
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
