#include "sim/output_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <system_error>

namespace sim {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(std::string_view what, const fs::path& path, const std::string& problem) {
  throw OutputFileError(std::string(what) + " " + path.string() + ": " + problem);
}

std::string kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

fs::path directory_of(const fs::path& target) { return target.has_parent_path() ? target.parent_path() : "."; }

// --- partials removed on a signal ---------------------------------------------------
// Fixed slots, so the handler touches no allocator and no lock: a slot is free (0),
// being filled (1) or holds a path to remove (2).
constexpr int kSlots = 128;
constexpr std::size_t kSlotPath = 4096;
struct Slot {
  std::atomic<int> state{0};
  char path[kSlotPath];
};
Slot g_slots[kSlots];

int register_partial(const fs::path& path) {
  const std::string& text = path.native();
  if (text.size() >= kSlotPath) return -1;  // left to remove_stale_partials
  for (int i = 0; i < kSlots; ++i) {
    int expected = 0;
    if (g_slots[i].state.compare_exchange_strong(expected, 1, std::memory_order_acquire)) {
      std::memcpy(g_slots[i].path, text.c_str(), text.size() + 1);
      g_slots[i].state.store(2, std::memory_order_release);
      return i;
    }
  }
  return -1;
}

void unregister_partial(int slot) {
  if (slot >= 0) g_slots[slot].state.store(0, std::memory_order_release);
}

extern "C" void remove_partials_and_reraise(int signal_number) {
  for (auto& slot : g_slots) {
    if (slot.state.load(std::memory_order_acquire) == 2) ::unlink(slot.path);
  }
  // End the process the way the signal would have (exit status 128 + signal).
  struct sigaction action {};
  action.sa_handler = SIG_DFL;
  sigemptyset(&action.sa_mask);
  ::sigaction(signal_number, &action, nullptr);
  ::raise(signal_number);
}

}  // namespace

fs::path resolve_output_path(const fs::path& path, std::string_view what) {
  if (path.empty()) throw OutputFileError(std::string(what) + ": empty path; give the name of a file to write");
  fs::path target = path;
  struct stat info {};
  bool exists = false;
  for (int hops = 0;; ++hops) {
    if (::lstat(target.c_str(), &info) != 0) {
      const int error = errno;
      if (error != ENOENT) fail(what, path, std::string("cannot inspect: ") + std::strerror(error));
      break;  // a new file (or a link to one not yet written)
    }
    if (!S_ISLNK(info.st_mode)) {
      exists = true;
      break;
    }
    if (hops == 40) fail(what, path, "too many levels of symbolic links");
    std::error_code error;
    const fs::path link = fs::read_symlink(target, error);
    if (error) fail(what, path, "cannot read the symbolic link " + target.string() + ": " + error.message());
    target = link.is_absolute() ? link : directory_of(target) / link;
  }
  const std::string via = target == path ? "" : " (via the link to " + target.string() + ")";
  if (exists && !S_ISREG(info.st_mode)) {
    fail(what, path, "is " + kind_of(info.st_mode) + via + ", not a regular file; give the path of a file to write");
  }
  if (!target.has_filename()) fail(what, path, "names a directory; give the path of a file to write");
  const fs::path dir = directory_of(target);
  struct stat dir_info {};
  if (::stat(dir.c_str(), &dir_info) != 0 || !S_ISDIR(dir_info.st_mode)) {
    fail(what, path, "directory " + dir.string() + " does not exist" + via);
  }
  return target;
}

fs::path prepare_output_path(const fs::path& path, std::string_view what, std::span<const fs::path> inputs,
                             bool remove_stale) {
  const fs::path target = resolve_output_path(path, what);
  for (const auto& input : inputs) {
    std::error_code error;
    if (!input.empty() && fs::equivalent(target, input, error) && !error) {
      fail(what, path, "is the input file " + input.string() + "; write the results to another file");
    }
  }
  // Try what the writer will do, so an unwritable directory fails now, not after the run.
  const fs::path probe = partial_path(target);
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0 && errno != EEXIST) {
    fail(what, path, "cannot create a file in " + directory_of(target).string() + ": " + std::strerror(errno));
  }
  if (fd >= 0) {
    ::close(fd);
    ::unlink(probe.c_str());
  }
  if (remove_stale) remove_stale_partials(target);
  return target;
}

fs::path partial_path(const fs::path& target) {
  fs::path partial = target;
  partial += ".partial-" + std::to_string(::getpid());
  return partial;
}

int remove_stale_partials(const fs::path& target) {
  const std::string prefix = target.filename().string() + ".partial-";
  int removed = 0;
  std::error_code error;
  for (fs::directory_iterator it(directory_of(target), error), end; !error && it != end; it.increment(error)) {
    const std::string name = it->path().filename().string();
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
    const std::string digits = name.substr(prefix.size());
    if (digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos) continue;
    const auto pid = static_cast<pid_t>(std::stol(digits));
    if (pid <= 0 || pid == ::getpid()) continue;
    // Only a process that does not exist here: a live one (or one of another user,
    // EPERM) may still be writing.
    if (::kill(pid, 0) == 0 || errno != ESRCH) continue;
    struct stat info {};
    if (::lstat(it->path().c_str(), &info) == 0 && S_ISREG(info.st_mode) && ::unlink(it->path().c_str()) == 0) {
      ++removed;
    }
  }
  return removed;
}

PartialFile::PartialFile(fs::path target) : target_(std::move(target)), partial_(partial_path(target_)) {
  slot_ = register_partial(partial_);
}

PartialFile::~PartialFile() {
  if (!committed_) ::unlink(partial_.c_str());
  unregister_partial(slot_);
}

void PartialFile::commit() {
  std::error_code error;
  fs::rename(partial_, target_, error);
  if (error) {
    throw std::runtime_error("cannot rename " + partial_.string() + " to " + target_.string() + ": " + error.message());
  }
  committed_ = true;
  unregister_partial(slot_);
  slot_ = -1;
}

void write_file_atomically(const fs::path& path, std::string_view contents, std::string_view what) {
  PartialFile file(prepare_output_path(path, what));
  const int fd = ::open(file.path().c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) throw std::runtime_error("cannot create " + file.path().string() + ": " + std::strerror(errno));
  std::size_t done = 0;
  while (done < contents.size()) {
    const ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      ::close(fd);
      throw std::runtime_error("cannot write " + file.path().string() + ": " + std::strerror(error));
    }
    done += static_cast<std::size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  const int sync_error = errno;
  if (::close(fd) != 0 || !synced) {
    throw std::runtime_error("cannot write " + file.path().string() + ": " +
                             std::strerror(synced ? errno : sync_error));
  }
  file.commit();
}

void remove_partials_on_signal() {
  static std::atomic<bool> installed{false};
  if (installed.exchange(true)) return;
  for (const int signal_number : {SIGINT, SIGTERM, SIGHUP}) {
    struct sigaction previous {};
    ::sigaction(signal_number, nullptr, &previous);
    if (previous.sa_handler == SIG_IGN) continue;  // e.g. nohup, or a background job's SIGINT
    struct sigaction action {};
    action.sa_handler = remove_partials_and_reraise;
    sigemptyset(&action.sa_mask);
    ::sigaction(signal_number, &action, nullptr);
  }
}

}  // namespace sim
