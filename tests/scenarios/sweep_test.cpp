#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>

#include "scenarios/sweep.hpp"
#include "scenarios/sweep_journal.hpp"
#include "scenarios/sweep_slurm.hpp"

namespace {

std::filesystem::path scratch(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("simfabric-sweep-test-" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

scenarios::Sweep load_sweep(const std::string& name, const std::string& body) {
  const auto dir = scratch(name);
  const std::string base = std::string(SIMFABRIC_SOURCE_DIR) + "/scenarios/examples/mm1.toml";
  std::ofstream(dir / "sweep.toml") << "kind = \"sweep\"\n[sweep]\nscenario = \"" << base << "\"\n" << body;
  return scenarios::Sweep::load(dir / "sweep.toml");
}

}  // namespace

TEST_CASE("grid x samples x replicas, replica fastest, first grid parameter slowest") {
  const auto sweep = load_sweep("grid",
                                "seed = 5\nreplicas = 2\nsamples = 3\nsampling = \"random\"\n[parameters]\n"
                                "\"queue.arrival_rate_per_s\" = [1, 2]\n\"name\" = [\"a\", \"b\", \"c\"]\n"
                                "\"queue.service_rate_per_s\" = { min = 10.0, max = 20.0 }\n");
  REQUIRE(sweep.points.size() == 2 * 3 * 3 * 2);
  CHECK(sweep.parameters[0].type == scenarios::ParameterValue::Type::integer);
  CHECK(sweep.parameters[1].type == scenarios::ParameterValue::Type::text);
  CHECK(sweep.parameters[2].type == scenarios::ParameterValue::Type::real);
  const auto& p = sweep.points;
  CHECK(p[0].replica == 0);
  CHECK(p[1].replica == 1);
  CHECK(p[0].overrides == p[1].overrides);  // replicas differ only in seed
  CHECK(p[0].seed != p[1].seed);
  CHECK(p[0].values[2].real != p[2].values[2].real);  // the next sample
  CHECK(p[0].values[1].text == "a");
  CHECK(p[6].values[1].text == "b");       // after 3 samples x 2 replicas
  CHECK(p[18].values[0].integer == 2);     // after 3 names
  CHECK(p[0].overrides[1] == "name='a'");  // TOML literal string
  for (const auto& point : p) {
    CHECK(point.values[2].real >= 10.0);
    CHECK(point.values[2].real <= 20.0);
  }
}

TEST_CASE("seeds depend on the sweep seed and the point index only, fit 63 bits, do not collide") {
  std::set<std::uint64_t> seen;
  for (std::int64_t i = 0; i < 100'000; ++i) {
    const auto seed = scenarios::point_seed(42, i);
    CHECK(seed < (std::uint64_t{1} << 63));
    seen.insert(seed);
  }
  CHECK(seen.size() == 100'000);
  CHECK(scenarios::point_seed(42, 7) == scenarios::point_seed(42, 7));
  CHECK(scenarios::point_seed(42, 7) != scenarios::point_seed(43, 7));
}

TEST_CASE("Latin hypercube: every stratum of every parameter is hit once") {
  const auto sweep = load_sweep("lhs",
                                "samples = 50\n[parameters]\n\"queue.arrival_rate_per_s\" = { min = 0.0, max = 1.0 }\n"
                                "\"queue.customers\" = { min = 1, max = 50, integer = true }\n");
  REQUIRE(sweep.points.size() == 50);
  std::set<int> strata;
  std::set<std::int64_t> customers;
  for (const auto& point : sweep.points) {
    strata.insert(static_cast<int>(std::floor(point.values[0].real * 50)));
    customers.insert(point.values[1].integer);
  }
  CHECK(strata.size() == 50);
  CHECK(customers.size() == 50);  // 50 integers in [1, 50], one per stratum
}

TEST_CASE("a sampled value reaches the scenario exactly (shortest round-trip text)") {
  const auto sweep = load_sweep("exact",
                                "samples = 20\n[parameters]\n"
                                "\"queue.arrival_rate_per_s\" = { min = 1000.0, max = 9000.0, log = true }\n");
  for (const auto& point : sweep.points) {
    const auto scenario = sweep.scenario(point);
    CHECK(scenario.root()["queue"]["arrival_rate_per_s"].value<double>() == point.values[0].real);
  }
}

TEST_CASE("journal lines round-trip, NaN included; a torn last line is ignored") {
  scenarios::PointResult r;
  r.index = 12;
  r.seed = (std::uint64_t{1} << 62) + 3;
  r.ok = true;
  r.wall_s = 0.25;
  r.metrics = {{"x", 0.1 + 0.2, "s"}, {"nan", std::nan(""), ""}};
  scenarios::PointResult back;
  REQUIRE(scenarios::from_json_line(scenarios::to_json_line(r), back));
  CHECK(back.index == 12);
  CHECK(back.seed == r.seed);
  CHECK(back.metrics[0].value == 0.1 + 0.2);
  CHECK(std::isnan(back.metrics[1].value));

  const auto dir = scratch("journal");
  const std::string line = scenarios::to_json_line(r);
  r.index = 13;
  const std::string torn = scenarios::to_json_line(r).substr(0, 20);
  std::ofstream(dir / "a.jsonl") << line << torn;
  const auto done = scenarios::read_journals(dir);
  CHECK(done.size() == 1);
  CHECK(done.count(12) == 1);
}

TEST_CASE("Slurm array specs list only chunks with missing points") {
  CHECK(scenarios::array_spec({0, 1, 2, 5, 9, 10}, 1) == "0-2,5,9-10");
  CHECK(scenarios::array_spec({0, 39, 40, 119}, 40) == "0-2");
  CHECK(scenarios::array_spec({41, 42, 119}, 40) == "1-2");
  CHECK(scenarios::array_spec({1, 200}, 40) == "0,5");
}

TEST_CASE("sweep errors are reported together") {
  CHECK_THROWS_AS(load_sweep("bad", "replicas = 0\n[parameters]\n\"queue.customers\" = []\n"),
                  scenarios::ScenarioError);
}

TEST_CASE("a sweep too large to expand is refused before expanding") {
  const std::string base = std::string(SIMFABRIC_SOURCE_DIR) + "/scenarios/examples/mm1.toml";
  const std::string text = "kind = \"sweep\"\n[sweep]\nscenario = \"" + base +
                           "\"\nreplicas = 1000000\nsamples = 10000000\n[parameters]\n"
                           "\"queue.customers\" = { min = 1, max = 9, integer = true }\n";
  CHECK_THROWS_WITH_AS(scenarios::Sweep::parse(text, "big.toml"), doctest::Contains("points; at most 10000000"),
                       scenarios::ScenarioError);
  const std::string small = text.substr(0, text.find("replicas")) + "[parameters]\n\"queue.customers\" = [1, 2, 3]\n";
  CHECK(scenarios::Sweep::parse(small, "ok.toml", 3).points.size() == 3);
  CHECK_THROWS_AS(scenarios::Sweep::parse(small, "ok.toml", 2), scenarios::ScenarioError);
}
