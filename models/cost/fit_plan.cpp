#include "models/cost/fit_plan.hpp"

#include "models/cost/simulate.hpp"
#include "sim/version.hpp"

namespace models::cost {

PlanFit fit_plan(const accelerator::Device& device, const SamplingPlan& plan, const PlanFitOptions& options) {
  PlanFit out;
  out.seed = options.seed.value_or(plan.seed);
  const PlannedOperators drawn = draw_operators(plan, out.seed);
  SimulateOptions simulate;
  simulate.threads = options.threads;
  simulate.on_done = options.on_simulated;
  const auto simulated = simulate_operators(device, drawn.ops, simulate);

  std::vector<Sample> fit, held_out;
  for (std::size_t i = 0; i < drawn.ops.size(); ++i) {
    if (!simulated[i].ok) {
      auto& s = out.skipped[operator_class(drawn.ops[i])];
      if (s.first++ == 0) s.second = simulated[i].error;
      continue;
    }
    (drawn.held_out[i] ? held_out : fit).push_back({drawn.ops[i], simulated[i].latency_s});
  }
  out.simulated = fit.size() + held_out.size();
  out.fit_rows = fit.size();
  out.held_out_rows = held_out.size();

  Provenance provenance;
  provenance.device = device.name;
  provenance.plan_file = plan.file;
  provenance.plan_sha256 = sha256_hex(plan.text);
  provenance.plan_text = plan.text;
  provenance.seed = out.seed;
  provenance.simfabric_version = sim::kVersion;
  FitOptions fit_options;
  fit_options.lookup_table = options.lookup_table;
  OperatorModel model = fit_operator_model(device, fit, held_out, provenance, fit_options);
  out.file.report = model.holdout;
  out.file.provenance = to_json(provenance);
  out.file.provenance["command"] = "fit";
  out.file.model = std::move(model);
  return out;
}

}  // namespace models::cost
