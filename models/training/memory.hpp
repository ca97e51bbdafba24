#pragma once
// Memory one GPU holds during a step, per pipeline stage: weights, gradients and
// mixed-precision Adam state (fp32 master weights, two moments), each sharded over TP
// and, per ZeRO stage, over DP; and the activations of the micro-batches a stage keeps
// in flight, which is where the schedules differ: GPipe keeps all m, 1F1B at most
// p - stage (Narayanan et al. SC'21, section 2.2.1).

#include <cstdint>
#include <string>
#include <vector>

#include "models/training/config.hpp"

namespace models::training {

struct StageMemory {
  std::uint32_t stage = 0;
  double params = 0.0;  // per GPU
  double weight_bytes = 0.0, gradient_bytes = 0.0, optimizer_bytes = 0.0;
  double activation_bytes_per_micro_batch = 0.0;
  std::uint64_t in_flight = 0;  // micro-batches whose activations are held at once
  double activation_bytes = 0.0;
  double total_bytes() const { return weight_bytes + gradient_bytes + optimizer_bytes + activation_bytes; }
};

// Micro-batches stage `stage` holds at the peak of its schedule.
std::uint64_t in_flight_micro_batches(Schedule schedule, std::uint32_t stages, std::uint32_t stage,
                                      std::uint64_t micro_batches);

// Per stage, stage 0 first.
std::vector<StageMemory> memory_per_stage(const TrainingJob& job);

// Bytes the device can hold (its home tier).
double device_memory_bytes(const accelerator::Device& device);

// Throws std::invalid_argument ("training: the plan does not fit: stage s needs ...")
// when a stage needs more than the device holds.
void check_memory_fits(const TrainingJob& job, const std::vector<StageMemory>& stages);

}  // namespace models::training
