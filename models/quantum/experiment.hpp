#pragma once
// One quantum-network run from typed parameters: the entry point shared by the scenario
// kind, `simfabric bench quantum-chain` and the Python bindings.

#include <cstdint>
#include <optional>
#include <vector>

#include "models/quantum/network.hpp"

namespace models::quantum {

struct ExperimentParams {
  HardwareGraph topology;
  NetworkParams network;
  double duration_s = 1.0;
  std::vector<RequestSpec> requests;
  std::optional<RandomTraffic> traffic;
  std::uint64_t seed = 1;
};

struct ExperimentResult {
  NetworkResults results;
  std::uint64_t events = 0;
  double simulated_s = 0.0;
  double wall_s = 0.0;
  std::vector<double> mean_memory_utilisation;  // per router: busy memories / memories
};

ExperimentResult run_experiment(const ExperimentParams& params);

// The benchmark chain: `routers` routers, 10 km links, 20 memories per router, one
// request between the ends over the whole run (10 memories at the ends, 20 inside).
// Memories: raw fidelity 0.99, coherence time 1 s, cutoff 10 ms; target fidelity 0.5.
ExperimentParams chain_benchmark(int routers, FormalismKind formalism, double duration_s = 1.0);

}  // namespace models::quantum
