// The decoder against hostile bytes (DESIGN.md §6, §8): every frame of the bundled capture
// corpus is mutated thousands of times with a fixed seed — bit flips, overwrites of the header
// fields that steer decoding (IHL, total length, next header, data offset, tags, tunnel headers),
// truncation at every length, appended garbage — and decoded with tunnels on and off. Run
// under ASan+UBSan (PFSIM_SANITIZE=ON) a read out of bounds aborts the test; in every build
// each result must be either well-formed or carry a named Malformed kind at an offset inside
// the packet, and the faults must exercise most kinds (a mutator that only produced valid
// packets would prove nothing).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "pcap/capture.h"
#include "pcap/decode.h"
#include "pcap/packet.h"

namespace pfsim::pcap {
namespace {

namespace fs = std::filesystem;

struct Sample {
  std::string name;
  LinkType link = LinkType::kEthernet;
  std::vector<std::uint8_t> bytes;
};

std::vector<Sample> corpus_frames() {
  std::vector<Sample> out;
  std::error_code ec;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(fs::path(PFSIM_TEST_DATA_DIR) / "pcaps", ec)) {
    const auto ext = entry.path().extension();
    if (ext == ".pcap" || ext == ".pcapng") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());  // a fixed order, so the seed means the same run
  for (const fs::path& path : files) {
    auto reader = CaptureReader::open(path.string());
    if (!reader) continue;
    RecordBatch batch;
    while (true) {
      auto n = reader->read_batch(batch);
      if (!n || *n == 0) break;
      for (const Record& r : batch.records) {
        auto data = batch.data(r);
        out.push_back(Sample{path.filename().string() + " #" + std::to_string(r.index), reader->link_type(),
                             std::vector<std::uint8_t>(data.begin(), data.end())});
      }
    }
  }
  return out;
}

class Tally {
 public:
  void check(const Sample& s, const std::vector<std::uint8_t>& bytes, const char* mutation) {
    for (bool tunnels : {false, true}) {
      const DecodedPacket p = decode_packet(s.link, bytes, DecodeOptions{.decapsulate_tunnels = tunnels});
      ++decoded_;
      const auto kind = static_cast<std::size_t>(p.malformed);
      ASSERT_LT(kind, kMalformedKinds) << s.name << " " << mutation;
      ++counts_[kind];
      if (p.malformed == Malformed::kNone) {
        EXPECT_EQ(p.malformed_offset, 0u) << s.name << " " << mutation;
      } else {
        EXPECT_FALSE(malformed_name(p.malformed).empty());
        EXPECT_LE(p.malformed_offset, bytes.size()) << s.name << " " << mutation << ": " << malformed_name(p.malformed);
      }
      // Fields never claim what was not read.
      EXPECT_TRUE(!p.has_ports || p.has_ip) << s.name << " " << mutation;
      EXPECT_TRUE(!p.has_inner || p.has_icmp) << s.name << " " << mutation;
      EXPECT_TRUE(p.tunnel == Tunnel::kNone || tunnels) << s.name << " " << mutation;
    }
  }
  std::size_t decoded() const { return decoded_; }
  std::size_t kinds_seen() const {
    std::size_t n = 0;
    for (std::size_t i = 1; i < kMalformedKinds; ++i) n += counts_[i] > 0 ? 1u : 0u;
    return n;
  }
  std::string summary() const {
    std::string s;
    for (std::size_t i = 0; i < kMalformedKinds; ++i) {
      const auto name = malformed_name(static_cast<Malformed>(i));
      s += (name.empty() ? std::string("ok") : std::string(name)) + "=" + std::to_string(counts_[i]) + " ";
    }
    return s;
  }

 private:
  std::array<std::size_t, kMalformedKinds> counts_{};
  std::size_t decoded_ = 0;
};

// Offsets of the bytes that steer decoding, for each link header length in the corpus: the
// IPv4 version/IHL and total length, the IPv6 payload length and next header, the first bytes
// of a transport header (TCP data offset at +12), and the EtherType/tag area.
std::vector<std::size_t> steering_offsets(std::size_t size) {
  std::vector<std::size_t> out;
  for (std::size_t link : {0u, 4u, 14u, 16u, 18u, 20u, 22u}) {
    for (std::size_t field : {0u, 2u, 3u, 4u, 5u, 6u, 9u, 12u}) out.push_back(link + field);
    for (std::size_t l4 : {20u, 24u, 32u, 40u, 48u}) {
      out.push_back(link + l4);
      out.push_back(link + l4 + 12);
    }
  }
  out.erase(std::remove_if(out.begin(), out.end(), [size](std::size_t o) { return o >= size; }), out.end());
  return out;
}

TEST(RobustnessDecode, MutatedCorpusNeverCrashesAndEveryFaultIsNamed) {
  const std::vector<Sample> frames = corpus_frames();
  ASSERT_GE(frames.size(), 100u) << "the bundled capture corpus is missing";

  std::mt19937_64 rng(20261122);  // fixed: a failure reproduces
  Tally tally;
  std::vector<std::uint8_t> bytes;
  const std::array<std::uint8_t, 8> interesting{0x00, 0xff, 0x45, 0x4f, 0x60, 0x2c, 0x3c, 0x11};

  for (const Sample& s : frames) {
    tally.check(s, s.bytes, "unmodified");
    const std::vector<std::size_t> steer = steering_offsets(s.bytes.size());
    for (int round = 0; round < 200 && !s.bytes.empty(); ++round) {
      bytes = s.bytes;
      std::uniform_int_distribution<std::size_t> pos(0, bytes.size() - 1);
      switch (round % 4) {
        case 0: {  // random bit flips
          const int flips = 1 + static_cast<int>(rng() % 4);
          for (int i = 0; i < flips; ++i) bytes[pos(rng)] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
          tally.check(s, bytes, "bit flips");
          break;
        }
        case 1: {  // a steering field overwritten with a value that changes the walk
          if (steer.empty()) break;
          const std::size_t at = steer[rng() % steer.size()];
          bytes[at] = (rng() % 2) ? interesting[rng() % interesting.size()] : static_cast<std::uint8_t>(rng());
          tally.check(s, bytes, "field overwrite");
          break;
        }
        case 2: {  // truncated at a random length, or caplen claiming less than was kept
          bytes.resize(pos(rng));
          tally.check(s, bytes, "truncation");
          break;
        }
        default: {  // garbage appended, then a field overwritten
          const std::size_t extra = rng() % 64;
          for (std::size_t i = 0; i < extra; ++i) bytes.push_back(static_cast<std::uint8_t>(rng()));
          bytes[pos(rng)] = static_cast<std::uint8_t>(rng());
          tally.check(s, bytes, "garbage appended");
          break;
        }
      }
      if (testing::Test::HasFatalFailure()) return;
    }
  }

  // Truncation at every length 0..caplen of one frame per capture file, plus a few steering
  // overwrites at each length: every header boundary is crossed.
  std::string last_file;
  for (const Sample& s : frames) {
    const std::string file = s.name.substr(0, s.name.find(' '));
    if (file == last_file) continue;
    last_file = file;
    for (std::size_t n = 0; n <= s.bytes.size(); ++n) {
      bytes.assign(s.bytes.begin(), s.bytes.begin() + static_cast<std::ptrdiff_t>(n));
      tally.check(s, bytes, "truncation sweep");
      if (n > 0) {
        bytes[n - 1] = interesting[n % interesting.size()];
        tally.check(s, bytes, "truncation sweep + last byte");
      }
    }
  }

  RecordProperty("decoded", static_cast<int>(tally.decoded()));
  RecordProperty("malformed", tally.summary());
  EXPECT_GE(tally.decoded(), 10000u);
  EXPECT_GE(tally.kinds_seen(), 11u) << tally.summary();
}

// Random bytes on every link type: no structure at all.
TEST(RobustnessDecode, RandomBytesOnEveryLinkType) {
  std::mt19937_64 rng(7);
  Tally tally;
  const std::array<LinkType, 8> links{LinkType::kNull,     LinkType::kEthernet, LinkType::kRaw,  LinkType::kLoop,
                                      LinkType::kLinuxSll, LinkType::kIpv4,     LinkType::kIpv6, LinkType::kLinuxSll2};
  std::vector<std::uint8_t> bytes;
  for (int i = 0; i < 4000; ++i) {
    bytes.resize(rng() % 128);
    for (auto& b : bytes) b = static_cast<std::uint8_t>(rng());
    Sample s{"random #" + std::to_string(i), links[static_cast<std::size_t>(i) % links.size()], {}};
    tally.check(s, bytes, "random");
    if (testing::Test::HasFatalFailure()) return;
  }
  EXPECT_GE(tally.kinds_seen(), 5u) << tally.summary();
}

}  // namespace
}  // namespace pfsim::pcap
