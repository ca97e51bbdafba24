#pragma once
// Synthetic traffic on a FlowNetwork: random permutations (every endpoint sends one
// flow to another, none to itself), the workload of the packet-spraying debate.

#include <cstdint>
#include <vector>

#include "models/network/flow_network.hpp"
#include "sim/random.hpp"

namespace models::network {

// The random stream a workload's permutation is drawn from (with the run seed): one
// constant, so the flow model, the packet model and Python draw the same permutation.
inline constexpr std::uint64_t kPermutationStream = 0x5045524d;  // "PERM"

// A permutation of 0..n-1 without fixed points, uniformly among those (rejection).
std::vector<std::uint32_t> random_derangement(std::uint32_t n, sim::RandomStream& rng);

struct PermutationResult {
  std::vector<double> flow_completion_s;  // per source endpoint, from the common start
  double completion_s = 0.0;              // the last flow
  double ideal_s = 0.0;                   // bytes / source NIC rate + path latency, worst flow
  std::uint32_t max_link_flows = 0;       // most flows sharing one link
  double max_link_load = 0.0;             // most flow-weight on one link (spraying: fractional)
  std::uint64_t events = 0;
  std::uint64_t failed = 0;
};

// Every endpoint i sends `bytes` to endpoint perm[i] at time 0 under `params`
// (PathPolicy::planned uses plan_leaf_spine_paths).
PermutationResult run_permutation(topologies::Topology& topology, const NetworkParams& params, double bytes,
                                  const std::vector<std::uint32_t>& perm);

}  // namespace models::network
