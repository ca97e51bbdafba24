#include "models/network/planner.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <stdexcept>

namespace models::network {

using topologies::LinkId;
using topologies::NodeId;
using topologies::NodeKind;

namespace {
constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();

// The single switch an endpoint hangs off.
NodeId attachment(const topologies::Topology& t, NodeId endpoint) {
  const auto& out = t.out_links(endpoint);
  if (out.size() != 1) {
    throw std::invalid_argument("planner: endpoint \"" + t.node(endpoint).name + "\" is not single-homed");
  }
  return t.link_to(out[0]);
}
}  // namespace

std::vector<std::vector<LinkId>> plan_leaf_spine_paths(const topologies::Topology& t,
                                                       const std::vector<Demand>& demands) {
  std::vector<NodeId> spines;
  for (NodeId n = 0; n < t.node_count(); ++n) {
    if (t.node(n).kind == NodeKind::spine) spines.push_back(n);
  }
  std::map<NodeId, std::uint32_t> leaf_index;
  for (NodeId n = 0; n < t.node_count(); ++n) {
    if (t.node(n).kind == NodeKind::leaf) leaf_index.emplace(n, static_cast<std::uint32_t>(leaf_index.size()));
  }
  const std::size_t colours = spines.size();
  const std::size_t leaves = leaf_index.size();
  // at[side][leaf * colours + c] = demand using colour c at that leaf (side 0: sending).
  std::vector<std::uint32_t> at[2] = {std::vector<std::uint32_t>(leaves * colours, kNone),
                                      std::vector<std::uint32_t>(leaves * colours, kNone)};
  std::vector<std::uint32_t> colour(demands.size(), kNone);
  std::vector<std::uint32_t> end[2] = {std::vector<std::uint32_t>(demands.size()),
                                       std::vector<std::uint32_t>(demands.size())};
  std::vector<std::uint32_t> spine_load(leaves * colours * 2, 0);

  auto free_colour = [&](int side, std::uint32_t leaf) -> std::uint32_t {
    for (std::uint32_t c = 0; c < colours; ++c) {
      if (at[side][leaf * colours + c] == kNone) return c;
    }
    return kNone;
  };

  for (std::uint32_t d = 0; d < demands.size(); ++d) {
    const NodeId a = attachment(t, demands[d].src);
    const NodeId b = attachment(t, demands[d].dst);
    if (a == b) continue;  // same leaf: no spine involved
    if (!leaf_index.count(a) || !leaf_index.count(b) || colours == 0) {
      throw std::invalid_argument("planner: topology is not a leaf-spine fabric");
    }
    const std::uint32_t u = leaf_index[a], v = leaf_index[b];
    end[0][d] = u;
    end[1][d] = v;
    std::uint32_t cu = free_colour(0, u), cv = free_colour(1, v);
    if (cu == kNone || cv == kNone) {
      // Over-subscribed leaf: least-loaded spine, no collision-freedom promised.
      std::uint32_t best = 0;
      for (std::uint32_t c = 1; c < colours; ++c) {
        if (spine_load[(u * colours + c) * 2] + spine_load[(v * colours + c) * 2 + 1] <
            spine_load[(u * colours + best) * 2] + spine_load[(v * colours + best) * 2 + 1]) {
          best = c;
        }
      }
      colour[d] = best;
      ++spine_load[(u * colours + best) * 2];
      ++spine_load[(v * colours + best) * 2 + 1];
      continue;
    }
    if (at[1][v * colours + cu] != kNone) {
      // Swap colours cu and cv along the alternating path that starts at v with cu;
      // it cannot reach u (bipartite), so cu becomes free at v.
      std::vector<std::uint32_t> path;
      int side = 1;
      std::uint32_t leaf = v;
      std::uint32_t want = cu;
      while (true) {
        const std::uint32_t e = at[side][leaf * colours + want];
        if (e == kNone) break;
        path.push_back(e);
        side = 1 - side;
        leaf = end[side][e];
        want = want == cu ? cv : cu;
      }
      for (std::uint32_t e : path) {
        at[0][end[0][e] * colours + colour[e]] = kNone;
        at[1][end[1][e] * colours + colour[e]] = kNone;
      }
      for (std::uint32_t e : path) {
        --spine_load[(end[0][e] * colours + colour[e]) * 2];
        --spine_load[(end[1][e] * colours + colour[e]) * 2 + 1];
        colour[e] = colour[e] == cu ? cv : cu;
        ++spine_load[(end[0][e] * colours + colour[e]) * 2];
        ++spine_load[(end[1][e] * colours + colour[e]) * 2 + 1];
        at[0][end[0][e] * colours + colour[e]] = e;
        at[1][end[1][e] * colours + colour[e]] = e;
      }
    }
    colour[d] = cu;
    at[0][u * colours + cu] = d;
    at[1][v * colours + cu] = d;
    ++spine_load[(u * colours + cu) * 2];
    ++spine_load[(v * colours + cu) * 2 + 1];
  }

  std::vector<std::vector<LinkId>> paths(demands.size());
  for (std::uint32_t d = 0; d < demands.size(); ++d) {
    const NodeId a = attachment(t, demands[d].src);
    const NodeId b = attachment(t, demands[d].dst);
    auto& p = paths[d];
    if (demands[d].src == demands[d].dst) continue;
    p.push_back(t.out_links(demands[d].src)[0]);
    if (a != b) {
      const NodeId spine = spines[colour[d]];
      p.push_back(t.find_link(a, spine));
      p.push_back(t.find_link(spine, b));
    }
    const LinkId last = t.find_link(b, demands[d].dst);
    if (last == std::numeric_limits<LinkId>::max() ||
        std::find(p.begin(), p.end(), std::numeric_limits<LinkId>::max()) != p.end()) {
      throw std::invalid_argument("planner: topology is not a leaf-spine fabric");
    }
    p.push_back(last);
  }
  return paths;
}

}  // namespace models::network
