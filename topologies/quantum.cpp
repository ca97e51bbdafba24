#include "topologies/quantum.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "topologies/routing.hpp"

namespace topologies {

sim::Time fiber_delay(double length_km) {
  return sim::Time::from_ps(static_cast<std::int64_t>(std::llround(length_km / kFiberKmPerPs)));
}

std::uint64_t QuantumGraph::pair_key(NodeId a, NodeId b) {
  return (static_cast<std::uint64_t>(std::min(a, b)) << 32) | std::max(a, b);
}

NodeId QuantumGraph::add_node(std::string name, int memories) {
  if (name.empty()) throw TopologyError("a quantum router needs a name");
  if (memories < 1)
    throw TopologyError(fmt::format("router \"{}\": memories must be at least 1, got {}", name, memories));
  if (by_name_.contains(name)) throw TopologyError(fmt::format("duplicate router \"{}\"", name));
  const auto id = static_cast<NodeId>(boost::add_vertex(QuantumNode{name, memories}, graph_));
  by_name_.emplace(std::move(name), id);
  return id;
}

LinkId QuantumGraph::add_link(NodeId a, NodeId b, double length_km, double attenuation_db_per_km) {
  if (a >= node_count() || b >= node_count()) throw TopologyError("quantum link between unknown routers");
  const std::string where = fmt::format("quantum link {} - {}", node(a).name, node(b).name);
  if (a == b) throw TopologyError(where + ": joins a router to itself");
  if (link_index_.contains(pair_key(a, b))) throw TopologyError(where + ": the two routers are already linked");
  if (!(length_km > 0.0) || !std::isfinite(length_km)) {
    throw TopologyError(fmt::format("{}: length must be a positive number of km, got {}", where, length_km));
  }
  if (!(attenuation_db_per_km >= 0.0) || !std::isfinite(attenuation_db_per_km)) {
    throw TopologyError(
        fmt::format("{}: attenuation must be a non-negative dB/km, got {}", where, attenuation_db_per_km));
  }
  const auto id = static_cast<LinkId>(links_.size());
  links_.push_back({a, b, length_km, attenuation_db_per_km});
  boost::add_edge(a, b, QuantumEdge{id}, graph_);
  link_index_.emplace(pair_key(a, b), id);
  return id;
}

void QuantumGraph::set_link_physics(LinkId link, double length_km, double attenuation_db_per_km) {
  QuantumLink& l = links_.at(link);
  const std::string where = fmt::format("quantum link {} - {}", node(l.a).name, node(l.b).name);
  if (!(length_km > 0.0) || !std::isfinite(length_km)) {
    throw TopologyError(fmt::format("{}: length must be a positive number of km, got {}", where, length_km));
  }
  if (!(attenuation_db_per_km >= 0.0) || !std::isfinite(attenuation_db_per_km)) {
    throw TopologyError(
        fmt::format("{}: attenuation must be a non-negative dB/km, got {}", where, attenuation_db_per_km));
  }
  l.length_km = length_km;
  l.attenuation_db_per_km = attenuation_db_per_km;
}

void QuantumGraph::add_classical(NodeId a, NodeId b, sim::Time delay) {
  if (a >= node_count() || b >= node_count()) throw TopologyError("classical channel between unknown routers");
  if (delay < sim::Time::zero())
    throw TopologyError("classical channel " + node(a).name + " - " + node(b).name + ": negative delay");
  classical_[pair_key(a, b)] = delay;
}

std::optional<NodeId> QuantumGraph::find(std::string_view name) const {
  const auto it = by_name_.find(std::string(name));
  if (it == by_name_.end()) return std::nullopt;
  return it->second;
}

std::optional<LinkId> QuantumGraph::link_between(NodeId a, NodeId b) const {
  const auto it = link_index_.find(pair_key(a, b));
  if (it == link_index_.end()) return std::nullopt;
  return it->second;
}

sim::Time QuantumGraph::classical_delay(NodeId a, NodeId b) const {
  if (a == b) return sim::Time::zero();
  if (const auto it = classical_.find(pair_key(a, b)); it != classical_.end()) return it->second;
  if (const auto l = link_between(a, b)) return fiber_delay(links_[*l].length_km);
  const auto path = shortest_path(a, b);
  if (path.empty()) throw TopologyError("no classical route between " + node(a).name + " and " + node(b).name);
  sim::Time total;
  for (std::size_t i = 0; i + 1 < path.size(); ++i) total += classical_delay(path[i], path[i + 1]);
  return total;
}

std::vector<NodeId> QuantumGraph::shortest_path(NodeId src, NodeId dst) const {
  const auto paths = fiber_km_from(*this, src);
  std::vector<NodeId> nodes;
  for (std::size_t v : paths.path_to(dst)) nodes.push_back(static_cast<NodeId>(v));
  return nodes;
}

}  // namespace topologies
