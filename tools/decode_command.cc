#include "tools/decode_command.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <limits>
#include <ostream>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "net/address.h"
#include "net/five_tuple.h"
#include "net/format.h"
#include "net/protocols.h"
#include "net/time_units.h"
#include "pcap/capture.h"
#include "pcap/decode.h"
#include "pcap/flow_key.h"
#include "pcap/packet.h"
#include "tools/cli_numbers.h"
#include "tools/diagnostics.h"
#include "tools/file_io.h"

namespace pfsim::tools {
namespace {

using pcap::DecodedPacket;

// "1700000000.123456789"; times before the epoch keep their sign on the whole value.
void append_time(std::string& out, std::int64_t ts_ns) {
  std::uint64_t magnitude = ts_ns < 0 ? 0 - static_cast<std::uint64_t>(ts_ns) : static_cast<std::uint64_t>(ts_ns);
  std::string nanos = std::to_string(magnitude % net::kNsPerSecond);
  if (ts_ns < 0) out += '-';
  out += std::to_string(magnitude / net::kNsPerSecond);
  out += '.';
  out.append(9 - nanos.size(), '0');
  out += nanos;
}

// "10.0.0.1:443", "[2001:db8::1]:443", or the bare address when there is no port.
void append_endpoint(std::string& out, net::Family family, const net::Ip128& address, bool has_port,
                     std::uint16_t port) {
  out += has_port ? net::format_endpoint(family, address, port) : net::format_address(family, address);
}

void append_flow(std::string& out, std::uint8_t proto, net::Family family, const net::Ip128& src, const net::Ip128& dst,
                 bool has_ports, std::uint16_t sport, std::uint16_t dport) {
  out += net::protocol_name(proto);
  out += ' ';
  append_endpoint(out, family, src, has_ports, sport);
  out += " -> ";
  append_endpoint(out, family, dst, has_ports, dport);
}

// "[S]", "[FPA]"; "[none]" when no flag with a letter is set (net::tcp_flag_letters).
void append_tcp_flags(std::string& out, std::uint16_t flags) {
  const std::string letters = net::tcp_flag_letters(flags);
  out += '[';
  out += letters.empty() ? "none" : letters;
  out += ']';
}

void append_human_line(std::string& out, const DecodedPacket& p, std::string_view community_id) {
  out += '#';
  out += std::to_string(p.index);
  out += ' ';
  append_time(out, p.ts_ns);
  out += ' ';
  out += pcap::link_type_name(p.link);
  if (p.tunnel == pcap::Tunnel::kVxlan) out += "/vxlan";
  if (p.tunnel == pcap::Tunnel::kGeneve) out += "/geneve";
  if (p.has_ip) {
    out += ' ';
    append_flow(out, p.proto, p.family, p.src, p.dst, p.has_ports, p.sport, p.dport);
    if (p.has_tcp_flags) {
      out += ' ';
      append_tcp_flags(out, p.tcp_flags);
    }
    if (p.has_icmp) {
      out += ' ' + std::to_string(p.icmp_type) + '/' + std::to_string(p.icmp_code);
      if (net::is_pmtu_message(p.proto, p.icmp_type, p.icmp_code)) out += " mtu " + std::to_string(p.icmp_mtu);
      if (net::is_icmp_echo(p.proto, p.icmp_type)) out += " id " + std::to_string(p.icmp_id);
    }
    if (p.has_inner) {
      // A quoted echo's "ports" are its identifier (pcap/packet.h), shown as such.
      const pcap::QuotedFlow& q = p.inner;
      const bool quoted_icmp = net::is_icmp(q.proto);
      out += " quoting ";
      append_flow(out, q.proto, q.family, q.src, q.dst, q.has_ports && !quoted_icmp, q.sport, q.dport);
      if (q.has_ports && quoted_icmp) out += " id " + std::to_string(q.sport);
    }
    if (p.fragment.is_fragment) {
      out += " frag id " + std::to_string(p.fragment.id) + " offset " + std::to_string(p.fragment.offset_bytes);
      if (p.fragment.more) out += " +more";
    }
  } else if (p.malformed == pcap::Malformed::kNone) {
    out += " not IP";
  }
  if (p.caplen < p.len) out += " captured " + std::to_string(p.caplen) + " of " + std::to_string(p.len) + " bytes";
  if (p.malformed != pcap::Malformed::kNone) {
    out += " malformed ";
    out += pcap::malformed_name(p.malformed);
    out += " at byte " + std::to_string(p.malformed_offset);
  }
  if (!community_id.empty()) {
    out += ' ';
    out += community_id;
  }
  out += '\n';
}

// One JSON object on one line. Every string it writes comes from a closed alphabet (address
// text, link and malformed names from pcap's tables, base64), none of which needs escaping.
class JsonLine {
 public:
  explicit JsonLine(std::string& out) : out_(out) { out_ += '{'; }
  void number(std::string_view key, std::uint64_t value) {
    name(key);
    out_ += std::to_string(value);
  }
  void signed_number(std::string_view key, std::int64_t value) {
    name(key);
    out_ += std::to_string(value);
  }
  void text(std::string_view key, std::string_view value) {
    name(key);
    out_ += '"';
    out_ += value;
    out_ += '"';
  }
  void boolean(std::string_view key, bool value) {
    name(key);
    out_ += value ? "true" : "false";
  }
  void begin_object(std::string_view key) {
    name(key);
    out_ += '{';
    first_ = true;
  }
  void end_object() {
    out_ += '}';
    first_ = false;
  }
  void finish() { out_ += "}\n"; }

 private:
  void name(std::string_view key) {
    if (!first_) out_ += ',';
    first_ = false;
    out_ += '"';
    out_ += key;
    out_ += "\":";
  }
  std::string& out_;
  bool first_ = true;
};

void append_json_line(std::string& out, const DecodedPacket& p, std::string_view community_id) {
  JsonLine line(out);
  line.number("index", p.index);
  line.signed_number("ts_ns", p.ts_ns);
  line.number("caplen", p.caplen);
  line.number("len", p.len);
  line.text("link", pcap::link_type_name(p.link));
  if (p.has_ip) {
    line.text("src", net::format_address(p.family, p.src));
    line.text("dst", net::format_address(p.family, p.dst));
    line.number("proto", p.proto);
  }
  if (p.has_ports) {
    line.number("sport", p.sport);
    line.number("dport", p.dport);
  }
  if (p.has_tcp_flags) line.number("tcp_flags", p.tcp_flags);
  if (p.has_icmp) {
    line.number("icmp_type", p.icmp_type);
    line.number("icmp_code", p.icmp_code);
  }
  if (p.has_inner) {
    line.begin_object("inner");
    line.text("src", net::format_address(p.inner.family, p.inner.src));
    line.text("dst", net::format_address(p.inner.family, p.inner.dst));
    line.number("proto", p.inner.proto);
    if (p.inner.has_ports) {
      line.number("sport", p.inner.sport);
      line.number("dport", p.inner.dport);
    }
    line.end_object();
  }
  if (p.fragment.is_fragment) {
    line.begin_object("frag");
    line.number("id", p.fragment.id);
    line.number("offset", p.fragment.offset_bytes);
    line.boolean("more", p.fragment.more);
    line.end_object();
  }
  if (p.malformed != pcap::Malformed::kNone) line.text("malformed", pcap::malformed_name(p.malformed));
  if (!community_id.empty()) line.text("community_id", community_id);
  line.finish();
}

struct Summary {
  std::uint64_t packets = 0;
  std::uint64_t not_ip = 0;
  std::array<std::uint64_t, pcap::kMalformedKinds> malformed{};
  std::array<std::uint64_t, pcap::kMalformedKinds> first_malformed{};  // packet index

  void add(const DecodedPacket& p) noexcept {
    ++packets;
    if (p.malformed != pcap::Malformed::kNone) {
      auto kind = static_cast<std::size_t>(p.malformed);
      if (malformed[kind]++ == 0) first_malformed[kind] = p.index;
    } else if (!p.has_ip) {
      ++not_ip;
    }
  }
};

// "60 packets (EN10MB), 2 malformed (truncated-tcp: 1, first #4; truncated-ipv4: 1, first #9), 1 not IP"
std::string summary_line(const Summary& s, pcap::LinkType link, std::uint64_t limit) {
  std::string line = std::to_string(s.packets) + (s.packets == 1 ? " packet (" : " packets (");
  line += pcap::link_type_name(link);
  if (limit != 0 && s.packets == limit) line += ", --limit " + std::to_string(limit);
  std::uint64_t malformed_total = 0;
  std::string kinds;
  for (std::size_t kind = 0; kind < s.malformed.size(); ++kind) {
    if (s.malformed[kind] == 0) continue;
    malformed_total += s.malformed[kind];
    kinds += kinds.empty() ? " (" : "; ";
    kinds += pcap::malformed_name(static_cast<pcap::Malformed>(kind));
    kinds += ": " + std::to_string(s.malformed[kind]) + ", first #" + std::to_string(s.first_malformed[kind]);
  }
  line += "), " + std::to_string(malformed_total) + " malformed";
  if (!kinds.empty()) line += kinds + ")";
  if (s.not_ip != 0) line += ", " + std::to_string(s.not_ip) + " not IP";
  return line + "\n";
}

}  // namespace

int run_decode_command(const DecodeCommandOptions& options) {
  auto reader = pcap::CaptureReader::open(options.pcap_path);
  if (!reader) return report_error(reader.error());

  // Where each kind of output goes: with --json -, stdout is JSON only.
  const bool json_to_stdout = options.json_path == "-";
  std::ofstream json_file;
  std::ostream* json_out = nullptr;
  if (json_to_stdout) {
    json_out = &std::cout;
  } else if (!options.json_path.empty()) {
    json_file.open(options.json_path, std::ios::binary | std::ios::trunc);
    if (!json_file) return report_error(io_error("write", options.json_path, errno));
    json_out = &json_file;
  }
  std::ostream* human_out = json_to_stdout ? nullptr : &std::cout;
  std::ostream& summary_out = json_to_stdout ? std::cerr : std::cout;

  const pcap::DecodeOptions decode_options{options.decapsulate};
  const pcap::LinkType link = reader->link_type();
  std::uint64_t remaining = options.limit == 0 ? std::numeric_limits<std::uint64_t>::max() : options.limit;
  Summary summary;
  pcap::RecordBatch batch;
  std::vector<DecodedPacket> decoded;
  std::string human_text;
  std::string json_text;
  while (remaining > 0) {
    const auto wanted = static_cast<std::size_t>(std::min<std::uint64_t>(pcap::kDefaultBatchRecords, remaining));
    auto count = reader->read_batch(batch, wanted);
    if (!count) {
      std::cout << std::flush;
      return report_error(count.error());
    }
    if (*count == 0) break;
    remaining -= *count;
    human_text.clear();
    json_text.clear();
    decoded.resize(batch.records.size());
    pcap::decode_batch(link, batch, 0, decode_options, decoded);
    for (const DecodedPacket& p : decoded) {
      const std::string id = pcap::community_id(p);
      if (human_out != nullptr) append_human_line(human_text, p, id);
      if (json_out != nullptr) append_json_line(json_text, p, id);
      summary.add(p);
    }
    reader->release(batch);  // resident memory stays bounded by one batch
    if (human_out != nullptr) *human_out << human_text;
    if (json_out != nullptr && !(*json_out << json_text))
      return report_error(io_error("write", options.json_path, errno));
  }

  if (json_file.is_open()) {
    json_file.close();
    if (!json_file) return report_error(io_error("write", options.json_path, errno));
  }
  summary_out << summary_line(summary, link, options.limit) << std::flush;
  if (reader->truncated_tail()) {
    // A warning, not an error (DESIGN.md §6): every record before the cut was decoded.
    const std::uint64_t complete = reader->records_read();
    std::cerr << reader->path() << ": warning: the capture ends inside record " << complete + 1 << "; the " << complete
              << (complete == 1 ? " record" : " records") << " before it were decoded\n";
  }
  return kExitOk;
}

void define_decode_options(CLI::App& command, DecodeCommandOptions& options) {
  command.add_option("PCAP", options.pcap_path, "capture file, pcap or pcapng ('-' for standard input)")
      ->option_text("FILE REQUIRED")
      ->required();
  command.add_option("--json", options.json_path, "write JSON Lines, one object per packet, to FILE ('-' for stdout)")
      ->option_text("FILE");
  command.add_option("--limit", options.limit, "decode only the first N packets")
      ->check(whole_number(1, std::numeric_limits<std::uint64_t>::max(), "packet count"))
      ->option_text("N");
  command.add_flag("--decapsulate", options.decapsulate,
                   "report the inner packet of VXLAN (UDP 4789) and Geneve (UDP 6081) tunnels");
}

}  // namespace pfsim::tools
