// engine/gen/traffic_gen.h — `pfsim gen-traffic`: a realistic synthetic capture for a scenario, as a
// capture taken at its load balancers would show it (tests, the bundled demo, the replay
// benchmark).
//
// What the capture holds (Ethernet, LINKTYPE_ETHERNET, nanosecond timestamps):
//   listener flows  client ↔ node, on the client side of the LB only: to the node's public
//                   address when it has one (internet-facing), else its private one, on every
//                   listener of every LB and every node (round robin over the (listener, node)
//                   pairs, so --flows ≥ their number covers them all). The backend legs are
//                   not written: a through-lb replay derives them (engine/paths/lb_paths.h).
//                   TCP: SYN, SYN-ACK, ACK, a request (200-500 bytes), a response of 2-4
//                   segments and the client's ACK after every second one, then FIN-ACK, FIN-ACK,
//                   ACK (the client closes). A TCP flow whose index is a multiple of 4 sends
//                   its first response segment at the MSS of the VPC MTU (mtu.vpc_bytes − 40,
//                   or − 60 for IPv6; 8961 bytes by default) with DF, longer than the internet
//                   MTU, so a replay synthesizes "fragmentation needed" / "packet too big".
//                   UDP (UDP, UDP_CONNECT, every second flow of TCP_UDP): 2-4 request/response
//                   pairs, no DF.
//   health checks   every node → every target of every target group its LB's listeners use,
//                   from the backend-leg source of engine/paths/lb_paths.h (node private address,
//                   Huawei backend address or shared pool) to the health-check port, starting
//                   at a random phase in [0, interval_s) and then every interval_s while the
//                   check starts inside the time span. TCP/TLS checks: handshake and close;
//                   HTTP/HTTPS: handshake, a GET, a response, close; UDP checks: a probe and its
//                   reply, preceded on Huawei by an ICMP echo and its reply.
// Clients: internet-facing LBs get IPv4 clients from 198.51.100.0/24 and 203.0.113.0/24 (.1 to
// .254, minus every address the scenario uses) and, on nodes with an IPv6 address, one flow in
// three from a random address of 2001:db8::/32; internal LBs get clients from their `clients`
// networks (default: the VPC CIDRs), highest address but one downwards, as `check`'s canonical
// client, skipping the LB nodes' addresses (instances may well be clients), at most 4096. (client address, port) pairs are a bijection of the flow index (ports 32768-60999),
// so no 4-tuple is reused while there are fewer flows than pairs.
//
// Headers: IPv4 with a correct header checksum, TTL 64 from the LB side (clients: 64 or 128
// minus 5-20 hops), DF on TCP; IPv6 with a per-direction flow label; TCP data offset 5,
// consistent sequence and acknowledgement numbers, fixed windows; TCP, UDP and ICMP
// checksums correct over the whole payload (also when --snaplen cuts the captured bytes).
//
// Time: the first packet is at kGenEpochNs (1,700,000,000 s); time advances deterministically. Listener flows
// start in order over a span of max(10 s, flows / 100 s, 3 × the largest health-check
// interval), each at a random point of its slot, with per-flow round-trip times (5-120 ms
// internet, 0.2-2 ms internal), so flows overlap as in a real trace; the packets of all flows
// are merged in time order (ties: earlier flow first).
//
// Packet count: the flows and health checks need a fixed number of packets (plan().packets).
// A larger GenOptions::packets is reached exactly by more data on the listener flows (never by
// more flows): each flow gets an equal share of the surplus (the first ones one more) as
// keep-alive exchanges after its response — client request (60-300 bytes), server response
// (100-1000 bytes), client ACK, in that order, cut wherever the share ends — before the
// teardown. A smaller one is an error.
//
// Determinism: the file is a pure function of (scenario, options): the same seed gives a
// byte-identical file, another seed other addresses, ports, sizes and times.
//
// Cost: planning keeps ~100 bytes per flow; writing reuses one frame buffer (no allocation per
// packet), merges flows with a heap of the active ones, and computes payload checksums from
// prefix sums of the payload pattern, so a packet costs its header bytes plus the copy of its
// captured payload. 10M packets over 100K flows take seconds (README.md).
//
// Example:
//   auto plan = plan_traffic(scenario, {.flows = 1000, .seed = 7});
//   if (!plan) return report(plan.error());
//   auto writer = pcap::CaptureWriter::create("gen.pcap", pcap::LinkType::kEthernet);
//   if (!writer) return report(writer.error());
//   auto stats = write_traffic(*plan, *writer);   // then writer->close()
//
// Thread-safety: pure functions of their arguments; a TrafficPlan may be written from one
// thread at a time (the writer is not thread-safe).
#pragma once

#include <cstdint>
#include <memory>

#include "engine/model/scenario.h"
#include "net/error.h"
#include "net/time_units.h"
#include "pcap/capture.h"

namespace pfsim::engine {

inline constexpr std::int64_t kGenEpochNs = 1'700'000'000LL * net::kNsPerSecond;

struct GenOptions {
  std::uint64_t flows = 1000;        // listener flows; at least 1
  std::uint64_t packets = 0;         // the exact total to write; 0 = what the flows need
  std::uint64_t seed = 1;
  std::uint32_t snaplen_bytes = 0;   // captured bytes per packet (≥ 96); 0 = whole packets
};

struct GenStats {
  std::uint64_t packets = 0;
  std::uint64_t flows = 0;             // listener flows
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

  std::uint64_t packets() const noexcept;       // what write_traffic() will write
  std::uint64_t flows() const noexcept;         // listener flows
  std::uint64_t health_checks() const noexcept;

  struct State;

 private:
  friend net::Result<TrafficPlan> plan_traffic(const Scenario&, const GenOptions&);
  friend net::Result<GenStats> write_traffic(const TrafficPlan&, pcap::CaptureWriter&);
  explicit TrafficPlan(std::unique_ptr<State> state) noexcept;
  std::unique_ptr<State> state_;
};

// Plans the capture. Errors (located at the scenario file): no load balancer with a listener
// and a node that has an address to reach it by; flows == 0; packets below what the flows and
// health checks need; snaplen_bytes between 1 and 63.
net::Result<TrafficPlan> plan_traffic(const Scenario& scenario, const GenOptions& options);

// Writes the planned packets, in time order, to `writer` (which must be of LinkType::kEthernet).
// The first write error is returned; the caller closes the writer.
net::Result<GenStats> write_traffic(const TrafficPlan& plan, pcap::CaptureWriter& writer);

}  // namespace pfsim::engine
