// Every frame of the bundled capture corpus decodes as Wireshark (tshark 4.0) decodes it: the
// independent oracle of DESIGN.md §8. wireshark-fields/<name>.tsv holds, per frame, the first
// occurrence of each field; a column that is empty means Wireshark saw no such layer, and then
// pfsim must not claim one either.
//
// Where pfsim decides differently from Wireshark on purpose, the comparison is skipped or
// changed at that spot, with the reason:
//   - fragments: Wireshark reassembles and shows TCP/UDP on the frame that completes the
//     datagram; pfsim reads the ports from the first fragment and none from later ones
//     (packet.h), since a filter judges each fragment as it arrives;
//   - ICMP errors: Wireshark's port columns are the quoted header's, so they are compared with
//     `inner`; tcp.flags of the quote is not compared, because pfsim keeps only the 8 quoted
//     bytes RFC 792 guarantees, which end before the flags;
//   - tunnels (UDP 4789/6081): decoded without decapsulation the outer UDP header is the
//     packet; Wireshark's tcp/icmp columns then belong to the inner packet and are compared
//     with a second decode that decapsulates;
//   - IPv6 extension headers: ipv6.nxt is the first next header, pfsim's proto the upper
//     layer after the chain; with extension headers the upper layer is compared instead.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "net/address.h"
#include "net/five_tuple.h"
#include "pcap/capture.h"
#include "pcap/decode.h"
#include "pcap/packet.h"

namespace pfsim::pcap {
namespace {

namespace fs = std::filesystem;

const fs::path kPcaps = fs::path(PFSIM_TEST_DATA_DIR) / "pcaps";

// One row of a fields file: column name → text ("" when Wireshark showed nothing).
using Row = std::map<std::string, std::string>;

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> out;
  std::string cell;
  std::istringstream in(line);
  while (std::getline(in, cell, '\t')) out.push_back(cell);
  if (!line.empty() && line.back() == '\t') out.emplace_back();
  return out;
}

std::vector<Row> read_rows(const fs::path& tsv) {
  std::ifstream in(tsv);
  std::string line;
  std::vector<Row> rows;
  if (!std::getline(in, line)) return rows;
  const std::vector<std::string> names = split_tabs(line);
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const std::vector<std::string> cells = split_tabs(line);
    Row row;
    for (std::size_t i = 0; i < names.size(); ++i) row[names[i]] = i < cells.size() ? cells[i] : "";
    rows.push_back(row);
  }
  return rows;
}

// A numeric field: decimal, or hex with 0x (tcp.flags). Wireshark writes a field that occurs
// several times as "a,b"; the first occurrence is what the corpus README promises.
std::optional<std::uint64_t> number(const Row& row, const std::string& name) {
  auto it = row.find(name);
  if (it == row.end() || it->second.empty()) return std::nullopt;
  std::string text = it->second.substr(0, it->second.find(','));
  int base = 10;
  if (text.rfind("0x", 0) == 0) {
    text = text.substr(2);
    base = 16;
  }
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string text(const Row& row, const std::string& name) {
  auto it = row.find(name);
  return it == row.end() ? std::string{} : it->second.substr(0, it->second.find(','));
}

bool is_ipv6_extension(std::uint64_t next) { return next == 0 || next == 43 || next == 44 || next == 51 || next == 60; }

struct Frame {
  Record record;
  std::vector<std::uint8_t> bytes;
};

struct Capture {
  LinkType link = LinkType::kEthernet;
  std::vector<Frame> frames;
};

std::optional<Capture> read_capture(const fs::path& path, std::string& error) {
  auto reader = CaptureReader::open(path.string());
  if (!reader) {
    error = reader.error().to_string();
    return std::nullopt;
  }
  Capture capture;
  capture.link = reader->link_type();
  RecordBatch batch;
  while (true) {
    auto n = reader->read_batch(batch);
    if (!n) {
      error = n.error().to_string();
      return std::nullopt;
    }
    if (*n == 0) break;
    for (const Record& r : batch.records) {
      auto data = batch.data(r);
      capture.frames.push_back(Frame{r, std::vector<std::uint8_t>(data.begin(), data.end())});
    }
  }
  return capture;
}

std::vector<std::string> corpus_names() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(kPcaps / "wireshark-fields", ec)) {
    if (entry.path().extension() == ".tsv") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

fs::path capture_path(const std::string& name) {
  for (const char* ext : {".pcap", ".pcapng"}) {
    fs::path p = kPcaps / (name + ext);
    if (fs::exists(p)) return p;
  }
  return {};
}

// Compares one frame; every disagreement is one readable failure line.
class FrameCheck {
 public:
  FrameCheck(const std::string& file, std::uint64_t frame) : file_(file), frame_(frame) {}

  template <class A, class B>
  void expect(const char* what, const A& pfsim, const B& wireshark) {
    if (pfsim == wireshark) return;
    std::ostringstream msg;
    msg << file_ << " frame " << frame_ << ": " << what << " " << show(pfsim) << ", wireshark " << show(wireshark);
    ADD_FAILURE() << msg.str();
  }
  void claim_absent(const char* what, bool pfsim_has) {
    if (pfsim_has)
      ADD_FAILURE() << file_ << " frame " << frame_ << ": pfsim decodes " << what << ", wireshark shows none";
  }
  void need(const char* what, bool pfsim_has) {
    if (!pfsim_has)
      ADD_FAILURE() << file_ << " frame " << frame_ << ": pfsim has no " << what << ", wireshark shows one";
  }

 private:
  template <class T>
  static std::string show(const T& v) {
    std::ostringstream s;
    if constexpr (sizeof(T) == 1 && std::is_integral_v<T>) {
      s << unsigned{v};
    } else {
      s << v;
    }
    return s.str();
  }
  std::string file_;
  std::uint64_t frame_;
};

void check_frame(const std::string& name, LinkType link, const Frame& frame, const Row& row) {
  FrameCheck c(name, frame.record.index);
  const DecodedPacket p = decode_packet(link, frame.bytes, DecodeOptions{});

  c.expect("frame.len", std::uint64_t{frame.record.len}, number(row, "frame.len").value_or(0));
  c.expect("frame.cap_len", std::uint64_t{frame.record.caplen}, number(row, "frame.cap_len").value_or(0));

  // The network layer.
  const std::string ip_src = text(row, "ip.src");
  const std::string ip6_src = text(row, "ipv6.src");
  if (!ip_src.empty()) {
    c.need("IPv4 header", p.has_ip && p.family == net::Family::kIpv4);
    if (!p.has_ip) return;
    c.expect("src", net::format_address(p.family, p.src), ip_src);
    c.expect("dst", net::format_address(p.family, p.dst), text(row, "ip.dst"));
    c.expect("proto", std::uint64_t{p.proto}, number(row, "ip.proto").value_or(0));
    c.expect("ip.flags.mf", p.fragment.more, number(row, "ip.flags.mf").value_or(0) != 0);
    // tshark 4.0 prints ip.frag_offset in 8-byte units here (ipv4-frag-tcp-syn: 0, 1, 2 for
    // fragments of 8 bytes each); pfsim counts bytes.
    c.expect("frag offset (bytes)", std::uint64_t{p.fragment.offset_bytes},
             number(row, "ip.frag_offset").value_or(0) * 8);
  } else if (!ip6_src.empty()) {
    c.need("IPv6 header", p.has_ip && p.family == net::Family::kIpv6);
    if (!p.has_ip) return;
    c.expect("src", net::format_address(p.family, p.src), ip6_src);
    c.expect("dst", net::format_address(p.family, p.dst), text(row, "ipv6.dst"));
    const std::uint64_t next = number(row, "ipv6.nxt").value_or(256);
    if (!is_ipv6_extension(next)) {
      c.expect("proto", std::uint64_t{p.proto}, next);
    } else if (!text(row, "icmpv6.type").empty()) {
      c.expect("proto after extension headers", std::uint64_t{p.proto}, std::uint64_t{net::kProtoIcmpv6});
    } else if (!text(row, "tcp.srcport").empty()) {
      c.expect("proto after extension headers", std::uint64_t{p.proto}, std::uint64_t{net::kProtoTcp});
    } else if (!text(row, "udp.srcport").empty()) {
      c.expect("proto after extension headers", std::uint64_t{p.proto}, std::uint64_t{net::kProtoUdp});
    }
  } else {
    c.claim_absent("an IP header", p.has_ip);
    return;
  }

  const auto icmp_type = number(row, "icmp.type");
  const auto icmp6_type = number(row, "icmpv6.type");
  const bool icmp_error = (icmp_type && (*icmp_type == 3 || *icmp_type == 11 || *icmp_type == 12)) ||
                          (icmp6_type && *icmp6_type >= 1 && *icmp6_type <= 4);
  const auto udp_dport = number(row, "udp.dstport");
  const bool tunnel = udp_dport && (*udp_dport == 4789 || *udp_dport == 6081);

  // ICMP.
  if (!tunnel) {
    if (icmp_type) {
      c.need("ICMP header", p.has_icmp);
      c.expect("icmp type", std::uint64_t{p.icmp_type}, *icmp_type);
      c.expect("icmp code", std::uint64_t{p.icmp_code}, number(row, "icmp.code").value_or(0));
    } else if (icmp6_type) {
      c.need("ICMPv6 header", p.has_icmp);
      c.expect("icmpv6 type", std::uint64_t{p.icmp_type}, *icmp6_type);
      c.expect("icmpv6 code", std::uint64_t{p.icmp_code}, number(row, "icmpv6.code").value_or(0));
    } else {
      c.claim_absent("an ICMP header", p.has_icmp);
    }
  }

  // Transport ports.
  const auto tcp_sport = number(row, "tcp.srcport");
  const auto udp_sport = number(row, "udp.srcport");
  if (icmp_error) {
    c.need("quoted flow", p.has_inner);
    if (tcp_sport || udp_sport) {
      c.need("quoted ports", p.inner.has_ports);
      c.expect("inner proto", std::uint64_t{p.inner.proto}, std::uint64_t{tcp_sport ? net::kProtoTcp : net::kProtoUdp});
      c.expect("inner sport", std::uint64_t{p.inner.sport}, tcp_sport ? *tcp_sport : *udp_sport);
      c.expect("inner dport", std::uint64_t{p.inner.dport},
               (tcp_sport ? number(row, "tcp.dstport") : number(row, "udp.dstport")).value_or(0));
    }
    c.claim_absent("outer ports", p.has_ports);
    return;
  }
  if (p.fragment.is_fragment) {
    // Reassembly: see the file comment. Ports on the first fragment only.
    if (p.fragment.offset_bytes > 0) c.claim_absent("ports on a later fragment", p.has_ports);
    return;
  }
  if (tunnel) {
    c.need("UDP ports", p.has_ports && p.proto == net::kProtoUdp);
    c.expect("sport", std::uint64_t{p.sport}, *udp_sport);
    c.expect("dport", std::uint64_t{p.dport}, *udp_dport);
    c.claim_absent("TCP flags on a tunnel packet", p.has_tcp_flags);
    // Wireshark's tcp/icmp columns are the inner packet's: decapsulate and compare.
    const DecodedPacket inner = decode_packet(link, frame.bytes, DecodeOptions{.decapsulate_tunnels = true});
    c.expect("tunnel", static_cast<int>(inner.tunnel),
             static_cast<int>(*udp_dport == 4789 ? Tunnel::kVxlan : Tunnel::kGeneve));
    if (tcp_sport) {
      c.expect("inner tcp sport", std::uint64_t{inner.sport}, *tcp_sport);
      c.expect("inner tcp dport", std::uint64_t{inner.dport}, number(row, "tcp.dstport").value_or(0));
      c.expect("inner tcp flags", std::uint64_t{inner.tcp_flags}, number(row, "tcp.flags").value_or(0));
    }
    if (icmp_type) {
      c.need("inner ICMP", inner.has_icmp);
      c.expect("inner icmp type", std::uint64_t{inner.icmp_type}, *icmp_type);
      c.expect("inner icmp code", std::uint64_t{inner.icmp_code}, number(row, "icmp.code").value_or(0));
    }
    return;
  }
  if (tcp_sport) {
    c.need("TCP ports", p.has_ports && p.proto == net::kProtoTcp);
    c.expect("sport", std::uint64_t{p.sport}, *tcp_sport);
    c.expect("dport", std::uint64_t{p.dport}, number(row, "tcp.dstport").value_or(0));
    c.need("TCP flags", p.has_tcp_flags);
    c.expect("tcp flags", std::uint64_t{p.tcp_flags}, number(row, "tcp.flags").value_or(0));
  } else if (udp_sport) {
    c.need("UDP ports", p.has_ports && p.proto == net::kProtoUdp);
    c.expect("sport", std::uint64_t{p.sport}, *udp_sport);
    c.expect("dport", std::uint64_t{p.dport}, number(row, "udp.dstport").value_or(0));
  } else {
    c.claim_absent("ports", p.has_ports);
    c.claim_absent("TCP flags", p.has_tcp_flags);
  }
}

class WiresharkFields : public testing::TestWithParam<std::string> {};

TEST_P(WiresharkFields, EveryFrameDecodesAsWiresharkSays) {
  const std::string name = GetParam();
  const fs::path path = capture_path(name);
  ASSERT_FALSE(path.empty()) << name << ": no .pcap or .pcapng beside wireshark-fields/" << name << ".tsv";
  std::string error;
  const auto capture = read_capture(path, error);
  ASSERT_TRUE(capture) << error;
  const std::vector<Row> rows = read_rows(kPcaps / "wireshark-fields" / (name + ".tsv"));
  ASSERT_EQ(capture->frames.size(), rows.size()) << name << ": frames in the capture vs rows in the fields file";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    ASSERT_EQ(capture->frames[i].record.index, number(rows[i], "frame.number").value_or(0)) << name;
    check_frame(name, capture->link, capture->frames[i], rows[i]);
  }
}

std::string test_name(const testing::TestParamInfo<std::string>& info) {
  std::string s = info.param;
  std::replace_if(
      s.begin(), s.end(), [](char ch) { return !std::isalnum(static_cast<unsigned char>(ch)); }, '_');
  return s;
}

INSTANTIATE_TEST_SUITE_P(Wireshark, WiresharkFields, testing::ValuesIn(corpus_names()), test_name);

// The corpus is the oracle: if the folder moved, the parametrized test above would silently
// run zero cases.
TEST(WiresharkCorpus, IsPresent) { EXPECT_GE(corpus_names().size(), 15u) << kPcaps; }

}  // namespace
}  // namespace pfsim::pcap
