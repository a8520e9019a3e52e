#include "net/error.h"

#include <cstdio>

namespace pfsim::net {

std::string Error::to_string() const {
  std::string out = file;
  if (line != 0) {
    if (!out.empty()) out += ':';
    out += std::to_string(line);
    if (column != 0) out += ':' + std::to_string(column);
  }
  if (packet_index) out += (out.empty() ? "" : ": ") + ("packet " + std::to_string(*packet_index));
  if (byte_offset) {
    char hex[32];
    std::snprintf(hex, sizeof hex, "0x%llx", static_cast<unsigned long long>(*byte_offset));
    out +=
        packet_index ? std::string(" (offset ") + hex + ")" : (out.empty() ? "" : ": ") + std::string("offset ") + hex;
  }
  if (!out.empty()) out += ": ";
  out += "error: ";
  out += message;
  return out;
}

Error error_message(std::string message) {
  Error e;
  e.message = std::move(message);
  return e;
}

Error text_error(std::string file, std::uint32_t line, std::uint32_t column, std::string message) {
  Error e;
  e.file = std::move(file);
  e.line = line;
  e.column = column;
  e.message = std::move(message);
  return e;
}

}  // namespace pfsim::net
