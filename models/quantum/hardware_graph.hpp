#pragma once
// A quantum network as the model runs it: the graph (topologies/quantum.hpp: routers,
// quantum links with a Barrett-Kok "meet in the middle" station at half distance,
// classical channels, routing) with the hardware of every router and the network-wide
// detector and swapping parameters. Graphs come from topologies/ (builders, GraphML);
// the router-network JSON format SeQUeNCe users have carries hardware templates too, so
// its loader lives here (router_json.cpp).

#include <filesystem>
#include <optional>
#include <vector>

#include "models/quantum/formalism.hpp"
#include "models/quantum/hardware.hpp"
#include "topologies/quantum.hpp"

namespace models::quantum {

struct HardwareGraph {
  HardwareGraph() = default;
  // Every router gets `memory` and `source`.
  explicit HardwareGraph(topologies::QuantumGraph graph, const MemoryParams& memory = {},
                         const SourceParams& source = {});

  topologies::QuantumGraph graph;
  std::vector<MemoryParams> memory;  // per router
  std::vector<SourceParams> source;  // per router
  DetectorParams detector;
  SwapParams swap;
  // What a router-network file asks for: run length and state formalism.
  std::optional<double> stop_time_s;
  std::optional<FormalismKind> formalism;

  std::size_t routers() const { return graph.node_count(); }
  void set_memory(const MemoryParams& m) { memory.assign(routers(), m); }
  void set_source(const SourceParams& s) { source.assign(routers(), s); }
};

// SeQUeNCe router-network JSON: throws std::invalid_argument naming the file and the
// element ("qconnections[2].distance") and what was expected.
HardwareGraph load_router_json(const std::filesystem::path& path);

}  // namespace models::quantum
