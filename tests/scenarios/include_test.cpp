#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "scenarios/runner.hpp"
#include "scenarios/scenario.hpp"

namespace {
std::filesystem::path scratch(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("simfabric-include-test-" + name);
  std::filesystem::create_directories(dir);
  return dir;
}
void write(const std::filesystem::path& path, const std::string& text) { std::ofstream(path) << text; }
}  // namespace

TEST_CASE("include merges tables key by key; the including file and --set win") {
  const auto dir = scratch("merge");
  write(dir / "a.toml", "kind = \"mm1\"\nseed = 3\n[queue]\narrival_rate_per_s = 1.0\nservice_rate_per_s = 2.0\n");
  write(dir / "b.toml", "[queue]\nservice_rate_per_s = 4.0\ncustomers = 7\n");
  write(dir / "top.toml", "include = [\"a.toml\", \"b.toml\"]\n[queue]\narrival_rate_per_s = 3.0\n");
  const auto scenario = scenarios::Scenario::load(dir / "top.toml", {"queue.customers=9"});
  CHECK(scenario.kind() == "mm1");
  const auto& queue = *scenario.root()["queue"].as_table();
  CHECK(queue["arrival_rate_per_s"].value<double>() == 3.0);  // top file
  CHECK(queue["service_rate_per_s"].value<double>() == 4.0);  // later include
  CHECK(queue["customers"].value<std::int64_t>() == 9);       // --set
  CHECK(scenario.root()["seed"].value<std::int64_t>() == 3);  // first include
  CHECK_FALSE(scenario.root().contains("include"));
  CHECK(scenarios::validate_scenario(scenario) == "mm1");
}

TEST_CASE("a problem in an included file names that file and line") {
  const auto dir = scratch("where");
  write(dir / "base.toml", "kind = \"mm1\"\n[queue]\narrival_rate_per_s = 1.0\nservice_rate_per_s = 2.0\nbogus = 1\n");
  write(dir / "top.toml", "include = \"base.toml\"\n");
  const auto scenario = scenarios::Scenario::load(dir / "top.toml");
  try {
    scenarios::validate_scenario(scenario);
    FAIL("expected a ScenarioError");
  } catch (const scenarios::ScenarioError& e) {
    REQUIRE(e.diagnostics().size() == 1);
    CHECK(e.diagnostics()[0].file == (dir / "base.toml").string());
    CHECK(e.diagnostics()[0].line == 5);
    CHECK(e.diagnostics()[0].key == "queue.bogus");
  }
}

TEST_CASE("include cycles and non-files are errors, not hangs") {
  const auto dir = scratch("cycle");
  write(dir / "x.toml", "include = \"y.toml\"\nkind = \"mm1\"\n");
  write(dir / "y.toml", "include = \"x.toml\"\n");
  CHECK_THROWS_AS(scenarios::Scenario::load(dir / "x.toml"), scenarios::ScenarioError);
  write(dir / "dev.toml", "include = \"/dev/zero\"\nkind = \"mm1\"\n");
  CHECK_THROWS_AS(scenarios::Scenario::load(dir / "dev.toml"), scenarios::ScenarioError);
  write(dir / "dir.toml", "include = \".\"\nkind = \"mm1\"\n");
  CHECK_THROWS_AS(scenarios::Scenario::load(dir / "dir.toml"), scenarios::ScenarioError);
}
