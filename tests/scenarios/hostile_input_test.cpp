// Scenario and sweep files written to hurt: non-files, include fan-outs, huge keys and
// values, thousands of problems. Each must end in a short ScenarioError.

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include "scenarios/runner.hpp"
#include "scenarios/scenario.hpp"
#include "scenarios/sweep.hpp"

namespace fs = std::filesystem;

namespace {

struct ScratchDir {
  fs::path path = fs::temp_directory_path() / ("simfabric-hostile-" + std::to_string(::getpid()));
  ScratchDir() {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~ScratchDir() { fs::remove_all(path); }
};

void write(const fs::path& path, const std::string& text) { std::ofstream(path) << text; }

// "\"f3.toml\"" for ("f", 3); "x3" for ("x", 3).
std::string fmt_name(const std::string& stem, int i) {
  std::string name = stem;
  name.append(std::to_string(i));
  return stem == "x" ? name : std::string("\"").append(name).append(".toml\"");
}

std::string error_of(const std::function<void()>& load) {
  try {
    load();
  } catch (const scenarios::ScenarioError& e) {
    return e.what();
  }
  FAIL("expected a ScenarioError");
  return {};
}

constexpr const char* kMm1 = "kind = \"mm1\"\n[queue]\narrival_rate_per_s = 1.0\nservice_rate_per_s = 2.0\n";

}  // namespace

TEST_CASE("a scenario that is not a regular file is refused by name, without reading it") {
  ScratchDir dir;
  CHECK(error_of([] { (void)scenarios::Scenario::load("/dev/zero"); }) ==
        "/dev/zero: cannot read the scenario file: not a regular file (a character device)");
  CHECK(error_of([&] { (void)scenarios::Scenario::load(dir.path); }).find("(a directory)") != std::string::npos);
  REQUIRE(::mkfifo((dir.path / "pipe.toml").c_str(), 0600) == 0);
  CHECK(error_of([&] { (void)scenarios::Scenario::load(dir.path / "pipe.toml"); }).find("a FIFO") != std::string::npos);
  CHECK(error_of([&] { (void)scenarios::Scenario::load(dir.path / "missing.toml"); }).find("no such file") !=
        std::string::npos);
  write(dir.path / "big.toml", std::string((16 << 20) + 1, '#'));
  CHECK(error_of([&] { (void)scenarios::Scenario::load(dir.path / "big.toml"); }).find("more than the 16 MiB") !=
        std::string::npos);
}

TEST_CASE("an include fan-out is cut at 64 includes, not expanded 4^12 times") {
  ScratchDir dir;
  // Each file includes the next four times: 16.7 million loads without a bound.
  for (int i = 0; i < 12; ++i) {
    std::string text;
    if (i < 11) {
      const std::string next = fmt_name("f", i + 1);
      text.append("include = [").append(next).append(", ").append(next).append(", ");
      text.append(next).append(", ").append(next).append("]\n");
    }
    text.append(i == 0 ? std::string(kMm1) : fmt_name("x", i).append(" = 1\n"));
    write(dir.path / (std::string("f").append(std::to_string(i)).append(".toml")), text);
  }
  const std::string message = error_of([&] { (void)scenarios::Scenario::load(dir.path / "f0.toml"); });
  CHECK(message.find("more than 64 includes in all") != std::string::npos);

  // 64 includes are allowed: a wide but honest list.
  std::string list;
  for (int i = 0; i < 64; ++i) list.append(i ? ", " : "").append("\"part.toml\"");
  write(dir.path / "part.toml", "[queue]\ncustomers = 5\n");
  write(dir.path / "wide.toml", "include = [" + list + "]\n" + kMm1);
  CHECK(scenarios::Scenario::load(dir.path / "wide.toml").kind() == "mm1");
  write(dir.path / "wider.toml", "include = [" + list + ", \"part.toml\"]\n" + kMm1);
  CHECK_THROWS_AS(scenarios::Scenario::load(dir.path / "wider.toml"), scenarios::ScenarioError);
}

TEST_CASE("included files that are devices or too much text in all are refused") {
  ScratchDir dir;
  write(dir.path / "dev.toml", std::string("include = \"/dev/zero\"\n") + kMm1);
  CHECK(error_of([&] {
          (void)scenarios::Scenario::load(dir.path / "dev.toml");
        }).find("cannot open included file /dev/zero: not a regular file") != std::string::npos);
  // Five 15 MiB files: each under the per-file limit, together over the 64 MiB of includes.
  const std::string filler = "# " + std::string(15 << 20, 'x') + "\n";
  std::string list;
  for (int i = 0; i < 5; ++i) {
    write(dir.path / std::string("fill").append(std::to_string(i)).append(".toml"), filler);
    list.append(i ? ", " : "").append("\"fill").append(std::to_string(i)).append(".toml\"");
  }
  write(dir.path / "heavy.toml", "include = [" + list + "]\n" + kMm1);
  CHECK(error_of([&] {
          (void)scenarios::Scenario::load(dir.path / "heavy.toml");
        }).find("64 MiB of included text in all") != std::string::npos);
}

TEST_CASE("diagnostics echo the start of a huge key or value, and at most 100 problems") {
  const std::string key(10'000'000, 'k');
  const std::string value(1'000'000, 'v');
  std::string text = "kind = \"mm1\"\n";
  text.append(key).append(" = 1\nname = 3\n[extra]\nx = \"").append(value).append("\"\n");
  const auto scenario = scenarios::Scenario::parse(text, "huge.toml");
  const std::string message = error_of([&] { scenarios::validate_scenario(scenario); });
  CHECK(message.size() < 2000);
  CHECK(message.find(std::string(80, 'k') + "... (10000000 bytes): unknown key") != std::string::npos);

  const auto typed = scenarios::Scenario::parse(
      "kind = \"mm1\"\n[queue]\narrival_rate_per_s = \"" + value + "\"\nservice_rate_per_s = 2.0\n", "value.toml");
  const std::string typed_message = error_of([&] { scenarios::validate_scenario(typed); });
  CHECK(typed_message.size() < 1000);
  CHECK(typed_message.find("... (1000000 bytes)") != std::string::npos);

  std::string many = kMm1;
  for (int i = 0; i < 5000; ++i) many += "junk" + std::to_string(i) + " = " + std::to_string(i) + "\n";
  const auto crowded = scenarios::Scenario::parse(many, "crowded.toml");
  const std::string crowded_message = error_of([&] { scenarios::validate_scenario(crowded); });
  CHECK(crowded_message.find("... and 4900 more problems") != std::string::npos);
  CHECK(crowded_message.size() < 10'000);
}

TEST_CASE("size and duration errors echo a short start of the text") {
  const std::string text = std::string(100'000, '9') + " parsecs";
  try {
    (void)scenarios::parse_size_bytes(text);
    FAIL("expected invalid_argument");
  } catch (const std::invalid_argument& e) {
    CHECK(std::string(e.what()).size() < 400);
  }
  try {
    (void)scenarios::parse_duration_ps("1 " + std::string(100'000, 'u'));
    FAIL("expected invalid_argument");
  } catch (const std::invalid_argument& e) {
    CHECK(std::string(e.what()).size() < 400);
  }
}

TEST_CASE("a sweep whose base is a device or a directory is bad input") {
  ScratchDir dir;
  write(dir.path / "zero.toml",
        "kind = \"sweep\"\n[sweep]\nscenario = \"/dev/zero\"\n[parameters]\n\"queue.customers\" = [1, 2]\n");
  CHECK(error_of([&] {
          (void)scenarios::Sweep::load(dir.path / "zero.toml");
        }).find("cannot open /dev/zero: not a regular file (a character device)") != std::string::npos);
  write(dir.path / "dir.toml",
        "kind = \"sweep\"\n[sweep]\nscenario = \".\"\n[parameters]\n\"queue.customers\" = [1]\n");
  CHECK(error_of([&] { (void)scenarios::Sweep::load(dir.path / "dir.toml"); }).find("(a directory)") !=
        std::string::npos);
}
