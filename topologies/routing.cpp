#include "topologies/routing.hpp"

#include <algorithm>
#include <limits>
#include <map>

#include <boost/graph/dijkstra_shortest_paths.hpp>
#include <boost/graph/reverse_graph.hpp>
#include <boost/property_map/function_property_map.hpp>

#include "sim/random.hpp"
#include "topologies/ecmp.hpp"

namespace topologies {

namespace {

constexpr double kUnusable = std::numeric_limits<double>::infinity();

// The one Dijkstra: Boost's, over any graph with vecS vertices; `weight(edge)` is the
// edge's length, +infinity for an edge that must not be used.
template <class G, class Weight>
ShortestPaths dijkstra(const G& g, std::size_t origin, Weight weight) {
  using Edge = typename boost::graph_traits<G>::edge_descriptor;
  ShortestPaths out;
  out.origin = origin;
  const std::size_t n = boost::num_vertices(g);
  out.distance.assign(n, kUnusable);
  out.predecessor.resize(n);
  auto weights = boost::make_function_property_map<Edge, double>(weight);
  boost::dijkstra_shortest_paths(g, origin,
                                 boost::predecessor_map(out.predecessor.data())
                                     .distance_map(out.distance.data())
                                     .weight_map(weights)
                                     .distance_inf(kUnusable));
  return out;
}

}  // namespace

std::vector<std::size_t> ShortestPaths::path_to(std::size_t v) const {
  if (v >= distance.size() || distance[v] == kUnusable) return {};
  std::vector<std::size_t> path{v};
  while (v != origin) {
    v = predecessor[v];
    path.push_back(v);
  }
  std::reverse(path.begin(), path.end());
  return path;
}

ShortestPaths hops_to(const Topology& topology, NodeId target) {
  const auto reversed = boost::make_reverse_graph(topology.graph());
  using Edge = boost::graph_traits<decltype(reversed)>::edge_descriptor;
  return dijkstra(reversed, target,
                  [&reversed](const Edge& e) { return reversed[e].state == LinkState::down ? kUnusable : 1.0; });
}

ShortestPaths fiber_km_from(const QuantumGraph& graph, NodeId source) {
  const auto& g = graph.graph();
  using Edge = QuantumGraph::Graph::edge_descriptor;
  return dijkstra(g, source, [&](const Edge& e) { return graph.link(g[e].link).length_km; });
}

const std::vector<std::int32_t>& Router::table(NodeId anchor) {
  if (epoch_ != topology_->routing_epoch()) {
    tables_.clear();
    epoch_ = topology_->routing_epoch();
  }
  auto [it, inserted] = tables_.try_emplace(anchor);
  if (!inserted) return it->second;
  const ShortestPaths paths = hops_to(*topology_, anchor);
  auto& dist = it->second;
  dist.resize(paths.distance.size());
  for (std::size_t v = 0; v < dist.size(); ++v) {
    dist[v] = paths.distance[v] == kUnusable ? -1 : static_cast<std::int32_t>(paths.distance[v]);
  }
  return dist;
}

Router::Target Router::target(NodeId dst) {
  // An endpoint reached over exactly one up link uses its neighbour's table.
  NodeId anchor = dst;
  int up_in = 0;
  for (LinkId l : topology_->in_links(dst)) {
    if (topology_->link_up(l)) {
      ++up_in;
      anchor = topology_->link_from(l);
    }
  }
  if (up_in != 1 || !is_endpoint(topology_->node(dst).kind)) anchor = dst;
  return Target{&table(anchor), dst, anchor == dst ? 0 : 1};
}

int Router::hops(NodeId node, NodeId dst) { return target(dst).hops(node); }

void Router::next_hops(NodeId node, NodeId dst, std::vector<LinkId>& out) {
  const Target t = target(dst);
  const int here = t.hops(node);
  if (here <= 0) return;
  for (LinkId l : topology_->out_links(node)) {
    if (!topology_->link_up(l)) continue;
    const NodeId w = topology_->link_to(l);
    if (t.hops(w) == here - 1) out.push_back(l);
  }
}

// The up links out of v that lead one hop closer to t's destination, into scratch_.
void Router::next_hops(NodeId v, const Target& t) {
  scratch_.clear();
  const int here = t.hops(v);
  for (LinkId l : topology_->out_links(v)) {
    if (!topology_->link_up(l)) continue;
    if (t.hops(topology_->link_to(l)) == here - 1) scratch_.push_back(l);
  }
}

bool Router::ecmp_path(NodeId src, NodeId dst, std::uint64_t hash, std::vector<LinkId>& out) {
  out.clear();
  if (src == dst) return true;
  const Target t = target(dst);
  if (t.hops(src) < 0) return false;
  NodeId v = src;
  while (v != dst) {
    next_hops(v, t);
    if (scratch_.empty()) {
      out.clear();
      return false;
    }
    const LinkId chosen = scratch_[ecmp_pick(v, hash, scratch_.size())];
    out.push_back(chosen);
    v = topology_->link_to(chosen);
  }
  return true;
}

std::vector<LinkId> Router::shortest_path(NodeId src, NodeId dst) {
  std::vector<LinkId> path;
  if (src == dst) return path;
  NodeId v = src;
  std::vector<LinkId> hops_here;
  while (v != dst) {
    hops_here.clear();
    next_hops(v, dst, hops_here);
    if (hops_here.empty()) return {};
    path.push_back(hops_here.front());
    v = topology_->link_to(hops_here.front());
  }
  return path;
}

std::uint64_t Router::count_equal_cost_paths(NodeId src, NodeId dst) {
  if (src == dst) return 1;
  if (hops(src, dst) < 0) return 0;
  // Paths from each node of the shortest-path DAG, farthest layer first.
  std::map<NodeId, std::uint64_t> ways;
  std::vector<NodeId> order{src};
  std::map<NodeId, bool> seen{{src, true}};
  std::vector<LinkId> next;
  for (std::size_t i = 0; i < order.size(); ++i) {
    next.clear();
    next_hops(order[i], dst, next);
    for (LinkId l : next) {
      const NodeId w = topology_->link_to(l);
      if (!seen[w]) {
        seen[w] = true;
        order.push_back(w);
      }
    }
  }
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    if (*it == dst) {
      ways[*it] = 1;
      continue;
    }
    next.clear();
    next_hops(*it, dst, next);
    std::uint64_t total = 0;
    for (LinkId l : next) {
      const std::uint64_t w = ways[topology_->link_to(l)];
      total =
          total > std::numeric_limits<std::uint64_t>::max() - w ? std::numeric_limits<std::uint64_t>::max() : total + w;
    }
    ways[*it] = total;
  }
  return ways[src];
}

std::vector<std::vector<LinkId>> Router::equal_cost_paths(NodeId src, NodeId dst, std::size_t limit) {
  std::vector<std::vector<LinkId>> paths;
  if (src == dst) return {{}};
  if (hops(src, dst) < 0) return paths;
  std::vector<LinkId> prefix;
  // Depth-first over the shortest-path DAG; stops after `limit` paths.
  auto walk = [&](auto&& self, NodeId v) -> void {
    if (paths.size() >= limit) return;
    if (v == dst) {
      paths.push_back(prefix);
      return;
    }
    std::vector<LinkId> next;
    next_hops(v, dst, next);
    for (LinkId l : next) {
      prefix.push_back(l);
      self(self, topology_->link_to(l));
      prefix.pop_back();
    }
  };
  walk(walk, src);
  return paths;
}

bool Router::spray_weights(NodeId src, NodeId dst, std::vector<WeightedLink>& out) {
  out.clear();
  if (src == dst) return true;
  const Target t = target(dst);
  if (t.hops(src) < 0) return false;
  // Layer by layer: every node of a layer is the same distance from dst.
  std::vector<std::pair<NodeId, double>> layer{{src, 1.0}}, next_layer;
  while (!(layer.size() == 1 && layer[0].first == dst)) {
    next_layer.clear();
    for (auto [v, share] : layer) {
      next_hops(v, t);
      if (scratch_.empty()) {
        out.clear();
        return false;
      }
      const double part = share / static_cast<double>(scratch_.size());
      for (LinkId l : scratch_) {
        out.push_back({l, part});
        const NodeId w = topology_->link_to(l);
        auto it = std::find_if(next_layer.begin(), next_layer.end(), [w](const auto& e) { return e.first == w; });
        if (it == next_layer.end()) {
          next_layer.emplace_back(w, part);
        } else {
          it->second += part;
        }
      }
    }
    std::swap(layer, next_layer);
  }
  return true;
}

}  // namespace topologies
