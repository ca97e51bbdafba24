#pragma once
// Pipeline-parallel training step (GPipe): K stages on K ranks, M micro-batches; every
// stage runs all forward passes, then all backward passes. Activations go forward and
// gradients backward over the fabric, overlapping with computation.

#include <cstdint>
#include <memory>
#include <vector>

#include "models/collective/program.hpp"

namespace models::collective {

struct PipelineParams {
  std::uint32_t micro_batches = 8;
  std::vector<sim::Time> forward;   // per stage, one micro-batch
  std::vector<sim::Time> backward;  // per stage, one micro-batch
  double activation_bytes = 0.0;    // per micro-batch between adjacent stages
  double gradient_bytes = -1.0;     // default: activation_bytes
};

std::unique_ptr<Program> make_gpipe(const PipelineParams& params);

// (K - 1) / (M + K - 1): the bubble with free communication and equal stages.
double gpipe_bubble_fraction(std::uint32_t stages, std::uint32_t micro_batches);

// Share of the step a stage spends idle, averaged over stages.
double measured_bubble_fraction(const PipelineParams& params, double step_s);

}  // namespace models::collective
