#pragma once
// Figures a fabric's links imply, recorded with its results so that a reader need not
// redo the builders' arithmetic (the leaf-spine uplink speed follows from the host speed
// and the oversubscription).

#include <algorithm>
#include <limits>
#include <vector>

#include "topologies/topology.hpp"

namespace topologies {

struct FabricFigures {
  double host_gbps = std::numeric_limits<double>::quiet_NaN();    // slowest leaf link down to a host side
  double uplink_gbps = std::numeric_limits<double>::quiet_NaN();  // slowest leaf link up to a switch
  // Largest over leaves of host-facing over switch-facing capacity (nominal speeds).
  double oversubscription = std::numeric_limits<double>::quiet_NaN();
  double total_capacity_gbps = 0.0;  // every directed link's nominal speed
};

inline bool is_switch(NodeKind k) {
  return k == NodeKind::leaf || k == NodeKind::spine || k == NodeKind::core || k == NodeKind::switch_;
}

// NaN figures for a fabric without leaves (a ring, a torus, a GraphML file without kinds).
inline FabricFigures fabric_figures(const Topology& t) {
  FabricFigures f;
  std::vector<double> down(t.node_count(), 0.0), up(t.node_count(), 0.0);
  const double inf = std::numeric_limits<double>::infinity();
  double host = inf, uplink = inf;
  for (LinkId l = 0; l < t.link_count(); ++l) {
    const double gbps = t.link(l).bandwidth_gbps;
    f.total_capacity_gbps += gbps;
    const NodeId from = t.link_from(l);
    if (t.node(from).kind != NodeKind::leaf) continue;
    if (is_switch(t.node(t.link_to(l)).kind)) {
      up[from] += gbps;
      uplink = std::min(uplink, gbps);
    } else {
      down[from] += gbps;
      host = std::min(host, gbps);
    }
  }
  if (host < inf) f.host_gbps = host;
  if (uplink < inf) f.uplink_gbps = uplink;
  double worst = -1.0;
  for (NodeId n = 0; n < t.node_count(); ++n) {
    if (t.node(n).kind == NodeKind::leaf && up[n] > 0.0) worst = std::max(worst, down[n] / up[n]);
  }
  if (worst >= 0.0) f.oversubscription = worst;
  return f;
}

}  // namespace topologies
