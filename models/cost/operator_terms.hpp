#pragma once
// The physical quantities the operator model weighs, read off the simulator's own view of
// an operator: its tiling (accelerator::plan_operator) and its kernels (kernel_use:
// efficiencies, instruction-tile padding, waves over cores; effective_device). A pipeline
// of n steps takes its fill (the first load, the last compute and the last store) plus
// n - 1 periods; each period overlaps one step's compute with the next step's loads and
// the previous one's stores.

#include <cstdint>
#include <vector>

#include "models/accelerator/device.hpp"
#include "models/accelerator/operators.hpp"

namespace models::cost {

// One period of the double-buffered pipeline: while a step computes, the DMA engines
// store its predecessor's results and load its successor's operands.
struct StepTerms {
  double times = 0.0;      // how often this period occurs
  double compute_s = 0.0;  // the step's ops at the kernels' effective peak
  double memory_s = 0.0;   // the bytes moved meanwhile on the busiest tier or link, at its effective rate
  double request_s = 0.0;  // those transfers' request latencies, spread over the DMA engines
};

struct OperatorTerms {
  std::vector<StepTerms> steps;
  // The time a pipeline of steps takes beyond its periods: the first load (latency +
  // bytes), the last compute and the last store.
  double fill_s = 0.0;
  double extra_kernels = 0.0;  // kernels launched beyond the first (per-group library calls)
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
OperatorTerms operator_terms(const TermContext& context, const accelerator::Operator& op);

}  // namespace models::cost
