// engine/replay/replay_pipeline.cc — run_replay(): the oneTBB pipeline of DESIGN.md §4 around the
// serial ReplayEngine (engine/replay/internal/replay_engine.h).
//
//   read     serial in order: up to batch_records records into a recycled batch arena
//   decode   parallel: decode, record fields; with more than one flow shard, each packet's
//            flow hash (ICMP errors by the quoted flow)
//   prepare  serial in order: fragments to their datagram, each packet's flow shard, the
//            running maximum of the times read, the health-check series the packets carry
//   engine k serial in order, one stage per flow shard (engine k owns its conntrack table and
//            route cache): events and health checks due, connection tracking and verdicts,
//            accounting, for its packets of each batch
//   account  serial in order: --dropped-pcap, the batch's pages, progress
// Batches live in a ring of `tokens` slots: parallel_pipeline never has more than `tokens`
// items in flight, and items leave the last (serial in-order) stage in order, so slot
// k % tokens is free again when item k is read. Everything that decides an output runs in the
// serial stages in capture order or in flow shards whose reports merge exactly, so the report
// is the same for any thread count.
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/parallel_pipeline.h>
#include <oneapi/tbb/task_arena.h>
#if defined(__SANITIZE_THREAD__)
#include <sanitizer/tsan_interface.h>
#endif

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <limits>
#include <optional>
#include <system_error>
#include <utility>

#include "engine/replay/internal/fragment_ports.h"
#include "engine/replay/internal/health_schedule.h"
#include "engine/replay/internal/replay_engine.h"
#include "engine/replay/replay.h"
#include "net/protocols.h"
#include "pcap/capture.h"
#include "pcap/decode.h"

namespace pfsim::engine {
namespace {

// ThreadSanitizer does not see the synchronization inside Debian's libtbb.so (built without
// -fsanitize=thread): that a serial stage runs one token at a time and a token's stages in order,
// and that parallel_pipeline returns only after every stage of every token has run. It then
// reports each handoff (the batches, the readers, the dropped-packet writer) as a race between
// TBB workers, or with the caller. Under TSan each stage acquires `sync` when it starts and
// releases it when it ends, and the caller acquires it after the pipeline: the edges TBB
// provides, plus some between parallel decode tasks of different batches, which share nothing.
// In other builds the wrapper is the stage itself.
template <class Stage>
auto pipeline_stage(Stage stage, const void* sync) {
  return [stage = std::move(stage), sync](auto&&... args) {
    struct Release {
      const void* at;
      ~Release() {
#if defined(__SANITIZE_THREAD__)
        __tsan_release(const_cast<void*>(at));
#endif
      }
    } release{sync};
#if defined(__SANITIZE_THREAD__)
    __tsan_acquire(const_cast<void*>(sync));
#endif
    return stage(std::forward<decltype(args)>(args)...);
  };
}

struct Batch {
  pcap::RecordBatch records;
  std::vector<pcap::DecodedPacket> decoded;
  std::vector<std::uint64_t> flow_hash;  // per packet: internal::flow_hash(), with sub-shards
  std::vector<std::uint8_t> dropped;     // per packet: some leg dropped it (for --dropped-pcap)
  std::vector<std::uint32_t> engine;     // per packet: the engine that judges it, or kNoEngine
  std::vector<std::int64_t> upto_ns;     // per packet: the largest time read up to it
  std::uint64_t index_offset = 0;        // packets of the earlier captures
  std::size_t file = 0;
  bool last_of_file = false;
};

constexpr std::uint64_t kRecordHeaderBytes = 16;
constexpr std::uint32_t kNoEngine = 0xffffffffu;
// Packets decoded before their flow hashes are taken: 64 of 168 bytes stay in the L1 cache.
constexpr std::size_t kDecodeChunk = 64;

}  // namespace

net::Result<ReplayReport> run_replay(const Scenario& scenario, const std::vector<std::string>& captures,
                                     const ReplayOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  if (options.shard_count == 0 || options.shard_index >= options.shard_count)
    return net::error_message("shard " + std::to_string(options.shard_index) + "/" +
                              std::to_string(options.shard_count) + " is out of range");
  auto epochs = internal::compile_epochs(scenario, options);
  if (!epochs) return epochs.error();
  const std::uint32_t threads = std::max<std::uint32_t>(1, options.threads);
  // The judge stage's flow shards: one engine per thread, engine k judging sub-shard k of this
  // replay's shard (shard I of N splits into I + N*k of N*threads), each with its own
  // connection tracking and route cache, so they run in parallel without locks; their reports
  // merge exactly, as `pfsim merge` merges --shard runs.
  std::vector<std::unique_ptr<internal::ReplayEngine>> engines;
  for (std::uint32_t k = 0; k < threads; ++k) {
    ReplayOptions sub = options;
    sub.shard_count = options.shard_count * threads;
    sub.shard_index = options.shard_index + options.shard_count * k;
    engines.push_back(internal::ReplayEngine::create(scenario, sub, *epochs));
  }
  internal::FragmentPorts fragments;
  // The health-check series the captures carry (replay.h, "Health checks"), from every packet
  // read, in or out of this replay's shard, so that every shard synthesizes the same series.
  const internal::HealthSchedule series(scenario, 0, 1);
  std::vector<bool> carried(series.size(), false);
  const bool find_carried = options.health_checks == HealthChecks::kAuto && series.size() > 0;
  std::int64_t latest_ns = std::numeric_limits<std::int64_t>::min();  // written by the judge stage only

  // Open every capture first: a bad header anywhere is an error before any work.
  std::vector<pcap::CaptureReader> readers;
  std::uint64_t total_bytes = 0;
  for (const std::string& path : captures) {
    auto reader = pcap::CaptureReader::open(path);
    if (!reader) return reader.error();
    readers.push_back(std::move(*reader));
    std::error_code ec;
    if (path != "-") {
      const auto size = std::filesystem::file_size(path, ec);
      if (!ec) total_bytes += size;
    }
  }
  std::optional<pcap::CaptureWriter> dropped;
  pcap::LinkType dropped_link = pcap::LinkType::kEthernet;
  if (!options.dropped_pcap.empty() && !readers.empty()) {
    dropped_link = readers.front().link_type();
    auto writer = pcap::CaptureWriter::create(options.dropped_pcap, dropped_link);
    if (!writer) return writer.error();
    dropped.emplace(std::move(*writer));
  }

  // Enough batches in flight for every stage: read, decode, prepare, one per engine, account.
  const std::size_t tokens = 4 * static_cast<std::size_t>(threads);
  std::vector<Batch> ring(tokens);
  std::size_t next_slot = 0;
  std::size_t file = 0;
  std::uint64_t index_offset = 0;
  std::uint64_t done_bytes = 0;
  std::optional<net::Error> read_failure;   // written by the read stage only
  std::optional<net::Error> judge_failure;  // by the account stage only
  std::atomic<bool> abort{false};
  bool truncated = false;
  std::string truncated_file;
  const pcap::DecodeOptions decode_options{.decapsulate_tunnels = options.decapsulate};

  auto read = [&](oneapi::tbb::flow_control& fc) -> Batch* {
    while (file < readers.size() && !abort.load(std::memory_order_relaxed)) {
      pcap::CaptureReader& reader = readers[file];
      if (dropped && reader.link_type() != dropped_link) {
        read_failure =
            net::error_message(reader.path() + ": link type " + std::string(pcap::link_type_name(reader.link_type())) +
                               " differs from the first capture's (" + std::string(pcap::link_type_name(dropped_link)) +
                               "), so --dropped-pcap cannot hold both");
        break;
      }
      Batch& batch = ring[next_slot];
      auto n = reader.read_batch(batch.records, options.batch_records);
      if (!n) {
        read_failure = n.error();
        break;
      }
      if (*n == 0) {
        if (reader.truncated_tail()) {
          truncated = true;
          truncated_file = reader.path();
        }
        index_offset += reader.records_read();
        ++file;
        continue;
      }
      next_slot = (next_slot + 1) % ring.size();
      batch.index_offset = index_offset;
      batch.file = file;
      return &batch;
    }
    fc.stop();
    return nullptr;
  };

  // The flow shards of prepare's shard_of(): this replay's shard's share of the threads' engines.
  const std::uint64_t sub_shards = std::uint64_t{options.shard_count} * engines.size();
  auto decode = [&](Batch* batch) -> Batch* {
    const std::size_t n = batch->records.records.size();
    const pcap::LinkType link = readers[batch->file].link_type();
    batch->decoded.resize(n);
    // One engine and no --shard: every packet is engine 0's, and none needs its flow here.
    if (sub_shards == 1) {
      pcap::decode_batch(link, batch->records, batch->index_offset, decode_options, batch->decoded);
      return batch;
    }
    // Else each chunk's flow hashes right after its decoding, while its packets are in the cache.
    batch->flow_hash.resize(n);
    for (std::size_t first = 0; first < n; first += kDecodeChunk) {
      const std::size_t count = std::min(kDecodeChunk, n - first);
      pcap::decode_batch(link, batch->records, first, count, batch->index_offset, decode_options, batch->decoded);
      for (std::size_t i = first; i < first + count; ++i) batch->flow_hash[i] = internal::flow_hash(batch->decoded[i]);
    }
    return batch;
  };

  // In order, before the engines: later fragments get their datagram's ports, each packet its
  // engine (kNoEngine outside this replay's shard: sub-shard I + N*k of N*threads is engine
  // k's), and the running maximum of the times read, which each engine's advance() is given
  // before its packets.
  auto prepare = [&](Batch* batch) -> Batch* {
    const std::size_t n = batch->decoded.size();
    batch->engine.resize(n);
    batch->upto_ns.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      pcap::DecodedPacket& d = batch->decoded[i];
      const bool resolved = fragments.resolve(d);
      std::uint64_t sub = 0;
      if (sub_shards > 1) {
        if (resolved) batch->flow_hash[i] = internal::flow_hash(d);
        sub = internal::shard_of(batch->flow_hash[i], sub_shards);
      }
      if (options.shard_count == 1)
        batch->engine[i] = static_cast<std::uint32_t>(sub);
      else
        batch->engine[i] = sub % options.shard_count == options.shard_index
                               ? static_cast<std::uint32_t>(sub / options.shard_count)
                               : kNoEngine;
      latest_ns = std::max(latest_ns, d.ts_ns);
      batch->upto_ns[i] = latest_ns;
      if (find_carried && d.malformed == pcap::Malformed::kNone && d.has_ports &&
          (d.proto == net::kProtoTcp || d.proto == net::kProtoUdp))
        series.carried_by(net::FiveTuple{d.src, d.dst, d.sport, d.dport, d.proto, d.family},
                          [&](std::size_t s, bool) { carried[s] = true; });
    }
    batch->dropped.assign(n, 0);
    return batch;
  };

  // Engine k's stage: its packets of each batch, batches in order. The engines are stages of
  // their own rather than a parallel loop inside one stage, so that engine 0 can judge batch
  // j + 1 while engine 1 is still on batch j: no thread waits for the slowest shard of a batch.
  const auto engine_stage = [&](std::size_t k) {
    return [&, k](Batch* batch) -> Batch* {
      if (!abort.load(std::memory_order_relaxed))
        engines[k]->judge_batch(batch->decoded, batch->upto_ns, batch->engine, static_cast<std::uint32_t>(k),
                                batch->dropped);
      return batch;
    };
  };

  // In order, after the engines: --dropped-pcap, the batch's pages, progress.
  auto account = [&](Batch* batch) {
    if (judge_failure) return;
    const std::vector<pcap::Record>& records = batch->records.records;
    for (std::size_t i = 0; dropped && i < records.size(); ++i) {
      if (batch->dropped[i] == 0) continue;
      const pcap::Record& r = records[i];
      if (auto written = dropped->write(r.ts_ns, r.len, batch->records.data(r)); !written) {
        judge_failure = written.error();
        abort.store(true, std::memory_order_relaxed);
        return;
      }
    }
    if (options.progress) {
      for (const pcap::Record& r : records) done_bytes += kRecordHeaderBytes + r.caplen;
      options.progress(done_bytes, total_bytes);
    }
    // Done with the batch (the dropped packets are written): a mapped capture's pages go back
    // to the kernel, so that memory is bounded by the batches in flight.
    readers[batch->file].release(batch->records);
  };

  // The threads asked for, even beyond the machine's cores (TBB would otherwise cap and warn).
  oneapi::tbb::global_control parallelism(oneapi::tbb::global_control::max_allowed_parallelism, threads);
  oneapi::tbb::task_arena arena(static_cast<int>(threads));
  const char sync = 0;  // the address pipeline_stage() releases on (ThreadSanitizer only)
  arena.execute([&] {
    using oneapi::tbb::filter_mode;
    using oneapi::tbb::make_filter;
    oneapi::tbb::filter<void, Batch*> stages =
        make_filter<void, Batch*>(filter_mode::serial_in_order, pipeline_stage(read, &sync)) &
        make_filter<Batch*, Batch*>(filter_mode::parallel, pipeline_stage(decode, &sync)) &
        make_filter<Batch*, Batch*>(filter_mode::serial_in_order, pipeline_stage(prepare, &sync));
    for (std::size_t k = 0; k < engines.size(); ++k)
      stages =
          stages & make_filter<Batch*, Batch*>(filter_mode::serial_in_order, pipeline_stage(engine_stage(k), &sync));
    oneapi::tbb::parallel_pipeline(
        tokens, stages & make_filter<Batch*, void>(filter_mode::serial_in_order, pipeline_stage(account, &sync)));
  });
#if defined(__SANITIZE_THREAD__)
  __tsan_acquire(const_cast<char*>(&sync));
#endif
  if (read_failure) return *read_failure;
  if (judge_failure) return *judge_failure;
  if (dropped) {
    if (auto closed = dropped->close(); !closed) return closed.error();
  }
  ReplayReport report = engines.front()->finish(carried, truncated, truncated_file);
  if (engines.size() > 1) {
    for (std::size_t k = 1; k < engines.size(); ++k)
      merge_report(report, engines[k]->finish(carried, truncated, truncated_file));
    finish_merge(report);
  }
  report.threads = threads;
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

}  // namespace pfsim::engine
