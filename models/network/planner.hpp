#pragma once
// Collision-free path planning on a two-tier Clos (leaf-spine), as C4 plans the paths of
// a collective's few large flows: each cross-leaf transfer is an edge between its source
// leaf and destination leaf, and spines are colours. When no leaf sends or receives more
// cross-leaf transfers than there are spines, a proper edge colouring exists (Konig) and
// every uplink and downlink carries at most one transfer; beyond that the least-loaded
// spine is used.

#include <utility>
#include <vector>

#include "topologies/topology.hpp"

namespace models::network {

struct Demand {
  topologies::NodeId src;
  topologies::NodeId dst;
};

// One path (list of links) per demand. Throws std::invalid_argument when the topology is
// not endpoint - leaf - spine - leaf - endpoint shaped for a demand.
std::vector<std::vector<topologies::LinkId>> plan_leaf_spine_paths(const topologies::Topology& topology,
                                                                   const std::vector<Demand>& demands);

}  // namespace models::network
