// engine/gen/traffic_gen.h — `pfsim gen-traffic`: a synthetic capture of a scenario, as a
// capture taken at its load balancers would show it (tests, the bundled demo, the replay
// benchmark).
//
// What: an Ethernet capture (nanosecond timestamps) of two kinds of flow.
//   listener flows  client <-> node, on the client side of the LB only (a through-lb replay
//                   derives the backend legs, engine/paths/lb_paths.h): round robin over every
//                   (listener, node) pair of every LB whose node has an address its clients
//                   reach (public if internet-facing and it has one, else private), so
//                   flows >= the number of pairs covers them all. TCP flows open, send a
//                   request and a 2-4 segment response, and close; every fourth one sends its
//                   first response segment at the VPC MTU with DF, longer than the internet
//                   MTU, so a replay synthesizes "fragmentation needed" / "packet too big". UDP
//                   flows (UDP listeners; every second flow of TCP_UDP) are 2-4
//                   request/response pairs. One flow in three is IPv6 where the node has IPv6.
//   health checks   every node -> every target of the target groups its LB's listeners use,
//                   from the backend-leg source of engine/paths/lb_paths.h to the health-check
//                   port, from a random phase every interval_s while inside the time span.
// The packet scripts are in internal/flow_script.h, the clients in internal/client_pool.h.
// Headers are as hosts write them (TTLs, DF on TCP, IPv6 flow labels, consistent sequence
// numbers) and every checksum is right over the whole packet, also when snaplen_bytes cuts it.
//
// Time: the first packet is at kGenEpochNs. Listener flows start in order over a span of
// max(10 s, flows x 10 ms, 3 x the largest health-check interval), each at a random point of
// its slot, with their own round-trip times, so flows overlap as in a real trace. Packets are
// in time order; ties go to the flow that started first (a listener flow before a health check
// starting at the same time).
//
// Packet count: the flows and health checks need TrafficPlan::packets() packets. A larger
// GenOptions::packets is met exactly by keep-alive exchanges on the listener flows (never by
// more flows), an equal share each, the first ones one more.
//
// Determinism: the file is a pure function of (scenario, options); the same seed gives the
// same bytes, another seed other addresses, ports, sizes and times.
//
// Cost: planning keeps ~100 bytes per flow; writing allocates nothing per packet (one frame
// buffer, a heap of the active flows), so a packet costs its header bytes plus the copy of its
// captured payload.
//
// Thread-safety: pure functions of their arguments; a TrafficPlan may be written from one
// thread at a time (the writer is not thread-safe).
//
// Example:
//   auto plan = plan_traffic(scenario, {.flows = 1000, .seed = 7});
//   if (!plan) return report(plan.error());
//   auto writer = pcap::CaptureWriter::create("gen.pcap", pcap::LinkType::kEthernet);
//   if (!writer) return report(writer.error());
//   auto stats = write_traffic(*plan, *writer);   // then writer->close()
#pragma once

#include <cstdint>
#include <memory>

#include "engine/model/scenario.h"
#include "net/error.h"
#include "net/time_units.h"
#include "pcap/capture.h"

namespace pfsim::engine {

// The time of the first packet: 1,700,000,000 s after the Unix epoch.
inline constexpr std::int64_t kGenEpochNs = 1'700'000'000LL * net::kNsPerSecond;

// The smallest snaplen: every header the generator writes (at most Ethernet + IPv6 + TCP, 74
// bytes) is captured whole, with room to spare.
inline constexpr std::uint32_t kGenMinSnaplenBytes = 96;

struct GenOptions {
  std::uint64_t flows = 1000;  // listener flows; at least 1
  std::uint64_t packets = 0;   // the exact total to write; 0 = what the flows need
  std::uint64_t seed = 1;
  std::uint32_t snaplen_bytes = 0;  // captured bytes per packet, ≥ kGenMinSnaplenBytes; 0 = all
};

struct GenStats {
  std::uint64_t packets = 0;
  std::uint64_t flows = 0;  // listener flows
  std::uint64_t tcp_flows = 0;
  std::uint64_t udp_flows = 0;
  std::uint64_t ipv6_flows = 0;
  std::uint64_t health_checks = 0;     // health-check connections (or UDP probes)
  std::uint64_t large_df_packets = 0;  // TCP packets longer than mtu.internet_bytes (IPv4: DF set)
  std::uint64_t wire_bytes = 0;        // the frames' lengths on the wire, summed
  std::uint64_t captured_bytes = 0;    // what the file holds of them (snaplen)
  std::int64_t first_ts_ns = 0;
  std::int64_t last_ts_ns = 0;
};

// The flows and health checks of a capture, before any byte is written. Opaque.
class TrafficPlan {
 public:
  TrafficPlan(TrafficPlan&&) noexcept;
  TrafficPlan& operator=(TrafficPlan&&) noexcept;
  ~TrafficPlan();

  std::uint64_t packets() const noexcept;  // what write_traffic() will write
  // A lower bound of the bytes write_traffic() writes: the pcap file header and, per packet, a
  // record header and the smallest frame the generator writes (Ethernet, IPv4 and UDP headers,
  // 42 bytes). Saturates at 2^64 - 1.
  std::uint64_t min_file_bytes() const noexcept;
  std::uint64_t flows() const noexcept;  // listener flows
  std::uint64_t health_checks() const noexcept;

 private:
  struct State;
  friend net::Result<TrafficPlan> plan_traffic(const Scenario&, const GenOptions&);
  friend net::Result<GenStats> write_traffic(const TrafficPlan&, pcap::CaptureWriter&);
  explicit TrafficPlan(std::unique_ptr<State> state) noexcept;
  std::unique_ptr<State> state_;
};

// Plans the capture. Errors, located at the scenario file, in the order checked:
//   flows == 0                      "--flows must be at least 1"
//   snaplen_bytes in 1-95           "--snaplen N would cut the headers (at least 96)"
//   no (listener, node) pair with an address clients reach
//                                   "no load balancer has a listener and a node with an address
//                                    to send client traffic to"
//   packets != 0 and below what the flows and health checks need
//                                   "--packets N is fewer than the M packets that F flows and
//                                    H health checks need"
net::Result<TrafficPlan> plan_traffic(const Scenario& scenario, const GenOptions& options);

// Writes the planned packets, in time order, to `writer` (which must be of LinkType::kEthernet).
// Errors: the writer's first error, as it reports it (pcap/capture.h), with the packets before
// it written (a planned frame always encodes). The caller closes the writer.
net::Result<GenStats> write_traffic(const TrafficPlan& plan, pcap::CaptureWriter& writer);

}  // namespace pfsim::engine
