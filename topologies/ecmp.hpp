#pragma once
// The per-hop ECMP choice of Router::ecmp_path, for models that cache a node's next hops
// and walk many hashes over them (the packet model's sprayed entropies): one rule, so a
// cached walk takes the same path as the router's.

#include <cstddef>
#include <cstdint>

#include "sim/random.hpp"
#include "topologies/topology.hpp"

namespace topologies {

// Index of the next hop taken at `node` among `choices` (> 0) equal-cost ones.
inline std::size_t ecmp_pick(NodeId node, std::uint64_t hash, std::size_t choices) {
  if (choices == 1) return 0;
  return sim::mix64(hash ^ (0x9e3779b97f4a7c15ULL * (node + 1))) % choices;
}

}  // namespace topologies
