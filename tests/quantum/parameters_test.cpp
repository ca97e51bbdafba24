// The quantum parameters are declared once: a scenario file and any other front end
// (here a plain map, as the Python bindings use one) accept and refuse the same values
// with the same words, and the README's key table is the declarations'.

#include "models/quantum/parameters.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "scenarios/runner.hpp"

using namespace models::quantum;

namespace {

// "table.key" -> value, problems as "table.key: message".
class MapValues : public ValueSource {
 public:
  explicit MapValues(std::map<std::string, Value> values) : values_(std::move(values)) {}
  bool has_table(std::string_view table) override {
    for (const auto& [name, v] : values_)
      if (name.rfind(std::string(table) + ".", 0) == 0) return true;
    return false;
  }
  std::optional<Value> get(std::string_view table, std::string_view key) override {
    const auto it = values_.find(name(table, key));
    if (it == values_.end()) return std::nullopt;
    return it->second;
  }
  void report(std::string_view table, std::string_view key, std::string message) override {
    problems.push_back(name(table, key) + ": " + message);
  }
  std::vector<std::string> problems;

 private:
  static std::string name(std::string_view table, std::string_view key) {
    return table.empty() ? std::string(key) : std::string(table) + "." + std::string(key);
  }
  std::map<std::string, Value> values_;
};

// The problems of a scenario file, without file and line ("key: message").
std::vector<std::string> scenario_problems(const std::string& toml) {
  try {
    scenarios::validate_scenario(scenarios::Scenario::parse(toml, "bad.toml"));
  } catch (const scenarios::ScenarioError& e) {
    std::vector<std::string> out;
    for (const auto& d : e.diagnostics()) out.push_back(d.key + ": " + d.message);
    return out;
  }
  return {};
}

const std::string kRequest = "[request]\nsrc = \"r0\"\ndst = \"r1\"\n";

}  // namespace

TEST_CASE("every parameter is declared once, with a default inside its range") {
  std::map<std::string, int> seen;
  for (const auto& p : parameters()) {
    CHECK_MESSAGE(++seen[p.name()] == 1, p.name());
    if (p.default_number && (p.type == ParamType::number || p.type == ParamType::integer)) {
      CHECK_MESSAGE(range_problem(p, *p.default_number).empty(), p.name());
    }
    if (p.type == ParamType::text && !p.choices.empty()) {
      CHECK_MESSAGE(choice_problem(p, std::string(p.default_text)).empty(), p.name());
    }
  }
  CHECK_THROWS_AS(parameter("memory", "colour"), std::logic_error);
}

TEST_CASE("a scenario file and another front end refuse the same values in the same words") {
  const std::vector<std::pair<std::string, std::pair<std::string, Value>>> cases = {
      {"[memory]\nraw_fidelity = 1.5\n", {"memory.raw_fidelity", 1.5}},
      {"[memory]\ncoherence_time_s = -1\n", {"memory.coherence_time_s", std::int64_t{-1}}},
      {"[source]\nefficiency = 1.2\n", {"source.efficiency", 1.2}},
      {"[detector]\nherald_window_ps = -1\n", {"detector.herald_window_ps", std::int64_t{-1}}},
      {"[detector]\nfree_running = \"yes\"\n", {"detector.free_running", std::string("yes")}},
      {"formalism = \"ket\"\n", {"formalism", std::string("ket")}},
      {"duration_s = 0\n", {"duration_s", std::int64_t{0}}},
      {"[topology]\nrouters = 1\n", {"topology.routers", std::int64_t{1}}},
      {"[topology]\nmemories = 2.5\n", {"topology.memories", 2.5}},
      {"[purify]\ntwirl = 1\n", {"purify.twirl", std::int64_t{1}}},
  };
  for (const auto& [toml, entry] : cases) {
    CAPTURE(toml);
    const auto from_file = scenario_problems("kind = \"quantum\"\n" + toml + kRequest);
    MapValues values({entry, {"request.src", std::string("r0")}, {"request.dst", std::string("r1")}});
    read_experiment(values);
    REQUIRE(values.problems.size() == 1);
    CHECK(from_file == values.problems);
    CHECK(values.problems[0].rfind(entry.first + ": expected ", 0) == 0);
  }
}

TEST_CASE("requests are checked against the topology by every front end") {
  MapValues values({{"topology.routers", std::int64_t{3}},
                    {"request.src", std::string("r0")},
                    {"request.dst", std::string("r9")},
                    {"request.target_fidelity", 0.25}});
  read_experiment(values);
  CHECK(values.problems ==
        std::vector<std::string>{"request.dst: unknown router \"r9\"; routers: r0, r1, r2",
                                 "request.target_fidelity: expected a number in (0.25, 1], got 0.25"});
  MapValues big({{"topology.memories", std::int64_t{10}},
                 {"topology.routers", std::int64_t{3}},
                 {"request.src", std::string("r0")},
                 {"request.dst", std::string("r2")},
                 {"request.memories", std::int64_t{6}}});
  read_experiment(big);
  REQUIRE(big.problems.size() == 1);
  CHECK(big.problems[0] ==
        "request.memories: router r1 would need 12 memories (ends reserve request.memories, routers in between twice "
        "that) but has 10");
  MapValues none({});
  read_experiment(none);
  CHECK(none.problems ==
        std::vector<std::string>{"request: expected a [request] table or a [traffic] table (or both)"});
}

TEST_CASE("defaults: the declared ones, or a topology file's") {
  MapValues values({{"topology.type", std::string("json")},
                    {"topology.file",
                     (std::filesystem::path(SIMFABRIC_SOURCE_DIR) / "scenarios/quantum/star_network.json").string()},
                    {"request.src", std::string("center")},
                    {"request.dst", std::string("router1")}});
  const ExperimentParams p = read_experiment(values);
  CHECK(values.problems.empty());
  CHECK(p.duration_s == doctest::Approx(2.0));  // the file's stop_time
  CHECK(p.requests.at(0).end == sim::Time::from_seconds(2.0));
  CHECK(p.requests.at(0).target_fidelity == 0.8);
  CHECK(p.network.formalism == FormalismKind::BellDiagonal);
  CHECK(p.topology.detector.efficiency == 0.9);
}

TEST_CASE("models/quantum/README.md lists the declared parameters") {
  std::ifstream in(std::filesystem::path(SIMFABRIC_SOURCE_DIR) / "models/quantum/README.md");
  std::stringstream text;
  text << in.rdbuf();
  CHECK_MESSAGE(text.str().find(parameters_markdown()) != std::string::npos,
                "regenerate the key table of models/quantum/README.md from parameters_markdown():\n"
                    << parameters_markdown());
}

namespace {
scenarios::RunSummary run_toml(const std::string& toml) {
  return scenarios::run_scenario(scenarios::Scenario::parse(toml, "q.toml"), {});
}
double metric(const scenarios::RunSummary& s, const std::string& name) {
  for (const auto& m : s.metrics)
    if (m.name == name) return m.value;
  FAIL("no metric " << name);
  return 0;
}
}  // namespace

TEST_CASE("several requests ([[request]]), each reported over its own window") {
  const std::string toml = R"(kind = "quantum"
duration_s = 1.0
[topology]
routers = 3
[[request]]
src = "r0"
dst = "r1"
memories = 5
end_s = 0.5
[[request]]
src = "r1"
dst = "r2"
memories = 5
start_s = 0.5
)";
  const auto out = run_toml(toml);
  const double a = metric(out, "request1_pairs_per_s");
  const double b = metric(out, "request2_pairs_per_s");
  // Two like links, half a second each: like rates (Poisson counts ~2,300: 4 sigma ~ 12%).
  CHECK(a > 1000);
  CHECK(b == doctest::Approx(a).epsilon(0.12));
  CHECK(metric(out, "pairs_per_s") == doctest::Approx((a + b) / 2).epsilon(0.01));
  CHECK(scenario_problems(toml + "[[request]]\nsrc = \"r0\"\ndst = \"x\"\ncolour = 1\n") ==
        std::vector<std::string>{"request[3].dst: unknown router \"x\"; routers: r0, r1, r2",
                                 "request[3].colour: unknown key"});
}

TEST_CASE("a window past the run is an error; classical delay and link overrides reach every topology") {
  CHECK(scenario_problems("kind = \"quantum\"\nduration_s = 1\n[request]\nsrc = \"r0\"\ndst = \"r1\"\nend_s = 2\n") ==
        std::vector<std::string>{
            "request.end_s: 2 s is after the end of the run (duration_s = 1 s): the window would be cut"});
  MapValues slow(
      {{"topology.classical_delay_us", 500.0}, {"request.src", std::string("r0")}, {"request.dst", std::string("r1")}});
  const auto p = read_experiment(slow);
  REQUIRE(slow.problems.empty());
  CHECK(p.topology.graph.classical_delay(0, 1) == sim::Time::from_us(500));
  const std::string json =
      (std::filesystem::path(SIMFABRIC_SOURCE_DIR) / "scenarios/quantum/star_network.json").string();
  MapValues file({{"topology.type", std::string("json")},
                  {"topology.file", json},
                  {"topology.link_km", 3.0},
                  {"topology.attenuation_db_per_km", 0.5},
                  {"request.src", std::string("center")},
                  {"request.dst", std::string("router1")}});
  const auto q = read_experiment(file);
  REQUIRE(file.problems.empty());
  for (topologies::LinkId l = 0; l < q.topology.graph.link_count(); ++l) {
    CHECK(q.topology.graph.link(l).length_km == 3.0);
    CHECK(q.topology.graph.link(l).attenuation_db_per_km == 0.5);
  }
}
