#pragma once
// The simulator as a prior: random architectures of a space simulated on a device model,
// and the space's lookup table fitted to them. Calibration starts from it, so a device
// measured on only a few architectures still has the simulator's shape of the space.

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "models/accelerator/device.hpp"
#include "models/cost/report.hpp"
#include "models/cost/space_model.hpp"

namespace models::cost {

// Called with (done, total) as simulations finish; may be empty.
using ProgressFn = std::function<void(std::size_t, std::size_t)>;

// Whole-network latency (ms) of each architecture at `batch`, in parallel (TBB); the
// result does not depend on the thread count. Activations that fit a quarter of the
// on-chip tier stay there between operators (accelerator::keep_activations_on_chip).
std::vector<double> simulate_ms(const accelerator::Device& device, std::span<const Arch> archs, std::uint64_t batch,
                                accelerator::DataType dtype = accelerator::DataType::fp32,
                                const ProgressFn& progress = {});

struct SimulatedPrior {
  SpaceModel model;    // the lookup table fitted to the simulations
  ErrorReport report;  // the table against simulations it was not fitted on (a fifth of them)
  std::size_t simulated = 0;
};

// `count` random architectures (0: three per feature), seeded.
SimulatedPrior simulated_prior(const accelerator::Device& device, Space space, std::uint64_t batch,
                               std::size_t count = 0, std::uint64_t seed = 1,
                               accelerator::DataType dtype = accelerator::DataType::fp32,
                               const ProgressFn& progress = {});

// The lookup table of `space` fitted to latencies (ms) by least squares with a light
// ridge penalty chosen by leave-one-out relative error.
SpaceModel fit_lookup_table(Space space, std::span<const Arch> archs, std::span<const double> latency_ms);

}  // namespace models::cost
