#pragma once
// Quantum network topologies: routers with memory arrays, quantum connections (fiber,
// Barrett-Kok "meet in the middle" with a BSM node at half distance) and classical
// connections. Builders for chains, stars and grids; loaders for the router-network JSON
// format SeQUeNCe users have and for GraphML (topology_io.cpp); static routing.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "models/quantum/formalism.hpp"
#include "models/quantum/hardware.hpp"

namespace models::quantum {

struct RouterSpec {
  std::string name;
  int memories = 20;
  MemoryParams memory;
  SourceParams source;  // the single-photon source of every memory of the router
};

struct QuantumLinkSpec {
  int a = 0;
  int b = 0;
  double distance_km = 10.0;             // router to router; the BSM sits at half
  double attenuation_db_per_km = 0.2;
};

struct ClassicalLinkSpec {
  int a = 0;
  int b = 0;
  sim::Time delay;
};

struct Topology {
  std::vector<RouterSpec> routers;
  std::vector<QuantumLinkSpec> qlinks;
  std::vector<ClassicalLinkSpec> clinks;
  DetectorParams detector;
  SwapParams swap;
  std::optional<double> stop_time_s;
  std::optional<FormalismKind> formalism;

  int find(const std::string& name) const;  // -1 when absent
  int qlink_between(int a, int b) const;     // -1 when absent
  // Direct classical connection if one was given, else fiber delay of the quantum link,
  // else the sum along the shortest path.
  sim::Time classical_delay(int a, int b) const;
  // Validates indices and builds the lookup tables; builders and loaders call it.
  void index();

 private:
  std::unordered_map<std::uint64_t, int> qlink_index_;
  std::unordered_map<std::uint64_t, sim::Time> cdelay_index_;
};

Topology chain_topology(int routers, double link_km, int memories, const MemoryParams& memory,
                        double attenuation_db_per_km = 0.2);
Topology star_topology(int leaves, double link_km, int memories, const MemoryParams& memory,
                       double attenuation_db_per_km = 0.2);
Topology grid_topology(int rows, int cols, double link_km, int memories, const MemoryParams& memory,
                       double attenuation_db_per_km = 0.2);

// SeQUeNCe router-network JSON (see refs): throws std::invalid_argument naming file and key.
Topology load_router_json(const std::filesystem::path& path);
// GraphML: node attribute `memories` (int, default 20); edge attributes `distance_km`
// (required) and `attenuation_db_per_km` (default 0.2). Node names are the GraphML ids.
Topology load_graphml(const std::filesystem::path& path);

// Shortest path over fiber length (Dijkstra); empty when dst is unreachable.
std::vector<int> shortest_path(const Topology& topology, int src, int dst);

}  // namespace models::quantum
