#pragma once
// Runs an operator's plan on the event core: tile loads and stores are flows through the
// fluid network of tier ports and links (at most `dma_engines` in flight), compute is one
// server, and two buffers on each side overlap load, compute and store.
//
// Runs of identical steps are simulated for a few repetitions; once the time between
// repetitions is constant (within 1 ps) the pipeline is periodic and each remaining
// repetition adds exactly that period. A period shorter than the repetition's own
// roofline proves the run had not settled. A run that has not settled is simulated with
// 4x, 16x more repetitions (up to 256), then step by step (or, above `max_full_steps`,
// extrapolated and flagged inexact).

#include <cstdint>
#include <string>
#include <vector>

#include "models/accelerator/device.hpp"
#include "models/accelerator/operators.hpp"
#include "models/accelerator/tiling.hpp"
#include "sim/time.hpp"

namespace models::accelerator {

struct ExecOptions {
  std::uint64_t simulated_repeats = 16;  // per run (at least 8); 0 = simulate every step
  std::uint64_t max_full_steps = 200'000;
};

struct OperatorResult {
  std::string name, kind, tiling;
  sim::Time latency;
  std::uint64_t ops = 0;
  std::vector<std::uint64_t> tier_bytes;  // payload read + written at each tier
  std::vector<std::uint64_t> link_bytes;  // bytes on each link's wire
  double compute_energy_pj = 0.0;
  std::vector<double> tier_energy_pj, link_energy_pj;
  double energy_pj = 0.0;  // compute + tiers + links
  // Lower bounds on the latency from each resource alone (the roofline terms).
  double compute_bound_s = 0.0;
  std::vector<double> tier_bound_s, link_bound_s;
  std::string bottleneck;  // "compute", a tier name or a link name: the largest bound
  std::uint64_t steps = 0, simulated_steps = 0, events = 0;
  bool exact = true;  // false only when a run was extrapolated without settling
  // Channel bytes the simulation itself carried (tiers then links); equal to tier_bytes /
  // link_bytes when every step was simulated.
  std::vector<double> simulated_channel_bytes;
};

OperatorResult execute(const Device& device, const Operator& op, const ExecOptions& options = {});
OperatorResult execute_plan(const Device& device, const Operator& op, const Plan& plan,
                            const ExecOptions& options = {});

}  // namespace models::accelerator
