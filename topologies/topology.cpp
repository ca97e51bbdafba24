#include "topologies/topology.hpp"

#include <limits>

#include <boost/graph/breadth_first_search.hpp>

namespace topologies {

Topology::Topology(const Topology& other)
    : graph_(other.graph_), out_(other.out_), in_(other.in_), endpoints_(other.endpoints_),
      routing_epoch_(other.routing_epoch_) {
  reindex_links();
}

Topology& Topology::operator=(const Topology& other) {
  if (this != &other) {
    graph_ = other.graph_;
    out_ = other.out_;
    in_ = other.in_;
    endpoints_ = other.endpoints_;
    routing_epoch_ = other.routing_epoch_;
    reindex_links();
  }
  return *this;
}

void Topology::reindex_links() {
  links_.assign(boost::num_edges(graph_), Graph::edge_descriptor{});
  for (auto [it, end] = boost::edges(graph_); it != end; ++it) links_[graph_[*it].id] = *it;
}

NodeId Topology::add_node(std::string name, NodeKind kind) {
  const auto id = static_cast<NodeId>(boost::add_vertex(NodeProps{std::move(name), kind}, graph_));
  out_.emplace_back();
  in_.emplace_back();
  if (is_endpoint(kind)) endpoints_.push_back(id);
  return id;
}

LinkId Topology::add_link(NodeId from, NodeId to, double bandwidth_gbps, sim::Time latency) {
  if (from >= node_count() || to >= node_count()) throw TopologyError("link between unknown nodes");
  if (from == to) throw TopologyError("link from node \"" + node(from).name + "\" to itself");
  if (!(bandwidth_gbps > 0.0)) {
    throw TopologyError("link " + node(from).name + " -> " + node(to).name + ": bandwidth_gbps must be positive, got " +
                        std::to_string(bandwidth_gbps));
  }
  if (latency < sim::Time::zero()) {
    throw TopologyError("link " + node(from).name + " -> " + node(to).name + ": latency must not be negative");
  }
  const auto id = static_cast<LinkId>(links_.size());
  auto [edge, added] = boost::add_edge(from, to, LinkProps{id, bandwidth_gbps, latency}, graph_);
  (void)added;
  links_.push_back(edge);
  out_[from].push_back(id);
  in_[to].push_back(id);
  return id;
}

LinkId Topology::add_duplex(NodeId a, NodeId b, double bandwidth_gbps, sim::Time latency) {
  const LinkId first = add_link(a, b, bandwidth_gbps, latency);
  add_link(b, a, bandwidth_gbps, latency);
  return first;
}

LinkId Topology::find_link(NodeId from, NodeId to) const {
  for (LinkId l : out_[from]) {
    if (link_to(l) == to) return l;
  }
  return std::numeric_limits<LinkId>::max();
}

NodeId Topology::node_by_name(std::string_view name) const {
  for (NodeId n = 0; n < node_count(); ++n) {
    if (graph_[n].name == name) return n;
  }
  throw TopologyError("no node named \"" + std::string(name) + "\"");
}

void Topology::set_link_down(LinkId l) {
  mutable_link(l).state = LinkState::down;
  ++routing_epoch_;
}

void Topology::set_link_up(LinkId l) {
  auto& props = mutable_link(l);
  props.state = LinkState::up;
  props.capacity_fraction = 1.0;
  ++routing_epoch_;
}

void Topology::set_link_degraded(LinkId l, double fraction) {
  if (!(fraction > 0.0 && fraction <= 1.0)) {
    throw TopologyError("degraded capacity fraction must be in (0, 1], got " + std::to_string(fraction));
  }
  auto& props = mutable_link(l);
  const bool was_down = props.state == LinkState::down;
  props.state = fraction < 1.0 ? LinkState::degraded : LinkState::up;
  props.capacity_fraction = fraction;
  if (was_down) ++routing_epoch_;
}

double Topology::capacity_bytes_per_s(LinkId l) const {
  const auto& props = link(l);
  if (props.state == LinkState::down) return 0.0;
  return props.bandwidth_gbps * 1e9 / 8.0 * props.capacity_fraction;
}

void Topology::validate() const {
  if (endpoints_.empty()) throw TopologyError("topology has no endpoints (hosts or GPUs)");
  // Every endpoint must reach every other: a forward and a backward search from the
  // first endpoint must both see all of them.
  for (int direction = 0; direction < 2; ++direction) {
    std::vector<char> seen(node_count(), 0);
    std::vector<NodeId> stack{endpoints_.front()};
    seen[endpoints_.front()] = 1;
    while (!stack.empty()) {
      const NodeId n = stack.back();
      stack.pop_back();
      for (LinkId l : direction == 0 ? out_[n] : in_[n]) {
        const NodeId m = direction == 0 ? link_to(l) : link_from(l);
        if (!seen[m]) {
          seen[m] = 1;
          stack.push_back(m);
        }
      }
    }
    for (NodeId e : endpoints_) {
      if (!seen[e]) {
        throw TopologyError("endpoint \"" + graph_[e].name + "\" is disconnected from \"" +
                            graph_[endpoints_.front()].name + "\"");
      }
    }
  }
}

}  // namespace topologies
