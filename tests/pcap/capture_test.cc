// Tests of pcap/capture.h: reading every bundled capture, timestamps, standard input, batch
// sizes, truncated and corrupt files, and the writer's round trip.
//
// The oracle for record contents is a small pcap parser written here from the file format
// (independent of libpcap): each record's time, lengths and bytes must match it. The mapped
// path (ReadMode::kAuto on classic pcap files) has a second oracle, libpcap itself: every
// input is read both ways (CaptureMapped tests) and must give the same records, errors and
// truncated tail.
#include "pcap/capture.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "tests/temp_dir.h"

namespace pfsim::pcap {
namespace {

namespace fs = std::filesystem;

using Bytes = std::vector<std::uint8_t>;

std::string corpus_pcap(const std::string& name) { return std::string(PFSIM_TEST_DATA_DIR) + "/pcaps/" + name; }

// A file in this process's own folder (tests/temp_dir.h), removed at exit. In a folder shared
// with other runs on the machine, another run could rewrite a file while this one has it
// mapped, and reading a mapped file that was cut short is a SIGBUS.
std::string temp_path(const std::string& name) {
  static const test_support::TempDir folder("capture_test");
  return (folder.path() / name).string();
}

// What a read error says after the file name: ": packet 3 (offset 0x1c2): error: ".
std::string located(std::uint64_t packet, std::size_t offset) {
  char text[64];
  std::snprintf(text, sizeof text, ": packet %llu (offset 0x%zx): error: ", static_cast<unsigned long long>(packet),
                offset);
  return text;
}

Bytes read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_bytes(const std::string& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good()) << path;
}

std::uint32_t get_le32(const Bytes& b, std::size_t at) {
  return static_cast<std::uint32_t>(b[at]) | static_cast<std::uint32_t>(b[at + 1]) << 8 |
         static_cast<std::uint32_t>(b[at + 2]) << 16 | static_cast<std::uint32_t>(b[at + 3]) << 24;
}

void put_le32(Bytes& b, std::size_t at, std::uint32_t v) {
  for (std::size_t i = 0; i < 4; ++i) b[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
}

void append_le32(Bytes& b, std::uint32_t v) {
  b.resize(b.size() + 4);
  put_le32(b, b.size() - 4, v);
}

// What a record holds according to the file format (pcap, little-endian, as every bundled
// capture is), and where its 16-byte header starts.
struct RawRecord {
  std::int64_t ts_ns = 0;
  std::uint32_t caplen = 0;
  std::uint32_t len = 0;
  Bytes bytes;
  std::size_t header_offset = 0;
};

std::vector<RawRecord> parse_pcap(const Bytes& file) {
  std::vector<RawRecord> out;
  if (file.size() < 24) return out;
  const std::uint32_t magic = get_le32(file, 0);
  const std::int64_t frac_scale = magic == 0xa1b23c4d ? 1 : 1000;
  std::size_t at = 24;
  while (at + 16 <= file.size()) {
    RawRecord r;
    r.header_offset = at;
    r.ts_ns = static_cast<std::int64_t>(get_le32(file, at)) * 1'000'000'000 +
              static_cast<std::int64_t>(get_le32(file, at + 4)) * frac_scale;
    r.caplen = get_le32(file, at + 8);
    r.len = get_le32(file, at + 12);
    at += 16;
    if (at + r.caplen > file.size()) break;
    r.bytes.assign(file.begin() + static_cast<std::ptrdiff_t>(at),
                   file.begin() + static_cast<std::ptrdiff_t>(at + r.caplen));
    at += r.caplen;
    out.push_back(std::move(r));
  }
  return out;
}

// A record as delivered, with its bytes copied out of the batch.
struct ReadRecord {
  std::uint64_t index = 0;
  std::int64_t ts_ns = 0;
  std::uint32_t caplen = 0;
  std::uint32_t len = 0;
  Bytes bytes;

  bool operator==(const ReadRecord&) const = default;
};

// Appends a batch's records, with copies of their bytes.
void copy_records(const RecordBatch& batch, std::vector<ReadRecord>& out) {
  for (const Record& r : batch.records) {
    auto data = batch.data(r);
    out.push_back({r.index, r.ts_ns, r.caplen, r.len, Bytes(data.begin(), data.end())});
  }
}

// Reads the whole capture; the batches' sizes are checked against `max_records`.
std::vector<ReadRecord> read_all(CaptureReader& reader, std::size_t max_records = kDefaultBatchRecords) {
  std::vector<ReadRecord> out;
  RecordBatch batch;
  while (true) {
    auto n = reader.read_batch(batch, max_records);
    if (!n) {
      ADD_FAILURE() << n.error().to_string();
      break;
    }
    EXPECT_EQ(*n, batch.records.size());
    EXPECT_LE(*n, std::max<std::size_t>(max_records, 1));
    if (*n == 0) break;
    copy_records(batch, out);
  }
  return out;
}

std::vector<ReadRecord> read_path(const std::string& path, std::size_t max_records = kDefaultBatchRecords) {
  auto reader = CaptureReader::open(path);
  if (!reader) {
    ADD_FAILURE() << reader.error().to_string();
    return {};
  }
  return read_all(*reader, max_records);
}

// A classic pcap file header (microsecond, little-endian) of `linktype` and snaplen 65535.
Bytes pcap_header(std::uint32_t linktype) {
  Bytes b;
  append_le32(b, 0xa1b2c3d4);
  append_le32(b, 0x00040002);  // version 2.4
  append_le32(b, 0);           // thiszone
  append_le32(b, 0);           // sigfigs
  append_le32(b, 65535);
  append_le32(b, linktype);
  return b;
}

void append_record(Bytes& file, std::uint32_t sec, std::uint32_t usec, const Bytes& data) {
  append_le32(file, sec);
  append_le32(file, usec);
  append_le32(file, static_cast<std::uint32_t>(data.size()));
  append_le32(file, static_cast<std::uint32_t>(data.size()));
  file.insert(file.end(), data.begin(), data.end());
}

struct CorpusCapture {
  const char* name;
  LinkType link;
  std::size_t records;
};

// Link types and frame counts from tests/data/pcaps/README.md, except ipv4-frag-tcp-syn.pcap:
// the README says RAW, but its header stores LINKTYPE_IPV4 (228), which is what libpcap reports.
constexpr CorpusCapture kCorpusCaptures[] = {
    {"sll-tcp-handshake-nano.pcap", LinkType::kLinuxSll, 3},
    {"tcp-handshake-http.pcap", LinkType::kEthernet, 6},
    {"vlan-http.pcap", LinkType::kEthernet, 1},
    {"qinq.pcap", LinkType::kEthernet, 2},
    {"raw-ipv4.pcap", LinkType::kRaw, 1},
    {"raw-ipv6.pcap", LinkType::kRaw, 1},
    {"linktype-ipv4.pcap", LinkType::kIpv4, 1},
    {"geneve.pcap", LinkType::kEthernet, 39},
    {"vxlan.pcap", LinkType::kEthernet, 10},
    {"null-snaplen256.pcap", LinkType::kNull, 18},
    {"empty.pcapng", LinkType::kEthernet, 0},
    {"malformed-ipv6-frag.pcap", LinkType::kEthernet, 1},
    {"icmp-frag-needed-smtp.pcap", LinkType::kEthernet, 60},
    {"icmpv6-packet-too-big.pcap", LinkType::kEthernet, 5},
    {"sll2.pcap", LinkType::kLinuxSll2, 5},
    {"ipv4-frag-tcp-syn.pcap", LinkType::kIpv4, 3},
    {"stacked-vlan.pcap", LinkType::kEthernet, 3},
    {"tcpreplay-mixed.pcap", LinkType::kEthernet, 179},
    {"communityid-tcp.pcap", LinkType::kEthernet, 12},
    {"communityid-icmp6.pcap", LinkType::kEthernet, 20},
    {"ppp.pcap", LinkType::kPpp, 4},
    {"c-hdlc.pcap", LinkType::kCiscoHdlc, 4},
    {"pppoe.pcap", LinkType::kEthernet, 4},
};

TEST(CaptureShared, EveryCaptureOpensWithItsLinkTypeAndRecordCount) {
  std::size_t seen = 0;
  for (const auto& entry : fs::directory_iterator(std::string(PFSIM_TEST_DATA_DIR) + "/pcaps")) {
    const std::string ext = entry.path().extension().string();
    if (ext == ".pcap" || ext == ".pcapng") ++seen;
  }
  EXPECT_EQ(seen, std::size(kCorpusCaptures)) << "a bundled capture is missing from kCorpusCaptures";

  for (const CorpusCapture& c : kCorpusCaptures) {
    SCOPED_TRACE(c.name);
    auto reader = CaptureReader::open(corpus_pcap(c.name));
    ASSERT_TRUE(reader) << reader.error().to_string();
    EXPECT_EQ(reader->link_type(), c.link);
    EXPECT_EQ(reader->path(), corpus_pcap(c.name));
    const auto records = read_all(*reader);
    EXPECT_EQ(records.size(), c.records);
    EXPECT_EQ(reader->records_read(), c.records);
    EXPECT_FALSE(reader->truncated_tail());
  }
}

TEST(CaptureShared, RecordsMatchTheFileFormat) {
  for (const CorpusCapture& c : kCorpusCaptures) {
    if (std::string_view(c.name).ends_with(".pcapng")) continue;
    SCOPED_TRACE(c.name);
    const auto expected = parse_pcap(read_bytes(corpus_pcap(c.name)));
    const auto got = read_path(corpus_pcap(c.name));
    ASSERT_EQ(got.size(), expected.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].index, i + 1);
      EXPECT_EQ(got[i].ts_ns, expected[i].ts_ns) << "record " << i + 1;
      EXPECT_EQ(got[i].caplen, expected[i].caplen) << "record " << i + 1;
      EXPECT_EQ(got[i].len, expected[i].len) << "record " << i + 1;
      EXPECT_EQ(got[i].bytes, expected[i].bytes) << "record " << i + 1;
    }
  }
}

TEST(CaptureTimestamps, NanosecondFileKeepsItsDigits) {
  const auto records = read_path(corpus_pcap("sll-tcp-handshake-nano.pcap"));
  ASSERT_EQ(records.size(), 3u);
  bool sub_microsecond = false;
  for (const auto& r : records) sub_microsecond |= r.ts_ns % 1000 != 0;
  EXPECT_TRUE(sub_microsecond);
}

TEST(CaptureTimestamps, MicrosecondFileIsScaledToNanoseconds) {
  const auto records = read_path(corpus_pcap("tcp-handshake-http.pcap"));
  ASSERT_EQ(records.size(), 6u);
  for (const auto& r : records) {
    EXPECT_EQ(r.ts_ns % 1000, 0);
    EXPECT_GT(r.ts_ns, std::int64_t{1'000'000'000} * 1'000'000'000);  // after 2001: not left in microseconds
  }
}

// Puts `path` on file descriptor 0 for the lifetime of the object.
class StdinFrom {
 public:
  explicit StdinFrom(const std::string& path) : saved_(dup(STDIN_FILENO)) {
    const int fd = ::open(path.c_str(), O_RDONLY);
    EXPECT_GE(fd, 0) << path;
    EXPECT_EQ(dup2(fd, STDIN_FILENO), STDIN_FILENO);
    ::close(fd);
  }
  ~StdinFrom() {
    dup2(saved_, STDIN_FILENO);
    ::close(saved_);
  }
  StdinFrom(const StdinFrom&) = delete;
  StdinFrom& operator=(const StdinFrom&) = delete;

 private:
  int saved_;
};

TEST(CaptureStdin, DashReadsTheSameRecordsAsThePath) {
  for (const char* name : {"tcpreplay-mixed.pcap", "sll-tcp-handshake-nano.pcap", "empty.pcapng"}) {
    SCOPED_TRACE(name);
    const auto expected = read_path(corpus_pcap(name));
    std::vector<ReadRecord> got;
    LinkType link = LinkType::kNull;
    {
      StdinFrom redirect(corpus_pcap(name));
      auto reader = CaptureReader::open("-");
      ASSERT_TRUE(reader) << reader.error().to_string();
      EXPECT_EQ(reader->path(), "-");
      link = reader->link_type();
      got = read_all(*reader);
    }
    EXPECT_EQ(link, CaptureReader::open(corpus_pcap(name))->link_type());
    EXPECT_EQ(got, expected);
  }
}

TEST(CaptureStdin, CorruptStandardInputIsNamedDash) {
  const std::string path = temp_path("stdin-bad-magic.pcap");
  write_bytes(path, Bytes(64, 0x42));
  StdinFrom redirect(path);
  auto reader = CaptureReader::open("-");
  ASSERT_FALSE(reader);
  EXPECT_EQ(reader.error().file, "-");
  EXPECT_NE(reader.error().message.find("bad magic"), std::string::npos) << reader.error().message;
}

TEST(CaptureBatches, EveryBatchSizeDeliversTheSameRecordsInOrder) {
  const std::string path = corpus_pcap("tcpreplay-mixed.pcap");
  const auto reference = read_path(path);
  ASSERT_EQ(reference.size(), 179u);
  for (std::size_t i = 0; i < reference.size(); ++i) EXPECT_EQ(reference[i].index, i + 1);
  // 0 is read as 1; 178, 179 and 180 put the end of the file just after, at and before a batch end.
  for (std::size_t size :
       {std::size_t{0}, std::size_t{1}, std::size_t{2}, std::size_t{178}, std::size_t{179}, std::size_t{180}}) {
    SCOPED_TRACE(size);
    EXPECT_EQ(read_path(path, size), reference);
  }
}

TEST(CaptureBatches, ReadingAfterTheEndKeepsReturningZero) {
  auto reader = CaptureReader::open(corpus_pcap("vlan-http.pcap"));
  ASSERT_TRUE(reader);
  RecordBatch batch;
  auto n = reader->read_batch(batch);
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 1u);
  for (int i = 0; i < 3; ++i) {
    n = reader->read_batch(batch);
    ASSERT_TRUE(n);
    EXPECT_EQ(*n, 0u);
    EXPECT_TRUE(batch.records.empty());
  }
}

TEST(CaptureBatches, SteadyStateBatchesDoNotReallocate) {
  for (ReadMode mode : {ReadMode::kLibpcap, ReadMode::kAuto}) {
    SCOPED_TRACE(mode == ReadMode::kAuto ? "mapped" : "libpcap");
    auto reader = CaptureReader::open(corpus_pcap("tcpreplay-mixed.pcap"), mode);
    ASSERT_TRUE(reader);
    EXPECT_EQ(reader->mapped(), mode == ReadMode::kAuto);
    RecordBatch batch;
    ASSERT_TRUE(reader->read_batch(batch, 179));
    const auto* records = batch.records.data();
    const auto* bytes = batch.bytes.data();
    // Mapped records leave the byte arena alone; copied ones fill it.
    EXPECT_EQ(batch.bytes.empty(), mode == ReadMode::kAuto);
    // Re-reading the same file into the same batch: capacity kept by clear() is enough.
    auto again = CaptureReader::open(corpus_pcap("tcpreplay-mixed.pcap"), mode);
    ASSERT_TRUE(again);
    ASSERT_TRUE(again->read_batch(batch, 179));
    EXPECT_EQ(batch.records.data(), records);
    EXPECT_EQ(batch.bytes.data(), bytes);
  }
}

// Cuts `cut` bytes off the end of a copy of a bundled capture.
std::string truncated_copy(const std::string& name, std::size_t cut, const std::string& out_name) {
  Bytes file = read_bytes(corpus_pcap(name));
  file.resize(file.size() - cut);
  const std::string path = temp_path(out_name);
  write_bytes(path, file);
  return path;
}

TEST(CaptureTruncated, FinalRecordCutInsideItsBytesKeepsEverythingBefore) {
  const auto all = read_path(corpus_pcap("tcpreplay-mixed.pcap"));
  ASSERT_EQ(all.size(), 179u);
  for (std::size_t batch_size : {std::size_t{1}, std::size_t{7}, kDefaultBatchRecords}) {
    SCOPED_TRACE(batch_size);
    auto reader = CaptureReader::open(truncated_copy("tcpreplay-mixed.pcap", 5, "cut-bytes.pcap"));
    ASSERT_TRUE(reader) << reader.error().to_string();
    const auto got = read_all(*reader, batch_size);
    EXPECT_EQ(got, std::vector<ReadRecord>(all.begin(), all.end() - 1));
    EXPECT_TRUE(reader->truncated_tail());
    EXPECT_EQ(reader->records_read(), 178u);
  }
}

TEST(CaptureTruncated, FinalRecordCutInsideItsHeaderKeepsEverythingBefore) {
  const Bytes file = read_bytes(corpus_pcap("tcp-handshake-http.pcap"));
  const auto layout = parse_pcap(file);
  ASSERT_EQ(layout.size(), 6u);
  // Keep 10 of the last record's 16 header bytes.
  const std::size_t cut = file.size() - (layout.back().header_offset + 10);
  auto reader = CaptureReader::open(truncated_copy("tcp-handshake-http.pcap", cut, "cut-header.pcap"));
  ASSERT_TRUE(reader) << reader.error().to_string();
  EXPECT_EQ(read_all(*reader).size(), 5u);
  EXPECT_TRUE(reader->truncated_tail());
}

TEST(CaptureTruncated, CompleteFileHasNoTruncatedTail) {
  auto reader = CaptureReader::open(corpus_pcap("tcp-handshake-http.pcap"));
  ASSERT_TRUE(reader);
  read_all(*reader);
  EXPECT_FALSE(reader->truncated_tail());
}

// Opening `bytes` as a file fails; the error names the file and contains `fragment`.
void expect_open_error(const std::string& name, const Bytes& bytes, const std::string& fragment) {
  SCOPED_TRACE(name);
  const std::string path = temp_path(name);
  write_bytes(path, bytes);
  auto reader = CaptureReader::open(path);
  ASSERT_FALSE(reader);
  EXPECT_EQ(reader.error().file, path);
  EXPECT_FALSE(reader.error().packet_index);
  EXPECT_NE(reader.error().message.find(fragment), std::string::npos) << reader.error().message;
  EXPECT_EQ(reader.error().to_string().rfind(path + ": error: ", 0), 0u) << reader.error().to_string();
}

TEST(CaptureCorrupt, BadMagicIsNamed) {
  Bytes file = read_bytes(corpus_pcap("vlan-http.pcap"));
  file[0] = 0x00;
  expect_open_error("bad-magic.pcap", file, "not a pcap or pcapng file (bad magic number)");
}

TEST(CaptureCorrupt, HeaderCutTo10BytesIsTruncatedHeader) {
  Bytes file = read_bytes(corpus_pcap("vlan-http.pcap"));
  file.resize(10);
  expect_open_error("header-10.pcap", file, "truncated file header");
}

TEST(CaptureCorrupt, PcapngHeaderCutIsTruncatedHeader) {
  Bytes file = read_bytes(corpus_pcap("empty.pcapng"));
  file.resize(20);
  expect_open_error("header-20.pcapng", file, "truncated");
}

TEST(CaptureCorrupt, EmptyFileIsNamed) { expect_open_error("empty.pcap", Bytes{}, "empty file"); }

TEST(CaptureCorrupt, MissingFileIsNamed) {
  const std::string path = temp_path("does-not-exist.pcap");
  std::remove(path.c_str());
  auto reader = CaptureReader::open(path);
  ASSERT_FALSE(reader);
  EXPECT_EQ(reader.error().file, path);
  EXPECT_NE(reader.error().message.find("No such file"), std::string::npos) << reader.error().message;
}

TEST(CaptureCorrupt, UnsupportedLinkTypeIsNamed) {
  Bytes file = pcap_header(105);
  append_record(file, 1'700'000'000, 0, Bytes(24, 0));
  expect_open_error("linktype-105.pcap", file, "link type 105 (IEEE802_11) is not supported");
}

TEST(CaptureCorrupt, OversizedCaplenIsLocatedByPacketAndOffset) {
  Bytes file = read_bytes(corpus_pcap("tcp-handshake-http.pcap"));
  const auto layout = parse_pcap(file);
  ASSERT_EQ(layout.size(), 6u);
  const std::size_t bad_header = layout[2].header_offset;
  put_le32(file, bad_header + 8, 300000);  // caplen, beyond libpcap's 262144 maximum
  const std::string path = temp_path("caplen-300000.pcap");
  write_bytes(path, file);

  auto reader = CaptureReader::open(path);
  ASSERT_TRUE(reader) << reader.error().to_string();
  RecordBatch batch;
  // The records before the bad one come first, the error with the next call, and again after.
  auto n = reader->read_batch(batch);
  ASSERT_TRUE(n) << n.error().to_string();
  EXPECT_EQ(*n, 2u);
  for (int i = 0; i < 2; ++i) {
    auto bad = reader->read_batch(batch);
    ASSERT_FALSE(bad);
    EXPECT_TRUE(batch.records.empty());
    const net::Error& e = bad.error();
    EXPECT_EQ(e.file, path);
    EXPECT_EQ(e.packet_index, std::optional<std::uint64_t>(3));
    EXPECT_EQ(e.byte_offset, std::optional<std::uint64_t>(bad_header));
    EXPECT_NE(e.message.find("300000"), std::string::npos) << e.message;
    EXPECT_NE(e.to_string().find(path + located(3, bad_header)), std::string::npos) << e.to_string();
  }
  EXPECT_FALSE(reader->truncated_tail());
}

TEST(CaptureCorrupt, OversizedCaplenInFirstRecordFailsTheFirstBatch) {
  Bytes file = pcap_header(1);
  append_record(file, 1'700'000'000, 0, Bytes(60, 0));
  put_le32(file, 24 + 8, 0xffffffff);
  const std::string path = temp_path("caplen-max.pcap");
  write_bytes(path, file);
  auto reader = CaptureReader::open(path);
  ASSERT_TRUE(reader);
  RecordBatch batch;
  auto n = reader->read_batch(batch);
  ASSERT_FALSE(n);
  EXPECT_EQ(n.error().packet_index, std::optional<std::uint64_t>(1));
  EXPECT_EQ(n.error().byte_offset, std::optional<std::uint64_t>(24));
}

// The named regression files of tests/corpus/pcap: capture-*.pcap with the message fragment
// their open or read must fail with in capture-*.expected_error.
TEST(CaptureCorpus, NamedRegressionFilesFailWithTheirMessage) {
  std::size_t checked = 0;
  for (const auto& entry : fs::directory_iterator(std::string(PFSIM_CORPUS_DIR) + "/pcap")) {
    const fs::path p = entry.path();
    if (p.extension() != ".expected_error" || !p.filename().string().starts_with("capture-")) continue;
    SCOPED_TRACE(p.filename().string());
    std::ifstream in(p);
    std::string fragment;
    std::getline(in, fragment);
    ASSERT_FALSE(fragment.empty());
    const std::string capture = fs::path(p).replace_extension(".pcap").string();
    ASSERT_TRUE(fs::exists(capture)) << capture;

    std::string message;
    auto reader = CaptureReader::open(capture);
    if (!reader) {
      message = reader.error().to_string();
    } else {
      RecordBatch batch;
      while (true) {
        auto n = reader->read_batch(batch, 1);
        if (!n) {
          message = n.error().to_string();
          break;
        }
        if (*n == 0) break;
      }
    }
    EXPECT_NE(message.find(fragment), std::string::npos) << "got: " << message;
    ++checked;
  }
  EXPECT_GE(checked, 3u);
}

// Every prefix of a capture: the header cut is an open error naming the file; a cut after
// it delivers exactly the whole records before the cut, and truncated_tail() says whether
// the cut fell inside a record.
TEST(CaptureRobustness, EveryPrefixOfACaptureIsAnErrorOrAPrefixOfItsRecords) {
  for (const char* name : {"sll-tcp-handshake-nano.pcap", "vlan-http.pcap", "empty.pcapng"}) {
    SCOPED_TRACE(name);
    const Bytes file = read_bytes(corpus_pcap(name));
    const auto all = read_path(corpus_pcap(name));
    const bool pcapng = std::string_view(name).ends_with(".pcapng");
    std::vector<std::size_t> record_ends{24};
    if (!pcapng) {
      for (const auto& r : parse_pcap(file)) record_ends.push_back(r.header_offset + 16 + r.caplen);
    }
    const std::string path = temp_path("prefix.pcap");
    for (std::size_t size = 0; size < file.size(); ++size) {
      SCOPED_TRACE(size);
      write_bytes(path, Bytes(file.begin(), file.begin() + static_cast<std::ptrdiff_t>(size)));
      auto reader = CaptureReader::open(path);
      if (!reader) {
        EXPECT_EQ(reader.error().file, path);
        EXPECT_TRUE(pcapng || size < 24) << reader.error().to_string();
        continue;
      }
      const auto got = read_all(*reader);
      ASSERT_LE(got.size(), all.size());
      EXPECT_TRUE(std::equal(got.begin(), got.end(), all.begin()));
      if (pcapng) continue;
      std::size_t whole = 0;
      while (whole + 1 < record_ends.size() && record_ends[whole + 1] <= size) ++whole;
      EXPECT_EQ(got.size(), whole);
      EXPECT_EQ(reader->truncated_tail(), size != record_ends[whole]);
    }
  }
}

// Random damage to record headers and bytes: never a crash or an out-of-bounds read (the
// sanitizer build checks), and every failure is located in the file.
TEST(CaptureRobustness, DamagedCapturesGiveRecordsOrLocatedErrors) {
  const Bytes original = read_bytes(corpus_pcap("tcp-handshake-http.pcap"));
  const std::string path = temp_path("damaged.pcap");
  std::mt19937 random(20240601);
  std::uniform_int_distribution<std::size_t> position(24, original.size() - 1);
  std::uniform_int_distribution<int> value(0, 255);
  for (int round = 0; round < 300; ++round) {
    Bytes file = original;
    for (int k = 0; k < 1 + round % 4; ++k) file[position(random)] = static_cast<std::uint8_t>(value(random));
    write_bytes(path, file);
    auto reader = CaptureReader::open(path);
    ASSERT_TRUE(reader) << reader.error().to_string();  // the file header is intact
    RecordBatch batch;
    std::uint64_t delivered = 0;
    while (true) {
      auto n = reader->read_batch(batch, 3);
      if (!n) {
        EXPECT_EQ(n.error().file, path);
        EXPECT_EQ(n.error().packet_index, std::optional<std::uint64_t>(delivered + 1));
        EXPECT_TRUE(n.error().byte_offset);
        break;
      }
      if (*n == 0) break;
      for (const Record& r : batch.records) {
        EXPECT_EQ(r.index, ++delivered);
        // Mapped bytes are in the file (after its header), copied ones in the arena.
        if (reader->mapped()) {
          EXPECT_GE(r.data_offset, 24u + 16u);
          EXPECT_LE(r.data_offset + r.caplen, file.size());
        } else {
          EXPECT_LE(r.data_offset + r.caplen, batch.bytes.size());
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The mapped path against libpcap: every input is read with ReadMode::kLibpcap (copied, the
// reference) and ReadMode::kAuto (mapped where possible) with batches of 1, 7 and 1024
// records, and both must give the same open error, link type, records (index, time, lengths,
// bytes), read error (with its location) and truncated tail.

// What a whole read of a capture gives.
struct Outcome {
  std::string open_error;  // "" = opened
  LinkType link = LinkType::kNull;
  bool mapped = false;
  std::vector<ReadRecord> records;
  std::string read_error;  // to_string() of read_batch's error, "" = none
  bool truncated_tail = false;
  std::uint64_t records_read = 0;
};

Outcome read_outcome(const std::string& path, ReadMode mode, std::size_t max_records) {
  Outcome o;
  auto reader = CaptureReader::open(path, mode);
  if (!reader) {
    o.open_error = reader.error().to_string();
    return o;
  }
  o.link = reader->link_type();
  o.mapped = reader->mapped();
  RecordBatch batch;
  while (true) {
    auto n = reader->read_batch(batch, max_records);
    if (!n) {
      o.read_error = n.error().to_string();
      EXPECT_TRUE(batch.records.empty());
      auto again = reader->read_batch(batch, max_records);  // the error stays
      EXPECT_FALSE(again);
      if (!again) {
        EXPECT_EQ(again.error().to_string(), o.read_error);
      }
      break;
    }
    EXPECT_EQ(*n, batch.records.size());
    EXPECT_LE(*n, std::max<std::size_t>(max_records, 1));
    if (*n == 0) break;
    copy_records(batch, o.records);
  }
  o.truncated_tail = reader->truncated_tail();
  o.records_read = reader->records_read();
  return o;
}

// "" when the two record lists are the same, else the first difference, readably.
std::string record_difference(const std::vector<ReadRecord>& expected, const std::vector<ReadRecord>& got) {
  for (std::size_t i = 0; i < std::min(expected.size(), got.size()); ++i) {
    const ReadRecord& e = expected[i];
    const ReadRecord& g = got[i];
    if (e == g) continue;
    return "record " + std::to_string(i) + ": index " + std::to_string(e.index) + "/" + std::to_string(g.index) +
           ", ts_ns " + std::to_string(e.ts_ns) + "/" + std::to_string(g.ts_ns) + ", caplen " +
           std::to_string(e.caplen) + "/" + std::to_string(g.caplen) + ", len " + std::to_string(e.len) + "/" +
           std::to_string(g.len) + (e.bytes != g.bytes ? ", bytes differ" : "");
  }
  if (expected.size() != got.size())
    return std::to_string(expected.size()) + " records expected, " + std::to_string(got.size()) + " read";
  return "";
}

// Reads `path` both ways with each batch size and checks that they agree. Returns the
// reference (libpcap) outcome, with `mapped` from the kAuto reader.
Outcome expect_same_both_ways(const std::string& path) {
  Outcome reference;
  for (std::size_t batch : {std::size_t{1}, std::size_t{7}, kDefaultBatchRecords}) {
    SCOPED_TRACE("batches of " + std::to_string(batch));
    const Outcome copied = read_outcome(path, ReadMode::kLibpcap, batch);
    const Outcome mapped = read_outcome(path, ReadMode::kAuto, batch);
    EXPECT_FALSE(copied.mapped);
    EXPECT_EQ(mapped.open_error, copied.open_error);
    EXPECT_EQ(mapped.link, copied.link);
    EXPECT_EQ(record_difference(copied.records, mapped.records), "");
    EXPECT_EQ(mapped.read_error, copied.read_error);
    EXPECT_EQ(mapped.truncated_tail, copied.truncated_tail);
    EXPECT_EQ(mapped.records_read, copied.records_read);
    reference = copied;
    reference.mapped = mapped.mapped;
  }
  return reference;
}

// A classic pcap file built field by field, in either byte order.
class CraftedPcap {
 public:
  CraftedPcap(bool big_endian, std::uint32_t magic, std::uint32_t linktype, std::uint32_t snaplen = 65535,
              std::uint16_t version_major = 2, std::uint16_t version_minor = 4)
      : big_endian_(big_endian) {
    put32(magic);
    put16(version_major);
    put16(version_minor);
    put32(0);  // thiszone
    put32(0);  // sigfigs
    put32(snaplen);
    put32(linktype);
  }

  // A record whose header says `caplen` and `len`, followed by `data` (which a corrupt
  // record's caplen need not match).
  CraftedPcap& record(std::uint32_t sec, std::uint32_t frac, std::uint32_t caplen, std::uint32_t len,
                      const Bytes& data) {
    record_offsets_.push_back(bytes_.size());
    put32(sec);
    put32(frac);
    put32(caplen);
    put32(len);
    bytes_.insert(bytes_.end(), data.begin(), data.end());
    return *this;
  }
  // A whole record of `size` patterned bytes, at one second past the previous one.
  CraftedPcap& packet(std::size_t size) {
    const auto n = static_cast<std::uint32_t>(size);
    return record(1'700'000'000 + static_cast<std::uint32_t>(record_offsets_.size()), 250'000, n, n,
                  pattern(size, static_cast<std::uint8_t>(record_offsets_.size())));
  }
  CraftedPcap& cut(std::size_t bytes) {
    bytes_.resize(bytes_.size() - bytes);
    return *this;
  }

  static Bytes pattern(std::size_t size, std::uint8_t seed) {
    Bytes b(size);
    for (std::size_t i = 0; i < size; ++i) b[i] = static_cast<std::uint8_t>(i * 13 + seed * 7 + 1);
    return b;
  }
  std::size_t record_offset(std::size_t i) const { return record_offsets_.at(i); }
  const Bytes& bytes() const { return bytes_; }

  std::string write(const std::string& name) const {
    const std::string path = temp_path("crafted-" + name);
    write_bytes(path, bytes_);
    return path;
  }

 private:
  void put16(std::uint16_t v) {
    for (int i = 0; i < 2; ++i) bytes_.push_back(static_cast<std::uint8_t>(v >> (8 * (big_endian_ ? 1 - i : i))));
  }
  void put32(std::uint32_t v) {
    for (int i = 0; i < 4; ++i) bytes_.push_back(static_cast<std::uint8_t>(v >> (8 * (big_endian_ ? 3 - i : i))));
  }

  bool big_endian_;
  Bytes bytes_;
  std::vector<std::size_t> record_offsets_;
};

constexpr std::uint32_t kMicro = 0xa1b2c3d4;
constexpr std::uint32_t kNano = 0xa1b23c4d;
constexpr std::uint32_t kEthernet = 1;
constexpr std::int64_t kNs = 1'000'000'000;

TEST(CaptureMapped, EveryCorpusCaptureReadsTheSameBothWays) {
  std::size_t mapped = 0;
  std::size_t files = 0;
  for (const auto& entry : fs::directory_iterator(std::string(PFSIM_TEST_DATA_DIR) + "/pcaps")) {
    const std::string ext = entry.path().extension().string();
    if (ext != ".pcap" && ext != ".pcapng") continue;
    SCOPED_TRACE(entry.path().filename().string());
    const Outcome o = expect_same_both_ways(entry.path().string());
    EXPECT_EQ(o.open_error, "");
    EXPECT_EQ(o.read_error, "");
    // Every shared .pcap is a little-endian classic pcap file: all of them are mapped.
    EXPECT_EQ(o.mapped, ext == ".pcap");
    mapped += o.mapped ? 1u : 0u;
    ++files;
  }
  EXPECT_EQ(files, std::size(kCorpusCaptures));
  EXPECT_GE(mapped, files - 1);
}

TEST(CaptureMapped, CorpusFilesAndEveryPrefixReadTheSameBothWays) {
  for (const auto& entry : fs::directory_iterator(std::string(PFSIM_CORPUS_DIR) + "/pcap")) {
    if (entry.path().extension() != ".pcap") continue;
    SCOPED_TRACE(entry.path().filename().string());
    expect_same_both_ways(entry.path().string());
  }
  // Every cut of two captures (microsecond and nanosecond): inside the file header, a record
  // header or a record's bytes, and between records.
  for (const char* name : {"sll-tcp-handshake-nano.pcap", "vlan-http.pcap"}) {
    const Bytes file = read_bytes(corpus_pcap(name));
    const std::string path = temp_path("mapped-prefix.pcap");
    std::size_t truncated = 0;
    for (std::size_t size = 0; size <= file.size(); ++size) {
      SCOPED_TRACE(std::string(name) + " cut to " + std::to_string(size));
      write_bytes(path, Bytes(file.begin(), file.begin() + static_cast<std::ptrdiff_t>(size)));
      const Outcome o = expect_same_both_ways(path);
      EXPECT_EQ(o.mapped, size >= 24);
      truncated += o.truncated_tail ? 1u : 0u;
      if (testing::Test::HasFailure()) return;
    }
    EXPECT_GT(truncated, file.size() / 2);  // the cuts did fall inside records
  }
}

TEST(CaptureMapped, RandomlyDamagedCapturesReadTheSameBothWays) {
  // Damage anywhere but the magic number: versions, snaplen and link type in the file header,
  // times, lengths and bytes in the records. Opening, errors and records must all agree.
  const Bytes original = read_bytes(corpus_pcap("tcp-handshake-http.pcap"));
  const std::string path = temp_path("mapped-damaged.pcap");
  std::mt19937 random(20261123);
  std::uniform_int_distribution<std::size_t> anywhere(4, original.size() - 1);
  std::uniform_int_distribution<std::size_t> lengths(0, 5);  // one of the records' caplen/len
  std::uniform_int_distribution<int> value(0, 255);
  const auto layout = parse_pcap(original);
  std::size_t read_errors = 0;
  std::size_t truncated = 0;
  for (int round = 0; round < 400; ++round) {
    SCOPED_TRACE(round);
    Bytes file = original;
    for (int k = 0; k < 1 + round % 3; ++k) {
      // Half of the damage goes to the length fields, where libpcap's decisions are.
      std::size_t at = anywhere(random);
      if (round % 2 == 0) at = layout[lengths(random)].header_offset + 8 + static_cast<std::size_t>(value(random) % 8);
      file[at] = static_cast<std::uint8_t>(value(random));
    }
    write_bytes(path, file);
    const Outcome o = expect_same_both_ways(path);
    read_errors += o.read_error.empty() ? 0u : 1u;
    truncated += o.truncated_tail ? 1u : 0u;
    if (testing::Test::HasFailure()) return;
  }
  // The damage did reach libpcap's error and truncation paths.
  EXPECT_GT(read_errors, 20u);
  EXPECT_GT(truncated, 20u);
}

TEST(CaptureMapped, ByteSwappedMicrosecondFile) {
  // libpcap widens swapped times without their sign (SWAPLONG yields an unsigned int).
  CraftedPcap f(true, kMicro, kEthernet);
  f.record(0x80000001u, 0xfffffff0u, 4, 4, Bytes{1, 2, 3, 4}).packet(60).packet(1514);
  const Outcome o = expect_same_both_ways(f.write("swapped-micro.pcap"));
  EXPECT_TRUE(o.mapped);
  EXPECT_EQ(o.link, LinkType::kEthernet);
  ASSERT_EQ(o.records.size(), 3u);
  EXPECT_EQ(o.records[0].ts_ns, std::int64_t{0x80000001} * kNs + std::int64_t{0xfffffff0} * 1000);
  EXPECT_EQ(o.records[0].bytes, (Bytes{1, 2, 3, 4}));
  EXPECT_EQ(o.records[1].ts_ns, std::int64_t{1'700'000'001} * kNs + 250'000'000);
  EXPECT_EQ(o.records[2].caplen, 1514u);
  EXPECT_EQ(o.records[2].bytes, CraftedPcap::pattern(1514, 2));
}

TEST(CaptureMapped, NativeOrderTimesWidenWithTheirSign) {
  // In the file's own byte order the times are bpf_int32 in libpcap's pcap_timeval.
  CraftedPcap f(false, kMicro, kEthernet);
  f.record(0x80000001u, 0xfffffff0u, 4, 4, Bytes{1, 2, 3, 4}).packet(60);
  const Outcome o = expect_same_both_ways(f.write("signed-times.pcap"));
  EXPECT_TRUE(o.mapped);
  ASSERT_EQ(o.records.size(), 2u);
  EXPECT_EQ(o.records[0].ts_ns, std::int64_t{-0x7fffffff} * kNs - 16 * 1000);
}

TEST(CaptureMapped, NanosecondFileInBothByteOrders) {
  for (bool big_endian : {false, true}) {
    SCOPED_TRACE(big_endian ? "big-endian" : "little-endian");
    CraftedPcap f(big_endian, kNano, kEthernet);
    f.record(1'700'000'000, 123'456'789, 60, 60, CraftedPcap::pattern(60, 9)).packet(42);
    const Outcome o = expect_same_both_ways(f.write("nano.pcap"));
    EXPECT_TRUE(o.mapped);
    ASSERT_EQ(o.records.size(), 2u);
    EXPECT_EQ(o.records[0].ts_ns, std::int64_t{1'700'000'000} * kNs + 123'456'789);
    EXPECT_EQ(o.records[1].ts_ns, std::int64_t{1'700'000'001} * kNs + 250'000);  // not scaled
  }
}

TEST(CaptureMapped, MicrosecondFileIsScaled) {
  CraftedPcap f(false, kMicro, kEthernet);
  f.record(1'700'000'000, 999'999, 60, 1514, CraftedPcap::pattern(60, 3));
  const Outcome o = expect_same_both_ways(f.write("micro.pcap"));
  EXPECT_TRUE(o.mapped);
  ASSERT_EQ(o.records.size(), 1u);
  EXPECT_EQ(o.records[0].ts_ns, std::int64_t{1'700'000'000} * kNs + 999'999'000);
  EXPECT_EQ(o.records[0].caplen, 60u);
  EXPECT_EQ(o.records[0].len, 1514u);
}

TEST(CaptureMapped, TruncatedRecordHeaderEndsAfterTheRecordsBefore) {
  for (std::size_t keep : {1u, 8u, 15u}) {
    SCOPED_TRACE(keep);
    CraftedPcap f(false, kMicro, kEthernet);
    f.packet(60).packet(70).packet(80).cut(16 + 80 - keep);
    const Outcome o = expect_same_both_ways(f.write("cut-header.pcap"));
    EXPECT_TRUE(o.mapped);
    EXPECT_EQ(o.records.size(), 2u);
    EXPECT_TRUE(o.truncated_tail);
    EXPECT_EQ(o.read_error, "");
  }
}

TEST(CaptureMapped, TruncatedRecordDataEndsAfterTheRecordsBefore) {
  for (std::size_t cut : {1u, 40u, 80u}) {
    SCOPED_TRACE(cut);
    CraftedPcap f(true, kNano, kEthernet);
    f.packet(60).packet(70).packet(80).cut(cut);
    const Outcome o = expect_same_both_ways(f.write("cut-data.pcap"));
    EXPECT_TRUE(o.mapped);
    EXPECT_EQ(o.records.size(), 2u);
    EXPECT_TRUE(o.truncated_tail);
  }
}

TEST(CaptureMapped, CaplenAboveTheSnaplenIsCutToIt) {
  // libpcap delivers the first snaplen bytes, reports caplen = snaplen and skips the rest.
  CraftedPcap f(false, kMicro, kEthernet, 100);
  f.record(1'700'000'000, 0, 300, 1000, CraftedPcap::pattern(300, 1)).packet(60).packet(100);
  const Outcome o = expect_same_both_ways(f.write("caplen-over-snaplen.pcap"));
  EXPECT_TRUE(o.mapped);
  ASSERT_EQ(o.records.size(), 3u);
  EXPECT_EQ(o.records[0].caplen, 100u);
  EXPECT_EQ(o.records[0].len, 1000u);
  const Bytes first = CraftedPcap::pattern(300, 1);
  EXPECT_EQ(o.records[0].bytes, Bytes(first.begin(), first.begin() + 100));
  EXPECT_EQ(o.records[1].bytes, CraftedPcap::pattern(60, 1));
  EXPECT_EQ(o.records[2].caplen, 100u);
  EXPECT_FALSE(o.truncated_tail);
}

TEST(CaptureMapped, CaplenAboveTheSnaplenCutInTheSkippedPartIsATruncatedTail) {
  for (std::size_t cut : {100u, 250u}) {  // inside the skipped part, then inside the kept part
    SCOPED_TRACE(cut);
    CraftedPcap f(false, kMicro, kEthernet, 100);
    f.packet(60).record(1'700'000'001, 0, 300, 300, CraftedPcap::pattern(300, 1)).cut(cut);
    const Outcome o = expect_same_both_ways(f.write("caplen-over-snaplen-cut.pcap"));
    EXPECT_EQ(o.records.size(), 1u);
    EXPECT_TRUE(o.truncated_tail);
  }
}

TEST(CaptureMapped, CaplenAboveTheMaximumIsALocatedErrorAfterTheRecordsBefore) {
  CraftedPcap f(false, kMicro, kEthernet);
  f.packet(60).packet(70).record(1'700'000'002, 0, 300000, 300000, Bytes(64, 0)).packet(60);
  const std::string path = f.write("caplen-over-maximum.pcap");
  const Outcome o = expect_same_both_ways(path);
  EXPECT_TRUE(o.mapped);
  EXPECT_EQ(o.records.size(), 2u);
  EXPECT_EQ(o.read_error, path + located(3, f.record_offset(2)) +
                              "invalid packet capture length 300000, bigger than snaplen of 65535");
  EXPECT_FALSE(o.truncated_tail);
}

TEST(CaptureMapped, ErrorOffsetCountsTheBytesSkippedBeyondTheSnaplen) {
  // The libpcap path reports the cut caplen (100), yet the next header is 300 bytes on.
  CraftedPcap f(true, kMicro, kEthernet, 100);
  f.record(1'700'000'000, 0, 300, 300, CraftedPcap::pattern(300, 1))
      .record(1'700'000'001, 0, 0x7fffffff, 60, Bytes(60, 0));
  const std::string path = f.write("error-after-cut.pcap");
  const Outcome o = expect_same_both_ways(path);
  EXPECT_TRUE(o.mapped);
  EXPECT_EQ(o.records.size(), 1u);
  EXPECT_EQ(o.read_error, path + located(2, f.record_offset(1)) +
                              "invalid packet capture length 2147483647, bigger than snaplen of 100");
  EXPECT_EQ(f.record_offset(1), 24u + 16u + 300u);
}

TEST(CaptureMapped, FileEndingAfterItsHeaderHasNoRecords) {
  for (bool big_endian : {false, true}) {
    CraftedPcap f(big_endian, kNano, kEthernet);
    const Outcome o = expect_same_both_ways(f.write("header-only.pcap"));
    EXPECT_TRUE(o.mapped);
    EXPECT_EQ(o.open_error, "");
    EXPECT_TRUE(o.records.empty());
    EXPECT_FALSE(o.truncated_tail);
    EXPECT_EQ(o.read_error, "");
  }
}

TEST(CaptureMapped, LinkTypeWithFcsBitsIsTheLinkType) {
  // The upper 6 bits of the link-type field (LT_LINKTYPE_EXT: an FCS length of 4 and the
  // "FCS length present" bit) are not part of the link type.
  for (bool big_endian : {false, true}) {
    CraftedPcap f(big_endian, kMicro, kEthernet | 0x04000000u | 0x40000000u);
    f.packet(64).packet(68);
    const Outcome o = expect_same_both_ways(f.write("fcs-bits.pcap"));
    EXPECT_EQ(o.open_error, "");
    EXPECT_TRUE(o.mapped);
    EXPECT_EQ(o.link, LinkType::kEthernet);
    EXPECT_EQ(o.records.size(), 2u);
  }
}

TEST(CaptureMapped, SnaplenZeroOrNegativeMeansTheMaximumAndALargeOneIsKept) {
  // libpcap 1.10.3's pcap_check_header(): a snaplen that is 0 or negative as an int becomes
  // 262144; a larger positive one is kept (later releases clamp it too). Records up to 262144
  // bytes are whole; a 262145-byte one is an error worded by whether it exceeds the snaplen.
  struct Case {
    std::uint32_t snaplen;
    const char* message;
  };
  for (const Case& c : {Case{0, "bigger than snaplen of 262144"}, Case{0xffffffffu, "bigger than snaplen of 262144"},
                        Case{0x7fffffffu, "bigger than maximum of 262144"}}) {
    SCOPED_TRACE(c.snaplen);
    CraftedPcap f(false, kMicro, kEthernet, c.snaplen);
    f.packet(200000).record(1'700'000'001, 0, 262145, 262145, Bytes(262145, 7));
    const std::string path = f.write("snaplen-adjusted.pcap");
    const Outcome o = expect_same_both_ways(path);
    EXPECT_TRUE(o.mapped);
    ASSERT_EQ(o.records.size(), 1u);
    EXPECT_EQ(o.records[0].caplen, 200000u);
    EXPECT_NE(o.read_error.find(std::string("invalid packet capture length 262145, ") + c.message), std::string::npos)
        << o.read_error;
  }
}

TEST(CaptureMapped, OldVersionsHaveTheirLengthFieldsSwapped) {
  // Before 2.3 (and in DG/UX's 543.0) len comes before caplen; in 2.3 only where caplen > len.
  struct Case {
    std::uint16_t major, minor;
    std::uint32_t first_caplen;   // of a record stored as (caplen 200, len 60)
    std::uint32_t second_caplen;  // of a record stored as (caplen 60, len 200)
  };
  for (const Case& c :
       {Case{2, 2, 60, 200}, Case{2, 0, 60, 200}, Case{543, 0, 60, 200}, Case{2, 3, 60, 60}, Case{2, 4, 200, 60}}) {
    SCOPED_TRACE(std::to_string(c.major) + "." + std::to_string(c.minor));
    CraftedPcap f(c.major == 543, kMicro, kEthernet, 65535, c.major, c.minor);
    f.record(1'700'000'000, 0, 200, 60, CraftedPcap::pattern(c.first_caplen, 1));
    f.record(1'700'000'001, 0, 60, 200, CraftedPcap::pattern(c.second_caplen, 2));
    const Outcome o = expect_same_both_ways(f.write("old-version.pcap"));
    EXPECT_EQ(o.open_error, "");
    EXPECT_TRUE(o.mapped);
    ASSERT_EQ(o.records.size(), 2u);
    EXPECT_EQ(o.records[0].caplen, c.first_caplen);
    EXPECT_EQ(o.records[1].caplen, c.second_caplen);
    EXPECT_FALSE(o.truncated_tail);
  }
}

TEST(CaptureMapped, ByteSwappedLinuxSllIsLeftToLibpcap) {
  // libpcap rewrites the CAN ID of a SocketCAN packet in a byte-swapped SLL file (so its bytes
  // are not the file's); the mapped path leaves such files to it. The native order is mapped.
  Bytes sll(16 + 8, 0);
  sll[14] = 0x00;
  sll[15] = 0x0c;  // protocol LINUX_SLL_P_CAN
  sll[16] = 0x11;  // CAN ID, in the writer's byte order
  sll[19] = 0x44;
  for (bool big_endian : {false, true}) {
    SCOPED_TRACE(big_endian ? "big-endian" : "little-endian");
    CraftedPcap f(big_endian, kMicro, 113);
    f.record(1'700'000'000, 0, 24, 24, sll).packet(40);
    const Outcome o = expect_same_both_ways(f.write("sll-can.pcap"));
    EXPECT_EQ(o.mapped, !big_endian);
    ASSERT_EQ(o.records.size(), 2u);
    EXPECT_EQ(o.records[0].bytes[16], big_endian ? 0x44 : 0x11);
  }
}

TEST(CaptureMapped, OnlyClassicPcapRegularFilesAreMapped) {
  // Kuznetzov's modified format (24-byte record headers) stays with libpcap.
  Bytes modified;
  append_le32(modified, 0xa1b2cd34);
  append_le32(modified, 0x00040002);
  append_le32(modified, 0);
  append_le32(modified, 0);
  append_le32(modified, 65535);
  append_le32(modified, 1);
  for (std::uint32_t v : {1'700'000'000u, 0u, 4u, 4u, 0u, 0u}) append_le32(modified, v);
  append_le32(modified, 0x04030201);
  const std::string kuznetzov = temp_path("kuznetzov.pcap");
  write_bytes(kuznetzov, modified);
  const Outcome o = expect_same_both_ways(kuznetzov);
  EXPECT_FALSE(o.mapped);
  ASSERT_EQ(o.records.size(), 1u);
  EXPECT_EQ(o.records[0].bytes, (Bytes{1, 2, 3, 4}));

  EXPECT_FALSE(expect_same_both_ways(corpus_pcap("empty.pcapng")).mapped);
  {
    StdinFrom redirect(corpus_pcap("vlan-http.pcap"));
    auto reader = CaptureReader::open("-");
    ASSERT_TRUE(reader);
    EXPECT_FALSE(reader->mapped());
  }
  auto forced = CaptureReader::open(corpus_pcap("vlan-http.pcap"), ReadMode::kLibpcap);
  ASSERT_TRUE(forced);
  EXPECT_FALSE(forced->mapped());
  auto automatic = CaptureReader::open(corpus_pcap("vlan-http.pcap"));
  ASSERT_TRUE(automatic);
  EXPECT_TRUE(automatic->mapped());
}

// release() gives pages back to the kernel; the bytes of released batches, read again, fault
// back in from the file unchanged (it is only a hint), and releasing in copy mode, twice, or
// an empty batch does nothing.
TEST(CaptureMapped, ReleasedBatchesStillReadTheirBytes) {
  Bytes file = pcap_header(1);
  constexpr std::uint32_t kRecords = 3000;  // ~4.5 MB: many pages released
  for (std::uint32_t i = 0; i < kRecords; ++i) {
    Bytes data(1500);
    for (std::size_t k = 0; k < data.size(); ++k) data[k] = static_cast<std::uint8_t>(i * 7 + k);
    append_record(file, i, 0, data);
  }
  const std::string path = temp_path("released.pcap");
  write_bytes(path, file);
  const auto expected = parse_pcap(file);
  for (const ReadMode mode : {ReadMode::kAuto, ReadMode::kLibpcap}) {
    auto reader = CaptureReader::open(path, mode);
    ASSERT_TRUE(reader);
    ASSERT_EQ(reader->mapped(), mode == ReadMode::kAuto);
    std::vector<RecordBatch> batches;
    while (true) {
      RecordBatch batch;
      auto n = reader->read_batch(batch, 256);
      ASSERT_TRUE(n);
      if (*n == 0) break;
      reader->release(batch);
      reader->release(batch);
      batches.push_back(std::move(batch));
    }
    reader->release(RecordBatch{});
    std::size_t seen = 0;
    for (const RecordBatch& batch : batches) {
      for (const Record& r : batch.records) {
        auto data = batch.data(r);
        ASSERT_EQ(Bytes(data.begin(), data.end()), expected[r.index - 1].bytes) << "record " << r.index;
        ++seen;
      }
    }
    EXPECT_EQ(seen, kRecords);
  }
}

TEST(CaptureMapped, BytesStayValidAcrossLaterBatchesAndMovesOfTheReader) {
  const std::string path = corpus_pcap("tcpreplay-mixed.pcap");
  const auto expected = parse_pcap(read_bytes(path));
  ASSERT_EQ(expected.size(), 179u);
  auto opened = CaptureReader::open(path);
  ASSERT_TRUE(opened);
  ASSERT_TRUE(opened->mapped());
  std::vector<CaptureReader> readers;
  readers.push_back(std::move(*opened));
  RecordBatch first;
  ASSERT_TRUE(readers[0].read_batch(first, 50));
  // Moves of the reader (the vector grows) and later batches into other batches.
  for (int i = 0; i < 8; ++i) readers.push_back(std::move(readers.back()));
  RecordBatch second;
  ASSERT_TRUE(readers.back().read_batch(second, 50));
  CaptureReader moved = std::move(readers.back());
  RecordBatch rest;
  ASSERT_TRUE(moved.read_batch(rest));
  ASSERT_EQ(first.records.size(), 50u);
  ASSERT_EQ(second.records.size(), 50u);
  ASSERT_EQ(rest.records.size(), 79u);
  for (const RecordBatch* batch : {&first, &second, &rest}) {
    for (const Record& r : batch->records) {
      auto data = batch->data(r);
      EXPECT_EQ(Bytes(data.begin(), data.end()), expected[r.index - 1].bytes) << "record " << r.index;
    }
  }
  // A copy of a batch finds the same bytes.
  const RecordBatch copy = first;
  EXPECT_EQ(copy.data(copy.records[7]).data(), first.data(first.records[7]).data());
}

TEST(CaptureWriter, RoundTripKeepsBytesTimesLengthsAndLinkType) {
  const LinkType links[] = {LinkType::kEthernet, LinkType::kLinuxSll, LinkType::kLinuxSll2, LinkType::kRaw,
                            LinkType::kIpv4,     LinkType::kIpv6,     LinkType::kNull,      LinkType::kLoop};
  for (LinkType link : links) {
    SCOPED_TRACE(static_cast<int>(link));
    const std::string path = temp_path("roundtrip-" + std::to_string(static_cast<int>(link)) + ".pcap");
    std::vector<ReadRecord> written;
    {
      auto writer = CaptureWriter::create(path, link);
      ASSERT_TRUE(writer) << writer.error().to_string();
      for (std::uint32_t i = 0; i < 5; ++i) {
        ReadRecord r;
        r.index = i + 1;
        r.ts_ns = std::int64_t{1'700'000'000'123'456'789} + std::int64_t{i} * 999'999'937;
        r.bytes.resize(20 + i * 300);
        for (std::size_t k = 0; k < r.bytes.size(); ++k) r.bytes[k] = static_cast<std::uint8_t>(k * 7 + i);
        r.caplen = static_cast<std::uint32_t>(r.bytes.size());
        r.len = r.caplen + (i % 2 == 0 ? 0 : 1000);  // some written as cut by a snaplen
        ASSERT_TRUE(writer->write(r.ts_ns, r.len, r.bytes));
        written.push_back(r);
      }
      ASSERT_TRUE(writer->close());
    }
    auto reader = CaptureReader::open(path);
    ASSERT_TRUE(reader) << reader.error().to_string();
    EXPECT_EQ(reader->link_type(), link);
    EXPECT_EQ(read_all(*reader), written);
  }
}

TEST(CaptureWriter, CopyOfACorpusCaptureReadsTheSame) {
  for (const char* name : {"sll-tcp-handshake-nano.pcap", "tcpreplay-mixed.pcap", "null-snaplen256.pcap"}) {
    SCOPED_TRACE(name);
    const std::string path = temp_path(std::string("copy-") + name);
    auto reader = CaptureReader::open(corpus_pcap(name));
    ASSERT_TRUE(reader);
    const auto original = read_all(*reader);
    {
      auto writer = CaptureWriter::create(path, reader->link_type());
      ASSERT_TRUE(writer);
      for (const auto& r : original) ASSERT_TRUE(writer->write(r.ts_ns, r.len, r.bytes));
      // The destructor closes the file.
    }
    EXPECT_EQ(read_path(path), original);
  }
}

TEST(CaptureWriter, TimesBefore1970KeepTheirFraction) {
  const std::string path = temp_path("before-1970.pcap");
  auto writer = CaptureWriter::create(path, LinkType::kRaw);
  ASSERT_TRUE(writer);
  ASSERT_TRUE(writer->write(-1, 1, Bytes{0x45}));  // pcap seconds are unsigned on disk
  ASSERT_TRUE(writer->close());
  const Bytes file = read_bytes(path);
  ASSERT_EQ(file.size(), 24u + 16u + 1u);
  EXPECT_EQ(get_le32(file, 0), 0xa1b23c4du);    // nanosecond magic
  EXPECT_EQ(get_le32(file, 24), 0xffffffffu);   // -1 s
  EXPECT_EQ(get_le32(file, 28), 999'999'999u);  // + 999999999 ns
}

TEST(CaptureWriter, ErrorsNameTheFile) {
  const std::string missing_dir = temp_path("no-such-dir") + "/out.pcap";
  auto bad = CaptureWriter::create(missing_dir, LinkType::kEthernet);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().file, missing_dir);
  EXPECT_NE(bad.error().message.find("No such file"), std::string::npos) << bad.error().message;

  const std::string path = temp_path("closed.pcap");
  auto writer = CaptureWriter::create(path, LinkType::kEthernet);
  ASSERT_TRUE(writer);
  ASSERT_TRUE(writer->close());
  EXPECT_TRUE(writer->close());  // closing twice is harmless
  auto late = writer->write(0, 1, Bytes{1});
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().file, path);

  auto writer2 = CaptureWriter::create(path, LinkType::kEthernet);
  ASSERT_TRUE(writer2);
  auto huge = writer2->write(0, 300000, Bytes(300000, 0));
  ASSERT_FALSE(huge);
  EXPECT_NE(huge.error().message.find("snaplen"), std::string::npos);
}

TEST(CaptureWriter, FullDiskIsReportedByClose) {
  if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
  auto writer = CaptureWriter::create("/dev/full", LinkType::kEthernet);
  ASSERT_TRUE(writer) << writer.error().to_string();
  ASSERT_TRUE(writer->write(0, 64, Bytes(64, 0)));
  auto closed = writer->close();
  ASSERT_FALSE(closed);
  EXPECT_EQ(closed.error().file, "/dev/full");
  EXPECT_NE(closed.error().message.find("No space"), std::string::npos) << closed.error().message;
}

}  // namespace
}  // namespace pfsim::pcap
