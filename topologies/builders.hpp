#pragma once
// Standard fabrics (all links full duplex, latencies per hop) and quantum networks.

#include <cstdint>
#include <optional>
#include <string>

#include "topologies/quantum.hpp"
#include "topologies/topology.hpp"

namespace topologies {

struct LeafSpineParams {
  std::uint32_t leaves = 2;
  std::uint32_t spines = 2;
  std::uint32_t hosts_per_leaf = 2;
  double host_gbps = 400.0;                                // host (NIC) to leaf
  std::optional<double> uplink_gbps;                       // leaf to spine; default from oversubscription
  double oversubscription = 1.0;                           // (hosts_per_leaf * host_gbps) / (spines * uplink_gbps)
  sim::Time host_latency = sim::Time::from_ps(500'000);    // host <-> leaf hop
  sim::Time uplink_latency = sim::Time::from_ps(500'000);  // leaf <-> spine hop
  // With gpus_per_host > 1 every host is a NIC node shared by its GPUs over an intra-host
  // link (NVLink-like); the GPUs are then the endpoints.
  std::uint32_t gpus_per_host = 1;
  double intra_host_gbps = 3600.0;
  sim::Time intra_host_latency = sim::Time::from_ps(100'000);
};

// Nodes: hosts (or NICs + GPUs) host<l*H+h>, leaf<l>, spine<s>. Endpoint order is host
// major, so ranks 0..H-1 sit under leaf 0.
Topology leaf_spine(const LeafSpineParams& params);

// The uplink speed leaf_spine() uses for `params`.
double leaf_spine_uplink_gbps(const LeafSpineParams& params);

struct FatTreeParams {
  std::uint32_t k = 4;  // switch radix, even: k pods, (k/2)^2 core switches, k^3/4 hosts
  double link_gbps = 400.0;
  sim::Time link_latency = sim::Time::from_ps(500'000);
};
Topology fat_tree(const FatTreeParams& params);

// Direct-connect fabrics of hosts (accelerator style): a ring and a 2-D torus.
Topology ring(std::uint32_t hosts, double link_gbps, sim::Time link_latency);
Topology torus2d(std::uint32_t x, std::uint32_t y, double link_gbps, sim::Time link_latency);

// Generated fabrics stop at a million nodes and four million cables: far past the
// largest clusters built, while a run's topology, routes and flows still fit in a few
// GiB. The sizes below are computed in 64 bits from the parameters, before anything is
// allocated, so `validate` can refuse a fabric that would exhaust memory.
constexpr std::uint64_t kMaxGeneratedNodes = std::uint64_t{1} << 20;
constexpr std::uint64_t kMaxGeneratedCables = std::uint64_t{1} << 22;

struct FabricSize {
  std::uint64_t nodes = 0;
  std::uint64_t cables = 0;
};
FabricSize leaf_spine_size(const LeafSpineParams& params);
FabricSize fat_tree_size(std::uint32_t k);
FabricSize ring_size(std::uint32_t hosts);
FabricSize torus2d_size(std::uint32_t x, std::uint32_t y);
// Empty within the limits; otherwise what is too large, for example
// "4294967296 nodes, more than the 1048576 a generated fabric may have".
std::string fabric_size_problem(const FabricSize& size);

// Quantum networks of routers with `memories` memories each, joined by links of `link_km`
// fiber. Chain: r0 - r1 - ... ; star: "center" with leaves r1..rN; grid: row-major
// r<row * cols + col>, each router linked to its right and lower neighbours.
QuantumGraph quantum_chain(int routers, double link_km, int memories, double attenuation_db_per_km = 0.2);
QuantumGraph quantum_star(int leaves, double link_km, int memories, double attenuation_db_per_km = 0.2);
QuantumGraph quantum_grid(int rows, int cols, double link_km, int memories, double attenuation_db_per_km = 0.2);

}  // namespace topologies
