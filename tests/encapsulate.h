// tests/encapsulate.h — a capture wrapped in VXLAN or Geneve, as VPC Traffic Mirroring and
// Gateway Load Balancer deliver packets: for the tests and goldens of `replay --decapsulate`
// (tests/tools/encapsulated_golden_test.cc writes the bundled ones). The outer headers are
// written by pcap/encode.h, the one frame encoder; the inner frames are the capture's bytes.
//
// VXLAN carries each frame whole (Ethernet, RFC 7348 §5), cut to `packet_length` bytes as a
// mirror session's PacketLength cuts it (the outer packet then is whole). Geneve carries the
// frame's IP packet (protocol type IPv4 or IPv6, its Ethernet header removed, as Gateway Load
// Balancer sends), after `geneve_options`. Input: an Ethernet capture without VLAN tags.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "net/address.h"
#include "net/error.h"
#include "net/protocols.h"
#include "pcap/capture.h"
#include "pcap/decode.h"
#include "pcap/encode.h"

namespace pfsim::test_support {

struct Encapsulation {
  pcap::Tunnel kind = pcap::Tunnel::kVxlan;
  pcap::LinkType outer_link = pcap::LinkType::kEthernet;  // kEthernet or kRaw
  net::Ip128 outer_src = net::ip4(10, 250, 0, 1);         // IPv4: the mirror source, the GWLB node
  net::Ip128 outer_dst = net::ip4(10, 250, 0, 2);         // the appliance
  // The VNI of each packet (VXLAN), from its inner packet as pcap decodes it.
  std::function<std::uint32_t(const pcap::DecodedPacket&)> vni = [](const pcap::DecodedPacket&) { return 1u; };
  std::uint32_t packet_length = 0;                 // VXLAN: inner bytes kept; 0 = all
  std::span<const std::uint8_t> geneve_options{};  // whole options (pcap::append_geneve_option)
};

inline constexpr std::size_t kInnerEthernetBytes = 14;

// Writes every record of the capture at `in` to `out`, inside the tunnel.
inline net::Status encapsulate_capture(const std::string& in, const std::string& out, const Encapsulation& e) {
  auto reader = pcap::CaptureReader::open(in);
  if (!reader) return reader.error();
  if (reader->link_type() != pcap::LinkType::kEthernet) return net::error_message(in + ": not an Ethernet capture");
  auto writer = pcap::CaptureWriter::create(out, e.outer_link);
  if (!writer) return writer.error();
  pcap::RecordBatch batch;
  std::vector<std::uint8_t> frame;
  std::uint16_t id = 0;
  while (true) {
    auto n = reader->read_batch(batch);
    if (!n) return n.error();
    if (*n == 0) break;
    for (const pcap::Record& r : batch.records) {
      std::span<const std::uint8_t> inner = batch.data(r);
      std::size_t inner_len = r.len;
      const pcap::DecodedPacket d = pcap::decode_packet(pcap::LinkType::kEthernet, inner, {});
      std::uint16_t protocol = net::kEtherTypeTransparentBridging;
      if (e.kind == pcap::Tunnel::kGeneve) {
        if (inner.size() < kInnerEthernetBytes || !d.has_ip) return net::error_message(in + ": a frame is not IP");
        protocol = d.family == net::Family::kIpv4 ? net::kEtherTypeIpv4 : net::kEtherTypeIpv6;
        inner = inner.subspan(kInnerEthernetBytes);
        inner_len -= kInnerEthernetBytes;
      } else if (e.packet_length != 0 && inner_len > e.packet_length) {
        // The session copies the first packet_length bytes: the outer packet is whole.
        inner_len = e.packet_length;
        if (inner.size() > inner_len) inner = inner.first(inner_len);
      }
      pcap::FrameSpec spec{.link = e.outer_link,
                           .dst_mac = {0x02, 0, 0, 0, 0, 0x02},
                           .src_mac = {0x02, 0, 0, 0, 0, 0x01},
                           .src = e.outer_src,
                           .dst = e.outer_dst,
                           .proto = net::kProtoUdp,
                           .ipv4_id = id++,
                           .sport = static_cast<std::uint16_t>(49152 + r.index % 16384),
                           .dport = e.kind == pcap::Tunnel::kVxlan ? net::kVxlanPort : net::kGenevePort,
                           .tunnel = {.kind = e.kind,
                                      .vni = e.kind == pcap::Tunnel::kVxlan ? e.vni(d) : 0,
                                      .protocol = protocol,
                                      .geneve_options = e.geneve_options},
                           .payload = inner,
                           .payload_bytes = static_cast<std::uint32_t>(inner_len)};
      // The outer headers, then as much of the inner frame as the input captured.
      const std::size_t tunnel_header = e.kind == pcap::Tunnel::kVxlan ? 8 : 8 + e.geneve_options.size();
      const std::size_t outer =
          (e.outer_link == pcap::LinkType::kEthernet ? kInnerEthernetBytes : 0) + 20 + 8 + tunnel_header;
      frame.assign(outer + inner.size(), 0);
      auto encoded = pcap::encode_frame(spec, frame);
      if (!encoded) return encoded.error();
      if (auto written = writer->write(r.ts_ns, static_cast<std::uint32_t>(encoded->wire_bytes),
                                       std::span(frame).first(encoded->captured_bytes));
          !written)
        return written.error();
    }
  }
  return writer->close();
}

}  // namespace pfsim::test_support
