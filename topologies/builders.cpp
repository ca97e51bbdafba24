#include "topologies/builders.hpp"

#include <string>

namespace topologies {

namespace {
void require(bool ok, const std::string& message) {
  if (!ok) throw TopologyError(message);
}
}  // namespace

FabricSize leaf_spine_size(const LeafSpineParams& p) {
  const std::uint64_t hosts = std::uint64_t{p.leaves} * p.hosts_per_leaf;
  const std::uint64_t gpus = p.gpus_per_host > 1 ? hosts * p.gpus_per_host : 0;
  const std::uint64_t spines = p.leaves > 1 ? p.spines : 0;
  return {hosts + gpus + p.leaves + spines, gpus + hosts + std::uint64_t{p.leaves} * spines};
}

FabricSize fat_tree_size(std::uint32_t k) {
  const std::uint64_t half = k / 2;
  const std::uint64_t hosts = std::uint64_t{k} * half * half;
  return {hosts + 2 * std::uint64_t{k} * half + half * half, 3 * hosts};
}

FabricSize ring_size(std::uint32_t hosts) { return {hosts, hosts}; }

FabricSize torus2d_size(std::uint32_t x, std::uint32_t y) {
  const std::uint64_t nodes = std::uint64_t{x} * y;
  return {nodes, 2 * nodes};
}

std::string fabric_size_problem(const FabricSize& size) {
  if (size.nodes > kMaxGeneratedNodes) {
    return std::to_string(size.nodes) + " nodes, more than the " + std::to_string(kMaxGeneratedNodes) +
           " a generated fabric may have";
  }
  if (size.cables > kMaxGeneratedCables) {
    return std::to_string(size.cables) + " cables, more than the " + std::to_string(kMaxGeneratedCables) +
           " a generated fabric may have";
  }
  return "";
}

namespace {
void require_size(const FabricSize& size, const std::string& builder) {
  const std::string problem = fabric_size_problem(size);
  if (!problem.empty()) throw TopologyError(builder + ": " + problem);
}
}  // namespace

double leaf_spine_uplink_gbps(const LeafSpineParams& p) {
  if (p.uplink_gbps) return *p.uplink_gbps;
  return static_cast<double>(p.hosts_per_leaf) * p.host_gbps / (static_cast<double>(p.spines) * p.oversubscription);
}

Topology leaf_spine(const LeafSpineParams& p) {
  require(p.leaves >= 1, "leaf_spine: leaves must be at least 1");
  require(p.spines >= 1, "leaf_spine: spines must be at least 1");
  require(p.hosts_per_leaf >= 1, "leaf_spine: hosts_per_leaf must be at least 1");
  require(p.gpus_per_host >= 1, "leaf_spine: gpus_per_host must be at least 1");
  require(p.host_gbps > 0.0, "leaf_spine: host_gbps must be positive");
  require(p.oversubscription > 0.0, "leaf_spine: oversubscription must be positive");
  const double uplink = leaf_spine_uplink_gbps(p);
  require(uplink > 0.0, "leaf_spine: uplink_gbps must be positive");
  require_size(leaf_spine_size(p), "leaf_spine");

  Topology t;
  std::vector<NodeId> leaves(p.leaves);
  std::vector<NodeId> hosts(static_cast<std::size_t>(p.leaves) * p.hosts_per_leaf);
  const bool gpus = p.gpus_per_host > 1;
  // Endpoints first so that endpoint order is host major.
  for (std::uint32_t h = 0; h < hosts.size(); ++h) {
    const std::string name = "host" + std::to_string(h);
    if (gpus) {
      hosts[h] = t.add_node(name, NodeKind::nic);
      for (std::uint32_t g = 0; g < p.gpus_per_host; ++g) {
        const NodeId gpu = t.add_node(name + ".gpu" + std::to_string(g), NodeKind::gpu);
        t.add_duplex(gpu, hosts[h], p.intra_host_gbps, p.intra_host_latency);
      }
    } else {
      hosts[h] = t.add_node(name, NodeKind::host);
    }
  }
  for (std::uint32_t l = 0; l < p.leaves; ++l) leaves[l] = t.add_node("leaf" + std::to_string(l), NodeKind::leaf);
  for (std::uint32_t h = 0; h < hosts.size(); ++h) {
    t.add_duplex(hosts[h], leaves[h / p.hosts_per_leaf], p.host_gbps, p.host_latency);
  }
  if (p.leaves > 1) {
    for (std::uint32_t s = 0; s < p.spines; ++s) {
      const NodeId spine = t.add_node("spine" + std::to_string(s), NodeKind::spine);
      for (NodeId leaf : leaves) t.add_duplex(leaf, spine, uplink, p.uplink_latency);
    }
  }
  return t;
}

Topology fat_tree(const FatTreeParams& p) {
  require(p.k >= 2 && p.k % 2 == 0, "fat_tree: k must be even and at least 2");
  require(p.link_gbps > 0.0, "fat_tree: link_gbps must be positive");
  require_size(fat_tree_size(p.k), "fat_tree");
  const std::uint32_t half = p.k / 2;
  Topology t;
  std::vector<NodeId> edge(static_cast<std::size_t>(p.k) * half), agg(static_cast<std::size_t>(p.k) * half);
  std::uint32_t host = 0;
  for (std::uint32_t pod = 0; pod < p.k; ++pod) {
    for (std::uint32_t e = 0; e < half; ++e) {
      for (std::uint32_t h = 0; h < half; ++h) {
        t.add_node("host" + std::to_string(host++), NodeKind::host);
      }
    }
  }
  for (std::uint32_t i = 0; i < edge.size(); ++i) edge[i] = t.add_node("edge" + std::to_string(i), NodeKind::leaf);
  for (std::uint32_t i = 0; i < agg.size(); ++i) agg[i] = t.add_node("agg" + std::to_string(i), NodeKind::spine);
  for (std::uint32_t h = 0; h < host; ++h) {
    t.add_duplex(t.endpoints()[h], edge[h / half], p.link_gbps, p.link_latency);
  }
  for (std::uint32_t pod = 0; pod < p.k; ++pod) {
    for (std::uint32_t e = 0; e < half; ++e) {
      for (std::uint32_t a = 0; a < half; ++a) {
        t.add_duplex(edge[pod * half + e], agg[pod * half + a], p.link_gbps, p.link_latency);
      }
    }
  }
  // Core switch (i, j) connects to aggregation switch i of every pod.
  for (std::uint32_t i = 0; i < half; ++i) {
    for (std::uint32_t j = 0; j < half; ++j) {
      const NodeId core = t.add_node("core" + std::to_string(i * half + j), NodeKind::core);
      for (std::uint32_t pod = 0; pod < p.k; ++pod) {
        t.add_duplex(agg[pod * half + i], core, p.link_gbps, p.link_latency);
      }
    }
  }
  return t;
}

Topology ring(std::uint32_t hosts, double link_gbps, sim::Time link_latency) {
  require(hosts >= 2, "ring: at least 2 hosts");
  require_size(ring_size(hosts), "ring");
  Topology t;
  for (std::uint32_t h = 0; h < hosts; ++h) t.add_node("host" + std::to_string(h), NodeKind::host);
  const std::uint32_t cables = hosts == 2 ? 1 : hosts;
  for (std::uint32_t h = 0; h < cables; ++h) t.add_duplex(h, (h + 1) % hosts, link_gbps, link_latency);
  return t;
}

Topology torus2d(std::uint32_t x, std::uint32_t y, double link_gbps, sim::Time link_latency) {
  require(x >= 1 && y >= 1 && std::uint64_t{x} * y >= 2, "torus2d: at least 2 hosts");
  require_size(torus2d_size(x, y), "torus2d");
  Topology t;
  for (std::uint32_t j = 0; j < y; ++j) {
    for (std::uint32_t i = 0; i < x; ++i) {
      t.add_node("host" + std::to_string(j * x + i), NodeKind::host);
    }
  }
  auto at = [x](std::uint32_t i, std::uint32_t j) { return j * x + i; };
  for (std::uint32_t j = 0; j < y; ++j) {
    for (std::uint32_t i = 0; i < x; ++i) {
      // A dimension of size 2 has one cable, of size 1 none.
      if (x > 2 || (x == 2 && i == 0)) t.add_duplex(at(i, j), at((i + 1) % x, j), link_gbps, link_latency);
      if (y > 2 || (y == 2 && j == 0)) t.add_duplex(at(i, j), at(i, (j + 1) % y), link_gbps, link_latency);
    }
  }
  return t;
}

namespace {
QuantumGraph quantum_routers(int n, int memories) {
  require(n >= 1, "a quantum network needs at least one router");
  QuantumGraph g;
  for (int i = 0; i < n; ++i) g.add_node("r" + std::to_string(i), memories);
  return g;
}
}  // namespace

QuantumGraph quantum_chain(int routers, double link_km, int memories, double attenuation_db_per_km) {
  QuantumGraph g = quantum_routers(routers, memories);
  for (int i = 0; i + 1 < routers; ++i) g.add_link(i, i + 1, link_km, attenuation_db_per_km);
  return g;
}

QuantumGraph quantum_star(int leaves, double link_km, int memories, double attenuation_db_per_km) {
  require(leaves >= 1, "a quantum star needs at least one leaf");
  QuantumGraph g;
  g.add_node("center", memories);
  for (int i = 1; i <= leaves; ++i) {
    g.add_link(0, g.add_node("r" + std::to_string(i), memories), link_km, attenuation_db_per_km);
  }
  return g;
}

QuantumGraph quantum_grid(int rows, int cols, double link_km, int memories, double attenuation_db_per_km) {
  require(rows >= 1 && cols >= 1, "a quantum grid needs at least one row and one column");
  QuantumGraph g = quantum_routers(rows * cols, memories);
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) {
      const int i = r * cols + c;
      if (c + 1 < cols) g.add_link(i, i + 1, link_km, attenuation_db_per_km);
      if (r + 1 < rows) g.add_link(i, i + cols, link_km, attenuation_db_per_km);
    }
  }
  return g;
}

}  // namespace topologies
