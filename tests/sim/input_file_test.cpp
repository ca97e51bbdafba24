#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "sim/input_file.hpp"

namespace fs = std::filesystem;

namespace {

struct ScratchDir {
  fs::path path = fs::temp_directory_path() / ("simfabric-input-" + std::to_string(::getpid()));
  ScratchDir() {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~ScratchDir() { fs::remove_all(path); }
};

}  // namespace

TEST_CASE("a regular file within the limit is read whole") {
  ScratchDir dir;
  const std::string text = "kind = \"mm1\"\n" + std::string(5000, '#') + "\n";
  std::ofstream(dir.path / "a.toml") << text;
  CHECK(sim::read_input_file(dir.path / "a.toml", 1 << 20, "scenario file") == text);
  CHECK(sim::check_input_file(dir.path / "a.toml", 1 << 20, "scenario file") == text.size());
  std::ofstream(dir.path / "empty.toml");
  CHECK(sim::read_input_file(dir.path / "empty.toml", 0, "scenario file").empty());
}

TEST_CASE("devices, directories, FIFOs and missing files are refused by name, without reading") {
  ScratchDir dir;
  // /dev/zero never ends and a FIFO without a writer never answers: both must fail at once.
  CHECK_THROWS_WITH_AS(sim::read_input_file("/dev/zero", 1 << 20, "scenario file"),
                       "scenario file /dev/zero: not a regular file (a character device)", sim::InputFileError);
  CHECK_THROWS_WITH_AS(sim::read_input_file(dir.path, 1 << 20, "plan file"),
                       doctest::Contains("not a regular file (a directory)"), sim::InputFileError);
  const fs::path fifo = dir.path / "pipe.toml";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK_THROWS_WITH_AS(sim::read_input_file(fifo, 1 << 20, "device file"), doctest::Contains("a FIFO"),
                       sim::InputFileError);
  CHECK_THROWS_WITH_AS(sim::read_input_file(dir.path / "nope.toml", 1 << 20, "sweep file"),
                       doctest::Contains("nope.toml: no such file"), sim::InputFileError);
  CHECK_THROWS_WITH_AS(sim::read_input_file("", 1 << 20, "sweep file"), doctest::Contains("empty path"),
                       sim::InputFileError);
  // A link to a device is the device.
  fs::create_symlink("/dev/zero", dir.path / "zero.toml");
  CHECK_THROWS_WITH_AS(sim::check_input_file(dir.path / "zero.toml", 1 << 20, "scenario file"),
                       doctest::Contains("character device"), sim::InputFileError);
}

TEST_CASE("a file over the limit is refused with both sizes") {
  ScratchDir dir;
  std::ofstream(dir.path / "big.csv") << std::string(3000, 'x');
  try {
    (void)sim::read_input_file(dir.path / "big.csv", 2048, "--measured");
    FAIL("expected InputFileError");
  } catch (const sim::InputFileError& e) {
    CHECK(std::string(e.what()) ==
          "--measured " + (dir.path / "big.csv").string() + ": 2.93 KiB, more than the 2 KiB such a file may have");
    CHECK(e.problem() == "2.93 KiB, more than the 2 KiB such a file may have");
  }
  CHECK_NOTHROW((void)sim::read_input_file(dir.path / "big.csv", 3000, "--measured"));
}

TEST_CASE("sizes in messages") {
  CHECK(sim::format_bytes(0) == "0 bytes");
  CHECK(sim::format_bytes(1) == "1 byte");
  CHECK(sim::format_bytes(1023) == "1023 bytes");
  CHECK(sim::format_bytes(16 << 20) == "16 MiB");
  CHECK(sim::format_bytes(UINT64_MAX) == "16 EiB");
}
