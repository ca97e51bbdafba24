#pragma once
// Many operators on one device: whole networks (operators run one after another) and
// random-operator sweeps. Operators are independent simulations, so they run in parallel
// (TBB) and results are combined in operator order: the same input gives the same
// result at any thread count.

#include <cstdint>
#include <vector>

#include "models/accelerator/executor.hpp"
#include "models/accelerator/networks.hpp"

namespace models::accelerator {

struct NetworkResult {
  std::vector<OperatorResult> operators;
  sim::Time latency;  // sum of operator latencies
  std::uint64_t ops = 0;
  std::vector<std::uint64_t> tier_bytes, link_bytes;
  double energy_pj = 0.0;
  std::uint64_t events = 0;
  bool exact = true;
};

// Every layer's weights stay resident in their tier while a network runs: throws
// std::invalid_argument when a tier cannot hold them.
void check_weights_fit(const Device& device, const OperatorList& network);

// Runs every operator (in parallel unless `parallel` is false) and sums in order.
std::vector<OperatorResult> execute_all(const Device& device, const std::vector<Operator>& ops,
                                        const ExecOptions& options = {}, bool parallel = true);
// An operator as the device's runtime issues it: batch norms that are not folded become
// their own kernels after each convolution; with fusion, an elementwise operator right
// after a convolution, GEMM or elementwise operator runs inside that kernel.
struct RuntimeStep {
  Operator op;
  bool fused = false;
};
std::vector<RuntimeStep> runtime_steps(const Device& device, const OperatorList& network);

// Checks the weights fit (check_weights_fit), then runs runtime_steps() in order: the
// latency is when the last kernel ends, with the host issuing operators as
// RuntimeSpec says (synchronously, or running ahead of the device).
NetworkResult execute_network(const Device& device, const OperatorList& network, const ExecOptions& options = {},
                              bool parallel = true);

// Activation residency: an operator's output that fits in `fraction` of the on-chip tier
// stays there and the next operator reads it from there (as a GPU's L2 keeps a tensor
// one kernel writes and the next reads). Explicit placements are kept. An approximation:
// a tensor read again later (a residual branch) is also taken to be where it was left.
OperatorList keep_activations_on_chip(const Device& device, OperatorList network, double fraction = 0.25);

// `count` random convolutions and GEMMs (sizes log-uniform over what networks use);
// operator i draws from stream i of `seed`.
std::vector<Operator> random_operators(std::size_t count, std::uint64_t seed, DataType dtype = DataType::bf16);

}  // namespace models::accelerator
