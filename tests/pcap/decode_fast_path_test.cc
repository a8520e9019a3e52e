// The decoder's fast path against its general decoder (pcap/internal/decode_paths.h): on every
// frame of the bundled capture corpus, truncated at every length, and on random frames of every
// shape the fast path reads (Ethernet with 0-3 tags of each TPID, RAW, IPV4 and IPV6 links,
// IPv4 with IHL 0-15, IPv6, TCP with data offsets 0-15, UDP to tunnel ports, bad versions and
// lengths, fragments, odd caplens), with tunnels off and on. decode_packet() must give exactly
// what decode_packet_general() gives, field for field; and the fast path must really take the
// common shapes, or the comparison would only ever test the general decoder against itself.
// decode_batch() must give, packet for packet, what decode_packet() gives plus the record
// fields, on batches that mix fast-path, general-path and malformed packets, written over an
// array that still holds other packets.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "net/address.h"
#include "net/five_tuple.h"
#include "pcap/capture.h"
#include "pcap/decode.h"
#include "pcap/internal/decode_paths.h"
#include "pcap/packet.h"

namespace pfsim::pcap {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;

// --- Field-by-field comparison (memcmp would compare padding) ---

// A field changed to a different value, to prove the comparison sees it.
template <class T>
void change(T& v) {
  if constexpr (std::is_same_v<T, bool>) {
    v = !v;
  } else if constexpr (std::is_enum_v<T>) {
    v = static_cast<T>(static_cast<std::underlying_type_t<T>>(static_cast<std::underlying_type_t<T>>(v) + 1));
  } else if constexpr (std::is_same_v<T, net::Ip128>) {
    v.lo ^= 1;
  } else {
    v = static_cast<T>(v + 1);
  }
}

struct Field {
  const char* name;
  bool (*equal)(const DecodedPacket&, const DecodedPacket&);
  void (*change)(DecodedPacket&);
};

#define PFSIM_FIELD(path)                                                                                     \
  Field {                                                                                                     \
#path, [](const DecodedPacket& a,                                                                         \
              const DecodedPacket& b) { return a.path == b.path; }, [](DecodedPacket & p) { change(p.path); } \
  }

// Every field of DecodedPacket, nested ones included.
const Field kFields[] = {
    PFSIM_FIELD(index),
    PFSIM_FIELD(ts_ns),
    PFSIM_FIELD(caplen),
    PFSIM_FIELD(len),
    PFSIM_FIELD(link),
    PFSIM_FIELD(has_ip),
    PFSIM_FIELD(family),
    PFSIM_FIELD(src),
    PFSIM_FIELD(dst),
    PFSIM_FIELD(proto),
    PFSIM_FIELD(ttl),
    PFSIM_FIELD(ip_length),
    PFSIM_FIELD(dont_fragment),
    PFSIM_FIELD(fragment.is_fragment),
    PFSIM_FIELD(fragment.id),
    PFSIM_FIELD(fragment.offset_bytes),
    PFSIM_FIELD(fragment.more),
    PFSIM_FIELD(has_ports),
    PFSIM_FIELD(sport),
    PFSIM_FIELD(dport),
    PFSIM_FIELD(has_tcp_flags),
    PFSIM_FIELD(tcp_flags),
    PFSIM_FIELD(has_icmp),
    PFSIM_FIELD(icmp_type),
    PFSIM_FIELD(icmp_code),
    PFSIM_FIELD(icmp_id),
    PFSIM_FIELD(icmp_mtu),
    PFSIM_FIELD(has_inner),
    PFSIM_FIELD(inner.family),
    PFSIM_FIELD(inner.src),
    PFSIM_FIELD(inner.dst),
    PFSIM_FIELD(inner.proto),
    PFSIM_FIELD(inner.has_ports),
    PFSIM_FIELD(inner.sport),
    PFSIM_FIELD(inner.dport),
    PFSIM_FIELD(tunnel),
    PFSIM_FIELD(has_vxlan_vni),
    PFSIM_FIELD(vxlan_vni),
    PFSIM_FIELD(malformed),
    PFSIM_FIELD(malformed_offset),
};
#undef PFSIM_FIELD

// A field added to packet.h changes these sizes: list it in kFields, then update them.
static_assert(sizeof(DecodedPacket) == 168 && sizeof(QuotedFlow) == 48 && sizeof(Fragment) == 12,
              "DecodedPacket changed: compare its new fields in kFields");

// The names of the fields in which a and b differ, "" when none.
std::string differences(const DecodedPacket& a, const DecodedPacket& b) {
  std::string out;
  for (const Field& f : kFields) {
    if (!f.equal(a, b)) out += std::string(out.empty() ? "" : ", ") + f.name;
  }
  return out;
}

std::string hex(const Bytes& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  for (std::uint8_t b : bytes) {
    s += kDigits[b >> 4];
    s += kDigits[b & 0xf];
  }
  return s;
}

// Decodes `bytes` both ways, with tunnels off and on, and counts what the fast path took.
class Differ {
 public:
  void check(LinkType link, const Bytes& bytes, const std::string& what) {
    for (bool tunnels : {false, true}) {
      const DecodeOptions options{.decapsulate_tunnels = tunnels};
      const DecodedPacket general = internal::decode_packet_general(link, bytes, options);
      const DecodedPacket combined = decode_packet(link, bytes, options);
      ++checked_;
      const std::string diff = differences(combined, general);
      EXPECT_EQ(diff, "") << what << (tunnels ? " (tunnels on)" : "") << ", link " << static_cast<int>(link)
                          << ", bytes " << hex(bytes);
      DecodedPacket fast;
      if (internal::decode_packet_fast(link, bytes, options, fast)) {
        ++fast_;
        EXPECT_EQ(differences(fast, general), "") << what << ": fast path alone, bytes " << hex(bytes);
      }
      if (!diff.empty() && ++failures_ > 20) FAIL() << "more than 20 differences; stopping";
    }
  }
  // Records that the fast path took a packet of this shape (for the coverage checks).
  void expect_fast(LinkType link, const Bytes& bytes, const std::string& shape) {
    DecodedPacket fast;
    if (internal::decode_packet_fast(link, bytes, {}, fast)) fast_shapes_.insert(shape);
  }
  std::size_t checked() const { return checked_; }
  std::size_t fast() const { return fast_; }
  const std::set<std::string>& fast_shapes() const { return fast_shapes_; }

 private:
  std::size_t checked_ = 0;
  std::size_t fast_ = 0;
  int failures_ = 0;
  std::set<std::string> fast_shapes_;
};

TEST(DecodeFastPath, ComparisonSeesEveryField) {
  // The comparison this file relies on must fail when any one field differs.
  const DecodedPacket base;
  for (const Field& f : kFields) {
    DecodedPacket changed = base;
    f.change(changed);
    EXPECT_EQ(differences(changed, base), f.name);
  }
}

// --- The bundled capture corpus ---

struct Frame {
  std::string name;
  LinkType link = LinkType::kEthernet;
  Bytes bytes;
};

std::vector<Frame> corpus_frames() {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const char* dir : {PFSIM_TEST_DATA_DIR "/pcaps", PFSIM_CORPUS_DIR "/pcap"}) {
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      const auto ext = entry.path().extension();
      if (ext == ".pcap" || ext == ".pcapng") files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  std::vector<Frame> out;
  for (const fs::path& path : files) {
    auto reader = CaptureReader::open(path.string());
    if (!reader) continue;  // the corpus's unreadable captures test the reader, not the decoder
    RecordBatch batch;
    while (true) {
      auto n = reader->read_batch(batch);
      if (!n || *n == 0) break;
      for (const Record& r : batch.records) {
        const auto data = batch.data(r);
        out.push_back(Frame{path.filename().string() + " #" + std::to_string(r.index), reader->link_type(),
                            Bytes(data.begin(), data.end())});
      }
    }
  }
  return out;
}

TEST(DecodeFastPath, SameAsGeneralOnTheCorpusTruncatedAtEveryLength) {
  const std::vector<Frame> frames = corpus_frames();
  ASSERT_GE(frames.size(), 100u) << "the bundled capture corpus is missing";
  Differ differ;
  for (const Frame& f : frames) {
    for (std::size_t n = 0; n <= f.bytes.size(); ++n) {
      differ.check(f.link, Bytes(f.bytes.begin(), f.bytes.begin() + static_cast<std::ptrdiff_t>(n)),
                   f.name + " cut to " + std::to_string(n));
      if (testing::Test::HasFatalFailure()) return;
    }
  }
  RecordProperty("checked", static_cast<int>(differ.checked()));
  // The corpus is mostly plain TCP/UDP: the fast path must have taken a good share of it.
  EXPECT_GE(differ.fast(), frames.size() / 2) << "of " << differ.checked();
}

// --- Random frames of every fast-path shape ---

class FrameMaker {
 public:
  explicit FrameMaker(std::uint64_t seed) : rng_(seed) {}

  std::uint32_t below(std::uint32_t n) { return static_cast<std::uint32_t>(rng_() % n); }
  bool one_in(std::uint32_t n) { return below(n) == 0; }
  std::uint8_t byte() { return static_cast<std::uint8_t>(rng_()); }

  // A frame and its shape ("eth tags=1 v4 ihl=6 tcp"); mostly well-formed, with a deviation
  // in one field or another often enough to reach every fallback.
  LinkType make(Bytes& out, std::string& shape) {
    out.clear();
    const std::uint32_t link_pick = below(8);
    const LinkType link = link_pick < 5    ? LinkType::kEthernet
                          : link_pick == 5 ? LinkType::kRaw
                          : link_pick == 6 ? LinkType::kIpv4
                                           : LinkType::kIpv6;
    bool v6 = link == LinkType::kIpv6 || (link != LinkType::kIpv4 && one_in(3));
    if (link == LinkType::kEthernet) {
      for (int i = 0; i < 12; ++i) out.push_back(byte());
      const std::uint32_t tags = below(4);
      for (std::uint32_t t = 0; t < tags; ++t) {
        static constexpr std::uint16_t kTpids[] = {0x8100, 0x88a8, 0x9100};
        put16(out, kTpids[below(3)]);
        put16(out, static_cast<std::uint16_t>(rng_()));
      }
      std::uint16_t ethertype = v6 ? 0x86dd : 0x0800;
      if (one_in(20)) ethertype = one_in(2) ? 0x0806 : static_cast<std::uint16_t>(rng_());
      put16(out, ethertype);
      shape = "eth tags=" + std::to_string(tags);
    } else {
      shape = link == LinkType::kRaw ? "raw" : link == LinkType::kIpv4 ? "ipv4-link" : "ipv6-link";
    }
    const std::size_t ip_start = out.size();
    const std::uint8_t proto = pick_proto();
    std::size_t ip_header = 0;
    if (!v6) {
      std::uint32_t ihl = 5 + below(11);
      if (one_in(20)) ihl = below(5);
      const std::uint8_t version = one_in(20) ? static_cast<std::uint8_t>(below(16)) : 4;
      out.push_back(static_cast<std::uint8_t>(version << 4 | ihl));
      out.push_back(byte());                                               // TOS
      put16(out, 0);                                                       // total length, set below
      put16(out, static_cast<std::uint16_t>(rng_()));                      // id
      std::uint16_t flags = one_in(2) ? 0x4000 : 0;                        // DF
      if (one_in(10)) flags = static_cast<std::uint16_t>(flags | 0x8000);  // the reserved bit
      if (one_in(10)) flags = static_cast<std::uint16_t>(flags | 0x2000);  // MF
      if (one_in(10)) flags = static_cast<std::uint16_t>(flags | (1 + below(0x1fff)));
      put16(out, flags);
      out.push_back(byte());  // TTL
      out.push_back(proto);
      put16(out, static_cast<std::uint16_t>(rng_()));  // checksum
      for (int i = 0; i < 8; ++i) out.push_back(byte());
      ip_header = std::max<std::size_t>(ihl * 4, 20);
      while (out.size() < ip_start + ip_header) out.push_back(byte());  // options
      shape += " v4 ihl=" + std::to_string(ihl);
    } else {
      const std::uint8_t version = one_in(20) ? static_cast<std::uint8_t>(below(16)) : 6;
      out.push_back(static_cast<std::uint8_t>(version << 4 | below(16)));
      for (int i = 0; i < 3; ++i) out.push_back(byte());
      put16(out, 0);  // payload length, set below
      out.push_back(proto);
      out.push_back(byte());  // hop limit
      for (int i = 0; i < 32; ++i) out.push_back(byte());
      ip_header = 40;
      shape += " v6";
    }
    const std::size_t l4_start = out.size();
    if (proto == net::kProtoTcp) {
      put16(out, static_cast<std::uint16_t>(rng_()));
      put16(out, static_cast<std::uint16_t>(rng_()));
      for (int i = 0; i < 8; ++i) out.push_back(byte());
      std::uint32_t offset = 5 + below(11);
      if (one_in(20)) offset = below(5);
      put16(out, static_cast<std::uint16_t>(offset << 12 | below(0x1000)));
      for (int i = 0; i < 6; ++i) out.push_back(byte());
      while (out.size() < l4_start + offset * 4) out.push_back(byte());
      shape += " tcp";
    } else if (proto == net::kProtoUdp) {
      put16(out, static_cast<std::uint16_t>(rng_()));
      static constexpr std::uint16_t kPorts[] = {4789, 6081, 53, 443};
      put16(out, one_in(3) ? kPorts[below(4)] : static_cast<std::uint16_t>(rng_()));
      put16(out, static_cast<std::uint16_t>(rng_()));
      put16(out, static_cast<std::uint16_t>(rng_()));
      shape += " udp";
    } else {
      shape += " proto=" + std::to_string(proto);
    }
    const std::size_t payload = below(3) == 0 ? below(40) : 0;
    for (std::size_t i = 0; i < payload; ++i) out.push_back(byte());
    // The IP length: exact mostly; else shorter, longer, or anything (0 = jumbogram for v6).
    std::size_t ip_length = out.size() - ip_start;
    switch (below(8)) {
      case 0:
        ip_length = below(static_cast<std::uint32_t>(ip_length) + 1);
        break;
      case 1:
        ip_length += below(100);
        break;
      case 2:
        ip_length = below(0x10000);
        break;
      default:
        break;
    }
    if (!v6) {
      set16(out, ip_start + 2, static_cast<std::uint16_t>(ip_length));
    } else {
      const std::size_t payload_length = ip_length < ip_header ? below(8) : ip_length - ip_header;
      set16(out, ip_start + 4, static_cast<std::uint16_t>(payload_length));
    }
    if (link == LinkType::kEthernet && one_in(4)) out.resize(std::max<std::size_t>(out.size(), 60), 0);  // padding
    if (one_in(4)) out.resize(below(static_cast<std::uint32_t>(out.size()) + 1));  // an odd caplen
    return link;
  }

 private:
  std::uint8_t pick_proto() {
    switch (below(10)) {
      case 0: {
        // ICMP, ICMPv6, the IPv6 extension headers, or anything.
        static constexpr std::uint8_t kOthers[] = {1, 58, 0, 43, 44, 60, 51, 47};
        return one_in(4) ? byte() : kOthers[below(8)];
      }
      case 1:
      case 2:
      case 3:
        return net::kProtoUdp;
      default:
        return net::kProtoTcp;
    }
  }
  static void put16(Bytes& b, std::uint16_t v) {
    b.push_back(static_cast<std::uint8_t>(v >> 8));
    b.push_back(static_cast<std::uint8_t>(v));
  }
  static void set16(Bytes& b, std::size_t at, std::uint16_t v) {
    b[at] = static_cast<std::uint8_t>(v >> 8);
    b[at + 1] = static_cast<std::uint8_t>(v);
  }

  std::mt19937_64 rng_;
};

TEST(DecodeFastPath, SameAsGeneralOnRandomFramesOfEveryShape) {
  FrameMaker maker(20261123);  // fixed: a failure reproduces
  Differ differ;
  Bytes frame;
  std::string shape;
  std::set<std::string> shapes;
  constexpr int kFrames = 200000;
  for (int i = 0; i < kFrames; ++i) {
    const LinkType link = maker.make(frame, shape);
    differ.check(link, frame, "random frame " + std::to_string(i) + " (" + shape + ")");
    differ.expect_fast(link, frame, shape);
    if (i < 2000) {  // every header boundary crossed, on the first frames
      for (std::size_t n = 0; n < frame.size(); ++n) {
        differ.check(link, Bytes(frame.begin(), frame.begin() + static_cast<std::ptrdiff_t>(n)),
                     "random frame " + std::to_string(i) + " (" + shape + ") cut to " + std::to_string(n));
      }
    }
    if (testing::Test::HasFatalFailure()) return;
  }
  RecordProperty("checked", static_cast<int>(differ.checked()));
  // Both paths ran often: about half the random frames are clean enough for the fast path.
  EXPECT_GE(differ.fast(), differ.checked() / 5);
  EXPECT_LE(differ.fast(), differ.checked() * 4 / 5);

  // The fast path took every shape it is meant to read, at every tag depth and IHL.
  std::vector<std::string> expected;
  for (const char* l4 : {" tcp", " udp"}) {
    for (int tags = 0; tags <= 2; ++tags) {
      for (int ihl = 5; ihl <= 15; ++ihl) {
        expected.push_back("eth tags=" + std::to_string(tags) + " v4 ihl=" + std::to_string(ihl) + l4);
      }
      expected.push_back("eth tags=" + std::to_string(tags) + " v6" + l4);
    }
    expected.push_back(std::string("raw v4 ihl=5") + l4);
    expected.push_back(std::string("raw v6") + l4);
    expected.push_back(std::string("ipv4-link v4 ihl=5") + l4);
    expected.push_back(std::string("ipv6-link v6") + l4);
  }
  for (const std::string& s : expected) EXPECT_TRUE(differ.fast_shapes().contains(s)) << "never fast: " << s;
  // ...and none it must leave to the general decoder.
  for (const std::string& s : differ.fast_shapes()) {
    EXPECT_EQ(s.find("tags=3"), std::string::npos) << s;
    EXPECT_EQ(s.find("proto="), std::string::npos) << s;
    for (int ihl = 0; ihl < 5; ++ihl) EXPECT_EQ(s.find("ihl=" + std::to_string(ihl) + " "), std::string::npos) << s;
  }
}

// --- decode_batch against decode_packet ---

// A packet with every field different from a default one: what a recycled output array holds
// from its previous batch, so that a field decode_batch() forgets to write shows.
DecodedPacket stale_packet() {
  DecodedPacket p;
  for (const Field& f : kFields) f.change(p);
  return p;
}

// A RecordBatch of `frames`, as CaptureReader::read_batch would fill it (indices from
// `first_index`, made-up times and wire lengths).
RecordBatch make_batch(const std::vector<Bytes>& frames, std::uint64_t first_index) {
  RecordBatch batch;
  for (const Bytes& frame : frames) {
    Record r;
    r.index = first_index + batch.records.size();
    r.ts_ns = 1'700'000'000'000'000'000 + static_cast<std::int64_t>(r.index) * 977;
    r.caplen = static_cast<std::uint32_t>(frame.size());
    r.len = r.caplen + static_cast<std::uint32_t>(r.index % 3) * 100;
    r.data_offset = batch.bytes.size();
    batch.bytes.insert(batch.bytes.end(), frame.begin(), frame.end());
    batch.records.push_back(r);
  }
  return batch;
}

// Decodes `frames` as one batch both ways, over a stale array one longer than the batch (the
// extra element must be left alone), with tunnels off and on. Returns how many of them the
// fast path reads.
std::size_t check_batch(LinkType link, const std::vector<Bytes>& frames, const std::string& what) {
  constexpr std::uint64_t kIndexOffset = 5000;  // records of earlier files
  const RecordBatch batch = make_batch(frames, 1);
  const DecodedPacket stale = stale_packet();
  std::size_t fast = 0;
  for (bool tunnels : {false, true}) {
    const DecodeOptions options{.decapsulate_tunnels = tunnels};
    std::vector<DecodedPacket> out(frames.size() + 1, stale);
    decode_batch(link, batch, kIndexOffset, options, std::span(out).first(frames.size()));
    for (std::size_t i = 0; i < frames.size(); ++i) {
      const Record& r = batch.records[i];
      DecodedPacket expected = decode_packet(link, batch.data(r), options);
      expected.index = kIndexOffset + r.index;
      expected.ts_ns = r.ts_ns;
      expected.caplen = r.caplen;
      expected.len = r.len;
      EXPECT_EQ(differences(out[i], expected), "")
          << what << ", packet " << i << (tunnels ? " (tunnels on)" : "") << ", bytes " << hex(frames[i]);
      DecodedPacket ignored;
      if (!tunnels && internal::decode_packet_fast(link, frames[i], options, ignored)) ++fast;
    }
    EXPECT_EQ(differences(out.back(), stale), "") << what << ": an element past the batch was written";
  }
  return fast;
}

TEST(DecodeBatch, SameAsDecodePacketOnMixedRandomBatches) {
  // Batches of each link type, each mixing clean frames (fast path), unusual ones (general
  // decoder) and truncated or contradictory ones (Malformed).
  FrameMaker maker(20261124);
  std::map<LinkType, std::vector<Bytes>> by_link;
  Bytes frame;
  std::string shape;
  for (int i = 0; i < 40000; ++i) {
    const LinkType link = maker.make(frame, shape);
    by_link[link].push_back(frame);
  }
  ASSERT_EQ(by_link.size(), 4u);
  for (const auto& [link, frames] : by_link) {
    for (std::size_t start = 0; start < frames.size(); start += kDefaultBatchRecords) {
      const std::size_t end = std::min(frames.size(), start + kDefaultBatchRecords);
      const std::vector<Bytes> part(frames.begin() + static_cast<std::ptrdiff_t>(start),
                                    frames.begin() + static_cast<std::ptrdiff_t>(end));
      const std::size_t fast = check_batch(link, part, "link " + std::to_string(static_cast<int>(link)));
      // Both paths in every batch, or the batch would not be mixed.
      EXPECT_GT(fast, 0u);
      EXPECT_LT(fast, part.size());
      if (testing::Test::HasFailure()) return;
    }
  }
}

TEST(DecodeBatch, SameAsDecodePacketOnTheCorpus) {
  // Every link type pfsim reads (SLL, SLL2, NULL, ... have no fast path), tunnels, ICMP
  // errors, fragments; each capture's frames whole and cut short, as one batch per file.
  std::map<std::string, std::pair<LinkType, std::vector<Bytes>>> by_file;
  for (const Frame& f : corpus_frames()) {
    auto& [link, frames] = by_file[f.name.substr(0, f.name.find(" #"))];
    link = f.link;
    frames.push_back(f.bytes);
    frames.push_back(Bytes(f.bytes.begin(), f.bytes.begin() + static_cast<std::ptrdiff_t>(f.bytes.size() / 2)));
  }
  ASSERT_GE(by_file.size(), 10u) << "the bundled capture corpus is missing";
  std::set<LinkType> links;
  for (const auto& [file, batch] : by_file) {
    check_batch(batch.first, batch.second, file);
    links.insert(batch.first);
    if (testing::Test::HasFailure()) return;
  }
  EXPECT_GE(links.size(), 3u);
}

TEST(DecodeBatch, ARangeDecodesItsRecordsAndNoOthers) {
  FrameMaker maker(20261123);
  std::vector<Bytes> frames;
  Bytes frame;
  std::string shape;
  while (frames.size() < 300) {
    if (maker.make(frame, shape) == LinkType::kEthernet) frames.push_back(frame);
  }
  const RecordBatch batch = make_batch(frames, 1);
  std::vector<DecodedPacket> whole(frames.size());
  decode_batch(LinkType::kEthernet, batch, 7, {}, whole);
  const DecodedPacket stale = stale_packet();
  std::vector<DecodedPacket> out(frames.size(), stale);
  decode_batch(LinkType::kEthernet, batch, 100, 64, 7, {}, out);
  for (std::size_t i = 0; i < frames.size(); ++i) {
    const bool in_range = i >= 100 && i < 164;
    EXPECT_EQ(differences(out[i], in_range ? whole[i] : stale), "") << "packet " << i;
  }
}

TEST(DecodeBatch, EmptyBatchWritesNothing) {
  const DecodedPacket stale = stale_packet();
  std::vector<DecodedPacket> out(1, stale);
  decode_batch(LinkType::kEthernet, RecordBatch{}, 0, {}, out);
  EXPECT_EQ(differences(out[0], stale), "");
}

}  // namespace
}  // namespace pfsim::pcap
