// tools/file_io.h — whole-file reads and writes for the subcommands.
//
// Only tools/ touches the file system for text inputs and reports; the parts below parse and
// produce text in memory (classifier/classbench.h). Two exceptions say why in their headers:
// captures (pcap/capture.h, read through libpcap) and scenario files
// (engine/model/scenario_loader.h's load_scenario, whose Locations name the path). Failures come back as an Error whose
// message names the path as the user gave it and the system's reason (strerror of errno):
//
//   cannot read 'rules/acl1': No such file or directory
//
// The Error carries no file field, because the path is the subject of the message, not a
// position inside a file. Thread-safe as long as no two calls write the same path.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "net/error.h"

namespace pfsim::tools {

// The whole content of the file at `path`.
net::Result<std::string> read_file(const std::string& path);

// "cannot VERB 'PATH': <strerror(error_number)>", for callers that do their own I/O (streams).
net::Error io_error(std::string_view verb, const std::string& path, int error_number);

// Replaces the file at `path` with `content` (creating it if needed).
net::Status write_file(const std::string& path, std::string_view content);

// The bytes a file written at `path` may take: the space free to unprivileged users on the file
// system of its folder (statvfs), plus the size of the regular file `path` already is (writing
// replaces it).
net::Result<std::uint64_t> room_for(const std::string& path);

// A report: write_file, except that "-" means standard output.
net::Status write_report(const std::string& path, std::string_view content);

}  // namespace pfsim::tools
