#pragma once
// The physical quantities the operator model weighs, read off the simulator's own tiling
// of an operator (accelerator::plan_operator). A pipeline of n steps takes its fill (the
// first load, the last compute and the last store) plus n - 1 periods; each period
// overlaps one step's compute with the next step's loads and the previous one's stores.

#include <cstdint>
#include <vector>

#include "models/accelerator/device.hpp"
#include "models/accelerator/operators.hpp"
#include "models/cost/operator_model.hpp"

namespace models::cost {

// One period of the double-buffered pipeline: while a step computes, the DMA engines
// store its predecessor's results and load its successor's operands.
struct StepTerms {
  double times = 0.0;      // how often this period occurs
  double compute_s = 0.0;  // the step's ops at the device's peak, matrix work padded to the granules
  double memory_s = 0.0;   // the bytes moved meanwhile on the busiest tier or link, at its nominal rate
  double request_s = 0.0;  // those transfers' request latencies, spread over the DMA engines
};

struct OperatorTerms {
  std::vector<StepTerms> steps;
  // The time a pipeline of steps takes beyond its steady-state periods: the first load
  // (latency + bytes), the last compute and the last store.
  double fill_s = 0.0;
};

// What does not change between operators: the device's paths and their latencies.
struct TermContext {
  explicit TermContext(const accelerator::Device& device);
  const accelerator::Device& device;
  std::vector<std::vector<std::vector<std::size_t>>> paths;  // [from][to] -> links
  std::vector<std::vector<double>> latency_s;                // [from][to]
};

// Throws std::invalid_argument when the device cannot run the operator (no tile fits, no
// peak for its data type).
OperatorTerms operator_terms(const TermContext& context, const accelerator::Operator& op, const Granules& granules);

// Padded / exact arithmetic of the operator's matrix work (1 when nothing is padded).
double padding_ratio(const accelerator::Operator& op, const Granules& granules);

}  // namespace models::cost
