#include "models/collective/link_names.hpp"

#include <optional>
#include <stdexcept>

namespace models::collective {

namespace {

using topologies::LinkId;
using topologies::NodeId;
using topologies::Topology;

std::optional<NodeId> find_node(const Topology& t, std::string_view name) {
  for (NodeId n = 0; n < t.node_count(); ++n) {
    if (t.node(n).name == name) return n;
  }
  return std::nullopt;
}

std::string quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

std::invalid_argument bad_name(std::string_view name, const std::string& why) {
  return std::invalid_argument("link " + quoted(name) + ": " + why +
                               " (expected \"nodeA-nodeB\" for a cable or \"nodeA->nodeB\" for one direction)");
}

LinkId directed(const Topology& t, std::string_view name, NodeId a, NodeId b) {
  const LinkId l = t.find_link(a, b);
  if (l == UINT32_MAX) {
    throw bad_name(name, "no link from " + quoted(t.node(a).name) + " to " + quoted(t.node(b).name));
  }
  return l;
}

}  // namespace

std::string link_name(const Topology& topology, LinkId link) {
  return topology.node(topology.link_from(link)).name + "->" + topology.node(topology.link_to(link)).name;
}

std::vector<LinkId> resolve_links(const Topology& t, std::string_view name) {
  if (const auto arrow = name.find("->"); arrow != std::string_view::npos) {
    const auto from = name.substr(0, arrow), to = name.substr(arrow + 2);
    if (from.empty() || to.empty()) throw bad_name(name, "a node name is missing");
    const auto a = find_node(t, from), b = find_node(t, to);
    if (!a) throw bad_name(name, "no node named " + quoted(from));
    if (!b) throw bad_name(name, "no node named " + quoted(to));
    return {directed(t, name, *a, *b)};
  }
  // Every split point whose two halves both name nodes; exactly one may.
  std::optional<std::pair<NodeId, NodeId>> ends;
  std::string_view missing;
  for (auto dash = name.find('-'); dash != std::string_view::npos; dash = name.find('-', dash + 1)) {
    const auto from = name.substr(0, dash), to = name.substr(dash + 1);
    if (from.empty() || to.empty()) continue;
    const auto a = find_node(t, from), b = find_node(t, to);
    if (a && b) {
      if (ends) throw bad_name(name, "ambiguous: node names contain '-'; name one direction with \"->\"");
      ends = {*a, *b};
    } else if (missing.empty()) {
      missing = a ? to : from;
    }
  }
  if (!ends) {
    if (missing.empty()) throw bad_name(name, "not a link name");
    throw bad_name(name, "no node named " + quoted(missing));
  }
  const auto [a, b] = *ends;
  const LinkId forward = t.find_link(a, b), backward = t.find_link(b, a);
  if (forward == UINT32_MAX && backward == UINT32_MAX) {
    throw bad_name(name, "no link between " + quoted(t.node(a).name) + " and " + quoted(t.node(b).name));
  }
  std::vector<LinkId> links;
  if (forward != UINT32_MAX) links.push_back(forward);
  if (backward != UINT32_MAX) links.push_back(backward);
  return links;
}

std::vector<std::string> split_link_names(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto comma = std::min(text.find(',', start), text.size());
    auto item = text.substr(start, comma - start);
    const auto first = item.find_first_not_of(" \t");
    if (first != std::string_view::npos) {
      item = item.substr(first, item.find_last_not_of(" \t") - first + 1);
      out.emplace_back(item);
    }
    start = comma + 1;
  }
  return out;
}

}  // namespace models::collective
