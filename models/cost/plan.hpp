#pragma once
// Sampling plans: which operators to simulate to fit a cost model. A plan declares, per
// operator class, a range or a list of choices for each parameter, and a design (grid,
// random or Latin hypercube) that draws points from them; sizes are drawn log-uniformly.
// The same plan and seed give the same operators and the same fit / held-out split.
//
// Plan files are TOML (scenarios/plans/*.toml); every key is checked and every problem
// is reported with the file, line and key (docs/cost.md, "Fitting from simulation").

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "models/accelerator/operators.hpp"
#include "sim/enum_names.hpp"

namespace models::cost {

enum class Design : std::uint8_t { grid, random, lhs };
inline constexpr sim::EnumName<Design> kDesignNames[] = {
    {Design::grid, "grid"}, {Design::random, "random"}, {Design::lhs, "lhs"}};
constexpr std::span<const sim::EnumName<Design>> enum_names(Design) { return kDesignNames; }
std::string_view design_name(Design design);

// One parameter of an operator class. A range is sampled between lo and hi inclusive
// (log-uniformly when `log_scale`); choices are taken as listed.
struct ParameterSpec {
  std::string name;
  bool is_range = true;
  double lo = 1.0, hi = 1.0;
  bool log_scale = true;
  std::vector<double> choices;  // enumerations are stored as indices into their labels
};

struct OperatorSpec {
  std::string op_class;  // as models::cost::operator_class names it
  double weight = 1.0;   // share of the plan's samples
  std::vector<ParameterSpec> parameters;
};

struct SamplingPlan {
  std::string file;  // where the plan came from ("" when built in code)
  std::string text;  // the plan file's text
  Design design = Design::lhs;
  std::size_t samples = 1000;
  std::uint64_t seed = 1;
  double holdout = 0.2;  // share of each class's rows held out of the fit
  accelerator::DataType dtype = accelerator::DataType::bf16;
  std::vector<OperatorSpec> operators;
};

// Every problem found in a plan file, one "file:line: key: message" per line.
class PlanError : public std::invalid_argument {
 public:
  explicit PlanError(const std::vector<std::string>& problems);
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  std::vector<std::string> problems_;
};

// Throws PlanError (a missing file too).
SamplingPlan load_plan(const std::filesystem::path& path);
SamplingPlan parse_plan(std::string_view text, const std::string& file_name);

// The operator classes a plan can sample and their parameters' defaults (one OperatorSpec
// each, in the order documented).
std::vector<OperatorSpec> plan_defaults();

// The plan's operators in order, each marked fit or held out. `seed` overrides the
// plan's seed. Grid designs take every combination of their levels (a range gets enough
// levels for about the class's share of samples); random and Latin hypercube designs
// draw exactly the share.
struct PlannedOperators {
  std::vector<accelerator::Operator> ops;
  std::vector<bool> held_out;
};
PlannedOperators draw_operators(const SamplingPlan& plan, std::optional<std::uint64_t> seed = std::nullopt);

// SHA-256 of a text, lower-case hex (provenance of the plan a model was fitted on).
std::string sha256_hex(std::string_view text);

}  // namespace models::cost
