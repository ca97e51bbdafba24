#pragma once
// Reading the files users name (scenarios, sweeps, devices, plans, tables, topologies).
//
// Every input goes through one gate: it must be a regular file (a directory, device,
// FIFO or socket would block or never end: /dev/zero reads forever) no larger than
// a limit the caller gives, and a refusal names the path and what was expected.

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

namespace sim {

// Bad input: the CLI exits 2, Python raises ValueError.
class InputFileError : public std::invalid_argument {
 public:
  InputFileError(const std::filesystem::path& path, std::string_view what, std::string problem)
      : std::invalid_argument(std::string(what) + " " + path.string() + ": " + problem), problem_(std::move(problem)) {}
  // The problem without the path, for callers that report the path themselves.
  const std::string& problem() const { return problem_; }

 private:
  std::string problem_;
};

// Default limit of text inputs written by hand (scenario, sweep, device, plan files).
constexpr std::uint64_t kMaxTextInputBytes = std::uint64_t{16} << 20;

// The whole file. `what` names it in errors ("scenario file", "--plan"): for example
// "scenario file /dev/zero: not a regular file (a character device)". Opening does not
// block on a FIFO, and the size is checked on the opened file, so a file swapped
// between check and read cannot slip past the limit.
std::string read_input_file(const std::filesystem::path& path, std::uint64_t max_bytes, std::string_view what);

// The same checks without reading, for libraries that open the file themselves;
// returns the file's size.
std::uint64_t check_input_file(const std::filesystem::path& path, std::uint64_t max_bytes, std::string_view what);

// "16 MiB", "1.5 KiB", "312 bytes": sizes in messages.
std::string format_bytes(std::uint64_t bytes);

}  // namespace sim
