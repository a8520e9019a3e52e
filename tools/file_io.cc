#include "tools/file_io.h"

#include <sys/stat.h>
#include <sys/statvfs.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>

namespace pfsim::tools {
namespace {

struct FileCloser {
  void operator()(std::FILE* file) const noexcept { std::fclose(file); }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

}  // namespace

net::Error io_error(std::string_view verb, const std::string& path, int error_number) {
  return net::error_message("cannot " + std::string(verb) + " '" + path + "': " + std::strerror(error_number));
}

net::Result<std::uint64_t> room_for(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  const std::string folder = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  struct statvfs fs {};
  if (::statvfs(folder.c_str(), &fs) != 0) return io_error("write", path, errno);
  std::uint64_t bytes = static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize;
  struct stat existing {};
  if (::stat(path.c_str(), &existing) == 0 && S_ISREG(existing.st_mode))
    bytes += static_cast<std::uint64_t>(existing.st_size);
  return bytes;
}

net::Result<std::string> read_file(const std::string& path) {
  FilePtr file(std::fopen(path.c_str(), "rb"));
  if (!file) return io_error("read", path, errno);
  std::string content;
  char buffer[1 << 16];
  for (;;) {
    std::size_t got = std::fread(buffer, 1, sizeof buffer, file.get());
    content.append(buffer, got);
    if (got < sizeof buffer) break;
  }
  // A directory opens fine on Linux and fails here, with EISDIR.
  if (std::ferror(file.get())) return io_error("read", path, errno);
  return content;
}

net::Status write_file(const std::string& path, std::string_view content) {
  FilePtr file(std::fopen(path.c_str(), "wb"));
  if (!file) return io_error("write", path, errno);
  if (std::fwrite(content.data(), 1, content.size(), file.get()) != content.size()) {
    return io_error("write", path, errno);
  }
  // Closing flushes; a full disk often shows only here.
  if (std::fclose(file.release()) != 0) return io_error("write", path, errno);
  return net::Ok{};
}

net::Status write_report(const std::string& path, std::string_view content) {
  if (path != "-") return write_file(path, content);
  std::cout << content << std::flush;
  if (!std::cout) return io_error("write", "-", errno);
  return net::Ok{};
}

}  // namespace pfsim::tools
