#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "sim/output_file.hpp"

namespace fs = std::filesystem;

namespace {

struct ScratchDir {
  fs::path path = fs::temp_directory_path() / ("simfabric-output-" + std::to_string(::getpid()));
  ScratchDir() {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~ScratchDir() { fs::remove_all(path); }
};

std::string slurp(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> names(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& entry : fs::directory_iterator(dir)) out.push_back(entry.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("output paths that cannot take a file are refused before any work") {
  ScratchDir dir;
  CHECK_THROWS_WITH_AS(sim::resolve_output_path("", "-o"), "-o: empty path; give the name of a file to write",
                       sim::OutputFileError);
  CHECK_THROWS_WITH_AS(sim::resolve_output_path(dir.path, "-o"), doctest::Contains("is a directory"),
                       sim::OutputFileError);
  CHECK_THROWS_WITH_AS(sim::resolve_output_path("/dev/null", "-o"), doctest::Contains("is a character device"),
                       sim::OutputFileError);
  CHECK_THROWS_WITH_AS(sim::resolve_output_path(dir.path / "missing" / "out.h5", "-o"),
                       doctest::Contains("does not exist"), sim::OutputFileError);
  const fs::path fifo = dir.path / "out.h5";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK_THROWS_WITH_AS(sim::prepare_output_path(fifo, "-o"), doctest::Contains("a FIFO"), sim::OutputFileError);
  // Through a link: the link's target is judged, and the message says so.
  fs::create_symlink("/dev/null", dir.path / "null.h5");
  CHECK_THROWS_WITH_AS(sim::resolve_output_path(dir.path / "null.h5", "-o"),
                       doctest::Contains("via the link to /dev/null"), sim::OutputFileError);
  fs::create_symlink("loop.h5", dir.path / "loop.h5");
  CHECK_THROWS_WITH_AS(sim::resolve_output_path(dir.path / "loop.h5", "-o"),
                       doctest::Contains("too many levels of symbolic links"), sim::OutputFileError);
  // A directory that refuses new files: /proc takes none, even from root.
  CHECK_THROWS_WITH_AS(sim::prepare_output_path("/proc/out.h5", "-o"), doctest::Contains("cannot create a file"),
                       sim::OutputFileError);
}

TEST_CASE("the input file is not an output, whichever name reaches it") {
  ScratchDir dir;
  std::ofstream(dir.path / "a.toml") << "kind = \"mm1\"\n";
  fs::create_symlink("a.toml", dir.path / "alias.h5");
  const std::vector<fs::path> inputs{dir.path / "a.toml"};
  CHECK_THROWS_WITH_AS(sim::prepare_output_path(dir.path / "a.toml", "-o", inputs),
                       doctest::Contains("is the input file"), sim::OutputFileError);
  CHECK_THROWS_WITH_AS(sim::prepare_output_path(dir.path / "alias.h5", "-o", inputs),
                       doctest::Contains("is the input file"), sim::OutputFileError);
  CHECK_THROWS_AS(sim::prepare_output_path(dir.path / "." / "a.toml", "-o", inputs), sim::OutputFileError);
  CHECK(sim::prepare_output_path(dir.path / "b.h5", "-o", inputs) == dir.path / "b.h5");
  CHECK(slurp(dir.path / "a.toml") == "kind = \"mm1\"\n");
}

TEST_CASE("symbolic links are followed: the file they name is written, the links stay") {
  ScratchDir dir;
  fs::create_directories(dir.path / "data");
  fs::create_symlink("data/real.json", dir.path / "model.json");  // dangling until written
  fs::create_symlink("model.json", dir.path / "latest.json");     // a chain
  CHECK(sim::resolve_output_path(dir.path / "latest.json", "-o") == dir.path / "data" / "real.json");
  sim::write_file_atomically(dir.path / "latest.json", "{}\n", "model file");
  CHECK(fs::is_symlink(dir.path / "latest.json"));
  CHECK(fs::is_symlink(dir.path / "model.json"));
  CHECK(slurp(dir.path / "data" / "real.json") == "{}\n");
  sim::write_file_atomically(dir.path / "model.json", "{\"v\": 2}\n", "model file");
  CHECK(slurp(dir.path / "latest.json") == "{\"v\": 2}\n");
  CHECK(names(dir.path / "data") == std::vector<std::string>{"real.json"});  // no partial left
}

TEST_CASE("a partial is removed unless committed, and replaces the target only when committed") {
  ScratchDir dir;
  const fs::path target = dir.path / "out.h5";
  std::ofstream(target) << "old";
  {
    sim::PartialFile partial(target);
    CHECK(partial.path() == sim::partial_path(target));
    std::ofstream(partial.path()) << "half";
  }
  CHECK(names(dir.path) == std::vector<std::string>{"out.h5"});
  CHECK(slurp(target) == "old");
  {
    sim::PartialFile partial(target);
    std::ofstream(partial.path()) << "new";
    partial.commit();
  }
  CHECK(names(dir.path) == std::vector<std::string>{"out.h5"});
  CHECK(slurp(target) == "new");
}

TEST_CASE("stale partials of dead processes go, those of live processes stay") {
  ScratchDir dir;
  const fs::path target = dir.path / "out.h5";
  // Beyond any pid_max (at most 2^22): no such process. The parent of this test lives.
  const std::string dead = "out.h5.partial-999999999";
  const std::string live = "out.h5.partial-" + std::to_string(::getppid());
  for (const auto& name : {dead, live, std::string("out.h5.partial-12x"), std::string("other.h5.partial-999999999")}) {
    std::ofstream(dir.path / name) << "x";
  }
  CHECK(sim::remove_stale_partials(target) == 1);
  std::vector<std::string> kept{"other.h5.partial-999999999", live, "out.h5.partial-12x"};
  std::sort(kept.begin(), kept.end());
  CHECK(names(dir.path) == kept);
  std::ofstream(dir.path / dead) << "x";
  (void)sim::prepare_output_path(target, "-o");  // the writer's check cleans up too
  CHECK_FALSE(fs::exists(dir.path / dead));
}
