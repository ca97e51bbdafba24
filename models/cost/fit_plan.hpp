#pragma once
// The whole of fitting from simulation, shared by `simfabric fit` and simfabric.cost.fit:
// draw a plan's operators, simulate them on the device (in parallel), fit the operator
// model on the fit rows, report on the held-out rows, and wrap it as a model file.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "models/cost/model_file.hpp"
#include "models/cost/plan.hpp"

namespace models::cost {

struct PlanFitOptions {
  std::optional<std::uint64_t> seed;  // overrides the plan's
  std::size_t threads = 0;            // 0 = every hardware thread
  bool lookup_table = true;
  std::function<void()> on_simulated;  // once per simulated operator, from worker threads
};

struct PlanFit {
  CostModel file;  // holds the OperatorModel; ready for save_cost_model
  std::uint64_t seed = 0;
  std::size_t simulated = 0, fit_rows = 0, held_out_rows = 0;
  // Operators the device cannot run, per class: how many and the first reason.
  std::map<std::string, std::pair<std::size_t, std::string>> skipped;

  const OperatorModel& model() const { return std::get<OperatorModel>(file.model); }
};

PlanFit fit_plan(const accelerator::Device& device, const SamplingPlan& plan, const PlanFitOptions& options = {});

}  // namespace models::cost
