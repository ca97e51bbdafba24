#pragma once
// Sweeps: a sweep file names a base scenario and the parameters to vary, and expands into
// numbered points. Each point is (overrides, seed); its seed is derived from the sweep
// seed and the point index alone, so any point can be run on its own and reproduce.
//
//   kind = "sweep"
//   [sweep]
//   scenario = "../examples/mm1.toml"      # relative to this file
//   seed = 7
//   replicas = 2                           # every combination is run this many times
//   set = ["queue.customers=1000"]         # fixed overrides of the base
//   samples = 20                           # draws for range parameters
//   sampling = "lhs"                       # or "random"
//   details = true                         # keep each point's full results too
//   [parameters]
//   "queue.arrival_rate_per_s" = [1e5, 2e5]              # grid: a list of values
//   "queue.service_rate_per_s" = { min = 1e6, max = 4e6, log = true }  # sampled range
//
// Point order: grid parameters in file order (first slowest), then the sample, then the
// replica (fastest).

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "scenarios/runner.hpp"

namespace scenarios {

// One parameter value as it goes into the /points table.
struct ParameterValue {
  enum class Type { integer, real, text };
  Type type = Type::real;
  std::int64_t integer = 0;
  double real = 0.0;
  std::string text;
};

struct SweepParameter {
  std::string key;                                         // scenario key path
  ParameterValue::Type type = ParameterValue::Type::real;  // the column type
  bool sampled = false;                                    // range rather than list
  // A list parameter's values, as TOML text for --set and as table values.
  std::vector<std::string> toml_values;
  std::vector<ParameterValue> values;
  // A range parameter.
  double min = 0.0;
  double max = 0.0;
  bool log = false;
};

struct SweepPoint {
  std::int64_t index = 0;
  std::int64_t replica = 0;
  std::uint64_t seed = 0;
  std::vector<ParameterValue> values;  // one per parameter, in Sweep::parameters order
  std::vector<std::string> overrides;  // "key=value" for the parameters (fixed ones excluded)
};

struct Sweep {
  std::string file;           // the sweep file
  std::string text;           // its text, stored with the results
  std::string scenario_file;  // the base scenario
  std::string scenario_text;
  std::uint64_t seed = 0;
  std::int64_t replicas = 1;
  bool details = false;  // each point's full recorder output goes to /details/<point>
  std::vector<std::string> fixed_overrides;
  std::vector<SweepParameter> parameters;
  std::vector<SweepPoint> points;
  // Identifies the expanded plan; results of another plan are never mixed in.
  std::uint64_t fingerprint = 0;

  static constexpr std::int64_t kMaxPoints = 10'000'000;

  // Reads, validates and expands a sweep file; throws ScenarioError with every problem
  // (and for more than max_points points). The first point's scenario is validated too,
  // so a misspelt key is bad input.
  static Sweep load(const std::filesystem::path& path, const std::vector<std::string>& overrides = {},
                    std::int64_t max_points = kMaxPoints);
  // The same from text; the base scenario is found relative to `file_name`.
  static Sweep parse(std::string_view text, std::string file_name, std::int64_t max_points = kMaxPoints);
  // The scenario of one point (base + fixed overrides + the point's overrides).
  Scenario scenario(const SweepPoint& point) const;

 private:
  static Sweep from_file(const Scenario& file, std::int64_t max_points);
};

struct PointResult {
  std::int64_t index = 0;
  std::uint64_t seed = 0;
  bool ok = false;
  std::string error;  // why it failed; empty when ok
  double wall_s = 0.0;
  std::vector<Metric> metrics;
};

// Runs one point; a failure (bad combination, exception in the model) is recorded in the
// result rather than thrown. With `details_dir` (and sweep.details), the point's full
// results are committed to details_dir/<index>.h5 before this returns.
PointResult run_point(const Sweep& sweep, std::int64_t index, const std::filesystem::path& details_dir = {});

// Where a point's detail file lives.
std::filesystem::path point_details_path(const std::filesystem::path& details_dir, std::int64_t index);

// The seed of point `index` of a sweep with seed `sweep_seed`: 63 bits, so it fits the
// signed integers of TOML and HDF5.
std::uint64_t point_seed(std::uint64_t sweep_seed, std::int64_t index);

}  // namespace scenarios
