#include "sim/input_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace sim {

namespace {

std::string kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a plain file";
}

[[noreturn]] void fail(const std::filesystem::path& path, std::string_view what, const std::string& problem) {
  throw InputFileError(path, what, problem);
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// Opens without blocking (a FIFO with no writer would wait forever) and checks the
// opened file, not the name, so the checks hold for what is read.
int open_checked(const std::filesystem::path& path, std::uint64_t max_bytes, std::string_view what,
                 std::uint64_t& size) {
  if (path.empty()) fail(path, what, "empty path");
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    const int error = errno;
    if (error == ENOENT) fail(path, what, "no such file");
    if (error == ENXIO) fail(path, what, "not a regular file (a socket or a device without a reader)");
    fail(path, what, std::string("cannot open: ") + std::strerror(error));
  }
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    const int error = errno;
    ::close(fd);
    fail(path, what, std::string("cannot read its status: ") + std::strerror(error));
  }
  if (!S_ISREG(info.st_mode)) {
    ::close(fd);
    fail(path, what, "not a regular file (" + kind_of(info.st_mode) + ")");
  }
  size = static_cast<std::uint64_t>(info.st_size);
  if (size > max_bytes) {
    ::close(fd);
    fail(path, what, format_bytes(size) + ", more than the " + format_bytes(max_bytes) + " such a file may have");
  }
  return fd;
}

}  // namespace

std::string format_bytes(std::uint64_t bytes) {
  static constexpr const char* units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  if (bytes < 1024) return std::to_string(bytes) + (bytes == 1 ? " byte" : " bytes");
  double value = static_cast<double>(bytes);
  int unit = -1;
  while (value >= 1024 && unit < 5) {
    value /= 1024;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, "%.4g %s", value, units[unit]);
  return text;
}

std::uint64_t check_input_file(const std::filesystem::path& path, std::uint64_t max_bytes, std::string_view what) {
  std::uint64_t size = 0;
  Fd fd(open_checked(path, max_bytes, what, size));
  return size;
}

std::string read_input_file(const std::filesystem::path& path, std::uint64_t max_bytes, std::string_view what) {
  std::uint64_t size = 0;
  Fd fd(open_checked(path, max_bytes, what, size));
  std::string text;
  text.resize(static_cast<std::size_t>(size));
  std::size_t done = 0;
  // Read to the end, not to the size seen at open: a file still growing past the limit
  // is refused rather than cut.
  while (true) {
    if (done == text.size()) {
      if (text.size() > max_bytes) break;
      text.resize(std::max<std::size_t>(text.size() + 4096, text.size() * 2));
    }
    const ssize_t n = ::read(fd.get(), text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail(path, what, std::string("cannot read: ") + std::strerror(errno));
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  if (done > max_bytes) fail(path, what, "grew past the " + format_bytes(max_bytes) + " such a file may have");
  text.resize(done);
  return text;
}

}  // namespace sim
