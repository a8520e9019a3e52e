// bench/bare_loop.cc — see bare_loop.h.
#include "bare_loop.h"

#include <pcap/pcap.h>

#include <array>

namespace pfsim::bench {

BareLoopResult bare_libpcap_loop(const std::string& path) {
  BareLoopResult result;
  std::array<char, PCAP_ERRBUF_SIZE> errbuf{};
  pcap_t* handle = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, errbuf.data());
  if (handle == nullptr) {
    result.error = errbuf.data();
    return result;
  }
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  int status = 0;
  while ((status = pcap_next_ex(handle, &header, &data)) == 1) {
    result.captured_bytes += header->caplen;
    ++result.packets;
  }
  if (status == PCAP_ERROR) result.error = path + ": " + pcap_geterr(handle);
  pcap_close(handle);
  return result;
}

void bare_loop_benchmark(benchmark::State& state, const std::string& path) {
  std::uint64_t packets = 0;
  for (auto _ : state) {
    const BareLoopResult result = bare_libpcap_loop(path);
    if (!result.error.empty()) {
      state.SkipWithError(result.error.c_str());
      return;
    }
    packets = result.packets;
    benchmark::DoNotOptimize(result.captured_bytes);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(packets) * state.iterations());
}

}  // namespace pfsim::bench
