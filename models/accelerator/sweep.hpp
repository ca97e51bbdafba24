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

// Runs every operator (in parallel unless `parallel` is false) and sums in order.
std::vector<OperatorResult> execute_all(const Device& device, const std::vector<Operator>& ops,
                                        const ExecOptions& options = {}, bool parallel = true);
NetworkResult execute_network(const Device& device, const Network& network, const ExecOptions& options = {},
                              bool parallel = true);

// `count` random convolutions and GEMMs (sizes log-uniform over what networks use);
// operator i draws from stream i of `seed`.
std::vector<Operator> random_operators(std::size_t count, std::uint64_t seed, DataType dtype = DataType::bf16);

}  // namespace models::accelerator
