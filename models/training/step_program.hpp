#pragma once
// One training step as a collective Program run on the fabric by the collective runner:
// per (replica, stage) a compute agent that runs the pipeline schedule (forward and
// backward per micro-batch, activations and gradients to the neighbouring stages) and a
// gradient agent that all-reduces the stage's gradient buckets over the data-parallel
// replicas with the ring all-reduce program, each bucket once the last backward has
// produced it, then runs the optimizer. Both agents of a pair sit on the same GPU; the
// compute agent signals a finished bucket with an empty message.
//
// Agent (and rank) ids: compute (dp, s) = dp * pp + s, gradient agent = dp * pp + s + dp * pp.

#include <cstdint>
#include <memory>
#include <vector>

#include "models/collective/program.hpp"
#include "models/training/config.hpp"

namespace models::training {

struct StepProgramParams {
  std::uint32_t dp = 1, pp = 1;
  Schedule schedule = Schedule::one_f_one_b;
  std::uint64_t micro_batches = 1;
  // Per compute agent (dp * pp + s), one micro-batch, tensor-parallel all-reduces included.
  std::vector<sim::Time> forward, backward;
  double activation_bytes = 0.0;  // per micro-batch between adjacent stages (gradients alike)
  // Per stage: gradient bytes of each bucket in the order the backward produces them, and
  // the share of the last backward spent before each is ready (sums to 1).
  std::vector<std::vector<double>> bucket_bytes, bucket_share;
  sim::Time optimizer;
};

// Order of the passes one stage runs: (forward?, micro-batch).
struct Pass {
  bool forward = true;
  std::uint64_t micro_batch = 0;
};
std::vector<Pass> stage_passes(Schedule schedule, std::uint32_t stages, std::uint32_t stage,
                               std::uint64_t micro_batches);

std::unique_ptr<collective::Program> make_step_program(StepProgramParams params);

}  // namespace models::training
