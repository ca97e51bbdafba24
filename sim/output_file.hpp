#pragma once
// Writing the files users name with -o (results, sweep results, models, CSV tables).
//
// One policy for every writer:
// - the path is checked before any work: not empty, not a directory, device, FIFO or
//   socket, not one of the run's input files, in a directory that exists and takes a
//   new file (tried by creating one), so a bad -o fails in a second, not after the run;
// - a symbolic link is followed: the file it points to is written, the link stays;
// - the data goes to TARGET.partial-PID beside the target and is renamed onto it only
//   when complete; a partial is removed when its writer fails, and, in the program,
//   on SIGINT/SIGTERM; partials left by processes that died (SIGKILL, power loss) are
//   removed by the next writer of the same target on the same machine.

#include <filesystem>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

namespace sim {

// Bad input (-o names something that cannot be written): the CLI exits 2, Python
// raises ValueError.
class OutputFileError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// The file that writing `path` will replace: symbolic links followed (to a target
// that may not exist yet), checked as above except for writability. `what` names the
// option or file in errors ("-o", "model file").
std::filesystem::path resolve_output_path(const std::filesystem::path& path, std::string_view what);

// resolve_output_path, then: refuses a target that is one of `inputs`, tries creating
// a file in its directory, and (with `remove_stale`) removes stale partials of the
// target. Call it before the work whose results it receives. Processes that share the
// target's directory across machines (array tasks, MPI ranks) pass remove_stale = false:
// a partial's process id means nothing on another machine.
std::filesystem::path prepare_output_path(const std::filesystem::path& path, std::string_view what,
                                          std::span<const std::filesystem::path> inputs = {}, bool remove_stale = true);

// TARGET.partial-PID for this process.
std::filesystem::path partial_path(const std::filesystem::path& target);

// Removes TARGET.partial-PID files whose process no longer runs on this machine;
// returns how many.
int remove_stale_partials(const std::filesystem::path& target);

// The temporary file of one write: registered for removal on a signal (when
// remove_partials_on_signal() was called), removed by the destructor unless
// committed, renamed onto the target by commit().
class PartialFile {
 public:
  explicit PartialFile(std::filesystem::path target);
  ~PartialFile();
  PartialFile(const PartialFile&) = delete;
  PartialFile& operator=(const PartialFile&) = delete;

  const std::filesystem::path& path() const { return partial_; }
  const std::filesystem::path& target() const { return target_; }
  // Renames the partial onto the target; throws std::runtime_error on failure.
  void commit();

 private:
  std::filesystem::path target_;
  std::filesystem::path partial_;
  int slot_ = -1;
  bool committed_ = false;
};

// Writes `contents` to the resolved `path` through a PartialFile.
void write_file_atomically(const std::filesystem::path& path, std::string_view contents, std::string_view what);

// Installs SIGINT/SIGTERM handlers that remove every registered partial, then let the
// signal end the process as it would have. For programs only: a library embedded in
// Python must leave the interpreter's handlers alone. Idempotent.
void remove_partials_on_signal();

}  // namespace sim
