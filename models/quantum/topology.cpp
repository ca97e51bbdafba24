#include "models/quantum/topology.hpp"

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/dijkstra_shortest_paths.hpp>

#include <algorithm>
#include <stdexcept>

namespace models::quantum {
namespace {

std::uint64_t key(int a, int b) {
  const auto lo = static_cast<std::uint64_t>(std::min(a, b));
  const auto hi = static_cast<std::uint64_t>(std::max(a, b));
  return (lo << 32) | hi;
}

using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS, boost::no_property,
                                    boost::property<boost::edge_weight_t, double>>;

Graph fiber_graph(const Topology& t) {
  Graph g(t.routers.size());
  for (const auto& l : t.qlinks) boost::add_edge(l.a, l.b, l.distance_km, g);
  return g;
}

}  // namespace

int Topology::find(const std::string& name) const {
  for (std::size_t i = 0; i < routers.size(); ++i)
    if (routers[i].name == name) return static_cast<int>(i);
  return -1;
}

int Topology::qlink_between(int a, int b) const {
  const auto it = qlink_index_.find(key(a, b));
  return it == qlink_index_.end() ? -1 : it->second;
}

void Topology::index() {
  const int n = static_cast<int>(routers.size());
  qlink_index_.clear();
  cdelay_index_.clear();
  for (std::size_t i = 0; i < qlinks.size(); ++i) {
    const auto& l = qlinks[i];
    if (l.a < 0 || l.a >= n || l.b < 0 || l.b >= n || l.a == l.b)
      throw std::invalid_argument("quantum connection " + std::to_string(i) + " joins invalid routers");
    if (!(l.distance_km > 0)) throw std::invalid_argument("quantum connection " + std::to_string(i) + ": distance must be positive");
    qlink_index_[key(l.a, l.b)] = static_cast<int>(i);
  }
  for (const auto& c : clinks) cdelay_index_[key(c.a, c.b)] = c.delay;
}

sim::Time Topology::classical_delay(int a, int b) const {
  if (a == b) return sim::Time::zero();
  if (const auto it = cdelay_index_.find(key(a, b)); it != cdelay_index_.end()) return it->second;
  if (const int q = qlink_between(a, b); q >= 0) return fiber_delay(qlinks[q].distance_km);
  const auto path = shortest_path(*this, a, b);
  if (path.empty()) throw std::invalid_argument("no classical route between " + routers[a].name + " and " + routers[b].name);
  sim::Time total;
  for (std::size_t i = 0; i + 1 < path.size(); ++i) total += classical_delay(path[i], path[i + 1]);
  return total;
}

std::vector<int> shortest_path(const Topology& topology, int src, int dst) {
  const Graph g = fiber_graph(topology);
  std::vector<Graph::vertex_descriptor> pred(boost::num_vertices(g));
  std::vector<double> dist(boost::num_vertices(g));
  boost::dijkstra_shortest_paths(g, static_cast<Graph::vertex_descriptor>(src),
                                 boost::predecessor_map(pred.data()).distance_map(dist.data()));
  std::vector<int> path;
  for (auto v = static_cast<Graph::vertex_descriptor>(dst);; v = pred[v]) {
    path.push_back(static_cast<int>(v));
    if (static_cast<int>(v) == src) break;
    if (pred[v] == v) return {};
  }
  std::reverse(path.begin(), path.end());
  return path;
}

namespace {
Topology with_routers(int n, int memories, const MemoryParams& memory, const std::string& prefix) {
  if (n < 1) throw std::invalid_argument("a topology needs at least one router");
  if (memories < 1) throw std::invalid_argument("routers need at least one memory");
  Topology t;
  for (int i = 0; i < n; ++i) t.routers.push_back({prefix + std::to_string(i), memories, memory});
  return t;
}
}  // namespace

Topology chain_topology(int routers, double link_km, int memories, const MemoryParams& memory,
                        double attenuation_db_per_km) {
  Topology t = with_routers(routers, memories, memory, "r");
  for (int i = 0; i + 1 < routers; ++i) t.qlinks.push_back({i, i + 1, link_km, attenuation_db_per_km});
  t.index();
  return t;
}

Topology star_topology(int leaves, double link_km, int memories, const MemoryParams& memory,
                       double attenuation_db_per_km) {
  Topology t = with_routers(leaves + 1, memories, memory, "r");
  t.routers[0].name = "center";
  for (int i = 1; i <= leaves; ++i) t.qlinks.push_back({0, i, link_km, attenuation_db_per_km});
  t.index();
  return t;
}

Topology grid_topology(int rows, int cols, double link_km, int memories, const MemoryParams& memory,
                       double attenuation_db_per_km) {
  Topology t = with_routers(rows * cols, memories, memory, "r");
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) {
      const int i = r * cols + c;
      if (c + 1 < cols) t.qlinks.push_back({i, i + 1, link_km, attenuation_db_per_km});
      if (r + 1 < rows) t.qlinks.push_back({i, i + cols, link_km, attenuation_db_per_km});
    }
  t.index();
  return t;
}

}  // namespace models::quantum
