// fuzz_capture: the input as a capture file, read both ways CaptureReader has (pcap/capture.h):
// mapped (pfsim's own walk of classic pcap records) and copied through libpcap (every format,
// pcapng included). The contract: both ways agree on the open error, the link type, every
// record (index, time, lengths, bytes), the read error and the truncated tail; a read error
// names the packet. The reader reads files only (the mapped way needs one), so each input is
// written to one temporary file of this process first.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

#include "pcap/capture.h"
#include "tests/fuzz/fuzz_targets.h"

namespace pfsim::fuzz {
namespace {

// The file each input is written to: made once per process, removed at exit.
class InputFile {
 public:
  InputFile() {
    path_ = (std::filesystem::temp_directory_path() / "pfsim-fuzz-capture-XXXXXX").string();
    const int fd = mkstemp(path_.data());
    if (fd < 0) contract_broken("capture", "cannot make a temporary file: " + std::string(std::strerror(errno)));
    close(fd);
  }
  ~InputFile() { std::remove(path_.c_str()); }
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  const std::string& write(const std::uint8_t* data, std::size_t size) {
    std::FILE* f = std::fopen(path_.c_str(), "wb");
    if (f == nullptr || std::fwrite(data, 1, size, f) != size || std::fclose(f) != 0)
      contract_broken("capture", "cannot write " + path_);
    return path_;
  }

 private:
  std::string path_;
};

// Everything a reader gives, as text: equal outcomes are equal strings.
struct Outcome {
  std::string open_error;
  std::string records;  // "index ts caplen len:bytes" per record
  std::string read_error;
  bool truncated_tail = false;
  bool mapped = false;
};

Outcome read_all(const std::string& path, pcap::ReadMode mode, std::size_t max_records) {
  Outcome o;
  auto reader = pcap::CaptureReader::open(path, mode);
  if (!reader) {
    o.open_error = reader.error().to_string();
    if (reader.error().file != path) contract_broken("capture", "open error without the file: " + o.open_error);
    return o;
  }
  o.mapped = reader->mapped();
  o.records = "link " + std::to_string(static_cast<int>(reader->link_type())) + "\n";
  pcap::RecordBatch batch;
  while (true) {
    auto n = reader->read_batch(batch, max_records);
    if (!n) {
      o.read_error = n.error().to_string();
      if (!n.error().packet_index) contract_broken("capture", "read error without a packet index: " + o.read_error);
      break;
    }
    if (*n == 0) break;
    for (const pcap::Record& r : batch.records) {
      o.records += std::to_string(r.index) + ' ' + std::to_string(r.ts_ns) + ' ' + std::to_string(r.caplen) + ' ' +
                   std::to_string(r.len) + ':';
      const auto bytes = batch.data(r);
      o.records.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
      o.records += '\n';
    }
  }
  o.truncated_tail = reader->truncated_tail();
  return o;
}

}  // namespace

void fuzz_capture(const std::uint8_t* data, std::size_t size) {
  static InputFile file;
  const std::string& path = file.write(data, size);
  // Different batch sizes on the two sides: batching changes nothing either.
  const Outcome mapped = read_all(path, pcap::ReadMode::kAuto, 3);
  const Outcome copied = read_all(path, pcap::ReadMode::kLibpcap, pcap::kDefaultBatchRecords);
  if (copied.mapped) contract_broken("capture", "ReadMode::kLibpcap mapped the file");
  if (mapped.open_error != copied.open_error)
    contract_broken("capture", "open errors differ: '" + mapped.open_error + "' and '" + copied.open_error + "'");
  if (mapped.records != copied.records) contract_broken("capture", "the records read mapped and copied differ");
  if (mapped.read_error != copied.read_error)
    contract_broken("capture", "read errors differ: '" + mapped.read_error + "' and '" + copied.read_error + "'");
  if (mapped.truncated_tail != copied.truncated_tail) contract_broken("capture", "truncated tails differ");
}

}  // namespace pfsim::fuzz
