#pragma once
// Turns a scenario into a run: looks up its kind, validates every key before anything
// runs, runs the model, and hands results to a recorder.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "scenarios/memory_check.hpp"
#include "scenarios/scenario.hpp"
#include "sim/recorder.hpp"

namespace scenarios {

struct Metric {
  std::string name;
  double value = 0.0;
  std::string unit;
};

struct RunSummary {
  std::string kind;
  std::string title;  // one line describing what ran
  std::vector<Metric> metrics;
  // False when the model stopped short of finishing (a fault cut every path of a
  // transfer): the results so far are recorded, the file is marked incomplete and
  // `simfabric run` exits 1.
  bool complete = true;
  double wall_s = 0.0;
  std::uint64_t seed = 0;
};

// A validated scenario, ready to run; `recorder` may be null (no output file).
using PreparedRun = std::function<RunSummary(sim::Recorder* recorder)>;
// Reads and validates a scenario (throwing ScenarioError with every problem) and
// returns the run. `seed` is the seed to use.
using Preparer = std::function<PreparedRun(const Scenario& scenario, std::uint64_t seed)>;

struct ScenarioKind {
  std::string name;
  std::string description;
  Preparer prepare;
};

// Every kind `simfabric run` knows, in the order `simfabric run --help` lists them.
const std::vector<ScenarioKind>& scenario_kinds();

struct RunOptions {
  std::optional<std::uint64_t> seed;            // overrides the scenario's `seed`
  std::optional<std::filesystem::path> output;  // HDF5 result file
};

// Validates, runs and (when options.output is set) records. Throws ScenarioError for
// bad input before writing anything, and for a run whose estimated memory exceeds
// memory_limit() (scenarios/memory_check.hpp) before it allocates its model.
RunSummary run_scenario(const Scenario& scenario, const RunOptions& options);

// Validation only: throws ScenarioError, or returns the kind's name.
std::string validate_scenario(const Scenario& scenario);

struct ScenarioCheck {
  std::string kind;
  MemoryEstimate memory;  // the run's estimated peak memory
  MemoryLimit limit;      // what a run here may use now
  bool fits() const { return !limit.bytes || memory.bytes <= *limit.bytes; }
};
// Validation, with the run's memory estimate and the memory a run may use here; a run
// that would not fit is still valid (it may run elsewhere).
ScenarioCheck check_scenario(const Scenario& scenario);

// The memory estimate alone: the kind reads and checks its keys, estimates and stops
// there (nothing is built). Empty when the scenario is invalid.
std::optional<MemoryEstimate> estimate_scenario_memory(const Scenario& scenario);

// The seed of a scenario: options override the file's top-level `seed` (default 1).
std::uint64_t scenario_seed(const Scenario& scenario, const std::optional<std::uint64_t>& override_seed);

}  // namespace scenarios
