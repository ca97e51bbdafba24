#include "topologies/graphml.hpp"

#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <iterator>
#include <sstream>

#include <boost/graph/graphml.hpp>
#include <boost/property_map/dynamic_property_map.hpp>

namespace topologies {

namespace {
struct RawNode {
  std::string kind;
  std::string name;
};
struct RawEdge {
  double bandwidth_gbps = 0.0;
  double latency_ns = 0.0;
};
// Cables are full duplex either way; the graph's edgedefault only decides which Boost
// graph type the reader accepts.
template <class Direction>
using RawGraph = boost::adjacency_list<boost::vecS, boost::vecS, Direction, RawNode, RawEdge>;

template <class Raw>
Topology build(std::istream& in, const std::string& source) {
  Raw raw;
  boost::dynamic_properties dp;  // no generator: unknown attributes throw
  dp.property("kind", boost::get(&RawNode::kind, raw));
  dp.property("name", boost::get(&RawNode::name, raw));
  dp.property("bandwidth_gbps", boost::get(&RawEdge::bandwidth_gbps, raw));
  dp.property("latency_ns", boost::get(&RawEdge::latency_ns, raw));
  try {
    boost::read_graphml(in, raw, dp);
  } catch (const boost::property_not_found& e) {
    throw TopologyError(source + ": unknown GraphML attribute \"" + e.property +
                        "\" (expected node kind/name, edge bandwidth_gbps/latency_ns)");
  } catch (const std::exception& e) {
    throw TopologyError(source + ": not a readable GraphML graph: " + e.what());
  }

  Topology t;
  const auto nodes = boost::num_vertices(raw);
  for (std::size_t v = 0; v < nodes; ++v) {
    const RawNode& n = raw[v];
    std::string name = n.name;
    if (name.empty()) name = fmt::format("n{}", v);
    if (n.kind.empty()) throw TopologyError(source + ": node \"" + name + "\" has no kind attribute");
    try {
      t.add_node(name, node_kind_from(n.kind));
    } catch (const std::invalid_argument& e) {
      throw TopologyError(source + ": node \"" + name + "\": " + e.what());
    }
  }
  for (auto [it, end] = boost::edges(raw); it != end; ++it) {
    const RawEdge& e = raw[*it];
    const auto a = static_cast<NodeId>(boost::source(*it, raw));
    const auto b = static_cast<NodeId>(boost::target(*it, raw));
    const std::string where = source + ": edge " + t.node(a).name + " - " + t.node(b).name;
    if (!(e.bandwidth_gbps > 0.0) || !std::isfinite(e.bandwidth_gbps)) {
      throw TopologyError(where + ": bandwidth_gbps must be a positive number");
    }
    if (!(e.latency_ns >= 0.0) || !std::isfinite(e.latency_ns)) {
      throw TopologyError(where + ": latency_ns must be a non-negative number");
    }
    t.add_duplex(a, b, e.bandwidth_gbps, static_cast<std::int64_t>(std::llround(e.latency_ns * 1000.0)));
  }
  try {
    t.validate();
  } catch (const TopologyError& e) {
    throw TopologyError(source + ": " + e.what());
  }
  return t;
}

}  // namespace

Topology read_graphml(std::istream& in, const std::string& source) {
  const std::string text(std::istreambuf_iterator<char>(in), {});
  std::istringstream undirected(text);
  try {
    return build<RawGraph<boost::undirectedS>>(undirected, source);
  } catch (const TopologyError& e) {
    if (std::string(e.what()).find("directed graph into an undirected") == std::string::npos) throw;
  }
  std::istringstream directed(text);
  return build<RawGraph<boost::directedS>>(directed, source);
}

Topology load_graphml(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw TopologyError(path.string() + ": cannot open GraphML file");
  return read_graphml(in, path.string());
}

}  // namespace topologies
