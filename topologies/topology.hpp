#pragma once
// A fabric as a Boost.Graph: typed nodes and directed links with bandwidth, latency and
// state. Links are numbered densely in creation order; a full-duplex cable is two links.
// Flat per-node link lists mirror the graph so that routing and the flow model can walk
// it without descriptor lookups.

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <boost/graph/adjacency_list.hpp>

#include "sim/enum_names.hpp"
#include "sim/time.hpp"

namespace topologies {

using NodeId = std::uint32_t;
using LinkId = std::uint32_t;

enum class NodeKind : std::uint8_t { host, gpu, nic, leaf, spine, core, switch_ };
enum class LinkState : std::uint8_t { up, down, degraded };

// Names per sim/enum_names.hpp.
inline constexpr sim::EnumName<NodeKind> kNodeKindNames[] = {
    {NodeKind::host, "host"},   {NodeKind::gpu, "gpu"},   {NodeKind::nic, "nic"},        {NodeKind::leaf, "leaf"},
    {NodeKind::spine, "spine"}, {NodeKind::core, "core"}, {NodeKind::switch_, "switch"},
};
constexpr std::span<const sim::EnumName<NodeKind>> enum_names(NodeKind) { return kNodeKindNames; }
inline constexpr sim::EnumName<LinkState> kLinkStateNames[] = {
    {LinkState::up, "up"}, {LinkState::down, "down"}, {LinkState::degraded, "degraded"}};
constexpr std::span<const sim::EnumName<LinkState>> enum_names(LinkState) { return kLinkStateNames; }

inline std::string_view to_string(NodeKind kind) { return sim::name_of(kind); }
inline std::string_view to_string(LinkState state) { return sim::name_of(state); }
// Throws std::invalid_argument naming the accepted kinds.
inline NodeKind node_kind_from(std::string_view text) { return sim::parse_enum<NodeKind>(text, "node kind"); }

// Hosts and GPUs are endpoints: traffic starts and ends there.
inline bool is_endpoint(NodeKind kind) { return kind == NodeKind::host || kind == NodeKind::gpu; }

struct NodeProps {
  std::string name;
  NodeKind kind = NodeKind::switch_;
};

struct LinkProps {
  LinkId id = 0;
  double bandwidth_gbps = 0.0;  // nominal capacity, gigabits per second
  sim::Time latency;            // propagation plus switching delay of this hop
  LinkState state = LinkState::up;
  double capacity_fraction = 1.0;  // of bandwidth_gbps while degraded
};

using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS, NodeProps, LinkProps>;

class TopologyError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

class Topology {
 public:
  Topology() = default;
  // Copies rebuild the link index: Boost edge descriptors point into their own graph.
  Topology(const Topology& other);
  Topology& operator=(const Topology& other);
  // Boost's adjacency_list has no move constructor (moving it copies), so a defaulted
  // move would keep descriptors into the source graph: moves rebuild the index too.
  Topology(Topology&& other) : Topology(static_cast<const Topology&>(other)) {}
  Topology& operator=(Topology&& other) { return *this = static_cast<const Topology&>(other); }

  NodeId add_node(std::string name, NodeKind kind);
  LinkId add_link(NodeId from, NodeId to, double bandwidth_gbps, sim::Time latency);
  // Two links, from->to then to->from; returns the first.
  LinkId add_duplex(NodeId a, NodeId b, double bandwidth_gbps, sim::Time latency);

  std::size_t node_count() const { return boost::num_vertices(graph_); }
  std::size_t link_count() const { return links_.size(); }
  const NodeProps& node(NodeId n) const { return graph_[n]; }
  const LinkProps& link(LinkId l) const { return graph_[links_[l]]; }
  NodeId link_from(LinkId l) const { return static_cast<NodeId>(boost::source(links_[l], graph_)); }
  NodeId link_to(LinkId l) const { return static_cast<NodeId>(boost::target(links_[l], graph_)); }
  const std::vector<LinkId>& out_links(NodeId n) const { return out_[n]; }
  const std::vector<LinkId>& in_links(NodeId n) const { return in_[n]; }
  // The link from -> to, or -1 cast to LinkId when there is none.
  LinkId find_link(NodeId from, NodeId to) const;

  // Endpoints (hosts, GPUs) in creation order: rank placement indexes this list.
  const std::vector<NodeId>& endpoints() const { return endpoints_; }
  NodeId node_by_name(std::string_view name) const;  // throws TopologyError

  // Fault injection. `fraction` is the share of nominal bandwidth left, in (0, 1].
  void set_link_down(LinkId l);
  void set_link_up(LinkId l);
  void set_link_degraded(LinkId l, double fraction);
  bool link_up(LinkId l) const { return link(l).state != LinkState::down; }
  // Usable capacity now, bytes per second (0 while down).
  double capacity_bytes_per_s(LinkId l) const;
  // Incremented whenever a link goes down or up, so routing caches know to refresh.
  std::uint64_t routing_epoch() const { return routing_epoch_; }

  // Throws TopologyError naming the problem: no endpoints, non-positive bandwidth,
  // negative latency, or an endpoint that cannot reach every other endpoint.
  void validate() const;

  const Graph& graph() const { return graph_; }

 private:
  LinkProps& mutable_link(LinkId l) { return graph_[links_[l]]; }
  void reindex_links();
  Graph graph_;
  std::vector<Graph::edge_descriptor> links_;
  std::vector<std::vector<LinkId>> out_;
  std::vector<std::vector<LinkId>> in_;
  std::vector<NodeId> endpoints_;
  std::uint64_t routing_epoch_ = 0;
};

}  // namespace topologies
