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
  // Standalone: host + kernel. In a network: the time this operator adds to the
  // network's end (execute_network), so that operator latencies sum to the total.
  sim::Time latency;
  sim::Time host;                             // host time to issue it (runtime dispatch, library and group calls)
  sim::Time kernel;                           // device time: launches, then the pipeline of its steps
  std::uint64_t kernels = 1;                  // kernels launched (one per group for per-group calls)
  double matrix_use = 1.0, vector_use = 1.0;  // kernel_use() factors it ran with
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

// How fully an operator's kernels use the cores they run on, relative to the efficiency
// a well-shaped kernel reaches (KernelSpec): GEMM dimensions padded to the instruction
// tile; output tiles (the best of mma x 2^i up to block_m x block_n) spread over the
// cores in whole waves, a tile taking the longer of its arithmetic and its operand feed
// from the on-chip tier (that tier's bandwidth shared by all cores); channels padded
// to whole SIMD registers; per-group library calls one after another.
struct KernelUse {
  double matrix = 1.0, vector = 1.0;  // in (0, 1]
  std::uint64_t kernels = 1;
  std::string tile;  // "block 128x64, 3 waves" when wave quantisation applies
};
KernelUse kernel_use(const Device& device, const Operator& op);

// The device as the operator's kernels see it: peaks scaled by the efficiencies, the
// share of cores used and kernel_use(); every tier's bandwidth by memory_efficiency.
Device effective_device(const Device& device, const Operator& op, const KernelUse& use);

// Host time to issue the operator: dispatch, plus a library call for convolutions,
// GEMMs and attention, plus one group call per group when groups run one by one.
sim::Time host_time(const Device& device, const Operator& op);

// An elementwise operator run inside the kernel before it (operator fusion): no launch,
// no dispatch, no round trip of its main input and output; it still reads its other
// inputs and does its arithmetic on the vector units.
OperatorResult fused_elementwise(const Device& device, const Operator& op);

OperatorResult execute(const Device& device, const Operator& op, const ExecOptions& options = {});
OperatorResult execute_plan(const Device& device, const Operator& op, const Plan& plan,
                            const ExecOptions& options = {});

}  // namespace models::accelerator
