#pragma once
// GraphML loaders for fabrics and quantum networks (Boost's read_graphml, through
// graphml_document.hpp). Declare attributes with <key for="node|edge" attr.name=...
// attr.type=...>; any attribute not listed here is an error, so a misspelt key is
// reported instead of silently ignored. Edges join declared nodes; the graph's
// edgedefault may be either (a cable or a fiber carries both directions). Errors name
// the file, the line and the node or edge.
//
// Fabric:
//   node  kind            string: host, gpu, nic, leaf, spine, core or switch (required)
//   node  name            string, optional (default: the node's position, "n<i>")
//   edge  bandwidth_gbps  number, 0.001 to 1e7 (required)
//   edge  latency_ns      number, 0 to 1e9 (default 0)
// Every <edge> is a full-duplex cable: two links of the same speed.
//
// Quantum network (routers are named by their node ids):
//   node  memories               whole number, 1 to 100000 (default 20)
//   edge  distance_km            number, > 0 and at most 100000 (required)
//   edge  attenuation_db_per_km  number, 0 to 100 (default 0.2)

#include <filesystem>
#include <istream>
#include <string>

#include "topologies/quantum.hpp"
#include "topologies/topology.hpp"

namespace topologies {

// Throws TopologyError naming the file and the problem; the result is validated.
Topology load_graphml(const std::filesystem::path& path);
Topology read_graphml(std::istream& in, const std::string& source_name);

QuantumGraph load_quantum_graphml(const std::filesystem::path& path);
QuantumGraph read_quantum_graphml(std::istream& in, const std::string& source_name);

}  // namespace topologies
