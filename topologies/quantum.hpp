#pragma once
// A quantum network as a Boost.Graph: routers (named, with a number of memories) joined
// by quantum links (fiber between two routers, with the heralding station half way),
// plus classical channels whose delay was given explicitly. Links are numbered densely
// in creation order. Hardware (memories' physics, sources, detectors) belongs to the
// quantum model; this is only the graph it runs on.

#include <boost/graph/adjacency_list.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sim/time.hpp"
#include "topologies/topology.hpp"

namespace topologies {

// Light in fiber: 2e8 m/s = 2e-7 km/ps (10 km: 50 us).
constexpr double kFiberKmPerPs = 2e-7;
sim::Time fiber_delay(double length_km);

struct QuantumNode {
  std::string name;
  int memories = 20;
};

struct QuantumLink {
  NodeId a = 0;
  NodeId b = 0;
  double length_km = 10.0;  // router to router
  double attenuation_db_per_km = 0.2;
};

// What a graph edge carries: the link's id. The link's properties live in a plain vector,
// so the graph copies without re-indexing edge descriptors.
struct QuantumEdge {
  LinkId link = 0;
};

class QuantumGraph {
 public:
  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS, QuantumNode, QuantumEdge>;

  // Both throw TopologyError naming the problem: a duplicate or empty name, fewer than
  // one memory, unknown nodes, a link from a node to itself, a second link between the
  // same two nodes, a length that is not positive or a negative attenuation.
  NodeId add_node(std::string name, int memories);
  LinkId add_link(NodeId a, NodeId b, double length_km, double attenuation_db_per_km);
  // Replaces a link's fiber length and attenuation (same checks as add_link).
  void set_link_physics(LinkId link, double length_km, double attenuation_db_per_km);
  // A classical channel with its own delay (otherwise messages take the fiber's delay).
  // A later channel between the same nodes replaces an earlier one.
  void add_classical(NodeId a, NodeId b, sim::Time delay);

  std::size_t node_count() const { return boost::num_vertices(graph_); }
  std::size_t link_count() const { return links_.size(); }
  const QuantumNode& node(NodeId n) const { return graph_[n]; }
  const QuantumLink& link(LinkId l) const { return links_[l]; }
  std::optional<NodeId> find(std::string_view name) const;
  std::optional<LinkId> link_between(NodeId a, NodeId b) const;

  // The given classical channel, else the fiber delay of the link between a and b, else
  // the sum of those along the shortest path; throws TopologyError when there is none.
  sim::Time classical_delay(NodeId a, NodeId b) const;
  // Nodes from src to dst over the least fiber length (routing.hpp); empty when dst is
  // unreachable.
  std::vector<NodeId> shortest_path(NodeId src, NodeId dst) const;

  const Graph& graph() const { return graph_; }

 private:
  static std::uint64_t pair_key(NodeId a, NodeId b);
  Graph graph_;
  std::vector<QuantumLink> links_;
  std::unordered_map<std::string, NodeId> by_name_;
  std::unordered_map<std::uint64_t, LinkId> link_index_;
  std::unordered_map<std::uint64_t, sim::Time> classical_;
};

}  // namespace topologies
