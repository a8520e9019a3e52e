// The link layers of real captures beyond Ethernet and cooked Linux: PPP (LINKTYPE_PPP, 9),
// Cisco HDLC (LINKTYPE_C_HDLC, 104) and PPPoE sessions inside Ethernet (EtherType 0x8864).
// tests/data/pcaps/{ppp,c-hdlc,pppoe}.pcap are written here with pcap/encode.h (the first test
// holds the committed files to what the encoder writes; PFSIM_UPDATE_GOLDENS=1 rewrites them),
// and wireshark-fields/<name>.tsv holds what tshark 4.0 reads from them, which wireshark_test
// compares frame by frame, as for every capture of the corpus. The tests below pin what a
// reader of pfsim's decoder sees: the IP packet inside, "not IP" for PPP control protocols,
// PPPoE discovery and Cisco SLARP, a located error for a cut link header, and the fast path
// handing these links to the general decoder.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "net/address.h"
#include "net/protocols.h"
#include "pcap/capture.h"
#include "pcap/decode.h"
#include "pcap/encode.h"
#include "pcap/internal/decode_paths.h"
#include "pcap/packet.h"
#include "tests/encoded_frame.h"
#include "tests/temp_dir.h"

namespace pfsim::pcap {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;
using test_support::encoded_frame;

const fs::path kPcaps = fs::path(PFSIM_TEST_DATA_DIR) / "pcaps";
constexpr std::int64_t kT0 = 1'700'000'000LL * 1'000'000'000LL;

net::Ip128 address(const char* text) { return net::parse_address(text)->bits; }

FrameSpec tcp_v4(LinkType link, std::uint16_t flags) {
  FrameSpec s;
  s.link = link;
  s.src = address("10.0.0.1");
  s.dst = address("192.0.2.10");
  s.sport = 40000;
  s.dport = 80;
  s.tcp_flags = flags;
  s.seq = 1000;
  return s;
}

FrameSpec udp_v6(LinkType link) {
  FrameSpec s;
  s.link = link;
  s.family = net::Family::kIpv6;
  s.src = address("2001:db8::1");
  s.dst = address("2001:db8::2");
  s.proto = net::kProtoUdp;
  s.sport = 5353;
  s.dport = 53;
  s.payload_bytes = 12;
  return s;
}

struct Capture {
  std::string name;
  LinkType link;
  std::vector<Bytes> frames;
};

Capture ppp_capture() {
  Capture c{"ppp", LinkType::kPpp, {}};
  c.frames.push_back(encoded_frame(tcp_v4(LinkType::kPpp, net::kTcpSyn)));
  c.frames.push_back(encoded_frame(udp_v6(LinkType::kPpp)));
  // Without the HDLC-like address and control bytes, and with the protocol compressed to one
  // byte (RFC 1661 §6.5): 0x21 then the IPv4 packet.
  Bytes compressed = encoded_frame(tcp_v4(LinkType::kPpp, net::kTcpSyn | net::kTcpAck));
  compressed.erase(compressed.begin(), compressed.begin() + 4);
  compressed.insert(compressed.begin(), 0x21);
  c.frames.push_back(compressed);
  // LCP (0xc021): a control protocol, not IP.
  Bytes lcp = encoded_frame(tcp_v4(LinkType::kPpp, net::kTcpSyn));
  lcp[2] = 0xc0;
  lcp[3] = 0x21;
  c.frames.push_back(lcp);
  return c;
}

Capture chdlc_capture() {
  Capture c{"c-hdlc", LinkType::kCiscoHdlc, {}};
  c.frames.push_back(encoded_frame(tcp_v4(LinkType::kCiscoHdlc, net::kTcpSyn)));
  c.frames.push_back(encoded_frame(udp_v6(LinkType::kCiscoHdlc)));
  Bytes broadcast = encoded_frame(tcp_v4(LinkType::kCiscoHdlc, net::kTcpAck));
  broadcast[0] = 0x8f;
  c.frames.push_back(broadcast);
  // SLARP (0x8035), Cisco's address resolution: not IP.
  Bytes slarp = encoded_frame(tcp_v4(LinkType::kCiscoHdlc, net::kTcpSyn));
  slarp[2] = 0x80;
  slarp[3] = 0x35;
  c.frames.push_back(slarp);
  return c;
}

Capture pppoe_capture() {
  Capture c{"pppoe", LinkType::kEthernet, {}};
  FrameSpec v4 = tcp_v4(LinkType::kEthernet, net::kTcpSyn);
  v4.src_mac = {0x02, 0, 0, 0, 0, 1};
  v4.dst_mac = {0x02, 0, 0, 0, 0, 2};
  v4.pppoe = true;
  v4.pppoe_session_id = 0x0011;
  c.frames.push_back(encoded_frame(v4));
  const VlanTag tag{0x8100, 100};
  FrameSpec v6 = udp_v6(LinkType::kEthernet);
  v6.src_mac = v4.src_mac;
  v6.dst_mac = v4.dst_mac;
  v6.vlan_tags = std::span(&tag, 1);
  v6.pppoe = true;
  v6.pppoe_session_id = 0x0011;
  c.frames.push_back(encoded_frame(v6));
  // PADI (discovery, EtherType 0x8863, code 0x09, session 0, no tags): not IP.
  Bytes padi(v4.dst_mac.begin(), v4.dst_mac.end());
  padi.insert(padi.end(), v4.src_mac.begin(), v4.src_mac.end());
  padi.insert(padi.end(), {0x88, 0x63, 0x11, 0x09, 0x00, 0x00, 0x00, 0x00});
  c.frames.push_back(padi);
  // A session frame carrying LCP (0xc021): not IP.
  Bytes lcp = encoded_frame(v4);
  lcp[20] = 0xc0;
  lcp[21] = 0x21;
  c.frames.push_back(lcp);
  return c;
}

std::vector<Capture> captures() { return {ppp_capture(), chdlc_capture(), pppoe_capture()}; }

Bytes file_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_capture(const Capture& c, const fs::path& path) {
  auto w = CaptureWriter::create(path.string(), c.link);
  ASSERT_TRUE(w.ok()) << w.error().to_string();
  for (std::size_t i = 0; i < c.frames.size(); ++i) {
    const Bytes& f = c.frames[i];
    ASSERT_TRUE(w->write(kT0 + static_cast<std::int64_t>(i) * 1'000'000, static_cast<std::uint32_t>(f.size()), f).ok());
  }
  ASSERT_TRUE(w->close().ok());
}

TEST(LinkCaptures, CommittedCapturesAreWhatTheEncoderWrites) {
  const test_support::TempDir dir;
  const bool update = std::getenv("PFSIM_UPDATE_GOLDENS") != nullptr;
  for (const Capture& c : captures()) {
    const fs::path committed = kPcaps / (c.name + ".pcap");
    if (update) write_capture(c, committed);
    const fs::path fresh = dir.path() / (c.name + ".pcap");
    write_capture(c, fresh);
    EXPECT_EQ(file_bytes(fresh), file_bytes(committed)) << c.name << ": regenerate with PFSIM_UPDATE_GOLDENS=1";
    EXPECT_TRUE(fs::exists(kPcaps / "wireshark-fields" / (c.name + ".tsv"))) << c.name;
  }
}

DecodedPacket decode(LinkType link, const Bytes& frame) { return decode_packet(link, frame, DecodeOptions{}); }

std::string flow(const DecodedPacket& p) {
  if (!p.has_ip) return "not IP";
  return net::format_address(p.family, p.src) + ":" + std::to_string(p.sport) + " > " +
         net::format_address(p.family, p.dst) + ":" + std::to_string(p.dport) + " proto " + std::to_string(p.proto);
}

TEST(LinkCaptures, PppCarriesIpWithOrWithoutFramingAndLcpIsNotIp) {
  const Capture c = ppp_capture();
  EXPECT_EQ(flow(decode(c.link, c.frames[0])), "10.0.0.1:40000 > 192.0.2.10:80 proto 6");
  EXPECT_EQ(flow(decode(c.link, c.frames[1])), "2001:db8::1:5353 > 2001:db8::2:53 proto 17");
  EXPECT_EQ(flow(decode(c.link, c.frames[2])), "10.0.0.1:40000 > 192.0.2.10:80 proto 6");
  const DecodedPacket lcp = decode(c.link, c.frames[3]);
  EXPECT_EQ(flow(lcp), "not IP");
  EXPECT_EQ(lcp.malformed, Malformed::kNone);
}

TEST(LinkCaptures, CiscoHdlcCarriesAnEtherType) {
  const Capture c = chdlc_capture();
  EXPECT_EQ(flow(decode(c.link, c.frames[0])), "10.0.0.1:40000 > 192.0.2.10:80 proto 6");
  EXPECT_EQ(flow(decode(c.link, c.frames[1])), "2001:db8::1:5353 > 2001:db8::2:53 proto 17");
  EXPECT_EQ(flow(decode(c.link, c.frames[2])), "10.0.0.1:40000 > 192.0.2.10:80 proto 6");
  EXPECT_EQ(flow(decode(c.link, c.frames[3])), "not IP");
}

TEST(LinkCaptures, PppoeSessionsInEthernetCarryIpAndDiscoveryIsNotIp) {
  const Capture c = pppoe_capture();
  const DecodedPacket v4 = decode(c.link, c.frames[0]);
  EXPECT_EQ(flow(v4), "10.0.0.1:40000 > 192.0.2.10:80 proto 6");
  EXPECT_EQ(flow(decode(c.link, c.frames[1])), "2001:db8::1:5353 > 2001:db8::2:53 proto 17");
  EXPECT_EQ(flow(decode(c.link, c.frames[2])), "not IP");
  EXPECT_EQ(flow(decode(c.link, c.frames[3])), "not IP");
  EXPECT_EQ(decode(c.link, c.frames[2]).malformed, Malformed::kNone);
}

TEST(LinkCaptures, ACutLinkHeaderIsMalformedAtItsStart) {
  for (const Capture& c : captures()) {
    // Cut inside the PPPoE/PPP/HDLC header: PPPoE after Ethernet, inside its 6 bytes; PPP and
    // Cisco HDLC after 3 of their 4 bytes (PPP: 0xff 0x03 and half its protocol).
    const std::size_t cut = c.link == LinkType::kEthernet ? 17 : 3;
    const Bytes& f = c.frames[0];
    const DecodedPacket p = decode_packet(c.link, std::span(f).first(cut), DecodeOptions{});
    EXPECT_EQ(p.malformed, Malformed::kTruncatedLinkHeader) << c.name;
    EXPECT_EQ(p.malformed_offset, c.link == LinkType::kEthernet ? 14u : 0u) << c.name;
  }
}

// The fast path reads Ethernet, RAW, IPV4 and IPV6 only: these frames go to the general
// decoder (decode_fast_path_test compares the two on every corpus frame, these included).
TEST(LinkCaptures, TheFastPathHandsTheseLinksToTheGeneralDecoder) {
  for (const Capture& c : captures()) {
    for (const Bytes& f : c.frames) {
      DecodedPacket fast;
      EXPECT_FALSE(internal::decode_packet_fast(c.link, f, DecodeOptions{}, fast)) << c.name;
    }
  }
}

TEST(LinkCaptures, ReaderNamesTheLinkTypes) {
  EXPECT_EQ(link_type_name(LinkType::kPpp), "PPP");
  EXPECT_EQ(link_type_name(LinkType::kCiscoHdlc), "C_HDLC");
  for (const Capture& c : captures()) {
    auto reader = CaptureReader::open((kPcaps / (c.name + ".pcap")).string());
    ASSERT_TRUE(reader.ok()) << reader.error().to_string();
    EXPECT_EQ(reader->link_type(), c.link);
  }
}

}  // namespace
}  // namespace pfsim::pcap
