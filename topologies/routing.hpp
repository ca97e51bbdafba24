#pragma once
// Shortest paths for every model: one Dijkstra (Boost.Graph) over the fabric's links that
// are up (in hops) and over a quantum network's fiber (in km); and, for fabrics, routing
// with the set of equal-cost paths.
//
// Paths are never enumerated to route a flow: hop distances to the destination are
// computed once (the shared Dijkstra, reverse direction) and a path is walked hop by hop,
// choosing among the next hops that get one hop closer. An endpoint hanging off a
// single switch shares that switch's distance table, so a 16,384-host leaf-spine needs
// one table per switch, not per host. Tables refresh when a link goes down or up.

#include <cstdint>
#include <unordered_map>
#include <utility>
#include <vector>

#include "topologies/quantum.hpp"
#include "topologies/topology.hpp"

namespace topologies {

// Distances and a shortest-path tree from one origin.
struct ShortestPaths {
  std::size_t origin = 0;
  std::vector<double> distance;          // +infinity: unreachable
  std::vector<std::size_t> predecessor;  // neighbour towards the origin; itself at the origin or unreachable
  // Nodes of the tree from the origin to `v`; empty when v is unreachable.
  std::vector<std::size_t> path_to(std::size_t v) const;
};

// Hops from every node to `target` over links that are up.
ShortestPaths hops_to(const Topology& topology, NodeId target);
// Fiber km from `source` to every node of a quantum network.
ShortestPaths fiber_km_from(const QuantumGraph& graph, NodeId source);

struct WeightedLink {
  LinkId link;
  double weight;  // share of the flow's rate carried on this link
};

class Router {
 public:
  explicit Router(const Topology& topology) : topology_(&topology) {}

  // Hops from `node` to `dst` over up links; -1 when unreachable.
  int hops(NodeId node, NodeId dst);
  bool reachable(NodeId src, NodeId dst) { return src == dst || hops(src, dst) >= 0; }

  // Up links leaving `node` that start a shortest path to `dst` (appended to `out`).
  void next_hops(NodeId node, NodeId dst, std::vector<LinkId>& out);

  // One shortest path, choosing at every hop by `hash` (ECMP, per-hop). Returns false
  // and leaves `out` empty when dst is unreachable.
  bool ecmp_path(NodeId src, NodeId dst, std::uint64_t hash, std::vector<LinkId>& out);
  std::vector<LinkId> shortest_path(NodeId src, NodeId dst);  // lowest-numbered choices

  // Number of distinct shortest paths (saturates at UINT64_MAX).
  std::uint64_t count_equal_cost_paths(NodeId src, NodeId dst);
  // All shortest paths, at most `limit` of them.
  std::vector<std::vector<LinkId>> equal_cost_paths(NodeId src, NodeId dst, std::size_t limit = 1024);

  // Ideal spraying: the flow splits evenly over the next hops at every node. Returns
  // false when unreachable.
  bool spray_weights(NodeId src, NodeId dst, std::vector<WeightedLink>& out);

  const Topology& topology() const { return *topology_; }

 private:
  struct Target {
    const std::vector<std::int32_t>* table;
    NodeId dst;
    int offset;  // 1 when the table is the anchor switch's
    int hops(NodeId v) const {
      if (v == dst) return 0;
      const std::int32_t d = (*table)[v];
      return d < 0 ? -1 : d + offset;
    }
  };
  Target target(NodeId dst);
  void next_hops(NodeId v, const Target& t);
  const std::vector<std::int32_t>& table(NodeId anchor);

  const Topology* topology_;
  std::uint64_t epoch_ = 0;
  std::unordered_map<NodeId, std::vector<std::int32_t>> tables_;
  std::vector<LinkId> scratch_;
};

}  // namespace topologies
